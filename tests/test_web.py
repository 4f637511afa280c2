"""The web service over HTTP: health, input limits, request verification, and the real gunicorn server.

Signed requests use the throwaway PKI from tests/pki.py. In process, the app gets a verifier that
trusts the test root; the real server gets the same trust the way an operator would give it:
``CRAMP_COACH_TRUST_ROOTS`` (a PEM file) and ``CRAMP_COACH_CERT_CHAIN_DIR`` (chain files named after
the object in ``https://s3.amazonaws.com/echo.api/<name>``). See skill/web/trust.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from skill.config import MAX_BODY_BYTES, Settings
from skill.web.app import DEV_FLAG_WARNING, create_app
from tests import envelopes
from tests.pki import DictChainFetcher, TestPKI, encode_envelope, sign, to_pem

SKILL_ID = envelopes.SKILL_ID
OTHER_SKILL_ID = "amzn1.ask.skill.someone-else"
ECHO_API = "https://s3.amazonaws.com/echo.api/"
WELCOME = "Welcome to Cramp Coach"


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def launch_envelope(*, skill_id: str = SKILL_ID, timestamp: datetime | None = None) -> dict[str, Any]:
    """A first-time user's LaunchRequest, stamped now (or at timestamp)."""
    envelope = envelopes.launch(skill_id=skill_id, user_id=f"amzn1.ask.account.{time.monotonic_ns()}")
    envelope["request"]["timestamp"] = stamp(timestamp or datetime.now(UTC))
    return envelope


def spoken(response_json: dict[str, Any]) -> str:
    return response_json["response"]["outputSpeech"]["ssml"]


# --- signed requests and forgeries ----------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    """One HTTP request as Alexa (or a forger) would send it."""

    headers: dict[str, str]
    body: bytes


def signed(pki: TestPKI, envelope: dict[str, Any], chain: str = "echo-api-cert.pem") -> Signed:
    body = encode_envelope(envelope)
    headers = {"SignatureCertChainUrl": ECHO_API + chain, "Signature-256": sign(body, pki.leaf_key)}
    return Signed(headers, body)


def chain_files(pki: TestPKI, impostor: TestPKI) -> dict[str, bytes]:
    """Every chain a request may point at, by object name under /echo.api/."""
    assert pki.leaf_key is impostor.leaf_key, "the impostor must sign with the same leaf key"
    expired = pki.with_leaf(not_before=pki.now - timedelta(days=400), not_after=pki.now - timedelta(days=1))
    wrong_san = pki.with_leaf(san=("echo-api.amazon.com.evil.example",))
    return {
        "echo-api-cert.pem": pki.chain_pem,
        "expired.pem": expired.chain_pem,
        "wrong-san.pem": wrong_san.chain_pem,
        "untrusted-root.pem": impostor.chain_pem,
    }


def _with_headers(**changes: str | None) -> Callable[[TestPKI], Signed]:
    def forge(pki: TestPKI) -> Signed:
        request = signed(pki, launch_envelope())
        headers = {k: v for k, v in {**request.headers, **changes}.items() if v is not None}
        return Signed(headers, request.body)

    return forge


def _tampered(pki: TestPKI) -> Signed:
    request = signed(pki, launch_envelope())
    return Signed(request.headers, request.body.replace(b'"locale":"en-US"', b'"locale":"en-GB"'))


def _signature_of_another_body(pki: TestPKI) -> Signed:
    request = signed(pki, launch_envelope())
    return Signed({**request.headers, "Signature-256": sign(b"{}", pki.leaf_key)}, request.body)


def _chain(name: str) -> Callable[[TestPKI], Signed]:
    return lambda pki: signed(pki, launch_envelope(), chain=name)


def _timestamp(offset: timedelta) -> Callable[[TestPKI], Signed]:
    return lambda pki: signed(pki, launch_envelope(timestamp=datetime.now(UTC) + offset))


def _other_skill(pki: TestPKI) -> Signed:
    return signed(pki, launch_envelope(skill_id=OTHER_SKILL_ID))


