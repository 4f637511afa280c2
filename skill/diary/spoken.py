"""What a half-asleep answer to one diary question means: severity, duration, side, muscle or time.

The log dialog asks one question at a time; people answer in their own words, hedged and
corrected: "about a five I suppose", "maybe five minutes", "six or seven", "left... no wait, the
right", "not long", "ages", "the left one", "it's a seven out of ten". Alexa delivers such an
answer either in a built-in slot (then the value is already clean) or, for a catch-all or a custom
slot without a match, as the words themselves (``ER_SUCCESS_NO_MATCH`` carries the spoken text).
These functions turn those words into a diary value, or say it was unclear (one clear re-ask with
examples follows) or declined ("I don't know", "skip").

Pure functions of text: no speech, no storage, no handler. Number words and durations are read by
the same parsers the local chat uses to play Alexa's built-in types (``skill.localchat.builtins``),
so a value the chat sends in a slot and the same words said as free text mean the same; the word
lists that differ between the five Englishes ("nought", "yonks", "two three minutes") are below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import isodate

from skill.diary import dates
from skill.diary.model import MAX_DURATION_S, SEVERITY_RANGE
from skill.localchat import builtins

T = TypeVar("T")

STILL_GOING = "STILL_GOING"  # duration answer: the cramp has not stopped


@dataclass(frozen=True)
class Heard(Generic[T]):
    """One answer: the value (None when unclear or declined), whether it was hedged, or declined.

    ``hedged``: said as an estimate ("about", "maybe", "I suppose", "six or seven", "not long"),
    so a confirmation may say "about"; the value is still the one to store.
    """

    value: T | None
    hedged: bool = False
    declined: bool = False

    @property
    def unclear(self) -> bool:
        return self.value is None and not self.declined


# -- words -----------------------------------------------------------------------------------------

# Said instead of an answer: "skip", "I don't know" (the Skip slot type says the same).
_DECLINE = (
    "skip", "skip it", "skip that", "pass", "i don't know", "i dont know", "don't know", "dunno",
    "not sure", "i'm not sure", "im not sure", "no idea", "i have no idea", "can't remember",
    "i can't remember", "i don't remember", "can't say", "i couldn't say", "no clue", "never mind",
)  # fmt: skip
# Words that make an answer an estimate.
_HEDGES = (
    "about", "around", "roughly", "approximately", "maybe", "perhaps", "probably", "possibly",
    "i suppose", "i guess", "i think", "i'd say", "id say", "i reckon", "say", "ish", "or so",
    "give or take", "more or less", "something like", "kind of", "sort of", "kinda", "sorta",
    "nearly", "almost", "just under", "just over", "a little over", "a little under",
)  # fmt: skip
# A correction: what follows replaces what came before ("left, no wait, the right").
_CORRECTION = re.compile(
    r"\b(?:no wait|no sorry|no no|wait no|sorry|i mean|i meant|actually|or rather|scratch that|"
    r"make that|correction|hang on|wait)\b|(?<=\S) no (?=\S)"
)
_RANGE = re.compile(r"\b(\w+) (?:or|to|and) (\w+)\b")

# Number words beyond the shared English ones, by locale (all are also understood everywhere).
_LOCALE_NUMBERS: dict[str, dict[str, int]] = {
    "en-GB": {"nought": 0, "naught": 0, "nowt": 0},
    "en-AU": {"nought": 0, "nil": 0},
    "en-IN": {"nought": 0},
}
_ANY_LOCALE_NUMBERS = {
    "zero": 0,
    "none": 0,
    "nothing": 0,
    **{k: v for m in _LOCALE_NUMBERS.values() for k, v in m.items()},
}

# Severity said in words (0-10), roughly as a numeric pain scale's anchors: mild 1-3, moderate
# 4-6, severe 7-10 (so the words land mid-band); always hedged.
_SEVERITY_WORDS: tuple[tuple[str, int], ...] = (
    ("worst ever", 10), ("worst pain ever", 10), ("the worst", 10), ("unbearable", 10),
    ("excruciating", 9), ("agony", 9), ("agonising", 9), ("agonizing", 9), ("horrendous", 9),
    ("terrible", 8), ("awful", 8), ("horrible", 8), ("really bad", 8), ("very bad", 8), ("shocking", 8),
    ("severe", 8), ("killer", 8), ("heaps bad", 8), ("bad", 7), ("nasty", 7), ("painful", 6),
    ("quite bad", 6), ("moderate", 5), ("medium", 5), ("middling", 5), ("so so", 5), ("average", 5),
    ("not too bad", 3), ("not so bad", 3), ("not that bad", 3), ("mild", 2), ("a bit", 2),
    ("a little", 2), ("a little bit", 2), ("little bit", 2), ("slight", 2), ("barely", 1),
    ("hardly", 1), ("no pain", 0), ("painless", 0),
)  # fmt: skip

# A length said without a number, in seconds (rough and always hedged).
_DURATION_WORDS: tuple[tuple[str, int], ...] = (
    ("a few seconds", 10), ("a second", 5), ("a moment", 10), ("a split second", 2), ("seconds", 15),
    ("not long", 30), ("not very long", 30), ("no time", 10), ("quick", 20), ("quickly", 20),
    ("a minute or two", 90), ("a couple of minutes", 120), ("couple of minutes", 120),
    ("a couple minutes", 120),
    ("a few minutes", 180), ("few minutes", 180), ("a bit", 60), ("a little while", 120), ("a while", 300),
    ("quite a while", 600), ("a long time", 600), ("a long while", 600), ("ages", 600), ("forever", 900),
    ("yonks", 600), ("for ages", 600), ("what felt like forever", 900), ("an eternity", 900),
)  # fmt: skip
_STILL_GOING = (
    "still going", "still cramping", "still happening", "still there", "still hurting", "not over",
    "hasn't stopped", "has not stopped", "hasn't gone", "not gone", "ongoing", "it's still",
    "still on", "not stopped", "won't stop", "still got it",
)  # fmt: skip

_SIDES: tuple[tuple[str, str], ...] = (
    ("both", "BOTH"), ("each", "BOTH"), ("left and right", "BOTH"), ("right and left", "BOTH"),
    ("the two", "BOTH"), ("left", "LEFT"), ("right", "RIGHT"),
)  # fmt: skip

# Muscle words, longest first when matched (so "back of my thigh" is a hamstring, not a thigh).
_MUSCLES: tuple[tuple[str, str], ...] = (
    ("back of my thigh", "HAMSTRING"), ("back of the thigh", "HAMSTRING"), ("back of my leg", "CALF"),
    ("back of the leg", "CALF"), ("front of my thigh", "THIGH"), ("front of my leg", "SHIN"),
    ("front of the leg", "SHIN"), ("arch of my foot", "FOOT"), ("bottom of my foot", "FOOT"),
    ("sole of my foot", "FOOT"), ("charley horse", "CALF"), ("calf muscle", "CALF"), ("lower leg", "CALF"),
    ("upper leg", "THIGH"), ("big toe", "TOES"), ("little toe", "TOES"), ("hamstrings", "HAMSTRING"),
    ("hamstring", "HAMSTRING"), ("calves", "CALF"), ("calf", "CALF"), ("feet", "FOOT"), ("foot", "FOOT"),
    ("arch", "FOOT"), ("sole", "FOOT"), ("instep", "FOOT"), ("heel", "FOOT"), ("toes", "TOES"),
    ("toe", "TOES"), ("shins", "SHIN"), ("shin", "SHIN"), ("thighs", "THIGH"), ("thigh", "THIGH"),
    ("quads", "THIGH"), ("quad", "THIGH"), ("quadriceps", "THIGH"), ("hip", "OTHER"), ("groin", "OTHER"),
    ("somewhere else", "OTHER"), ("another muscle", "OTHER"), ("leg", "CALF"),
)  # fmt: skip


def _words(text: str) -> str:
    """Lower case, "7/10" → "7 out of 10", punctuation dropped, "seven-ish" → "seven ish"."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"(\d+)\s*/\s*10\b", r"\1 out of ten", text)
    text = re.sub(r"(\w)-?ish\b", r"\1 ish", text)
    text = re.sub(r"(?<!\d)[.,!?;:…]+|[.,!?;:…]+(?!\d)", " ", text)
    text = re.sub(r"(?<!\d)-|-(?!\d)", " ", text)
    text = re.sub(r"[^a-z0-9'. ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?:^|\s){re.escape(phrase)}(?:\s|$)", text) is not None


