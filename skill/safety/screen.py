"""The free-text screen: red flags in whatever words were heard, wherever they were said.

Alexa sends slot values, not the utterance, so the screen reads every value a request carries (as
heard or resolved, from any intent or dialog answer) and finds the red flags in them with the one
rules table, ``skill.safety.redflags``. It is pure: no handler, no state, no I/O, so the global
interceptor (issue 13, phase 2), the diary dialog and tests all call the same function::

    found = screen(["my cramp won't stop", "PT15M"], pregnant=profile_says_pregnant)
    if found.red_flag: say the advice for found.findings first (skill.safety.messages.say_findings)
    if found.pregnant: turn pregnancy mode on
    if found.light_headed: pause the breathing pattern and offer to carry on more gently

The words it listens for are ``skill.safety.lexicon``; how negation, doubt, other people and
harmless warmth are read is documented in docs/safety.md (with the phrasing table that tests it,
tests/data/redflag_phrasings.json).

No library fits: negation detectors (NegEx via negspacy) need spaCy and a language model, far too
heavy for a Lambda answering in under a second, and they know nothing of cramps or warm beds.
Spoken lengths ("fifteen minutes", "half an hour") are read by the local resolver's AMAZON.DURATION
parser, ``skill.localchat.builtins.parse_duration``, and ISO 8601 values ("PT15M") by isodate.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import isodate

from skill.localchat.builtins import parse_duration
from skill.safety import lexicon
from skill.safety.redflags import LEVELS, Case, Findings, findings

# Signs of a leg that mean nothing about a leg when only another body part is named ("my arm is
# swollen", "my throat is sore").
LEG_LOCAL = frozenset(
    {"SWELLING", "WARMTH", "REDNESS", "DARKER", "THROBBING", "MUSCLE_ACHE", "INCREASING_PAIN", "PAIN_ON_FLEX"}
)
BLANK = "#"  # stands in for consumed words; not a letter, so no pattern reads it again

_flags = re.IGNORECASE
_HARMLESS = [re.compile(pattern, _flags) for pattern in lexicon.HARMLESS]
_SYMPTOMS = [(sid, re.compile(pattern, _flags)) for sid, pattern in lexicon.SYMPTOMS]
_MEDICINES = [(mid, re.compile(pattern, _flags)) for mid, pattern in lexicon.MEDICINES]
_NEW_MEDICINE = re.compile(lexicon.NEW_MEDICINE, _flags)
_PREGNANCY = re.compile(lexicon.PREGNANCY, _flags)
_OTHER_PERSON = re.compile(lexicon.OTHER_PERSON, _flags)
_NOT_PREGNANT = re.compile(lexicon.NOT_PREGNANT, _flags)
_LIGHT_HEADED = re.compile(lexicon.LIGHT_HEADED, _flags)
_NEGATION = re.compile(lexicon.NEGATION, _flags)
_GONE_AFTER = re.compile(lexicon.GONE_AFTER, _flags)
_CLAUSE_BREAK = re.compile(lexicon.CLAUSE_BREAK, _flags)
_LEG = re.compile(rf"\b(?:{lexicon.LEG_PART})\b", _flags)
_OTHER_PART = re.compile(rf"\b(?:{lexicon.OTHER_PART})\b", _flags)
_CRAMP_WORDS = re.compile(lexicon.CRAMP_WORDS, _flags)
_LENGTH_WORDS = re.compile(lexicon.LENGTH_WORDS, _flags)
_CRAMP_CONTEXT = re.compile(lexicon.CRAMP_CONTEXT, _flags)
_SIDE = {
    side: re.compile(
        rf"\b{word}(?= (?:{lexicon.LEG_PART}|one|side|hand side)\b)|\b(?:my|the|on the|in the|in my"
        rf"|on my) {word}\b"
        rf"|^{word}$|\b{word}[- ]hand\b",
        _flags,
    )
    for side, word in (("LEFT", "left"), ("RIGHT", "right"))
}
_BOTH = re.compile(
    rf"\bboth (?:{lexicon.PLURAL_LEG}|sides|of them|legs)\b|\b(?:my|the|his|her"
    rf"|both) (?:{lexicon.PLURAL_LEG})\b"
    rf"|\b(?:{lexicon.PLURAL_LEG}) (?:are|feel|have|were|look)\b|^both$",
    _flags,
)
_ISO_DURATION = re.compile(r"^P(?:T?\d|\d)", re.IGNORECASE)
_UNIT = re.compile(r"\b(?:minutes?|mins?|hours?|hrs?)\b")
_NOT_A_LENGTH_AFTER = re.compile(r"^ (?:ago|of|from now|later|before|earlier|after)\b")
_NOT_A_LENGTH_BEFORE = re.compile(r"\b(?:in|every|within|after|about every)\s*$")
_MORE_THAN_BEFORE = re.compile(r"\b(?:more than|over|longer than|past|at least|well over|upwards of)\s*$")
_TODAY = date(2000, 1, 1)  # durations need no calendar; parse_duration asks for a day


@dataclass(frozen=True)
class Screened:
    """What the screen found in the words of one turn.

    ``findings`` is the rules table's answer (``matched`` / ``to_say``, most urgent first);
    ``case`` the facts it was given; ``sides`` every side named (``LEFT``, ``RIGHT``, ``BOTH``);
    ``pregnant`` that the user said they are (or may be) pregnant; ``light_headed`` that they feel
    dizzy, light-headed, faint or tingly (not a tingling leg or foot, which is numbness).
    """

    findings: Findings
    case: Case
    sides: frozenset[str] = field(default_factory=frozenset)
    pregnant: bool = False
    light_headed: bool = False

    @property
    def red_flag(self) -> bool:
        return bool(self.findings)

    @property
    def level(self) -> str | None:
        """The most urgent level found (``skill.safety.redflags.LEVELS``), or None."""
        return self.findings.matched[0].level if self.findings.matched else None

    @property
    def side(self) -> str | None:
        """The leg the signs are in, when one was said: ``LEFT``, ``RIGHT``, ``BOTH`` or None."""
        return self.case.side

    @property
    def stops_exercise(self) -> bool:
        """No stretch, massage, warmth, pressure point or load on that leg (the leg hold)."""
        return self.findings.stops_exercise

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return self.findings.ids


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, ``n't`` as `` not`` ("won't" → "wo not"), single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("-", " ")
    text = re.sub(r"n't\b", " not", text)
    text = re.sub(r"\bcannot\b", "ca not", text)
    text = re.sub(r"[^\w'.,;!?#]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + BLANK * (end - start) + text[end:]


def _clauses(text: str) -> list[str]:
    return [part.strip() for part in _CLAUSE_BREAK.split(text) if part and part.strip()]


def _negated(before: str, after: str) -> bool:
    """A negation up to ``NEGATION_REACH`` words before the sign, or "gone down" right after it."""
    cues = list(_NEGATION.finditer(before))
    if cues and len(before[cues[-1].end() :].split()) <= lexicon.NEGATION_REACH:
        return True
    return bool(_GONE_AFTER.match(after))


def _read_clause(clause: str) -> set[str]:
    """The symptom ids said, not negated, in one clause."""
    found: list[tuple[str, int, int]] = []
    text = clause
    for sid, pattern in _SYMPTOMS:
        for match in pattern.finditer(text):
            found.append((sid, match.start(), match.end()))
            text = _blank(text, match.start(), match.end())
    said = {sid for sid, start, end in found if not _negated(text[:start], text[end:])}
    if "TINGLING" in said:
        said.discard("TINGLING")
        if _LEG.search(clause):
            said.add("NUMBNESS")
    if _OTHER_PART.search(clause) and not _LEG.search(clause):
        said -= LEG_LOCAL
    return said


def _seconds(chunks: list[str], texts: list[str], counts: bool) -> int | None:
    """The longest cramp length said (ISO 8601 values included); None when none counts."""
    if not counts:
        return None
    best: int | None = None
    for chunk in chunks:
        if _ISO_DURATION.match(chunk.strip()):
            # "PT?M" or a months-long Duration: no usable length.
            with contextlib.suppress(isodate.ISO8601Error, ValueError, AttributeError, TypeError):
                best = max(best or 0, int(isodate.parse_duration(chunk.strip()).total_seconds()))
    for text in texts:
        words = text.replace(",", " ").replace(".", " ").split()
        for index, word in enumerate(words):
            if not _UNIT.fullmatch(word):
                continue
            before, after = " ".join(words[:index]), " " + " ".join(words[index + 1 :])
            if _NOT_A_LENGTH_AFTER.match(after):
                continue
            for length in range(min(index, 5), 0, -1):  # the longest span that reads as a duration
                span = words[index - length : index + 1]
                parsed = parse_duration(span, _TODAY)
                if parsed is None:
                    continue
                lead = " ".join(words[: index - length])
                if _NOT_A_LENGTH_BEFORE.search(lead):
                    break
                seconds = int(isodate.parse_duration(parsed.value).total_seconds())
                if _MORE_THAN_BEFORE.search(lead) or _MORE_THAN_BEFORE.search(before[: -len(" ".join(span))]):
                    seconds += 1  # "more than ten minutes" is past the ten
                best = max(best or 0, seconds)
                break
    return best


def _side(texts: list[str]) -> tuple[str | None, frozenset[str]]:
    named = {side for side, pattern in _SIDE.items() if any(pattern.search(text) for text in texts)}
    if any(_BOTH.search(text) for text in texts):
        named.add("BOTH")
    one = named & {"LEFT", "RIGHT"}
    if len(one) == 1:
        return next(iter(one)), frozenset(named)
    if one:  # left and right both named: treat as one leg each (the clot rule still applies)
        return None, frozenset(named)
    return ("BOTH" if "BOTH" in named else None), frozenset(named)


def _pregnant(clauses: list[str]) -> bool:
    for clause in clauses:
        for match in _PREGNANCY.finditer(clause):
            before = clause[: match.start()]
            if _OTHER_PERSON.search(before) or _NOT_PREGNANT.search(clause):
                continue
            if _negated(before, ""):
                continue
            return True
    return False


def _light_headed(clauses: list[str]) -> bool:
    for clause in clauses:
        for match in _LIGHT_HEADED.finditer(clause):
            if _negated(clause[: match.start()], ""):
                continue
            if match.group(0).startswith(("tingl", "pins")) and _LEG.search(clause):
                continue  # a tingling leg or foot is numbness, read as a symptom
            return True
    return False


def screen(
    words: str | Iterable[str | None],
    *,
    pregnant: bool = False,
    asked: bool = False,
    about_cramp: bool = False,
) -> Screened:
    """Screen the words of one turn for red flags.

    ``words``: one text or every slot value of the request (None and empty values are skipped).
    ``pregnant``: pregnancy mode is already on (the profile). ``asked``: the words answer the
    diary's direct question about swelling, warmth or redness, so warmth alone counts.
    ``about_cramp``: the words answer a question about a cramp (the diary dialog), so a bare length
    ("twenty minutes") is the cramp's length.
    """
    chunks = [words] if isinstance(words, str) else [value for value in words if value]
    texts: list[str] = []
    for chunk in chunks:
        text = normalise(chunk)
        for pattern in _HARMLESS:
            text = pattern.sub(lambda match: BLANK * len(match.group(0)), text)
        texts.append(text)
    clauses = [clause for text in texts for clause in _clauses(text)]
    symptoms: set[str] = set()
    for clause in clauses:
        symptoms |= _read_clause(clause)
    joined = " . ".join(texts)
    if "LONG_CRAMP" in symptoms and not (about_cramp or _CRAMP_CONTEXT.search(joined)):
        symptoms.discard("LONG_CRAMP")
    medicines = {
        mid
        for mid, pattern in _MEDICINES
        for clause in clauses
        for match in pattern.finditer(clause)
        if not _negated(clause[: match.start()], "")
    }
    new_medicine = any(_NEW_MEDICINE.search(clause) for clause in clauses)
    counts = (
        about_cramp
        or "LONG_CRAMP" in symptoms
        or bool(_CRAMP_WORDS.search(joined) or _LENGTH_WORDS.search(joined))
    )
    seconds = _seconds(chunks, texts, counts)
    side, sides = _side(texts)
    said_pregnant = _pregnant(clauses)
    case = Case.of(
        symptoms=symptoms,
        medicines=medicines,
        trigger="NEW_MEDICINE" if new_medicine else None,
        side=side,
        seconds=seconds,
        context={"PREGNANT"} if pregnant or said_pregnant else set(),
        asked=asked,
    )
    return Screened(findings(case), case, sides, said_pregnant, _light_headed(clauses))


__all__ = ["LEVELS", "Screened", "normalise", "screen"]
