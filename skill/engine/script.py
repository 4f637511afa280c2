"""Guided-technique scripts: typed models for ``responses/<locale>/scripts/<id>.json``, checked on load.

A script is data: named steps (``say``, ``pause``, ``breath``, ``tense``, ``release``, ``hold``,
``checkpoint``, ``repeat``, ``include``) plus the options a user may ask for (variant, length, voice).
Every problem found while loading names the file and the step (``pmr.json: steps[4] (tense): …``).
The format is documented in ``docs/scripts.md``. Nothing here knows about Alexa or ask-sdk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from skill.content.catalog import RESPONSES_DIR, Catalog, default_catalog, locale_chain
from skill.content.locales import respell

VARIANTS = ("full", "legs", "in_bed", "quick", "recall")
VOICES = ("normal", "whisper")
PHASES = ("inhale", "hold", "exhale")
LENGTH_UNITS = ("minutes", "cycles", "fixed")
ENDINGS = ("done", "quiet", "offer_log")
CONDITIONS = ("pregnant", "leg_swollen")
CHECKPOINT_ON_NO = ("repeat", "continue")
# What a user may name to choose a script (the start and cramp intents' slots): ``chosen_by`` maps
# these to the values (slot value ids such as ``BOX``) that start the script.
CHOICE_SLOTS = ("pattern", "stretch", "point", "muscle", "technique")

# Pace is a time multiplier: every phase, hold and pause lasts ``pace`` times its scripted seconds.
# "slower" / "faster" move one place along this table, so the pace stays bounded.
PACES = (0.8, 0.9, 1.0, 1.15, 1.3)
DEFAULT_PACE = 1.0
MAX_MINUTES = 24 * 60
MAX_BREATHS = 10_000

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEY = re.compile(r"^[a-z0-9_]+$")
_CATALOG_KEY = re.compile(r"^[a-z_]+(?:\.[a-z0-9_]+)+$")
_SOURCE_TAG = re.compile(r"^[A-Z]\d+[a-z]?$")
_SLOT_VALUE = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)*$")


class ScriptError(ValueError):
    """A script file that does not follow the format; the message names the file and the step."""


Variant = Literal["full", "legs", "in_bed", "quick", "recall"]


@dataclass(frozen=True, kw_only=True)
class Step:
    """Common to every step: the variants it is part of (all when ``when`` is empty)."""

    when: tuple[str, ...] = ()

    def applies(self, variant: str) -> bool:
        return not self.when or variant in self.when


@dataclass(frozen=True, kw_only=True)
class Say(Step):
    """Speak a phrase: a key of the script's ``phrases`` or, when it contains a dot, a catalog key."""

    key: str


@dataclass(frozen=True, kw_only=True)
class Pause(Step):
    """Silence; with ``low``/``high`` it may stretch between them so the session fits its length."""

    seconds: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, kw_only=True)
class Phase:
    """One part of a breath: inhale, hold or exhale, for whole seconds (so it can be counted)."""

    name: str
    seconds: int


@dataclass(frozen=True, kw_only=True)
class Breath(Step):
    """Cycles of a breathing pattern; ``fit`` lets the engine choose the number of cycles for the length.

    The first ``counted`` cycles are counted aloud ("Breathe in, two, three, four"); later cycles get
    only the phase word, so the voice does not talk all the way through.
    """

    phases: tuple[Phase, ...]
    cycles: int
    fit: bool = False
    min_cycles: int = 1
    max_cycles: int = 200
    counted: int = 2

    @property
    def cycle_seconds(self) -> int:
        return sum(phase.seconds for phase in self.phases)


@dataclass(frozen=True, kw_only=True)
class Tense(Step):
    """Tense a muscle group gently for ``seconds`` after the instruction (``tense_<group>`` phrase)."""

    group: str
    seconds: float = 5
    key: str | None = None  # another instruction phrase, e.g. a shorter one for the second round


