"""Which script each slot value starts, for the technique handlers and "the usual" (preferences).

The table is data: each script lists the slot values that choose it in its ``chosen_by`` field
(``docs/scripts.md``), so adding a script that a slot value names is a new script file plus the value
in the interaction model's slot type. The table is built from the loaded scripts on first use.
"""

from __future__ import annotations

from collections.abc import Mapping

from skill.engine.script import chosen_scripts


def table(slot: str) -> Mapping[str, str]:
    """Slot value id -> script id for one slot (one of ``skill.engine.script.CHOICE_SLOTS``)."""
    return chosen_scripts()[slot]


def script_for(slot: str, value: str | None) -> str | None:
    """The script a slot value starts (``script_for("muscle", "TOES") == "cramp-now-foot"``), or None."""
    return table(slot).get(value) if value else None


def everyday(technique: str) -> str:
    """The script a technique named without details starts ("a stretch": the bedtime stretch)."""
    script = script_for("technique", technique)
    if script is None:
        raise LookupError(f"no script is chosen_by technique {technique!r}")
    return script
