"""Interaction models generated from one source: ``interaction_model/source/*.json``.

``base.json`` holds the invocation name and built-ins; every other file is a feature fragment
with ``intents``, ``types``, and optionally ``dialog`` intents and ``prompts``. Fragments are merged
in file-name order; a name defined twice is an error, so features cannot silently override each
other. The generated ``interaction_model/<locale>.json`` files are committed (the ASK CLI deploys
them) and a test fails when they differ from what this module builds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MODEL_DIR = Path(__file__).resolve().parents[1] / "interaction_model"
SOURCE_DIR = MODEL_DIR / "source"
LOCALES = ["en-US"]


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


def build_model(locale: str = "en-US", source_dir: Path = SOURCE_DIR) -> dict[str, Any]:
    """The full interaction model for a locale, as the ASK CLI expects it."""
    base = _load(source_dir / "base.json")
    intents: dict[str, dict[str, Any]] = {}
    types: dict[str, dict[str, Any]] = {}
    dialog_intents: dict[str, dict[str, Any]] = {}
    prompts: dict[str, dict[str, Any]] = {}
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
    model: dict[str, Any] = {
        "interactionModel": {
            "languageModel": {
                "invocationName": base["invocationName"],
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
    return model


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
