"""A user's diary as CSV (rows for spreadsheets), JSON (everything, for programs) or HTML (for a doctor)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from skill.diary import report
from skill.diary.model import CrampEntry, PracticeSession, iso
from skill.diary.stats import summarize

CSV_COLUMNS = (
    "id", "started_at_utc", "local_time", "time_zone", "time_exact", "muscle", "side", "severity",
    "duration_s", "still_going", "helped", "trigger", "symptoms", "medicines", "red_flags", "source",
    "logged_at_utc",
)  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Text safe to open in a spreadsheet: a leading formula character is quoted, not evaluated."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(entries: Sequence[CrampEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = {
            **entry.to_dict(),
            "started_at_utc": iso(entry.started_at),
            "logged_at_utc": iso(entry.logged_at),
            "local_time": entry.local_start.strftime("%Y-%m-%d %H:%M"),
            "symptoms": ";".join(entry.symptoms),
            "medicines": ";".join(entry.medicines),
            "red_flags": ";".join(entry.red_flags),
        }
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def summary_data(entries: Sequence[CrampEntry], start: datetime, end: datetime) -> dict[str, Any]:
    """The summary's figures as plain data (ids, not words)."""
    summary = summarize(entries, start, end)
    return {
        "count": summary.count,
        "nights": summary.nights,
        "cramps_per_week": round(summary.cramps_per_week, 2),
        "severity": {
            "mean": summary.severity_mean,
            "median": summary.severity_median,
            "max": summary.severity_max,
        },
        "duration_s": {
            "mean": summary.duration_mean_s,
            "median": summary.duration_median_s,
            "max": summary.duration_max_s,
        },
        "usual_hour": int(summary.hour.value) if summary.hour else None,
        "muscles": dict(summary.muscles),
        "sides": dict(summary.sides),
        "helped": dict(summary.helped),
        "triggers": dict(summary.triggers),
        "symptoms": dict(summary.symptoms),
        "medicines": dict(summary.medicines),
        "red_flags": [
            {"entry_id": e.id, "started_at": iso(e.started_at), "flags": list(f)}
            for e, f in summary.red_flags
        ],
        "per_week": [{"week_of": monday.isoformat(), "count": count} for monday, count in summary.per_week],
    }


def to_json(
    user_id: str,
    entries: Sequence[CrampEntry],
    practice: Sequence[PracticeSession],
    start: datetime,
    end: datetime,
    generated: datetime,
) -> str:
    document = {
        "user_id": user_id,
        "exported_at": iso(generated),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "summary": summary_data(entries, start, end),
        "entries": [entry.to_dict() for entry in entries],
        "practice": [session.to_dict() for session in practice],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_html(
    text: report.Text,
    entries: Sequence[CrampEntry],
    practice: Sequence[PracticeSession],
    start: datetime,
    end: datetime,
    generated: datetime,
) -> str:
    return report.html_report(text, entries, practice, start, end, generated)
