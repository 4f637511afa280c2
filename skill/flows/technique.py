"""Playing a guided technique by voice: start a script, speak a segment per response with the prompt
that fits where it ends, ask "which one?", and hand a coached cramp over to the diary.

Shared by the technique, session-control, audio and personal handlers. The state it reads and writes
is owned by ``skill.state.technique`` (live and unfinished sessions, the cramp being coached),
``skill.state.open_cramp`` (the diary's timer) and ``skill.state.session`` (the pending question).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill import safety
from skill.engine.plan import EnginePlanner, length_problem
from skill.engine.script import Options, Script, load_script
from skill.engine.session import SessionState, transition
from skill.flows import diary_log, playback
from skill.flows.practice import record_practice
from skill.personal import preferences
from skill.speech import ssml
from skill.speech.reply import respond, speech
from skill.state import open_cramp, technique
from skill.state import session as namespace
from skill.state.clock import now_utc

log = logging.getLogger(__name__)

OWNER = "technique"
# Cramps lasting longer than this without easing need urgent advice (content guide, red flags; C1-C3).
CRAMP_URGENT_AFTER = timedelta(minutes=10)

Preface = Sequence[tuple[str, dict[str, Any]]]


def locale_of(handler_input: HandlerInput) -> str | None:
    request: Any = handler_input.request_envelope.request
    return getattr(request, "locale", None)


def planner(handler_input: HandlerInput) -> EnginePlanner:
    return EnginePlanner(locale_of(handler_input))


def voiced(text: str, voice: str) -> str:
    """Plain text as SSML in the session's voice (prompts whisper when the session does)."""
    escaped = ssml.escape(text)
    return ssml.whisper(escaped) if voice == "whisper" else escaped


def record_stopped(handler_input: HandlerInput, session: SessionState) -> None:
    """A session stopped or slept through still counts as practice, for the time it ran."""
    plan = planner(handler_input).plan(session.script, session.options)
    after = session.segment + 1  # the segment just played has been heard to its end
    ran = plan.segments[after].start if after < len(plan.segments) else plan.timeline.total
    if ran > 0:
        record_practice(handler_input, session.script, ran / 60, False)


def play(handler_input: HandlerInput, session: SessionState, preface: Preface = ()) -> Response:
    """Speak the session's current segment, then the prompt that fits where it ends.

    Every spoken path (start, continue, resume now or days later) comes through here, so a safety
    hold that began after the session started is honoured before anything more is guided.
    """
    held = held_back(handler_input, session)
    if held is not None:
        return held
    script = load_script(session.script, locale_of(handler_input))
    if safe_variant(handler_input, script, session.options)[1]:
        technique.clear_unfinished(handler_input)
        return start(handler_input, session.script, session.options)
    engine = planner(handler_input)
    plan = engine.plan(session.script, session.options)
    segment = plan.segments[min(session.segment, len(plan.segments) - 1)]
    voice = plan.timeline.voice
    said = speech(handler_input)
    for key, params in preface:
        said.raw(voiced(said.text(key, **params), voice))
    said.raw(segment.ssml)
    card = (plan.script.title, segment.card_text)
    namespace.clear_pending(handler_input)  # whoever asked it, the question before this one is gone
    if segment.last:
        done = transition(session, "complete", engine).state
        technique.clear_unfinished(handler_input)
        record_practice(handler_input, session.script, plan.timeline.total / 60, True)
        if plan.script.ending == "offer_log":
            technique.keep(handler_input, done, in_mode=False)
            namespace.set_pending(handler_input, OWNER, "log_offer")
            said.raw(voiced(said.text("technique.cramp.log_offer"), voice))
            reprompt = speech(handler_input).raw(voiced(said.text("technique.cramp.log_reprompt"), voice))
            return respond(handler_input, said, reprompt=reprompt, card=card)
        technique.end(handler_input)
        return respond(handler_input, said, card=card, end_session=True)
    technique.keep(handler_input, session)
    reprompt = speech(handler_input)
    if segment.prompt:
        namespace.set_pending(handler_input, OWNER, "checkpoint", on_no=segment.on_no or "continue")
        said.raw(voiced(segment.prompt, voice))
        reprompt.raw(voiced(segment.prompt, voice)).raw(
            voiced(said.text("technique.question_reprompt"), voice)
        )
    else:
        # "Ready to go on?": yes carries on, no plays this part again (as at a checkpoint).
        namespace.set_pending(handler_input, OWNER, "checkpoint", on_no="repeat")
        said.raw(voiced(said.text("technique.continue_prompt"), voice))
        reprompt.raw(voiced(said.text("technique.continue_reprompt"), voice))
    return respond(handler_input, said, reprompt=reprompt, card=card)


def ask(
    handler_input: HandlerInput, key: str, reprompt_key: str = "technique.ask.reprompt", **params: Any
) -> Response:
    """Ask which technique / pattern / muscle, keeping the microphone open for the answer.

    The question is kept whole (phrase, its fields, the reprompt), so a "yes" can ask it again.
    """
    technique.drop_live(handler_input)
    namespace.set_mode(handler_input, None)
    namespace.set_pending(handler_input, OWNER, "ask", phrase=key, fields=params, reprompt=reprompt_key)
    said = speech(handler_input).say(key, **params)
    return respond(handler_input, said, reprompt=speech(handler_input).say(reprompt_key, **params))


