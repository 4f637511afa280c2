"""Timeline → segments: pieces that each fit one Alexa response, rendered to SSML.

A segment is under ``SEGMENT_SSML_BUDGET`` characters (Alexa's 8000 minus room for a preface and the
"say continue" prompt), lasts at most ``MAX_SEGMENT_SECONDS`` (Alexa speaks about 240 s per
response before the microphone opens), ends at a checkpoint where there is one, and never splits a
breath cycle, a tense/release or one round of a stretch. A checkpoint with a question always ends
its segment. Long silences become chained breaks of at most 10 s (``skill.speech.ssml.pause``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import groupby

from skill.engine.timeline import Entry, Timeline
from skill.speech import ssml

MAX_SEGMENT_SECONDS = 240.0
# Room left in the 8000-character response for <speak>, a preface ("Slower.") and the prompt.
SEGMENT_SSML_BUDGET = 6800
# Segments are balanced so the last one is not a stub; this is the slack over an even split.
BALANCE_SLACK_SECONDS = 20.0
MIN_RATE_PERCENT = 20  # Alexa rejects prosody rates below 20 %


class SegmentError(ValueError):
    """A part of a script that cannot fit one response (a single unit too long)."""


@dataclass(frozen=True)
class Segment:
    """One response's worth of a session."""

    index: int
    entries: tuple[Entry, ...]
    ssml: str  # body for Speech.raw(): whisper and prosody already applied, not wrapped in <speak>
    prompt: str | None  # the question asked where it ends (None: the plain "say continue")
    on_no: str | None
    last: bool

    @property
    def start(self) -> float:
        return self.entries[0].start

    @property
    def end(self) -> float:
        return self.entries[-1].end

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def text(self) -> str:
        """What is said, with pauses shown as ``[N s]``."""
        return ssml.to_text(f"<speak>{self.ssml}</speak>")

    @property
    def card_text(self) -> str:
        """The current step's words for a screen: the instructions this segment opens with."""
        lines: list[str] = []
        for entry in self.entries:
            if entry.kind == "speech" and entry.label.startswith(("say:", "tense:")):
                lines.append(entry.text)
                if sum(len(line) for line in lines) > 160:
                    break
        if not lines:
            lines = [next((e.text for e in self.entries if e.kind == "speech"), "")]
        return " ".join(lines)


def render_entries(entries: tuple[Entry, ...] | list[Entry]) -> str:
    """The entries as SSML: speech escaped, adjacent silences merged into chained breaks."""
    parts: list[str] = []
    for kind, group in groupby((e for e in entries if e.kind != "checkpoint"), key=lambda e: e.kind):
        items = list(group)
        if kind == "silence":
            parts.append(ssml.pause(round(sum(e.duration for e in items), 3)))
        else:
            parts.extend(ssml.escape(e.text) for e in items)
    return " ".join(parts)


def wrap(body: str, voice: str, rate: int) -> str:
    """Apply the session's voice and speaking rate to a body of SSML."""
    if rate != 100:
        body = ssml.prosody(body, rate=f"{max(rate, MIN_RATE_PERCENT)}%")
    if voice == "whisper":
        body = ssml.whisper(body)
    return body


@dataclass(frozen=True)
class _Unit:
    """Entries that stay together (a breath cycle, a tense-and-release, a stretch round), pre-rendered."""

    entries: tuple[Entry, ...]
    ssml: str

    @property
    def start(self) -> float:
        return self.entries[0].start

    @property
    def end(self) -> float:
        return self.entries[-1].end

    @property
    def checkpoint(self) -> bool:
        return any(e.kind == "checkpoint" for e in self.entries)

    @property
    def asks(self) -> Entry | None:
        return next((e for e in reversed(self.entries) if e.kind == "checkpoint" and e.prompt), None)


def _units(entries: tuple[Entry, ...]) -> list[_Unit]:
    units = []
    for _, group in groupby(entries, key=lambda e: e.unit):
        items = tuple(group)
        units.append(_Unit(items, render_entries(items)))
    return units


def _join(units: list[_Unit]) -> str:
    return " ".join(u.ssml for u in units if u.ssml)


