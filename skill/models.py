"""Interaction models generated from one source: ``interaction_model/source/*.json``.

``base.json`` holds the invocation name and built-ins; every other file is a feature fragment
with ``intents``, ``types``, and optionally ``dialog`` intents and ``prompts``. Fragments are merged
in file-name order; a name defined twice is an error, so features cannot silently override each
other. The generated ``interaction_model/<locale>.json`` files are committed (the ASK CLI deploys
them) and a test fails when they differ from what this module builds.

Every locale in ``responses/locales.json`` gets a model from the same fragments. Two things differ:
the locale's spelling (``responses/spelling.json``) is applied to every sample, slot value, synonym
and prompt, and ``source/locales/<locale>.json`` may add or remove samples and synonyms
(``docs/locales.md``). Respelling can make two samples equal; the later one is dropped.

Samples come from a grammar where one fits (``docs/interaction-model.md``): a fragment's
``phrases`` name lists of alternatives, and an intent's ``grammar`` holds templates such as
``"<start> {pattern} <length>"`` or ``"(ow|ouch) my {muscle}"``. ``<name>`` stands for every
alternative of a named list, ``(a|b|)`` for the inline ones (an empty one makes the part
optional); a template becomes every combination, after the intent's hand-listed ``samples``. A
locale's override file may add alternatives to a named list (``phrases``) before expansion.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skill.content.locales import respell, supported_locales

MODEL_DIR = Path(__file__).resolve().parents[1] / "interaction_model"
SOURCE_DIR = MODEL_DIR / "source"
LOCALES = supported_locales()
OVERRIDE_KEYS = {"samples", "synonyms", "remove", "phrases", "$comment"}
MAX_EXPANSIONS = 2000  # one template making more samples than this is a mistake, not a grammar


class ModelSourceError(ValueError):
    """Two fragments define the same intent, type or prompt, or a fragment is malformed."""


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ModelSourceError(f"{path.name}: must be a JSON object")
    return data


def _merge_named(into: dict[str, dict[str, Any]], items: list[dict[str, Any]], key: str, source: str) -> None:
    for item in items:
        name = item[key]
        if name in into:
            raise ModelSourceError(f"{source}: {name!r} is already defined")
        into[name] = item


_NAMED = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")
_INLINE = re.compile(r"\(([^()]*)\)")


def expand(template: str, phrases: dict[str, list[str]], source: str = "grammar") -> list[str]:
    """Every sample a grammar template stands for, in order, spaces tidied, without repeats.

    ``<name>`` is replaced by each alternative of ``phrases[name]`` (which may use ``(a|b)`` and
    other names), ``(a|b|)`` by each inline alternative. A hand-written cartesian product: no
    library in the project expands this small a syntax (JSGF/ABNF tools are far larger).
    """
    out: list[str] = []
    pending = [template]
    seen_named: set[str] = set()
    while pending:
        text = pending.pop(0)
        named = _NAMED.search(text)
        inline = _INLINE.search(text)
        if named is None and inline is None:
            if "(" in text or ")" in text or "|" in text or "<" in text:
                raise ModelSourceError(f"{source}: unbalanced grammar in {template!r}")
            out.append(" ".join(text.split()))
            if len(out) > MAX_EXPANSIONS:
                raise ModelSourceError(f"{source}: {template!r} makes more than {MAX_EXPANSIONS} samples")
            continue
        if named is not None and (inline is None or named.start() < inline.start()):
            name = named.group(1)
            if name not in phrases:
                raise ModelSourceError(f"{source}: {template!r} uses <{name}>, which no fragment defines")
            seen_named.add(name)
            options, span = phrases[name], named.span()
        else:
            assert inline is not None
            options, span = inline.group(1).split("|"), inline.span()
        pending[:0] = [text[: span[0]] + f" {option} " + text[span[1] :] for option in options]
    return [sample for sample in _dedupe(out) if sample]


def _expand_grammars(intents: dict[str, dict[str, Any]], phrases: dict[str, list[str]]) -> None:
    """Each intent's ``grammar`` templates turned into samples after its hand-listed ones."""
    for name, intent in list(intents.items()):
        grammar = intent.get("grammar")
        if grammar is None:
            continue
        generated = [s for template in grammar for s in expand(template, phrases, f"intent {name}")]
        rest = {k: v for k, v in intent.items() if k != "grammar"}
        intents[name] = {**rest, "samples": _dedupe([*intent.get("samples", []), *generated])}


