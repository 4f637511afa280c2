"""Property tests over the real web service: whatever arrives, the answer is a 400/413 or a valid reply.

The fast profile here runs in CI (derandomised there: the "ci" profile in conftest.py, so a failure
reproduces with HYPOTHESIS_PROFILE=ci); ``bench/fuzz.py`` runs the same properties over 10,000+ examples.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from skill.config import MAX_BODY_BYTES
from tests import envelopes, strategies
from tests.fuzzing import Target, check_answer, refusal_for, web_target
from tests.pki import TestPKI, build_pki

# CI profile: enough examples to catch regressions in seconds; no example database written.
FAST = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# A failing example may hold a 100 KB body; hypothesis warns before printing it, and warnings are errors.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The web service as deployed (skill ID configured), verification off, on a fresh SQLite file."""
    target = web_target(tmp_path_factory.mktemp("fuzz"))
    logging.getLogger("skill").addHandler(target.errors)
    try:
        yield target
    finally:
        logging.getLogger("skill").removeHandler(target.errors)


@FAST
@given(case=strategies.cases())
def test_no_body_gets_a_500_and_every_200_is_a_valid_alexa_response(
    target: Target, case: strategies.Case
) -> None:
    status, data = target.post(case.body)
    event(f"{case.kind} -> {status}")
    check_answer(status, data, must_answer=case.kind == "valid", body=case.body)
    if len(case.body) > MAX_BODY_BYTES:
        assert status == 413
    target.errors.take()  # odd and broken input may reach the catch-all: it apologises, which is fine


@FAST
@given(case=strategies.valid_cases())
def test_every_request_alexa_could_send_is_answered_without_reaching_the_error_handler(
    target: Target, case: strategies.Case
) -> None:
    status, data = target.post(case.body)
    check_answer(status, data, must_answer=True)
    assert target.errors.take() == []


class Conversations(RuleBasedStateMachine):
    """A user talking over several turns: session attributes come from the skill's previous reply.

    This reaches states a single envelope cannot (a technique in progress, a diary dialog half
    filled) and checks them with the same properties, plus that a session stays under budget.
    """

    model = strategies.language_model()  # fixed for the run: see strategies.intent_envelopes

    def __init__(self, target: Target) -> None:
        super().__init__()
        self.target = target
        self.attributes: dict[str, Any] | None = None  # None: no open session

    def _send(self, envelope: dict[str, Any]) -> dict[str, Any] | None:
        status, data = self.target.post(strategies.encode(envelope))
        reply = check_answer(status, data, must_answer=True)
        errors = self.target.errors.take()
        assert errors == [], f"handler error for {strategies.label_of(envelope)}: {errors}"
        return reply

    @rule(envelope=strategies.launch_envelopes())
    def launch(self, envelope: dict[str, Any]) -> None:
        reply = self._send(envelope)
        self._carry(reply)

    @rule(data=st.data())
    def speak(self, data: st.DataObject) -> None:
        envelope = data.draw(
            strategies.intent_envelopes(
                attributes=self.attributes or {}, new=self.attributes is None, model=self.model
            )
        )
        self._carry(self._send(envelope))

    @precondition(lambda self: self.attributes is not None)
    @rule(data=st.data())
    def session_ends(self, data: st.DataObject) -> None:
        self._send(data.draw(strategies.session_ended_envelopes(attributes=self.attributes)))
        self.attributes = None

    @rule(envelope=strategies.playback_envelopes())
    def playback_event(self, envelope: dict[str, Any]) -> None:
        self._send(envelope)

    @rule(envelope=strategies.skill_event_envelopes())
    def skill_event(self, envelope: dict[str, Any]) -> None:
        self._send(envelope)

    def _carry(self, reply: dict[str, Any] | None) -> None:
        assert reply is not None
        if reply["response"].get("shouldEndSession") is True:
            self.attributes = None
        else:
            self.attributes = reply.get("sessionAttributes") or {}


def test_multi_turn_conversations_keep_every_property(target: Target) -> None:
    run_state_machine_as_test(
        lambda: Conversations(target),
        settings=settings(FAST, max_examples=40, stateful_step_count=10),
    )


# --------------------------------------------------------------------------- verification on


@pytest.fixture(scope="module")
def verifying(tmp_path_factory: pytest.TempPathFactory) -> Target:
    """The service with default settings: verification on (nothing is fetched: no header, no download)."""
    return web_target(tmp_path_factory.mktemp("verify"), verify=True)


@pytest.fixture(scope="module")
def test_pki() -> TestPKI:
    return build_pki()


@pytest.fixture(scope="module")
def verifying_with_test_ca(tmp_path_factory: pytest.TempPathFactory, test_pki: TestPKI) -> Target:
    """Verification on, trusting the test CA, so forged signatures are checked against a real chain."""
    return web_target(
        tmp_path_factory.mktemp("verify-ca"), verify=True, verifier=test_pki.verifier(clock=None)
    )


