"""Answers to diary questions, computed from entries (pure functions over lists; no storage, no speech).

Trends are only meaningful after about a week of logs (content guide, "The diary's fields"), so
comparisons say "too few" until the diary covers ``MIN_TREND_DAYS`` and the earlier period.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from skill.diary.dates import night_of
from skill.diary.model import CrampEntry, PracticeSession
from skill.diary.tally import Tally

MIN_TREND_DAYS = 7
MIN_NIGHTS_TO_COMPARE = 3  # nights with practice, and nights without, before comparing them
DOMINANT_SHARE = 0.5  # "mostly your left calf" only when it is more than half of the cramps
HOUR_WINDOW_SHARE = 0.4  # "around 3 am" only when that two-hour window holds this share
PRACTICE_DAY_STARTS = 6  # practice before 6 am is part of a night (often a reaction to a cramp)


@dataclass(frozen=True)
class Share:
    """The most common value and how often it came up."""

    value: str
    count: int
    total: int

    @property
    def fraction(self) -> float:
        return self.count / self.total if self.total else 0.0


def ranking(values: Iterable[str | None]) -> list[tuple[str, int]]:
    """Values by how often they occur, most often first (ties: the earlier seen first)."""
    return Counter(v for v in values if v).most_common()


def dominant(values: Iterable[str | None], min_share: float = DOMINANT_SHARE) -> Share | None:
    """The value that makes up more than ``min_share`` of the given values, if one does."""
    return dominant_of(ranking(values), min_share)


def dominant_of(ranked: list[tuple[str, int]], min_share: float = DOMINANT_SHARE) -> Share | None:
    """``dominant`` from a ranking already made (by ``ranking`` or a ``Tally``)."""
    total = sum(count for _, count in ranked)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    top = Share(ranked[0][0], ranked[0][1], total)
    return top if top.fraction > min_share else None


def typical_hour(entries: Sequence[CrampEntry]) -> Share | None:
    """The local hour cramps cluster around ("around 3 am"), from entries with an exact time only.

    Hours wrap around midnight: the busiest two-hour window is found, then the average time of the
    cramps inside it is rounded to the nearest hour.
    """
    times = [e.local_start for e in entries if e.time_exact]
    if len(times) < 2:
        return None
    minutes = [t.hour * 60 + t.minute for t in times]
    best_start = 0
    best: list[int] = []
    for hour in range(24):
        window = [m for m in minutes if (m - hour * 60) % 1440 < 120]
        if len(window) > len(best):
            best_start, best = hour, window
    if len(best) < 2 or len(best) / len(times) < HOUR_WINDOW_SHARE:
        return None
    offsets = [(m - best_start * 60) % 1440 for m in best]
    centre = (best_start * 60 + statistics.fmean(offsets)) % 1440
    return Share(str(round(centre / 60) % 24), len(best), len(times))


@dataclass(frozen=True)
class Summary:
    """Everything a doctor or a question may want to know about the entries of one period."""

    count: int
    nights: int
    days: float
    severity_mean: float | None
    severity_median: float | None
    severity_max: int | None
    duration_mean_s: float | None
    duration_median_s: float | None
    duration_max_s: int | None
    muscle: Share | None
    side: Share | None
    hour: Share | None
    muscles: list[tuple[str, int]] = field(default_factory=list)
    sides: list[tuple[str, int]] = field(default_factory=list)
    helped: list[tuple[str, int]] = field(default_factory=list)
    triggers: list[tuple[str, int]] = field(default_factory=list)
    symptoms: list[tuple[str, int]] = field(default_factory=list)
    medicines: list[tuple[str, int]] = field(default_factory=list)
    red_flags: list[tuple[CrampEntry, tuple[str, ...]]] = field(default_factory=list)
    per_week: list[tuple[date, int]] = field(default_factory=list)

    @property
    def cramps_per_week(self) -> float:
        return self.count / (self.days / 7) if self.days > 0 else 0.0


def typical_hour_of(hours: dict[int, tuple[int, int]]) -> Share | None:
    """``typical_hour`` from a tally's local hours: hour -> (cramps, sum of their minutes of the day).

    The two-hour windows start on whole hours, so a window is two hours of the tally; the mean
    minute inside it comes from the sums (whole numbers, so exactly the same float).
    """
    total = sum(count for count, _ in hours.values())
    if total < 2:
        return None
    best_start, best = 0, 0
    for hour in range(24):
        window = hours.get(hour, (0, 0))[0] + hours.get((hour + 1) % 24, (0, 0))[0]
        if window > best:
            best_start, best = hour, window
    if best < 2 or best / total < HOUR_WINDOW_SHARE:
        return None
    offsets = 0
    for step in (0, 1):
        hour = (best_start + step) % 24
        count, minutes = hours.get(hour, (0, 0))
        offsets += minutes - count * hour * 60 + count * step * 60  # (minute - window start) mod 1440
    centre = (best_start * 60 + offsets / best) % 1440
    return Share(str(round(centre / 60) % 24), best, total)


def weekly_counts(entries: Sequence[CrampEntry], start: datetime, end: datetime) -> list[tuple[date, int]]:
    """Cramps per ISO week (keyed by the week's Monday), including weeks without any."""
    counts = Counter(e.local_start.date() - timedelta(days=e.local_start.weekday()) for e in entries)
    return weeks_between(counts, start, end)


def weeks_between(counts: dict[date, int], start: datetime, end: datetime) -> list[tuple[date, int]]:
    """Counts per week keyed by Monday, for every week of ``[start, end)``."""
    monday = start.date() - timedelta(days=start.weekday())
    weeks = []
    while datetime.combine(monday, datetime.min.time(), tzinfo=start.tzinfo) < end:
        weeks.append((monday, counts.get(monday, 0)))
        monday += timedelta(days=7)
    return weeks


def summarize(entries: Sequence[CrampEntry], start: datetime, end: datetime) -> Summary:
    """The figures for entries in ``[start, end)``; ``end`` should already be clipped to now."""
    severities = [e.severity for e in entries]
    durations = [e.duration_s for e in entries if e.duration_s is not None]
    return Summary(
        count=len(entries),
        nights=len({night_of(e.local_start) for e in entries}),
        days=max((end - start).total_seconds() / 86400, 0.0),
        severity_mean=statistics.fmean(severities) if severities else None,
        severity_median=statistics.median(severities) if severities else None,
        severity_max=max(severities) if severities else None,
        duration_mean_s=statistics.fmean(durations) if durations else None,
        duration_median_s=statistics.median(durations) if durations else None,
        duration_max_s=max(durations) if durations else None,
        muscle=dominant(e.muscle for e in entries),
        side=dominant(e.side for e in entries),
        hour=typical_hour(entries),
        muscles=ranking(e.muscle for e in entries),
        sides=ranking(e.side for e in entries),
        helped=ranking(e.helped for e in entries if e.helped != "NOTHING"),
        triggers=ranking(e.trigger for e in entries if e.trigger != "NONE"),
        symptoms=ranking(s for e in entries for s in e.symptoms),
        medicines=ranking(m for e in entries for m in e.medicines),
        red_flags=[(e, e.red_flags) for e in entries if e.red_flags],
        per_week=weekly_counts(entries, start, end),
    )


def summary_of(tally: Tally, start: datetime, end: datetime) -> Summary:
    """``summarize`` from a tally of the entries instead of the entries (the stores aggregate)."""
    severities, durations = tally.histogram("sev"), tally.histogram("dur")
    muscles, sides = tally.ranking("muscle"), tally.ranking("side")
    return Summary(
        count=tally.count,
        nights=len(tally.nights()),
        days=max((end - start).total_seconds() / 86400, 0.0),
        severity_mean=_mean(severities),
        severity_median=_median(severities),
        severity_max=severities[-1][0] if severities else None,
        duration_mean_s=_mean(durations),
        duration_median_s=_median(durations),
        duration_max_s=durations[-1][0] if durations else None,
        muscle=dominant_of(muscles),
        side=dominant_of(sides),
        hour=typical_hour_of(tally.hours()),
        muscles=muscles,
        sides=sides,
        helped=[(v, n) for v, n in tally.ranking("helped") if v != "NOTHING"],
        triggers=[(v, n) for v, n in tally.ranking("trigger") if v != "NONE"],
        symptoms=tally.ranking("symptom"),
        medicines=tally.ranking("medicine"),
        red_flags=[(e, e.red_flags) for e in tally.flagged()],
        per_week=weeks_between(tally.weeks(), start, end),
    )


def _mean(histogram: list[tuple[int, int]]) -> float | None:
    """statistics.fmean of the values: fsum of whole numbers is their exact sum, then one division."""
    count = sum(n for _, n in histogram)
    return float(sum(value * n for value, n in histogram)) / count if count else None


def _median(histogram: list[tuple[int, int]]) -> float | None:
    """statistics.median of the values (the middle one, or the mean of the middle two)."""
    count = sum(n for _, n in histogram)
    if not count:
        return None

    def at(index: int) -> int:
        seen = 0
        for value, n in histogram:
            seen += n
            if index < seen:
                return value
        raise IndexError(index)

    if count % 2:
        return at(count // 2)
    return (at(count // 2 - 1) + at(count // 2)) / 2


@dataclass(frozen=True)
class Trend:
    """This period against the one before; ``direction`` is fewer, more, same or too_few."""

    direction: str
    current: int
    previous: int


def enough_history(first_entry: datetime | None, previous_start: datetime, now: datetime) -> bool:
    """True when the diary is at least a week old and was being kept through the earlier period."""
    if first_entry is None:
        return False
    return now - first_entry >= timedelta(days=MIN_TREND_DAYS) and first_entry <= previous_start + timedelta(
        days=1
    )


def trend(current: int, previous: int, enough: bool) -> Trend:
    if not enough:
        return Trend("too_few", current, previous)
    direction = "fewer" if current < previous else "more" if current > previous else "same"
    return Trend(direction, current, previous)


def helped_most(entries: Sequence[CrampEntry]) -> tuple[Share | None, int]:
    """What users said helped most often, and how many entries said anything helped or didn't."""
    answered = [e for e in entries if e.helped]
    ranked = ranking(e.helped for e in answered if e.helped != "NOTHING")
    if not ranked:
        return None, len(answered)
    return Share(ranked[0][0], ranked[0][1], len(answered)), len(answered)


def helped_most_of(tally: Tally) -> tuple[Share | None, int]:
    """``helped_most`` from a tally."""
    answered = tally.answered("helped")
    ranked = [(v, n) for v, n in tally.ranking("helped") if v != "NOTHING"]
    if not ranked:
        return None, answered
    return Share(ranked[0][0], ranked[0][1], answered), answered


def practice_night(moment: datetime) -> date | None:
    """The night a practice session prepares for (its evening's date); None for practice at night."""
    if moment.hour < PRACTICE_DAY_STARTS:
        return None
    return moment.date()


@dataclass(frozen=True)
class PracticeEffect:
    """Nights after a practice session against other nights, counted over finished nights only."""

    practised_nights: int
    practised_with_cramps: int
    other_nights: int
    other_with_cramps: int
    techniques: list[tuple[str, int]]

    @property
    def enough(self) -> bool:
        return self.practised_nights >= MIN_NIGHTS_TO_COMPARE and self.other_nights >= MIN_NIGHTS_TO_COMPARE

    @property
    def practised_rate(self) -> float:
        return self.practised_with_cramps / self.practised_nights if self.practised_nights else math.nan

    @property
    def other_rate(self) -> float:
        return self.other_with_cramps / self.other_nights if self.other_nights else math.nan

    @property
    def direction(self) -> str:
        """fewer, more or same: how often nights after practice had cramps, against other nights."""
        if not self.enough:
            return "too_few"
        difference = self.practised_rate - self.other_rate
        return "same" if abs(difference) < 0.1 else "fewer" if difference < 0 else "more"


def practice_effect(
    entries: Sequence[CrampEntry],
    sessions: Sequence[PracticeSession],
    start: datetime,
    now: datetime,
    diary_started: datetime | None,
) -> PracticeEffect:
    """Compare nights that followed a practice session with nights that did not.

    Only nights since the user began the diary (or began practising) count, and only finished
    nights (tonight is not over yet), so nights before anyone was logging are not read as "no cramps".
    """
    return practice_effect_of_nights(
        {night_of(e.local_start) for e in entries}, sessions, start, now, diary_started
    )


def practice_effect_of_nights(
    cramp_nights: set[date],
    sessions: Sequence[PracticeSession],
    start: datetime,
    now: datetime,
    diary_started: datetime | None,
) -> PracticeEffect:
    """``practice_effect`` from the nights that had cramps (a tally's ``nights()``)."""
    first_days = [d for d in (diary_started, *(s.at for s in sessions)) if d is not None]
    begin = max(start, min(first_days)) if first_days else start
    first_night, last_night = night_of(begin.astimezone(now.tzinfo)), night_of(now) - timedelta(days=1)
    nights = [first_night + timedelta(days=n) for n in range((last_night - first_night).days + 1)]
    practised = {n for s in sessions if (n := practice_night(s.local_at)) is not None}
    practised_nights = [n for n in nights if n in practised]
    other_nights = [n for n in nights if n not in practised]
    return PracticeEffect(
        practised_nights=len(practised_nights),
        practised_with_cramps=sum(n in cramp_nights for n in practised_nights),
        other_nights=len(other_nights),
        other_with_cramps=sum(n in cramp_nights for n in other_nights),
        techniques=ranking(s.technique for s in sessions),
    )