# Issue 2's list; each forgery is otherwise a genuine, correctly signed LaunchRequest.
FORGERIES = [
    pytest.param(_signature_of_another_body, id="bad-signature"),
    pytest.param(_tampered, id="tampered-body"),
    pytest.param(_with_headers(**{"Signature-256": None}), id="missing-signature"),
    pytest.param(_with_headers(SignatureCertChainUrl=None), id="missing-cert-url"),
    pytest.param(_with_headers(SignatureCertChainUrl=None, **{"Signature-256": None}), id="no-headers"),
    pytest.param(
        _with_headers(SignatureCertChainUrl=ECHO_API.replace("https", "http") + "echo-api-cert.pem"),
        id="url-scheme",
    ),
    pytest.param(
        _with_headers(SignatureCertChainUrl="https://evil.example/echo.api/echo-api-cert.pem"), id="url-host"
    ),
    pytest.param(_with_headers(SignatureCertChainUrl=ECHO_API + "../echo-api-cert.pem"), id="url-path"),
    pytest.param(
        _with_headers(SignatureCertChainUrl="https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem"),
        id="url-port",
    ),
    pytest.param(_chain("expired.pem"), id="expired-leaf"),
    pytest.param(_chain("wrong-san.pem"), id="wrong-san"),
    pytest.param(_chain("untrusted-root.pem"), id="untrusted-root"),
    pytest.param(_timestamp(timedelta(minutes=-10)), id="stale-timestamp"),
    pytest.param(_timestamp(timedelta(minutes=10)), id="future-timestamp"),
    pytest.param(_other_skill, id="other-skill-id"),
]


def assert_refused(status: int, content_type: str, payload: Any) -> None:
    """A short JSON error, and the skill never ran."""
    assert status == 400
    assert content_type.startswith("application/json")
    assert isinstance(payload["error"], str) and payload["error"]
    assert "response" not in payload


# --- in-process HTTP (Flask test client) ---------------------------------------------------------


@pytest.fixture
def dev_client(settings: Settings) -> FlaskClient:
    """The app with verification off, as `make run` serves it."""
    return create_app(settings).test_client()


@pytest.fixture
def verified_client(settings: Settings, pki: TestPKI, untrusted_pki: TestPKI) -> FlaskClient:
    """The app with every check on, trusting the test root and serving the test chains."""
    chains = {ECHO_API + name: pem for name, pem in chain_files(pki, untrusted_pki).items()}
    verifier = pki.verifier(fetch_chain=DictChainFetcher(chains), clock=None, skill_id=SKILL_ID)
    return create_app(replace(settings, verify=True, skill_id=SKILL_ID), verifier=verifier).test_client()


def post(client: FlaskClient, body: bytes | str, headers: dict[str, str] | None = None) -> Any:
    return client.post("/alexa", data=body, headers=headers or {}, content_type="application/json")


def test_health_reports_status_as_json(dev_client: FlaskClient) -> None:
    reply = dev_client.get("/health")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ok", "verify": False, "storage": "sqlite"}


@pytest.mark.parametrize("example", ["launch", "help"])
def test_readme_curl_examples_get_spoken_answers(dev_client: FlaskClient, example: str) -> None:
    body = (Path(__file__).parents[1] / "docs" / "examples" / f"{example}.json").read_bytes()
    reply = post(dev_client, body)
    assert reply.status_code == 200
    assert spoken(reply.get_json())
    assert reply.get_json()["response"]["reprompt"]


@pytest.mark.parametrize(
    "body",
    [b"{", b"not json", b"", b"\xff\xfe{}", b'{"request": NaN}', b"[" * 5000 + b"]" * 5000],
    ids=["truncated", "text", "empty", "not-utf8", "nan", "deeply-nested"],
)
def test_malformed_json_gets_400_json(dev_client: FlaskClient, body: bytes) -> None:
    reply = post(dev_client, body)
    assert_refused(reply.status_code, reply.content_type, reply.get_json())


