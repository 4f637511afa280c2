"""The diary on SQLite: one row per entry and per practice session (schema: migration 2 in sqlite.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from skill.diary import tally as tallies
from skill.diary.model import CrampEntry, PracticeSession, iso, parse_iso
from skill.diary.repository import DiaryRepository, DuplicateEntry, EntryNotFound, StorageError
from skill.diary.tally import Tally
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


# Tallies (skill/diary/tally.py): one row per user and UTC month or day, written in the transaction
# that writes the entry, so a question never sees an entry without its count or the other way round.


def _bucket_entries(conn: sqlite3.Connection, user_id: str, bucket: str) -> list[CrampEntry]:
    start, end = tallies.bucket_span(bucket)
    rows = conn.execute(
        "SELECT * FROM cramp_entries WHERE user_id = ? AND started_at >= ? AND started_at < ? "
        "ORDER BY started_at, id",
        (user_id, iso(start), iso(end)),
    ).fetchall()
    return [_entry(row) for row in rows]


def _store_tally(conn: sqlite3.Connection, user_id: str, bucket: str, tally: Tally) -> None:
    if tally.count == 0:
        conn.execute("DELETE FROM cramp_tallies WHERE user_id = ? AND bucket = ?", (user_id, bucket))
        return
    conn.execute(
        "INSERT INTO cramp_tallies (user_id, bucket, data) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id, bucket) DO UPDATE SET data = excluded.data",
        (user_id, bucket, tally.to_json()),
    )


def _rebuild_tally(conn: sqlite3.Connection, user_id: str, bucket: str) -> Tally:
    """Count a bucket again from its entries (after a correction or a deletion, or an old VERSION)."""
    tally = Tally.of(_bucket_entries(conn, user_id, bucket))
    _store_tally(conn, user_id, bucket, tally)
    return tally


def _count_new_entry(conn: sqlite3.Connection, entry: CrampEntry) -> None:
    """Add an entry just inserted (same transaction) to its month's and day's tallies."""
    for bucket in tallies.buckets_of(entry):
        row = conn.execute(
            "SELECT data FROM cramp_tallies WHERE user_id = ? AND bucket = ?", (entry.user_id, bucket)
        ).fetchone()
        tally = Tally.from_json(row[0]) if row else Tally()
        if tally is None:
            _rebuild_tally(conn, entry.user_id, bucket)  # counts the new entry with the others
            continue
        tally.add(entry)
        _store_tally(conn, entry.user_id, bucket, tally)


def rebuild_all_tallies(conn: sqlite3.Connection) -> None:
    """Every user's tallies counted again from the entries (migration 4; a repair for operators)."""
    conn.execute("DELETE FROM cramp_tallies")
    counted: dict[tuple[str, str], Tally] = {}
    for row in conn.execute("SELECT * FROM cramp_entries ORDER BY user_id, started_at, id"):
        entry = _entry(row)
        for bucket in tallies.buckets_of(entry):
            counted.setdefault((entry.user_id, bucket), Tally()).add(entry)
    for (user_id, bucket), tally in counted.items():
        _store_tally(conn, user_id, bucket, tally)


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
            _count_new_entry(conn, entry)

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
            old = conn.execute(
                "SELECT started_at FROM cramp_entries WHERE user_id = ? AND id = ?", (entry.user_id, entry.id)
            ).fetchone()
            changed = conn.execute(
                f"UPDATE cramp_entries SET {assignments} WHERE user_id = :user_id AND id = :id", row
            ).rowcount
            if changed == 0 or old is None:
                raise EntryNotFound(entry.id)
            moved = set(tallies.buckets_of(entry))
            moved.update(tallies.buckets_of(entry.with_changes(started_at=parse_iso(old["started_at"]))))
            for bucket in sorted(moved):
                _rebuild_tally(conn, entry.user_id, bucket)

    def delete(self, user_id: str, entry_id: str) -> bool:
        with _errors("delete entry"), self.database.transaction() as conn:
            old = conn.execute(
                "SELECT started_at FROM cramp_entries WHERE user_id = ? AND id = ?", (user_id, entry_id)
            ).fetchone()
            if old is None:
                return False
            conn.execute("DELETE FROM cramp_entries WHERE user_id = ? AND id = ?", (user_id, entry_id))
            started = parse_iso(old["started_at"])
            for bucket in (tallies.month_bucket(started), tallies.day_bucket(started)):
                _rebuild_tally(conn, user_id, bucket)
            return True

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

    def tally(self, user_id: str, start: datetime | None = None, end: datetime | None = None) -> Tally:
        """Whole months and days from their tallies, the partial days at the ends from entries,
        all in one read transaction (one snapshot of the file)."""
        plan = tallies.plan(start, end)
        ranges = list(plan.bucket_ranges())
        total = Tally()
        with _errors("read tallies"):
            conn = self.database.connection()
            conn.execute("BEGIN")
            try:
                if ranges:
                    where = " OR ".join("(bucket >= ? AND bucket < ?)" for _ in ranges)
                    rows = conn.execute(
                        f"SELECT bucket, data FROM cramp_tallies WHERE user_id = ? AND ({where})",
                        [user_id, *(name for pair in ranges for name in pair)],
                    ).fetchall()
                    stale = []
                    for bucket, data in rows:
                        found = Tally.from_json(data)
                        if found is None:
                            stale.append(bucket)
                        else:
                            total.merge(found)
                    for bucket in stale:  # written by another VERSION: count from the entries
                        total.merge(Tally.of(_bucket_entries(conn, user_id, bucket)))
                for low, high in plan.raw:
                    where, params = _range("started_at", low, high)
                    for row in conn.execute(
                        f"SELECT * FROM cramp_entries WHERE user_id = ?{where} ORDER BY started_at, id",
                        [user_id, *params],
                    ):
                        total.add(_entry(row))
            finally:
                conn.execute("COMMIT")
        return total

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
            conn.execute("DELETE FROM cramp_tallies WHERE user_id = ?", (user_id,))
            sessions = conn.execute("DELETE FROM practice_sessions WHERE user_id = ?", (user_id,)).rowcount
        return entries + sessions
