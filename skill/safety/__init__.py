"""Safety everywhere: red flags heard in any turn, pregnancy mode, and what they change.

Other features ask two things of this package:
- ``conditions(handler_input)``: the technique engine's ``skip_if`` conditions in force
  (``pregnant`` from the persistent profile, ``leg_swollen`` for the rest of a session in which a
  red flag that rules out stretching, massage or acupressure was heard);
- ``skill.safety.messages.say_findings``: how a red flag is spoken (level line first, then why).

The rules themselves are one table, ``skill.safety.redflags``, shared with the diary. The holds
are stored by ``skill.state.safety_hold``.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from skill.state import safety_hold

PREGNANT = "pregnant"  # engine condition (``skip_if``), from the persistent profile
LEG_SWOLLEN = "leg_swollen"  # engine condition: no stretch, massage or acupressure


def is_pregnant(handler_input: HandlerInput) -> bool:
    return safety_hold.pregnant(handler_input)


def set_pregnant(handler_input: HandlerInput, pregnant: bool) -> None:
    """Remember pregnancy mode across sessions."""
    safety_hold.set_pregnant(handler_input, pregnant)


def leg_swollen(handler_input: HandlerInput) -> bool:
    return safety_hold.leg_held(handler_input)


def hold_leg_exercises(handler_input: HandlerInput) -> None:
    """For the rest of this session, techniques skip anything that could mask or worsen the sign."""
    safety_hold.hold_leg(handler_input)


def conditions(handler_input: HandlerInput) -> frozenset[str]:
    """The ``skip_if`` conditions (``skill.engine.script.CONDITIONS``) that apply to this user now."""
    found = set()
    if is_pregnant(handler_input):
        found.add(PREGNANT)
    if leg_swollen(handler_input):
        found.add(LEG_SWOLLEN)
    return frozenset(found)
