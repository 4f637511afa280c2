"""The guided-session state machine: pure data in, data out (no ask-sdk, no I/O).

A session is a script, its options, the segment being played and a status. Each user command is an
event; :func:`transition` returns the new state and a reason. An event that does not apply (previous
at the start, resume when nothing is paused, faster at the fastest pace…) returns the *same* state
with ``ok=False`` and a reason the skill turns into a helpful sentence.

Statuses: ``ready`` (built, not started), ``active`` (a segment has been delivered), ``paused``,
``complete``. Option changes (slower, faster, longer, shorter) keep the listener's place: the new
segment is the one covering the same fraction of the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from skill.engine.script import Options

STATUSES = ("ready", "active", "paused", "complete")
EVENTS = (
    "start",
    "pause",
    "resume",
    "continue",
    "next",
    "previous",
    "repeat",
    "start_over",
    "slower",
    "faster",
    "longer",
    "shorter",
    "complete",
)


@dataclass(frozen=True)
class Layout:
    """Where each segment of a planned session starts (seconds) and how long the whole is."""

    starts: tuple[float, ...]
    total: float

    @property
    def count(self) -> int:
        return len(self.starts)

    def segment_at(self, fraction: float) -> int:
        """The segment playing at ``fraction`` (0..1) of the session."""
        second = fraction * self.total + 1e-6
        return max(i for i, start in enumerate(self.starts) if start <= second or i == 0)


class Planner(Protocol):
    """What the state machine needs to know about scripts (the engine provides it)."""

    def layout(self, script: str, options: Options) -> Layout: ...

    def lengthen(self, script: str, options: Options, direction: int) -> Options | None:
        """Options one step longer (+1) or shorter (-1), or None when the length cannot move that way."""
        ...

    def fixed_length(self, script: str, options: Options) -> bool: ...


@dataclass(frozen=True)
class SessionState:
    """Everything needed to carry on: small enough for session attributes (well under 1 KB)."""

    script: str
    options: Options = field(default_factory=Options)
    segment: int = 0
    status: str = "ready"

    def to_dict(self) -> dict[str, Any]:
        return {
            "script": self.script,
            "options": self.options.to_dict(),
            "segment": self.segment,
            "status": self.status,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SessionState:
        """Rebuild from session attributes; raises ValueError for anything malformed."""
        try:
            state = cls(
                script=str(data["script"]),
                options=Options.from_dict(data.get("options") or {}),
                segment=int(data.get("segment", 0)),
                status=str(data.get("status", "ready")),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad session state: {exc}") from exc
        if state.status not in STATUSES or state.segment < 0:
            raise ValueError(f"bad session state: {data!r}")
        return state


@dataclass(frozen=True)
class Transition:
    """The outcome of one event: the state to keep, whether it applied, and why."""

    state: SessionState
    ok: bool
    reason: str


def _refuse(state: SessionState, reason: str) -> Transition:
    return Transition(state, False, reason)


def _moved(state: SessionState, options: Options, planner: Planner, reason: str) -> Transition:
    """Same place in the session under new options, playing."""
    old = planner.layout(state.script, state.options)
    new = planner.layout(state.script, options)
    fraction = old.starts[min(state.segment, old.count - 1)] / old.total if old.total else 0.0
    return Transition(
        replace(state, options=options, segment=new.segment_at(fraction), status="active"), True, reason
    )


def transition(state: SessionState, event: str, planner: Planner) -> Transition:
    """Apply one event. Invalid events return the unchanged state with ``ok=False``."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    status = state.status
    if event == "start":
        if status in ("active", "paused"):
            return _refuse(state, "already_started")
        return Transition(replace(state, segment=0, status="active"), True, "started")
    if status == "ready":
        return _refuse(state, "not_started")
    if status == "complete":
        if event == "start_over":
            return Transition(replace(state, segment=0, status="active"), True, "started_over")
        return _refuse(state, "complete")
    count = planner.layout(state.script, state.options).count
    last = state.segment >= count - 1
    if event == "pause":
        if status == "paused":
            return _refuse(state, "already_paused")
        return Transition(replace(state, status="paused"), True, "paused")
    if event == "resume":
        if status != "paused":
            return _refuse(state, "not_paused")
        return Transition(replace(state, status="active"), True, "resumed")
    if event == "continue":
        if status == "paused":
            return Transition(replace(state, status="active"), True, "resumed")
        if last:
            return Transition(replace(state, status="complete"), True, "completed")
        return Transition(replace(state, segment=state.segment + 1), True, "continued")
    if event == "next":
        if last:
            return Transition(replace(state, status="complete"), True, "completed")
        return Transition(replace(state, segment=state.segment + 1, status="active"), True, "skipped")
    if event == "previous":
        if state.segment == 0:
            return _refuse(state, "at_start")
        return Transition(replace(state, segment=state.segment - 1, status="active"), True, "went_back")
    if event == "repeat":
        return Transition(replace(state, status="active"), True, "repeated")
    if event == "start_over":
        return Transition(replace(state, segment=0, status="active"), True, "started_over")
    if event in ("slower", "faster"):
        options = state.options.with_pace_step(+1 if event == "slower" else -1)
        if options is None:
            return _refuse(state, "slowest" if event == "slower" else "fastest")
        return _moved(state, options, planner, event)
    if event in ("longer", "shorter"):
        if planner.fixed_length(state.script, state.options):
            return _refuse(state, "fixed_length")
        options = planner.lengthen(state.script, state.options, +1 if event == "longer" else -1)
        if options is None:
            return _refuse(state, "longest" if event == "longer" else "shortest")
        return _moved(state, options, planner, event)
    # complete
    if status != "active" or not last:
        return _refuse(state, "not_at_end")
    return Transition(replace(state, status="complete"), True, "completed")
