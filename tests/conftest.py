"""Shared fixtures: a skill on a temporary SQLite file, invoked through the real Lambda handler."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from skill.builder import build_skill
from skill.config import Settings
from skill.lambda_function import handler_for
from skill.services import Services, build_services
from tests.conversation import Conversation, Reply, Turn, checked, converse
from tests.diary_support import clock  # noqa: F401  (shared fixture)
from tests.dynamodb import aws_env, dynamodb_table, moto_endpoint  # noqa: F401  (shared fixtures)
from tests.pki import pki, pki_session, untrusted_pki, untrusted_pki_session

# Property tests: under CI (the CI variable set, as every CI service does) the examples are derived from
# each test's name rather than drawn at random, so a failure in CI fails the same way on any machine.
# Locally they stay random, which finds more; HYPOTHESIS_PROFILE=ci reproduces CI's run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("dev")
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
hypothesis_settings.load_profile(PROFILE)

# Fixtures shared by all tests (re-exported so pytest finds them here).
__all__ = ["pki", "pki_session", "untrusted_pki", "untrusted_pki_session"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Development settings on a fresh SQLite file."""
    return Settings(
        verify=False, storage="sqlite", db_path=tmp_path / "cramp-coach.db", audio_dir=tmp_path / "audio"
    )


@pytest.fixture
def services(settings: Settings) -> Services:
    return build_services(settings)


@pytest.fixture
def invoke(settings: Settings, services: Services) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Send an envelope through the real Lambda handler; every response is checked for validity."""
    lambda_handler = handler_for(build_skill(settings, services))
    return checked(lambda envelope: lambda_handler(envelope, None))


@pytest.fixture
def conversation(invoke: Callable[[dict[str, Any]], dict[str, Any]]) -> Conversation:
    return Conversation(invoke)


@pytest.fixture
def talk(invoke: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., list[Reply]]:
    """``talk(["launch", ("AMAZON.HelpIntent", {})])`` → the replies, session carried forward."""

    def run(turns: list[Turn], **envelope_options: Any) -> list[Reply]:
        return converse(invoke, turns, **envelope_options)

    return run