@dataclass(frozen=True, kw_only=True)
class Release(Step):
    """Let a group go and rest for ``seconds`` (may stretch between ``low`` and ``high``)."""

    group: str
    seconds: float = 25
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, kw_only=True)
class Hold(Step):
    """A stretch or press held for ``seconds``, counted every ``count_every`` seconds (0: silent)."""

    seconds: float
    low: float | None = None
    high: float | None = None
    count_every: int = 1
    breathe_cue: bool = False  # say "keep breathing slowly" half way instead of a number


@dataclass(frozen=True, kw_only=True)
class Checkpoint(Step):
    """A place where a session may split, pause and resume.

    With ``prompt`` (a phrase key) the session always stops here and asks that question; ``on_no``
    says what a "no" answer does ("repeat" the part just heard, or "continue").
    """

    name: str
    prompt: str | None = None
    on_no: str | None = None


@dataclass(frozen=True, kw_only=True)
class Repeat(Step):
    """Run ``steps`` ``times`` times, with ``between`` steps (a rest) between the rounds."""

    times: int
    steps: tuple[Step, ...]
    between: tuple[Step, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Include(Step):
    """Another script, in its own variant and length (used by routines)."""

    script: str
    variant: str | None = None
    minutes: float | None = None


@dataclass(frozen=True)
class Length:
    """How long a session is asked for: minutes, breath cycles, or fixed by the script."""

    unit: str
    default: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class VariantSpec:
    """What a variant changes: its length range and default voice."""

    length: Length
    voice: str = "normal"


@dataclass(frozen=True)
class Script:
    """One loaded, validated script."""

    id: str
    title: str
    technique: str
    sources: tuple[str, ...]
    phrases: Mapping[str, str]
    steps: tuple[Step, ...]
    variants: Mapping[str, VariantSpec]
    default_variant: str
    variant_aliases: Mapping[str, str] = field(default_factory=dict)
    chosen_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # slot -> values that start it
    ending: str = "done"
    skip_if: Mapping[str, str] = field(default_factory=dict)
    # Under a condition, play this variant instead ({"leg_swollen": {"variant": "recall", "say": key}}):
    # muscle relaxation without tensing the legs while a leg is held back.
    instead_if: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    path: Path | None = None

    def resolve_variant(self, requested: str | None) -> str:
        """The variant to run: the one asked for, its alias, or the script's default."""
        if requested is None:
            return self.default_variant
        if requested in self.variants:
            return requested
        return self.variant_aliases.get(requested, self.default_variant)

    def text(self, key: str, locale: str | None = None, catalog: Catalog | None = None) -> str:
        """The words of a phrase key; dotted keys come from the phrase catalog (first variant)."""
        if "." in key:
            return (catalog or default_catalog()).variants(locale, key)[0]
        return self.phrases[key]


@dataclass(frozen=True)
class Options:
    """What the user asked for. ``None`` means "the script's default" for that option."""

    variant: str | None = None
    minutes: float | None = None
    breaths: int | None = None
    pace: float = DEFAULT_PACE
    voice: str | None = None

    def with_pace_step(self, direction: int) -> Options | None:
        """One step slower (+1) or faster (-1) along ``PACES``; None at either end."""
        index = PACES.index(self.pace) + direction
        return replace(self, pace=PACES[index]) if 0 <= index < len(PACES) else None

    def to_dict(self) -> dict[str, Any]:
        """Compact form for session attributes: defaults are left out."""
        values = {
            "variant": self.variant,
            "minutes": self.minutes,
            "breaths": self.breaths,
            "voice": self.voice,
        }
        out: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
        if self.pace != DEFAULT_PACE:
            out["pace"] = self.pace
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Options:
        options = cls(
            variant=data.get("variant"),
            minutes=data.get("minutes"),
            breaths=data.get("breaths"),
            pace=float(data.get("pace", DEFAULT_PACE)),
            voice=data.get("voice"),
        )
        options.check()
        return options

    def check(self) -> None:
        """Raise ValueError for values the engine cannot use (all of them come from outside)."""
        if self.variant is not None and self.variant not in VARIANTS:
            raise ValueError(f"unknown variant {self.variant!r}")
        if self.voice is not None and self.voice not in VOICES:
            raise ValueError(f"unknown voice {self.voice!r}")
        if self.pace not in PACES:
            raise ValueError(f"pace must be one of {PACES}")
        # Only sanity bounds: each script clamps or refuses lengths outside its own range.
        if self.minutes is not None and not 0 < self.minutes <= MAX_MINUTES:
            raise ValueError(f"minutes must be between 0 and {MAX_MINUTES}")
        if self.breaths is not None and not 0 < self.breaths <= MAX_BREATHS:
            raise ValueError(f"breaths must be between 1 and {MAX_BREATHS}")


# Loading and validation.


class _Context:
    """Where we are in a file, so every error can say so."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> ScriptError:
        return ScriptError(f"{self.path.name}: {where}: {message}")


def _number(
    ctx: _Context, where: str, value: Any, name: str, *, minimum: float = 0, integer: bool = False
) -> Any:
    kinds = (int,) if integer else (int, float)
    if (
        isinstance(value, bool)
        or not isinstance(value, kinds)
        or value < minimum
        or (value == 0 and minimum == 0)
    ):
        kind = "a whole number" if integer else "a number"
        raise ctx.fail(where, f"{name} must be {kind} greater than {minimum if minimum else 0}")
    return value


def _range(
    ctx: _Context, where: str, data: Mapping[str, Any], seconds: float
) -> tuple[float | None, float | None]:
    low, high = data.get("min"), data.get("max")
    if (low is None) != (high is None):
        raise ctx.fail(where, "give both min and max, or neither")
    if low is None:
        return None, None
    low = _number(ctx, where, low, "min")
    high = _number(ctx, where, high, "max")
    if not low <= seconds <= high:
        raise ctx.fail(where, f"seconds {seconds} must lie between min {low} and max {high}")
    return float(low), float(high)


_STEP_KEYS: dict[str, set[str]] = {
    "say": set(),
    "pause": {"min", "max"},
    "breath": {"cycles", "fit", "min_cycles", "max_cycles", "counted"},
    "tense": {"seconds", "phrase"},
    "release": {"seconds", "min", "max"},
    "hold": {"min", "max", "count_every", "breathe_cue"},
    "checkpoint": {"prompt", "no"},
    "repeat": {"steps", "between"},
    "include": {"variant", "minutes"},
}


def _parse_step(ctx: _Context, where: str, data: Any) -> Step:
    if not isinstance(data, dict):
        raise ctx.fail(where, "a step must be an object")
    kinds = [k for k in data if k in _STEP_KEYS]
    if len(kinds) != 1:
        raise ctx.fail(where, f"a step needs exactly one of {sorted(_STEP_KEYS)}, got {sorted(data)}")
    kind = kinds[0]
    where = f"{where} ({kind})"
    unknown = set(data) - {kind, "when"} - _STEP_KEYS[kind]
    if unknown:
        raise ctx.fail(where, f"unknown fields {sorted(unknown)}")
    when = data.get("when", [])
    if not isinstance(when, list) or any(v not in VARIANTS for v in when):
        raise ctx.fail(where, f"when must list variants from {VARIANTS}")
    common = {"when": tuple(when)}
    value = data[kind]
    if kind == "say":
        if not isinstance(value, str) or not (_KEY.match(value) or _CATALOG_KEY.match(value)):
            raise ctx.fail(where, "say takes a phrase key")
        return Say(key=value, **common)
    if kind == "pause":
        seconds = float(_number(ctx, where, value, "pause seconds"))
        low, high = _range(ctx, where, data, seconds)
        return Pause(seconds=seconds, low=low, high=high, **common)
    if kind == "breath":
        if not isinstance(value, list) or not value:
            raise ctx.fail(where, "breath takes a list of phases")
        phases = []
        for i, phase in enumerate(value):
            at = f"{where} phases[{i}]"
            if not isinstance(phase, dict) or set(phase) != {"phase", "seconds"}:
                raise ctx.fail(at, 'a phase is {"phase": "inhale|hold|exhale", "seconds": N}')
            if phase["phase"] not in PHASES:
                raise ctx.fail(at, f"phase must be one of {PHASES}")
            phases.append(
                Phase(
                    name=phase["phase"], seconds=_number(ctx, at, phase["seconds"], "seconds", integer=True)
                )
            )
        if not any(p.name == "inhale" for p in phases) or not any(p.name == "exhale" for p in phases):
            raise ctx.fail(where, "a breath needs an inhale and an exhale")
        cycles = _number(ctx, where, data.get("cycles"), "cycles", integer=True)
        low = _number(ctx, where, data.get("min_cycles", 1), "min_cycles", integer=True)
        high = _number(ctx, where, data.get("max_cycles", max(cycles, 200)), "max_cycles", integer=True)
        if not low <= cycles <= high:
            raise ctx.fail(where, f"cycles {cycles} must lie between min_cycles {low} and max_cycles {high}")
        counted = data.get("counted", 2)
        if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
            raise ctx.fail(where, "counted must be a whole number of cycles (0 or more)")
        fit = data.get("fit", False)
        if not isinstance(fit, bool):
            raise ctx.fail(where, "fit must be true or false")
        return Breath(
            phases=tuple(phases),
            cycles=cycles,
            fit=fit,
            min_cycles=low,
            max_cycles=high,
            counted=counted,
            **common,
        )
    if kind in ("tense", "release"):
        if not isinstance(value, str) or not _KEY.match(value):
            raise ctx.fail(where, f"{kind} takes a muscle group name (letters, digits, underscores)")
        if kind == "tense":
            key = data.get("phrase")
            if key is not None and (not isinstance(key, str) or not _KEY.match(key)):
                raise ctx.fail(where, "phrase must be a phrase key")
            return Tense(
                group=value,
                seconds=float(_number(ctx, where, data.get("seconds", 5), "seconds")),
                key=key,
                **common,
            )
        seconds = float(_number(ctx, where, data.get("seconds", 25), "seconds"))
        low, high = _range(ctx, where, data, seconds)
        return Release(group=value, seconds=seconds, low=low, high=high, **common)
    if kind == "hold":
        seconds = float(_number(ctx, where, value, "hold seconds"))
        low, high = _range(ctx, where, data, seconds)
        every = data.get("count_every", 1)
        if isinstance(every, bool) or not isinstance(every, int) or every < 0:
            raise ctx.fail(where, "count_every must be a whole number of seconds (0: silent)")
        breathe = data.get("breathe_cue", False)
        if not isinstance(breathe, bool):
            raise ctx.fail(where, "breathe_cue must be true or false")
        return Hold(seconds=seconds, low=low, high=high, count_every=every, breathe_cue=breathe, **common)
    if kind == "checkpoint":
        if not isinstance(value, str) or not _KEY.match(value):
            raise ctx.fail(where, "checkpoint takes a name")
        prompt, on_no = data.get("prompt"), data.get("no")
        if prompt is not None and (
            not isinstance(prompt, str) or not (_KEY.match(prompt) or _CATALOG_KEY.match(prompt))
        ):
            raise ctx.fail(where, "prompt must be a phrase key")
        if on_no is not None and (prompt is None or on_no not in CHECKPOINT_ON_NO):
            raise ctx.fail(where, f"no needs a prompt and must be one of {CHECKPOINT_ON_NO}")
        return Checkpoint(name=value, prompt=prompt, on_no=on_no, **common)
    if kind == "repeat":
        times = _number(ctx, where, value, "repeat times", integer=True)
        steps = _parse_steps(ctx, f"{where} steps", data.get("steps"))
        between = _parse_steps(ctx, f"{where} between", data.get("between", []), allow_empty=True)
        return Repeat(times=times, steps=steps, between=between, **common)
    # include
    if not isinstance(value, str) or not _ID.match(value):
        raise ctx.fail(where, "include takes a script id")
    variant = data.get("variant")
    if variant is not None and variant not in VARIANTS:
        raise ctx.fail(where, f"variant must be one of {VARIANTS}")
    minutes = data.get("minutes")
    if minutes is not None:
        minutes = float(_number(ctx, where, minutes, "minutes"))
    return Include(script=value, variant=variant, minutes=minutes, **common)


def _parse_steps(ctx: _Context, where: str, data: Any, *, allow_empty: bool = False) -> tuple[Step, ...]:
    if not isinstance(data, list) or (not data and not allow_empty):
        raise ctx.fail(where, "must be a non-empty list of steps")
    return tuple(_parse_step(ctx, f"{where}[{i}]", step) for i, step in enumerate(data))


def _parse_length(ctx: _Context, where: str, data: Any, base: Length | None = None) -> Length:
    if not isinstance(data, dict):
        raise ctx.fail(where, "length must be an object")
    unknown = set(data) - {"unit", "default", "min", "max"}
    if unknown:
        raise ctx.fail(where, f"unknown fields {sorted(unknown)}")
    merged = {"unit": base.unit, "default": base.default, "min": base.low, "max": base.high} if base else {}
    merged.update(data)
    unit = merged.get("unit")
    if unit not in LENGTH_UNITS:
        raise ctx.fail(where, f"unit must be one of {LENGTH_UNITS}")
    if unit == "fixed":
        return Length("fixed")
    low = float(_number(ctx, where, merged.get("min"), "min"))
    high = float(_number(ctx, where, merged.get("max"), "max"))
    default = merged.get("default")
    if default is not None:
        default = float(_number(ctx, where, default, "default"))
    if not low <= (default if default is not None else low) <= high:
        raise ctx.fail(where, f"default {default} must lie between min {low} and max {high}")
    return Length(unit, default, low, high)


def _walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        if isinstance(step, Repeat):
            yield from _walk(step.steps)
            yield from _walk(step.between)


def _check_references(ctx: _Context, script: Script, catalog: Catalog) -> None:
    """Every phrase key a step uses must exist, and so must every script a routine includes."""

    def need(where: str, key: str) -> None:
        if "." in key:
            if not catalog.has(None, key):
                raise ctx.fail(where, f"no catalog phrase {key!r}")
        elif key not in script.phrases:
            raise ctx.fail(where, f"no phrase {key!r} in this script's phrases")

    fit_steps = 0
    for index, step in enumerate(_walk(script.steps)):
        where = f"step {index} ({type(step).__name__.lower()})"
        if isinstance(step, Say):
            need(where, step.key)
        elif isinstance(step, Tense):
            need(where, step.key or f"tense_{step.group}")
            need(where, f"group_{step.group}")
        elif isinstance(step, Release):
            need(where, f"group_{step.group}")
        elif isinstance(step, Checkpoint) and step.prompt:
            need(where, step.prompt)
        elif isinstance(step, Breath) and step.fit:
            fit_steps += 1
        elif isinstance(step, Include) and not (ctx.path.parent / f"{step.script}.json").is_file():
            raise ctx.fail(where, f"includes unknown script {step.script!r}")
    if fit_steps > 1:
        raise ctx.fail("steps", "at most one breath step may fit the length")
    for condition, key in script.skip_if.items():
        need(f"skip_if.{condition}", key)
    for condition, instead in script.instead_if.items():
        need(f"instead_if.{condition}.say", instead["say"])


def parse_script(path: Path, data: Any, catalog: Catalog | None = None) -> Script:
    """Validate a script's JSON and build its model; raises ScriptError naming the file and step."""
    ctx = _Context(path)
    if not isinstance(data, dict):
        raise ctx.fail("top level", "a script must be a JSON object")
    script_id = path.stem
    if not _ID.match(script_id):
        raise ctx.fail("file name", "script ids are kebab-case (letters, digits, hyphens)")
    allowed = {
        "title",
        "technique",
        "sources",
        "phrases",
        "steps",
        "length",
        "variants",
        "default_variant",
        "variant_aliases",
        "chosen_by",
        "ending",
        "skip_if",
        "instead_if",
        "$comment",
    }
    unknown = set(data) - allowed
    if unknown:
        raise ctx.fail("top level", f"unknown fields {sorted(unknown)}")
    for name in ("title", "technique"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise ctx.fail(name, "must be a non-empty string")
    sources = data.get("sources")
    if (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) and _SOURCE_TAG.match(s) for s in sources)
    ):
        raise ctx.fail(
            "sources", 'list the content guide source tags this script relies on, e.g. ["T1", "E15"]'
        )
    phrases = data.get("phrases", {})
    if not isinstance(phrases, dict) or not all(
        isinstance(k, str) and _KEY.match(k) and isinstance(v, str) and v.strip() for k, v in phrases.items()
    ):
        raise ctx.fail("phrases", "must map snake_case keys to non-empty strings")
    base_length = _parse_length(ctx, "length", data.get("length", {"unit": "fixed"}))
    raw_variants = data.get("variants", {"full": {}})
    if not isinstance(raw_variants, dict) or not raw_variants:
        raise ctx.fail("variants", "must be an object of variant names")
    variants: dict[str, VariantSpec] = {}
    for name, spec in raw_variants.items():
        where = f"variants.{name}"
        if name not in VARIANTS:
            raise ctx.fail(where, f"variant must be one of {VARIANTS}")
        if not isinstance(spec, dict) or set(spec) - {"length", "voice"}:
            raise ctx.fail(where, "a variant may set length and voice")
        length = (
            _parse_length(ctx, f"{where}.length", spec["length"], base_length)
            if "length" in spec
            else base_length
        )
        voice = spec.get("voice", "normal")
        if voice not in VOICES:
            raise ctx.fail(where, f"voice must be one of {VOICES}")
        variants[name] = VariantSpec(length, voice)
    default_variant = data.get("default_variant", next(iter(variants)))
    if default_variant not in variants:
        raise ctx.fail("default_variant", f"{default_variant!r} is not one of this script's variants")
    aliases = data.get("variant_aliases", {})
    if not isinstance(aliases, dict) or any(
        k not in VARIANTS or v not in variants for k, v in aliases.items()
    ):
        raise ctx.fail("variant_aliases", "must map a variant name to one of this script's variants")
    chosen_by = _parse_chosen_by(ctx, data.get("chosen_by", {}))
    ending = data.get("ending", "done")
    if ending not in ENDINGS:
        raise ctx.fail("ending", f"must be one of {ENDINGS}")
    skip_if = data.get("skip_if", {})
    if not isinstance(skip_if, dict) or any(
        k not in CONDITIONS or not isinstance(v, str) for k, v in skip_if.items()
    ):
        raise ctx.fail("skip_if", f"must map a condition from {CONDITIONS} to a phrase key")
    instead_if = data.get("instead_if", {})
    if not isinstance(instead_if, dict) or any(
        k not in CONDITIONS
        or not isinstance(v, dict)
        or set(v) != {"variant", "say"}
        or v["variant"] not in variants
        or not isinstance(v["say"], str)
        for k, v in instead_if.items()
    ):
        raise ctx.fail(
            "instead_if",
            f"must map a condition from {CONDITIONS} to {{variant: one of {sorted(variants)}, say: key}}",
        )
    script = Script(
        id=script_id,
        title=data["title"],
        technique=data["technique"],
        sources=tuple(sources),
        phrases=dict(phrases),
        steps=_parse_steps(ctx, "steps", data.get("steps")),
        variants=variants,
        default_variant=default_variant,
        variant_aliases=dict(aliases),
        chosen_by=chosen_by,
        ending=ending,
        skip_if=dict(skip_if),
        instead_if={k: dict(v) for k, v in instead_if.items()},
        path=path,
    )
    _check_references(ctx, script, catalog or default_catalog())
    return script