def build_model(
    locale: str = "en-US", source_dir: Path = SOURCE_DIR, responses_dir: Path | None = None
) -> dict[str, Any]:
    """The full interaction model for a locale, as the ASK CLI expects it.

    ``responses_dir`` holds the spelling tables; by default the ``responses/`` beside the source's
    ``interaction_model/`` (a source without one is built as written).
    """
    base = _load(source_dir / "base.json")
    intents: dict[str, dict[str, Any]] = {}
    types: dict[str, dict[str, Any]] = {}
    dialog_intents: dict[str, dict[str, Any]] = {}
    prompts: dict[str, dict[str, Any]] = {}
    phrases: dict[str, list[str]] = {}
    fragments = [
        source_dir / "base.json",
        *sorted(p for p in source_dir.glob("*.json") if p.name != "base.json"),
    ]
    for path in fragments:
        fragment = base if path.name == "base.json" else _load(path)
        _merge_named(intents, fragment.get("intents", []), "name", path.name)
        _merge_named(types, fragment.get("types", []), "name", path.name)
        _merge_named(dialog_intents, fragment.get("dialog", {}).get("intents", []), "name", path.name)
        _merge_named(prompts, fragment.get("prompts", []), "id", path.name)
        for phrase_name, options in fragment.get("phrases", {}).items():
            if phrase_name in phrases:
                raise ModelSourceError(f"{path.name}: phrase list <{phrase_name}> is already defined")
            phrases[phrase_name] = list(options)
    override_path = source_dir / "locales" / f"{locale}.json"
    overrides = _load(override_path) if override_path.is_file() else None
    for phrase_name, options in (overrides or {}).get("phrases", {}).items():
        if phrase_name not in phrases:
            raise ModelSourceError(f"{override_path.name}: no phrase list <{phrase_name}> to extend")
        phrases[phrase_name] = [*phrases[phrase_name], *options]
    _expand_grammars(intents, phrases)
    model: dict[str, Any] = {
        "interactionModel": {
            "languageModel": {
                "invocationName": base["invocationName"],
                **(
                    {"modelConfiguration": base["modelConfiguration"]} if "modelConfiguration" in base else {}
                ),
                "intents": list(intents.values()),
                "types": list(types.values()),
            }
        }
    }
    if dialog_intents:
        model["interactionModel"]["dialog"] = {
            "intents": list(dialog_intents.values()),
            "delegationStrategy": base.get("delegationStrategy", "SKILL_RESPONSE"),
        }
    if prompts:
        model["interactionModel"]["prompts"] = list(prompts.values())
    if overrides is not None:
        _apply_overrides(model, overrides, override_path.name)
    if responses_dir is None:
        responses_dir = source_dir.resolve().parent.parent / "responses"
    _respell(model, respell(locale, responses_dir))
    return model


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _dedupe(items: list[str], also: set[str] | None = None) -> list[str]:
    """Items in order without repeats (case and spacing ignored), and without any of ``also``."""
    seen = set(also or ())
    out = []
    for item in items:
        if _key(item) not in seen:
            seen.add(_key(item))
            out.append(item)
    return out


def _named(model: dict[str, Any], kind: str, name: str, source: str) -> dict[str, Any]:
    language = model["interactionModel"]["languageModel"]
    for item in language[kind]:
        if item["name"] == name:
            return dict(item)
    raise ModelSourceError(f"{source}: no {kind[:-1]} {name!r} to change")


def _value(slot_type: dict[str, Any], value_id: str, source: str) -> dict[str, Any]:
    for value in slot_type.get("values", []):
        if value.get("id") == value_id:
            return value  # type: ignore[no-any-return]
    raise ModelSourceError(f"{source}: type {slot_type['name']} has no value {value_id!r}")


