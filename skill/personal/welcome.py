"""What a returning user's welcome names: the last technique once, and only sessions worth resuming.

Pure decisions, so they can be tested without a request and re-used wherever the welcome is built.

How long a stopped session stays worth offering back:

- a cramp coach (``cramp-now-*``) for ``CRAMP_RESUME_WINDOW``, 30 minutes: cramps usually pass
  within ten minutes (content guide, C1/C3/C5), and one lasting longer than that is a red flag that
  needs medical advice, not more of the same stretch. Half an hour covers a user who dozed off or
  was interrupted mid-cramp; after that the cramp is over and "carry on with the calf cramp?" is
  wrong, and the welcome offers what to do now instead;
- any other technique for ``TECHNIQUE_RESUME_WINDOW``, 3 days: practice paused one night is still
  worth finishing the next evening or two, while a week-old half session is better started fresh
  (and "Alexa, ask cramp coach to resume" still picks it up when the user asks for it by name).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

CRAMP_NOW_PREFIX = "cramp-now"
CRAMP_RESUME_WINDOW = timedelta(minutes=30)
TECHNIQUE_RESUME_WINDOW = timedelta(days=3)


def resume_window(script_id: str) -> timedelta:
    """How long after it stopped a session of this script is still offered back."""
    return CRAMP_RESUME_WINDOW if script_id.startswith(CRAMP_NOW_PREFIX) else TECHNIQUE_RESUME_WINDOW


def worth_resuming(script_id: str, saved_at: datetime | None, now: datetime) -> bool:
    """True when the welcome should offer to carry on with a session stopped at ``saved_at``.

    A session without a (readable) stop time is not offered: nothing says it is recent.
    A stop time in the future (a clock that moved back) counts as just now.
    """
    if saved_at is None:
        return False
    return now - saved_at <= resume_window(script_id)


def welcome_line(last_title: str | None, resume_title: str | None) -> tuple[str, dict[str, Any]]:
    """The welcome's first phrase: it names the last technique only when nothing else will.

    With a session to offer back, the offer itself names it ("Last time you stopped partway
    through..."), so the greeting stays plain and the user never hears "Last time" twice.
    """
    if resume_title or not last_title:
        return "launch.welcome", {}
    return "personal.welcome_back_last", {"title": last_title}
