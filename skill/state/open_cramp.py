"""Owner of the open cramp timer (persistent ``open_cramp``): the cramp coach and "start timing my
cramp" start it, the diary reads it to time a log and closes it when the cramp is logged or gone.

Stored as ``{"started_at": ISO UTC, "muscle": id | None, "side": id | None, "source"?: str}``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from ask_sdk_core.handler_input import HandlerInput

from skill.diary.model import iso, parse_iso
from skill.state import user
from skill.state.clock import now_utc

log = logging.getLogger(__name__)

KEY = "open_cramp"
# A cramp mentioned again within this long is the same cramp (its start time is kept).
SAME_CRAMP_WITHIN = timedelta(minutes=30)


@dataclass(frozen=True)
class OpenCramp:
    started_at: datetime
    muscle: str | None = None
    side: str | None = None
    source: str | None = None  # who started it ("coach", "timer"); None in records from before it

    def running_for(self, now: datetime) -> timedelta:
        return now - self.started_at


def current(handler_input: HandlerInput) -> OpenCramp | None:
    value = user.record(handler_input).get(KEY)
    if not isinstance(value, dict):
        return None
    try:
        started = parse_iso(value["started_at"])
    except (KeyError, TypeError, ValueError):
        return None
    source = value.get("source")
    return OpenCramp(
        started, value.get("muscle"), value.get("side"), source if isinstance(source, str) else None
    )


def start(
    handler_input: HandlerInput,
    muscle: str | None,
    side: str | None,
    started: datetime | None = None,
    *,
    same_cramp: bool = False,
) -> OpenCramp:
    """Start (or restart) the timer now or at ``started``; with ``same_cramp`` a timer started within
    ``SAME_CRAMP_WITHIN`` keeps its earlier start (the same cramp, mentioned again)."""
    now = now_utc(handler_input)
    started = started or now
    existing = current(handler_input)
    if same_cramp and existing is not None and now - existing.started_at < SAME_CRAMP_WITHIN:
        started = min(started, existing.started_at)
    user.record(handler_input)[KEY] = {"started_at": iso(started), "muscle": muscle, "side": side}
    user.save(handler_input)
    return OpenCramp(started, muscle, side)


def close(handler_input: HandlerInput, *, quietly: bool = False) -> None:
    """Forget the timer (the cramp is logged, or gone). ``quietly``: a failed save is only logged, for
    callers whose real work is already done (a stale timer is ignored after an hour anyway)."""
    if user.record(handler_input).pop(KEY, None) is None:
        return
    try:
        user.save(handler_input)
    except Exception:
        if not quietly:
            raise
        log.exception("could not clear the timed cramp")


def forget(handler_input: HandlerInput) -> None:
    """Drop the timer without saving (the caller saves the record with its other changes)."""
    user.record(handler_input).pop(KEY, None)
