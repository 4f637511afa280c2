"""SQLite storage: the embedded default, safe with several gunicorn worker processes.

WAL lets readers and one writer proceed together across processes; ``busy_timeout`` makes a
writer wait for the lock instead of failing. Each process (and thread) opens its own connection:
SQLite connections must not cross a fork.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope


def _fill_tallies(conn: sqlite3.Connection) -> None:
    """Migration 4's data step: count every stored entry into its month's and day's tally."""
    from skill.persistence.sqlite_diary import rebuild_all_tallies

    rebuild_all_tallies(conn)


# Append only: each entry moves the schema one version forward (PRAGMA user_version). An entry is
# SQL statements, or a function for a data step that SQL alone cannot do (time zones).
Migration = str | Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = [
    """
    CREATE TABLE attributes (
        user_id    TEXT PRIMARY KEY,
        data       TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
    # 2: the cramp diary and the practice log (skill/persistence/sqlite_diary.py). Times are
    # fixed-width UTC text, so text order is time order and the (user_id, time) indexes serve ranges.
    """
    CREATE TABLE cramp_entries (
        user_id    TEXT NOT NULL,
        id         TEXT NOT NULL,
        started_at TEXT NOT NULL,
        logged_at  TEXT NOT NULL,
        muscle     TEXT NOT NULL,
        side       TEXT,
        severity   INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 10),
        duration_s INTEGER CHECK (duration_s IS NULL OR duration_s BETWEEN 0 AND 86400),
        helped     TEXT,
        trigger    TEXT,
        symptoms   TEXT NOT NULL DEFAULT '[]',
        medicines  TEXT NOT NULL DEFAULT '[]',
        red_flags  TEXT NOT NULL DEFAULT '[]',
        source     TEXT NOT NULL,
        time_zone  TEXT NOT NULL,
        time_exact INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (user_id, id)
    );
    CREATE INDEX cramp_entries_user_time ON cramp_entries (user_id, started_at, id);
    CREATE TABLE practice_sessions (
        user_id   TEXT NOT NULL,
        id        TEXT NOT NULL,
        at        TEXT NOT NULL,
        technique TEXT NOT NULL,
        minutes   REAL NOT NULL,
        completed INTEGER NOT NULL,
        time_zone TEXT NOT NULL,
        PRIMARY KEY (user_id, id)
    );
    CREATE INDEX practice_sessions_user_time ON practice_sessions (user_id, at, id);
    """,
    # 3: "still going" is its own fact: a cramp logged without its length is not an open one.
    """
    ALTER TABLE cramp_entries ADD COLUMN still_going INTEGER NOT NULL DEFAULT 0;
    UPDATE cramp_entries SET still_going = 1 WHERE duration_s IS NULL;
    """,
    # 4: diary questions read aggregates (skill/diary/tally.py), one per user and UTC month ("M2026-11")
    # and day ("D2026-11-25"), kept in the same transaction as every write of an entry.
    """
    CREATE TABLE cramp_tallies (
        user_id TEXT NOT NULL,
        bucket  TEXT NOT NULL,
        data    TEXT NOT NULL,
        PRIMARY KEY (user_id, bucket)
    ) WITHOUT ROWID;
    """,
    _fill_tallies,
]


def user_id_of(request_envelope: RequestEnvelope) -> str:
    """The Alexa user id, the only key any user data is stored under."""
    context = request_envelope.context
    system = context.system if context is not None else None
    user = system.user if system is not None else None
    # A user without a userId counts as missing too: its data would be keyed by NULL (None).
    if user is None or not user.user_id:
        raise PersistenceException("request has no user id")
    return user.user_id


class SQLiteDatabase:
    """One database file; connections per process and thread; schema migrated on first use."""

    def __init__(self, path: Path | str, migrations: list[Migration] | None = None) -> None:
        self.path = Path(path)
        self.migrations = MIGRATIONS if migrations is None else migrations
        self._local = threading.local()
        self._migrated_pid: int | None = None
        self._lock = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=True)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Deleted health data is overwritten with zeros, not left in free pages (the default
        # depends on how SQLite was built); see SECURITY.md for what lingers in the WAL.
        conn.execute("PRAGMA secure_delete = ON")
        return conn

    def connection(self) -> sqlite3.Connection:
        pid = os.getpid()
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != pid:
            conn = self._open()
            self._local.conn, self._local.pid = conn, pid
        if self._migrated_pid != pid:
            with self._lock:
                if self._migrated_pid != pid:
                    self._migrate(conn)
                    self._migrated_pid = pid
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        # BEGIN IMMEDIATE serialises migrations between worker processes starting together.
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(self.migrations[version:], start=version + 1):
                if callable(script):
                    script(conn)
                    conn.execute(f"PRAGMA user_version = {number}")
                    continue
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class SQLitePersistenceAdapter(AbstractPersistenceAdapter):
    """ask-sdk persistent attributes stored as one JSON document per user."""

    def __init__(self, database: SQLiteDatabase) -> None:
        self.database = database

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        try:
            row = (
                self.database.connection()
                .execute("SELECT data FROM attributes WHERE user_id = ?", (user_id_of(request_envelope),))
                .fetchone()
            )
        except sqlite3.Error as exc:
            raise PersistenceException(f"could not read attributes: {exc}") from exc
        return json.loads(row["data"]) if row else {}

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        try:
            with self.database.transaction() as conn:
                conn.execute(
                    "INSERT INTO attributes (user_id, data, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(user_id) DO UPDATE SET "
                    "data = excluded.data, updated_at = excluded.updated_at",
                    (
                        user_id_of(request_envelope),
                        json.dumps(attributes, separators=(",", ":")),
                        time.time(),
                    ),
                )
        except sqlite3.Error as exc:
            raise PersistenceException(f"could not save attributes: {exc}") from exc

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        try:
            with self.database.transaction() as conn:
                conn.execute("DELETE FROM attributes WHERE user_id = ?", (user_id_of(request_envelope),))
        except sqlite3.Error as exc:
            raise PersistenceException(f"could not delete attributes: {exc}") from exc
