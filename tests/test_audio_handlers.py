"""Hands-free sessions through the real handler: start, AudioPlayer events, voice and button control."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from skill.audio.playback import Token
from skill.builder import build_skill, request_handlers
from skill.config import Settings
from skill.handlers import audio, session_control
from skill.lambda_function import handler_for
from skill.services import Services, build_services
from tests import envelopes
from tests.audio_fakes import ToneBackend
from tests.conversation import Conversation, Reply, checked
from tests.envelopes import Slot

IN_BED = {"variant": Slot("in bed", id="IN_BED")}


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory) -> Path:
    """One audio store for the module: each session is rendered once, then served from the cache."""
    return tmp_path_factory.mktemp("audio")


@pytest.fixture
def settings(tmp_path: Path, audio_dir: Path) -> Settings:
    return Settings(verify=False, storage="sqlite", db_path=tmp_path / "cramp-coach.db", audio_dir=audio_dir)


@pytest.fixture
def tones() -> ToneBackend:
    """Tones instead of espeak-ng: these tests are about the conversation, not the voice."""
    return ToneBackend(word_seconds=60 / 155)


@pytest.fixture
def services(settings: Settings, tones: ToneBackend) -> Iterator[Services]:
    built = build_services(settings, tts=tones)
    yield built
    built.audio.wait_for_background()


@pytest.fixture
def listener(conversation: Conversation) -> Conversation:
    """A user on an Echo: the device has the AudioPlayer."""
    conversation.envelope_options["audio_player"] = True
    return conversation


def play_of(reply: Reply) -> tuple[str, Token, int, dict]:
    directive = reply.directive("AudioPlayer.Play")
    assert directive is not None, reply.raw
    stream = directive["audioItem"]["stream"]
    return (
        directive["playBehavior"],
        Token.decode(stream["token"]),
        stream.get("offsetInMilliseconds", 0),
        stream,
    )


def assert_silent(reply: Reply) -> None:
    """What a playback event may get back: directives at most, never speech or session flags."""
    assert set(reply.response) <= {"directives"}, reply.response
    assert "sessionAttributes" not in reply.raw or not reply.raw["sessionAttributes"]


def with_player(envelope: dict, token: Token, offset_ms: int, activity: str = "PLAYING") -> dict:
    envelope["context"]["AudioPlayer"] = {
        "token": token.encode(),
        "offsetInMilliseconds": offset_ms,
        "playerActivity": activity,
    }
    return envelope


def test_a_long_session_in_bed_plays_hands_free(listener, settings):
    reply = listener.intent("StartRelaxationIntent", IN_BED)
    behavior, token, offset, stream = play_of(reply)
    assert behavior == "REPLACE_ALL" and offset == 0
    assert (token.script, token.part, token.options) == ("pmr", 1, {"variant": "in_bed"})
    assert token.parts >= 2
    assert stream["url"] == f"http://127.0.0.1:8000/audio/{token.key}-part1.mp3"  # development flag
    assert (Path(settings.audio_dir) / token.file).stat().st_size > 10_000
    # A short spoken intro, then the stream takes over: no reprompt, the session ends.
    assert "pause" in reply.speech.lower()
    assert reply.ended and not reply.reprompt


def test_without_an_audio_player_the_session_is_spoken(conversation):
    reply = conversation.intent("StartRelaxationIntent", IN_BED)
    assert reply.directive("AudioPlayer.Play") is None
    assert reply.listening and reply.speech


def test_a_short_session_is_spoken_even_on_an_echo(listener):
    reply = listener.intent("StartBreathingIntent", {"pattern": Slot("box breathing", id="BOX")})
    assert reply.directive("AudioPlayer.Play") is None
    assert "box breathing" in reply.speech


def test_the_whole_session_plays_pauses_and_resumes_days_later(listener, settings, services):
    start = listener.intent("StartRelaxationIntent", IN_BED)
    _, first, _, _ = play_of(start)

    assert_silent(listener.audio("AudioPlayer.PlaybackStarted", first.encode(), 0))
    nearly = listener.audio("AudioPlayer.PlaybackNearlyFinished", first.encode(), 170_000)
    assert_silent(nearly)
    behavior, second, offset, stream = play_of(nearly)
    assert behavior == "ENQUEUE" and offset == 0
    assert stream["expectedPreviousToken"] == first.encode()
    assert (second.key, second.part) == (first.key, 2)
    assert (Path(settings.audio_dir) / second.file).is_file()

    assert_silent(listener.audio("AudioPlayer.PlaybackFinished", first.encode(), 180_000))
    assert_silent(listener.audio("AudioPlayer.PlaybackStarted", second.encode(), 0))
    # "Alexa, pause" while the stream plays.
    paused = listener.send(
        with_player(envelopes.intent("AMAZON.PauseIntent", new=True, audio_player=True), second, 61_000)
    )
    assert paused.directive("AudioPlayer.Stop") is not None and not paused.speech
    assert_silent(listener.audio("AudioPlayer.PlaybackStopped", second.encode(), 61_234))

    # Days later, a new session: "Alexa, ask cramp coach to resume".
    listener.end()
    resumed = listener.intent("AMAZON.ResumeIntent")
    behavior, token, offset, _ = play_of(resumed)
    assert (behavior, token, offset) == ("REPLACE_ALL", second, 61_234)
    assert resumed.ended

    last = second
    while last.part < last.parts:
        reply = listener.audio("AudioPlayer.PlaybackNearlyFinished", last.encode(), 1_000)
        _, last, _, _ = play_of(reply)
    assert_silent(end := listener.audio("AudioPlayer.PlaybackNearlyFinished", last.encode(), 1_000))
    assert end.directive("AudioPlayer.Play") is None  # nothing after the last part
    assert services.diary.practice(envelopes.USER_ID) == []  # nothing counts until the end
    assert_silent(listener.audio("AudioPlayer.PlaybackFinished", last.encode(), 99_000))
    [practised] = services.diary.practice(envelopes.USER_ID)
    assert (practised.technique, practised.completed) == ("pmr", True)
    assert practised.minutes > 4

    # Finished: nothing is left to resume.
    listener.end()
    after = listener.intent("AMAZON.ResumeIntent")
    assert after.directive("AudioPlayer.Play") is None
    assert after.listening


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ("PlaybackController.PauseCommandIssued", ("AudioPlayer.Stop", None)),
        ("PlaybackController.PlayCommandIssued", ("AudioPlayer.Play", 2)),
        ("PlaybackController.NextCommandIssued", ("AudioPlayer.Play", 3)),
        ("PlaybackController.PreviousCommandIssued", ("AudioPlayer.Play", 1)),
    ],
)
def test_device_buttons_do_what_the_words_do(listener, event, expected):
    _, first, _, _ = play_of(listener.intent("StartRelaxationIntent", {"variant": Slot("full", id="FULL")}))
    assert first.parts >= 3
    second = first.at(2)
    listener.audio("AudioPlayer.PlaybackStopped", second.encode(), 5_000)
    reply = listener.send(with_player(envelopes.audio_event(event), second, 5_000, "STOPPED"))
    assert_silent(reply)
    kind, part = expected
    assert reply.directive(kind) is not None
    if part is not None:
        _, token, offset, _ = play_of(reply)
        assert token.part == part
        assert offset == (5_000 if event.endswith("PlayCommandIssued") else 0)


@pytest.mark.parametrize(
    ("intent", "part", "offset"),
    [
        ("AMAZON.NextIntent", 3, 0),
        ("AMAZON.PreviousIntent", 1, 0),
        ("AMAZON.StartOverIntent", 1, 0),
        ("AMAZON.RepeatIntent", 2, 0),  # the current part from its start
        ("AMAZON.ResumeIntent", 2, 42_000),
    ],
)
def test_moving_between_parts_by_voice(listener, intent, part, offset):
    _, first, _, _ = play_of(listener.intent("StartRelaxationIntent", {"variant": Slot("full", id="FULL")}))
    listener.audio("AudioPlayer.PlaybackStopped", first.at(2).encode(), 42_000)
    listener.end()
    reply = listener.intent(intent)
    behavior, token, got_offset, _ = play_of(reply)
    assert (behavior, token.part, got_offset) == ("REPLACE_ALL", part, offset)
    assert reply.ended


def test_next_on_the_last_part_says_so(listener):
    _, first, _, _ = play_of(listener.intent("StartRelaxationIntent", IN_BED))
    listener.audio("AudioPlayer.PlaybackStopped", first.at(first.parts).encode(), 1_000)
    reply = listener.intent("AMAZON.NextIntent")
    assert reply.directive("AudioPlayer.Play") is None
    assert "last part" in reply.speech


@pytest.mark.parametrize(
    ("intent", "words"),
    [
        ("AMAZON.LoopOnIntent", "can't loop"),
        ("AMAZON.LoopOffIntent", "can't loop"),
        ("AMAZON.ShuffleOnIntent", "can't shuffle"),
        ("AMAZON.ShuffleOffIntent", "can't shuffle"),
    ],
)
def test_loop_and_shuffle_are_declined_gracefully(listener, intent, words):
    _, first, _, _ = play_of(listener.intent("StartRelaxationIntent", IN_BED))
    reply = listener.send(with_player(envelopes.intent(intent, new=True, audio_player=True), first, 3_000))
    assert words in reply.speech
    assert reply.directive("AudioPlayer.Stop") is None  # the session keeps playing


def test_stop_while_playing_stops_the_stream_and_keeps_the_place(listener):
    _, first, _, _ = play_of(listener.intent("StartRelaxationIntent", IN_BED))
    reply = listener.send(
        with_player(envelopes.intent("AMAZON.StopIntent", new=True, audio_player=True), first, 9_000)
    )
    assert reply.directive("AudioPlayer.Stop") is not None
    assert reply.ended
    listener.audio("AudioPlayer.PlaybackStopped", first.encode(), 9_100)
    listener.end()
    _, token, offset, _ = play_of(listener.intent("AMAZON.ResumeIntent"))
    assert (token, offset) == (first, 9_100)


def test_after_a_playback_failure_the_next_request_is_spoken(listener, caplog):
    _, first, _, _ = play_of(listener.intent("StartRelaxationIntent", {"variant": Slot("full", id="FULL")}))
    with caplog.at_level(logging.WARNING):
        assert_silent(listener.audio("AudioPlayer.PlaybackFailed", first.at(2).encode(), 30_000))
    assert "playback failed" in caplog.text
    listener.end()
    # "Resume" carries on by voice from where the audio had got to.
    resumed = listener.intent("AMAZON.ResumeIntent")
    assert resumed.directive("AudioPlayer.Play") is None
    assert resumed.listening and resumed.speech
    # A new start is spoken once, then audio is tried again.
    listener.end()
    spoken = listener.intent("StartRelaxationIntent", IN_BED)
    assert spoken.directive("AudioPlayer.Play") is None
    assert spoken.speech.startswith("I can't play the recording just now")
    listener.end()
    assert listener.intent("StartRelaxationIntent", IN_BED).directive("AudioPlayer.Play") is not None


def test_a_spoken_session_keeps_its_own_controls_on_an_echo(listener):
    # Yesterday's audio is resumable, but today the user is in a short spoken stretching session.
    _, first, _, _ = play_of(listener.intent("StartRelaxationIntent", IN_BED))
    listener.audio("AudioPlayer.PlaybackStopped", first.encode(), 12_000)
    listener.end()
    spoken = listener.intent("StartStretchIntent", {"stretch": Slot("bedtime stretches", id="BEDTIME")})
    assert spoken.directive("AudioPlayer.Play") is None and spoken.listening
    paused = listener.intent("AMAZON.PauseIntent")
    assert paused.directive("AudioPlayer.Stop") is None
    assert paused.speech  # the spoken session answers, and remembers its own place


def test_audio_handlers_route_before_the_spoken_session_controls():
    order = [type(h) for h in request_handlers()]
    audio_control = order.index(audio.AudioControlIntentHandler)
    assert audio_control < order.index(session_control.SessionControlHandler)
    assert audio_control < order.index(session_control.NoSessionControlHandler)
    assert order.index(audio.StopWhilePlayingHandler) < order.index(session_control.StopSessionHandler)
    for event_handler in (
        audio.PlaybackNearlyFinishedHandler,
        audio.PlaybackStoppedHandler,
        audio.PlaybackControllerHandler,
    ):
        assert order.index(event_handler) < audio_control


@pytest.mark.parametrize(
    ("base_url", "plays"),
    [(None, False), ("http://cdn.example.com/audio", False), ("https://cdn.example.com/audio", True)],
)
def test_production_plays_only_from_https(tmp_path, base_url, plays, tones):
    settings = Settings(
        verify=True,
        storage="sqlite",
        db_path=tmp_path / "db.sqlite",
        audio_dir=tmp_path / "audio",
        audio_base_url=base_url,
    )
    services = build_services(settings, tts=tones)
    invoke = checked(lambda e: handler_for(build_skill(settings, services))(e, None))
    reply = Reply(invoke(envelopes.intent("StartRelaxationIntent", IN_BED, new=True, audio_player=True)))
    services.audio.wait_for_background()
    directive = reply.directive("AudioPlayer.Play")
    assert (directive is not None) == plays
    if plays:
        assert directive["audioItem"]["stream"]["url"].startswith("https://cdn.example.com/audio/")
