"""The diary on SQLite: one row per entry and per practice session (schema: migration 2 in sqlite.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from skill.diary.model import CrampEntry, PracticeSession, iso, parse_iso
from skill.diary.repository import DiaryRepository, DuplicateEntry, EntryNotFound, StorageError
from skill.persistence.sqlite import SQLiteDatabase

_ENTRY_COLUMNS = (
    "user_id",
    "id",
    "started_at",
    "logged_at",
    "muscle",
    "side",
    "severity",
    "duration_s",
    "helped",
    "trigger",
    "symptoms",
    "medicines",
    "red_flags",
    "source",
    "time_zone",
    "time_exact",
    "still_going",
)
_LIST_COLUMNS = ("symptoms", "medicines", "red_flags")
_PRACTICE_COLUMNS = ("user_id", "id", "at", "technique", "minutes", "completed", "time_zone")


def _entry_row(entry: CrampEntry) -> dict[str, Any]:
    row = entry.to_dict()
    for name in _LIST_COLUMNS:
        row[name] = json.dumps(row[name])
    row["time_exact"], row["still_going"] = int(entry.time_exact), int(entry.still_going)
    return row


def _entry(row: sqlite3.Row) -> CrampEntry:
    data = dict(row)
    for name in _LIST_COLUMNS:
        data[name] = () if data[name] == "[]" else json.loads(data[name])  # most lists are empty
    data["time_exact"], data["still_going"] = bool(data["time_exact"]), bool(data["still_going"])
    return CrampEntry.from_dict(data)


def _range(column: str, start: datetime | None, end: datetime | None) -> tuple[str, list[str]]:
    clauses, params = [], []
    if start is not None:
        clauses.append(f"{column} >= ?")
        params.append(iso(start))
    if end is not None:
        clauses.append(f"{column} < ?")
        params.append(iso(end))
    return "".join(f" AND {c}" for c in clauses), params


@contextmanager
def _errors(action: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.IntegrityError as exc:
        if "UNIQUE" in str(exc) or "PRIMARY KEY" in str(exc):
            raise DuplicateEntry(f"{action}: already stored") from exc
        raise StorageError(f"{action}: {exc}") from exc
    except sqlite3.Error as exc:
        raise StorageError(f"{action}: {exc}") from exc


class SQLiteDiaryRepository(DiaryRepository):
    """Reads use the connection directly (WAL readers never block); writes run in transactions."""

    def __init__(self, database: SQLiteDatabase) -> None:
        self.database = database

    def _query(self, sql: str, params: list[Any] | tuple[Any, ...]) -> list[sqlite3.Row]:
        return self.database.connection().execute(sql, params).fetchall()

    def add(self, entry: CrampEntry) -> None:
        row = _entry_row(entry)
        placeholders = ", ".join(f":{c}" for c in _ENTRY_COLUMNS)
        with _errors("add entry"), self.database.transaction() as conn:
            conn.execute(
                f"INSERT INTO cramp_entries ({', '.join(_ENTRY_COLUMNS)}) VALUES ({placeholders})", row
            )

    def get(self, user_id: str, entry_id: str) -> CrampEntry | None:
        with _errors("get entry"):
            rows = self._query(
                "SELECT * FROM cramp_entries WHERE user_id = ? AND id = ?", (user_id, entry_id)
            )
        return _entry(rows[0]) if rows else None

    def update(self, entry: CrampEntry) -> None:
        row = _entry_row(entry)
        assignments = ", ".join(f"{c} = :{c}" for c in _ENTRY_COLUMNS if c not in {"user_id", "id"})
        with _errors("update entry"), self.database.transaction() as conn:
            changed = conn.execute(
                f"UPDATE cramp_entries SET {assignments} WHERE user_id = :user_id AND id = :id", row
            ).rowcount
            if changed == 0:
                raise EntryNotFound(entry.id)

    def delete(self, user_id: str, entry_id: str) -> bool:
        with _errors("delete entry"), self.database.transaction() as conn:
            return (
                conn.execute(
                    "DELETE FROM cramp_entries WHERE user_id = ? AND id = ?", (user_id, entry_id)
                ).rowcount
                > 0
            )

    def last(self, user_id: str) -> CrampEntry | None:
        with _errors("read last entry"):
            rows = self._query(
                "SELECT * FROM cramp_entries WHERE user_id = ? ORDER BY started_at DESC, id DESC LIMIT 1",
                (user_id,),
            )
        return _entry(rows[0]) if rows else None

    def entries(
        self, user_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[CrampEntry]:
        where, params = _range("started_at", start, end)
        with _errors("read entries"):
            rows = self._query(
                f"SELECT * FROM cramp_entries WHERE user_id = ?{where} ORDER BY started_at, id",
                [user_id, *params],
            )
        return [_entry(row) for row in rows]

    def count(self, user_id: str, start: datetime | None = None, end: datetime | None = None) -> int:
        where, params = _range("started_at", start, end)
        with _errors("count entries"):
            rows = self._query(
                f"SELECT COUNT(*) FROM cramp_entries WHERE user_id = ?{where}", [user_id, *params]
            )
        return int(rows[0][0])

    def open_entry(self, user_id: str, since: datetime) -> CrampEntry | None:
        with _errors("read open entry"):
            rows = self._query(
                "SELECT * FROM cramp_entries WHERE user_id = ? AND started_at >= ? AND still_going = 1 "
                "ORDER BY started_at DESC, id DESC LIMIT 1",
                (user_id, iso(since)),
            )
        return _entry(rows[0]) if rows else None

    def first_started_at(self, user_id: str) -> datetime | None:
        with _errors("read first entry"):
            rows = self._query(
                "SELECT MIN(started_at) AS first FROM cramp_entries WHERE user_id = ?", (user_id,)
            )
        first = rows[0]["first"] if rows else None
        return parse_iso(first) if first else None

    def add_practice(self, session: PracticeSession) -> None:
        row = session.to_dict()
        row["completed"] = int(session.completed)
        placeholders = ", ".join(f":{c}" for c in _PRACTICE_COLUMNS)
        with _errors("add practice"), self.database.transaction() as conn:
            conn.execute(
                f"INSERT INTO practice_sessions ({', '.join(_PRACTICE_COLUMNS)}) VALUES ({placeholders})", row
            )

    def practice(
        self, user_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[PracticeSession]:
        where, params = _range("at", start, end)
        with _errors("read practice"):
            rows = self._query(
                f"SELECT * FROM practice_sessions WHERE user_id = ?{where} ORDER BY at, id",
                [user_id, *params],
            )
        return [PracticeSession.from_dict(dict(row)) for row in rows]

    def delete_all(self, user_id: str) -> int:
        with _errors("delete all"), self.database.transaction() as conn:
            entries = conn.execute("DELETE FROM cramp_entries WHERE user_id = ?", (user_id,)).rowcount
            sessions = conn.execute("DELETE FROM practice_sessions WHERE user_id = ?", (user_id,)).rowcount
        return entries + sessions
