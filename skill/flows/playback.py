"""Hands-free long sessions through the AudioPlayer: whether to play audio, starting it, and the
commands that control it (shared by voice intents and device buttons; ``skill.handlers.audio``
routes the requests here).

Playback events come without a session: they read and write only persistent attributes (the
position, ``skill.audio.playback.Position``). Voice commands are about our audio only on a device
with the AudioPlayer, outside a spoken technique session, when our audio is playing or a position is
stored that is newer than a paused spoken session (:func:`audio_in_control`).

The technique flow asks :func:`should_play_audio` and, when it is true, answers with
:func:`start_playback` instead of the first spoken segment. After ``PlaybackFailed`` the next start
is spoken, and "resume" continues by voice from the segment the audio had reached.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.interfaces.audioplayer import (
    AudioItem,
    AudioItemMetadata,
    PlayBehavior,
    PlayDirective,
    PlayerActivity,
    StopDirective,
    Stream,
)

from skill import safety
from skill.audio.playback import InsecureAudioURL, Position, Token, decode_or_none, stream_url
from skill.engine.plan import plan
from skill.engine.script import Options, ScriptError, load_script
from skill.engine.session import SessionState
from skill.flows.practice import record_practice
from skill.services import services
from skill.speech.reply import respond, speech
from skill.state import session as namespace
from skill.state import technique, user

log = logging.getLogger(__name__)

# -- what the device and the user have -----------------------------------------------------------


def request_of(handler_input: HandlerInput) -> Any:
    """The request, untyped: its type (intent, playback event…) is checked by ``can_handle``."""
    return handler_input.request_envelope.request


def context_of(handler_input: HandlerInput) -> Any:
    return handler_input.request_envelope.context


def supports_audio(handler_input: HandlerInput) -> bool:
    """True when the device can play AudioPlayer streams."""
    device = context_of(handler_input).system.device
    interfaces = getattr(device, "supported_interfaces", None)
    return getattr(interfaces, "audio_player", None) is not None


def _attributes(handler_input: HandlerInput) -> dict[str, Any]:
    return user.record(handler_input)


def stored_position(handler_input: HandlerInput) -> Position | None:
    return Position.load(_attributes(handler_input))


def save_position(handler_input: HandlerInput, position: Position) -> None:
    position.save(_attributes(handler_input))
    user.save(handler_input)


def _player_token(handler_input: HandlerInput) -> Token | None:
    """Our token in the device's AudioPlayer context, if it is ours."""
    player = context_of(handler_input).audio_player
    return decode_or_none(getattr(player, "token", None)) if player is not None else None


def playing_now(handler_input: HandlerInput) -> bool:
    player = context_of(handler_input).audio_player
    activity = getattr(player, "player_activity", None)
    return _player_token(handler_input) is not None and activity == PlayerActivity.PLAYING


def _in_spoken_session(handler_input: HandlerInput) -> bool:
    """A guided session being spoken in this conversation owns pause, resume, next…"""
    return namespace.has_session(handler_input) and technique.live(handler_input) is not None


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _newer_than_spoken(handler_input: HandlerInput, position: Position) -> bool:
    """True unless a spoken session was paused after this audio was last heard (then resume means that)."""
    spoken_at = technique.unfinished_saved_at(handler_input)
    heard_at = _parse_time(position.updated)
    return spoken_at is None or heard_at is None or heard_at >= spoken_at


def audio_in_control(handler_input: HandlerInput) -> bool:
    """Whether a control command (pause, resume, next…) is about our audio rather than spoken steps."""
    if not supports_audio(handler_input) or _in_spoken_session(handler_input):
        return False
    if _player_token(handler_input) is not None:
        return True
    position = stored_position(handler_input)
    return position is not None and position.resumable and _newer_than_spoken(handler_input, position)


# -- starting audio -------------------------------------------------------------------------------


_PREPARED = "audio.prepared"  # request attribute: the token should_play_audio got ready
_SPOKEN_INSTEAD = "audio.spoken_instead"  # request attribute: audio was wanted but cannot play


def _session_audio() -> Any:
    """The audio pipeline, imported on first use: a launch or a diary log never loads it (cold starts)."""
    from skill.audio import session_audio

    return session_audio


def _served_at(handler_input: HandlerInput) -> str | None:
    """This server's /audio as the request reached it (web service only; see WebRequest)."""
    base = getattr(handler_input.context, "audio_base_url", None)
    return base if isinstance(base, str) else None


def _stream_url(handler_input: HandlerInput, token: Token) -> str | None:
    return stream_url(services(handler_input).settings, token, _served_at(handler_input))


