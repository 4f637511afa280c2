"""Named accessors for session and persistent state; handlers never poke dicts inline.

Session state lives under one key (``cc``) so it stays small and easy to inspect. Persistent state
(the user's profile, playback position, preferences) goes through ask-sdk's persistence adapter.
"""

from __future__ import annotations

from typing import Any, cast

from ask_sdk_core.handler_input import HandlerInput

SESSION_KEY = "cc"


def has_session(handler_input: HandlerInput) -> bool:
    """False for requests that arrive without a session (AudioPlayer and skill events)."""
    return handler_input.request_envelope.session is not None


def session_state(handler_input: HandlerInput) -> dict[str, Any]:
    """The skill's namespace inside session attributes (empty without a session)."""
    if not has_session(handler_input):
        return {}
    attributes = handler_input.attributes_manager.session_attributes
    assert attributes is not None, "ask-sdk makes session attributes a dict whenever there is a session"
    return attributes.setdefault(SESSION_KEY, {})


def profile(handler_input: HandlerInput) -> dict[str, Any]:
    """The user's persistent profile (created on first access)."""
    attributes = handler_input.attributes_manager.persistent_attributes
    # ask-sdk types persistent attributes as dict[str, object]; the profile is always a dict (made here).
    return cast(dict[str, Any], attributes.setdefault("profile", {}))


def save_persistent(handler_input: HandlerInput) -> None:
    handler_input.attributes_manager.save_persistent_attributes()


def mode(handler_input: HandlerInput) -> str | None:
    """The conversation mode the user is in (e.g. ``technique``), used for contextual help."""
    return session_state(handler_input).get("mode")


def set_mode(handler_input: HandlerInput, value: str | None) -> None:
    state = session_state(handler_input)
    if value is None:
        state.pop("mode", None)
    else:
        state["mode"] = value
