"""DynamoDB for tests: moto's server over real HTTP on a free local port, started once per session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from skill.config import Settings

REGION = "us-east-1"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def create_table(endpoint: str, name: str) -> None:
    """The table exactly as template.yaml declares it: user_id (HASH, S) + sk (RANGE, S), on demand."""
    client = boto3.session.Session().client(
        "dynamodb", region_name=REGION, endpoint_url=endpoint, **DUMMY_CREDENTIALS
    )
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "user_id", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "user_id", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto server started for this test session (port chosen by the OS)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials, so boto3 never looks for (or uses) real ones."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")


@pytest.fixture
def dynamodb_table(moto_endpoint: str, aws_env: None) -> dict[str, Any]:
    """A fresh table on the moto server: its name and endpoint."""
    name = f"cramp-coach-{uuid.uuid4().hex[:12]}"
    create_table(moto_endpoint, name)
    return {"table_name": name, "endpoint": moto_endpoint}


@pytest.fixture(params=["sqlite", "dynamodb"])
def settings_on_each_store(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The skill on each persistent store; a test module takes it as its ``settings``."""
    if request.param == "sqlite":
        return Settings(verify=False, storage="sqlite", db_path=tmp_path / "s.db", audio_dir=tmp_path / "a")
    table = request.getfixturevalue("dynamodb_table")
    return Settings(
        storage="dynamodb",
        table_name=table["table_name"],
        dynamodb_endpoint=table["endpoint"],
        verify=False,
        audio_dir=tmp_path / "a",
    )