def should_play_audio(handler_input: HandlerInput, script: str, options: dict[str, Any]) -> bool:
    """True when this session should play hands-free as audio rather than as spoken segments.

    Long sessions (``session_audio.is_long``) on a device with the AudioPlayer, when a stream URL can
    be given, the last attempt on this device did not fail, and part 1 is ready (rendered now or
    before: ``SessionAudio.start``). When the audio cannot be had, the spoken session begins with
    :func:`spoken_instead`'s line.
    """
    locale = request_of(handler_input).locale
    if not supports_audio(handler_input) or not _session_audio().is_long(script, options, locale):
        return False
    attributes = handler_input.attributes_manager.request_attributes
    position = stored_position(handler_input)
    if position is not None and position.status == "failed":
        # PlaybackFailed last time: this request is spoken (and says why); the next one may try audio again.
        position.status = "stopped"
        save_position(handler_input, position)
        attributes[_SPOKEN_INSTEAD] = True
        return False
    try:
        if _stream_url(handler_input, Token("0" * 64, 1, 1, script)) is None:
            log.warning("no AUDIO_BASE_URL: long sessions are spoken")
            return False
    except InsecureAudioURL as exc:
        log.error("%s: long sessions are spoken", exc)
        return False
    token = services(handler_input).audio.start(script, options, locale)
    if token is None:
        attributes[_SPOKEN_INSTEAD] = True
        return False
    attributes[_PREPARED] = token
    return True


def spoken_instead(handler_input: HandlerInput) -> list[tuple[str, dict[str, Any]]]:
    """The honest line that opens a spoken session which should have played as audio, if any."""
    wanted = handler_input.attributes_manager.request_attributes.get(_SPOKEN_INSTEAD)
    return [("audio.spoken_instead", {})] if wanted else []


def _title(handler_input: HandlerInput, script: str) -> str:
    """The script's own title for the player's screen, or a generic one."""
    try:
        return load_script(script, request_of(handler_input).locale).title
    except ScriptError:
        return speech(handler_input).text("audio.title")


def play_directive(
    handler_input: HandlerInput, token: Token, offset_ms: int = 0, *, enqueue_after: str | None = None
) -> PlayDirective:
    """A Play directive for ``token`` (REPLACE_ALL, or ENQUEUE behind ``enqueue_after``)."""
    url = _stream_url(handler_input, token)
    assert url is not None, "should_play_audio checked that audio has a base URL"
    metadata = AudioItemMetadata(
        title=_title(handler_input, token.script),
        subtitle=speech(handler_input).text("audio.subtitle", part=token.part, parts=token.parts),
    )
    stream = Stream(
        token=token.encode(),
        url=url,
        offset_in_milliseconds=max(0, offset_ms),
        expected_previous_token=enqueue_after,
    )
    behavior = PlayBehavior.ENQUEUE if enqueue_after else PlayBehavior.REPLACE_ALL
    return PlayDirective(play_behavior=behavior, audio_item=AudioItem(stream=stream, metadata=metadata))


def start_playback(
    handler_input: HandlerInput,
    script: str,
    options: dict[str, Any],
    preface: Sequence[tuple[str, dict[str, Any]]] = (),
) -> Response:
    """A short spoken intro (after any ``preface`` phrases, such as a note that the length was capped),
    then part 1 from the start; the session ends and the audio takes over. Called after
    :func:`should_play_audio` said yes in the same request (it got part 1 ready)."""
    locale = request_of(handler_input).locale
    token = handler_input.attributes_manager.request_attributes.get(_PREPARED)  # should_play_audio's
    if not isinstance(token, Token):
        token = services(handler_input).audio.start(script, options, locale)
    assert token is not None, "start_playback follows should_play_audio in the same request"
    save_position(handler_input, Position(token=token.encode(), offset_ms=0, status="playing", locale=locale))
    namespace.forget_all(handler_input)
    handler_input.response_builder.add_directive(play_directive(handler_input, token))
    said = speech(handler_input)
    for key, params in preface:
        said.say(key, **params)
    return respond(handler_input, said.say("audio.intro"), end_session=True)


def _held_back(handler_input: HandlerInput, token: Token, spoken: bool) -> Response | None:
    """A safety hold that began after the audio started: nothing more of it is played (buttons too)."""
    try:
        script = load_script(token.script, request_of(handler_input).locale)
    except (ScriptError, OSError):
        return None
    reason = safety.skip_reason(handler_input, script)
    if reason is None and not any(c in script.instead_if for c in safety.conditions(handler_input)):
        return None
    position = stored_position(handler_input)
    if position is not None:
        save_position(handler_input, Position(token=position.token, offset_ms=0, status="finished"))
    handler_input.response_builder.add_directive(StopDirective())
    if not spoken:
        return handler_input.response_builder.response
    said = speech(handler_input)
    said.say(reason or "safety.hold.again").say("technique.skip.offer_other")
    return respond(handler_input, said, reprompt=speech(handler_input).say("technique.ask.reprompt"))


def _resume_response(handler_input: HandlerInput, token: Token, offset_ms: int, *, spoken: bool) -> Response:
    """Play ``token`` from ``offset_ms`` (making sure that part exists first; when it cannot be had,
    the session is left to continue by voice from where the audio was). A script held back by a
    safety hold heard since it started is not played at all."""
    held = _held_back(handler_input, token, spoken)
    if held is not None:
        return held
    ready = services(handler_input).audio.part(token, request_of(handler_input).locale)
    if ready is None:
        save_position(handler_input, Position(token=token.encode(), offset_ms=offset_ms, status="failed"))
        continue_by_voice(handler_input, token, offset_ms)
        if not spoken:
            return handler_input.response_builder.response
        return respond(handler_input, speech(handler_input).say("audio.resume_by_voice"), end_session=True)
    token = ready
    save_position(
        handler_input,
        Position(
            token=token.encode(),
            offset_ms=offset_ms,
            status="playing",
            locale=request_of(handler_input).locale,
        ),
    )
    handler_input.response_builder.add_directive(play_directive(handler_input, token, offset_ms))
    if not spoken:
        return handler_input.response_builder.response
    return respond(handler_input, None, end_session=True)


