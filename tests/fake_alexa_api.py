"""A local stand-in for the Alexa API that skills call back (reminders, device time zone).

A real HTTPS server in a thread: ask-sdk's DefaultApiClient refuses plain HTTP, so the server gets a
throwaway certificate for 127.0.0.1 and ``REQUESTS_CA_BUNDLE`` points requests at it. Envelopes
carry its URL as ``apiEndpoint`` and its token as ``apiAccessToken``.
"""

from __future__ import annotations

import ipaddress
import json
import re
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from tests.pki import new_key

REMINDERS = "/v1/alerts/reminders"
TIME_ZONE = re.compile(r"^/v2/devices/([^/]+)/settings/System\.timeZone$")


@dataclass
class Call:
    """One request the skill made, as the server saw it."""

    method: str
    path: str
    authorization: str | None
    body: Any


@dataclass
class FakeAlexaApi:
    """State and knobs of the fake: what the user granted, what is stored, what was asked."""

    url: str = ""
    token: str = field(default_factory=lambda: f"api-token-{uuid.uuid4().hex[:8]}")
    granted: bool = True
    time_zone: str | None = "Europe/London"
    fail_with: int | None = None  # answer every reminders call with this status (e.g. 500)
    delay_s: float = 0.0  # answer every call this late (a hanging API)
    reminders: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def add(self, hour: int, minute: int = 0, status: str = "ON") -> str:
        """A reminder created earlier (by this skill, in another session)."""
        token = str(uuid.uuid4())
        self.reminders[token] = {
            "alertToken": token,
            "status": status,
            "trigger": {
                "type": "SCHEDULED_ABSOLUTE",
                "timeZoneId": "Europe/London",
                "recurrence": {
                    "startDateTime": "2026-11-01T08:00:00",
                    "recurrenceRules": [f"FREQ=DAILY;BYHOUR={hour};BYMINUTE={minute};BYSECOND=0;INTERVAL=1;"],
                },
            },
            "alertInfo": {"spokenInfo": {"content": [{"locale": "en-US", "text": "Time to stretch."}]}},
            "pushNotification": {"status": "ENABLED"},
        }
        return token

    def calls_to(self, method: str, prefix: str = REMINDERS) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(prefix)]


def _handler_for(api: FakeAlexaApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            pass

        def _reply(self, status: int, body: Any = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> Call:
            if api.delay_s:
                time.sleep(api.delay_s)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            call = Call(
                self.command, self.path, self.headers.get("Authorization"), json.loads(raw) if raw else None
            )
            api.calls.append(call)
            return call

        def _authorised(self, call: Call, denied_status: int) -> bool:
            if call.authorization != f"Bearer {api.token}":
                self._reply(401, {"code": "UNAUTHORIZED", "message": "bad token"})
                return False
            if call.path.startswith(REMINDERS) and api.fail_with:
                self._reply(api.fail_with, {"code": "INTERNAL_ERROR", "message": "down"})
                return False
            if call.path.startswith(REMINDERS) and not api.granted:
                self._reply(denied_status, {"code": "NO_PERMISSION", "message": "permission not granted"})
                return False
            return True

        def do_GET(self) -> None:
            call = self._record()
            if not self._authorised(call, 401):
                return
            if TIME_ZONE.match(call.path):
                if api.time_zone is None:
                    self._reply(404, {"type": "NOT_FOUND", "message": "no time zone"})
                else:
                    self._reply(200, api.time_zone)
            elif call.path == REMINDERS:
                alerts = list(api.reminders.values())
                self._reply(200, {"totalCount": str(len(alerts)), "alerts": alerts, "links": None})
            else:
                self._reply(404, {"code": "NOT_FOUND", "message": call.path})

        def do_POST(self) -> None:
            call = self._record()
            # The real API answers a create without permission with 403 (SDK: "Forbidden").
            if not self._authorised(call, 403):
                return
            problem = _reminder_problem(call.body)
            if call.path != REMINDERS or problem:
                self._reply(400, {"code": "INVALID_REQUEST", "message": problem or call.path})
                return
            token = str(uuid.uuid4())
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            api.reminders[token] = {**call.body, "alertToken": token, "status": "ON", "createdTime": now}
            self._reply(
                200,
                {
                    "alertToken": token,
                    "createdTime": now,
                    "updatedTime": now,
                    "status": "ON",
                    "version": "1",
                    "href": f"{REMINDERS}/{token}",
                },
            )

        def do_DELETE(self) -> None:
            call = self._record()
            if not self._authorised(call, 401):
                return
            token = call.path.removeprefix(REMINDERS + "/")
            if api.reminders.pop(token, None) is None:
                self._reply(404, {"code": "NOT_FOUND", "message": "no such reminder"})
            else:
                self._reply(200)

    return Handler


def _reminder_problem(body: Any) -> str | None:
    """What the real API would reject in a create request (the parts this skill sends)."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    trigger = body.get("trigger") or {}
    if trigger.get("type") != "SCHEDULED_ABSOLUTE":
        return "trigger.type"
    for key in ("requestTime",):
        if not isinstance(body.get(key), str) or body[key].endswith("Z") or "+" in body[key]:
            return f"{key} must be a local ISO time without zone"
    rules = (trigger.get("recurrence") or {}).get("recurrenceRules") or []
    if not rules or not all(
        re.fullmatch(r"FREQ=DAILY;BYHOUR=\d{1,2};BYMINUTE=\d{1,2};BYSECOND=0;INTERVAL=1;", r) for r in rules
    ):
        return "recurrenceRules"
    content = ((body.get("alertInfo") or {}).get("spokenInfo") or {}).get("content") or []
    if not content or not all(c.get("locale") and c.get("text") for c in content):
        return "alertInfo.spokenInfo.content"
    return None


def certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1; returns (cert, key) PEM files."""
    key = new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fake-alexa-api.pem", directory / "fake-alexa-api.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@contextmanager
def serving(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAlexaApi]:
    """The fake Alexa API, serving HTTPS on a free port until the block ends."""
    api = FakeAlexaApi()
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(api))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    api.url = f"https://127.0.0.1:{server.server_address[1]}"
    # requests (under ask-sdk's DefaultApiClient) trusts this bundle and must not go through a proxy.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
