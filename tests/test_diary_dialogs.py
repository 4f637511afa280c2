"""The realistic-dialog table of issue 14: people logging a cramp, through the real skill.

Every dialog in ``tests/data/diary_dialogs.yaml`` is typed into a ``cramp-coach chat`` session
(the interaction model's resolver, real request envelopes, the dialog directives honoured as on a
device) against the skill on a SQLite file, with a fixed clock in the locale's time zone. After
each line the diary is read: the turn at which the cramp first appears is its turns-to-save; a
cramp the user told of that is not in the diary when the dialog is over is lost.

``test_dialog`` asserts one dialog: stored right, within its ``max_turns``, nothing else touched.
The dialogs the current skill fails carry ``xfail`` with the reason (strict: a dialog that starts
passing must lose its mark). ``test_dialog_table`` prints the table (``pytest -s``) and holds the
figures to their recorded baseline, so no change can lose more entries or take more turns.
"""

from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import isodate
import pytest
import yaml

from skill.alexa import timezone
from skill.builder import build_skill
from skill.config import Settings
from skill.diary.model import CrampEntry
from skill.lambda_function import handler_for
from skill.localchat.resolver import Resolver
from skill.localchat.session import ChatSession
from skill.services import build_services
from tests.conversation import checked
from tests.dynamodb import DUMMY_CREDENTIALS, REGION, create_table

DIALOGS = yaml.safe_load((Path(__file__).parent / "data" / "diary_dialogs.yaml").read_text())["dialogs"]
DAY = datetime(2026, 11, 25).date()  # a Wednesday
JUST_NOW = timedelta(minutes=15)
# The figures of the skill as it is: never worse than these. Before issue 14's phase 2: 0 of 46
# passed, 41 of 44 cramps lost, median 8 turns; after it: 40 of 46 pass, none lost, median 2.
BASELINE_LOST = 0
BASELINE_MEDIAN_TURNS = 2.0
# Questions a person answers beyond what they meant to say, before falling silent (half asleep).
PATIENCE = 3
UNASKED = {"helped": "nothing", "trigger": "no idea", "symptom": "no", "medicine": "no", "side": "skip"}


@dataclass
class Outcome:
    """What happened in one dialog."""

    dialog: dict[str, Any]
    turns: int = 0  # lines the user said
    saved_at: int | None = None  # the turn after which the cramp was first in the diary
    stored: list[CrampEntry] = field(default_factory=list)  # new entries at the end
    seed_kept: bool = True
    problems: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)

    @property
    def expected(self) -> dict[str, Any] | None:
        expect: dict[str, Any] | None = self.dialog["expect"]
        return expect

    @property
    def lost(self) -> bool:
        return self.expected is not None and not any(e.muscle == self.expected["muscle"] for e in self.stored)

    @property
    def passed(self) -> bool:
        return not self.problems


def zone_of(locale: str) -> ZoneInfo:
    return ZoneInfo(timezone.LOCALE_ZONES[locale])


def local_moment(text: str, now: datetime) -> datetime:
    day, clock = text.split() if " " in text else (str(DAY.day), text)
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(DAY.replace(day=int(day)), time(hour, minute), tzinfo=now.tzinfo)


def at_matches(want: str, entry: CrampEntry, now: datetime) -> bool:
    """``want`` is "now", "night", "HH:MM", "24 HH:MM" or a window "HH:MM-HH:MM" (local)."""
    moment = entry.started_at.astimezone(now.tzinfo)
    if want == "now":
        return abs(now - moment) <= JUST_NOW
    if want == "night":  # the night just gone: 6 pm yesterday to 8 am today
        evening = datetime.combine(DAY - timedelta(days=1), time(18), tzinfo=now.tzinfo)
        return evening <= moment < evening + timedelta(hours=14)
    if "-" in want:
        low, high = (local_moment(part, now) for part in want.split("-"))
        return low <= moment <= high
    return moment == local_moment(want, now) and entry.time_exact


def entry_problems(expect: dict[str, Any], entry: CrampEntry, now: datetime) -> list[str]:
    problems = []
    for name in ("muscle", "side", "severity", "still_going"):
        if name in expect and getattr(entry, name) != expect[name]:
            problems.append(f"{name} {getattr(entry, name)!r}, not {expect[name]!r}")
    if "duration_s" in expect:
        tolerance = expect.get("duration_tolerance", 0)
        if entry.duration_s is None or abs(entry.duration_s - expect["duration_s"]) > tolerance:
            problems.append(f"duration {entry.duration_s!r} s, not {expect['duration_s']} s")
    if "at" in expect and not at_matches(expect["at"], entry, now):
        problems.append(f"at {entry.started_at.astimezone(now.tzinfo):%d %H:%M}, not {expect['at']}")
    return problems