def _current(handler_input: HandlerInput) -> tuple[Token, int] | None:
    """What is playing or was last played, and where: the device's context wins when it is ours."""
    player = context_of(handler_input).audio_player
    context_token = _player_token(handler_input)
    position = stored_position(handler_input)
    if context_token is not None and not _finished(handler_input, context_token):
        offset = getattr(player, "offset_in_milliseconds", None) or 0
        if (
            position is not None
            and position.token == context_token.encode()
            and not playing_now(handler_input)
        ):
            offset = max(offset, position.offset_ms)
        return context_token, offset
    if position is not None and position.resumable:
        return position.parsed, position.offset_ms
    return None


def _finished(handler_input: HandlerInput, token: Token) -> bool:
    position = stored_position(handler_input)
    return position is not None and position.status == "finished" and position.token == token.encode()


def _stop_response(handler_input: HandlerInput, spoken: bool) -> Response:
    handler_input.response_builder.add_directive(StopDirective())
    if spoken:
        handler_input.response_builder.set_should_end_session(True)
    return handler_input.response_builder.response


def _nothing_to_control(handler_input: HandlerInput, spoken: bool) -> Response:
    if not spoken:
        return handler_input.response_builder.response
    said = speech(handler_input).say("audio.nothing_playing").say("launch.what_to_say")
    return respond(handler_input, said, reprompt=speech(handler_input).say("launch.reprompt"))


# -- commands (voice intents and device buttons share these) ---------------------------------------


def pause(handler_input: HandlerInput, spoken: bool) -> Response:
    """Stop the stream; PlaybackStopped then records the exact offset."""
    current = _current(handler_input)
    if current is not None:
        token, offset = current
        position = stored_position(handler_input)
        if position is None or position.token != token.encode() or position.offset_ms < offset:
            save_position(handler_input, Position(token=token.encode(), offset_ms=offset, status="stopped"))
    return _stop_response(handler_input, spoken)


def resume(handler_input: HandlerInput, spoken: bool) -> Response:
    current = _current(handler_input)
    if current is None:
        return _nothing_to_control(handler_input, spoken)
    token, offset = current
    return _resume_response(handler_input, token, offset, spoken=spoken)


def move(handler_input: HandlerInput, step: int, spoken: bool) -> Response:
    """Next / previous part; at either end, say so (by voice) or do nothing (buttons)."""
    current = _current(handler_input)
    if current is None:
        return _nothing_to_control(handler_input, spoken)
    token, _offset = current
    target = token.part + step
    if not 1 <= target <= token.parts:
        if not spoken:
            return handler_input.response_builder.response
        key = "audio.last_part" if step > 0 else "audio.first_part"
        return respond(handler_input, speech(handler_input).say(key), end_session=True)
    return _resume_response(handler_input, token.at(target), 0, spoken=spoken)


def restart(handler_input: HandlerInput, *, whole: bool, spoken: bool) -> Response:
    """Start over (the whole session) or repeat (the current part) from its beginning."""
    current = _current(handler_input)
    if current is None:
        return _nothing_to_control(handler_input, spoken)
    token, _offset = current
    return _resume_response(handler_input, token.at(1) if whole else token, 0, spoken=spoken)


# -- where the audio had reached, for the spoken session and the practice log -------------------


def continue_by_voice(handler_input: HandlerInput, token: Token, offset_ms: int) -> None:
    """Leave the spoken session's "unfinished" place at the segment the audio had reached."""
    locale = request_of(handler_input).locale
    try:
        options = Options.from_dict(token.options)
        planned = plan(token.script, options, locale)
        job = _session_audio().job_for(token.script, token.options, locale)
    except (ScriptError, ValueError):
        log.warning("cannot continue %s by voice", token.script)
        return
    parts = job.plan()
    first = parts[min(token.part, len(parts)) - 1][0]
    second = job.items[first].start + offset_ms / 1000
    fraction = min(1.0, second / planned.timeline.total) if planned.timeline.total else 0.0
    technique.save_unfinished(
        handler_input, SessionState(token.script, options, planned.layout.segment_at(fraction), "paused")
    )


def record_finished(handler_input: HandlerInput, token: Token) -> None:
    """A session heard to its end counts as practice, as a spoken one does (streaks, check-in)."""
    try:
        planned = plan(token.script, Options.from_dict(token.options), request_of(handler_input).locale)
    except (ScriptError, ValueError):
        log.warning("cannot log practice of %s", token.script)
        return
    record_practice(handler_input, token.script, planned.timeline.total / 60, True)