def _remove(text: str, phrases: tuple[str, ...]) -> str:
    for phrase in sorted(phrases, key=len, reverse=True):
        text = re.sub(rf"(?:^|\s){re.escape(phrase)}(?=\s|$)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _last_said(text: str) -> str:
    """What stands after the last correction ("left no wait the right" → "the right")."""
    parts = [part.strip() for part in _CORRECTION.split(text)]
    meaningful = [part for part in parts if part]
    return meaningful[-1] if meaningful else ""


def _declined(text: str) -> bool:
    return text in _DECLINE or any(_has(text, phrase) for phrase in _DECLINE if len(phrase) > 6)


def _hedged(text: str) -> bool:
    return any(_has(text, hedge) for hedge in _HEDGES)


def _number(word_list: list[str], locale: str) -> int | None:
    """A number said as digits or words ("seven", "twenty five", "nought" in en-GB)."""
    if len(word_list) == 1:
        extra = {**_ANY_LOCALE_NUMBERS, **_LOCALE_NUMBERS.get(locale, {})}
        if word_list[0] in extra:
            return extra[word_list[0]]
        if re.fullmatch(r"\d+(?:\.5)?", word_list[0]):
            return round(float(word_list[0]) + 0.001)  # "6.5" → 7: the higher of the two
    return builtins.cardinal(word_list)


def _numbers(text: str, locale: str) -> list[int]:
    """Every number said, longest reading first ("twenty five" is 25, not 20 and 5)."""
    tokens, found, index = text.split(), [], 0
    while index < len(tokens):
        for length in (3, 2, 1):
            value = _number(tokens[index : index + length], locale) if index + length <= len(tokens) else None
            if value is not None:
                found.append(value)
                index += length
                break
        else:
            index += 1
    return found


# -- severity --------------------------------------------------------------------------------------


def _severity(text: str | None, locale: str = "en-US") -> Heard[int]:
    """ "about a five I suppose" → 5 (hedged), "six or seven" → 7 (hedged), "it's a 7/10" → 7."""
    said = _words(text or "")
    if not said:
        return Heard(None)
    said = _last_said(said)
    hedged = _hedged(said)
    scored = re.sub(r"\b(out of|outta) (ten|10)\b", " ", said)
    numbers = [n for n in _numbers(scored, locale) if n is not None]
    if len(numbers) >= 2 and _RANGE.search(scored):
        low, high = numbers[0], numbers[1]
        if low in SEVERITY_RANGE and high in SEVERITY_RANGE and 0 < high - low <= 2:
            return Heard(-(-(low + high) // 2), hedged=True)  # "six or seven" → 7: the higher half
    if len(numbers) == 1 and numbers[0] in SEVERITY_RANGE:
        return Heard(numbers[0], hedged=hedged)
    if numbers:
        return Heard(None)  # out of range, or several numbers that are not a range
    for phrase, value in sorted(_SEVERITY_WORDS, key=lambda pair: len(pair[0]), reverse=True):
        if _has(said, phrase):
            return Heard(value, hedged=True)
    return Heard(None)


# -- duration --------------------------------------------------------------------------------------


def _seconds(iso: str) -> int | None:
    parsed = isodate.parse_duration(iso)
    if isinstance(parsed, isodate.Duration):
        return None  # months or years: not a cramp
    return int(parsed.total_seconds())


def _duration_in(text: str) -> int | None:
    """The longest stretch of words that is an AMAZON.DURATION ("five minutes", "an hour and a half")."""
    tokens = text.split()
    for length in range(len(tokens), 0, -1):
        for start in range(len(tokens) - length + 1):
            parsed = builtins.parse_duration(tokens[start : start + length], date.today())
            if parsed is not None:
                return _seconds(parsed.value)
    return None


_CONJUNCTIONS = ("or", "to", "and")


def _range_duration(text: str, locale: str) -> int | None:
    """ "five or six minutes", "five to ten minutes", "two three minutes": the middle of the two.

    Two numbers side by side are a range when they follow each other ("two three") or, in Indian
    English, always ("five ten minutes"); "twenty five minutes" is one number.
    """
    tokens = text.split()
    for index, token in enumerate(tokens):
        unit = builtins.parse_duration(["one", token], date.today())
        if unit is None or index < 2:
            continue
        before = tokens[:index]
        if len(before) >= 3 and before[-2] in _CONJUNCTIONS:
            low, high = _number(before[-3:-2], locale), _number(before[-1:], locale)
        elif builtins.cardinal(before[-2:]) is None:
            low, high = _number(before[-2:-1], locale), _number(before[-1:], locale)
            if low is None or high is None or not (high == low + 1 or locale == "en-IN"):
                continue
        else:
            continue
        if low is None or high is None or not 0 < low < high <= low * 3:
            continue
        return round((low + high) / 2 * (_seconds(unit.value) or 0))
    return None


def _duration(text: str | None, locale: str = "en-US") -> Heard[int | str]:
    """ "maybe five minutes" → 300, "a minute or two" → 90, "not long" → 30, "ages" → 600 (all
    hedged but the first's number), "still going" → ``STILL_GOING``; a bare number is unclear."""
    said = _words(text or "")
    if not said:
        return Heard(None)
    said = _last_said(said)
    if any(_has(said, phrase) for phrase in _STILL_GOING):
        return Heard(STILL_GOING)
    hedged = _hedged(said)
    core = _remove(said, _HEDGES)
    # "a minute or two", "a couple of minutes": amounts with a unit but no exact number.
    for phrase, amount in _DURATION_WORDS:
        if " " in phrase and re.search(r"\b(second|minute|hour)s?\b", phrase) and _has(core, phrase):
            return Heard(amount, hedged=True)
    spread = _range_duration(core, locale)
    if spread is not None:
        return Heard(spread, hedged=True) if 0 < spread <= MAX_DURATION_S else Heard(None)
    exact = _duration_in(core)
    if exact is not None:
        return Heard(exact, hedged=hedged) if 0 < exact <= MAX_DURATION_S else Heard(None)
    for phrase, amount in sorted(_DURATION_WORDS, key=lambda pair: len(pair[0]), reverse=True):
        if _has(core, phrase):
            return Heard(amount, hedged=True)
    return Heard(None)


# -- side and muscle -------------------------------------------------------------------------------


def _negated(text: str, phrase: str) -> bool:
    return re.search(rf"\bnot (?:the |my )?{re.escape(phrase)}\b", text) is not None


def _pick(text: str, table: tuple[tuple[str, str], ...]) -> str | None:
    """The value named last in the words ("left ... the right" → right), skipping "not the left";
    a word inside a longer name counts as that name ("thigh" in "back of my thigh")."""
    found = [
        (match.start(1), match.end(1), value)
        for phrase, value in table
        for match in re.finditer(rf"(?:^|\s)({re.escape(phrase)})(?=\s|$)", text)
        if not _negated(text[: match.end()], phrase)
    ]
    whole = [
        (start, end, value)
        for start, end, value in found
        if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in found)
    ]
    return max(whole)[2] if whole else None


def _side(text: str | None, locale: str = "en-US") -> Heard[str]:
    """ "the left one" → LEFT, "left... no wait, the right" → RIGHT, "both legs" → BOTH."""
    said = _words(text or "")
    if not said:
        return Heard(None)
    value = _pick(_last_said(said), _SIDES)
    return Heard(value, hedged=_hedged(said)) if value else Heard(None)


def _muscle(text: str | None, locale: str = "en-US") -> Heard[str]:
    """ "my calf", "the back of my thigh" → HAMSTRING, "foot, no, my toes" → TOES."""
    said = _words(text or "")
    if not said:
        return Heard(None)
    value = _pick(_last_said(said), _MUSCLES)
    return Heard(value, hedged=_hedged(said)) if value else Heard(None)


# -- when ------------------------------------------------------------------------------------------

_NAMED_WHEN: tuple[tuple[str, str], ...] = (
    ("when i woke up", "WOKE_UP"), ("as i woke up", "WOKE_UP"), ("woke me up", "WOKE_UP"),
    ("when i got up", "WOKE_UP"), ("on waking", "WOKE_UP"), ("just now", "JUST_NOW"),
    ("right now", "JUST_NOW"), ("a moment ago", "JUST_NOW"), ("just then", "JUST_NOW"),
    ("last night", "LAST_NIGHT"), ("in the night", "LAST_NIGHT"), ("during the night", "LAST_NIGHT"),
    ("overnight", "LAST_NIGHT"), ("middle of the night", "LAST_NIGHT"), ("in my sleep", "LAST_NIGHT"),
    ("tonight", "LAST_NIGHT"), ("at night", "LAST_NIGHT"), ("this morning", "THIS_MORNING"),
    ("earlier today", "EARLIER_TODAY"), ("earlier", "EARLIER_TODAY"), ("yesterday evening", "LAST_EVENING"),
    ("last evening", "LAST_EVENING"),
)  # fmt: skip


def _when(text: str | None, now: datetime, locale: str = "en-US") -> Heard[dates.When]:
    """ "at one am", "at three last night", "about an hour ago", "when I woke up" → the moment.

    ``now`` is aware, in the user's zone. A time that cannot be a cramp's (in the future) is unclear.
    """
    said = _words(text or "")
    if not said:
        return Heard(None)
    said = _last_said(said)
    hedged = _hedged(said)
    core = _remove(said, _HEDGES)
    try:
        ago = re.search(r"(.+?) ago\b", core)
        if ago:
            seconds = _duration_in(ago.group(1))
            if seconds is None:
                return Heard(None)
            iso = isodate.duration_isoformat(isodate.parse_duration(f"PT{seconds}S"))
            return Heard(dates.ago(iso, now), hedged=hedged)
        name = next((value for phrase, value in _NAMED_WHEN if _has(core, phrase)), None)
        clock_words = _remove(core, (*(phrase for phrase, _ in _NAMED_WHEN), "at", "around", "about"))
        clock = builtins.parse_time(clock_words.split(), now.date()) if clock_words else None
        if clock_words and clock is None and name is None:
            return Heard(None)
        if clock is not None and name is None and not _MERIDIEM.search(clock_words):
            return Heard(_latest_of_twelve(clock.value, now), hedged=hedged)
        moment = dates.resolve_named(name, None, clock.value if clock else None, now)
    except dates.DateProblem:
        return Heard(None)
    return Heard(moment, hedged=hedged) if moment else Heard(None)


_MERIDIEM = re.compile(r"\b(am|pm|morning|afternoon|evening|night|tonight|noon|midday|midnight)\b")


def _latest_of_twelve(clock: str, now: datetime) -> dates.When:
    """ "At half past eleven", no am or pm: whichever 11:30 came last (last night's, said at 8 am)."""
    hour, minute = (int(part) for part in clock.split(":"))
    other = f"{(hour + 12) % 24:02d}:{minute:02d}"
    moments = [dates.resolve_when(None, value, now) for value in (clock, other)]
    return max(moments, key=lambda when: when.at)


def _finish(text: str | None, heard: Heard[T]) -> Heard[T]:
    """ "I don't know" alone declines; said with an answer ("I don't know, maybe a five") hedges it."""
    if not _declined(_words(text or "")):
        return heard
    if heard.value is None:
        return Heard(None, declined=True)
    return Heard(heard.value, hedged=True)


def severity(text: str | None, locale: str = "en-US") -> Heard[int]:
    """ "about a five I suppose" → 5 (hedged), "six or seven" → 7 (hedged), "it's a 7/10" → 7."""
    return _finish(text, _severity(text, locale))


def duration(text: str | None, locale: str = "en-US") -> Heard[int | str]:
    """Seconds, or ``STILL_GOING``: "maybe five minutes" → 300, "a minute or two" → 90 (hedged)."""
    return _finish(text, _duration(text, locale))


def side(text: str | None, locale: str = "en-US") -> Heard[str]:
    """ "the left one" → LEFT, "left... no wait, the right" → RIGHT, "both legs" → BOTH."""
    return _finish(text, _side(text, locale))


def muscle(text: str | None, locale: str = "en-US") -> Heard[str]:
    """ "my calf", "the back of my thigh" → HAMSTRING, "foot, no, my toes" → TOES."""
    return _finish(text, _muscle(text, locale))


def when(text: str | None, now: datetime, locale: str = "en-US") -> Heard[dates.When]:
    """ "at one am", "at three last night", "about an hour ago", "when I woke up" → the moment."""
    return _finish(text, _when(text, now, locale))


def answer(slot: str, text: str | None, locale: str = "en-US") -> Heard[Any]:
    """The answer to the question about ``slot`` (severity, duration, side or muscle)."""
    readers: dict[str, Callable[[str | None, str], Heard[Any]]] = {
        "severity": severity,
        "duration": duration,
        "side": side,
        "muscle": muscle,
    }
    if slot not in readers:
        raise ValueError(f"no reader for {slot!r}")
    return readers[slot](text, locale)
