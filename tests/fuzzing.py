"""The fuzz target and its properties, shared by ``tests/test_fuzz.py`` and ``bench/fuzz.py``."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from skill.config import MAX_BODY_BYTES
from skill.handlers import core
from skill.speech.response_check import MAX_SESSION_ATTRIBUTE_BYTES, response_problems
from skill.web.app import create_app
from skill.web.verification import RequestVerifier
from tests import envelopes

REFUSALS = {400, 413}
CATCH_ALL_LOGGER = core.log.name
# Far more than one utterance holds; fuzzed slot values go up to 4,000 characters.
MAX_SPOKEN_CHARS = 500


def strict_json(data: bytes) -> Any:
    """Parse as standard JSON: NaN and Infinity are not JSON, and Alexa rejects them."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(data, parse_constant=refuse)


class ErrorLog(logging.Handler):
    """Collects the catch-all exception handler's records: requests that failed inside a handler.

    Attach it to the ``skill`` logger. Features may log ERROR for events that are not failures of
    the skill (a device reporting a playback failure), so only tracebacks logged by the catch-all count.
    """

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == CATCH_ALL_LOGGER and record.exc_info is not None:
            self.records.append(record)

    def take(self) -> list[str]:
        taken = [f"{r.getMessage()}\n{r.exc_text or ''}" for r in self.records]
        self.records.clear()
        return taken


@dataclass
class Target:
    """The web service under test, a log of handler errors and a count of statuses."""

    client: FlaskClient
    errors: ErrorLog = field(default_factory=ErrorLog)
    statuses: dict[int, int] = field(default_factory=dict)

    def post(self, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        response = self.client.post(
            "/alexa", data=body, headers=headers or {}, content_type="application/json"
        )
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        return response.status_code, response.data


def web_target(
    directory: Path,
    *,
    verify: bool = False,
    verifier: RequestVerifier | None = None,
    audio_dir: Path | None = None,
) -> Target:
    """The web service as deployed (skill ID configured) on a fresh SQLite file in directory."""
    app = create_app(
        {
            "verify": verify,
            "skill_id": None if verify else envelopes.SKILL_ID,
            "storage": "sqlite",
            "db_path": directory / "fuzz.db",
            "audio_dir": audio_dir or directory / "audio",
        },
        verifier=verifier,
    )
    return Target(app.test_client())


def refusal_for(body: bytes) -> int:
    """The status a refused body gets: 413 over the size cap (checked before anything else), else 400."""
    return 413 if len(body) > MAX_BODY_BYTES else 400


def _size(document: Any) -> int:
    return len(json.dumps(document, separators=(",", ":")).encode())


def incoming_attribute_bytes(body: bytes) -> int:
    """Size of the session attributes a request brings (0 when there are none or it is not JSON)."""
    try:
        attributes = json.loads(body).get("session", {}).get("attributes")
    except (ValueError, AttributeError, RecursionError):
        return 0
    return _size(attributes) if isinstance(attributes, dict) else 0


def longest_slot_value(body: bytes) -> int:
    """Length of the longest slot value a request carries (0 for none or not JSON)."""
    try:
        slots = json.loads(body)["request"]["intent"]["slots"]
        return max((len(s.get("value") or "") for s in slots.values() if isinstance(s, dict)), default=0)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return 0


def check_answer(status: int, data: bytes, *, must_answer: bool, body: bytes = b"") -> dict[str, Any] | None:
    """The fuzz properties for one reply to ``body``; returns the parsed envelope of a 200.

    Never a 500; a refusal is a 400/413 with a JSON error; a 200 is strict JSON that Alexa accepts,
    within the response size limit and the session-attribute budget (``response_problems``).

    Two exemptions, for input Alexa cannot send: Alexa only ever hands back the attributes the
    skill returned, so a request arriving with attributes already over half the budget is not held
    to the budget (the skill cannot shrink what it is given; it must not grow a session past it);
    and a slot value longer than anyone speaks (``MAX_SPOKEN_CHARS``) may be echoed back in a
    dialog directive's ``updatedIntent``, as Alexa's dialog protocol asks, so such a request is not
    held to the response size limit. Every other property still applies to both.
    """
    assert status != 500, f"server error: {data[:500]!r}"
    if must_answer:
        assert status == 200, f"a valid request was refused with {status}: {data[:300]!r}"
    assert status in REFUSALS | {200}, f"unexpected status {status}"
    if status != 200:
        assert isinstance(strict_json(data).get("error"), str)
        return None
    reply = strict_json(data)
    problems = response_problems(reply)
    if incoming_attribute_bytes(body) > MAX_SESSION_ATTRIBUTE_BYTES // 2:
        problems = [p for p in problems if not p.startswith("session attributes are")]
    if longest_slot_value(body) > MAX_SPOKEN_CHARS:
        problems = [p for p in problems if not p.startswith("response is")]
    assert problems == [], f"invalid Alexa response: {problems}\n{json.dumps(reply)[:2000]}"
    return reply
