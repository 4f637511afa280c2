"""``cramp-coach chat``: envelopes built turn by turn, dialogs as Alexa runs them, and the real skill."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import wave
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from skill.cli import main
from skill.config import Settings
from skill.content.catalog import default_catalog
from skill.localchat.render import describe_directive, render_turn
from skill.localchat.resolver import Resolver
from skill.localchat.session import ChatSession, http_transport, in_process_transport
from skill.localchat.speak import Speaker, espeak_ssml
from skill.speech.response_check import response_problems
from skill.web.app import create_app

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "models" / "en-US.json").read_text())
TODAY = date(2026, 11, 25)


def reply(
    text: str = "",
    *,
    end: bool | None = False,
    directives: list[dict[str, Any]] | None = None,
    attributes: dict[str, Any] | None = None,
    reprompt: str | None = None,
) -> dict[str, Any]:
    """A response envelope as a skill would return it."""
    response: dict[str, Any] = {}
    if text:
        response["outputSpeech"] = {"type": "SSML", "ssml": f"<speak>{text}</speak>"}
    if reprompt:
        response["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{reprompt}</speak>"}}
    if directives:
        response["directives"] = directives
    if end is not None:
        response["shouldEndSession"] = end
    return {"version": "1.0", "sessionAttributes": attributes or {}, "response": response}


class FakeSkill:
    """Records every envelope; answers with a function of the request."""

    def __init__(self, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []

    def __call__(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(json.loads(json.dumps(envelope)))
        return self.answer(envelope)

    @property
    def last(self) -> dict[str, Any]:
        return self.requests[-1]


def chat_with(
    answer: Callable[[dict[str, Any]], dict[str, Any]], **options: Any
) -> tuple[ChatSession, FakeSkill]:
    skill = FakeSkill(answer)
    return ChatSession(Resolver(FIXTURE, today=TODAY), skill, **options), skill


def shown(turn: Any) -> list[str]:
    """The printed lines of a turn, without their indentation."""
    return [line.strip() for line in render_turn(turn)]


def slot_values(envelope: dict[str, Any]) -> dict[str, str]:
    slots = envelope["request"]["intent"]["slots"]
    return {name: slot["value"] for name, slot in slots.items() if "value" in slot}


# -- envelopes ----------------------------------------------------------------------------------


def test_a_session_carries_its_id_new_flag_and_attributes():
    turn = iter(range(100))
    session, skill = chat_with(lambda env: reply("ok", attributes={"turn": next(turn)}, reprompt="more?"))
    session.handle("open night helper")
    first = skill.last
    session.handle("log a cramp")
    second = skill.last
    assert first["request"]["type"] == "LaunchRequest"
    assert first["session"]["new"] is True and second["session"]["new"] is False
    assert first["session"]["sessionId"] == second["session"]["sessionId"]
    assert second["session"]["attributes"] == {"turn": 0}
    assert second["request"]["locale"] == "en-US"
    assert second["request"]["timestamp"].endswith("Z")
    assert second["context"]["System"]["device"]["supportedInterfaces"] == {}
    assert second["session"]["user"]["userId"] == second["context"]["System"]["user"]["userId"]


def test_a_session_that_ends_is_followed_by_a_new_one():
    session, skill = chat_with(lambda env: reply("bye", end=True))
    session.handle("ask night helper to log a cramp")
    first = skill.last["session"]["sessionId"]
    turns = session.handle("log a cramp")
    assert turns[0].ended
    assert skill.last["session"]["new"] is True
    assert skill.last["session"]["sessionId"] != first
    assert skill.last["session"]["attributes"] == {}


def test_left_out_should_end_session_ends_the_session_on_a_speaker_unless_it_asks():
    session, _ = chat_with(lambda env: reply("hello", end=None))
    assert session.handle("open night helper")[0].ended
    session, _ = chat_with(lambda env: reply("hello", end=None, reprompt="well?"))
    assert not session.handle("open night helper")[0].ended


def test_opening_the_skill_mid_session_starts_a_new_session():
    session, skill = chat_with(lambda env: reply("hi", reprompt="?"))
    session.handle("open night helper")
    first = skill.last["session"]["sessionId"]
    session.handle("open night helper")
    assert skill.last["session"]["new"] is True and skill.last["session"]["sessionId"] != first


def test_slots_are_all_declared_and_custom_values_carry_entity_resolution():
    session, skill = chat_with(lambda env: reply("ok", reprompt="?"))
    session.handle("I had a cramp in my left calves")
    slots = skill.last["request"]["intent"]["slots"]
    assert set(slots) == {"muscle", "side", "when", "time", "severity", "duration", "skip"}
    assert "value" not in slots["severity"] and slots["severity"]["confirmationStatus"] == "NONE"
    authority = slots["muscle"]["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["status"]["code"] == "ER_SUCCESS_MATCH"
    assert authority["values"] == [{"value": {"name": "calf", "id": "CALF"}}]
    assert authority["authority"].endswith(".Muscle")
    session.handle("I had a cramp in my elbow")
    unmatched = skill.last["request"]["intent"]["slots"]["muscle"]
    assert unmatched["value"] == "elbow"
    assert unmatched["resolutions"]["resolutionsPerAuthority"][0]["status"]["code"] == "ER_SUCCESS_NO_MATCH"


def test_audio_player_devices_say_so():
    session, skill = chat_with(lambda env: reply("ok", reprompt="?"), audio_player=True)
    session.handle("open night helper")
    assert skill.last["context"]["System"]["device"]["supportedInterfaces"] == {"AudioPlayer": {}}
    assert skill.last["context"]["AudioPlayer"]["playerActivity"] == "IDLE"


def test_playback_is_tracked_and_events_arrive_without_a_session():
    play = {
        "type": "AudioPlayer.Play",
        "playBehavior": "REPLACE_ALL",
        "audioItem": {
            "stream": {"url": "https://x.example/a.mp3", "token": "tok-1", "offsetInMilliseconds": 0}
        },
    }
    session, skill = chat_with(lambda env: reply("starting", end=True, directives=[play]), audio_player=True)
    turns = session.handle("ask night helper for box breathing")
    assert "(playing https://x.example/a.mp3 from 0 s)" in shown(turns[0])
    session.event("PlaybackStopped", 42000)
    event = skill.last
    assert "session" not in event
    assert event["request"]["type"] == "AudioPlayer.PlaybackStopped"
    assert (event["request"]["token"], event["request"]["offsetInMilliseconds"]) == ("tok-1", 42000)


# -- dialogs ------------------------------------------------------------------------------------


def test_first_request_of_a_dialog_intent_is_started_and_other_intents_have_no_dialog_state():
    session, skill = chat_with(lambda env: reply("ok", reprompt="?"))
    session.handle("log a cramp")
    assert skill.last["request"]["dialogState"] == "STARTED"
    session.handle("a breathing exercise")
    assert "dialogState" not in skill.last["request"]


def test_elicit_slot_takes_the_next_line_as_the_answer_and_keeps_filled_slots():
    def answer(env: dict[str, Any]) -> dict[str, Any]:
        intent = env["request"]["intent"]
        if "severity" not in slot_values(env):
            directive = {"type": "Dialog.ElicitSlot", "slotToElicit": "severity", "updatedIntent": intent}
            return reply("How bad?", directives=[directive])
        return reply("Saved.", end=True)

    session, skill = chat_with(answer)
    turns = session.handle("I had a cramp in my left calf last night")
    assert "(asking for severity)" in shown(turns[0])
    session.handle("it was a seven")
    request = skill.last["request"]
    assert request["dialogState"] == "IN_PROGRESS"
    assert slot_values(skill.last) == {
        "side": "left",
        "muscle": "calf",
        "when": "2026-11-24",
        "time": "NI",
        "severity": "7",
    }


def test_while_a_slot_is_elicited_stop_still_stops():
    def answer(env: dict[str, Any]) -> dict[str, Any]:
        if env["request"]["intent"]["name"] == "LogCrampIntent":
            return reply(
                "Which muscle?", directives=[{"type": "Dialog.ElicitSlot", "slotToElicit": "muscle"}]
            )
        return reply("Bye", end=True)

    session, skill = chat_with(answer)
    session.handle("log a cramp")
    session.handle("stop")
    assert skill.last["request"]["intent"]["name"] == "AMAZON.StopIntent"
    assert "dialogState" not in skill.last["request"]


def test_an_unknown_answer_to_an_elicited_custom_slot_is_sent_as_no_match():
    def answer(env: dict[str, Any]) -> dict[str, Any]:
        return reply("Which muscle?", directives=[{"type": "Dialog.ElicitSlot", "slotToElicit": "muscle"}])

    session, skill = chat_with(answer)
    session.handle("log a cramp")
    session.handle("my elbow")
    slot = skill.last["request"]["intent"]["slots"]["muscle"]
    assert skill.last["request"]["intent"]["name"] == "LogCrampIntent"
    assert slot["value"] == "elbow"
    assert slot["resolutions"]["resolutionsPerAuthority"][0]["status"]["code"] == "ER_SUCCESS_NO_MATCH"


def test_confirm_intent_takes_yes_or_no():
    def answer(env: dict[str, Any]) -> dict[str, Any]:
        if env["request"]["intent"]["confirmationStatus"] == "NONE":
            return reply(
                "Save it?",
                directives=[{"type": "Dialog.ConfirmIntent", "updatedIntent": env["request"]["intent"]}],
            )
        return reply("Done.", end=True)

    session, skill = chat_with(answer)
    session.handle("I had a cramp in my calf")
    session.handle("nope")
    assert skill.last["request"]["intent"]["confirmationStatus"] == "DENIED"
    assert skill.last["request"]["dialogState"] == "IN_PROGRESS"
    assert slot_values(skill.last) == {"muscle": "calf"}


def test_delegate_runs_the_dialog_model_prompts_validations_and_confirmation():
    def answer(env: dict[str, Any]) -> dict[str, Any]:
        if env["request"].get("dialogState") != "COMPLETED":
            return reply(
                directives=[{"type": "Dialog.Delegate", "updatedIntent": env["request"]["intent"]}], end=None
            )
        return reply("Logged.", end=True)

    session, skill = chat_with(answer)
    spoken = []
    for line in ["log a cramp", "my elbow", "my left foot", "twelve", "about seven", "yes"]:
        turns = session.handle(line)
        spoken.append([t.prompt for t in turns if t.prompt is not None])
    assert spoken == [
        ["Which muscle cramped?"],
        ["I don't know that muscle. Was it your calf or your foot?"],
        ["How bad was it, from zero to ten?"],
        ["Please give a number from zero to ten."],
        ["A cramp in your foot, severity 7. Shall I save it?"],
        [],
    ]
    final = skill.last["request"]
    assert final["dialogState"] == "COMPLETED"
    assert final["intent"]["confirmationStatus"] == "CONFIRMED"
    assert slot_values(skill.last) == {"muscle": "foot", "side": "left", "severity": "7"}
    states = [r["request"].get("dialogState") for r in skill.requests]
    assert states == [
        "STARTED",
        "IN_PROGRESS",
        "IN_PROGRESS",
        "IN_PROGRESS",
        "IN_PROGRESS",
        "IN_PROGRESS",
        "COMPLETED",
    ]


def test_always_delegated_intents_reach_the_skill_only_when_complete():
    session, skill = chat_with(lambda env: reply("Noted.", end=True))
    assert [t.prompt for t in session.handle("take a quick note")] == ["Which muscle?"]
    assert [t.prompt for t in session.handle("calves")] == ["Your calves, right?"]
    assert skill.requests == []
    session.handle("yes")
    request = skill.last["request"]
    assert (request["dialogState"], request["intent"]["slots"]["muscle"]["confirmationStatus"]) == (
        "COMPLETED",
        "CONFIRMED",
    )
    assert skill.last["session"]["new"] is True


def test_a_skill_that_delegates_forever_does_not_hang_the_chat():
    delegate = {"type": "Dialog.Delegate"}
    session, skill = chat_with(lambda env: reply(directives=[delegate], end=None))
    turns = session.handle("I had a cramp in my left calf last night about seven for five minutes")
    assert [t.prompt for t in turns if t.prompt] == ["A cramp in your calf, severity 7. Shall I save it?"]
    turns = session.handle("yes")
    assert "keeps delegating" in (turns[-1].error or "")
    assert (
        len(skill.requests) == 12
    )  # STARTED, IN_PROGRESS, then ten COMPLETED requests that were delegated back


# -- rendering and speech -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("directive", "text"),
    [
        ({"type": "Dialog.ElicitSlot", "slotToElicit": "severity"}, "(asking for severity)"),
        ({"type": "Dialog.ConfirmSlot", "slotToConfirm": "muscle"}, "(confirming muscle)"),
        ({"type": "Dialog.ConfirmIntent"}, "(asking to confirm)"),
        (
            {
                "type": "AudioPlayer.Play",
                "playBehavior": "ENQUEUE",
                "audioItem": {"stream": {"url": "https://a/b.mp3", "offsetInMilliseconds": 90000}},
            },
            "(queued https://a/b.mp3 from 90 s)",
        ),
        ({"type": "AudioPlayer.Stop"}, "(audio stopped)"),
    ],
)
def test_directives_are_summarised(directive, text):
    assert describe_directive(directive) == text


def test_replies_show_pauses_reprompts_cards_and_the_end():
    envelope = reply('In <break time="4s"/> and out.', end=True, reprompt="Ready?")
    envelope["response"]["card"] = {
        "type": "Simple",
        "title": "Breathing",
        "content": "In for four.\nOut for six.",
    }
    session, _ = chat_with(lambda env: envelope)
    lines = render_turn(session.handle("open night helper")[0])
    assert lines == [
        "Alexa: In [4 s] and out.",
        "       reprompt: Ready?",
        "       [card] Breathing: In for four. / Out for six.",
        "       (session ended)",
    ]


def test_whispered_speech_becomes_quieter_slower_prosody_for_espeak():
    document = (
        '<speak>Now <amazon:effect name="whispered">rest <break time="2s"/> softly</amazon:effect>.</speak>'
    )
    converted = espeak_ssml(document)
    assert "amazon:" not in converted
    assert '<prosody volume="x-soft" rate="slow">rest <break time="2s"/> softly</prosody>' in converted


def test_speaker_builds_the_espeak_command_and_reports_a_missing_sound_card(tmp_path):
    calls: list[list[str]] = []
    messages: list[str] = []

    class Result:
        def __init__(self, code: int, stderr: str = "") -> None:
            self.returncode, self.stderr = code, stderr

    def runner(command: list[str], **_: Any) -> Result:
        calls.append(command)
        if command[0].endswith("espeak-ng"):
            Path(command[command.index("-w") + 1]).write_bytes(b"RIFF")
            return Result(0)
        return Result(1, "play FAIL: no default audio device configured")

    speaker = Speaker(
        "en-GB",
        workdir=tmp_path,
        runner=runner,
        notify=messages.append,
        which=lambda name: f"/usr/bin/{name}" if name in ("espeak-ng", "play") else None,
    )
    written = speaker.say(
        ['<speak>One <amazon:effect name="whispered">two</amazon:effect></speak>', "<speak>x</speak>"]
    )
    assert calls[0][:6] == ["/usr/bin/espeak-ng", "-m", "-v", "en-gb", "-w", str(tmp_path / "turn-001.wav")]
    assert calls[0][6] == '<speak>One <prosody volume="x-soft" rate="slow">two</prosody></speak>'
    assert calls[1] == ["play", "-q", str(tmp_path / "turn-001.wav")]
    assert [c[0] for c in calls[2:]] == [
        "/usr/bin/espeak-ng"
    ]  # after the first failure nothing more is played
    assert written == [tmp_path / "turn-001.wav", tmp_path / "turn-002.wav"]
    assert (
        len(messages) == 1 and "no audio device" in messages[0] and "no default audio device" in messages[0]
    )


def test_speech_that_was_played_leaves_no_files(tmp_path):
    class Ok:
        returncode, stderr = 0, ""

    def runner(command: list[str], **_: Any) -> Ok:
        if "-w" in command:
            Path(command[command.index("-w") + 1]).write_bytes(b"RIFF")
        return Ok()

    workdir = tmp_path / "speech"
    workdir.mkdir()
    speaker = Speaker(
        workdir=workdir, runner=runner, notify=pytest.fail, which=lambda name: f"/usr/bin/{name}"
    )
    assert speaker.player == ["aplay", "-q"]
    speaker.say(["<speak>Hello.</speak>"])
    speaker.close()
    assert not workdir.exists()


@pytest.mark.skipif(not Path("/usr/bin/espeak-ng").exists(), reason="espeak-ng is not installed")
def test_espeak_writes_a_wav_with_the_pause_in_it(tmp_path):
    speaker = Speaker(
        "en-US",
        workdir=tmp_path,
        notify=lambda message: None,
        which=lambda name: "/usr/bin/espeak-ng" if name == "espeak-ng" else None,
    )
    short = speaker.render("<speak>Breathe in. Breathe out.</speak>")
    long = speaker.render('<speak>Breathe in. <break time="3s"/> Breathe out.</speak>')
    assert short and long

    def seconds(path: Path) -> float:
        with wave.open(str(path)) as audio:
            return audio.getnframes() / audio.getframerate()

    # The break replaces the usual pause after a sentence (about 0.4 s), hence a little under 3 s.
    assert 2.4 < seconds(long) - seconds(short) < 3.3


# -- through the real skill ---------------------------------------------------------------------


def phrases(key: str) -> list[str]:
    return default_catalog().variants("en-US", key)


def test_scripted_chat_through_the_real_skill(tmp_path):
    script = (
        "\n".join(
            [
                "# a comment line is ignored",
                "Alexa, open cramp coach",
                "help",
                "juggle some flaming torches",
                "stop",
                "what can I say",
            ]
        )
        + "\n"
    )
    result = CliRunner().invoke(main, ["chat", "--db", str(tmp_path / "chat.db"), "--trace"], input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "you>" not in out  # piped input: no prompt noise
    assert phrases("launch.welcome_first")[0] in out
    assert f"reprompt: {phrases('launch.reprompt')[0]}" in out
    assert "-> IntentRequest AMAZON.FallbackIntent" in out
    assert phrases("core.fallback.default")[0] in out
    before, after = out.split("(session ended)")
    assert any(goodbye in before for goodbye in phrases("core.goodbye"))
    assert "-> IntentRequest [new session] AMAZON.HelpIntent" in after
    assert after.rstrip().endswith("-> SessionEndedRequest")


def test_chat_rejects_a_locale_without_a_model():
    result = CliRunner().invoke(main, ["chat", "--locale", "fr-FR"], input="")
    assert result.exit_code == 2
    assert "no interaction model for fr-FR" in result.output


def test_the_console_script_reads_piped_stdin(tmp_path):
    script = Path(sys.executable).parent / "cramp-coach"
    result = subprocess.run(
        [str(script), "chat", "--db", str(tmp_path / "chat.db"), "--echo"],
        input="open cramp coach\nstop\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CRAMP_COACH_STORAGE": "sqlite"},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "> open cramp coach"
    assert lines[1].startswith("Alexa: " + phrases("launch.welcome_first")[0])
    assert "> stop" in lines
    assert lines[-1] == "       (session ended)"


def test_every_response_of_a_chat_is_valid_for_alexa(tmp_path):
    settings = Settings(verify=False, storage="sqlite", db_path=tmp_path / "c.db", audio_dir=tmp_path)
    session = ChatSession(
        Resolver.for_locale("en-US"), in_process_transport(settings), api_endpoint="http://127.0.0.1:9"
    )
    for line in ["open cramp coach", "help", "go home", "yes", "nonsense words", "cancel"]:
        for turn in session.handle(line):
            assert turn.response is not None, turn.error
            assert response_problems(turn.response) == []


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The web service on a free local port, verification off as with ``serve --no-verify``."""
    app = create_app(
        Settings(verify=False, storage="sqlite", db_path=tmp_path / "web.db", audio_dir=tmp_path)
    )
    httpd = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/alexa"
    httpd.shutdown()
    thread.join()


def test_chat_over_http_to_a_running_skill(server):
    session = ChatSession(Resolver.for_locale("en-US"), http_transport(server))
    turns = session.handle("open cramp coach") + session.handle("stop")
    assert [t.error for t in turns] == [None, None]
    assert phrases("launch.welcome_first")[0] in render_turn(turns[0])[0]
    assert turns[1].ended


def test_http_errors_are_reported_not_raised(server):
    session = ChatSession(Resolver.for_locale("en-US"), http_transport(server.replace("/alexa", "/nowhere")))
    [turn] = session.handle("open cramp coach")
    assert turn.error is not None and "HTTP 404" in turn.error
    assert render_turn(turn) == [f"(error: {turn.error})"]