class Runner:
    """One skill on one SQLite file; each dialog is a new user with its own clock and zone."""

    def __init__(self, settings: Settings) -> None:
        self.services = build_services(settings)
        self.now = datetime(2026, 11, 25, tzinfo=UTC)
        self.services.clock = lambda: self.now
        handler = handler_for(build_skill(settings, self.services))
        self.invoke = checked(lambda envelope: handler(envelope, None))

    def run(self, dialog: dict[str, Any]) -> Outcome:
        locale, outcome = dialog["locale"], Outcome(dialog)
        timezone.clear_cache()  # one device for every dialog, each in its locale's zone
        zone = zone_of(locale)
        start = datetime.combine(DAY, time.fromisoformat(dialog["now"]), tzinfo=zone)
        self.now = start.astimezone(UTC)
        user = f"amzn1.ask.account.DIALOG-{dialog['id']}"
        diary = self.services.diary
        seeds = [
            CrampEntry(
                user,
                local_moment(seed["at"], start),
                muscle=seed["muscle"],
                side=seed.get("side"),
                severity=seed["severity"],
                time_zone=str(zone),
                logged_at=start - timedelta(hours=1),
            )
            for seed in dialog.get("seed") or []
        ]
        for seed in seeds:
            diary.add(seed)
        seed_ids = {seed.id for seed in seeds}
        resolver = Resolver.for_locale(locale, today=DAY)
        session = ChatSession(resolver, self.invoke, locale=locale, user_id=user)
        expect = dialog["expect"]

        def new_entries() -> list[CrampEntry]:
            return [e for e in diary.entries(user) if e.id not in seed_ids]

        pending: list[str | dict[str, str]] = list(dialog["turns"])
        patience = PATIENCE
        while True:
            asked = (
                session.dialog.slot
                if session.open and session.dialog and session.dialog.expect == "elicit"
                else None
            )
            line, pending, patience = next_line(pending, asked, session.open, patience, dialog)
            if line is None:
                break
            if line.startswith("/wait"):
                self.now += isodate.parse_duration("PT" + line.split()[1].upper())
                continue
            if line in ("/silence", "/new"):
                session.end("EXCEEDED_MAX_REPROMPTS" if line == "/silence" else "USER_INITIATED")
                outcome.transcript.append(f"  ({line[1:]})")
                continue
            outcome.turns += 1
            outcome.transcript.append(f"> {line}")
            for turn in session.handle(line):
                said = turn.prompt or _speech(turn.response)
                outcome.transcript.append(f"  {said}" + ("  (session ended)" if turn.ended else ""))
            if (
                expect is not None
                and outcome.saved_at is None
                and any(e.muscle == expect["muscle"] for e in new_entries())
            ):
                outcome.saved_at = outcome.turns
        if session.open:
            session.end("EXCEEDED_MAX_REPROMPTS")  # the lines ran out: back to sleep
        outcome.stored = new_entries()
        outcome.seed_kept = {e.id for e in diary.entries(user)} >= seed_ids
        outcome.problems = judge(outcome, start)
        return outcome


def unasked_answer(slot: str, dialog: dict[str, Any]) -> str:
    """What this person says to a question their script has no answer for."""
    if slot == "when":
        at = (dialog["expect"] or {}).get("at")
        return "last night" if at == "night" else "just now"
    return UNASKED.get(slot, "I don't know")


def next_line(
    pending: list[str | dict[str, str]], asked: str | None, open_: bool, patience: int, dialog: dict[str, Any]
) -> tuple[str | None, list[str | dict[str, str]], int]:
    """The person's next line: an interjection in its place, else the answer to the question asked.

    Lines in the script are said in order, except answers (``{slot: words}``), which wait for their
    question; a question the script has no answer for gets a plain answer (``unasked_answer``) up to
    ``PATIENCE`` times, then silence. Once the session is over, unasked answers are not said.
    """
    if pending and isinstance(pending[0], str):
        return pending[0], pending[1:], patience
    if asked is not None:
        for index, item in enumerate(pending):
            if isinstance(item, dict) and asked in item:
                return item[asked], pending[:index] + pending[index + 1 :], patience
        if patience > 0:
            return unasked_answer(asked, dialog), pending, patience - 1
        return None, pending, patience
    if pending and open_:
        item = pending[0]
        assert isinstance(item, dict)
        return next(iter(item.values())), pending[1:], patience
    rest: list[str | dict[str, str]] = [item for item in pending if isinstance(item, str)]
    if not rest:
        return None, [], patience
    first = rest[0]
    assert isinstance(first, str)
    return first, rest[1:], patience


def _speech(response: dict[str, Any] | None) -> str:
    from skill.speech import ssml

    speech = ((response or {}).get("response") or {}).get("outputSpeech") or {}
    return ssml.to_text(speech.get("ssml", "")) if speech.get("ssml") else ""