@pytest.mark.parametrize(
    "document",
    [[], "LaunchRequest", 42, None, {}, {"request": "LaunchRequest"}, {"version": "1.0", "session": {}}],
    ids=["list", "string", "number", "null", "empty-object", "request-not-object", "no-request"],
)
def test_json_that_is_not_an_envelope_gets_400(dev_client: FlaskClient, document: Any) -> None:
    reply = post(dev_client, json.dumps(document))
    assert_refused(reply.status_code, reply.content_type, reply.get_json())
    assert reply.get_json()["error"] == "not an Alexa request envelope"


def padded_launch(size: int) -> bytes:
    """A LaunchRequest body of exactly size bytes (padding in a session attribute)."""
    envelope = launch_envelope()
    envelope["session"]["attributes"] = {"padding": ""}
    envelope["session"]["attributes"]["padding"] = "x" * (size - len(json.dumps(envelope)))
    body = json.dumps(envelope).encode()
    assert len(body) == size
    return body


@pytest.mark.parametrize("size", [MAX_BODY_BYTES + 1, 4 * MAX_BODY_BYTES])
def test_body_over_128_kb_gets_413(dev_client: FlaskClient, size: int) -> None:
    reply = post(dev_client, padded_launch(size))
    assert reply.status_code == 413
    assert reply.get_json()["error"]


def test_body_of_exactly_128_kb_is_served(dev_client: FlaskClient) -> None:
    reply = post(dev_client, padded_launch(MAX_BODY_BYTES))
    assert reply.status_code == 200
    assert WELCOME in spoken(reply.get_json())


def test_unsigned_request_gets_400_when_verification_is_on(settings: Settings) -> None:
    client = create_app(replace(settings, verify=True, skill_id=SKILL_ID)).test_client()
    reply = post(client, json.dumps(launch_envelope()))
    assert_refused(reply.status_code, reply.content_type, reply.get_json())
    assert reply.get_json()["error"] == "missing SignatureCertChainUrl header"


def test_request_signed_by_the_test_ca_gets_a_spoken_welcome(
    verified_client: FlaskClient, pki: TestPKI
) -> None:
    request = signed(pki, launch_envelope())
    reply = post(verified_client, request.body, request.headers)
    assert reply.status_code == 200
    assert WELCOME in spoken(reply.get_json())
    assert reply.get_json()["response"]["shouldEndSession"] is False
    assert pki.fetcher.call_count == 0, "the verifier used the chains given to create_app"


@pytest.mark.parametrize("forge", FORGERIES)
def test_every_forgery_gets_400(
    verified_client: FlaskClient, pki: TestPKI, forge: Callable[[TestPKI], Signed]
) -> None:
    request = forge(pki)
    reply = post(verified_client, request.body, request.headers)
    assert_refused(reply.status_code, reply.content_type, reply.get_json())


@pytest.mark.parametrize("verify", [False, True], ids=["verify-off", "verify-on"])
def test_another_skills_request_gets_400_with_or_without_verification(tmp_path: Path, verify: bool) -> None:
    client = create_app(
        {"verify": verify, "skill_id": SKILL_ID, "db_path": tmp_path / "db.sqlite"}
    ).test_client()
    reply = post(client, json.dumps(launch_envelope(skill_id=OTHER_SKILL_ID)))
    assert_refused(reply.status_code, reply.content_type, reply.get_json())


def test_own_skill_id_is_served_with_verification_off(tmp_path: Path) -> None:
    client = create_app(
        {"verify": False, "skill_id": SKILL_ID, "db_path": tmp_path / "db.sqlite"}
    ).test_client()
    reply = post(client, json.dumps(launch_envelope()))
    assert reply.status_code == 200
    assert WELCOME in spoken(reply.get_json())


