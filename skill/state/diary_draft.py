"""Owner of the diary's session state: the LogCramp draft (session ``diary_log``, the source of truth
between the dialog's turns) and the entry last logged or talked about (session ``diary_last``, for
"delete that" and "it lasted five minutes").
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from skill.diary.draft import Draft
from skill.state import session as namespace

DRAFT, LAST_LOGGED = "diary_log", "diary_last"


def load(handler_input: HandlerInput) -> Draft | None:
    data = namespace.session_state(handler_input).get(DRAFT)
    try:
        return Draft.from_session(data) if isinstance(data, dict) and data else None
    except (KeyError, TypeError, ValueError):
        namespace.session_state(handler_input).pop(DRAFT, None)
        return None


def keep(handler_input: HandlerInput, draft: Draft) -> None:
    if namespace.has_session(handler_input):
        namespace.session_state(handler_input)[DRAFT] = draft.to_session()


def drop(handler_input: HandlerInput) -> None:
    namespace.session_state(handler_input).pop(DRAFT, None)


def dialog_open(handler_input: HandlerInput) -> bool:
    """True while a LogCramp question is waiting for its answer."""
    draft = load(handler_input)
    return draft is not None and draft.eliciting is not None


def last_logged(handler_input: HandlerInput) -> str | None:
    value = namespace.session_state(handler_input).get(LAST_LOGGED)
    return value if isinstance(value, str) else None


def set_last_logged(handler_input: HandlerInput, entry_id: str | None) -> None:
    if entry_id is None:
        namespace.session_state(handler_input).pop(LAST_LOGGED, None)
    elif namespace.has_session(handler_input):
        namespace.session_state(handler_input)[LAST_LOGGED] = entry_id
