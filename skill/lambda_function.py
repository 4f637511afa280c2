"""AWS Lambda entry point: ``skill.lambda_function.lambda_handler`` (see template.yaml)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, cast

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.builder import build_skill
from skill.config import Settings

_settings = Settings.from_env()
logging.getLogger().setLevel(_settings.log_level)


def handler_for(skill: CustomSkill) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler function over an already built skill (tests build theirs with temp storage)."""

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        request_envelope = skill.serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
        response_envelope = skill.invoke(request_envelope=request_envelope, context=context)
        # ask-sdk's serializer is typed for any model; a ResponseEnvelope always becomes a dict.
        return cast(dict[str, Any], skill.serializer.serialize(response_envelope))

    return lambda_handler


# Built once per container, reused by every warm invocation.
lambda_handler = handler_for(build_skill(_settings))
