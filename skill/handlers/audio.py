"""Hands-free long sessions through the AudioPlayer, and every request that controls them.

Two kinds of request arrive here. Playback events (``AudioPlayer.*``, ``PlaybackController.*``)
come without a session: they read and write only persistent attributes and answer with no speech
(``System.ExceptionEncountered`` is logged by the core handlers). Voice commands (pause, resume,
next, previous, start over, repeat, loop, shuffle, and stop while our audio plays) are claimed only
on a device with the AudioPlayer, outside a spoken technique session, when our audio is playing or
a position is stored that is newer than a paused spoken session; otherwise they fall through to
the spoken session's handlers (``skill/handlers/session_control.py``), which the routing table
places after these.

What to do lives in ``skill.flows.playback``; these handlers only route the requests there.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.audio.playback import Position, decode_or_none
from skill.flows import playback
from skill.services import services
from skill.speech.reply import respond, speech
from skill.state import session as namespace

log = logging.getLogger(__name__)


class PlaybackStartedHandler(AbstractRequestHandler):
    """Record what is playing; nothing to say."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AudioPlayer.PlaybackStarted")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = playback.request_of(handler_input)
        if decode_or_none(request.token) is not None:
            playback.save_position(
                handler_input, Position(token=request.token, offset_ms=request.offset_in_milliseconds or 0)
            )
        return handler_input.response_builder.response


class PlaybackNearlyFinishedHandler(AbstractRequestHandler):
    """Queue the next part behind the one playing, so the session continues without a word."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AudioPlayer.PlaybackNearlyFinished")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        token = decode_or_none(playback.request_of(handler_input).token)
        if token is not None and token.part < token.parts:
            locale = playback.request_of(handler_input).locale
            following = services(handler_input).audio.part(token.at(token.part + 1), locale)
            # When the next part cannot be had, the stream ends here and "resume" continues by voice.
            if following is not None:
                handler_input.response_builder.add_directive(
                    playback.play_directive(handler_input, following, enqueue_after=token.encode())
                )
        return handler_input.response_builder.response


class PlaybackFinishedHandler(AbstractRequestHandler):
    """A part ended: after the last one the session is complete and nothing is left to resume."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AudioPlayer.PlaybackFinished")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        token = decode_or_none(playback.request_of(handler_input).token)
        if token is not None:
            if token.part >= token.parts:
                playback.save_position(
                    handler_input, Position(token=token.encode(), offset_ms=0, status="finished")
                )
                log.info("audio session finished script=%s", token.script)
                playback.record_finished(handler_input, token)
            else:
                # The enqueued part starts next; if it never does, resume picks up at its start.
                playback.save_position(
                    handler_input, Position(token=token.at(token.part + 1).encode(), status="stopped")
                )
        return handler_input.response_builder.response


class PlaybackStoppedHandler(AbstractRequestHandler):
    """Store token and offset: this is what resume (even days later) starts from."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AudioPlayer.PlaybackStopped")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = playback.request_of(handler_input)
        if decode_or_none(request.token) is not None:
            playback.save_position(
                handler_input,
                Position(
                    token=request.token, offset_ms=request.offset_in_milliseconds or 0, status="stopped"
                ),
            )
        return handler_input.response_builder.response


class PlaybackFailedHandler(AbstractRequestHandler):
    """Log the device's error; the next session request on this account is spoken instead."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AudioPlayer.PlaybackFailed")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = playback.request_of(handler_input)
        error = getattr(request, "error", None)
        log.warning(
            "playback failed type=%s message=%s token=%.40s",
            getattr(getattr(error, "object_type", None), "value", None),
            getattr(error, "message", None),
            request.token,
        )
        token = decode_or_none(request.token)
        if token is not None:
            # The failed request reports where playback was in currentPlaybackState (no offset of its own).
            state_now = getattr(request, "current_playback_state", None)
            player = playback.context_of(handler_input).audio_player
            offset = getattr(state_now, "offset_in_milliseconds", None) or getattr(
                player, "offset_in_milliseconds", 0
            )
            offset = offset or 0
            playback.save_position(
                handler_input, Position(token=request.token, offset_ms=offset, status="failed")
            )
            playback.continue_by_voice(handler_input, token, offset)
        return handler_input.response_builder.response


class PlaybackControllerHandler(AbstractRequestHandler):
    """Device buttons (play, pause, next, previous) do what the spoken commands do, silently."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return playback.request_of(handler_input).object_type.startswith("PlaybackController.")

    def handle(self, handler_input: HandlerInput) -> Response:
        kind = playback.request_of(handler_input).object_type
        if kind == "PlaybackController.PauseCommandIssued":
            return playback.pause(handler_input, spoken=False)
        if kind == "PlaybackController.PlayCommandIssued":
            return playback.resume(handler_input, spoken=False)
        if kind == "PlaybackController.NextCommandIssued":
            return playback.move(handler_input, +1, spoken=False)
        if kind == "PlaybackController.PreviousCommandIssued":
            return playback.move(handler_input, -1, spoken=False)
        return handler_input.response_builder.response


class AudioControlIntentHandler(AbstractRequestHandler):
    """Pause, resume, next, previous, start over and repeat while our audio is in control."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        names = (
            "AMAZON.PauseIntent",
            "AMAZON.ResumeIntent",
            "AMAZON.NextIntent",
            "AMAZON.PreviousIntent",
            "AMAZON.StartOverIntent",
            "AMAZON.RepeatIntent",
        )
        return any(is_intent_name(name)(handler_input) for name in names) and playback.audio_in_control(
            handler_input
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        name = playback.request_of(handler_input).intent.name
        if name == "AMAZON.PauseIntent":
            return playback.pause(handler_input, spoken=True)
        if name == "AMAZON.ResumeIntent":
            return playback.resume(handler_input, spoken=True)
        if name in {"AMAZON.NextIntent", "AMAZON.PreviousIntent"}:
            return playback.move(handler_input, 1 if name == "AMAZON.NextIntent" else -1, spoken=True)
        return playback.restart(handler_input, whole=name == "AMAZON.StartOverIntent", spoken=True)


class StopWhilePlayingHandler(AbstractRequestHandler):
    """Stop or cancel while our audio plays: stop the stream too (its position stays resumable)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        stop = is_intent_name("AMAZON.StopIntent")(handler_input) or is_intent_name("AMAZON.CancelIntent")(
            handler_input
        )
        return stop and playback.supports_audio(handler_input) and playback.playing_now(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        playback.pause(handler_input, spoken=True)
        return respond(handler_input, speech(handler_input).say("core.goodbye"), end_session=True)


class LoopShuffleIntentHandler(AbstractRequestHandler):
    """Loop and shuffle make no sense for a guided session: say so kindly."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        names = (
            "AMAZON.LoopOnIntent",
            "AMAZON.LoopOffIntent",
            "AMAZON.ShuffleOnIntent",
            "AMAZON.ShuffleOffIntent",
        )
        return any(is_intent_name(name)(handler_input) for name in names)

    def handle(self, handler_input: HandlerInput) -> Response:
        name = playback.request_of(handler_input).intent.name
        key = "audio.no_loop" if "Loop" in name else "audio.no_shuffle"
        said = speech(handler_input).say(key)
        if playback.audio_in_control(handler_input) or not namespace.has_session(handler_input):
            return respond(handler_input, said, end_session=True)
        return respond(
            handler_input,
            said.say("launch.what_to_say"),
            reprompt=speech(handler_input).say("launch.reprompt"),
        )
