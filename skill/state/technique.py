"""Owner of a guided technique's state: the live session (session ``session``), the cramp being
coached (session ``cramp``) and the unfinished session a later "resume" picks up (persistent
``unfinished``: ``{"session": SessionState dict, "saved_at": ISO UTC}``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.diary.model import iso, parse_iso
from skill.engine.script import ScriptError, load_script
from skill.engine.session import SessionState
from skill.state import session as namespace
from skill.state import user
from skill.state.clock import now_utc

log = logging.getLogger(__name__)

SESSION, CRAMP, UNFINISHED = "session", "cramp", "unfinished"
MODE = "technique"


def _locale(handler_input: HandlerInput) -> str | None:
    return getattr(handler_input.request_envelope.request, "locale", None)


def _readable(data: Any, handler_input: HandlerInput) -> SessionState | None:
    try:
        session = SessionState.from_dict(data)
        load_script(session.script, _locale(handler_input))
    except (KeyError, TypeError, ValueError, ScriptError):
        return None
    return session


# -- the live session -------------------------------------------------------------------------------


def live(handler_input: HandlerInput) -> SessionState | None:
    """The spoken session in progress in this conversation (active or paused), if any."""
    data = namespace.session_state(handler_input).get(SESSION)
    if not data:
        return None
    session = _readable(data, handler_input)
    if session is None:
        log.warning("dropping an unreadable session state")
        namespace.session_state(handler_input).pop(SESSION, None)
        return None
    return session if session.status in ("active", "paused") else None


def keep(handler_input: HandlerInput, session: SessionState, *, in_mode: bool = True) -> None:
    """Store the session after a turn; ``in_mode``: the user is in the technique (contextual help)."""
    if namespace.has_session(handler_input):
        namespace.session_state(handler_input)[SESSION] = session.to_dict()
    namespace.set_mode(handler_input, MODE if in_mode else None)


def drop_live(handler_input: HandlerInput) -> None:
    namespace.session_state(handler_input).pop(SESSION, None)


def end(handler_input: HandlerInput) -> None:
    """Forget the technique's session state (session, cramp, the open question, the mode); other
    features' state (a safety hold on leg exercises, say) outlives it."""
    cc = namespace.session_state(handler_input)
    for key in (SESSION, CRAMP):
        cc.pop(key, None)
    namespace.clear_pending(handler_input)
    namespace.set_mode(handler_input, None)


# -- the cramp being coached ------------------------------------------------------------------------


@dataclass(frozen=True)
class CoachedCramp:
    started_at: datetime
    muscle: str | None = None
    side: str | None = None


def coached_cramp(handler_input: HandlerInput) -> CoachedCramp | None:
    data = namespace.session_state(handler_input).get(CRAMP)
    if not isinstance(data, dict):
        return None
    try:
        started = parse_iso(data["started_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return CoachedCramp(started, data.get("muscle"), data.get("side"))


def note_cramp(handler_input: HandlerInput, muscle: str | None, side: str | None) -> CoachedCramp:
    """What the user said about the cramp this turn; the start is the first time it was mentioned."""
    known = coached_cramp(handler_input)
    cramp = CoachedCramp(
        known.started_at if known else now_utc(handler_input),
        muscle or (known.muscle if known else None),
        side or (known.side if known else None),
    )
    if namespace.has_session(handler_input):
        data: dict[str, Any] = {"started_at": iso(cramp.started_at)}
        data.update({k: v for k, v in (("muscle", cramp.muscle), ("side", cramp.side)) if v})
        namespace.session_state(handler_input)[CRAMP] = data
    return cramp


# -- the unfinished session -------------------------------------------------------------------------


def save_unfinished(handler_input: HandlerInput, session: SessionState) -> None:
    """Remember where a session stopped so "resume" can pick it up, also days later."""
    paused = replace(session, status="paused")
    user.record(handler_input)[UNFINISHED] = {
        "session": paused.to_dict(),
        "saved_at": iso(now_utc(handler_input)),
    }
    user.save(handler_input)


def clear_unfinished(handler_input: HandlerInput) -> None:
    if user.record(handler_input).pop(UNFINISHED, None) is not None:
        user.save(handler_input)


def unfinished(handler_input: HandlerInput) -> SessionState | None:
    data = user.record(handler_input).get(UNFINISHED)
    return _readable(data.get("session"), handler_input) if isinstance(data, dict) else None


def unfinished_saved_at(handler_input: HandlerInput) -> datetime | None:
    data = user.record(handler_input).get(UNFINISHED)
    try:
        return parse_iso(data["saved_at"]) if isinstance(data, dict) else None
    except (KeyError, TypeError, ValueError):
        return None