def _chunks(units: list[_Unit]) -> list[list[_Unit]]:
    """Split at every checkpoint that asks a question: the session must stop there."""
    chunks: list[list[_Unit]] = [[]]
    for unit in units:
        chunks[-1].append(unit)
        if unit.asks:
            chunks.append([])
    return [c for c in chunks if c]


def _seconds(units: list[_Unit]) -> float:
    return units[-1].end - units[0].start if units else 0.0


def _score(packed: list[list[_Unit]]) -> tuple[int, float]:
    """Fewer segments first; then the packing whose shortest segment is longest."""
    return len(packed), -min(_seconds(units) for units in packed)


class _Budget:
    """Characters of a segment's SSML, counted as units are added (rendering once per unit)."""

    def __init__(self, overhead: int) -> None:
        self.overhead = overhead

    def size(self, units: list[_Unit]) -> int:
        texts = [len(u.ssml) for u in units if u.ssml]
        return self.overhead + sum(texts) + max(0, len(texts) - 1)

    def fits(self, units: list[_Unit]) -> bool:
        return self.size(units) <= SEGMENT_SSML_BUDGET


def _pack(units: list[_Unit], limit: float, budget: _Budget) -> list[list[_Unit]]:
    """Greedy packing; when full, cut after the last checkpoint in the segment, else at a unit edge."""
    segments: list[list[_Unit]] = []
    current: list[_Unit] = []
    chars = 0  # of ``current``, without the wrapper overhead

    def grows(unit: _Unit) -> int:
        return (len(unit.ssml) + (1 if chars else 0)) if unit.ssml else 0

    def too_big(unit: _Unit) -> bool:
        over_time = unit.end - current[0].start > limit
        return over_time or budget.overhead + chars + grows(unit) > SEGMENT_SSML_BUDGET

    for unit in units:
        if current and too_big(unit):
            cut = len(current)
            checkpoints = [i + 1 for i, u in enumerate(current) if u.checkpoint]
            # Prefer the last checkpoint, unless cutting there would leave a short segment.
            if (
                checkpoints
                and checkpoints[-1] < len(current)
                and _seconds(current[: checkpoints[-1]]) >= limit / 2
            ):
                cut = checkpoints[-1]
            segments.append(current[:cut])
            current = current[cut:]
            chars = budget.size(current) - budget.overhead if current else 0
            if current and too_big(unit):
                segments.append(current)
                current, chars = [], 0
        if not current and (unit.end - unit.start > MAX_SEGMENT_SECONDS or not budget.fits([unit])):
            first = unit.entries[0]
            raise SegmentError(
                f"{first.script}: the step at {first.start:.0f} s ({first.label}) cannot fit one response"
            )
        chars += grows(unit)
        current.append(unit)
    if current:
        segments.append(current)
    return segments


def segment(timeline: Timeline) -> tuple[Segment, ...]:
    """Cut a timeline into responses, each within Alexa's limits, split at checkpoints."""
    budget = _Budget(len(wrap("", timeline.voice, timeline.rate)))
    pieces: list[list[_Unit]] = []
    for chunk in _chunks(_units(timeline.entries)):
        total = _seconds(chunk)
        # The fewest parts wins; among equals, the one whose shortest part is longest (no stubs).
        parts = max(1, math.ceil(total / MAX_SEGMENT_SECONDS))
        limits = [
            min(MAX_SEGMENT_SECONDS, total / n + BALANCE_SLACK_SECONDS) for n in range(parts, parts + 3)
        ]
        packings = [_pack(chunk, limit, budget) for limit in [*limits, MAX_SEGMENT_SECONDS]]
        best = min(packings, key=_score)
        pieces.extend(best)
    segments = []
    for index, units in enumerate(pieces):
        asks = units[-1].asks
        segments.append(
            Segment(
                index=index,
                entries=tuple(e for u in units for e in u.entries),
                ssml=wrap(_join(units), timeline.voice, timeline.rate),
                prompt=asks.prompt if asks else None,
                on_no=asks.on_no if asks else None,
                last=index == len(pieces) - 1,
            )
        )
    return tuple(segments)
