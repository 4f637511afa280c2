"""``cramp-coach export``: CSV rows, full JSON and the doctor's HTML page, from SQLite or DynamoDB."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from skill.cli import main
from skill.diary.model import CrampEntry, PracticeSession
from skill.persistence.dynamodb import DynamoDBDiaryRepository, DynamoDBTable
from skill.persistence.sqlite import SQLiteDatabase
from skill.persistence.sqlite_diary import SQLiteDiaryRepository

USER, OTHER = "amzn1.ask.account.EXPORT", "amzn1.ask.account.OTHER"
ZONE = "Europe/London"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # London is on UTC in November


ENTRIES = [
    CrampEntry(
        USER,
        at(3, 3, 10),
        "CALF",
        6,
        side="LEFT",
        duration_s=180,
        helped="STRETCH",
        trigger="EXERCISE",
        time_zone=ZONE,
    ),
    CrampEntry(
        USER,
        at(10, 2, 40),
        "CALF",
        8,
        side="LEFT",
        duration_s=720,
        helped="WALKING",
        symptoms=("SWELLING",),
        red_flags=("possible_clot", "long_cramp"),
        medicines=("STATIN",),
        time_zone=ZONE,
    ),
    CrampEntry(USER, at(17, 12), "FOOT", 3, side="RIGHT", time_exact=False, time_zone=ZONE),
    # Data a spreadsheet or a browser must not run: a stored id that looks like a formula, or markup.
    CrampEntry(
        USER,
        at(20, 3, 0),
        "CALF",
        5,
        side="BOTH",
        duration_s=60,
        helped="=HYPERLINK(1)",
        trigger="<script>alert(1)</script>",
        time_zone=ZONE,
    ),
]


def fill(diary) -> None:
    for entry in ENTRIES:
        diary.add(entry)
    diary.add(CrampEntry(OTHER, at(12, 3), "THIGH", 9, time_zone=ZONE))
    diary.add_practice(PracticeSession(USER, "bedtime-stretches", 3, True, at=at(9, 21), time_zone=ZONE))


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "diary.db"
    fill(SQLiteDiaryRepository(SQLiteDatabase(path)))
    return path


def run(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(main, ["export", "--user", USER, *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_has_one_row_per_entry_of_that_user_only(db):
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv", "--db", str(db)))))
    assert [row["muscle"] for row in rows] == ["CALF", "CALF", "FOOT", "CALF"]
    assert rows[0]["local_time"] == "2026-11-03 03:10" and rows[0]["duration_s"] == "180"
    assert rows[1]["red_flags"] == "possible_clot;long_cramp" and rows[1]["medicines"] == "STATIN"
    assert rows[2]["time_exact"] == "False" and rows[2]["duration_s"] == ""
    assert rows[3]["helped"] == "'=HYPERLINK(1)"  # quoted, so a spreadsheet shows it instead of running it


def test_since_keeps_later_entries_only(db):
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv", "--since", "2026-11-10", "--db", str(db)))))
    assert len(rows) == 3


def test_json_holds_entries_practice_and_summary(db):
    document = json.loads(run("--format", "json", "--db", str(db)))
    assert document["user_id"] == USER
    assert len(document["entries"]) == 4 and document["practice"][0]["technique"] == "bedtime-stretches"
    summary = document["summary"]
    assert summary["count"] == 4 and summary["muscles"] == {"CALF": 3, "FOOT": 1}
    assert summary["severity"]["max"] == 8 and summary["duration_s"]["max"] == 720
    assert summary["red_flags"][0]["flags"] == ["possible_clot", "long_cramp"]
    assert sum(week["count"] for week in summary["per_week"]) == 4


def test_html_is_a_readable_one_page_summary(db, tmp_path):
    out = tmp_path / "report.html"
    CliRunner().invoke(
        main, ["export", "--user", USER, "--db", str(db), "-o", str(out)], catch_exceptions=False
    )
    page = out.read_text()
    for expected in (
        "Leg cramp diary summary",
        "Period: 3 Nov 2026 to",
        "4 on 4 nights",
        "average 5.5, median 5.5, highest 8",
        "left calf 2, right foot 1, both calves 1",
        "late night (3 am to 6 am) 2",
        "stretching 1, walking 1",
        "possible clot signs, cramp over 10 minutes (swelling)",
        "statin",
        "bedtime stretches 1",
        "Cramps per week",
        "time not given",
    ):
        assert expected in page, expected
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.index("Summary") < page.index("All entries")  # details after the one-page summary


def test_export_reads_dynamodb_when_the_table_is_configured(dynamodb_table):
    fill(
        DynamoDBDiaryRepository(
            DynamoDBTable(dynamodb_table["table_name"], endpoint_url=dynamodb_table["endpoint"])
        )
    )
    env = {
        "TABLE_NAME": dynamodb_table["table_name"],
        "DYNAMODB_ENDPOINT": dynamodb_table["endpoint"],
        "CRAMP_COACH_STORAGE": "dynamodb",
    }
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv", env=env))))
    assert len(rows) == 4


def test_a_missing_database_file_is_an_error_not_an_empty_export(tmp_path):
    result = CliRunner().invoke(main, ["export", "--user", USER, "--db", str(tmp_path / "nope.db")])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_an_unknown_user_gets_an_empty_export_and_a_note(db):
    result = CliRunner().invoke(main, ["export", "--user", "nobody", "--format", "csv", "--db", str(db)])
    assert result.exit_code == 0
    assert result.stdout.strip() == ",".join(__import__("skill.diary.export", fromlist=["x"]).CSV_COLUMNS)
    assert "no diary entries" in result.stderr