def ask_again(handler_input: HandlerInput, params: dict[str, Any]) -> Response:
    """The open "which one?" question once more, exactly as it was asked."""
    phrase = params.get("phrase")
    fields = params.get("fields")
    reprompt = params.get("reprompt")
    if not isinstance(phrase, str):
        return ask(handler_input, "technique.ask.technique")
    return ask(
        handler_input,
        phrase,
        reprompt if isinstance(reprompt, str) else "technique.ask.reprompt",
        **(fields if isinstance(fields, dict) else {}),
    )


def decline(handler_input: HandlerInput, script: Script, reason: str) -> Response:
    """Say why this script is not guided now and offer something else (never a dead end)."""
    said = speech(handler_input)
    said.raw(ssml.escape(script.text(reason, locale_of(handler_input)))).say("technique.skip.offer_other")
    technique.drop_live(handler_input)
    return respond(handler_input, said, reprompt=speech(handler_input).say("technique.ask.reprompt"))


def held_back(handler_input: HandlerInput, session: SessionState) -> Response | None:
    """A safety hold that began after this session started: nothing more of it is guided."""
    script = load_script(session.script, locale_of(handler_input))
    reason = safety.skip_reason(handler_input, script)
    if reason is None:
        return None
    technique.clear_unfinished(handler_input)
    return decline(handler_input, script, reason)


def safe_variant(handler_input: HandlerInput, script: Script, options: Options) -> tuple[Options, Preface]:
    """The variant a safety condition asks for instead (``instead_if``), with the phrase saying why."""
    for condition in sorted(safety.conditions(handler_input)):
        instead = script.instead_if.get(condition)
        if instead and script.resolve_variant(options.variant) != instead["variant"]:
            return replace(options, variant=instead["variant"], minutes=None), [(instead["say"], {})]
    return options, ()


def start(handler_input: HandlerInput, script_id: str, options: Options, preface: Preface = ()) -> Response:
    """Start a script from its beginning, or explain why it is skipped or its length is out of range."""
    locale = locale_of(handler_input)
    script = load_script(script_id, locale)
    options = preferences.apply(handler_input, script_id, options, locale)  # what the user didn't say
    reason = safety.skip_reason(handler_input, script)
    if reason:
        return decline(handler_input, script, reason)
    options, instead = safe_variant(handler_input, script, options)
    preface = [*instead, *preface]
    problem = length_problem(script, options)
    if problem:
        said = speech(handler_input)
        count = said.text(f"technique.number.{int(problem.low) + 1 if problem.unit == 'minutes' else 10}")
        example = said.text(f"technique.ask.example_{problem.unit}", count=count, title=script.title.lower())
        return ask(
            handler_input,
            f"technique.ask.length_{problem.unit}",
            f"technique.ask.length_{problem.unit}_reprompt",
            title=script.title,
            low=problem.low,
            high=problem.high,
            example=example,
        )
    preferences.remember_technique(handler_input, script_id, options, locale)
    if playback.should_play_audio(handler_input, script_id, options.to_dict()):
        # Long sessions on a device with the AudioPlayer play hands-free (skill/flows/playback.py).
        notes = [(n.key, n.params) for n in planner(handler_input).plan(script_id, options).timeline.notes]
        return playback.start_playback(handler_input, script_id, options.to_dict(), [*preface, *notes])
    engine = planner(handler_input)
    session = transition(SessionState(script_id, options), "start", engine).state
    notes = [(note.key, note.params) for note in engine.plan(script_id, options).timeline.notes]
    return play(handler_input, session, [*preface, *playback.spoken_instead(handler_input), *notes])


def resume_unfinished(handler_input: HandlerInput, stopped: SessionState, title: str) -> Response:
    """Carry on a session stopped earlier (also days ago) from where it stopped."""
    outcome = transition(stopped, "resume", planner(handler_input))
    return play(handler_input, outcome.state, [("session.resumed_later", {"title": title})])


# -- a cramp right now ------------------------------------------------------------------------------


def coach_cramp(handler_input: HandlerInput, muscle: str, side: str | None, script_id: str) -> Response:
    """Start the stretch for a cramp happening now, timing it for the diary."""
    cramp = technique.note_cramp(handler_input, muscle, side)
    open_cramp.start(handler_input, cramp.muscle, cramp.side, cramp.started_at, same_cramp=True)
    # Pregnancy mode: the clot warning comes before the stretch (content guide, red flags; C16).
    preface: Preface = (
        [("safety.pregnancy.clot_warning", {})] if safety.PREGNANT in safety.conditions(handler_input) else []
    )
    return start(handler_input, script_id, Options(), preface)


def cramp_over_ten_minutes(handler_input: HandlerInput) -> bool:
    running = open_cramp.current(handler_input)
    return running is not None and running.running_for(now_utc(handler_input)) > CRAMP_URGENT_AFTER


def delegate_log(handler_input: HandlerInput) -> Response:
    """Hand over to the diary with what the coach knows (muscle, side, start, length): the cramp is
    saved at once and the diary asks only what is missing (issue 14)."""
    cramp = technique.coached_cramp(handler_input)
    technique.end(handler_input)
    said = speech(handler_input).say("technique.cramp.log_handover")
    muscle, side = (cramp.muscle, cramp.side) if cramp is not None else (None, None)
    return diary_log.start_from_coach(handler_input, muscle, side, said)
