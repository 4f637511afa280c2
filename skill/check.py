"""``cramp-coach check``: everything Alexa or certification would reject, found before deploying.

The checks are a list of functions, each taking the project (a root directory holding
``interaction_model/`` and ``responses/``) and returning an ``Outcome``: a one-line summary and
the problems found, each with where it is and what is wrong. ``run`` runs them all; the command
prints every problem and exits 1 when there is any.
"""

from __future__ import annotations

import json
import logging
import random
import re
import string
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from skill.localchat.resolver import FALLBACK, Resolver, compile_sample, normalise
from skill.speech import ssml

REPO_ROOT = Path(__file__).resolve().parents[1]
REQUIRED_BUILTINS = (
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
)
AUDIO_PLAYER_BUILTINS = ("AMAZON.PauseIntent", "AMAZON.ResumeIntent")
# Invocation name requirements (Alexa docs, "Invocation name requirements").
LAUNCH_PHRASES = (
    "ask",
    "begin",
    "enable",
    "launch",
    "load",
    "open",
    "play",
    "resume",
    "run",
    "start",
    "tell",
    "use",
)
CONNECTING_WORDS = ("to", "from", "by", "if", "and", "whether")
WAKE_WORDS = ("alexa", "amazon", "echo", "computer", "skill", "app")
TWO_WORD_FORBIDDEN = ("the", "a", "an", "for", "to", "of")
OFFLINE_API = "http://127.0.0.1:9"
DISCLAIMER = "not a substitute for professional medical advice"
SAMPLE_ALLOWED = re.compile(r"[A-Za-z .'\-]")
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z]")
MARKUP_MESSAGE = "contains SSML markup, which is escaped and read out as text: pauses belong in script steps"


@dataclass(frozen=True)
class Problem:
    """One thing that is wrong, and where."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Outcome:
    """What one check looked at and what it found."""

    name: str
    summary: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # reported, but the check still passes


@dataclass
class Project:
    """The files under check: ``<root>/interaction_model`` and ``<root>/responses``."""

    root: Path

    @property
    def model_dir(self) -> Path:
        return self.root / "interaction_model"

    @property
    def responses_dir(self) -> Path:
        return self.root / "responses"

    @property
    def manifest_path(self) -> Path:
        return self.model_dir / "skill.json"

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def model_paths(self) -> dict[str, Path]:
        """Locale → committed model file (``interaction_model/<locale>.json``)."""
        return {p.stem: p for p in sorted(self.model_dir.glob("*.json")) if p.name != "skill.json"}

    def load_json(self, path: Path) -> tuple[Any, Problem | None]:
        try:
            return json.loads(path.read_text(encoding="utf-8")), None
        except (OSError, json.JSONDecodeError) as exc:
            return None, Problem(self.relative(path), f"cannot read JSON: {exc}")

    def models(self) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
        models, problems = {}, []
        for locale, path in self.model_paths().items():
            data, problem = self.load_json(path)
            if problem:
                problems.append(problem)
            elif not isinstance(data, dict) or "languageModel" not in data.get("interactionModel", {}):
                problems.append(
                    Problem(self.relative(path), "not an interaction model (interactionModel.languageModel)")
                )
            else:
                models[locale] = data
        return models, problems


# ---------------------------------------------------------------------------------------------
# Interaction models


def invocation_problems(name: str) -> list[str]:
    """Why an invocation name would be refused, following Amazon's invocation name requirements."""
    problems = []
    if not re.fullmatch(r"[a-z][a-z .']*", name or ""):
        problems.append(
            f"invocation name {name!r} must be lower-case letters and spaces "
            "(apostrophes for possessives, periods in abbreviations)"
        )
    words = re.sub(r"[.']", " ", name or "").split()
    if len(words) < 2:
        problems.append(f"invocation name {name!r} must have at least two words")
    for word in words:
        if word in LAUNCH_PHRASES:
            problems.append(f"invocation name {name!r} contains the launch word {word!r}")
        if word in CONNECTING_WORDS:
            problems.append(f"invocation name {name!r} contains the connecting word {word!r}")
        if word in WAKE_WORDS:
            problems.append(f"invocation name {name!r} contains the forbidden word {word!r}")
    if len(words) == 2 and any(word in TWO_WORD_FORBIDDEN for word in words):
        problems.append(f"two-word invocation name {name!r} cannot include an article or preposition")
    return problems


def sample_problems(sample: str) -> list[str]:
    """Why a sample utterance breaks Alexa's character rules (slot references aside)."""
    if not sample.strip():
        return ["empty sample"]
    if re.search(r"[{}]", re.sub(r"\{[A-Za-z0-9_]+\}", "", sample)):
        return [f"sample {sample!r} has a malformed slot reference"]
    problems = []
    text = re.sub(r"\{[^{}]*\}", " ", sample)
    if re.search(r"\d", text):
        problems.append(f"sample {sample!r} contains a digit: spell numbers out")
    if "?" in text:
        problems.append(f"sample {sample!r} contains '?'")
    others = sorted({c for c in text if not SAMPLE_ALLOWED.match(c) and not c.isdigit() and c != "?"})
    if others:
        problems.append(f"sample {sample!r} contains {', '.join(repr(c) for c in others)}")
    return problems


