"""The skill's collaborators (settings, storage, speech engine and audio store), built once and handed
to handlers per request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from skill.audio.session_audio import SessionAudio
    from skill.audio.store import AudioStore
    from skill.audio.tts import TTSBackend

_REQUEST_KEY = "services"


@dataclass
class Services:
    """What handlers may use besides the request: settings, storage and the long sessions' audio.

    ``audio`` holds the TTS backend and the audio store (``audio.backend``, ``audio.store``), built from
    the settings unless ``tts`` or ``audio_store`` are given (tests give a fast backend).
    """

    settings: Settings
    persistence: AbstractPersistenceAdapter
    database: SQLiteDatabase | None = None
    diary: DiaryRepository = field(default_factory=MemoryDiaryRepository)
    clock: Callable[[], datetime] = now_utc  # UTC "now"; tests set a fixed one
    tts: InitVar[TTSBackend | None] = None
    audio_store: InitVar[AudioStore | None] = None
    _audio: SessionAudio | None = field(init=False, default=None, repr=False)
    _audio_given: tuple[TTSBackend | None, AudioStore | None] = field(init=False, default=(None, None))

    def __post_init__(self, tts: TTSBackend | None, audio_store: AudioStore | None) -> None:
        self._audio_given = (tts, audio_store)

    @property
    def audio(self) -> SessionAudio:
        """Built on first use, so a launch or a diary log never loads the audio pipeline (cold starts)."""
        if self._audio is None:
            from skill.audio.session_audio import SessionAudio

            audio = SessionAudio.from_settings(self.settings)
            tts, audio_store = self._audio_given
            if tts is not None:
                audio.backend = tts
            if audio_store is not None:
                audio.store = audio_store
            self._audio = audio
        return self._audio


def build_services(
    settings: Settings, *, tts: TTSBackend | None = None, audio_store: AudioStore | None = None
) -> Services:
    """Storage chosen by settings; clients for remote stores are created lazily on first use."""
    if settings.storage == "sqlite":
        database = SQLiteDatabase(settings.db_path)
        return Services(
            settings,
            SQLitePersistenceAdapter(database),
            database,
            diary=SQLiteDiaryRepository(database),
            tts=tts,
            audio_store=audio_store,
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
            tts=tts,
            audio_store=audio_store,
        )
    if settings.storage == "memory":
        return Services(
            settings,
            MemoryPersistenceAdapter(),
            diary=MemoryDiaryRepository(),
            tts=tts,
            audio_store=audio_store,
        )
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
