"""Safety everywhere: red flags heard in any turn, pregnancy mode, and what they change.

Other features ask these things of this package:
- ``conditions(handler_input)``: the technique engine's ``skip_if`` conditions in force
  (``pregnant`` from the persistent profile, ``leg_swollen`` while a red flag that rules out
  stretching, massage, heat, acupressure or load holds the legs: 7 days or until "it's been checked");
- ``skip_reason(handler_input, script)``: the phrase saying why a script is not guided now (every
  path that starts, resumes or plays a script asks it: spoken, audio, resumed days later);
- ``skill.safety.messages.say_findings``: how a red flag is spoken (level line first, then why);
- ``skill.safety.heard.screened``: the red-flag screen of this request's words.

The rules themselves are one table, ``skill.safety.redflags``, shared with the diary. The holds
are stored by ``skill.state.safety_hold``.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from skill.engine.script import Script
from skill.safety.redflags import Findings
from skill.state import safety_hold

PREGNANT = "pregnant"  # engine condition (``skip_if``), from the persistent profile
LEG_SWOLLEN = "leg_swollen"  # engine condition: no stretch, massage, heat, acupressure or load
HOLD_REASON_AGAIN = "safety.hold.again"  # the short reason, once the full one was said this session


def is_pregnant(handler_input: HandlerInput) -> bool:
    return safety_hold.pregnant(handler_input)


def set_pregnant(handler_input: HandlerInput, pregnant: bool) -> None:
    """Remember pregnancy mode across sessions."""
    safety_hold.set_pregnant(handler_input, pregnant)


def leg_swollen(handler_input: HandlerInput) -> bool:
    return safety_hold.leg_held(handler_input)


def hold_leg_exercises(handler_input: HandlerInput, side: str | None = None) -> None:
    """From now on (this session, and stored for 7 days or until the leg has been checked), techniques
    skip anything that could mask or worsen the sign."""
    safety_hold.hold_leg(handler_input, side)


def conditions(handler_input: HandlerInput) -> frozenset[str]:
    """The ``skip_if`` conditions (``skill.engine.script.CONDITIONS``) that apply to this user now."""
    found = set()
    if is_pregnant(handler_input):
        found.add(PREGNANT)
    if leg_swollen(handler_input):
        found.add(LEG_SWOLLEN)
    return frozenset(found)


def skip_reason(handler_input: HandlerInput, script: Script) -> str | None:
    """The phrase key explaining why this script is skipped for this user now, if it is.

    The leg hold's full reason is said once a session; after that the short one (still a reason).
    """
    for condition in sorted(conditions(handler_input)):
        if condition in script.skip_if:
            key = script.skip_if[condition]
            if condition == LEG_SWOLLEN:
                if safety_hold.hold_explained(handler_input):
                    return HOLD_REASON_AGAIN
                safety_hold.mark_hold_explained(handler_input)
            return key
    return None


def unsaid(handler_input: HandlerInput, found: Findings) -> Findings:
    """The findings without the messages already spoken this session (each red flag's advice once)."""
    said = safety_hold.flags_said(handler_input)
    return Findings(matched=found.matched, to_say=tuple(r for r in found.to_say if r.id not in said))


def mark_said(handler_input: HandlerInput, found: Findings) -> None:
    safety_hold.mark_flags_said(handler_input, tuple(rule.id for rule in found.to_say))
