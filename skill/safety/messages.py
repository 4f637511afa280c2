"""How red flags and symptom notes are spoken: the help to seek first, then the reason.

Phrases: ``safety.level.<level>`` (what to do; the locale's numbers live in per-locale overrides,
``responses/en-GB/phrases/safety.json`` and so on) and ``safety.redflag.<rule id>`` (why, and what
not to do). A level line is said once even when two messages share it.
"""

from __future__ import annotations

from skill.safety.detect import Report
from skill.safety.redflags import Findings
from skill.speech.reply import Speech


def say_findings(said: Speech, findings: Findings) -> Speech:
    """Append the red-flag messages, most urgent first, each level's line before its reason."""
    levels_said: set[str] = set()
    for rule in findings.to_say:
        if rule.level not in levels_said:
            said.say(f"safety.level.{rule.level}")
            levels_said.add(rule.level)
        said.say(f"safety.redflag.{rule.id}")
    return said


def note_key(report: Report) -> str:
    """The calm reply for a report that raised no red flag."""
    if report.case.seconds is not None:
        return "safety.note.cramp_short"
    if report.explained_warmth:
        return "safety.note.warmth"
    if report.soreness:
        return "safety.note.soreness"
    return "safety.note.unknown"
