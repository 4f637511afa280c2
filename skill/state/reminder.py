"""Owner of the reminder waiting for the user's permission (session ``reminder``:
``{"time": "HH:MM", "task": id, "repeat": id}``) and of a permission refused in this session
(session ``reminder_denied``), so the skill does not ask twice.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.state import session as namespace

AWAITING, DENIED = "reminder", "reminder_denied"


def awaiting(handler_input: HandlerInput) -> dict[str, Any] | None:
    value = namespace.session_state(handler_input).get(AWAITING)
    return value if isinstance(value, dict) else None


def wait_for_permission(handler_input: HandlerInput, reminder: dict[str, Any]) -> None:
    if namespace.has_session(handler_input):
        namespace.session_state(handler_input)[AWAITING] = reminder


def done(handler_input: HandlerInput) -> None:
    namespace.session_state(handler_input).pop(AWAITING, None)


def refused(handler_input: HandlerInput) -> bool:
    return bool(namespace.session_state(handler_input).get(DENIED))


def note_refused(handler_input: HandlerInput) -> None:
    if namespace.has_session(handler_input):
        namespace.session_state(handler_input)[DENIED] = True
