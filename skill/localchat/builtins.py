"""Alexa's built-in slot types for typed English: numbers, durations, dates and times.

Each parser takes the words a slot captured (already normalised: lower case, single spaces) and
returns the value Alexa would put in the slot, or None when the words are not of that type. The
formats follow Amazon's slot type reference: AMAZON.NUMBER → digits, AMAZON.DURATION → ISO 8601
(formatted with isodate), AMAZON.DATE → ``2026-11-24`` / ``2026-W48`` / ``2026-W48-WE`` /
``2026-11`` / ``2026`` / ``PRESENT_REF``, AMAZON.TIME → ``HH:MM`` or ``MO``/``AF``/``EV``/``NI``.
Relative dates resolve against ``today`` (the device's local date); a bare weekday, month or
day-of-month resolves on or after today, as Alexa does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import isodate

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
ORDINAL_UNITS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
}
ORDINAL_TENS = {"twentieth": 20, "thirtieth": 30}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "tonight": "NI"}
_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")
_ORDINAL_DIGITS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Parsed:
    """A built-in slot value, plus values Alexa fills in companion slots (``last night`` → TIME ``NI``)."""

    value: str
    companions: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Numbers


def cardinal(words: list[str]) -> int | None:
    """``["twenty", "five"]`` → 25; ``["a", "hundred"]`` → 100; digits pass through; else None."""
    if not words:
        return None
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    if words[0] in ("a", "an") and len(words) > 1:
        words = words[1:] if words[1] not in SCALES else ["one", *words[1:]]
    total, current, last = 0, 0, ""
    for index, word in enumerate(words):
        if word in UNITS:
            if (
                last in ("unit", "teen")
                or (last == "tens" and UNITS[word] >= 10)
                or (last == "tens" and not UNITS[word])
            ):
                return None
            current += UNITS[word]
            last = "teen" if UNITS[word] >= 10 else "unit"
        elif word in TENS:
            if last in ("unit", "teen", "tens") or current % 100:
                return None
            current += TENS[word]
            last = "tens"
        elif word == "hundred":
            if last not in ("unit", "teen") or current >= 100:
                return None
            current *= 100
            last = "scale"
        elif word in ("thousand", "million"):
            if not current:
                return None
            total += current * SCALES[word]
            current, last = 0, "scale"
        elif word == "and":
            if last != "scale" or index == len(words) - 1:
                return None
            last = "and"
        else:
            return None
    return total + current


def ordinal(words: list[str]) -> int | None:
    """``["twenty", "fifth"]`` → 25, ``["25th"]`` → 25, ``["third"]`` → 3."""
    if len(words) == 1:
        match = _ORDINAL_DIGITS.match(words[0])
        if match:
            return int(match.group(1))
        return ORDINAL_UNITS.get(words[0]) or ORDINAL_TENS.get(words[0])
    if len(words) == 2 and words[0] in TENS and words[1] in ORDINAL_UNITS and ORDINAL_UNITS[words[1]] < 10:
        return TENS[words[0]] + ORDINAL_UNITS[words[1]]
    return None


def parse_number(words: list[str], today: date) -> Parsed | None:
    """AMAZON.NUMBER: ``twenty five`` → ``25``, ``a seven`` → ``7``, ``7`` → ``7``."""
    if len(words) == 1 and _DIGITS.match(words[0]):
        return Parsed(words[0])
    if words and words[0] in ("minus", "negative"):
        value = cardinal(words[1:])
        return Parsed(f"-{value}") if value is not None else None
    value = cardinal(words)
    return Parsed(str(value)) if value is not None else None


# ---------------------------------------------------------------------------------------------
# Durations

_DURATION_UNITS = {
    "second": "seconds",
    "seconds": "seconds",
    "sec": "seconds",
    "secs": "seconds",
    "minute": "minutes",
    "minutes": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "hour": "hours",
    "hours": "hours",
    "hr": "hours",
    "hrs": "hours",
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
    "year": "years",
    "years": "years",
}
# Half of a unit, in the next smaller unit (Alexa says "an hour and a half" → PT1H30M).
_HALF = {
    "seconds": None,
    "minutes": ("seconds", 30),
    "hours": ("minutes", 30),
    "days": ("hours", 12),
    "weeks": ("hours", 84),
    "months": ("days", 15),
    "years": ("months", 6),
}
_QUANTITY_WORDS = {"a": 1, "an": 1, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3}


def _quantity(words: list[str]) -> float | None:
    """The amount before a unit: a number, ``a``/``an``, ``N and a half``, ``a couple of``."""
    text = " ".join(words)
    if text in _QUANTITY_WORDS:
        return _QUANTITY_WORDS[text]
    if len(words) >= 4 and words[-3:] == ["and", "a", "half"]:
        whole = _quantity(words[:-3])
        return whole + 0.5 if whole is not None else None
    if text in ("half a", "half an"):
        return 0.5
    if len(words) == 1 and _DIGITS.match(words[0]):
        return float(words[0])
    value = cardinal(words)
    return float(value) if value is not None else None


def _duration_parts(words: list[str]) -> dict[str, float] | None:
    """Split ``an hour and a half`` / ``five minutes and ten seconds`` into unit amounts."""
    parts: dict[str, float] = {}
    index, start = 0, 0
    while index < len(words):
        word = words[index]
        if word in _DURATION_UNITS:
            amount = _quantity(words[start:index])
            if amount is None:
                return None
            unit = _DURATION_UNITS[word]
            if unit in parts:
                return None
            parts[unit] = amount
            index += 1
            # "an hour and a half": the half belongs to the unit just read.
            if words[index : index + 3] == ["and", "a", "half"]:
                parts[unit] += 0.5
                index += 3
            if index < len(words) and words[index] == "and":
                index += 1
            start = index
            continue
        index += 1
    return parts if parts and start == len(words) else None


def parse_duration(words: list[str], today: date) -> Parsed | None:
    """AMAZON.DURATION as ISO 8601: ``five minutes`` → PT5M, ``an hour and a half`` → PT1H30M."""
    text = " ".join(words)
    special = {
        "half an hour": ["thirty", "minutes"],
        "a half hour": ["thirty", "minutes"],
        "half a minute": ["thirty", "seconds"],
        "a quarter of an hour": ["fifteen", "minutes"],
        "quarter of an hour": ["fifteen", "minutes"],
        "a quarter hour": ["fifteen", "minutes"],
        "half a day": ["twelve", "hours"],
    }
    if text in special:
        words = special[text]
    parts = _duration_parts(words)
    if parts is None:
        return None
    for unit, (smaller, amount) in ((u, h) for u, h in _HALF.items() if h):
        fraction = parts.get(unit, 0) % 1
        if fraction:
            parts[unit] -= fraction
            parts[smaller] = parts.get(smaller, 0) + amount * fraction * 2
    if any(amount % 1 for amount in parts.values()):
        return None
    whole = {unit: int(amount) for unit, amount in parts.items()}
    if set(whole) == {"weeks"}:
        return Parsed(isodate.duration_isoformat(timedelta(weeks=whole["weeks"]), isodate.D_WEEK))
    duration = isodate.Duration(
        years=whole.get("years", 0),
        months=whole.get("months", 0),
        weeks=whole.get("weeks", 0),
        days=whole.get("days", 0),
        hours=whole.get("hours", 0),
        minutes=whole.get("minutes", 0),
        seconds=whole.get("seconds", 0),
    )
    if not whole.get("years") and not whole.get("months"):
        return Parsed(isodate.duration_isoformat(duration.tdelta))
    return Parsed(isodate.duration_isoformat(duration))


# ---------------------------------------------------------------------------------------------
# Dates


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _on_or_after(today: date, month: int, day: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _weekday(today: date, name: str, modifier: str | None) -> date:
    target = WEEKDAYS.index(name)
    if modifier == "last":
        delta = (today.weekday() - target) % 7 or 7
        return today - timedelta(days=delta)
    ahead = (target - today.weekday()) % 7
    if modifier == "next":
        # "next monday": the Monday of next week.
        monday_next_week = today + timedelta(days=7 - today.weekday())
        return monday_next_week + timedelta(days=target)
    return today + timedelta(days=ahead)


def _month_day(words: list[str], today: date) -> date | None:
    """``november twenty fifth``, ``the twenty fifth of november``, ``25th november``, ``november 25``."""
    if words and words[0] == "the":
        words = words[1:]
    if words and words[0] in MONTHS:
        month, rest = MONTHS.index(words[0]) + 1, words[1:]
        if rest and rest[0] == "the":
            rest = rest[1:]
    elif words and words[-1] in MONTHS:
        month, rest = MONTHS.index(words[-1]) + 1, words[:-1]
        if rest and rest[-1] == "of":
            rest = rest[:-1]
    else:
        return None
    day = ordinal(rest) or (cardinal(rest) if rest else None)
    if day is None or not 1 <= day <= 31:
        return None
    return _on_or_after(today, month, day)


_DAY_OFFSETS = {
    "today": 0,
    "tomorrow": 1,
    "yesterday": -1,
    "the day before yesterday": -2,
    "day before yesterday": -2,
    "the day after tomorrow": 2,
    "day after tomorrow": 2,
}
_DAY_PART_PHRASES = {
    "tonight": (0, "NI"),
    "last night": (-1, "NI"),
    "this morning": (0, "MO"),
    "this afternoon": (0, "AF"),
    "this evening": (0, "EV"),
    "yesterday morning": (-1, "MO"),
    "yesterday afternoon": (-1, "AF"),
    "yesterday evening": (-1, "EV"),
    "tomorrow morning": (1, "MO"),
    "tomorrow afternoon": (1, "AF"),
    "tomorrow evening": (1, "EV"),
    "tomorrow night": (1, "NI"),
    "the other night": (-2, "NI"),
}


def parse_date(words: list[str], today: date) -> Parsed | None:
    """AMAZON.DATE relative to ``today``, in the formats Alexa sends."""
    text = " ".join(words)
    if text in ("now", "right now"):
        return Parsed("PRESENT_REF")
    if text in _DAY_OFFSETS:
        return Parsed((today + timedelta(days=_DAY_OFFSETS[text])).isoformat())
    if text in _DAY_PART_PHRASES:
        offset, part = _DAY_PART_PHRASES[text]
        return Parsed((today + timedelta(days=offset)).isoformat(), {"AMAZON.TIME": part})
    if _ISO_DATE.match(text):
        try:
            return Parsed(date.fromisoformat(text).isoformat())
        except ValueError:
            return None
    modifier, rest = (
        (words[0], words[1:]) if words and words[0] in ("this", "last", "next") else (None, words)
    )
    unit = " ".join(rest)
    if unit == "week" and modifier:
        shift = {"this": 0, "last": -7, "next": 7}[modifier]
        return Parsed(_week(today + timedelta(days=shift)))
    if unit == "weekend" and modifier:
        shift = {"this": 0, "last": -7, "next": 7}[modifier]
        return Parsed(_week(today + timedelta(days=shift)) + "-WE")
    if unit == "month" and modifier:
        month_index = today.year * 12 + today.month - 1 + {"this": 0, "last": -1, "next": 1}[modifier]
        return Parsed(f"{month_index // 12}-{month_index % 12 + 1:02d}")
    if unit == "year" and modifier:
        return Parsed(str(today.year + {"this": 0, "last": -1, "next": 1}[modifier]))
    if len(rest) == 1 and rest[0] in WEEKDAYS:
        return Parsed(_weekday(today, rest[0], modifier).isoformat())
    if len(rest) == 2 and rest[0] in WEEKDAYS and rest[1] in PARTS_OF_DAY and modifier != "next":
        return Parsed(_weekday(today, rest[0], modifier).isoformat(), {"AMAZON.TIME": PARTS_OF_DAY[rest[1]]})
    if modifier is None and len(words) == 1 and words[0] in MONTHS:
        month = MONTHS.index(words[0]) + 1
        year = today.year if month >= today.month else today.year + 1
        return Parsed(f"{year}-{month:02d}")
    if len(words) >= 3 and words[-1] == "ago" and words[-2] in ("days", "day", "weeks", "week"):
        amount = cardinal(words[:-2])
        if amount is None:
            return None
        if words[-2].startswith("day"):
            return Parsed((today - timedelta(days=amount)).isoformat())
        return Parsed(_week(today - timedelta(weeks=amount)))
    if modifier is None:
        day = _month_day(words, today)
        if day is not None:
            return Parsed(day.isoformat())
        if words[:1] == ["the"] and (ordinal(words[1:]) or 0) in range(1, 32):
            # "the twenty fifth": that day of this month, or of next month once it has passed.
            number = ordinal(words[1:]) or 0
            for months_ahead in range(3):
                index = today.year * 12 + today.month - 1 + months_ahead
                try:
                    candidate = date(index // 12, index % 12 + 1, number)
                except ValueError:
                    continue
                if candidate >= today:
                    return Parsed(candidate.isoformat())
    return None


# ---------------------------------------------------------------------------------------------
# Times


def _clock(hour: int, minute: int, meridiem: str | None) -> str | None:
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def _hour_minute(words: list[str]) -> tuple[int, int] | None:
    """``three``, ``three thirty``, ``three oh five``, ``half past three``, ``quarter to four``, ``3:30``."""
    if len(words) == 1:
        match = _CLOCK.match(words[0])
        if match:
            return int(match.group(1)), int(match.group(2))
    if words[-1:] == ["o'clock"] or words[-1:] == ["oclock"]:
        words = words[:-1]
    if (len(words) >= 3 and words[1] in ("past", "after")) or (
        len(words) >= 3 and words[1] in ("to", "before")
    ):
        minutes_words, direction, hour_words = words[:1], words[1], words[2:]
        minutes = {"half": 30, "quarter": 15}.get(minutes_words[0], cardinal(minutes_words))
        hour = cardinal(hour_words)
        if minutes is None or hour is None:
            return None
        if direction in ("to", "before"):
            return (hour - 1) % 24 if hour else 23, 60 - minutes
        return hour, minutes
    if len(words) >= 4 and words[0] in ("a", "half") and words[1] in ("quarter", "past", "to"):
        return _hour_minute(words[1:]) if words[0] == "a" else None
    hour = cardinal(words[:1])
    if hour is None:
        return None
    if len(words) == 1:
        return hour, 0
    if words[1] == "oh" and len(words) == 3:
        minute = cardinal(words[2:])
        return (hour, minute) if minute is not None and minute < 10 else None
    minute = cardinal(words[1:])
    return (hour, minute) if minute is not None and minute >= 10 else None


def parse_time(words: list[str], today: date) -> Parsed | None:
    """AMAZON.TIME: ``three am`` → 03:00, ``ten thirty pm`` → 22:30, ``morning`` → MO, ``night`` → NI."""
    text = " ".join(words)
    if text in PARTS_OF_DAY:
        return Parsed(PARTS_OF_DAY[text])
    if text in ("the morning", "in the morning", "this morning"):
        return Parsed("MO")
    if text in (
        "last night",
        "the night",
        "at night",
        "in the night",
        "the middle of the night",
        "in the middle of the night",
        "overnight",
    ):
        return Parsed("NI")
    if text in ("this afternoon", "in the afternoon"):
        return Parsed("AF")
    if text in ("this evening", "in the evening"):
        return Parsed("EV")
    if text == "noon" or text == "midday":
        return Parsed("12:00")
    if text == "midnight":
        return Parsed("00:00")
    meridiem: str | None = None
    if words and words[-1] in ("am", "pm"):
        meridiem, words = words[-1], words[:-1]
    for suffix, value in (
        (["in", "the", "morning"], "am"),
        (["in", "the", "afternoon"], "pm"),
        (["in", "the", "evening"], "pm"),
        (["at", "night"], "pm"),
        (["tonight"], "pm"),
        (["last", "night"], "pm"),
    ):
        if meridiem is None and len(words) > len(suffix) and words[-len(suffix) :] == suffix:
            meridiem, words = value, words[: -len(suffix)]
            break
    if not words:
        return None
    parsed = _hour_minute(words)
    if parsed is None:
        return None
    hour, minute = parsed
    if meridiem == "pm" and text.endswith(("at night", "last night", "tonight")) and (hour < 5 or hour == 12):
        meridiem = "am"  # "two at night", "three last night": the small hours, not 14:00 or 15:00.
    if meridiem and not 1 <= hour <= 12:
        return None
    clock = _clock(hour, minute, meridiem)
    return Parsed(clock) if clock else None


Parser = Callable[[list[str], date], Parsed | None]
PARSERS: dict[str, Parser] = {
    "AMAZON.NUMBER": parse_number,
    "AMAZON.FOUR_DIGIT_NUMBER": parse_number,
    "AMAZON.DURATION": parse_duration,
    "AMAZON.DATE": parse_date,
    "AMAZON.TIME": parse_time,
}
