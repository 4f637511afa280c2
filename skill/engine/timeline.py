"""Script + options → timeline: every spoken line and every silence, with its start and duration.

The timeline is the engine's public result: segments (SSML responses) and audio renderings are
both built from it. Speech is estimated from a words-per-minute model per locale; silences are
exact. When the user asks for a length in minutes, the engine picks the number of breath cycles
and stretches pauses marked elastic (within their min/max) so the total lands within 5 %.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from skill.content.catalog import Catalog, default_catalog, locale_chain
from skill.engine.script import (
    Breath,
    Checkpoint,
    Hold,
    Include,
    Length,
    Options,
    Pause,
    Release,
    Repeat,
    Say,
    Script,
    Step,
    Tense,
    load_script,
)

# Words per minute of synthetic speech at prosody rate 100 %, per locale (language as fallback).
# Amazon documents no standard rate for its voices (Polly "Voice speed": rates vary by voice; measure
# with speech marks); 155 wpm is the middle of the 150-160 wpm usually quoted for narrated English and
# agrees with espeak-ng as the audio renderer drives it (skill/audio/tts.py, ESPEAK_BASE_SPEED). The
# espeak-ng test in tests/test_scripts.py measures how close this is on a real segment.
WORDS_PER_MINUTE: dict[str, float] = {
    "en": 155.0,
    "en-US": 155.0,
    "en-GB": 155.0,
    "en-AU": 155.0,
    "en-CA": 155.0,
    "en-IN": 155.0,
}
# TTS voices leave a short gap after a full stop, question mark or colon inside a line.
SENTENCE_GAP_SECONDS = 0.3

# Speech slows down a little with the pace, but never below Alexa's 20 % floor (and we stay far
# above it: a calm voice, not a slurred one). Faster paces keep the normal speaking rate.
SPEECH_RATE_FOR_PACE: dict[float, int] = {0.8: 100, 0.9: 100, 1.0: 100, 1.15: 92, 1.3: 85}

MAX_FIT_ERROR = 0.05  # the timeline's total must land within 5 % of a requested length

_WORD = re.compile(r"[A-Za-z0-9']+")
_SENTENCE_BREAK = re.compile(r"[.!?:;]\s+\S")


def words_per_minute(locale: str | None) -> float:
    for candidate in locale_chain(locale):
        if candidate in WORDS_PER_MINUTE:
            return WORDS_PER_MINUTE[candidate]
    return WORDS_PER_MINUTE["en"]


@lru_cache(maxsize=4096)
def speech_seconds(text: str, locale: str | None = None, rate_percent: int = 100) -> float:
    """Estimated time to say ``text``: words at the locale's rate plus a gap per sentence break."""
    words = len(_WORD.findall(text))
    gaps = len(_SENTENCE_BREAK.findall(text))
    seconds = words * 60.0 / words_per_minute(locale) + gaps * SENTENCE_GAP_SECONDS
    return round(seconds * 100.0 / rate_percent, 3)


