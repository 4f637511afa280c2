"""The skill's collaborators (settings, storage), built once and handed to handlers per request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from skill.config import Settings
from skill.diary.model import now_utc
from skill.diary.repository import DiaryRepository
from skill.persistence.memory import MemoryPersistenceAdapter
from skill.persistence.memory_diary import MemoryDiaryRepository
from skill.persistence.sqlite import SQLiteDatabase, SQLitePersistenceAdapter
from skill.persistence.sqlite_diary import SQLiteDiaryRepository

_REQUEST_KEY = "services"


@dataclass
class Services:
    """What handlers may use besides the request: settings and storage."""

    settings: Settings
    persistence: AbstractPersistenceAdapter
    database: SQLiteDatabase | None = None
    diary: DiaryRepository = field(default_factory=MemoryDiaryRepository)
    clock: Callable[[], datetime] = now_utc  # UTC "now"; tests set a fixed one


def build_services(settings: Settings) -> Services:
    """Storage chosen by settings; clients for remote stores are created lazily on first use."""
    if settings.storage == "sqlite":
        database = SQLiteDatabase(settings.db_path)
        return Services(
            settings, SQLitePersistenceAdapter(database), database, diary=SQLiteDiaryRepository(database)
        )
    if settings.storage == "dynamodb":
        # Imported here so the SQLite default never pays for loading boto3.
        from skill.persistence import dynamodb

        table = dynamodb.DynamoDBTable(
            settings.table_name or "", endpoint_url=settings.dynamodb_endpoint, region=settings.aws_region
        )
        return Services(
            settings,
            dynamodb.DynamoDBPersistenceAdapter(table),
            diary=dynamodb.DynamoDBDiaryRepository(table),
        )
    if settings.storage == "memory":
        return Services(settings, MemoryPersistenceAdapter(), diary=MemoryDiaryRepository())
    raise ValueError(f"unknown storage {settings.storage!r}")


class ServicesInterceptor(AbstractRequestInterceptor):
    """Makes the services available to every handler through request attributes."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.request_attributes[_REQUEST_KEY] = self.services


def services(handler_input: HandlerInput) -> Services:
    value: Any = handler_input.attributes_manager.request_attributes[_REQUEST_KEY]
    return value
