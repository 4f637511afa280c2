"""Red flags found while logging a cramp, and which kind of help each one calls for.

The rules are data (content guide, "Red flags"): each says what it looks for, how urgent it is,
whether exercises must stop, and its sources. This is the one table for the diary, for symptoms
mentioned anywhere in the conversation (``skill.safety``) and for the free-text screen
(``skill.safety.screen``); handlers only ask ``findings(...)`` and speak the result with
``skill.safety.messages.say_findings`` (level line first, then the reason). docs/safety.md has the
table in words.

Warmth on its own is not a red flag when the user just mentions it ("my calf is warm from the
stretch"): stretching, massage, a warm bed and the cramp itself all warm a calf. Warmth together
with soreness, tenderness, pain, swelling, redness, darker skin, throbbing or pain on bending the
foot up in one leg is the clot level (content guide: "one leg swollen, warm, red"; NHS DVT: "warm
skin around the painful area"), and so is warmth the user gives when asked directly (the diary's
"any swelling, warmth or redness?").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Most urgent first; a message list is sorted by this order.
LEVELS = ("emergency", "midwife_now", "urgent_today", "urgent_advice", "prescriber", "see_doctor", "mention")
LONG_CRAMP_S = 10 * 60  # "a cramp lasting more than 10 minutes" [C1, C2, C3]
# Signs of a possible clot in one leg [C13, C14, C15]. Pain that keeps getting worse in one leg is
# counted with them: NHS DVT lists "throbbing or cramping pain in 1 leg", and a cramp eases [C1].
CLOT_SIGNS = frozenset(
    {"SWELLING", "WARMTH", "REDNESS", "DARKER", "THROBBING", "PAIN_ON_FLEX", "INCREASING_PAIN"}
)
# Symptoms that, merely mentioned, count only next to a partner (see the module docstring).
WEAK_ALONE = frozenset({"WARMTH"})
# What makes volunteered warmth count: another clot sign, or soreness, tenderness or pain
# (``MUSCLE_ACHE``: "hot and sore", "warm and tender", "warm and painful").
WARMTH_PARTNERS = (CLOT_SIGNS - WEAK_ALONE) | {"MUSCLE_ACHE"}
# A stiff jaw (lockjaw) and trouble swallowing: the first signs of tetanus [C19].
TETANUS_SIGNS = frozenset({"LOCKJAW", "SWALLOWING"})


@dataclass(frozen=True)
class Rule:
    """One red flag: matches when any listed symptom, medicine or trigger is present, or the cramp is long."""

    id: str
    level: str
    symptoms: frozenset[str] = frozenset()
    medicines: frozenset[str] = frozenset()
    triggers: frozenset[str] = frozenset()
    longer_than_s: int | None = None
    # All of these must also be present (symptom, medicine or context such as ``PREGNANT``).
    requires: frozenset[str] = frozenset()
    one_leg_only: bool = False  # a clot shows in one leg; both legs swollen points elsewhere
    # Only while the length is unknown ("my cramp won't stop"); a known length is judged by
    # ``longer_than_s`` instead (five minutes is within the usual ten).
    duration_unknown: bool = False
    stops_exercise: bool = False  # no stretch or massage over it (it could mask or worsen it)
    sources: tuple[str, ...] = ()

    def matches(self, case: Case) -> bool:
        if self.one_leg_only and case.side == "BOTH":
            return False
        if not self.requires <= case.symptoms | case.medicines | case.context:
            return False
        if self.duration_unknown and case.seconds is not None:
            return False
        if self.longer_than_s is not None and case.seconds is not None and case.seconds > self.longer_than_s:
            return True
        return bool(
            self.symptoms & case.counted_symptoms
            or self.medicines & case.medicines
            or (case.trigger is not None and case.trigger in self.triggers)
        )


RULES: tuple[Rule, ...] = (
    Rule(
        # Breathlessness, chest pain or coughing blood: a clot may have reached the lungs. These are
        # emergency signs with or without a swollen leg [C14, C15].
        "emergency_signs",
        "emergency",
        symptoms=frozenset({"CHEST_PAIN", "BREATHLESS", "COUGHING_BLOOD"}),
        stops_exercise=True,
        sources=("C14", "C15"),
    ),
    Rule(
        # A stiff jaw (lockjaw) or trouble swallowing after a wound can be tetanus; NHS: "go
        # immediately to A&E or call 999 if you develop severe muscle stiffness or spasms" [C19].
        "tetanus_signs",
        "emergency",
        symptoms=TETANUS_SIGNS,
        requires=frozenset({"DIRTY_WOUND"}),
        stops_exercise=True,
        sources=("C19",),
    ),
    Rule(
        # Redness, swelling or increasing pain [C16]; any other sign of a clot in pregnancy is at
        # least as urgent (pregnancy raises the risk of a clot [C13]), so it is the midwife, now.
        "pregnancy_leg",
        "midwife_now",
        symptoms=CLOT_SIGNS,
        requires=frozenset({"PREGNANT"}),
        stops_exercise=True,
        sources=("C16", "C13"),
    ),
    Rule(
        "possible_clot",
        "urgent_today",
        symptoms=CLOT_SIGNS,
        one_leg_only=True,
        stops_exercise=True,
        sources=("C13", "C14", "C15"),
    ),
    Rule(
        "long_cramp",
        "urgent_advice",
        longer_than_s=LONG_CRAMP_S,
        stops_exercise=True,
        sources=("C1", "C2", "C3"),
    ),
    Rule(
        # "My cramp won't stop" with no length said: it may be past ten minutes, so the advice comes
        # first, said conditionally; coaching is not held back (it may have just started) [C1, C2, C3].
        "cramp_not_easing",
        "urgent_advice",
        symptoms=frozenset({"LONG_CRAMP"}),
        duration_unknown=True,
        sources=("C1", "C2", "C3"),
    ),
    Rule("dark_urine", "urgent_advice", symptoms=frozenset({"DARK_URINE"}), sources=("C11", "C12")),
    Rule(
        # Cramps after lead or mercury, or after a dirty wound (NHS: see a GP or a minor injuries
        # unit about a deep or dirty wound, above all if not fully vaccinated against tetanus) [C19].
        "exposure",
        "urgent_advice",
        symptoms=frozenset({"DIRTY_WOUND", "TOXIN"}),
        sources=("C1", "C5", "C19"),
    ),
    Rule(
        # The same signs with no wound said: a stiff jaw has commoner causes, but with cramps it
        # needs checking soon (tetanus symptoms can start 4 to 21 days after a small wound) [C19].
        "stiff_jaw",
        "urgent_advice",
        symptoms=TETANUS_SIGNS,
        stops_exercise=True,
        sources=("C19",),
    ),
    Rule("statin_muscle", "prescriber", medicines=frozenset({"STATIN"}), sources=("C11", "C12")),
    Rule(
        "see_doctor",
        "see_doctor",
        # Warmth is not here: both legs warm (a walk, a warm bed) is no sign of anything.
        symptoms=frozenset({"WEAKNESS", "NUMBNESS", "WASTING", "SWELLING", "REDNESS", "INCREASING_PAIN"}),
        sources=("C1", "C3", "C5"),
    ),
    Rule(
        "frequent_cramps",
        "see_doctor",
        symptoms=frozenset({"FREQUENT", "SLEEP_DISTURBED"}),
        sources=("C1", "C2", "C5"),
    ),
    Rule(
        "medicine_mention",
        "mention",
        medicines=frozenset({"DIURETIC"}),
        triggers=frozenset({"NEW_MEDICINE"}),
        sources=("C4", "C7"),
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}


@dataclass(frozen=True)
class Case:
    """What the user logged or said that red flags look at; ``seconds`` is the duration (or time so far).

    ``context`` holds facts about the person (``PREGNANT``); ``asked`` is False when the symptoms
    were volunteered in conversation rather than answered to a direct question.
    """

    symptoms: frozenset[str] = frozenset()
    medicines: frozenset[str] = frozenset()
    trigger: str | None = None
    side: str | None = None
    seconds: int | None = None
    context: frozenset[str] = frozenset()
    asked: bool = True

    @property
    def counted_symptoms(self) -> frozenset[str]:
        """The symptoms rules look at: a weak sign merely mentioned needs a partner beside it."""
        if self.asked or self.symptoms & WARMTH_PARTNERS:
            return self.symptoms
        return self.symptoms - WEAK_ALONE

    @classmethod
    def of(
        cls,
        symptoms: Iterable[str] = (),
        medicines: Iterable[str] = (),
        trigger: str | None = None,
        side: str | None = None,
        seconds: int | None = None,
        context: Iterable[str] = (),
        asked: bool = True,
    ) -> Case:
        return cls(
            frozenset(symptoms), frozenset(medicines), trigger, side, seconds, frozenset(context), asked
        )


@dataclass(frozen=True)
class Findings:
    """Every rule that matched (stored on the entry) and the ones worth saying, most urgent first."""

    matched: tuple[Rule, ...]
    to_say: tuple[Rule, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.matched)

    @property
    def stops_exercise(self) -> bool:
        return any(rule.stops_exercise for rule in self.matched)

    def __bool__(self) -> bool:
        return bool(self.matched)


def findings(case: Case, max_messages: int = 2) -> Findings:
    """The red flags of a case; a rule whose symptoms a more urgent one already covers is not repeated."""
    matched = tuple(sorted((r for r in RULES if r.matches(case)), key=lambda r: LEVELS.index(r.level)))
    to_say: list[Rule] = []
    covered: set[str] = set()
    for rule in matched:
        own = rule.symptoms & case.counted_symptoms
        other_reasons = (
            (rule.medicines & case.medicines)
            or (case.trigger in rule.triggers)
            or (
                rule.longer_than_s is not None
                and case.seconds is not None
                and case.seconds > rule.longer_than_s
            )
        )
        if own and own <= covered and not other_reasons:
            continue
        covered |= own
        to_say.append(rule)
    return Findings(matched, tuple(to_say[:max_messages]))