def _parse_chosen_by(ctx: _Context, data: Any) -> dict[str, tuple[str, ...]]:
    """``{"muscle": ["FOOT", "TOES"]}``: the slot values that start this script."""
    if not isinstance(data, dict):
        raise ctx.fail("chosen_by", f"must map a slot from {CHOICE_SLOTS} to a list of slot value ids")
    chosen: dict[str, tuple[str, ...]] = {}
    for slot, values in data.items():
        where = f"chosen_by.{slot}"
        if slot not in CHOICE_SLOTS:
            raise ctx.fail(where, f"unknown slot {slot!r}: choose from {CHOICE_SLOTS}")
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and _SLOT_VALUE.match(v) for v in values)
        ):
            raise ctx.fail(where, 'must list slot value ids in capitals, e.g. ["BOX"]')
        if len(set(values)) != len(values):
            raise ctx.fail(where, "lists a value twice")
        chosen[slot] = tuple(values)
    return chosen


def scripts_dir(locale: str, root: Path = RESPONSES_DIR) -> Path:
    return root / locale / "scripts"


def script_ids(locale: str | None = None, root: Path = RESPONSES_DIR) -> list[str]:
    """Every script id visible from a locale (its own files and its fallbacks')."""
    ids: set[str] = set()
    for candidate in locale_chain(locale):
        ids.update(p.stem for p in scripts_dir(candidate, root).glob("*.json"))
    return sorted(ids)