def _apply_overrides(model: dict[str, Any], overrides: dict[str, Any], source: str) -> None:
    """A locale's extra and removed samples and synonyms; naming anything that is not there is an error."""
    unknown = set(overrides) - OVERRIDE_KEYS
    if unknown:
        raise ModelSourceError(f"{source}: unknown keys {sorted(unknown)} (allowed: {sorted(OVERRIDE_KEYS)})")
    language = model["interactionModel"]["languageModel"]
    intents = {i["name"]: i for i in language["intents"]}
    types = {t["name"]: t for t in language["types"]}
    removals = overrides.get("remove", {})
    if set(removals) - {"samples", "synonyms"}:
        raise ModelSourceError(f"{source}: remove takes samples and synonyms")
    for sign, section in ((-1, removals), (1, overrides)):
        for intent_name, samples in section.get("samples", {}).items():
            if intent_name not in intents:
                raise ModelSourceError(f"{source}: no intent {intent_name!r} to change")
            intent = intents[intent_name] = {**intents[intent_name]}
            current = list(intent.get("samples", []))
            if sign < 0:
                missing = [s for s in samples if _key(s) not in {_key(c) for c in current}]
                if missing:
                    raise ModelSourceError(f"{source}: {intent_name} has no samples {missing} to remove")
                intent["samples"] = [c for c in current if _key(c) not in {_key(s) for s in samples}]
            else:
                intent["samples"] = _dedupe([*current, *samples])
        for type_name, values in section.get("synonyms", {}).items():
            if type_name not in types:
                raise ModelSourceError(f"{source}: no type {type_name!r} to change")
            slot_type = types[type_name] = {
                **types[type_name],
                "values": [{**v, "name": dict(v["name"])} for v in types[type_name].get("values", [])],
            }
            for value_id, synonyms in values.items():
                name = _value(slot_type, value_id, source)["name"]
                current = list(name.get("synonyms", []))
                if sign < 0:
                    missing = [s for s in synonyms if _key(s) not in {_key(c) for c in current}]
                    if missing:
                        raise ModelSourceError(f"{source}: {type_name}.{value_id} has no synonyms {missing}")
                    name["synonyms"] = [c for c in current if _key(c) not in {_key(s) for s in synonyms}]
                else:
                    name["synonyms"] = _dedupe([*current, *synonyms], {_key(name["value"])})
    language["intents"] = [intents[i["name"]] for i in language["intents"]]
    language["types"] = [types[t["name"]] for t in language["types"]]


def _respell(model: dict[str, Any], spell: Callable[[str], str]) -> None:
    """Put every text a user says or hears into the locale's spelling; ids and names stay as they are."""
    interaction = model["interactionModel"]
    language = interaction["languageModel"]
    intents = []
    for intent in language["intents"]:
        intent = {**intent}
        if "samples" in intent:
            intent["samples"] = _dedupe([spell(s) for s in intent["samples"]])
        if "slots" in intent:
            intent["slots"] = [
                {**slot, "samples": _dedupe([spell(s) for s in slot["samples"]])}
                if "samples" in slot
                else slot
                for slot in intent["slots"]
            ]
        intents.append(intent)
    language["intents"] = intents
    types = []
    for slot_type in language["types"]:
        values = []
        for value in slot_type.get("values", []):
            name = {**value["name"], "value": spell(value["name"]["value"])}
            if "synonyms" in name:
                name["synonyms"] = _dedupe([spell(s) for s in name["synonyms"]], {_key(name["value"])})
            values.append({**value, "name": name})
        types.append({**slot_type, "values": values})
    language["types"] = types
    if "prompts" in interaction:
        interaction["prompts"] = [
            {
                **prompt,
                "variations": [
                    {**v, "value": spell(v.get("value", ""))} for v in prompt.get("variations", [])
                ],
            }
            for prompt in interaction["prompts"]
        ]


def render(model: dict[str, Any]) -> str:
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def write_models(model_dir: Path = MODEL_DIR) -> list[Path]:
    """Regenerate every locale's model file; returns the files written."""
    written = []
    for locale in LOCALES:
        path = model_dir / f"{locale}.json"
        path.write_text(render(build_model(locale)), encoding="utf-8")
        written.append(path)
    return written


def load_model(locale: str = "en-US", model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """The committed model for a locale."""
    data: dict[str, Any] = json.loads((model_dir / f"{locale}.json").read_text(encoding="utf-8"))
    return data
