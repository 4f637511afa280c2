"""Preferences remembered per user, and the last technique: what "the usual" and a welcome back use.

Stored in the persistent profile (``state.profile``) under ``preferences`` and ``last_technique``,
so they follow the user across sessions on every storage backend and go with the profile when the
user's data is deleted. Pregnancy mode is ``profile["pregnant"]`` (``skill.safety``).

A preference fills in only what the user did not say: "a breathing exercise" becomes the favourite
pattern at the preferred pace and length, while "box breathing for three minutes" is taken as said.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.engine.script import DEFAULT_PACE, PACES, Options, Script, ScriptError, load_script
from skill.engine.timeline import length_of
from skill.state import user

PREFERENCES = "preferences"
LAST = "last_technique"
# "Always slower" / "always faster": one step along the engine's pace table, as "slower" does.
PACE_FOR = {
    "SLOWER": PACES[PACES.index(DEFAULT_PACE) + 1],
    "FASTER": PACES[PACES.index(DEFAULT_PACE) - 1],
    "NORMAL": DEFAULT_PACE,
}
# Scripts that answer a cramp happening now are not "the usual" nor a technique to welcome back with.
NOT_A_HABIT = ("cramp_now",)


def preferences(handler_input: HandlerInput) -> dict[str, Any]:
    prefs = user.profile(handler_input).setdefault(PREFERENCES, {})
    return prefs if isinstance(prefs, dict) else {}


def update(handler_input: HandlerInput, **values: Any) -> dict[str, Any]:
    """Set some preferences (None removes one) and save the profile."""
    prefs = preferences(handler_input)
    for key, value in values.items():
        if value is None:
            prefs.pop(key, None)
        else:
            prefs[key] = value
    user.profile(handler_input)[PREFERENCES] = prefs
    user.save(handler_input)
    return prefs


def forget(handler_input: HandlerInput) -> None:
    user.profile(handler_input).pop(PREFERENCES, None)
    user.save(handler_input)


def _load(script_id: str, locale: str | None) -> Script | None:
    try:
        return load_script(script_id, locale)
    except (ScriptError, FileNotFoundError, KeyError):
        return None


def preferred_minutes(prefs: dict[str, Any], script: Script, options: Options) -> float | None:
    """The preferred length for this script, when it is timed in minutes and the length fits it."""
    wanted = (prefs.get("lengths") or {}).get(script.technique, prefs.get("minutes"))
    if wanted is None:
        return None
    length = length_of(script, script.resolve_variant(options.variant))
    if length.unit != "minutes" or length.low is None or length.high is None:
        return None
    return float(wanted) if length.low <= float(wanted) <= length.high else None


def apply(handler_input: HandlerInput, script_id: str, options: Options, locale: str | None) -> Options:
    """Fill in what the user did not ask for from their preferences."""
    prefs = preferences(handler_input)
    if not prefs:
        return options
    script = _load(script_id, locale)
    changes: dict[str, Any] = {}
    if options.voice is None and prefs.get("voice"):
        changes["voice"] = prefs["voice"]
    if options.pace == DEFAULT_PACE and prefs.get("pace") in PACE_FOR:
        changes["pace"] = PACE_FOR[prefs["pace"]]
    if script is not None and options.minutes is None and options.breaths is None:
        minutes = preferred_minutes(prefs, script, options)
        if minutes is not None:
            changes["minutes"] = minutes
    return replace(options, **changes) if changes else options


def remember_technique(
    handler_input: HandlerInput, script_id: str, options: Options, locale: str | None
) -> None:
    """Note the technique just started, for "the usual" and the next welcome back."""
    script = _load(script_id, locale)
    if script is None or script.technique in NOT_A_HABIT:
        return
    user.profile(handler_input)[LAST] = {
        "script": script_id,
        "options": options.to_dict(),
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    user.save(handler_input)


def last_technique(handler_input: HandlerInput) -> tuple[str, Options] | None:
    """The last technique started (script id and options), if it still exists."""
    last = user.profile(handler_input).get(LAST)
    if not isinstance(last, dict) or not isinstance(last.get("script"), str):
        return None
    try:
        return last["script"], Options.from_dict(last.get("options") or {})
    except (TypeError, ValueError):
        return None