@lru_cache(maxsize=256)
def load_script(script_id: str, locale: str | None = None, root: Path = RESPONSES_DIR) -> Script:
    """Load a script for a locale: the language's file, with a locale file's ``phrases`` laid over it.

    A locale (``en-GB``) may ship a file holding only ``phrases`` to change wording; the steps and
    timings always come from the language file so every locale keeps the same pacing. The title and
    phrases are then put into the locale's spelling (``skill.content.spelling``).
    """
    if not _ID.match(script_id):
        raise ScriptError(f"{script_id!r}: not a script id")
    chain = locale_chain(locale)
    paths = [scripts_dir(c, root) / f"{script_id}.json" for c in chain]
    existing = [p for p in paths if p.is_file()]
    if not existing:
        raise ScriptError(f"{script_id}.json: no such script for locale {locale!r}")
    base_path = next((p for p in reversed(existing) if "steps" in _read(p)), existing[-1])
    data = _read(base_path)
    phrases = dict(data.get("phrases", {}))
    for path in reversed(existing):
        if path != base_path:
            override = _read(path)
            if set(override) - {"phrases", "$comment"}:
                raise ScriptError(
                    f"{path.name} ({path.parent.parent.name}): a locale override may only hold phrases"
                )
            phrases.update(override.get("phrases", {}))
    spell = respell(locale, root)
    title = spell(data["title"]) if isinstance(data.get("title"), str) else data.get("title")
    spelled = {key: spell(text) if isinstance(text, str) else text for key, text in phrases.items()}
    return parse_script(base_path, {**data, "title": title, "phrases": spelled})


@lru_cache(maxsize=8)
def chosen_scripts(root: Path = RESPONSES_DIR) -> Mapping[str, Mapping[str, str]]:
    """Which script each slot value starts, from every script's ``chosen_by``:
    ``chosen_scripts()["muscle"]["TOES"] == "cramp-now-foot"``. Built once, on first use.

    The steps (and so ``chosen_by``) come from the default language's files, so one table serves
    every locale. A value claimed by two scripts raises ScriptError naming both files and the field.
    """
    found: dict[str, dict[str, str]] = {slot: {} for slot in CHOICE_SLOTS}
    for script_id in script_ids(None, root):
        script = load_script(script_id, None, root)
        for slot, values in script.chosen_by.items():
            for value in values:
                claimed = found[slot].setdefault(value, script_id)
                if claimed != script_id:
                    raise ScriptError(
                        f"{script_id}.json: chosen_by.{slot}: {value} is already chosen by {claimed}.json"
                    )
    return MappingProxyType({slot: MappingProxyType(table) for slot, table in found.items()})


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ScriptError(f"{path.name}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ScriptError(f"{path.name}: top level: a script must be a JSON object")
    return data
