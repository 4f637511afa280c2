"""One call from a script id and options to everything a response or an audio render needs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from skill.engine.script import Options, Script, load_script
from skill.engine.segments import Segment, segment
from skill.engine.session import Layout
from skill.engine.timeline import Timeline, build_timeline, fit_breath, length_of

LENGTH_STEP_MINUTES = 1.0  # "longer" / "shorter" move a length in minutes by this much
LENGTH_STEP_BREATHS = 3  # … and a length in breaths by this many


@dataclass(frozen=True)
class Plan:
    """A script with options, laid out in time and cut into responses."""

    script: Script
    timeline: Timeline
    segments: tuple[Segment, ...]

    @property
    def layout(self) -> Layout:
        return Layout(tuple(s.start for s in self.segments), self.timeline.total)


@lru_cache(maxsize=512)
def plan(script_id: str, options: Options | None = None, locale: str | None = None) -> Plan:
    """The plan for a script (cached: requests re-plan the same session on every turn)."""
    script = load_script(script_id, locale)
    timeline = build_timeline(script, options or Options(), locale)
    return Plan(script, timeline, segment(timeline))


@dataclass(frozen=True)
class LengthProblem:
    """A length outside the script's range, for a helpful re-prompt."""

    unit: str
    low: float
    high: float


def length_problem(script: Script, options: Options) -> LengthProblem | None:
    """A requested length the script cannot honour (caps like 4-7-8's four rounds are not problems)."""
    variant = script.resolve_variant(options.variant)
    length = length_of(script, variant)
    if length.unit != "minutes" or length.low is None or length.high is None:
        return None
    if options.minutes is not None and not length.low <= options.minutes <= length.high:
        return LengthProblem("minutes", length.low, length.high)
    breath = fit_breath(script, variant)
    if (
        options.breaths is not None
        and breath is not None
        and not (breath.min_cycles <= options.breaths <= breath.max_cycles)
    ):
        return LengthProblem("breaths", breath.min_cycles, breath.max_cycles)
    return None


class EnginePlanner:
    """The engine as the state machine's :class:`~skill.engine.session.Planner`, for one locale."""

    def __init__(self, locale: str | None = None) -> None:
        self.locale = locale

    def plan(self, script: str, options: Options) -> Plan:
        return plan(script, options, self.locale)

    def layout(self, script: str, options: Options) -> Layout:
        return self.plan(script, options).layout

    def fixed_length(self, script: str, options: Options) -> bool:
        loaded = load_script(script, self.locale)
        return length_of(loaded, loaded.resolve_variant(options.variant)).unit == "fixed"

    def lengthen(self, script: str, options: Options, direction: int) -> Options | None:
        current = self.plan(script, options)
        loaded, timeline = current.script, current.timeline
        length = length_of(loaded, timeline.variant)
        if length.unit == "fixed" or length.low is None or length.high is None:
            return None
        breath = fit_breath(loaded, timeline.variant)
        if length.unit == "cycles" or (options.breaths is not None and breath is not None):
            assert breath is not None
            cycles = timeline.cycles or breath.cycles
            step = 1 if length.unit == "cycles" else LENGTH_STEP_BREATHS
            low, high = (
                (length.low, length.high)
                if length.unit == "cycles"
                else (breath.min_cycles, breath.max_cycles)
            )
            wanted = int(min(max(cycles + direction * step, low), high))
            return replace(options, breaths=wanted, minutes=None) if wanted != cycles else None
        minutes = timeline.target / 60 if timeline.target else round(timeline.total / 60)
        wanted_minutes = min(max(minutes + direction * LENGTH_STEP_MINUTES, length.low), length.high)
        if abs(wanted_minutes - minutes) < 1e-6:
            return None
        return replace(options, minutes=wanted_minutes, breaths=None)