def slot_references(sample: str) -> list[str]:
    return [name.strip() for name in re.findall(r"\{([^{}]*)\}", sample)]


def model_problems(model: dict[str, Any], where: str, locale: str | None = None) -> Iterator[Problem]:
    """Every rule one interaction model breaks (prompts' voice styles checked for ``locale``)."""
    interaction = model["interactionModel"]
    language = interaction["languageModel"]
    for message in invocation_problems(language.get("invocationName", "")):
        yield Problem(where, message)
    types = {t.get("name"): t for t in language.get("types", [])}
    intents = language.get("intents", [])
    names = [intent.get("name") for intent in intents]
    for name in sorted({n for n in names if names.count(n) > 1}):
        yield Problem(where, f"intent {name} is defined {names.count(name)} times")
    for required in REQUIRED_BUILTINS:
        if required not in names:
            yield Problem(where, f"required built-in intent {required} is missing")
    owners: dict[str, str] = {}
    for intent in intents:
        name = intent.get("name", "?")
        here = f"{where}: intent {name}"
        slots = {slot.get("name"): slot for slot in intent.get("slots", [])}
        for slot_name, slot in slots.items():
            slot_type = slot.get("type", "")
            if not slot_type.startswith("AMAZON.") and slot_type not in types:
                yield Problem(here, f"slot {{{slot_name}}} has type {slot_type!r}, which is not defined")
            for sample in slot.get("samples", []):
                for message in sample_problems(sample):
                    yield Problem(f"{here}: slot {slot_name}", message)
                for ref in slot_references(sample):
                    if ref not in slots:
                        yield Problem(
                            f"{here}: slot {slot_name}", f"sample {sample!r} uses undeclared slot {{{ref}}}"
                        )
        seen: set[str] = set()
        for sample in intent.get("samples", []):
            for message in sample_problems(sample):
                yield Problem(here, message)
            for ref in slot_references(sample):
                if ref not in slots:
                    yield Problem(here, f"sample {sample!r} uses undeclared slot {{{ref}}}")
            key = " ".join(
                normalise(part) if i % 2 == 0 else "{" + part + "}"
                for i, part in enumerate(re.split(r"\{([^{}]*)\}", sample))
            ).strip()
            key = re.sub(r"\s+", " ", key)
            if key in seen:
                yield Problem(here, f"sample {sample!r} appears twice")
            elif key in owners and owners[key] != name:
                yield Problem(here, f"sample {sample!r} is also a sample of {owners[key]}")
            seen.add(key)
            owners.setdefault(key, name)
    for type_name, slot_type in types.items():
        here = f"{where}: type {type_name}"
        ids: dict[str, int] = {}
        phrases: dict[str, str] = {}
        for value in slot_type.get("values", []):
            canonical = value.get("name", {}).get("value", "")
            value_id = value.get("id")
            if value_id:
                ids[value_id] = ids.get(value_id, 0) + 1
            for phrase in [canonical, *value.get("name", {}).get("synonyms", [])]:
                key = normalise(phrase)
                owner = value_id or canonical
                if key in phrases and phrases[key] != owner:
                    yield Problem(here, f"{phrase!r} belongs to both {phrases[key]} and {owner}")
                phrases.setdefault(key, owner)
        for value_id, count in ids.items():
            if count > 1:
                yield Problem(here, f"value id {value_id!r} is used {count} times")
    yield from dialog_problems(interaction, {i.get("name"): i for i in intents}, where, locale)


def dialog_problems(
    interaction: dict[str, Any], intents: dict[str, Any], where: str, locale: str | None = None
) -> Iterator[Problem]:
    """Dialog model rules: prompts for every elicitation, confirmation and validation."""
    prompts = {prompt.get("id"): prompt for prompt in interaction.get("prompts", [])}
    for prompt_id, prompt in prompts.items():
        if not prompt.get("variations"):
            yield Problem(f"{where}: prompt {prompt_id}", "has no variations")
        for variation in prompt.get("variations", []):
            if variation.get("type") == "SSML":
                try:
                    ssml.validate(variation.get("value", ""), locale)
                except ssml.SSMLError as exc:
                    yield Problem(f"{where}: prompt {prompt_id}", str(exc))

    def need(prompt_id: str | None, here: str, what: str) -> Iterator[Problem]:
        if not prompt_id:
            yield Problem(here, f"{what} has no prompt")
        elif prompt_id not in prompts:
            yield Problem(here, f"{what} prompt {prompt_id!r} does not exist")

    for dialog_intent in interaction.get("dialog", {}).get("intents", []):
        name = dialog_intent.get("name")
        here = f"{where}: dialog intent {name}"
        if name not in intents:
            yield Problem(here, "is not an intent of the language model")
            continue
        declared = {slot.get("name"): slot for slot in intents[name].get("slots", [])}
        if dialog_intent.get("confirmationRequired"):
            yield from need(dialog_intent.get("prompts", {}).get("confirmation"), here, "intent confirmation")
        for slot in dialog_intent.get("slots", []):
            slot_name = slot.get("name")
            slot_here = f"{here}: slot {slot_name}"
            if slot_name not in declared:
                yield Problem(slot_here, "is not a slot of the intent")
                continue
            if slot.get("type") and slot.get("type") != declared[slot_name].get("type"):
                yield Problem(
                    slot_here,
                    f"type {slot.get('type')!r} differs from the intent's "
                    f"{declared[slot_name].get('type')!r}",
                )
            if slot.get("elicitationRequired"):
                yield from need(slot.get("prompts", {}).get("elicitation"), slot_here, "elicitation")
            if slot.get("confirmationRequired"):
                yield from need(slot.get("prompts", {}).get("confirmation"), slot_here, "confirmation")
            for validation in slot.get("validations", []):
                yield from need(validation.get("prompt"), slot_here, f"validation {validation.get('type')}")