def _stamped(case: strategies.Case) -> bytes:
    if case.envelope is None:
        return case.body
    return strategies.encode(strategies.fresh_timestamp(case.envelope))


@FAST
@given(case=strategies.cases())
def test_with_verification_on_every_unsigned_body_is_refused_with_400(
    verifying: Target, case: strategies.Case
) -> None:
    body = _stamped(case)
    status, data = verifying.post(body)
    assert status == refusal_for(body), f"unsigned body got {status}: {data[:300]!r}"


@FAST
@given(
    case=strategies.cases(),
    forgery=st.sampled_from(["random", "other-body", "empty-url", "bad-base64"]),
    signature=st.binary(min_size=1, max_size=512),
)
def test_with_verification_on_every_forged_signature_is_refused_with_400(
    verifying_with_test_ca: Target, test_pki: TestPKI, case: strategies.Case, forgery: str, signature: bytes
) -> None:
    body = _stamped(case)
    headers = test_pki.headers(body + b" ")  # a genuine signature, but over another body
    if forgery == "random":
        import base64

        headers["Signature-256"] = base64.b64encode(signature).decode()
    elif forgery == "empty-url":
        headers["SignatureCertChainUrl"] = ""
    elif forgery == "bad-base64":
        headers["Signature-256"] = "not base64!"
    status, data = verifying_with_test_ca.post(body, headers)
    assert status == refusal_for(body), f"forged body got {status}: {data[:300]!r}"


def test_a_correctly_signed_request_passes_the_same_verifier(
    verifying_with_test_ca: Target, test_pki: TestPKI
) -> None:
    """Control for the forgery property: the same setup accepts a genuine signature."""
    body = strategies.encode(envelopes.launch())
    status, data = verifying_with_test_ca.post(body, test_pki.headers(body))
    assert status == 200, data


# --------------------------------------------------------------------------- audio route

AUDIO_KEY = "0123456789abcdef" * 4
AUDIO_NAME = f"{AUDIO_KEY}-part1.mp3"
AUDIO_DATA = bytes(range(256)) * 8
SECRET = b"SECRET-NOT-AUDIO"
PATH_PIECES = [
    AUDIO_NAME,
    "..",
    ".",
    "%2e%2e",
    "%2E%2E%2F",
    "%2f",
    "%5c",
    "\\",
    "",
    "//",
    "~",
    "%00",
    "\u202e",
    "secret.mp3",
    f"{AUDIO_KEY}.json",
    f"{AUDIO_KEY}-part1.meta.json",
    AUDIO_NAME.upper(),
    f"{AUDIO_KEY}-part0.mp3",
    f"{AUDIO_KEY}-part1000.mp3",
    f"{AUDIO_NAME}%00.txt",
    f"{AUDIO_NAME}/",
    "etc/passwd",
    "/etc/passwd",
    "C:\\Windows",
    "audio",
    f"{AUDIO_NAME}\n",
]
RANGES = ["bytes=0-", "bytes=-1", "bytes=5-2", "bytes=0-0,2-3", "bytes=99999999-", "bytes=1-1", "items=0-1"]


@pytest.fixture(scope="module")
def audio_client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The web service with one stored part, a manifest and secrets around the audio directory."""
    tmp = tmp_path_factory.mktemp("audio-fuzz")
    audio = tmp / "audio"
    audio.mkdir()
    (audio / AUDIO_NAME).write_bytes(AUDIO_DATA)
    (audio / f"{AUDIO_KEY}.json").write_bytes(SECRET)
    (audio / f"{AUDIO_KEY}-part1.meta.json").write_bytes(SECRET)
    (tmp / "secret.mp3").write_bytes(SECRET)
    app = web_target(tmp, audio_dir=audio).client.application
    return app.test_client()


@FAST
@given(
    pieces=st.lists(st.one_of(st.sampled_from(PATH_PIECES), strategies.any_text), min_size=1, max_size=4),
    method=st.sampled_from(["get", "head"]),
    range_header=st.one_of(st.none(), st.sampled_from(RANGES), strategies.any_text),
    etag=st.one_of(st.none(), strategies.any_text),
)
def test_the_audio_route_serves_stored_parts_and_nothing_else(
    audio_client: Any, pieces: list[str], method: str, range_header: str | None, etag: str | None
) -> None:
    headers = {k: v for k, v in (("Range", range_header), ("If-None-Match", etag)) if v is not None}
    headers = {k: v for k, v in headers.items() if v.isprintable() and v.isascii()}  # HTTP header text
    response = getattr(audio_client, method)("/audio/" + "/".join(pieces), headers=headers)
    body = response.get_data()
    response.close()
    event(f"status {response.status_code}")
    assert response.status_code in {200, 206, 304, 404, 416}, (response.status_code, body[:200])
    assert SECRET not in body
    if response.status_code in {200, 206} and method == "get":
        assert body and body in AUDIO_DATA, "only bytes of the stored part are ever served"
