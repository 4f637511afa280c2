"""No engine, no crash: when audio cannot be had, an Echo gets the spoken session, with one honest line.

The engine is made absent for real: a server in a subprocess whose PATH has no espeak-ng, or the
Services' espeak-ng backend pointed at a program that is missing or fails.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from skill.audio.playback import Token
from skill.audio.session_audio import SessionAudio, job_for
from skill.audio.store import AudioStore
from skill.audio.tts import EspeakBackend
from skill.builder import build_skill
from skill.config import Settings
from skill.lambda_function import handler_for
from skill.services import Services, build_services
from tests.audio_fakes import ToneBackend
from tests.conversation import Conversation, Reply, checked
from tests.envelopes import Slot

SPOKEN_INSTEAD = "I can't play the recording just now"
# What an Echo owner asks for that plays as audio when it can (issue 16).
LONG_SESSIONS = [
    ("StartRelaxationIntent", {}),
    ("StartVisualisationIntent", {"minutes": Slot("5")}),
    ("StartRoutineIntent", {}),
]
FIVE_MINUTES = ("StartVisualisationIntent", {"minutes": Slot("5")})


def echo(invoke) -> Conversation:
    return Conversation(checked(invoke), {"audio_player": True})


def assert_spoken_session(reply: Reply) -> None:
    """The session is spoken: no stream, the honest line first, the microphone open on a question."""
    assert reply.directive("AudioPlayer.Play") is None, reply.raw
    assert reply.speech.startswith(SPOKEN_INSTEAD), reply.speech
    assert reply.listening and reply.reprompt


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_without_espeak_ng_an_echo_gets_every_long_session_spoken(tmp_path):
    """`make run` on a machine without espeak-ng: PMR, a visualisation and the routine all work."""
    port = _free_port()
    env = {
        **os.environ,
        "PATH": str(tmp_path / "bin"),  # an empty directory: no espeak-ng, no lame
        "CRAMP_COACH_DB": str(tmp_path / "db.sqlite"),
        "CRAMP_COACH_AUDIO_DIR": str(tmp_path / "audio"),
    }
    (tmp_path / "bin").mkdir()
    command = [str(Path(sys.executable).with_name("cramp-coach")), "serve", "--no-verify"]
    command += ["--port", str(port), "--workers", "1"]
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=log, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)

        def invoke(envelope: dict) -> dict:
            reply = requests.post(url + "/alexa", data=json.dumps(envelope), timeout=20)
            assert reply.status_code == 200, reply.text
            result: dict = reply.json()
            return result

        for intent, slots in LONG_SESSIONS:
            listener = echo(invoke)
            first = listener.intent(intent, slots)
            assert_spoken_session(first)
            # The session goes on, by voice, to its next segment.
            second = listener.intent("AMAZON.NextIntent")
            assert second.directive("AudioPlayer.Play") is None
            assert second.speech and second.speech != first.speech
            assert SPOKEN_INSTEAD not in second.speech
    finally:
        server.terminate()
        server.wait(timeout=15)
    output = log_path.read_text(errors="replace")
    assert "Traceback" not in output and "something went wrong" not in output
    # The missing engine is logged once, as a warning, not once per request.
    assert output.count("WARNING skill.audio.session_audio: no speech engine") == 1, output


def _wait_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "server exited"
        try:
            if requests.get(url + "/health", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError("server did not start")


@pytest.mark.slow
def test_check_without_espeak_ng_skips_audio_with_a_warning_and_passes(tmp_path):
    (tmp_path / "bin").mkdir()
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cramp-coach")), "check"],
        env={**os.environ, "PATH": str(tmp_path / "bin")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "check passed"
    assert any(line.startswith("  warning: audio skipped: the speech engine") for line in lines), lines


# -- in process: the Services' backend and store, broken for real -------------------------------------


def skill_with(services: Services):
    return echo(lambda envelope: handler_for(build_skill(services.settings, services))(envelope, None))


@pytest.fixture
def dev_settings(tmp_path: Path) -> Settings:
    return Settings(
        verify=False, storage="sqlite", db_path=tmp_path / "db.sqlite", audio_dir=tmp_path / "audio"
    )


@pytest.mark.parametrize(
    "binary",
    ["/nonexistent/espeak-ng", "false"],  # missing, and installed but failing on every line
    ids=["engine missing", "engine failing"],
)
def test_a_broken_engine_means_a_spoken_session_and_one_warning(dev_settings, binary, caplog):
    services = build_services(dev_settings, tts=EspeakBackend(binary=binary))
    caplog.set_level(logging.DEBUG, logger="skill.audio")
    for intent, slots in LONG_SESSIONS:
        assert_spoken_session(skill_with(services).intent(intent, slots))
    warnings = [
        r for r in caplog.records if r.name.startswith("skill.audio") and r.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "long sessions are spoken" in warnings[0].getMessage()


def test_a_storage_error_means_a_spoken_session(dev_settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("the audio store cannot be created here")
    services = build_services(dev_settings, tts=ToneBackend(), audio_store=AudioStore(blocked))
    assert_spoken_session(skill_with(services).intent("StartRelaxationIntent"))


def test_on_lambda_nothing_is_rendered_in_a_request_and_pre_rendered_audio_plays(dev_settings, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "cramp-coach")
    tones = ToneBackend(word_seconds=60 / 155)
    services = build_services(dev_settings, tts=tones)
    assert services.audio.render_in_request is False

    assert_spoken_session(skill_with(services).intent(*FIVE_MINUTES))
    assert tones.calls == []  # nothing synthesised inside the request

    # `render-audio --all` ahead of time, then the same request plays every part, still rendering nothing.
    job = job_for("visualisation", {"minutes": 5.0}, "en-US")
    assert services.audio.store.render(job, tones) is not None
    tones.calls.clear()
    reply = skill_with(services).intent(*FIVE_MINUTES)
    play = reply.directive("AudioPlayer.Play")
    assert play is not None and reply.ended
    token = Token.decode(play["audioItem"]["stream"]["token"])
    assert (token.key, token.parts) == (job.key(tones), job.part_count)
    assert tones.calls == []


def test_audio_already_rendered_plays_without_rendering_again(dev_settings):
    tones = ToneBackend(word_seconds=60 / 155)
    first = build_services(dev_settings, tts=tones)
    job = job_for("visualisation", {"minutes": 5.0}, "en-US")
    first.audio.store.render(job, tones)
    tones.calls.clear()
    later = SessionAudio(tones, AudioStore(dev_settings.audio_dir), render_in_request=False)
    token = later.start("visualisation", {"minutes": 5.0}, "en-US")
    assert tones.calls == []
    assert token is not None and token.parts == job.part_count


def test_a_missing_part_that_cannot_be_rendered_continues_by_voice(dev_settings, monkeypatch):
    """Part 2 was never rendered and this process may not render: "resume" carries on by voice."""
    tones = ToneBackend(word_seconds=60 / 155)
    services = build_services(dev_settings, tts=tones)
    job = job_for("pmr", {}, "en-US")
    assert job.part_count >= 2
    services.audio.store.render(job, tones, parts=[1])  # part 1 only
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "cramp-coach")
    lambda_services = build_services(dev_settings, tts=tones)
    listener = skill_with(lambda_services)
    token = Token(job.key(tones), 1, job.part_count, "pmr", job.options)
    nearly = listener.audio("AudioPlayer.PlaybackNearlyFinished", token.encode(), 170_000)
    assert nearly.directive("AudioPlayer.Play") is None  # nothing to queue: the stream ends after part 1
    listener.audio("AudioPlayer.PlaybackFinished", token.encode(), 180_000)
    listener.end()
    said = listener.intent("AMAZON.ResumeIntent")
    assert said.directive("AudioPlayer.Play") is None
    assert "guide you through it myself" in said.speech and said.ended
    # Asked again, the spoken session resumes where the audio stopped (not at the beginning).
    listener.end()
    spoken = listener.intent("AMAZON.ResumeIntent")
    assert spoken.directive("AudioPlayer.Play") is None
    assert spoken.listening and spoken.speech
