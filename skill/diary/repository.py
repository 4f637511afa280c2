"""The one storage interface of the diary; SQLite, DynamoDB and memory implement it alike.

Every method takes the user id: there is no call that could read or change another user's data.
Backends raise ``StorageError`` (or a subclass) for any failure, so callers handle one type.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from skill.diary.model import CrampEntry, PracticeSession, now_utc
from skill.diary.tally import Tally


class StorageError(Exception):
    """The store could not be read or written; the caller should say so and let the user retry."""


class DuplicateEntry(StorageError):
    """A record with this id already exists (writes never overwrite)."""


class EntryNotFound(StorageError):
    """The record to update does not exist (any more)."""


class DiaryRepository(ABC):
    """Cramp entries and practice sessions of each user, ordered by time."""

    @abstractmethod
    def add(self, entry: CrampEntry) -> None:
        """Store a new entry; ``DuplicateEntry`` if its id is already stored."""

    @abstractmethod
    def get(self, user_id: str, entry_id: str) -> CrampEntry | None:
        """The entry with this id, or None."""

    @abstractmethod
    def update(self, entry: CrampEntry) -> None:
        """Replace the stored entry with the same id (its time may change); ``EntryNotFound`` if absent."""

    @abstractmethod
    def delete(self, user_id: str, entry_id: str) -> bool:
        """Delete one entry; False if there was none."""

    @abstractmethod
    def last(self, user_id: str) -> CrampEntry | None:
        """The entry with the latest start time."""

    @abstractmethod
    def entries(
        self, user_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[CrampEntry]:
        """Entries with ``start <= started_at < end`` (either bound optional), oldest first."""

    def count(self, user_id: str, start: datetime | None = None, end: datetime | None = None) -> int:
        """How many entries ``entries`` would return, without reading them (backends count in the store)."""
        return len(self.entries(user_id, start, end))

    def tally(self, user_id: str, start: datetime | None = None, end: datetime | None = None) -> Tally:
        """The aggregates of the entries ``entries`` would return (what diary questions read).

        Backends keep tallies per month and day so that a question costs the same whatever the
        diary's length; this default counts the entries (the in-memory store).
        """
        return Tally.of(self.entries(user_id, start, end))

    @abstractmethod
    def open_entry(self, user_id: str, since: datetime) -> CrampEntry | None:
        """The latest entry started at or after ``since`` that has no duration yet."""

    @abstractmethod
    def first_started_at(self, user_id: str) -> datetime | None:
        """When the oldest entry started: how long this user has been keeping the diary."""

    @abstractmethod
    def add_practice(self, session: PracticeSession) -> None:
        """Store a practice session; ``DuplicateEntry`` if its id is already stored."""

    @abstractmethod
    def practice(
        self, user_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[PracticeSession]:
        """Practice sessions with ``start <= at < end``, oldest first."""

    @abstractmethod
    def delete_all(self, user_id: str) -> int:
        """Delete every entry and practice session of the user; returns how many records went."""

    def record_practice(
        self,
        user_id: str,
        technique: str,
        minutes: float,
        completed: bool,
        *,
        at: datetime | None = None,
        time_zone: str = "UTC",
    ) -> PracticeSession:
        """Log one technique session (finished or stopped early) and return it."""
        at = at if at is not None else now_utc()  # PracticeSession's own default
        session = PracticeSession(
            user_id, technique, float(minutes), bool(completed), at=at, time_zone=time_zone
        )
        self.add_practice(session)
        return session
