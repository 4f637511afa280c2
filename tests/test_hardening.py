"""Regression tests for what the fuzzer found (see SECURITY.md): one test per finding."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import Response

from skill.config import Settings
from skill.handlers import core
from skill.lambda_function import handler_for
from skill.services import ServicesInterceptor
from skill.state import session as state
from skill.web.app import MAX_JSON_DEPTH, create_app
from tests import envelopes
from tests.conversation import checked


def web(tmp_path: Path, **config: Any) -> Any:
    settings = {
        "verify": False,
        "storage": "sqlite",
        "db_path": tmp_path / "h.db",
        "audio_dir": tmp_path / "a",
    }
    return create_app({**settings, **config}).test_client()


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("verify", [False, True])
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 60_000])
def test_deeply_nested_json_is_refused_with_400_not_a_500(tmp_path, verify, depth):
    """Finding 1: json.loads (and ask-sdk's serializer) hit RecursionError: a 500 for anyone, unsigned."""
    body = f'{{"request": {{"type": "LaunchRequest"}}, "x": {nested_list(depth)}}}'
    response = web(tmp_path, verify=verify).post("/alexa", data=body)
    assert response.status_code == 400
    assert response.get_json()["error"] in {"malformed JSON", "JSON nested too deeply"}


def test_deep_session_attributes_within_the_limit_are_still_answered(tmp_path):
    envelope = envelopes.intent("AMAZON.HelpIntent")
    envelope["session"]["attributes"] = {"x": json.loads(nested_list(MAX_JSON_DEPTH - 8))}
    response = web(tmp_path).post("/alexa", data=json.dumps(envelope))
    assert response.status_code == 200


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_not_echoed_into_an_invalid_response(tmp_path, constant):
    """Finding 2: Python's json accepts NaN; the skill echoed it back in session attributes (not JSON)."""
    body = json.dumps(envelopes.intent("AMAZON.HelpIntent")).replace(
        '"attributes": {}', f'"attributes": {{"x": {constant}}}'
    )
    response = web(tmp_path).post("/alexa", data=body)
    assert response.status_code == 400
    assert constant not in response.get_data(as_text=True).replace("malformed JSON", "")


@pytest.mark.parametrize("application", [{}, None, "absent"])
def test_a_request_without_context_application_is_refused_not_a_500(tmp_path, application):
    """Finding 3: the verifier accepts the session's skill ID when context has none, but ask-sdk's own
    skill ID check then read context.System.application and raised: a 500."""
    envelope = envelopes.launch()
    if application == "absent":
        del envelope["context"]["System"]["application"]
    else:
        envelope["context"]["System"]["application"] = application
    response = web(tmp_path, skill_id=envelopes.SKILL_ID).post("/alexa", data=json.dumps(envelope))
    assert response.status_code == 400


@pytest.mark.parametrize(
    "envelope",
    [
        envelopes.skill_event("AlexaSkillEvent.SkillEnabled"),
        envelopes.skill_event("AlexaSkillEvent.SkillPermissionAccepted"),
        envelopes.skill_event("AlexaSkillEvent.SkillAccountLinked"),
    ],
    ids=["enabled", "permission-accepted", "account-linked"],
)
def test_events_no_feature_claims_get_an_empty_answer_not_the_error_handler(invoke, caplog, envelope):
    """Finding 4: session-less requests nobody handled went to the catch-all (ERROR log with traceback)."""
    with caplog.at_level(logging.INFO):
        raw = invoke(envelope)
    assert "outputSpeech" not in raw["response"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_unknown_request_type_in_a_session_gets_help_and_keeps_listening(invoke, caplog):
    envelope = envelopes.launch(new=False)
    envelope["request"]["type"] = "Alexa.Presentation.APL.UserEvent"
    with caplog.at_level(logging.INFO):
        raw = invoke(envelope)
    assert "didn't catch" in raw["response"]["outputSpeech"]["ssml"]
    assert raw["response"].get("shouldEndSession") is not True
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_system_exception_encountered_is_logged_and_answered_empty(invoke, caplog):
    envelope = envelopes.audio_event("System.ExceptionEncountered")
    envelope["request"]["error"] = {"type": "INVALID_RESPONSE", "message": "bad speech"}
    envelope["request"]["cause"] = {"requestId": "amzn1.echo-api.request.previous"}
    with caplog.at_level(logging.INFO):
        raw = invoke(envelope)
    assert raw["response"] == {} or "outputSpeech" not in raw["response"]
    assert "INVALID_RESPONSE" in caplog.text
    assert "amzn1.echo-api.request.previous" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


class _WritesThenFails(AbstractRequestHandler):
    """A handler that half-updates session state and then fails, as a buggy feature might."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        state.session_state(handler_input)["pending"] = "x" * 5000
        raise RuntimeError("boom")


def test_a_failing_handler_leaves_the_session_as_it_came(services):
    """Finding 5: a handler that stored (fuzzed, oversized) data and then failed sent it back in the
    apology's session attributes, over the 4 KB budget; the catch-all now answers from the incoming
    session state."""
    builder = CustomSkillBuilder(persistence_adapter=services.persistence)
    builder.add_request_handler(_WritesThenFails())
    builder.add_global_request_interceptor(ServicesInterceptor(services))
    builder.add_exception_handler(core.CatchAllExceptionHandler())
    invoke = checked(lambda envelope: handler_for(builder.create())(envelope, None))
    raw = invoke(envelopes.intent("AMAZON.HelpIntent", attributes={"cc": {"mode": "technique"}}))
    assert "something went wrong" in raw["response"]["outputSpeech"]["ssml"]
    assert raw["sessionAttributes"] == {"cc": {"mode": "technique"}}


@pytest.mark.parametrize("value", ["ture", "enabled", "O", "verify"])
def test_a_misspelt_verify_flag_stops_the_server_instead_of_turning_verification_off(value):
    """Finding 6: any CRAMP_COACH_VERIFY value other than 1/true/yes/on meant "off" (fail open)."""
    with pytest.raises(ValueError, match="yes/no"):
        Settings.from_env({"CRAMP_COACH_VERIFY": value})


@pytest.mark.parametrize(
    ("value", "verify"),
    [("0", False), ("off", False), ("No", False), ("1", True), (" TRUE ", True), ("", True), (None, True)],
)
def test_the_verify_flag_reads_the_usual_yes_no_words(value, verify):
    env = {} if value is None else {"CRAMP_COACH_VERIFY": value}
    assert Settings.from_env(env).verify is verify


def test_deleted_user_data_is_zeroed_in_the_database_file_not_left_in_free_pages(tmp_path):
    """Finding 7: whether SQLite overwrites deleted rows depends on its build (Debian's does, others
    do not); the connection now asks for secure_delete, so "delete my data" leaves no copy behind."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from skill.services import build_services

    services = build_services(Settings(verify=False, storage="sqlite", db_path=tmp_path / "d.db"))
    assert services.database.connection().execute("PRAGMA secure_delete").fetchone()[0] == 1
    user = "amzn1.ask.account.ERASEDUSERMARKER"
    envelope = DefaultSerializer().deserialize(json.dumps(envelopes.launch(user_id=user)), RequestEnvelope)
    services.persistence.save_attributes(envelope, {"profile": {"note": "x" * 2000}})
    services.database.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    services.persistence.delete_attributes(envelope)
    services.database.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert b"ERASEDUSERMARKER" not in stored


def test_a_failure_while_a_session_ends_gets_no_apology(invoke, caplog):
    """Finding 8: an error handling SessionEndedRequest was answered with spoken apology and a reprompt,
    which Alexa does not accept for a session that has already ended (broken session state here)."""
    envelope = envelopes.session_ended("USER_INITIATED", attributes={"cc": None})
    raw = invoke(envelope)
    assert "outputSpeech" not in raw["response"]
    assert "reprompt" not in raw["response"]


def test_the_manifest_subscribes_to_skill_disabled_so_user_data_is_really_deleted():
    """Finding 9: the SkillDisabled handler deletes a user's data, but the manifest subscribed to no
    event, so Alexa would never have sent it; skill events go to the same endpoint as requests."""
    manifest = json.loads((Path(__file__).parents[1] / "interaction_model" / "skill.json").read_text())[
        "manifest"
    ]
    events = manifest["events"]
    assert {"eventName": "SKILL_DISABLED"} in events["subscriptions"]
    assert events["endpoint"] == manifest["apis"]["custom"]["endpoint"]
