"""The skill's namespace in session attributes, and the one open question (``Pending``).

Session state lives under one key (``cc``) so it stays small and easy to inspect; what may be stored
there is listed in ``skill.state.schema``. Each entry has one owner module (``skill.state.*``); handlers
call those, never poke the dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

SESSION_KEY = "cc"
PENDING = "pending"
MODE = "mode"


def has_session(handler_input: HandlerInput) -> bool:
    """False for requests that arrive without a session (AudioPlayer and skill events)."""
    return handler_input.request_envelope.session is not None


def session_state(handler_input: HandlerInput) -> dict[str, Any]:
    """The skill's namespace inside session attributes (empty, and not kept, without a session).

    Only ``skill.state`` modules use it; everything else goes through their operations.
    """
    if not has_session(handler_input):
        return {}
    attributes = handler_input.attributes_manager.session_attributes
    assert attributes is not None, "ask-sdk makes session attributes a dict whenever there is a session"
    namespace = attributes.setdefault(SESSION_KEY, {})
    if not isinstance(namespace, dict):  # never written by us: start afresh rather than fail every turn
        namespace = attributes[SESSION_KEY] = {}
    return namespace


# -- the pending question ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """The question the skill asked last and is waiting for a yes or no to.

    ``owner`` is the feature that asked (``technique``, ``diary``, ``personal``), ``key`` which of its
    questions it is, ``params`` what it needs to answer (or to ask again) without guessing.
    """

    owner: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"owner": self.owner, "key": self.key, "params": dict(self.params)}

    @classmethod
    def from_stored(cls, value: Any, namespace: dict[str, Any]) -> Pending | None:
        """Read what is stored, including the bare strings written before ``Pending`` existed."""
        if isinstance(value, dict):
            owner, key, params = value.get("owner"), value.get("key"), value.get("params")
            if isinstance(owner, str) and isinstance(key, str):
                return cls(owner, key, params if isinstance(params, dict) else {})
            return None
        if isinstance(value, str):
            return _legacy_pending(value, namespace)
        return None


def _legacy_pending(value: str, namespace: dict[str, Any]) -> Pending | None:
    """Migrate a pending question stored as a string, with its data in sibling keys (before 2026-12)."""
    if value in ("checkpoint", "log_offer", "log_cramp"):
        params = {"on_no": namespace["on_no"]} if isinstance(namespace.get("on_no"), str) else {}
        return Pending("technique", value, params)
    if value == "ask":
        phrase = namespace.get("ask")
        return Pending("technique", "ask", {"phrase": phrase} if isinstance(phrase, str) else {})
    if value in ("diary.offer", "diary.retry_save"):
        offer = namespace.get("diary_offer")
        params = {"offer": offer} if isinstance(offer, str) else {}
        return Pending("diary", value.removeprefix("diary."), params)
    if value in ("personal.checkin", "personal.resume"):
        night = namespace.get("checkin_night")
        params = {"night": night} if isinstance(night, str) else {}
        return Pending("personal", value.removeprefix("personal."), params)
    return None


_LEGACY_SIBLINGS = ("ask", "on_no", "diary_offer", "checkin_night")


def pending(handler_input: HandlerInput) -> Pending | None:
    namespace = session_state(handler_input)
    return Pending.from_stored(namespace.get(PENDING), namespace)


def pending_for(handler_input: HandlerInput, owner: str, *keys: str) -> Pending | None:
    """The pending question if ``owner`` asked it (and it is one of ``keys``, when given)."""
    question = pending(handler_input)
    if question is None or question.owner != owner or (keys and question.key not in keys):
        return None
    return question


def set_pending(handler_input: HandlerInput, owner: str, key: str, **params: Any) -> None:
    namespace = session_state(handler_input)
    for legacy in _LEGACY_SIBLINGS:
        namespace.pop(legacy, None)
    if has_session(handler_input):
        namespace[PENDING] = Pending(owner, key, params).to_dict()


def clear_pending(handler_input: HandlerInput, owner: str | None = None) -> Pending | None:
    """Forget the pending question (only ``owner``'s, when given); returns what was pending."""
    question = pending(handler_input)
    if question is not None and owner is not None and question.owner != owner:
        return None
    namespace = session_state(handler_input)
    namespace.pop(PENDING, None)
    for legacy in _LEGACY_SIBLINGS:
        namespace.pop(legacy, None)
    return question


# -- the conversation mode --------------------------------------------------------------------------


def mode(handler_input: HandlerInput) -> str | None:
    """The conversation mode the user is in (e.g. ``technique``), used for contextual help."""
    value = session_state(handler_input).get(MODE)
    return value if isinstance(value, str) else None


def set_mode(handler_input: HandlerInput, value: str | None) -> None:
    namespace = session_state(handler_input)
    if value is None:
        namespace.pop(MODE, None)
    elif has_session(handler_input):
        namespace[MODE] = value


# Session keys that outlive "go home" and every feature's reset: a safety hold (skill.state.safety_hold).
OUTLIVES_RESET = ("leg_swollen", "leg_hold_said", "flags_said")


def forget_all(handler_input: HandlerInput) -> None:
    """Forget every feature's session state: the session is ending (stop, or the audio takes over)."""
    session_state(handler_input).clear()


def reset(handler_input: HandlerInput) -> None:
    """Back to the start within the session: every feature's state goes, safety holds stay."""
    namespace = session_state(handler_input)
    for key in [key for key in namespace if key not in OUTLIVES_RESET]:
        del namespace[key]
