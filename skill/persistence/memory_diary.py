"""The diary in process memory: for the "memory" storage setting and as a base for failing test doubles."""

from __future__ import annotations

import threading
from datetime import datetime

from skill.diary.model import CrampEntry, PracticeSession, utc
from skill.diary.repository import DiaryRepository, DuplicateEntry, EntryNotFound


def _within(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= utc(start)) and (end is None or moment < utc(end))


class MemoryDiaryRepository(DiaryRepository):
    """Entries per user in dicts; records are immutable dataclasses, so no copies are needed."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, CrampEntry]] = {}
        self._practice: dict[str, dict[str, PracticeSession]] = {}
        self._lock = threading.Lock()

    def add(self, entry: CrampEntry) -> None:
        with self._lock:
            entries = self._entries.setdefault(entry.user_id, {})
            if entry.id in entries:
                raise DuplicateEntry(entry.id)
            entries[entry.id] = entry

    def get(self, user_id: str, entry_id: str) -> CrampEntry | None:
        return self._entries.get(user_id, {}).get(entry_id)

    def update(self, entry: CrampEntry) -> None:
        with self._lock:
            entries = self._entries.get(entry.user_id, {})
            if entry.id not in entries:
                raise EntryNotFound(entry.id)
            entries[entry.id] = entry

    def delete(self, user_id: str, entry_id: str) -> bool:
        with self._lock:
            return self._entries.get(user_id, {}).pop(entry_id, None) is not None

    def _sorted(self, user_id: str) -> list[CrampEntry]:
        return sorted(self._entries.get(user_id, {}).values(), key=lambda e: (e.started_at, e.id))

    def last(self, user_id: str) -> CrampEntry | None:
        entries = self._sorted(user_id)
        return entries[-1] if entries else None

    def entries(
        self, user_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[CrampEntry]:
        return [e for e in self._sorted(user_id) if _within(e.started_at, start, end)]

    def open_entry(self, user_id: str, since: datetime) -> CrampEntry | None:
        candidates = [e for e in self.entries(user_id, since) if e.is_open]
        return candidates[-1] if candidates else None

    def first_started_at(self, user_id: str) -> datetime | None:
        entries = self._sorted(user_id)
        return entries[0].started_at if entries else None

    def add_practice(self, session: PracticeSession) -> None:
        with self._lock:
            sessions = self._practice.setdefault(session.user_id, {})
            if session.id in sessions:
                raise DuplicateEntry(session.id)
            sessions[session.id] = session

    def practice(
        self, user_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[PracticeSession]:
        sessions = sorted(self._practice.get(user_id, {}).values(), key=lambda s: (s.at, s.id))
        return [s for s in sessions if _within(s.at, start, end)]

    def delete_all(self, user_id: str) -> int:
        with self._lock:
            return len(self._entries.pop(user_id, {})) + len(self._practice.pop(user_id, {}))