def _odd(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    envelope = envelopes.intent("AMAZON.HelpIntent")
    change(envelope)
    return envelope


ODD_ENVELOPES = [
    pytest.param(_odd(lambda e: e["request"].update(type="Alexa.Unheard.Of")), id="unknown-request-type"),
    pytest.param(_odd(lambda e: e.pop("context")), id="no-context"),
    pytest.param(_odd(lambda e: e.update(context={})), id="empty-context"),
    pytest.param(_odd(lambda e: e["context"]["System"].pop("application")), id="no-application"),
    pytest.param(_odd(lambda e: e["context"].update(System="nope")), id="system-is-a-string"),
    pytest.param(_odd(lambda e: e["request"].update(type=5)), id="type-is-a-number"),
    pytest.param(_odd(lambda e: e["request"].pop("type")), id="no-type"),
    pytest.param(_odd(lambda e: e.update(session=[])), id="session-is-a-list"),
    pytest.param(_odd(lambda e: e["session"].update(attributes="x")), id="attributes-is-a-string"),
    pytest.param(_odd(lambda e: e["session"].update(attributes={"cc": "x"})), id="our-namespace-is-a-string"),
    pytest.param(_odd(lambda e: e["request"].update(intent=None)), id="intent-is-null"),
    pytest.param(_odd(lambda e: e["request"]["intent"].update(slots=[])), id="slots-is-a-list"),
    pytest.param(_odd(lambda e: e["request"].update(locale="xx-XX")), id="unknown-locale"),
    pytest.param(_odd(lambda e: e["request"].update(locale=12)), id="locale-is-a-number"),
    pytest.param(_odd(lambda e: e["request"].update(timestamp="yesterday")), id="timestamp-is-a-word"),
    pytest.param(_odd(lambda e: e["context"]["System"].update(user="x")), id="user-is-a-string"),
    pytest.param(_odd(lambda e: e["context"]["System"].pop("user")), id="no-user"),
]


@pytest.mark.parametrize("envelope", ODD_ENVELOPES)
def test_odd_envelopes_never_produce_a_500(dev_client: FlaskClient, envelope: dict[str, Any]) -> None:
    reply = post(dev_client, json.dumps(envelope))
    assert reply.status_code in {200, 400}
    assert reply.content_type.startswith("application/json")
    if reply.status_code == 200:
        assert spoken(reply.get_json())


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/alexa", 405), ("POST", "/nowhere", 404)])
def test_other_routes_answer_with_json_errors(
    dev_client: FlaskClient, method: str, path: str, status: int
) -> None:
    reply = dev_client.open(path, method=method)
    assert reply.status_code == status
    assert reply.get_json()["error"]


# --- the real server: `cramp-coach serve` under gunicorn, over real HTTP --------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cramp_coach_command() -> str:
    beside_python = Path(sys.executable).with_name("cramp-coach")
    found = str(beside_python) if beside_python.exists() else shutil.which("cramp-coach")
    assert found, "the cramp-coach console script is not installed (pip install -e .)"
    return found


@dataclass
class Server:
    """A `cramp-coach serve` subprocess on a free local port."""

    process: subprocess.Popen[bytes]
    url: str
    stderr_path: Path

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def post(self, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
        return requests.post(
            self.url + "/alexa",
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
            timeout=10,
        )


@pytest.fixture(scope="module")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """Start servers on demand; every one is stopped when the module's tests are done."""
    started: list[Server] = []

    def start(*arguments: str, env: dict[str, str] | None = None) -> Server:
        workdir = tmp_path_factory.mktemp("server")
        port = free_port()
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith("CRAMP_COACH_") and k != "SKILL_ID"
        }
        environment.update(LOG_LEVEL="INFO", **(env or {}))
        stderr_path = workdir / "stderr.log"
        command = [
            cramp_coach_command(),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--db",
            str(workdir / "cramp-coach.db"),
            *arguments,
        ]
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                command,
                cwd=workdir,
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
            )
        server = Server(process, f"http://127.0.0.1:{port}", stderr_path)
        started.append(server)
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"server exited:\n{server.stderr}"
            try:
                if requests.get(server.url + "/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"server did not start:\n{server.stderr}"
            time.sleep(0.1)
        # /health answered through one worker; wait until both have booted, so logs are complete.
        while server.stderr.count("Booting worker") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        return server

    yield start
    for server in started:
        server.process.send_signal(signal.SIGTERM)
    for server in started:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture(scope="module")
def dev_server(start_server: Callable[..., Server]) -> Server:
    return start_server("--no-verify")


@pytest.fixture(scope="module")
def verifying_server(
    start_server: Callable[..., Server],
    tmp_path_factory: pytest.TempPathFactory,
    pki_session: TestPKI,
    untrusted_pki_session: TestPKI,
) -> Server:
    """Verification on, trusting only the test root, with the test chains pre-seeded."""
    trust = tmp_path_factory.mktemp("trust")
    (trust / "roots.pem").write_bytes(to_pem(pki_session.root))
    chains = trust / "chains"
    chains.mkdir()
    for name, pem in chain_files(pki_session, untrusted_pki_session).items():
        (chains / name).write_bytes(pem)
    return start_server(
        env={
            "SKILL_ID": SKILL_ID,
            "CRAMP_COACH_TRUST_ROOTS": str(trust / "roots.pem"),
            "CRAMP_COACH_CERT_CHAIN_DIR": str(chains),
        }
    )


@pytest.mark.slow
def test_dev_server_welcomes_a_launch_and_warns_loudly(dev_server: Server) -> None:
    reply = dev_server.post(json.dumps(launch_envelope()).encode())
    assert reply.status_code == 200
    assert WELCOME in spoken(reply.json())
    assert requests.get(dev_server.url + "/health", timeout=5).json()["verify"] is False
    stderr = dev_server.stderr
    assert f"WARNING: {DEV_FLAG_WARNING}" in stderr
    assert stderr.count("Booting worker") == 2


@pytest.mark.slow
def test_dev_server_remembers_a_user_across_workers(dev_server: Server) -> None:
    envelope = launch_envelope()
    first = dev_server.post(json.dumps(envelope).encode())
    assert "medical advice" in spoken(first.json())
    # Sync workers take connections in turn, so several fresh connections reach both processes.
    for _ in range(6):
        envelope["request"]["requestId"] += "x"
        again = dev_server.post(json.dumps(envelope).encode())
        assert "medical advice" not in spoken(again.json())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("size", "chunked", "status"),
    [
        (MAX_BODY_BYTES + 1, False, 413),
        (MAX_BODY_BYTES + 1, True, 413),
        (MAX_BODY_BYTES, True, 200),
    ],
    ids=["over-by-one", "over-by-one-chunked", "at-limit-chunked"],
)
def test_real_server_enforces_the_128_kb_limit(
    dev_server: Server, size: int, chunked: bool, status: int
) -> None:
    body = padded_launch(size)
    # A generator makes requests send Transfer-Encoding: chunked, with no Content-Length to check.
    data: Any = (body[i : i + 16384] for i in range(0, len(body), 16384)) if chunked else body
    reply = requests.post(dev_server.url + "/alexa", data=data, timeout=10)
    assert reply.status_code == status
    assert reply.json()


@pytest.mark.slow
def test_real_server_with_verification_on_refuses_an_unsigned_request(verifying_server: Server) -> None:
    reply = verifying_server.post(json.dumps(launch_envelope()).encode())
    assert_refused(reply.status_code, reply.headers["Content-Type"], reply.json())
    assert "VERIFICATION IS OFF" not in verifying_server.stderr
    assert requests.get(verifying_server.url + "/health", timeout=5).json()["verify"] is True


@pytest.mark.slow
def test_real_server_welcomes_a_request_signed_by_the_test_ca(verifying_server: Server, pki: TestPKI) -> None:
    request = signed(pki, launch_envelope())
    reply = verifying_server.post(request.body, request.headers)
    assert reply.status_code == 200, reply.text
    assert WELCOME in spoken(reply.json())


@pytest.mark.slow
@pytest.mark.parametrize("forge", FORGERIES)
def test_real_server_refuses_every_forgery(
    verifying_server: Server, pki: TestPKI, forge: Callable[[TestPKI], Signed]
) -> None:
    request = forge(pki)
    reply = verifying_server.post(request.body, request.headers)
    assert_refused(reply.status_code, reply.headers["Content-Type"], reply.json())
