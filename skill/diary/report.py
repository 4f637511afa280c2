"""The doctor-ready summary: as plain text (an Alexa app card) and as a one-page HTML report.

Words come from the phrase catalog through ``Text`` (a ``text(key, **fields)`` function), so the
report reads in the user's language like the rest of the skill; every value is escaped in HTML.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from skill.diary.dates import clock
from skill.diary.model import CrampEntry, PracticeSession
from skill.diary.stats import Summary, summarize
from skill.safety import redflags

Text = Callable[..., str]
NONE = "-"  # an empty figure


def label(text: Text, kind: str, value: str) -> str:
    """The words for a stored id; an id the catalog does not know (say, from a newer version) as itself."""
    try:
        return text(f"diary.label.{kind}.{value.lower()}")
    except LookupError:
        return value.lower().replace("_", " ")


def minutes(seconds: float | None) -> str:
    """Durations for reading: "45 s", "3 min 10 s", "12 min", "1 h 5 min"."""
    if seconds is None:
        return NONE
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 600:
        whole, rest = divmod(seconds, 60)
        return f"{whole} min {rest} s" if rest else f"{whole} min"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    hours, rest = divmod(round(seconds / 60), 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def one_decimal(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}".removesuffix(".0")


def day(moment: datetime) -> str:
    return f"{moment:%d %b %Y}".lstrip("0")


def period_line(text: Text, start: datetime, end: datetime) -> str:
    days = max(round((end - start).total_seconds() / 86400), 1)
    return text("diary.report.period", start=day(start), end=day(end - timedelta(seconds=1)), days=days)


def _place(text: Text, entry: CrampEntry) -> str:
    """ "left calf", "both calves", "foot"."""
    if entry.side == "BOTH":
        return text("diary.report.both", muscles=label(text, "muscles", entry.muscle))
    muscle = label(text, "muscle", entry.muscle)
    return f"{label(text, 'side', entry.side)} {muscle}" if entry.side else muscle


def _places(text: Text, entries: Sequence[CrampEntry]) -> list[tuple[str, int]]:
    return Counter(_place(text, entry) for entry in entries).most_common()


def _listing(pairs: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {count}" for name, count in pairs) or NONE


def _flag_lines(text: Text, summary: Summary) -> list[str]:
    lines = []
    for entry, flags in summary.red_flags:
        names = ", ".join(text(f"diary.report.flag.{flag}") for flag in flags if flag in redflags.RULES_BY_ID)
        symptoms = ", ".join(label(text, "symptom", s) for s in entry.symptoms)
        detail = f"{names} ({symptoms})" if symptoms else names
        lines.append(f"{day(entry.local_start)}: {detail}")
    return lines


def text_summary(text: Text, summary: Summary, start: datetime, end: datetime) -> str:
    """A short plain-text summary for a card in the Alexa app (cards take plain text only)."""
    lines = [
        period_line(text, start, end),
        text(
            "diary.report.cramps",
            count=summary.count,
            nights=summary.nights,
            per_week=one_decimal(summary.cramps_per_week),
        ),
        text(
            "diary.report.severity",
            mean=one_decimal(summary.severity_mean),
            highest=summary.severity_max if summary.severity_max is not None else NONE,
        ),
        text(
            "diary.report.duration",
            mean=minutes(summary.duration_mean_s),
            longest=minutes(summary.duration_max_s),
        ),
        text(
            "diary.report.muscles",
            places=_listing([(label(text, "muscle", m), c) for m, c in summary.muscles]),
        ),
    ]
    if summary.hour:
        lines.append(
            text("diary.report.usual_time", time=clock(datetime(2000, 1, 1, int(summary.hour.value))))
        )
    if summary.helped:
        lines.append(
            text(
                "diary.report.helped",
                items=_listing([(label(text, "helped", h), c) for h, c in summary.helped]),
            )
        )
    if summary.triggers:
        lines.append(
            text(
                "diary.report.triggers",
                items=_listing([(label(text, "trigger", t), c) for t, c in summary.triggers]),
            )
        )
    if summary.symptoms:
        lines.append(
            text(
                "diary.report.symptoms",
                items=_listing([(label(text, "symptom", s), c) for s, c in summary.symptoms]),
            )
        )
    if summary.medicines:
        lines.append(
            text(
                "diary.report.medicines",
                items=", ".join(label(text, "medicine", m) for m, _ in summary.medicines),
            )
        )
    flags = _flag_lines(text, summary)
    if flags:
        lines.append(text("diary.report.red_flags_heading"))
        lines.extend(f"- {line}" for line in flags)
    lines.append(text("diary.report.disclaimer"))
    return "\n".join(lines)


_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 48em; color: #111; }
h1 { font-size: 1.4em; margin-bottom: 0; }
h2 { font-size: 1.1em; margin: 1.2em 0 0.3em; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
.flag { color: #a00; font-weight: bold; }
.muted { color: #555; }
.bar span { display: inline-block; background: #4a78a8; height: 0.8em; }
@media print { body { margin: 0; } .appendix { page-break-before: always; } }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _row(cells: Sequence[object], *, header: bool = False, css: str = "") -> str:
    tag = "th" if header else "td"
    attribute = f' class="{css}"' if css else ""
    return f"<tr{attribute}>" + "".join(f"<{tag}>{_e(cell)}</{tag}>" for cell in cells) + "</tr>"


def _labelled(text: Text, kind: str, pairs: Sequence[tuple[str, int]]) -> str:
    return _listing([(label(text, kind, value), count) for value, count in pairs])


def _time_bands(text: Text, entries: Sequence[CrampEntry]) -> list[tuple[str, int]]:
    """Cramps by part of the night (exact times only), in the order of the night."""
    bands = [("evening", 18, 24), ("early_night", 0, 3), ("late_night", 3, 6), ("day", 6, 18)]
    counts = dict.fromkeys((name for name, _, _ in bands), 0)
    for entry in entries:
        if entry.time_exact:
            hour = entry.local_start.hour
            counts[next(name for name, low, high in bands if low <= hour < high)] += 1
    return [(text(f"diary.report.band.{name}"), count) for name, count in counts.items() if count]


def _entry_cells(text: Text, entry: CrampEntry) -> list[str]:
    local = entry.local_start
    when = (
        f"{day(local)} {clock(local)}"
        if entry.time_exact
        else f"{day(local)} ({text('diary.report.time_unknown')})"
    )
    notes = [
        label(text, kind, value)
        for kind, value in (("helped", entry.helped), ("trigger", entry.trigger))
        if value
    ]
    notes += [label(text, "symptom", symptom) for symptom in entry.symptoms]
    length = text("diary.report.still_open") if entry.is_open else minutes(entry.duration_s)
    return [when, _place(text, entry), str(entry.severity), length, "; ".join(notes)]


def html_report(
    text: Text,
    entries: Sequence[CrampEntry],
    practice: Sequence[PracticeSession],
    start: datetime,
    end: datetime,
    generated: datetime,
) -> str:
    """A one-page summary a doctor can read at a glance, with every entry in an appendix."""
    summary = summarize(entries, start, end)
    t = text
    facts = [
        (
            t("diary.report.h_cramps"),
            t(
                "diary.report.cramps_value",
                count=summary.count,
                nights=summary.nights,
                per_week=one_decimal(summary.cramps_per_week),
            ),
        ),
        (
            t("diary.report.h_severity"),
            t(
                "diary.report.severity_value",
                mean=one_decimal(summary.severity_mean),
                median=one_decimal(summary.severity_median),
                highest=NONE if summary.severity_max is None else summary.severity_max,
            ),
        ),
        (
            t("diary.report.h_duration"),
            t(
                "diary.report.duration_value",
                mean=minutes(summary.duration_mean_s),
                median=minutes(summary.duration_median_s),
                longest=minutes(summary.duration_max_s),
            ),
        ),
        (t("diary.report.h_places"), _listing(_places(text, entries))),
        (t("diary.report.h_times"), _listing(_time_bands(text, entries))),
        (t("diary.report.h_helped"), _labelled(text, "helped", summary.helped)),
        (t("diary.report.h_triggers"), _labelled(text, "trigger", summary.triggers)),
        (t("diary.report.h_symptoms"), _labelled(text, "symptom", summary.symptoms)),
        (
            t("diary.report.h_medicines"),
            ", ".join(label(text, "medicine", m) for m, _ in summary.medicines) or NONE,
        ),
    ]
    if practice:
        techniques = Counter(session.technique.replace("-", " ").replace("_", " ") for session in practice)
        facts.append((t("diary.report.h_practice"), _listing(techniques.most_common())))
    peak = max((count for _, count in summary.per_week), default=0) or 1
    weeks = "".join(
        f"<tr><td>{_e(day(datetime.combine(monday, datetime.min.time())))}</td><td>{count}</td>"
        f'<td class="bar"><span style="width:{round(12 * count / peak, 1)}em"></span></td></tr>'
        for monday, count in summary.per_week
    )
    flags = _flag_lines(text, summary)
    flags_html = (
        "<ul>" + "".join(f'<li class="flag">{_e(line)}</li>' for line in flags) + "</ul>"
        if flags
        else f'<p class="muted">{_e(t("diary.report.no_red_flags"))}</p>'
    )
    entry_header = [
        t(f"diary.report.h_{name}") for name in ("when", "where", "severity_short", "length", "notes")
    ]
    entry_rows = "\n".join(
        _row(_entry_cells(text, entry), css="flag" if entry.red_flags else "") for entry in entries
    )
    subtitle = f"{period_line(text, start, end)} · {t('diary.report.generated', when=day(generated))}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{_e(t('diary.report.title'))}</title><style>{_CSS}</style></head><body>",
            f"<h1>{_e(t('diary.report.title'))}</h1>",
            f'<p class="muted">{_e(subtitle)}</p>',
            f"<h2>{_e(t('diary.report.h_summary'))}</h2>",
            "<table>"
            + "".join(f"<tr><th>{_e(name)}</th><td>{_e(value)}</td></tr>" for name, value in facts)
            + "</table>",
            f"<h2>{_e(t('diary.report.h_weeks'))}</h2>",
            '<table class="bars">'
            + _row([t("diary.report.h_week_of"), t("diary.report.h_count"), ""], header=True)
            + weeks
            + "</table>",
            f"<h2>{_e(t('diary.report.h_red_flags'))}</h2>",
            flags_html,
            f'<p class="muted">{_e(t("diary.report.disclaimer"))}</p>',
            '<div class="appendix">',
            f"<h2>{_e(t('diary.report.h_entries'))}</h2>",
            "<table>" + _row(entry_header, header=True),
            entry_rows,
            "</table></div>",
            "</body></html>",
            "",
        ]
    )
