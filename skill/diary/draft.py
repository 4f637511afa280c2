"""A cramp being logged, turn by turn: what is known, what was asked, and what to ask next.

The draft lives in session attributes between turns (so a dialog interrupted by help, a "yes" or a
failed save carries on where it was). It is saved as a ``CrampEntry`` as soon as its muscle is known
(``saved_at``) and every later answer updates that entry, so nothing told is lost when the user
stops, asks something else or falls asleep. Only the muscle is required; the side and severity are
asked once each, then the details; "skip" moves on and "that's all" ends it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from skill.diary.model import CrampEntry, iso, new_id, parse_iso

# The order questions are asked in; "when" stands for the date and time slots together.
ORDER = ("muscle", "side", "severity", "when", "duration", "helped", "trigger", "symptom", "medicine")
REQUIRED = frozenset({"muscle"})
# Asked after the entry is saved: "that's all" or "no" ends them.
DETAILS = frozenset({"when", "duration", "helped", "trigger", "symptom", "medicine"})


@dataclass
class Draft:
    """What the user has told so far about one cramp (ids, not spoken words)."""

    id: str = field(default_factory=new_id)
    muscle: str | None = None
    side: str | None = None
    at: str | None = None  # UTC ISO text; None means "now" when saved
    exact: bool = True
    severity: int | None = None
    duration_s: int | None = None
    still_going: bool = False
    helped: str | None = None
    trigger: str | None = None
    symptoms: list[str] = field(default_factory=list)
    symptoms_answered: bool = False
    medicines: list[str] = field(default_factory=list)
    medicines_answered: bool = False
    asked: list[str] = field(default_factory=list)
    eliciting: str | None = None
    source: str = "voice"
    timer: bool = False  # started from a timed cramp (persistent ``open_cramp``), cleared when saved
    saved_at: str | None = None  # UTC ISO text: the entry ``id`` is in the diary since then
    retried: list[str] = field(default_factory=list)  # questions re-asked once after an unclear answer
    flags_told: list[str] = field(default_factory=list)  # red flags already said for this entry
    told: str | None = None  # what the last confirmation said (``summary``), so it is not repeated

    def known(self, slot: str) -> bool:
        """True when the slot has an answer (including "still going", "none" and "no")."""
        if slot == "when":
            return self.at is not None
        if slot == "duration":
            return self.duration_s is not None or self.still_going
        if slot == "symptom":
            return self.symptoms_answered or bool(self.symptoms)
        if slot == "medicine":
            return self.medicines_answered or bool(self.medicines)
        return getattr(self, slot) is not None

    def mark_asked(self, slot: str) -> None:
        if slot not in self.asked:
            self.asked.append(slot)

    def skip(self, slot: str | None) -> None:
        """ "Skip" or "I don't know" for the question being asked (required questions stay)."""
        if slot and slot not in REQUIRED:
            self.mark_asked(slot)

    def finish(self) -> None:
        """ "That's all": no more optional questions."""
        for slot in ORDER:
            if slot not in REQUIRED:
                self.mark_asked(slot)

    def next_slot(self, ask_medicine: bool = True) -> str | None:
        """The next question, or None when the entry can be saved."""
        for slot in ORDER:
            if self.known(slot):
                continue
            if slot in REQUIRED:
                return slot
            if slot in self.asked or (slot == "medicine" and not ask_medicine):
                continue
            return slot
        return None

    def summary(self) -> str:
        """The fields a confirmation speaks, as one comparable text."""
        return repr((self.muscle, self.side, self.severity, self.at, self.duration_s, self.still_going))

    def started_at(self, now: datetime) -> datetime:
        if self.at:
            return parse_iso(self.at)
        return parse_iso(self.saved_at) if self.saved_at else now  # "just now": when first saved

    def set_when(self, moment: datetime, exact: bool) -> None:
        self.at, self.exact = iso(moment), exact

    def to_entry(
        self, user_id: str, now: datetime, time_zone: str, medicines: list[str] | None = None
    ) -> CrampEntry:
        """The entry to store; ``medicines`` are the ones the user told us earlier (kept in the profile)."""
        if self.muscle is None:
            raise ValueError("a cramp needs a muscle")
        return CrampEntry(
            user_id=user_id,
            id=self.id,
            started_at=self.started_at(now),
            logged_at=parse_iso(self.saved_at) if self.saved_at else now,
            muscle=self.muscle,
            side=self.side,
            severity=self.severity,
            duration_s=None if self.still_going else self.duration_s,
            still_going=self.still_going,
            helped=self.helped,
            trigger=self.trigger,
            symptoms=tuple(s for s in self.symptoms if s != "NONE"),
            medicines=tuple(m for m in [*(medicines or []), *self.medicines] if m != "NONE"),
            source=self.source,
            time_zone=time_zone,
            time_exact=self.exact if self.at else True,
        )

    @classmethod
    def from_entry(cls, entry: CrampEntry) -> Draft:
        """A draft holding a stored entry, so a correction goes through the same checks as logging."""
        return cls(
            id=entry.id,
            muscle=entry.muscle,
            side=entry.side,
            at=iso(entry.started_at),
            exact=entry.time_exact,
            severity=entry.severity,
            duration_s=entry.duration_s,
            still_going=entry.still_going,
            helped=entry.helped,
            trigger=entry.trigger,
            symptoms=list(entry.symptoms),
            symptoms_answered=True,
            medicines=list(entry.medicines),
            medicines_answered=True,
            source=entry.source,
        )

    def to_session(self) -> dict[str, Any]:
        """Compact session data: defaults are left out to keep session attributes small."""
        defaults = asdict(Draft(id=""))
        return {k: v for k, v in asdict(self).items() if k == "id" or v != defaults[k]}

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> Draft:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
