"""The web service: ``POST /alexa`` for Alexa, ``GET /health`` for load balancers."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from skill.audio.playback import WebRequest
from skill.audio.web import register_audio
from skill.builder import build_skill
from skill.config import MAX_BODY_BYTES, Settings
from skill.services import Services, build_services
from skill.web.trust import build_verifier
from skill.web.verification import RequestVerifier, VerificationError

log = logging.getLogger(__name__)

# Alexa's envelopes nest about a dozen levels; far deeper JSON only serves to exhaust the parser's
# (or ask-sdk's serializer's) recursion and would otherwise end in a 500.
MAX_JSON_DEPTH = 64

DEV_FLAG_WARNING = (
    "REQUEST VERIFICATION IS OFF (development flag). Signatures and timestamps are NOT checked: "
    "never expose this server to the internet."
)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _nesting_exceeds(document: Any, limit: int) -> bool:
    """True when containers nest deeper than limit (walked without recursion)."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(body: bytes) -> Any:
    """Strict JSON (UTF-8, no NaN or Infinity, bounded nesting); ValueError says what is wrong."""
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError("malformed JSON") from exc
    # Nesting deeper than the limit needs more brackets than the limit: most bodies are spared the walk.
    if body.count(b"{") + body.count(b"[") > MAX_JSON_DEPTH and _nesting_exceeds(document, MAX_JSON_DEPTH):
        raise ValueError("JSON nested too deeply")
    return document


def create_app(
    config: Settings | Mapping[str, Any] | None = None,
    *,
    verifier: RequestVerifier | None = None,
    services: Services | None = None,
) -> Flask:
    """Build the Flask app; verification is on unless the settings turn it off."""
    settings = config if isinstance(config, Settings) else Settings.from_env(**dict(config or {}))
    services = services or build_services(settings)
    skill = build_skill(settings, services)
    if verifier is None:
        verifier = build_verifier(settings)
    if not settings.verify:
        log.warning(DEV_FLAG_WARNING)
    elif not settings.skill_id:
        log.warning("SKILL_ID is not set: requests for any skill id will be accepted.")

    app = Flask(__name__)
    # One byte of slack: werkzeug silently truncates a chunked body at the limit, so the view reads
    # up to limit + 1 bytes and refuses anything longer than MAX_BODY_BYTES itself.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES + 1
    app.extensions["cramp_coach"] = {"settings": settings, "services": services, "skill": skill}
    # GET /audio/<hash>-partN.mp3: the AudioPlayer streams rendered long sessions from here.
    register_audio(app, services.audio.store)

    def refuse(status: int, reason: str) -> tuple[Response, int]:
        return jsonify(error=reason), status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        return refuse(exc.code or 500, exc.description or exc.name)

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok", verify=settings.verify, storage=settings.storage)

    @app.post("/alexa")
    def alexa() -> Response | tuple[Response, int]:
        body = request.get_data(cache=False)
        if len(body) > MAX_BODY_BYTES:
            return refuse(413, "request body is over 128 KB")
        try:
            envelope = parse_json(body)
        except ValueError as exc:
            return refuse(400, str(exc))
        if not isinstance(envelope, dict) or not isinstance(envelope.get("request"), dict):
            return refuse(400, "not an Alexa request envelope")
        try:
            # werkzeug's Headers is a case-insensitive mapping, though not typed as a Mapping.
            verifier.verify(request.headers, body, envelope)  # type: ignore[arg-type]
        except VerificationError as exc:
            log.warning("refused request: %s", exc)
            return refuse(400, str(exc))
        try:
            request_envelope = skill.serializer.deserialize(
                payload=body.decode("utf-8"), obj_type=RequestEnvelope
            )
        except (AskSdkException, ValueError, TypeError, AttributeError, KeyError) as exc:
            log.warning("refused request: cannot read envelope (%s)", type(exc).__name__)
            return refuse(400, "invalid request envelope")
        # Alexa always sends context.System.application; ask-sdk's own skill ID check reads it there
        # (the verifier also accepts the session's), so without it a request would end in a 500.
        context = request_envelope.context
        system = context.system if context is not None else None
        application = system.application if system is not None else None
        if request_envelope.request is None or application is None:
            return refuse(400, "invalid request envelope")
        if not isinstance(application.application_id, str):
            return refuse(400, "invalid request envelope")
        # Development audio URLs name this server as the client reached it (host and port included).
        served_at = WebRequest(audio_base_url=request.url_root.rstrip("/") + "/audio")
        response_envelope = skill.invoke(request_envelope=request_envelope, context=served_at)
        return jsonify(skill.serializer.serialize(response_envelope))

    return app
