"""Request bodies and database seeds for the feature scenarios of the load benchmarks.

Used by ``bench/run_web.py`` (SCENARIOS) and ``bench/soak.py``. Envelopes point Alexa API calls
(the device time zone) at a closed local port, so a benchmark never sends a request to Amazon and
never waits on DNS; the skill then uses the locale's usual zone, as it would if the API failed.
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from skill.builder import build_skill
from skill.config import Settings
from skill.diary.model import CrampEntry
from skill.lambda_function import handler_for
from skill.services import build_services
from tests import envelopes
from tests.conversation import Conversation
from tests.envelopes import Slot

NO_API = "https://127.0.0.1:9"
DIARY_ENTRIES = 10_000
DIARY_DAYS = 365


def technique_segment() -> dict[str, Any]:
    """ "Continue" in the middle of progressive muscle relaxation: the skill renders the next segment.

    The session state comes from the skill itself (a real start of the technique, in process), so
    the scenario follows whatever the technique engine keeps in the session.
    """
    with tempfile.TemporaryDirectory(prefix="cramp-bench-") as scratch:
        settings = Settings(verify=False, storage="sqlite", db_path=Path(scratch) / "seed.db")
        handler = handler_for(build_skill(settings, build_services(settings)))
        talk = Conversation(lambda envelope: handler(envelope, None), {"api_endpoint": NO_API})
        talk.launch()
        started = talk.intent("StartRelaxationIntent")
        if not started.listening:
            raise SystemExit(
                "progressive muscle relaxation did not wait for 'continue': pick another technique"
            )
    return envelopes.intent("ContinueIntent", attributes=started.attributes, api_endpoint=NO_API)


def diary_log(user_id: str = envelopes.USER_ID) -> dict[str, Any]:
    """A cramp logged in one breath ("a five in my left calf, two minutes, that's all"): one write."""
    slots = {
        "muscle": Slot("calf", id="CALF", slot_type="Muscle"),
        "side": Slot("left", id="LEFT", slot_type="Side"),
        "severity": "5",
        "duration": "PT2M",
        "skip": Slot("that's all", id="DONE", slot_type="Skip"),
    }
    return envelopes.intent(
        "LogCrampIntent", slots, dialog_state="STARTED", new=True, user_id=user_id, api_endpoint=NO_API
    )


def diary_question(user_id: str = envelopes.USER_ID) -> dict[str, Any]:
    """ "Is there a pattern to my cramps" over the last year: reads every one of the seeded entries."""
    return envelopes.intent(
        "CrampPatternIntent", {"days": str(DIARY_DAYS)}, new=True, user_id=user_id, api_endpoint=NO_API
    )


def seed_diary(db_path: Path, entries: int = DIARY_ENTRIES, user_id: str = envelopes.USER_ID) -> None:
    """Fill the golden user's diary with ``entries`` varied cramps over the last year, through the
    diary repository (the same code path the skill writes with)."""
    rng = random.Random(10_000)
    services = build_services(Settings(verify=False, storage="sqlite", db_path=db_path))
    now = datetime.now(UTC)
    for _ in range(entries):
        started = now - timedelta(seconds=rng.randrange(DIARY_DAYS * 86_400))
        services.diary.add(
            CrampEntry(
                user_id=user_id,
                started_at=started,
                logged_at=started + timedelta(minutes=rng.randrange(1, 600)),
                muscle=rng.choice(["CALF", "CALF", "CALF", "FOOT", "TOES", "THIGH", "HAMSTRING", "SHIN"]),
                side=rng.choice(["LEFT", "RIGHT", "BOTH", None]),
                severity=rng.randrange(1, 11),
                duration_s=rng.choice([None, 30, 60, 120, 300, 900]),
                helped=rng.choice([None, "STRETCH", "WALKING", "MASSAGE", "HEAT", "WATER", "BREATHING"]),
                trigger=rng.choice([None, "EXERCISE", "STANDING", "DEHYDRATION", "STRESS"]),
                time_zone="America/New_York",
            )
        )
    if services.database is not None:
        services.database.close()
