"""AWS Lambda entry point: ``skill.lambda_function.lambda_handler`` (see template.yaml).

With SnapStart (template.yaml) the module is imported once per published version and new
containers resume from a snapshot taken after ``warm_up``: what a cold start would otherwise load
on first use (the audio pipeline, the Alexa API client, boto3, every script) is already in memory.
``after_restore`` then makes each resumed container's randomness its own. Without SnapStart (the web
service, tests, a function without it) nothing is registered and the lazy loading stays lazy.
"""

from __future__ import annotations

import json
import logging
import random
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


def warm_up() -> None:
    """Before a SnapStart snapshot: load what requests would load on first use. Opens no connection
    and creates no AWS client (credentials and sockets must not outlive the snapshot)."""
    import boto3  # noqa: F401  (DynamoDB, Polly and S3 clients are created on first use, after restore)
    from ask_sdk_core import api_client  # noqa: F401  (requests, for the Alexa APIs)

    from skill.audio import session_audio  # noqa: F401
    from skill.content.catalog import default_catalog
    from skill.content.locales import supported_locales
    from skill.engine.script import load_script, script_ids

    default_catalog()
    for locale in supported_locales():
        for script in script_ids(locale):
            load_script(script, locale)


def after_restore() -> None:
    """After a restore: containers resumed from one snapshot must not pick the same phrase variants."""
    from skill.content.catalog import default_catalog

    random.seed()
    default_catalog().rng.seed()


def _register_snapstart_hooks() -> bool:
    """Register the hooks where the runtime offers them (Lambda's Python runtimes ship the library)."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(warm_up)
    register_after_restore(after_restore)
    return True


# Built once per container (or once per version with SnapStart), reused by every warm invocation.
lambda_handler = handler_for(build_skill(_settings))
SNAPSTART_HOOKS = _register_snapstart_hooks()