def check_models(project: Project) -> Outcome:
    """Every ``interaction_model/<locale>.json``."""
    models, problems = project.models()
    samples = 0
    for locale, model in models.items():
        where = project.relative(project.model_paths()[locale])
        problems.extend(model_problems(model, where, locale))
        samples += sum(
            len(i.get("samples", [])) for i in model["interactionModel"]["languageModel"].get("intents", [])
        )
    if not models and not problems:
        problems.append(Problem(project.relative(project.model_dir), "no interaction model found"))
    summary = f"{len(models)} model(s) ({', '.join(models) or 'none'}), {samples} samples"
    return Outcome("interaction models", summary, problems)


def check_samples(project: Project) -> Outcome:
    """Every sample, said with example slot values, must reach its own intent (no shadowing)."""
    models, problems = project.models()
    lines = 0
    for locale, model in models.items():
        where = project.relative(project.model_paths()[locale])
        resolver = Resolver(model)
        language = model["interactionModel"]["languageModel"]
        types = {t["name"]: t for t in language.get("types", [])}
        for intent in language.get("intents", []):
            slots = {s["name"]: s.get("type", "") for s in intent.get("slots", [])}

            def fill(
                match: re.Match[str], slots: dict[str, str] = slots, types: dict[str, Any] = types
            ) -> str:
                return example_value(slots.get(match.group(1), ""), types)

            for sample in intent.get("samples", []):
                line = re.sub(r"\{([^{}]+)\}", fill, sample)
                lines += 1
                here = f"{where}: intent {intent['name']}"
                candidates = resolver.candidates(line)
                resolved = candidates[0].intent if candidates else FALLBACK
                if resolved != intent["name"]:
                    problems.append(
                        Problem(
                            here,
                            f"sample {sample!r}, said as {line!r}, resolves to {resolved}: "
                            "its words are also another intent's sample or slot value",
                        )
                    )
                    continue
                best, *others = candidates
                tied = sorted({m.intent for m in others if m.score == best.score})
                if tied:
                    problems.append(
                        Problem(
                            here,
                            f"sample {sample!r}, said as {line!r}, matches {', '.join(tied)} just as well: "
                            "Alexa may send either",
                        )
                    )
    return Outcome("samples reach their intent", f"{lines} sample(s) said with example values", problems)


# ---------------------------------------------------------------------------------------------
# Sample conflicts, catch-all samples and model size (issue 15)

# Carriers that say nothing about what is asked: "I had {x}", "I'm {x}" followed by nothing but one
# slot take every other request that starts the same way ("I had a cramp in my foot last night",
# "I'm thirty weeks pregnant"), as do two slots joined by connectors only ("{x} with a {y}").
GENERIC_CARRIERS = frozenset(
    {
        "i",
        "i had",
        "i'm",
        "i am",
        "i've got",
        "i have",
        "i'm getting",
        "i get",
        "i've been",
        "i've had",
        "it's",
        "it was",
        "my cramp",
        "the cramp",
        "my cramps",
        "the cramps",
    }
)
CONNECTORS = frozenset({"with", "a", "an", "in", "and", "the", "for", "of", "on", "to"})
# Budgets kept well inside what the Alexa developer console accepts: 50,000 custom slot values and
# synonyms per skill (Alexa Skills Kit documentation, "Create and edit custom slot types"), and our
# own ceilings on intents and samples, so that every check and the chat stay fast.
MAX_INTENTS = 250
MAX_SAMPLES_PER_INTENT = 1000
MAX_SLOT_VALUES = 50_000
MAX_MODEL_BYTES = 1_500_000


def catch_all_problem(sample: str, slot_types: dict[str, str], custom: set[str]) -> str | None:
    """Why a sample would swallow other intents' requests, or None (see GENERIC_CARRIERS)."""
    items = compile_sample("", sample).items
    slots = [value for kind, value in items if kind == "s"]
    open_slots = [
        s for s in slots if slot_types.get(s) in custom or slot_types.get(s) == "AMAZON.SearchQuery"
    ]
    if not open_slots:
        return None
    words = [value for kind, value in items if kind == "w"]
    if len(slots) == 1 and items[-1][0] == "s" and " ".join(words) in GENERIC_CARRIERS:
        return f"sample {sample!r} is a generic carrier and an open slot: it takes other intents' requests"
    if items[0][0] == "s" and len(open_slots) >= 2 and words and set(words) <= CONNECTORS:
        return f"sample {sample!r} is open slots joined by connectors: it takes other intents' requests"
    return None