def judge(outcome: Outcome, now: datetime) -> list[str]:
    dialog, expect = outcome.dialog, outcome.expected
    problems = [] if outcome.seed_kept else ["an earlier entry was deleted"]
    if expect is None:
        if outcome.stored:
            problems.append(f"{len(outcome.stored)} entry stored, but the log was undone")
        return problems
    matching = [e for e in outcome.stored if e.muscle == expect["muscle"]]
    if not matching:
        return [*problems, "LOST: the cramp is not in the diary"]
    if len(outcome.stored) > 1:
        problems.append(f"{len(outcome.stored)} entries stored for one cramp")
    problems += entry_problems(expect, matching[-1], now)
    if outcome.saved_at is not None and outcome.saved_at > dialog["max_turns"]:
        problems.append(f"stored after {outcome.saved_at} turns, a good dialog needs {dialog['max_turns']}")
    return problems


def store_settings(store: str, tmp: Path, patch: pytest.MonkeyPatch, endpoint: str | None) -> Settings:
    if store == "sqlite":
        return Settings(verify=False, storage="sqlite", db_path=tmp / "dialogs.db", audio_dir=tmp / "audio")
    assert endpoint is not None
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        patch.delenv(name, raising=False)
    patch.setenv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS["aws_access_key_id"])
    patch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS["aws_secret_access_key"])
    patch.setenv("AWS_DEFAULT_REGION", REGION)
    patch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    name = f"cramp-coach-dialogs-{uuid.uuid4().hex[:8]}"
    create_table(endpoint, name)
    return Settings(
        verify=False, storage="dynamodb", table_name=name, dynamodb_endpoint=endpoint, audio_dir=tmp / "audio"
    )


@pytest.fixture(scope="module", params=["sqlite", "dynamodb"])
def outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every dialog, run once through one skill, on each persistent store (DynamoDB: moto's server)."""
    endpoint = request.getfixturevalue("moto_endpoint") if request.param == "dynamodb" else None
    with pytest.MonkeyPatch.context() as patch:
        settings = store_settings(request.param, tmp_path_factory.mktemp("dialogs"), patch, endpoint)
        timezone.clear_cache()
        patch.setattr(
            timezone,
            "fetch_zone",
            lambda handler_input: timezone.LOCALE_ZONES[handler_input.request_envelope.request.locale],
        )
        runner = Runner(settings)
        results = {dialog["id"]: runner.run(dialog) for dialog in DIALOGS}
        timezone.clear_cache()
    return results


def _param(dialog: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(reason=dialog["xfail"], strict=True)] if dialog.get("xfail") else []
    return pytest.param(dialog["id"], id=dialog["id"], marks=marks)


@pytest.mark.parametrize("dialog_id", [_param(d) for d in DIALOGS])
def test_dialog(outcomes: dict[str, Outcome], dialog_id: str) -> None:
    outcome = outcomes[dialog_id]
    assert outcome.passed, "; ".join(outcome.problems) + "\n" + "\n".join(outcome.transcript)


def figures(results: list[Outcome]) -> tuple[int, float | None]:
    """Lost entries, and the median turns until the cramp was stored (over the dialogs that stored it)."""
    lost = sum(outcome.lost for outcome in results)
    turns = [o.saved_at for o in results if o.saved_at is not None and o.expected is not None]
    return lost, statistics.median(turns) if turns else None


def test_dialog_table(outcomes: dict[str, Outcome]) -> None:
    results = list(outcomes.values())
    assert len(results) >= 40
    assert {d["locale"] for d in DIALOGS} == {"en-US", "en-GB", "en-AU", "en-IN", "en-CA"}
    lines = [f"{'dialog':34} {'locale':6} {'style':12} {'saved at':>8} {'max':>3}  result"]
    for outcome in results:
        dialog = outcome.dialog
        saved = "-" if outcome.expected is None else "LOST" if outcome.lost else str(outcome.saved_at)
        verdict = "ok" if outcome.passed else outcome.problems[0]
        where = f"{dialog['id']:34} {dialog['locale']:6} {dialog['style']:12}"
        lines.append(f"{where} {saved:>8} {dialog['max_turns']:>3}  {verdict}")
    lost, median = figures(results)
    passed = sum(outcome.passed for outcome in results)
    lines.append(
        f"{len(results)} dialogs, {passed} pass; median turns to store a cramp {median}; lost entries {lost}"
    )
    print("\n" + "\n".join(lines))
    assert lost <= BASELINE_LOST
    assert median is not None and median <= BASELINE_MEDIAN_TURNS
    # The marks follow the results: every failing dialog says why, and only those.
    assert {o.dialog["id"] for o in results if not o.passed} == {d["id"] for d in DIALOGS if d.get("xfail")}
