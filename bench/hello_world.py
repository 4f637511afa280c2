"""The baseline: a bare ask-sdk-core hello-world skill behind the same POST /alexa JSON handling.

One LaunchRequest handler and one intent handler that answers every intent with one sentence, so a
benchmark scenario of any intent has a baseline answer. No verification, no storage, no phrase
catalog: the ratio to Cramp Coach is the cost of everything the real skill does on top.
"""

from __future__ import annotations

import json
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import RequestEnvelope, Response

MAX_BODY_BYTES = 128 * 1024


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = "Welcome, you can say Hello or Help. Which would you like to try?"
        return handler_input.response_builder.speak(speech).ask(speech).response


class AnyIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = "Hello World! You can say hello to me."
        return handler_input.response_builder.speak(speech).ask(speech).response


def build_skill() -> CustomSkill:
    builder = SkillBuilder()
    builder.add_request_handler(LaunchRequestHandler())
    builder.add_request_handler(AnyIntentHandler())
    return builder.create()


def lambda_handler() -> Any:
    """A Lambda handler over the built skill, as ``skill.lambda_function.handler_for`` makes one."""
    skill = build_skill()

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        envelope = skill.serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
        return skill.serializer.serialize(skill.invoke(request_envelope=envelope, context=context))  # type: ignore[no-any-return]

    return handle


def create_app() -> Any:
    """The Flask app; flask is imported here so the cold-start figure counts only the skill."""
    from flask import Flask, jsonify, request

    skill = build_skill()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    @app.post("/alexa")
    def alexa() -> Any:
        body = request.get_data(cache=False)
        try:
            envelope = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return jsonify(error="malformed JSON"), 400
        if not isinstance(envelope, dict) or not isinstance(envelope.get("request"), dict):
            return jsonify(error="not an Alexa request envelope"), 400
        try:
            request_envelope = skill.serializer.deserialize(
                payload=body.decode("utf-8"), obj_type=RequestEnvelope
            )
        except (AskSdkException, ValueError, TypeError, AttributeError, KeyError):
            return jsonify(error="invalid request envelope"), 400
        response_envelope = skill.invoke(request_envelope=request_envelope, context=None)
        return jsonify(skill.serializer.serialize(response_envelope))

    @app.get("/health")
    def health() -> Any:
        return jsonify(status="ok")

    return app


def main() -> None:
    """Serve the baseline under gunicorn with exactly the options of `cramp-coach serve`."""
    import argparse

    from gunicorn.app.base import BaseApplication

    from skill.config import Settings
    from skill.web.server import gunicorn_options

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    options = gunicorn_options(Settings.from_env(), args.host, args.port, args.workers)

    class HelloServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return create_app()

    HelloServer().run()


if __name__ == "__main__":
    main()