def expanded_lines(intent: dict[str, Any], types: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Each sample said with every value and synonym of each of its slots (the others at an example).

    One slot varies at a time: every word a slot can hold is said in every sample that uses it,
    without multiplying the slots together (which would run to millions of lines).
    """
    slot_types = {s["name"]: s.get("type", "") for s in intent.get("slots", [])}

    def phrases(slot: str) -> list[str]:
        slot_type = types.get(slot_types.get(slot, ""))
        if slot_type is None:
            return [example_value(slot_types.get(slot, ""), types)]
        found = []
        for value in slot_type.get("values", []):
            found += [value["name"]["value"], *value["name"].get("synonyms", [])]
        return found or [example_value(slot_types.get(slot, ""), types)]

    for sample in intent.get("samples", []):
        refs = list(dict.fromkeys(slot_references(sample)))
        examples = {ref: phrases(ref)[0] for ref in refs}
        variations = [dict(examples)]
        for ref in refs:
            variations += [{**examples, ref: phrase} for phrase in phrases(ref)[1:]]
        for values in variations:

            def fill(match: re.Match[str], values: dict[str, str] = values) -> str:
                return values[match.group(1).strip()]

            yield sample, re.sub(r"\{([^{}]+)\}", fill, sample)


def conflict_problems(model: dict[str, Any], where: str) -> Iterator[Problem]:
    """Lines two intents' samples both make once slots are filled: Alexa cannot tell them apart.

    This is the developer console's utterance-conflict check: every sample is said with every
    value and synonym of its slots (one slot varying at a time, ``expanded_lines``), and a line
    two intents make is reported once per pair of samples. Lines are compared normalised, as the
    resolver compares them.
    """
    language = model["interactionModel"]["languageModel"]
    types = {t["name"]: t for t in language.get("types", [])}
    owners: dict[str, dict[str, str]] = {}  # line -> intent -> the sample that made it
    for intent in language.get("intents", []):
        for sample, line in expanded_lines(intent, types):
            owners.setdefault(normalise(line), {}).setdefault(intent["name"], sample)
    reported: set[tuple[str, str]] = set()
    for line, by_intent in owners.items():
        if len(by_intent) < 2:
            continue
        (first, first_sample), *others = by_intent.items()
        for other, other_sample in others:
            if (first_sample, other_sample) in reported:
                continue
            reported.add((first_sample, other_sample))
            yield Problem(
                f"{where}: intent {first}",
                f"sample {first_sample!r} and {other}'s sample {other_sample!r} both make {line!r}",
            )


def check_conflicts(project: Project) -> Outcome:
    """No utterance belongs to two intents after slot expansion, and no catch-all samples."""
    models, problems = project.models()
    lines = 0
    for locale, model in models.items():
        where = project.relative(project.model_paths()[locale])
        language = model["interactionModel"]["languageModel"]
        types = {t["name"]: t for t in language.get("types", [])}
        custom = set(types)
        for intent in language.get("intents", []):
            lines += sum(1 for _ in expanded_lines(intent, types))
            slot_types = {s["name"]: s.get("type", "") for s in intent.get("slots", [])}
            for sample in intent.get("samples", []):
                message = catch_all_problem(sample, slot_types, custom)
                if message:
                    problems.append(Problem(f"{where}: intent {intent['name']}", message))
        problems.extend(conflict_problems(model, where))
    summary = f"{lines} line(s) from samples with every slot value, {len(models)} model(s)"
    return Outcome("sample conflicts", summary, problems)


def check_limits(project: Project) -> Outcome:
    """Each locale's model within Alexa's limits (and our budgets): intents, samples, values, size."""
    models, problems = project.models()
    counts = []
    for locale, model in models.items():
        path = project.model_paths()[locale]
        where = project.relative(path)
        language = model["interactionModel"]["languageModel"]
        intents = language.get("intents", [])
        samples = sum(len(i.get("samples", [])) for i in intents)
        values = sum(
            1 + len(v.get("name", {}).get("synonyms", []))
            for t in language.get("types", [])
            for v in t.get("values", [])
        )
        size = path.stat().st_size
        counts.append(f"{locale} {samples}")
        if len(intents) > MAX_INTENTS:
            problems.append(Problem(where, f"{len(intents)} intents; at most {MAX_INTENTS}"))
        for intent in intents:
            if len(intent.get("samples", [])) > MAX_SAMPLES_PER_INTENT:
                problems.append(
                    Problem(
                        f"{where}: intent {intent['name']}",
                        f"{len(intent['samples'])} samples; at most {MAX_SAMPLES_PER_INTENT}",
                    )
                )
        if values > MAX_SLOT_VALUES:
            problems.append(Problem(where, f"{values} slot values and synonyms; at most {MAX_SLOT_VALUES}"))
        if size > MAX_MODEL_BYTES:
            problems.append(Problem(where, f"{size} bytes; at most {MAX_MODEL_BYTES}"))
    return Outcome("model limits", f"samples per locale: {', '.join(counts) or 'none'}", problems)


def check_models_built(project: Project) -> Outcome:
    """Committed models equal what ``cramp-coach build-models`` makes from ``interaction_model/source``."""
    from skill.models import LOCALES, ModelSourceError, build_model, render

    source = project.model_dir / "source"
    if not (source / "base.json").exists():
        return Outcome("models match their source", "skipped: no interaction_model/source")
    problems = []
    for locale in LOCALES:
        path = project.model_dir / f"{locale}.json"
        try:
            built = render(build_model(locale, source_dir=source))
        except (ModelSourceError, json.JSONDecodeError, KeyError) as exc:
            problems.append(Problem(project.relative(source), f"cannot build the {locale} model: {exc}"))
            continue
        if not path.exists() or path.read_text(encoding="utf-8") != built:
            problems.append(
                Problem(
                    project.relative(path),
                    "differs from interaction_model/source: run cramp-coach build-models",
                )
            )
    return Outcome("models match their source", f"{len(LOCALES)} locale(s)", problems)


# ---------------------------------------------------------------------------------------------
# Manifest


def check_manifest(project: Project) -> Outcome:
    """``interaction_model/skill.json``: locales, example phrases, privacy, disclaimer, no ads."""
    where = project.relative(project.manifest_path)
    data, problem = project.load_json(project.manifest_path)
    if problem:
        return Outcome("manifest", "unreadable", [problem])
    manifest = (data or {}).get("manifest", {})
    problems: list[Problem] = []
    models, _ = project.models()
    publishing = manifest.get("publishingInformation", {})
    locales = publishing.get("locales", {})
    privacy = manifest.get("privacyAndCompliance", {})
    if set(locales) != set(models):
        problems.append(
            Problem(
                where,
                f"publishingInformation.locales {sorted(locales)} do not match the models {sorted(models)}",
            )
        )
    privacy_locales = privacy.get("locales", {})
    if set(privacy_locales) != set(models):
        problems.append(
            Problem(
                where,
                f"privacyAndCompliance.locales {sorted(privacy_locales)} "
                f"do not match the models {sorted(models)}",
            )
        )
    for key in ("containsAds", "allowsPurchases", "usesHealthInfo", "isChildDirected"):
        if privacy.get(key) is True:
            reason = {"usesHealthInfo": " (only for HIPAA covered entities)"}.get(key, "")
            problems.append(Problem(where, f"privacyAndCompliance.{key} must be false{reason}"))
    for key in ("containsAds",):
        if key not in privacy:
            problems.append(Problem(where, f"privacyAndCompliance.{key} is missing"))
    if privacy.get("usesPersonalInfo") is not True:
        # The skill keeps a health diary, medicines and pregnancy mode per user (docs/privacy.md).
        problems.append(
            Problem(where, "privacyAndCompliance.usesPersonalInfo must be true: the skill stores a diary")
        )
    endpoint = manifest.get("apis", {}).get("custom", {}).get("endpoint", {})
    if not endpoint.get("uri"):
        problems.append(Problem(where, "apis.custom.endpoint.uri is missing"))
    interfaces = [i.get("type") for i in manifest.get("apis", {}).get("custom", {}).get("interfaces", [])]
    phrases = 0
    for locale in sorted(set(locales) | set(privacy_locales)):
        here = f"{where}: {locale}"
        info = locales.get(locale, {})
        url = privacy_locales.get(locale, {}).get("privacyPolicyUrl", "")
        if not str(url).startswith("https://"):
            problems.append(Problem(here, "privacyPolicyUrl must be an https URL"))
        if DISCLAIMER not in " ".join(str(info.get("description", "")).lower().split()):
            problems.append(Problem(here, f"description must say the skill is {DISCLAIMER!r}"))
        for key in ("name", "summary", "description"):
            if not info.get(key):
                problems.append(Problem(here, f"{key} is missing"))
        examples = info.get("examplePhrases", [])
        if not examples or len(examples) > 3:
            problems.append(Problem(here, f"needs one to three example phrases (has {len(examples)})"))
        model = models.get(locale)
        if model is None:
            continue
        resolver = Resolver(model)
        invocation = resolver.invocation_name
        for index, phrase in enumerate(examples):
            phrases += 1
            resolution = resolver.resolve(phrase)
            words = normalise(phrase).split()
            if index == 0 and (words[:1] != ["alexa"] or invocation not in " ".join(words)):
                problems.append(
                    Problem(
                        here,
                        f"first example phrase {phrase!r} must start with 'Alexa' and name {invocation!r}",
                    )
                )
            if not resolution.invoked and invocation not in normalise(phrase):
                problems.append(Problem(here, f"example phrase {phrase!r} does not invoke {invocation!r}"))
            elif resolution.fallback:
                problems.append(
                    Problem(
                        here,
                        f"example phrase {phrase!r} resolves to nothing ({FALLBACK}): "
                        "use a sample utterance of an intent",
                    )
                )
        if "AUDIO_PLAYER" in interfaces:
            intents = {i.get("name") for i in model["interactionModel"]["languageModel"].get("intents", [])}
            for required in AUDIO_PLAYER_BUILTINS:
                if required not in intents:
                    problems.append(Problem(here, f"AUDIO_PLAYER is declared, so the model needs {required}"))
    return Outcome("manifest", f"{len(locales)} locale(s), {phrases} example phrase(s)", problems)


# ---------------------------------------------------------------------------------------------
# Speech: phrases and scripts


class _PhraseFiles:
    """Which file a phrase a locale hears comes from (``responses/en-GB/phrases/core.json``)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.loaded: dict[Path, Any] = {}

    def owner(self, locale: str, key: str) -> str:
        from skill.content.catalog import locale_chain

        namespace, *path = key.split(".")
        for directory in locale_chain(locale):
            file = self.project.responses_dir / directory / "phrases" / f"{namespace}.json"
            if file not in self.loaded:
                self.loaded[file] = json.loads(file.read_text(encoding="utf-8")) if file.is_file() else None
            node = self.loaded[file]
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None:
                return self.project.relative(file)
        return f"responses ({locale})"


def _request_locales(project: Project, directories: set[str]) -> list[str]:
    """Locales requests arrive in: every model's and every locale directory's (``en-GB``, not ``en``).

    A locale sees its own files and its language's (``en-GB`` → ``en``), so rendering per locale
    covers every file a user can hear; a bare language directory is rendered only when it is all
    there is.
    """
    locales = set(project.model_paths()) | {d for d in directories if "-" in d}
    return sorted(locales) or sorted(directories)


class _Pick(random.Random):
    """A random source that always picks the n-th variant, so every variant gets rendered."""

    def __init__(self, index: int) -> None:
        super().__init__(0)
        self.index = index

    def choice(self, seq: Sequence[Any]) -> Any:  # type: ignore[override]  # only ever given a list
        return seq[min(self.index, len(seq) - 1)]


class _Field:
    """A stand-in for any ``{field}`` value, whatever its format spec."""

    def __format__(self, spec: str) -> str:
        return "seven"

    def __getattr__(self, name: str) -> _Field:
        return self

    def __getitem__(self, key: object) -> _Field:
        return self


def _fields(template: str) -> set[str]:
    try:
        return {re.split(r"[.\[]", name)[0] for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:
        return set()


def check_phrases(project: Project) -> Outcome:
    """Every variant of every phrase in every locale, rendered through ``Speech`` with dummy fields."""
    from skill.content.catalog import Catalog, CatalogError
    from skill.speech.reply import Speech

    if not project.responses_dir.is_dir():
        return Outcome(
            "phrases", "no responses directory", [Problem(project.relative(project.responses_dir), "missing")]
        )
    try:
        catalog = Catalog(project.responses_dir)
    except (CatalogError, json.JSONDecodeError, OSError) as exc:
        return Outcome("phrases", "unreadable", [Problem(project.relative(project.responses_dir), str(exc))])
    locales = _request_locales(project, set(catalog.locales))
    files = _PhraseFiles(project)
    found: dict[str, Problem] = {}
    rendered = 0
    for locale in locales:
        for key, variants in catalog.items(locale):
            for index, template in enumerate(variants):
                variant = f" variant {index + 1}" if len(variants) > 1 else ""
                where = f"{files.owner(locale, key)}: phrase {key}{variant}"
                if MARKUP.search(template):
                    found.setdefault(f"{where}/markup", Problem(where, MARKUP_MESSAGE))
                catalog.rng = _Pick(index)
                try:
                    Speech(locale, catalog).say(key, **{name: _Field() for name in _fields(template)}).ssml()
                    rendered += 1
                except (ssml.SSMLError, CatalogError, ValueError) as exc:
                    found.setdefault(f"{where}/{exc}", Problem(where, str(exc)))
    return Outcome("phrases", f"{len(locales)} locale(s), {rendered} rendered variants", list(found.values()))


MAX_SEGMENT_SECONDS = 240.0  # the most one spoken response holds (alexa-platform.md, long sessions)


def _option_matrix(
    script: Any, length_of: Callable[[Any, str], Any], voices: Sequence[str], paces: Sequence[float]
) -> Iterator[Any]:
    """Every variant in every voice, at the slowest pace, and at its shortest and longest length.

    The slowest pace and the longest length make the longest segments; the shortest length the
    tightest packing. Faster paces only shorten what the slowest one already checked.
    """
    from skill.engine.script import Options

    for variant in script.variants:
        for voice in voices:
            yield Options(variant=variant, voice=voice)
        yield Options(variant=variant, pace=max(paces))
        length = length_of(script, variant)
        for amount in {length.low, length.high} - {None}:
            if length.unit == "minutes":
                yield Options(variant=variant, minutes=amount)
            elif length.unit == "cycles":
                yield Options(variant=variant, breaths=int(amount))


def _describe_options(options: Any) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.to_dict().items()) or "defaults"


def check_scripts(project: Project) -> Outcome:
    """Every script, through the engine, in every variant and voice and at its length and pace limits."""
    from skill.content.catalog import Catalog, CatalogError

    root = project.responses_dir
    files = sorted(root.glob("*/scripts/*.json"))
    if not files:
        return Outcome("scripts", "no scripts")
    from skill.engine.script import PACES, VOICES, ScriptError, load_script, script_ids
    from skill.engine.segments import SegmentError, segment
    from skill.engine.timeline import build_timeline, length_of

    try:
        catalog = Catalog(root)
    except (CatalogError, json.JSONDecodeError, OSError) as exc:
        return Outcome("scripts", "phrase catalog unreadable", [Problem(project.relative(root), str(exc))])
    locales = _request_locales(project, {path.parent.parent.name for path in files})

    def loader(script_id: str, locale: str | None) -> Any:
        return load_script(script_id, locale, root)

    problems: dict[str, Problem] = {}
    segments_checked = 0
    for locale in locales:
        for script_id in script_ids(locale, root):
            where = f"responses ({locale}): script {script_id}"
            try:
                script = loader(script_id, locale)
            except ScriptError as exc:
                problems.setdefault(str(exc), Problem(where, str(exc)))
                continue
            for key, text in script.phrases.items():
                if MARKUP.search(text):
                    problems.setdefault(
                        f"{script_id}/{key}/markup", Problem(f"{where}: phrase {key}", MARKUP_MESSAGE)
                    )
            for options in _option_matrix(script, length_of, VOICES, PACES):
                here = f"{where} ({_describe_options(options)})"
                try:
                    segments = segment(
                        build_timeline(script, options, locale, catalog=catalog, loader=loader)
                    )
                except (ScriptError, SegmentError, ssml.SSMLError, ValueError) as exc:
                    problems.setdefault(f"{script_id}/{exc}", Problem(here, str(exc)))
                    continue
                for part in segments:
                    segments_checked += 1
                    try:
                        ssml.validate(f"<speak>{part.ssml}</speak>", locale)
                    except ssml.SSMLError as exc:
                        problems.setdefault(
                            f"{script_id}/{exc}", Problem(f"{here}: segment {part.index + 1}", str(exc))
                        )
                    if part.duration > MAX_SEGMENT_SECONDS:
                        limit = MAX_SEGMENT_SECONDS
                        message = f"lasts {part.duration:.0f} s; one response holds {limit:.0f} s at most"
                        problems.setdefault(
                            f"{script_id}/{part.index}/long",
                            Problem(f"{here}: segment {part.index + 1}", message),
                        )
    summary = f"{len(files)} script file(s), {segments_checked} segments rendered"
    return Outcome("scripts", summary, list(problems.values()))


# ---------------------------------------------------------------------------------------------
# Handlers


class _Capture(logging.Handler):
    """Holds the skill's log records while the check runs it (they are findings, not console noise)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def findings(self, since: int, *, audio: bool = True) -> list[str]:
        """Errors caught by the catch-all handler and intents no handler claimed, since record ``since``;
        with ``audio``, also long sessions that were spoken because their audio failed."""
        found = []
        for record in self.records[since:]:
            message = record.getMessage()
            if audio and record.levelno >= logging.WARNING and record.name == "skill.audio.session_audio":
                found.append(f"audio failed: {message}")
            elif record.levelno >= logging.ERROR:
                detail = f" ({record.exc_info[1]!r})" if record.exc_info and record.exc_info[1] else ""
                found.append(f"raised an error: {message}{detail}")
            elif message.startswith("unhandled intent"):
                intent = message.replace("unhandled intent", "intent")
                found.append(f"{intent} has no handler: the user hears the fallback")
        return found


EXAMPLE_VALUES = {
    "AMAZON.NUMBER": "five",
    "AMAZON.DURATION": "five minutes",
    "AMAZON.DATE": "yesterday",
    "AMAZON.TIME": "three am",
    "AMAZON.FOUR_DIGIT_NUMBER": "two thousand",
}


def example_value(slot_type: str, types: dict[str, Any]) -> str:
    """Something a user might say for a slot type: a custom type's first value, or a built-in example."""
    if slot_type in types and types[slot_type].get("values"):
        return str(types[slot_type]["values"][0]["name"]["value"])
    return EXAMPLE_VALUES.get(slot_type, "something")


def example_lines(model: dict[str, Any]) -> Iterator[str]:
    """Lines a user might say: each intent's first sample, and its first sample with slots, filled in."""
    language = model["interactionModel"]["languageModel"]
    types = {t["name"]: t for t in language.get("types", [])}
    for intent in language.get("intents", []):
        slots = {s["name"]: s.get("type", "") for s in intent.get("slots", [])}
        samples = intent.get("samples", [])

        def fill(match: re.Match[str], slots: dict[str, str] = slots) -> str:
            return example_value(slots.get(match.group(1), ""), types)

        for sample in dict.fromkeys([*samples[:1], *[s for s in samples if "{" in s][:1]]):
            yield re.sub(r"\{([^{}]+)\}", fill, sample)


def check_handlers(project: Project) -> Outcome:
    """Run the skill in-process: launch, then each intent's samples; every response must be valid.

    On AudioPlayer devices long sessions are rendered and played as in production; without a speech
    engine they are spoken instead (as the skill does), and the audio is reported as skipped.
    """
    from skill.audio.session_audio import SessionAudio
    from skill.config import Settings
    from skill.localchat.session import ChatSession, in_process_transport
    from skill.speech.response_check import question_problems, response_problems

    if project.root.resolve() != REPO_ROOT:
        return Outcome("handlers", "skipped: handlers run only against this repository's own code and model")
    models, _ = project.models()
    problems: dict[str, Problem] = {}
    sent = 0
    capture = _Capture()
    logger = logging.getLogger("skill")
    saved = (logger.level, logger.propagate)
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                verify=False, storage="sqlite", db_path=Path(tmp) / "check.db", audio_dir=Path(tmp)
            )
            engine = SessionAudio.from_settings(settings).backend
            audio = engine.available()
            transport = in_process_transport(settings)
            for locale, model in models.items():
                resolver = Resolver(model)
                for audio_player in (False, True):
                    device = f"{locale}, AudioPlayer" if audio_player else locale
                    for line in [f"open {resolver.invocation_name}", *example_lines(model)]:
                        # An unroutable API endpoint keeps reminder and other API calls offline.
                        session = ChatSession(
                            resolver,
                            transport,
                            locale=locale,
                            audio_player=audio_player,
                            api_endpoint=OFFLINE_API,
                        )
                        since = len(capture.records)
                        found: list[str] = []
                        for turn in session.handle(line):
                            sent += 1
                            if turn.error:
                                found.append(turn.error)
                            elif turn.response is not None:
                                found.extend(response_problems(turn.response, locale))
                                found.extend(question_problems(turn.response))
                        found.extend(capture.findings(since, audio=audio))
                        for message in found:
                            # One problem per finding and locale, not one per line and device that met it.
                            problems.setdefault(
                                f"{locale}/{message}",
                                Problem(f"handlers ({device})", f"{message} (after {line!r})"),
                            )
                        session.end()
    finally:
        logger.removeHandler(capture)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
    summary = f"{sent} turns from launch and sample lines, with and without AudioPlayer"
    if audio:
        return Outcome("handlers", summary, list(problems.values()))
    skipped = (
        f"audio skipped: the speech engine ({engine.name}) is not installed, so long sessions on "
        "AudioPlayer devices were checked as spoken sessions (make run installs it)"
    )
    return Outcome("handlers", summary, list(problems.values()), [skipped])


