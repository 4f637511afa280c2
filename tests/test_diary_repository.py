"""One behaviour, three stores: the same suite runs on SQLite files, DynamoDB (moto over HTTP) and memory."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skill.diary.model import CrampEntry, PracticeSession
from skill.diary.repository import DiaryRepository, DuplicateEntry, EntryNotFound, StorageError
from skill.persistence.dynamodb import DynamoDBDiaryRepository, DynamoDBTable
from skill.persistence.memory_diary import MemoryDiaryRepository
from skill.persistence.sqlite import SQLiteDatabase
from skill.persistence.sqlite_diary import SQLiteDiaryRepository

ALICE, BOB = "amzn1.ask.account.ALICE", "amzn1.ask.account.BOB"
T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "dynamodb", "memory"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> DiaryRepository:
    if request.param == "sqlite":
        return SQLiteDiaryRepository(SQLiteDatabase(tmp_path / "diary.db"))
    if request.param == "dynamodb":
        table = request.getfixturevalue("dynamodb_table")
        # Tiny pages, so every multi-item query here follows DynamoDB's pagination.
        return DynamoDBDiaryRepository(
            DynamoDBTable(table["table_name"], endpoint_url=table["endpoint"], page_size=4)
        )
    return MemoryDiaryRepository()


def entry(hours: float = 0, user: str = ALICE, **fields) -> CrampEntry:
    values = {"muscle": "CALF", "severity": 5, "side": "LEFT", "duration_s": 120, **fields}
    return CrampEntry(user, T0 + timedelta(hours=hours), **values)


def test_an_entry_round_trips_with_every_field(repository):
    full = entry(
        helped="STRETCH",
        trigger="EXERCISE",
        symptoms=("SWELLING", "NUMBNESS"),
        medicines=("STATIN",),
        red_flags=("possible_clot",),
        source="timer",
        time_zone="Europe/London",
        time_exact=False,
    )
    repository.add(full)
    assert repository.get(ALICE, full.id) == full


def test_an_open_entry_and_an_unknown_length_are_told_apart(repository):
    still_going, unknown = entry(duration_s=None, still_going=True), entry(hours=1, duration_s=None)
    repository.add(still_going)
    repository.add(unknown)
    assert repository.get(ALICE, still_going.id).is_open
    assert not repository.get(ALICE, unknown.id).is_open
    assert repository.get(ALICE, unknown.id).duration_s is None
    assert repository.open_entry(ALICE, T0 - timedelta(hours=1)) == still_going


def test_adding_the_same_id_twice_never_overwrites(repository):
    first = entry(severity=3)
    repository.add(first)
    with pytest.raises(DuplicateEntry):
        repository.add(first.with_changes(severity=9))
    assert repository.get(ALICE, first.id).severity == 3


def test_entries_come_back_oldest_first_within_a_half_open_range(repository):
    made = [entry(hours=h) for h in (5, 0, 24, 48, 1)]
    for item in made:
        repository.add(item)
    everything = repository.entries(ALICE)
    assert [e.started_at for e in everything] == sorted(e.started_at for e in made)
    window = repository.entries(ALICE, T0 + timedelta(hours=1), T0 + timedelta(hours=24))
    assert [e.started_at for e in window] == [T0 + timedelta(hours=1), T0 + timedelta(hours=5)]
    assert len(repository.entries(ALICE, start=T0 + timedelta(hours=24))) == 2
    assert len(repository.entries(ALICE, end=T0 + timedelta(hours=1))) == 1


def test_count_matches_the_entries_without_reading_them(repository):
    for hours in (0, 1, 5, 24, 48):
        repository.add(entry(hours=hours))
    repository.add(entry(user=BOB))
    assert repository.count(ALICE) == 5
    assert repository.count(ALICE, T0 + timedelta(hours=1), T0 + timedelta(hours=24)) == 2
    assert repository.count(ALICE, start=T0 + timedelta(hours=24)) == 2
    assert repository.count(BOB) == 1 and repository.count("nobody") == 0


def test_last_is_the_latest_start_not_the_latest_logged(repository):
    night = entry(hours=0)
    repository.add(night)
    repository.add(entry(hours=-24))  # logged afterwards, but about an earlier night
    assert repository.last(ALICE) == night
    assert repository.first_started_at(ALICE) == T0 - timedelta(hours=24)


def test_empty_diary_answers_none(repository):
    assert repository.last(ALICE) is None
    assert repository.first_started_at(ALICE) is None
    assert repository.entries(ALICE) == []
    assert repository.get(ALICE, "nope") is None
    assert repository.open_entry(ALICE, T0) is None
    assert repository.delete(ALICE, "nope") is False


def test_update_changes_fields_and_can_move_the_time(repository):
    original = entry(hours=0)
    repository.add(original)
    moved = original.with_changes(started_at=T0 - timedelta(hours=20), severity=8)
    repository.update(moved)
    assert repository.get(ALICE, original.id) == moved
    assert repository.entries(ALICE) == [moved]
    assert repository.last(ALICE) == moved


def test_update_of_a_missing_entry_fails_loudly(repository):
    with pytest.raises(EntryNotFound):
        repository.update(entry())


def test_delete_removes_one_entry(repository):
    keep, drop = entry(hours=0), entry(hours=1)
    repository.add(keep)
    repository.add(drop)
    assert repository.delete(ALICE, drop.id) is True
    assert repository.entries(ALICE) == [keep]
    assert repository.get(ALICE, drop.id) is None


def test_open_entry_is_the_latest_open_one_since_a_time(repository):
    repository.add(entry(hours=-30, duration_s=None, still_going=True))  # too old to be "the" open cramp
    repository.add(entry(hours=-1, duration_s=None, still_going=True))
    newest_open = entry(hours=0, duration_s=None, still_going=True)
    repository.add(newest_open)
    repository.add(entry(hours=0.5))  # closed, later
    repository.add(entry(hours=0.7, duration_s=None))  # length unknown, not open
    assert repository.open_entry(ALICE, T0 - timedelta(hours=24)) == newest_open
    assert repository.open_entry(ALICE, T0 + timedelta(minutes=10)) is None


def test_users_never_see_each_other(repository):
    alice, bob = entry(user=ALICE), entry(user=BOB, severity=9)
    repository.add(alice)
    repository.add(bob)
    repository.record_practice(BOB, "bedtime-stretches", 3, True, at=T0)
    assert repository.entries(ALICE) == [alice]
    assert repository.get(ALICE, bob.id) is None
    assert repository.delete(ALICE, bob.id) is False
    assert repository.practice(ALICE) == []
    with pytest.raises(EntryNotFound):
        repository.update(bob.with_changes(user_id=ALICE))


def test_practice_sessions_are_recorded_and_read_by_range(repository):
    first = repository.record_practice(ALICE, "breathing", 4.5, True, at=T0, time_zone="America/New_York")
    second = repository.record_practice(ALICE, "pmr", 2, False, at=T0 + timedelta(days=1))
    assert repository.practice(ALICE) == [first, second]
    assert repository.practice(ALICE, start=T0 + timedelta(hours=1)) == [second]
    assert first.minutes == 4.5 and first.completed and not second.completed
    with pytest.raises(DuplicateEntry):
        repository.add_practice(first)


def test_delete_all_erases_diary_and_practice_of_one_user_only(repository):
    for hours in range(30):
        repository.add(entry(hours=hours))
    repository.record_practice(ALICE, "breathing", 3, True, at=T0)
    bobs = entry(user=BOB)
    repository.add(bobs)
    assert repository.delete_all(ALICE) == 31
    assert repository.entries(ALICE) == [] and repository.practice(ALICE) == []
    assert repository.last(ALICE) is None
    assert repository.entries(BOB) == [bobs]


def test_long_ranges_page_through(repository):
    for hours in range(30):
        repository.add(entry(hours=hours, duration_s=None, still_going=hours == 2))
    assert len(repository.entries(ALICE)) == 30
    assert len(repository.entries(ALICE, T0 + timedelta(hours=3), T0 + timedelta(hours=20))) == 17
    assert repository.open_entry(ALICE, T0).started_at == T0 + timedelta(hours=2)


def test_sqlite_writes_from_threads_all_land(tmp_path):
    repository = SQLiteDiaryRepository(SQLiteDatabase(tmp_path / "diary.db"))

    def write(offset: int) -> None:
        for i in range(20):
            repository.add(entry(hours=offset * 100 + i))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(repository.entries(ALICE)) == 80


def test_sqlite_schema_has_wal_and_the_user_time_indexes(tmp_path):
    database = SQLiteDatabase(tmp_path / "diary.db")
    SQLiteDiaryRepository(database).add(entry())
    conn = sqlite3.connect(tmp_path / "diary.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexes = {row[1] for row in conn.execute("SELECT * FROM sqlite_master WHERE type = 'index'")}
    assert {"cramp_entries_user_time", "practice_sessions_user_time"} <= indexes
    plan = " ".join(
        str(row[-1])
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM cramp_entries "
            "WHERE user_id = ? AND started_at >= ? ORDER BY started_at",
            ("x", "y"),
        )
    )
    assert "cramp_entries_user_time" in plan


def test_sqlite_failures_become_storage_errors(tmp_path):
    database = SQLiteDatabase(tmp_path / "diary.db")
    repository = SQLiteDiaryRepository(database)
    repository.add(entry())
    database.connection().execute("DROP TABLE cramp_entries")
    with pytest.raises(StorageError):
        repository.entries(ALICE)


def test_dynamodb_client_is_created_lazily_and_failures_become_storage_errors(aws_env):
    table = DynamoDBTable("no-such-table", endpoint_url="http://127.0.0.1:9")  # nothing listens on port 9
    repository = DynamoDBDiaryRepository(table)
    assert table._client is None
    with pytest.raises(StorageError):
        repository.last(ALICE)
    assert table._client is not None


def test_practice_session_validation():
    with pytest.raises(ValueError):
        PracticeSession(ALICE, "breathing", -1, True)
    with pytest.raises(ValueError):
        PracticeSession(ALICE, "", 1, True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"severity": 11}, "severity"),
        ({"severity": -1}, "severity"),
        ({"duration_s": 86401}, "duration"),
        ({"duration_s": -5}, "duration"),
    ],
)
def test_entries_refuse_impossible_values(fields, message):
    with pytest.raises(ValueError, match=message):
        entry(**fields)


def test_a_table_name_in_the_environment_selects_dynamodb_without_connecting():
    from skill.config import Settings
    from skill.services import build_services

    env = {"TABLE_NAME": "cramp-coach-users", "AWS_REGION": "eu-west-1"}
    services = build_services(Settings.from_env(env))
    assert isinstance(services.diary, DynamoDBDiaryRepository)
    table = services.diary.table
    assert (table.table_name, table.region, table._client) == ("cramp-coach-users", "eu-west-1", None)
    assert services.persistence.table is table  # one table for the diary and ask-sdk's attributes


def test_an_entry_without_a_severity_is_stored_and_read_back(repository):
    # Saved as soon as the muscle is known (issue 14): the rating may never be told.
    unrated = entry(severity=None)
    repository.add(unrated)
    assert repository.get(ALICE, unrated.id) == unrated
    repository.update(unrated.with_changes(severity=6))
    assert repository.get(ALICE, unrated.id).severity == 6


def test_a_diary_from_before_optional_severity_keeps_its_entries(tmp_path):
    from skill.persistence.sqlite import MIGRATIONS

    old = SQLiteDatabase(tmp_path / "old.db", migrations=MIGRATIONS[:5])  # before 6: optional severity
    SQLiteDiaryRepository(old).add(entry(severity=4))
    with pytest.raises(sqlite3.IntegrityError):  # the old schema required a severity
        old.connection().execute(
            "INSERT INTO cramp_entries (user_id, id, started_at, logged_at, muscle, source, time_zone)"
            " VALUES ('u', 'x', 'a', 'b', 'CALF', 'voice', 'UTC')"
        )
    old.connection().close()
    migrated = SQLiteDiaryRepository(SQLiteDatabase(tmp_path / "old.db"))
    [kept] = migrated.entries(ALICE)
    assert kept.severity == 4
    migrated.add(entry(hours=1, severity=None))
    assert [e.severity for e in migrated.entries(ALICE)] == [4, None]
