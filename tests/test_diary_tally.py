"""Diary tallies: the stores' aggregates give exactly the figures computed from the entries.

Generated diaries (several time zones, ties, symptoms, red flags, unknown lengths and times) are
asked about random periods; the Python computation over the entries (``stats.summarize`` and
friends) is the oracle for the tallies the stores keep per month and day.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skill.diary import stats
from skill.diary import tally as tallies
from skill.diary.model import CrampEntry, PracticeSession
from skill.diary.repository import DiaryRepository
from skill.diary.tally import Tally
from skill.persistence.dynamodb import DynamoDBDiaryRepository, DynamoDBTable
from skill.persistence.memory_diary import MemoryDiaryRepository
from skill.persistence.sqlite import SQLiteDatabase
from skill.persistence.sqlite_diary import SQLiteDiaryRepository, rebuild_all_tallies

USER, OTHER = "amzn1.ask.account.TALLY", "amzn1.ask.account.OTHER"
NOW = datetime(2026, 11, 25, 13, 30, 17, tzinfo=UTC)
ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney", "UTC"]


def diary(rng: random.Random, count: int, days: int = 120, user: str = USER) -> list[CrampEntry]:
    """Entries over the last ``days`` days, drawn from few values so that rankings tie often."""
    made = []
    for _ in range(count):
        started = NOW - timedelta(seconds=rng.randrange(days * 86_400))
        still_going = rng.random() < 0.05
        made.append(
            CrampEntry(
                user,
                started,
                rng.choice(["CALF", "FOOT", "TOES", "THIGH"]),
                rng.randrange(0, 11),
                side=rng.choice(["LEFT", "RIGHT", "BOTH", None]),
                duration_s=None if still_going else rng.choice([None, 0, 30, 60, 120, 86_400]),
                helped=rng.choice([None, "STRETCH", "WALKING", "NOTHING"]),
                trigger=rng.choice([None, "EXERCISE", "NONE", "STRESS"]),
                symptoms=tuple(rng.sample(["SWELLING", "WEAKNESS", "NUMBNESS"], rng.randrange(0, 3))),
                medicines=tuple(rng.sample(["STATIN", "DIURETIC"], rng.randrange(0, 2))),
                red_flags=("one_sided_swelling",) if rng.random() < 0.05 else (),
                time_zone=rng.choice(ZONES),
                time_exact=rng.random() > 0.2,
                still_going=still_going,
                id=rng.choice(["", "a", "ab", "b"]) + f"{rng.randrange(10**6):06d}",
                logged_at=started + timedelta(minutes=3),
            )
        )
    return made


def periods(rng: random.Random, count: int) -> list[tuple[datetime | None, datetime | None]]:
    """Whole days, weeks, months and years, odd hours and seconds, open ends and empty ranges."""
    chosen: list[tuple[datetime | None, datetime | None]] = [(None, None), (None, NOW), (NOW, None)]
    for _ in range(count):
        start = NOW - timedelta(seconds=rng.randrange(130 * 86_400))
        length = rng.choice([0, 1, 3600, 86_400, 7 * 86_400, 31 * 86_400, 95 * 86_400, rng.randrange(10**7)])
        chosen.append((start, start + timedelta(seconds=length)))
    midnight = NOW.replace(hour=0, minute=0, second=0)
    chosen += [
        (midnight - timedelta(days=62), midnight),
        (midnight.replace(day=1), midnight + timedelta(days=9)),
    ]
    return chosen


def within(entries: list[CrampEntry], start: datetime | None, end: datetime | None) -> list[CrampEntry]:
    inside = [
        e for e in entries if (start is None or e.started_at >= start) and (end is None or e.started_at < end)
    ]
    return sorted(inside, key=lambda e: (e.started_at, e.id))


@pytest.mark.parametrize("seed", range(8))
def test_figures_from_a_tally_equal_the_figures_from_the_entries(seed):
    rng = random.Random(seed)
    entries = diary(rng, rng.choice([0, 1, 2, 5, 40, 300]))
    sessions = [
        PracticeSession(USER, "bedtime-stretches", 3, True, at=NOW - timedelta(days=d, hours=10))
        for d in range(0, 60, 3)
    ]
    for start, end in periods(rng, 25):
        inside = within(entries, start, end)
        tally = Tally.of(inside)
        low = start or NOW - timedelta(days=200)
        high = end or NOW
        assert stats.summary_of(tally, low, high) == stats.summarize(inside, low, high)
        assert stats.helped_most_of(tally) == stats.helped_most(inside)
        assert stats.practice_effect_of_nights(tally.nights(), sessions, low, NOW, low) == (
            stats.practice_effect(inside, sessions, low, NOW, low)
        )


def test_merged_tallies_equal_one_tally_of_all_the_entries():
    rng = random.Random(7)
    entries = diary(rng, 200)
    rng.shuffle(entries)
    parts = [Tally.of(entries[i : i + 37]) for i in range(0, len(entries), 37)]
    merged = Tally()
    for part in parts:
        merged.merge(Tally.from_json(part.to_json()) or Tally())
    assert merged.data == Tally.of(sorted(entries, key=lambda e: (e.started_at, e.id))).data


@pytest.mark.parametrize("seed", range(6))
def test_a_plan_covers_the_period_exactly_once(seed):
    """Every instant of the period falls in exactly one month, day or raw range of the plan."""
    rng = random.Random(seed)
    for start, end in periods(rng, 40):
        plan = tallies.plan(start, end)
        spans = [tallies.bucket_span(name) for name in _buckets_in(plan)]
        spans += [
            (low or datetime(1900, 1, 1, tzinfo=UTC), high or datetime(2100, 1, 1, tzinfo=UTC))
            for low, high in plan.raw
        ]
        assert len(plan.raw) <= 2
        probes = [NOW - timedelta(seconds=rng.randrange(140 * 86_400)) for _ in range(200)]
        for probe in [*probes, *(p for p in (start, end) if p is not None)]:
            inside = (start is None or probe >= start) and (end is None or probe < end)
            hits = sum(low <= probe < high for low, high in spans)
            assert hits == (1 if inside else 0), (start, end, probe, plan)


def _buckets_in(plan: tallies.Plan) -> list[str]:
    """The bucket names a plan reads, between 2026-03 and 2027-03 (the probes' years)."""
    names = []
    day = datetime(2026, 3, 1, tzinfo=UTC)
    while day < datetime(2027, 3, 1, tzinfo=UTC):
        names += [tallies.day_bucket(day)] + ([tallies.month_bucket(day)] if day.day == 1 else [])
        day += timedelta(days=1)
    return [n for n in names if any(low <= n < high for low, high in plan.bucket_ranges())]


@pytest.fixture(params=["sqlite", "dynamodb", "memory"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> DiaryRepository:
    if request.param == "sqlite":
        return SQLiteDiaryRepository(SQLiteDatabase(tmp_path / "diary.db"))
    if request.param == "dynamodb":
        table = request.getfixturevalue("dynamodb_table")
        return DynamoDBDiaryRepository(DynamoDBTable(table["table_name"], endpoint_url=table["endpoint"]))
    return MemoryDiaryRepository()


def check_store(repository: DiaryRepository, rng: random.Random, user: str = USER) -> None:
    for start, end in periods(rng, 12):
        expected = Tally.of(repository.entries(user, start, end))
        assert repository.tally(user, start, end).data == expected.data, (start, end)


def test_a_store_tallies_its_entries_through_adds_corrections_and_deletions(repository):
    rng = random.Random(11)
    entries = diary(rng, 120)
    for entry in entries:
        repository.add(entry)
    for entry in diary(rng, 10, user=OTHER):
        repository.add(entry)  # another user's cramps never count
    check_store(repository, rng)
    for entry in rng.sample(entries, 8):  # corrections, some moving to another day or month
        moved = entry.with_changes(
            started_at=entry.started_at - timedelta(days=rng.choice([0, 1, 40])),
            severity=rng.randrange(0, 11),
            muscle="SHIN",
        )
        repository.update(moved)
    for entry in rng.sample(entries, 8):
        repository.delete(USER, entry.id)
    check_store(repository, rng)
    repository.delete_all(USER)
    assert repository.tally(USER).count == 0
    assert repository.tally(OTHER).count == 10


def test_sqlite_tallies_are_filled_for_a_diary_written_before_them(tmp_path):
    """Migration 4 counts the entries an older version stored; a repair recounts the same."""
    path = tmp_path / "old.db"
    rng = random.Random(5)
    written = SQLiteDiaryRepository(SQLiteDatabase(path))
    for entry in diary(rng, 60):
        written.add(entry)
    with written.database.transaction() as conn:  # back to schema 3: entries without tallies
        conn.execute("DROP TABLE cramp_tallies")
        conn.execute("PRAGMA user_version = 3")
    written.database.close()
    repository = SQLiteDiaryRepository(SQLiteDatabase(path))
    check_store(repository, rng)
    with repository.database.transaction() as conn:
        before = conn.execute("SELECT bucket, data FROM cramp_tallies ORDER BY user_id, bucket").fetchall()
        assert len(before) > 4
        rebuild_all_tallies(conn)
        assert (
            conn.execute("SELECT bucket, data FROM cramp_tallies ORDER BY user_id, bucket").fetchall()
            == before
        )


def test_a_stored_tally_of_another_version_is_counted_again(tmp_path, monkeypatch):
    repository = SQLiteDiaryRepository(SQLiteDatabase(tmp_path / "diary.db"))
    rng = random.Random(3)
    for entry in diary(rng, 50):
        repository.add(entry)
    monkeypatch.setattr(tallies, "VERSION", tallies.VERSION + 1)  # a newer skill reads older tallies
    check_store(repository, rng)
    repository.add(diary(rng, 1)[0])  # and a write recounts the tallies it touches
    check_store(repository, rng)


def test_cramps_logged_at_once_on_several_devices_are_all_counted(repository):
    """Writers racing for one day's tally: each write either lands with its count or retries."""
    import threading

    rng = random.Random(21)
    entries = [e.with_changes(started_at=NOW - timedelta(minutes=i)) for i, e in enumerate(diary(rng, 24))]
    errors: list[BaseException] = []

    def log(part: list[CrampEntry]) -> None:
        try:
            for entry in part:
                repository.add(entry)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=log, args=(entries[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert repository.tally(USER).data == Tally.of(repository.entries(USER)).data
    assert repository.tally(USER).count == 24


def test_a_dynamodb_question_costs_the_same_few_calls_whatever_the_diary_length(dynamodb_table):
    """Whole months and days come from tallies: a long diary costs no more calls than a short one."""
    from skill.persistence import dynamodb

    repository = DynamoDBDiaryRepository(
        DynamoDBTable(dynamodb_table["table_name"], endpoint_url=dynamodb_table["endpoint"], page_size=None)
    )
    calls = []
    repository.table.client.meta.events.register("before-call.dynamodb", lambda **_: calls.append(1))
    rng = random.Random(8)
    year = NOW - timedelta(days=365)
    for size in (10, 200):
        user = f"{USER}.{size}"
        entries = [e.with_changes(user_id=user) for e in diary(rng, size, days=360, user=user)]
        table = repository.table
        items = [i for e in entries for i in (dynamodb.entry_item(e), dynamodb.pointer_item(e))]
        items += dynamodb.tally_items(entries)
        for offset in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": item}} for item in items[offset : offset + 25]]
            table.client.batch_write_item(RequestItems={table.table_name: batch})
        calls.clear()
        tally = repository.tally(user, year, NOW)
        made = len(calls)
        assert made <= 5, f"{size} entries: {made} calls"  # 1 of months, 2 of days, 2 of entries
        assert tally.data == Tally.of(repository.entries(user, year, NOW)).data