def check_release(project: Project) -> Outcome:
    """``--release`` only: no placeholder left in the manifest (endpoint, privacy and terms URLs, icons)."""
    from skill.release import release_problems

    where = project.relative(project.manifest_path)
    data, problem = project.load_json(project.manifest_path)
    if problem:
        return Outcome("release", "unreadable", [problem])
    found = [Problem(f"{where}: {place}", message) for place, message in release_problems(data or {})]
    return Outcome("release", "deploy-time values of the manifest", found)


CHECKS: dict[str, Callable[[Project], Outcome]] = {
    "models": check_models,
    "samples": check_samples,
    "conflicts": check_conflicts,
    "limits": check_limits,
    "source": check_models_built,
    "manifest": check_manifest,
    "phrases": check_phrases,
    "scripts": check_scripts,
    "handlers": check_handlers,
}


def run(root: Path = REPO_ROOT, only: Sequence[str] = (), release: bool = False) -> list[Outcome]:
    """Run the checks (all, or those named in ``only``) against a project root; ``release`` adds
    the release check (``check_release``), which fails while the manifest still has placeholders."""
    project = Project(root)
    outcomes = [check(project) for name, check in CHECKS.items() if not only or name in only]
    return [*outcomes, check_release(project)] if release else outcomes


@click.command("check")
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=REPO_ROOT,
    show_default="this repository",
    help="Project root holding interaction_model/ and responses/.",
)
@click.option(
    "--only", multiple=True, type=click.Choice(list(CHECKS)), help="Run only these checks (repeatable)."
)
@click.option(
    "--release",
    is_flag=True,
    help="Also fail on deploy-time placeholders (example.com URLs, icons, endpoint): run before submitting.",
)
@click.pass_context
def check(ctx: click.Context, root: Path, only: tuple[str, ...], release: bool) -> None:
    """Validate models, manifest, phrases, scripts and handler responses; exit 1 on any problem."""
    if ctx.parent is None or ctx.parent.params.get("log_level") is None:
        logging.getLogger().setLevel(logging.WARNING)
    outcomes = run(root, only, release)
    for outcome in outcomes:
        status = "ok" if not outcome.problems else f"{len(outcome.problems)} problem(s)"
        click.echo(f"{outcome.name}: {status} ({outcome.summary})")
        for problem in outcome.problems:
            click.echo(f"  {problem}")
        for warning in outcome.warnings:
            click.echo(f"  warning: {warning}")
    problems = sum(len(outcome.problems) for outcome in outcomes)
    if problems:
        click.echo(f"check failed: {problems} problem(s)")
        raise SystemExit(1)
    click.echo("check passed")
