"""Owner of the safety holds: pregnancy mode (persistent ``profile.pregnant``), the hold on leg
exercises after a red flag that rules out stretching, massage, heat, acupressure or load
(persistent ``profile.leg_hold``, plus session ``leg_swollen``), and which red-flag messages this
session has already said (session ``flags_said``, so a save does not repeat advice heard a turn ago).

The leg hold lasts until the user says the leg has been checked (``release_leg``) or ``HOLD_DAYS``
pass; the session key keeps it for the rest of a session even when the persistent record cannot be
written. ``skill.safety`` decides when a hold starts; techniques read it through
``skill.safety.conditions``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.state import session as namespace
from skill.state import user
from skill.state.clock import now_utc

PREGNANT = "pregnant"  # profile key
LEG_HOLD = "leg_swollen"  # session key
LEG_HOLD_RECORD = "leg_hold"  # profile key: {"since": ISO 8601 UTC, "side": LEFT/RIGHT/BOTH/None}
HOLD_EXPLAINED = "leg_hold_said"  # session key: why the leg is left out was said this session
FLAGS_SAID = "flags_said"  # session key: red-flag rule ids whose advice was spoken this session
HOLD_DAYS = 7


def pregnant(handler_input: HandlerInput) -> bool:
    return bool(user.profile(handler_input).get(PREGNANT))


def set_pregnant(handler_input: HandlerInput, value: bool) -> None:
    user.profile(handler_input)[PREGNANT] = value
    user.save(handler_input)


def _stored_hold(handler_input: HandlerInput) -> dict[str, Any] | None:
    value = user.profile(handler_input).get(LEG_HOLD_RECORD)
    return value if isinstance(value, dict) else None


def _since(hold: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(hold.get("since")))
    except ValueError:
        return None


def leg_held(handler_input: HandlerInput) -> bool:
    """True while leg exercises are held back: this session's hold, or a stored one under 7 days old."""
    if namespace.has_session(handler_input) and namespace.session_state(handler_input).get(LEG_HOLD):
        return True
    hold = _stored_hold(handler_input)
    if hold is None:
        return False
    since = _since(hold)
    return since is None or now_utc(handler_input) - since < timedelta(days=HOLD_DAYS)


def held_side(handler_input: HandlerInput) -> str | None:
    hold = _stored_hold(handler_input)
    side = hold.get("side") if hold else None
    return side if isinstance(side, str) else None


def hold_leg(handler_input: HandlerInput, side: str | None = None) -> None:
    """Hold leg exercises back from now on (this session and, stored, for ``HOLD_DAYS``)."""
    if namespace.has_session(handler_input):
        namespace.session_state(handler_input)[LEG_HOLD] = True
    previous = held_side(handler_input)
    if previous and side and previous != side:
        side = "BOTH"
    user.profile(handler_input)[LEG_HOLD_RECORD] = {
        "since": now_utc(handler_input).isoformat(),
        "side": side or previous,
    }
    user.save(handler_input)


def release_leg(handler_input: HandlerInput) -> bool:
    """The user says the leg has been checked: end the hold. True when there was one."""
    had = leg_held(handler_input)
    if namespace.has_session(handler_input):
        state = namespace.session_state(handler_input)
        state.pop(LEG_HOLD, None)
        state.pop(HOLD_EXPLAINED, None)
    if user.profile(handler_input).pop(LEG_HOLD_RECORD, None) is not None:
        user.save(handler_input)
    return had


def hold_explained(handler_input: HandlerInput) -> bool:
    return namespace.has_session(handler_input) and bool(
        namespace.session_state(handler_input).get(HOLD_EXPLAINED)
    )


def mark_hold_explained(handler_input: HandlerInput) -> None:
    if namespace.has_session(handler_input):
        namespace.session_state(handler_input)[HOLD_EXPLAINED] = True


def flags_said(handler_input: HandlerInput) -> frozenset[str]:
    if not namespace.has_session(handler_input):
        return frozenset()
    value = namespace.session_state(handler_input).get(FLAGS_SAID)
    return frozenset(value) if isinstance(value, list) else frozenset()


def mark_flags_said(handler_input: HandlerInput, rule_ids: tuple[str, ...]) -> None:
    if namespace.has_session(handler_input):
        said = namespace.session_state(handler_input)
        said[FLAGS_SAID] = sorted({*flags_said(handler_input), *rule_ids})
