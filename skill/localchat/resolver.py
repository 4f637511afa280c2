"""Resolve a typed line to a request the way Alexa would, using only the interaction model.

Nothing here knows the skill's intents: every intent, slot, sample and slot value comes from the
model passed in, so new features work in ``cramp-coach chat`` and ``cramp-coach check`` as soon as
their fragment is built into ``interaction_model/<locale>.json``.

How a line is resolved:
1. The wake word and the invocation forms are stripped ("alexa, ask cramp coach to …", "open
   cramp coach", "… using cramp coach"); an invocation with nothing after it is a LaunchRequest.
2. Every sample utterance (plus Alexa's own phrases for the built-in intents in the model) is
   compiled to a regular expression that filters candidates; each candidate is then aligned word
   by word, trying every split of the words between its slots.
3. Slots are filled by type: custom types by value or synonym (entity resolution
   ER_SUCCESS_MATCH with the canonical id, or ER_SUCCESS_NO_MATCH for an unknown value), built-in
   types by ``skill.localchat.builtins``; a built-in slot whose words do not parse rejects that split.
4. The most specific match wins: most literal words, then fewest unresolved custom slots, then
   fewest slot characters, then fewest slots (one value "bedtime stretches" beats two values
   "bedtime" + "stretches"), then the model's own samples over Alexa's built-in phrases.
5. Nothing matches → AMAZON.FallbackIntent.

This is exact matching, like the community emulator virtual-alexa, not Alexa's statistical NLU:
a phrasing that is not in the samples does not resolve here even when a real device might guess.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from skill.content.locales import respell
from skill.localchat.builtins import PARSERS
from skill.models import MODEL_DIR, load_model

FALLBACK = "AMAZON.FallbackIntent"
WAKE_WORDS = ("alexa", "echo", "computer", "amazon", "ziggy")
LAUNCH_WORDS = ("open", "launch", "start", "begin", "load", "run", "use", "play", "resume", "talk to")
CONNECTING_WORDS = ("to", "for", "about", "if", "whether", "that", "and")

# Alexa's own phrases for its built-in intents (they need no samples in the model); the model's
# extra samples are added to these. Only intents present in the model are ever matched.
BUILTIN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.StopIntent": (
        "stop",
        "stop it",
        "quit",
        "exit",
        "shut up",
        "be quiet",
        "off",
        "enough",
        "stop talking",
    ),
    "AMAZON.CancelIntent": ("cancel", "cancel that", "never mind", "nevermind", "forget it"),
    "AMAZON.HelpIntent": ("help", "help me", "what can i do", "i need help"),
    "AMAZON.YesIntent": (
        "yes",
        "yeah",
        "yep",
        "yup",
        "sure",
        "ok",
        "okay",
        "yes please",
        "sure thing",
        "of course",
        "please do",
        "sounds good",
        "alright",
        "all right",
        "go ahead",
    ),
    "AMAZON.NoIntent": (
        "no",
        "nope",
        "nah",
        "no thanks",
        "no thank you",
        "not now",
        "no way",
        "i don't think so",
    ),
    "AMAZON.PauseIntent": ("pause", "pause it", "pause that", "hold on"),
    "AMAZON.ResumeIntent": ("resume", "continue", "keep going", "unpause"),
    "AMAZON.NextIntent": ("next", "skip", "skip it", "skip this", "skip that", "next one"),
    "AMAZON.PreviousIntent": ("previous", "go back", "back", "previous one"),
    "AMAZON.RepeatIntent": (
        "repeat",
        "repeat that",
        "say that again",
        "say it again",
        "what did you say",
        "pardon",
    ),
    "AMAZON.StartOverIntent": ("start over", "restart", "start again", "begin again"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "main menu", "go to the main menu"),
    "AMAZON.LoopOnIntent": ("loop on", "loop", "turn on loop"),
    "AMAZON.LoopOffIntent": ("loop off", "turn off loop"),
    "AMAZON.ShuffleOnIntent": ("shuffle", "shuffle on"),
    "AMAZON.ShuffleOffIntent": ("shuffle off", "stop shuffling"),
    "AMAZON.MoreIntent": ("more", "tell me more"),
}


# Words of lower-case letters and digits (an apostrophe only inside a word), single spaces between.
_NORMAL = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*(?: [a-z0-9]+(?:'[a-z0-9]+)*)*")


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, punctuation dropped: how both lines and samples compare."""
    if _NORMAL.fullmatch(text):
        return text  # already lower case words split by single spaces: every step below keeps it
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", "", text)  # "a.m." → "am"; keeps "7.5"
    text = re.sub(r"(?<!\d)-|-(?!\d)", " ", text)  # "twenty-five" → "twenty five"; keeps "2026-11-24"
    text = re.sub(r"(?<!\d):|:(?!\d)", " ", text)  # keeps "3:30"
    text = re.sub(r"[^a-z0-9:'. \-]+", " ", text)
    text = re.sub(r"(^|\s)'+|'+(?=\s|$)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class SlotFill:
    """One filled slot: the words heard, the value sent, and entity resolution for custom types."""

    name: str
    type: str
    spoken: str
    value: str
    # Custom types only: the (id, canonical name) pairs that matched; [] means ER_SUCCESS_NO_MATCH.
    matches: list[tuple[str, str]] | None = None

    @property
    def unmatched(self) -> bool:
        return self.matches is not None and not self.matches

    def describe(self) -> str:
        if self.matches is None:
            return f"{self.name}={self.value}"
        if not self.matches:
            return f"{self.name}={self.spoken!r} (no match)"
        return f"{self.name}={self.spoken!r}→{'|'.join(i for i, _ in self.matches)}"


@dataclass
class Match:
    """A sample that matched, with its slots and how specific the match was."""

    intent: str
    slots: dict[str, SlotFill]
    sample: str
    score: tuple[int, int, int, int, int]


@dataclass
class Resolution:
    """What Alexa would send for a line: a LaunchRequest or an IntentRequest with slots."""

    request_type: str
    intent: str | None = None
    slots: dict[str, SlotFill] = field(default_factory=dict)
    utterance: str = ""
    invoked: bool = False  # the line named the skill: it opens a new session
    sample: str | None = None

    @property
    def fallback(self) -> bool:
        return self.intent == FALLBACK

    def describe(self) -> str:
        if self.request_type != "IntentRequest":
            return self.request_type
        slots = " ".join(fill.describe() for fill in self.slots.values())
        return f"{self.intent}{' ' + slots if slots else ''}"


@dataclass
class _Sample:
    intent: str
    text: str
    items: tuple[tuple[str, str], ...]  # ("w", word) or ("s", slot name)
    explicit: bool
    regex: re.Pattern[str]
    literal_words: int
    order: int = 0  # position in the model, which breaks ties


class _SampleIndex:
    """Samples bucketed by their first two words, so a line is only tried against samples that can fit it.

    A sample whose second item is a slot (or that has one word) is bucketed by its first word only;
    samples that start with a slot could fit any line and are tried for every line. The buckets are
    merged back into model order so that ties are broken the same way as without the index.
    """

    def __init__(self, samples: list[_Sample]) -> None:
        self.by_two_words: dict[tuple[str, str], list[_Sample]] = {}
        self.by_first_word: dict[str, list[_Sample]] = {}
        self.slot_first: list[_Sample] = []
        for order, sample in enumerate(samples):
            sample.order = order
            kind, value = sample.items[0] if sample.items else ("s", "")
            if kind != "w":
                self.slot_first.append(sample)
            elif len(sample.items) > 1 and sample.items[1][0] == "w":
                self.by_two_words.setdefault((value, sample.items[1][1]), []).append(sample)
            else:
                self.by_first_word.setdefault(value, []).append(sample)

    def for_text(self, text: str) -> list[_Sample]:
        first, _, rest = text.partition(" ")
        second = rest.partition(" ")[0]
        found = [
            *self.by_two_words.get((first, second), ()),
            *self.by_first_word.get(first, ()),
            *self.slot_first,
        ]
        found.sort(key=_order)
        return found


def _order(sample: _Sample) -> int:
    return sample.order


_SLOT_REF = re.compile(r"\{([^{}]+)\}")


def compile_sample(intent: str, text: str, explicit: bool = True) -> _Sample:
    """A sample utterance as literal words and slot references, with a regex that filters lines."""
    items: list[tuple[str, str]] = []
    for index, part in enumerate(_SLOT_REF.split(text)):
        if index % 2:
            items.append(("s", part.strip()))
        else:
            items.extend(("w", word) for word in normalise(part).split())
    pattern = " ".join(re.escape(value) if kind == "w" else r".+?" for kind, value in items)
    literal_words = sum(1 for kind, _ in items if kind == "w")
    return _Sample(intent, text, tuple(items), explicit, re.compile(f"^{pattern}$"), literal_words)


def _alignments(
    items: tuple[tuple[str, str], ...], words: list[str], i: int = 0, t: int = 0
) -> Iterator[list[tuple[str, int, int]]]:
    """Every way of assigning consecutive words to the sample's slots (literals must match exactly)."""
    if i == len(items):
        if t == len(words):
            yield []
        return
    kind, value = items[i]
    if kind == "w":
        if t < len(words) and words[t] == value:
            yield from _alignments(items, words, i + 1, t + 1)
        return
    needed_after = len(items) - i - 1
    for end in range(t + 1, len(words) - needed_after + 1):
        for rest in _alignments(items, words, i + 1, end):
            yield [(value, t, end), *rest]


@dataclass
class _Intent:
    name: str
    slots: dict[str, str]  # slot name → type
    samples: list[str]
    slot_samples: dict[str, list[str]]


class Resolver:
    """Resolves typed lines against one locale's interaction model."""

    def __init__(
        self, model: dict[str, Any], today: date | None = None, spelling: Callable[[str], str] | None = None
    ) -> None:
        interaction = model.get("interactionModel", model)
        language = interaction.get("languageModel", {})
        self.model = model
        self.invocation_name: str = normalise(language.get("invocationName", ""))
        self._today = today
        # Typed lines are put into the model's spelling, as Alexa's speech recognition writes them.
        self._spell = spelling or (lambda text: text)
        self.intents: dict[str, _Intent] = {}
        for intent in language.get("intents", []):
            slots = {slot["name"]: slot.get("type", "") for slot in intent.get("slots", [])}
            slot_samples = {slot["name"]: list(slot.get("samples", [])) for slot in intent.get("slots", [])}
            self.intents[intent["name"]] = _Intent(
                intent["name"], slots, list(intent.get("samples", [])), slot_samples
            )
        for dialog_intent in interaction.get("dialog", {}).get("intents", []):
            known = self.intents.get(dialog_intent.get("name", ""))
            for slot in dialog_intent.get("slots", []) if known else []:
                known.slot_samples.setdefault(slot["name"], []).extend(slot.get("samples", []))  # type: ignore[union-attr]
        # Custom types: normalised value or synonym → [(id, canonical name)].
        self.types: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for slot_type in language.get("types", []):
            lookup: dict[str, list[tuple[str, str]]] = {}
            for value in slot_type.get("values", []):
                name = value.get("name", {}).get("value", "")
                value_id = value.get("id") or hashlib.md5(name.encode()).hexdigest()
                for phrase in [name, *value.get("name", {}).get("synonyms", [])]:
                    entries = lookup.setdefault(normalise(phrase), [])
                    if (value_id, name) not in entries:
                        entries.append((value_id, name))
            self.types[slot_type["name"]] = lookup
        self._samples = _SampleIndex(
            [compile_sample(intent.name, text) for intent in self.intents.values() for text in intent.samples]
            + [
                compile_sample(name, phrase, explicit=False)
                for name, phrases in BUILTIN_PHRASES.items()
                if name in self.intents
                for phrase in phrases
            ]
        )
        self._slot_samples: dict[tuple[str, str], _SampleIndex] = {}
        invocation = re.escape(self.invocation_name)
        launch = "|".join(LAUNCH_WORDS)
        connecting = "|".join(CONNECTING_WORDS)
        self._launch = re.compile(rf"^(?:(?:ask|tell|{launch})(?: the)? )?{invocation}$")
        self._one_shot = [
            re.compile(rf"^(?:ask|tell) {invocation} (?:(?P<conn>{connecting}) )?(?P<rest>.+)$"),
            re.compile(rf"^(?:{launch}) {invocation} (?P<conn>and|to|for) (?P<rest>.+)$"),
            re.compile(rf"^(?P<rest>.+?) (?:using|with|from|on|in) {invocation}$"),
        ]

    @classmethod
    def for_locale(
        cls, locale: str = "en-US", model_dir: Path = MODEL_DIR, today: date | None = None
    ) -> Resolver:
        """The resolver for a committed model, ``interaction_model/<locale>.json``, in its spelling."""
        return cls(load_model(locale, model_dir), today, respell(locale))

    @property
    def today(self) -> date:
        return self._today or date.today()

    def slot_type(self, intent: str, slot: str) -> str | None:
        known = self.intents.get(intent)
        return known.slots.get(slot) if known else None

    # -- lines ----------------------------------------------------------------------------------

    def resolve(self, line: str) -> Resolution:
        """Resolve a whole typed line, invocation forms included."""
        text = normalise(self._spell(line))
        words = text.split()
        while words and words[0] in WAKE_WORDS:
            words = words[1:]
        text = " ".join(words)
        if self.invocation_name and self._launch.match(text):
            return Resolution("LaunchRequest", utterance=text, invoked=True)
        for pattern in self._one_shot if self.invocation_name else []:
            found = pattern.match(text)
            if not found:
                continue
            rest = found.group("rest")
            connector = found.groupdict().get("conn")
            candidates = [rest, f"{connector} {rest}"] if connector else [rest]
            matches = [m for m in (self.match(c) for c in candidates) if m]
            best = max(matches, key=lambda m: m.score) if matches else None
            return self._resolution(best, rest, invoked=True)
        return self._resolution(self.match(text), text, invoked=False)

    def resolve_for_slot(self, line: str, intent: str, slot: str) -> Resolution | None:
        """While Alexa elicits ``slot``: the answer matched against that slot's own samples, or None."""
        words = normalise(self._spell(line)).split()
        while words and words[0] in WAKE_WORDS:
            words = words[1:]
        match = self.match_slot(" ".join(words), intent, slot)
        return self._resolution(match, " ".join(words), invoked=False) if match else None

    def _resolution(self, match: Match | None, utterance: str, *, invoked: bool) -> Resolution:
        if match is None:
            return Resolution("IntentRequest", FALLBACK, {}, utterance, invoked)
        return Resolution("IntentRequest", match.intent, match.slots, utterance, invoked, match.sample)

    # -- matching -------------------------------------------------------------------------------

    def match(self, utterance: str) -> Match | None:
        """The most specific sample match for an utterance (no invocation words), or None."""
        return self._best(self._samples, normalise(utterance))

    def match_slot(self, utterance: str, intent: str, slot: str) -> Match | None:
        """A match against one slot's elicitation samples (always including the bare ``{slot}``)."""
        key = (intent, slot)
        if key not in self._slot_samples:
            known = self.intents.get(intent)
            if known is None or slot not in known.slots:
                return None
            texts = [*known.slot_samples.get(slot, []), f"{{{slot}}}"]
            self._slot_samples[key] = _SampleIndex(
                [compile_sample(intent, text) for text in dict.fromkeys(texts)]
            )
        return self._best(self._slot_samples[key], normalise(utterance), elicited=slot)

    def candidates(self, utterance: str) -> list[Match]:
        """Every intent's best match for an utterance, most specific first (ties keep model order)."""
        text = normalise(utterance)
        best: dict[str, Match] = {}
        for match in self._matches(self._samples, text):
            if match.intent not in best or match.score > best[match.intent].score:
                best[match.intent] = match
        return sorted(best.values(), key=lambda m: m.score, reverse=True)

    def _matches(self, samples: _SampleIndex, text: str, elicited: str | None = None) -> Iterator[Match]:
        words = text.split()
        for sample in samples.for_text(text):
            if sample.regex.match(text):
                match = self._match_sample(sample, words, elicited)
                if match:
                    yield match

    def _best(self, samples: _SampleIndex, text: str, elicited: str | None = None) -> Match | None:
        best: Match | None = None
        for match in self._matches(samples, text, elicited):
            if best is None or match.score > best.score:
                best = match
        return best

    def _match_sample(self, sample: _Sample, words: list[str], elicited: str | None) -> Match | None:
        intent = self.intents[sample.intent]
        best: Match | None = None
        for alignment in _alignments(sample.items, words):
            fills: dict[str, SlotFill] = {}
            companions: dict[str, str] = {}
            for slot, start, end in alignment:
                fill = self._fill(slot, intent.slots.get(slot, ""), words[start:end], companions)
                if fill is None:
                    break
                fills[slot] = fill
            else:
                unmatched = sum(1 for fill in fills.values() if fill.unmatched)
                # A sample made only of custom slots would swallow any line; Alexa's own matcher
                # prefers Fallback for nonsense, so such a sample counts only when its values match
                # (while a slot is elicited, only that slot may take an unknown value).
                strays = [f for f in fills.values() if f.unmatched and f.name != elicited]
                if sample.literal_words == 0 and strays:
                    continue
                self._add_companions(intent, fills, companions)
                slot_chars = sum(len(word) for _, s, e in alignment for word in words[s:e])
                score = (sample.literal_words, -unmatched, -slot_chars, -len(alignment), int(sample.explicit))
                if best is None or score > best.score:
                    best = Match(sample.intent, fills, sample.text, score)
        return best

    def _fill(
        self, slot: str, slot_type: str, words: list[str], companions: dict[str, str]
    ) -> SlotFill | None:
        spoken = " ".join(words)
        if slot_type in self.types:
            return SlotFill(slot, slot_type, spoken, spoken, list(self.types[slot_type].get(spoken, [])))
        parser = PARSERS.get(slot_type)
        if parser is None:
            return SlotFill(slot, slot_type, spoken, spoken)  # AMAZON.SearchQuery and other free-form types
        parsed = parser(words, self.today)
        if parsed is None:
            return None
        companions.update(parsed.companions)
        return SlotFill(slot, slot_type, spoken, parsed.value)

    @staticmethod
    def _add_companions(intent: _Intent, fills: dict[str, SlotFill], companions: dict[str, str]) -> None:
        """``last night`` in a DATE slot also fills an empty AMAZON.TIME slot with ``NI``."""
        for slot_type, value in companions.items():
            empty = [name for name, kind in intent.slots.items() if kind == slot_type and name not in fills]
            if empty:
                fills[empty[0]] = SlotFill(empty[0], slot_type, value, value)