@dataclass(frozen=True)
class Entry:
    """One item of a timeline.

    ``kind`` is ``speech`` (``text`` is said; ``duration`` is its estimated length), ``silence``
    (exact), or ``checkpoint`` (zero length: a place where the session may split; ``prompt`` is the
    question asked there, if any). ``label`` says what the listener is doing (``inhale``,
    ``tense:feet``, ``hold``…); ``unit`` groups entries that must stay in one response.
    """

    kind: str
    start: float
    duration: float
    text: str = ""
    label: str = ""
    unit: int = 0
    script: str = ""
    prompt: str | None = None
    on_no: str | None = None

    @property
    def end(self) -> float:
        return self.start + self.duration

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "start": round(self.start, 3),
            "duration": round(self.duration, 3),
        }
        for name in ("text", "label", "prompt", "on_no"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        return data


@dataclass(frozen=True)
class Note:
    """Something the listener should hear about the options (a cap, a fixed length), as a phrase key."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Timeline:
    """The resolved session: what is said and when, for one script and set of options."""

    script: Script
    options: Options
    locale: str | None
    variant: str
    voice: str
    pace: float
    rate: int
    target: float | None
    entries: tuple[Entry, ...]
    notes: tuple[Note, ...] = ()
    cycles: int | None = None  # cycles of the length-fitting breath step, when the script has one

    @property
    def total(self) -> float:
        return self.entries[-1].end if self.entries else 0.0

    @property
    def speech(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == "speech")

    def to_dict(self) -> dict[str, Any]:
        return {
            "script": self.script.id,
            "variant": self.variant,
            "voice": self.voice,
            "pace": self.pace,
            "speech_rate_percent": self.rate,
            "target_seconds": self.target,
            "total_seconds": round(self.total, 3),
            "entries": [e.to_dict() for e in self.entries],
        }


@dataclass(frozen=True)
class LengthRequest:
    """The length the engine will aim for: seconds to fit, or a number of cycles, or neither."""

    target: float | None
    cycles: int | None
    notes: tuple[Note, ...] = ()


def fit_breath(script: Script, variant: str) -> Breath | None:
    """The breath step whose cycles follow the requested length, if the script has one."""

    def find(steps: tuple[Step, ...]) -> Breath | None:
        for step in steps:
            if not step.applies(variant):
                continue
            if isinstance(step, Breath) and step.fit:
                return step
            if isinstance(step, Repeat):
                found = find(step.steps)
                if found:
                    return found
        return None

    return find(script.steps)


def length_of(script: Script, variant: str) -> Length:
    return script.variants[variant].length


def length_request(script: Script, options: Options, variant: str) -> LengthRequest:
    """Turn minutes / breaths into a target (clamped to the script's range, with a note when clamped)."""
    length = length_of(script, variant)
    breath = fit_breath(script, variant)
    if length.unit == "fixed":
        asked = options.minutes is not None or options.breaths is not None
        return LengthRequest(None, None, (Note("technique.note.fixed_length"),) if asked else ())
    assert length.low is not None and length.high is not None
    if length.unit == "cycles":
        assert breath is not None
        if options.breaths is not None:
            wanted = float(options.breaths)
        elif options.minutes is not None:
            wanted = max(1.0, round(options.minutes * 60 / (breath.cycle_seconds * options.pace)))
        else:
            wanted = length.default if length.default is not None else float(breath.cycles)
        cycles = int(min(max(wanted, length.low), length.high))
        notes = (Note("technique.note.capped_cycles", {"count": cycles}),) if wanted > length.high else ()
        return LengthRequest(None, cycles, notes)
    if options.breaths is not None and breath is not None:
        cycles = min(max(options.breaths, breath.min_cycles), breath.max_cycles)
        return LengthRequest(None, cycles)
    minutes = options.minutes if options.minutes is not None else length.default
    if minutes is None:
        return LengthRequest(None, None)
    clamped = min(max(minutes, length.low), length.high)
    notes = ()
    if clamped != minutes:
        notes = (
            Note(
                "technique.note.clamped_minutes", {"low": length.low, "high": length.high, "minutes": clamped}
            ),
        )
    return LengthRequest(clamped * 60.0, None, notes)


class _Builder:
    """Lays steps end to end. ``stretch`` in [-1, 1] moves every elastic pause toward its min or max."""

    def __init__(
        self,
        script: Script,
        variant: str,
        pace: float,
        rate: int,
        locale: str | None,
        catalog: Catalog,
        loader: Callable[[str, str | None], Script],
        voice: str,
        cycles: int | None,
        stretch: float,
    ) -> None:
        self.script, self.variant, self.pace, self.rate = script, variant, pace, rate
        self.locale, self.catalog, self.loader, self.voice = locale, catalog, loader, voice
        self.cycles, self.stretch = cycles, stretch
        self.entries: list[Entry] = []
        self.t = 0.0
        self.unit = 0
        self._memo: dict[str, str | None] = {}

    # Small helpers.

    def phrase(self, key: str, **params: Any) -> str:
        text = self.script.text(key, self.locale, self.catalog)
        return text.format(**params) if params else text

    def cue(self, name: str, **params: Any) -> str:
        text = self._catalog_text(f"technique.cue.{name}")
        assert text is not None, f"missing cue technique.cue.{name}"
        return text.format(**params) if params else text

    def number(self, n: int) -> str | None:
        return self._catalog_text(f"technique.number.{n}")

    def _catalog_text(self, key: str) -> str | None:
        """First variant of a catalog phrase (engine output must be deterministic), memoised."""
        if key not in self._memo:
            has = self.catalog.has(self.locale, key)
            self._memo[key] = self.catalog.variants(self.locale, key)[0] if has else None
        return self._memo[key]

    def elastic(self, seconds: float, low: float | None, high: float | None) -> float:
        """A pause at this pace. Elastic ones start from the paced length but never leave their range:
        the range is the content guide's (release 20-30 s), whatever the pace."""
        paced = seconds * self.pace
        if low is None or high is None:
            return paced
        paced = min(max(paced, low), high)
        if self.stretch >= 0:
            return paced + self.stretch * (high - paced)
        return paced + self.stretch * (paced - low)

    def add(self, kind: str, duration: float, text: str = "", label: str = "", **extra: Any) -> None:
        if kind == "silence" and duration <= 0.0005:
            return
        self.entries.append(
            Entry(kind, round(self.t, 3), round(duration, 3), text, label, self.unit, self.script.id, **extra)
        )
        self.t += duration

    def speak(self, text: str, label: str) -> None:
        self.add("speech", speech_seconds(text, self.locale, self.rate), text, label)

    def timed(self, lines: list[tuple[float, str]], total: float, label: str) -> None:
        """Lines at offsets inside a slot of ``total`` seconds, silence between; late lines slip."""
        slot_start = self.t
        for offset, text in lines:
            gap = slot_start + offset - self.t
            if gap > 0:
                self.add("silence", gap, label=label)
            self.speak(text, label)
        self.add("silence", slot_start + total - self.t, label=label)

    def counts(self, seconds: float, every: int, first: str, step_seconds: float) -> list[tuple[float, str]]:
        """The first cue, then a number every ``every`` counts; with ``every == 1`` the cue is "one"."""
        lines: list[tuple[float, str]] = [(0.0, first)]
        cue_end = speech_seconds(first, self.locale, self.rate)
        if every <= 0:
            return lines
        k = 1
        while k * every * step_seconds < seconds - 0.25:
            offset = k * every * step_seconds
            number = self.number(k + 1 if every == 1 else k * every)
            if number and offset >= cue_end:
                lines.append((offset, number))
            k += 1
        return lines

    # Steps.

    def steps(self, steps: tuple[Step, ...], *, new_units: bool = True) -> None:
        for step in steps:
            if not step.applies(self.variant):
                continue
            if new_units:
                self.unit += 1
            self.step(step)

    def step(self, step: Step) -> None:
        if isinstance(step, Say):
            self.speak(self.phrase(step.key), f"say:{step.key}")
        elif isinstance(step, Pause):
            self.add("silence", self.elastic(step.seconds, step.low, step.high), label="pause")
        elif isinstance(step, Breath):
            self.breath(step)
        elif isinstance(step, Tense):
            self.tense(step)
        elif isinstance(step, Release):
            self.release(step)
        elif isinstance(step, Hold):
            seconds = self.elastic(step.seconds, step.low, step.high)
            lines = self.counts(seconds, step.count_every, self.cue("hold_stretch"), self.pace)
            if step.breathe_cue and len(lines) > 2:
                middle = len(lines) // 2
                lines[middle] = (lines[middle][0], self.cue("keep_breathing"))
            self.timed(lines, seconds, "hold")
        elif isinstance(step, Checkpoint):
            prompt = self.phrase(step.prompt) if step.prompt else None
            self.add("checkpoint", 0.0, label=f"checkpoint:{step.name}", prompt=prompt, on_no=step.on_no)
        elif isinstance(step, Repeat):
            for round_ in range(step.times):
                if round_:
                    self.unit += 1
                self.steps(step.steps, new_units=False)
                if round_ < step.times - 1:
                    self.steps(step.between, new_units=False)
        elif isinstance(step, Include):
            self.include(step)
        else:  # pragma: no cover - the loader only builds the kinds above
            raise TypeError(f"unknown step {step!r}")

    def breath(self, step: Breath) -> None:
        cycles = self.cycles if step.fit and self.cycles is not None else step.cycles
        for cycle in range(cycles):
            if cycle:
                self.unit += 1
            for phase in step.phases:
                seconds = phase.seconds * self.pace
                if cycle < step.counted:
                    first = self.cue(f"{phase.name}_first" if cycle == 0 else phase.name)
                    lines = self.counts(seconds, 1, first, self.pace)
                else:
                    lines = [(0.0, self.cue(phase.name))]
                self.timed(lines, seconds, phase.name)

    def tense(self, step: Tense) -> None:
        label = f"tense:{step.group}"
        if self.variant == "recall":
            # Recall-only relaxation: notice and soften, never tense (content guide, PMR options).
            self.speak(self.cue("notice", group=self.phrase(f"group_{step.group}")), label)
        else:
            self.speak(self.phrase(step.key or f"tense_{step.group}"), label)
        self.add("silence", step.seconds * self.pace, label=label)

    def release(self, step: Release) -> None:
        label = f"release:{step.group}"
        group = self.phrase(f"group_{step.group}")
        own = f"release_{step.group}"
        if self.variant == "recall":
            text = self.cue("soften", group=group)
        elif own in self.script.phrases:
            text = self.phrase(own)
        else:
            text = self.cue("release", group=group)
        self.speak(text, label)
        self.add("silence", self.elastic(step.seconds, step.low, step.high), label=label)

    def include(self, step: Include) -> None:
        inner = build_timeline(
            self.loader(step.script, self.locale),
            Options(variant=step.variant, minutes=step.minutes, pace=self.pace, voice=self.voice),
            self.locale,
            catalog=self.catalog,
            loader=self.loader,
        )
        units = 0
        for entry in inner.entries:
            units = max(units, entry.unit)
            shifted = Entry(
                entry.kind,
                round(self.t + entry.start, 3),
                entry.duration,
                entry.text,
                entry.label,
                self.unit + entry.unit,
                entry.script,
                entry.prompt,
                entry.on_no,
            )
            self.entries.append(shifted)
        self.t += inner.total
        self.unit += units


def _build(
    script: Script,
    variant: str,
    voice: str,
    pace: float,
    rate: int,
    locale: str | None,
    catalog: Catalog,
    loader: Callable[[str, str | None], Script],
    cycles: int | None,
    stretch: float,
) -> list[Entry]:
    builder = _Builder(script, variant, pace, rate, locale, catalog, loader, voice, cycles, stretch)
    builder.steps(script.steps)
    return builder.entries


def _total(entries: list[Entry]) -> float:
    return entries[-1].end if entries else 0.0


def build_timeline(
    script: Script,
    options: Options,
    locale: str | None = None,
    *,
    catalog: Catalog | None = None,
    loader: Callable[[str, str | None], Script] = load_script,
) -> Timeline:
    """The timeline for a script and options; a requested length is met within 5 % when in range."""
    options.check()
    catalog = catalog or default_catalog()
    variant = script.resolve_variant(options.variant)
    voice = options.voice or script.variants[variant].voice
    rate = SPEECH_RATE_FOR_PACE[options.pace]
    request = length_request(script, options, variant)

    def build(cycles: int | None, stretch: float) -> list[Entry]:
        return _build(script, variant, voice, options.pace, rate, locale, catalog, loader, cycles, stretch)

    breath = fit_breath(script, variant)
    cycles = request.cycles if request.cycles is not None else (breath.cycles if breath else None)
    if request.target is None:
        entries = build(cycles, 0.0)
    else:
        entries, cycles = _fit(breath, options.pace, request.target, build)
    return Timeline(
        script,
        options,
        locale,
        variant,
        voice,
        options.pace,
        rate,
        request.target,
        tuple(entries),
        request.notes,
        cycles,
    )


def _fit(
    breath: Breath | None,
    pace: float,
    target: float,
    build: Callable[[int | None, float], list[Entry]],
) -> tuple[list[Entry], int | None]:
    """Choose breath cycles, then stretch elastic pauses, to land as close to ``target`` as possible.

    Each cycle adds exactly its phases' seconds, and stretching is linear on either side of 0, so
    three builds without cycles predict every total; the chosen one is then built once.
    """
    per_cycle = breath.cycle_seconds * pace if breath is not None else 0.0
    base = 0 if breath is not None else None
    low, mid, high = (_total(build(base, s)) for s in (-1.0, 0.0, 1.0))

    def stretch_for(cycles: int) -> tuple[float, float]:
        """The stretch that best meets the target with this many cycles, and the predicted error."""
        wanted = target - cycles * per_cycle
        if wanted >= mid:
            stretch = 0.0 if high == mid else min(1.0, (wanted - mid) / (high - mid))
            predicted = mid + stretch * (high - mid)
        else:
            stretch = 0.0 if low == mid else -min(1.0, (mid - wanted) / (mid - low))
            predicted = mid + stretch * (mid - low)
        return stretch, abs(predicted - wanted)

    if breath is None:
        stretch, _ = stretch_for(0)
        return build(None, stretch), None
    estimate = (target - mid) / per_cycle
    candidates = {
        min(max(n, breath.min_cycles), breath.max_cycles) for n in (math.floor(estimate), math.ceil(estimate))
    }
    cycles = min(sorted(candidates), key=lambda n: stretch_for(n)[1])
    return build(cycles, stretch_for(cycles)[0]), cycles
