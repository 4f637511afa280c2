"""Logs carry ids and types, never what the user said or who they are (see SECURITY.md).

Every intent in the model is sent with every slot filled with a marker, from a user, device and API
token that are markers too; none of them may appear in any log line, at any level, from the skill's
loggers, ask-sdk's or gunicorn's access log.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from skill.models import load_model
from skill.web.app import create_app
from tests import envelopes
from tests.envelopes import Slot

USER = "amzn1.ask.account.SECRETUSER7F3A"
DEVICE = "amzn1.ask.device.SECRETDEVICE9B2C"
TOKEN = "SECRETTOKEN5D1E"
SAID = "secretspokenwords"
MARKERS = [USER, DEVICE, TOKEN, SAID, "SECRETUSER7F3A", "SECRETDEVICE9B2C"]
NO_API = "https://127.0.0.1:9"


def _requests() -> list[dict]:
    """A launch, then every model intent with every slot said (unmatched and, for typed slots, matched)."""
    found = [envelopes.launch(user_id=USER, api_endpoint=NO_API)]
    for intent in load_model("en-US")["interactionModel"]["languageModel"]["intents"]:
        names = [slot["name"] for slot in intent.get("slots", [])]
        for slot_value in (Slot(SAID, match=False), Slot(SAID, id="CALF")):
            found.append(
                envelopes.intent(
                    intent["name"], dict.fromkeys(names, slot_value), user_id=USER, api_endpoint=NO_API
                )
            )
    for envelope in found:
        envelope["context"]["System"]["device"]["deviceId"] = DEVICE
        envelope["context"]["System"]["apiAccessToken"] = TOKEN
    found.append(envelopes.session_ended("ERROR", {"type": "INVALID_RESPONSE", "message": "x"}, user_id=USER))
    found.append(envelopes.audio_event("AudioPlayer.PlaybackStopped", "cc1|x", 5, user_id=USER))
    found.append(envelopes.skill_event("AlexaSkillEvent.SkillDisabled", user_id=USER))
    return found


def test_no_slot_value_user_device_or_token_reaches_any_log(tmp_path, caplog):
    app = create_app(
        {"verify": False, "storage": "sqlite", "db_path": tmp_path / "r.db", "audio_dir": tmp_path / "a"}
    )
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        statuses = {client.post("/alexa", data=json.dumps(envelope)).status_code for envelope in _requests()}
    assert statuses == {200}
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "request id=" in logged, "the interceptors log something: this test would notice a leak"
    leaks = [marker for marker in MARKERS if marker in logged]
    assert leaks == []


@pytest.mark.slow
def test_the_real_servers_output_including_the_access_log_holds_no_personal_data(tmp_path):
    """gunicorn's access log format logs method, path, status, size and time: no body, no headers."""
    port = _free_port()
    log_path = tmp_path / "server.log"
    command = [
        str(Path(sys.executable).with_name("cramp-coach")),
        "--log-level",
        "debug",
        "serve",
        "--no-verify",
    ]
    command += ["--db", str(tmp_path / "r.db"), "--port", str(port), "--workers", "1"]
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, server)
        for envelope in _requests()[:12]:
            reply = requests.post(
                url + "/alexa?user=" + SAID,
                data=json.dumps(envelope),
                timeout=10,
                headers={"Content-Type": "application/json", "X-Debug": SAID, "User-Agent": SAID},
            )
            assert reply.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=15)
    output = log_path.read_text(errors="replace")
    assert '"POST /alexa" 200' in output, "the access log is on: this test would notice a leak"
    assert [marker for marker in MARKERS if marker in output] == []


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
