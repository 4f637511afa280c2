"""Safety everywhere: red flags heard in any turn, pregnancy mode, and what they change.

Other features ask two things of this package:
- ``conditions(handler_input)``: the technique engine's ``skip_if`` conditions in force
  (``pregnant`` from the persistent profile, ``leg_swollen`` for the rest of a session in which a
  red flag that rules out stretching, massage or acupressure was heard);
- ``skill.safety.messages.say_findings``: how a red flag is spoken (level line first, then why).

The rules themselves are one table, ``skill.diary.redflags``, shared with the diary.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from skill.handlers import state

PREGNANT = "pregnant"  # profile key, read by the technique engine's skip_if
LEG_SWOLLEN = "leg_swollen"  # session key and engine condition: no stretch, massage or acupressure


def is_pregnant(handler_input: HandlerInput) -> bool:
    return bool(state.profile(handler_input).get(PREGNANT))


def set_pregnant(handler_input: HandlerInput, pregnant: bool) -> None:
    """Remember pregnancy mode across sessions."""
    state.profile(handler_input)[PREGNANT] = pregnant
    state.save_persistent(handler_input)


def leg_swollen(handler_input: HandlerInput) -> bool:
    return bool(state.session_state(handler_input).get(LEG_SWOLLEN))


def hold_leg_exercises(handler_input: HandlerInput) -> None:
    """For the rest of this session, techniques skip anything that could mask or worsen the sign."""
    if state.has_session(handler_input):
        state.session_state(handler_input)[LEG_SWOLLEN] = True


def conditions(handler_input: HandlerInput) -> frozenset[str]:
    """The ``skip_if`` conditions (``skill.engine.script.CONDITIONS``) that apply to this user now."""
    found = set()
    if is_pregnant(handler_input):
        found.add(PREGNANT)
    if leg_swollen(handler_input):
        found.add(LEG_SWOLLEN)
    return frozenset(found)
