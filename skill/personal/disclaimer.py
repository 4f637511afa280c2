"""The one-line not-medical-advice disclaimer, heard once per user on the first use of any feature.

Amazon's policy for health skills asks for the disclaimer, and the product spec asks for it "once
per first use": a user whose first words are a one-shot ("Alexa, ask cramp coach for a breathing
exercise", "tell cramp coach I have a cramp") hears it as surely as one who opens the skill. A
response interceptor does it for every feature, including ones added later, so no handler has to
remember.

- It is said at the start of the reply, before the exercise or the answer, except that a red-flag
  reply keeps its help line first ("Please call 911 now." then the disclaimer): safety first.
- A reply that already carries it (the first launch, help) counts as hearing it.
- Whether the user has heard it is ``profile["disclaimer_heard"]``, owned here (the first launch
  sets it too); it goes with the profile when the user's data is deleted.
- If adding it would break Alexa's limits the reply goes out unchanged and the line comes next time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SsmlOutputSpeech

from skill.content.catalog import Catalog, default_catalog
from skill.speech import ssml
from skill.state import user

log = logging.getLogger(__name__)

HEARD = "disclaimer_heard"  # profile key: the user has heard the disclaimer
LINE = "safety.disclaimer"  # what is added
ALREADY = ("safety.disclaimer", "safety.disclaimer_short")  # replies that carry it already
SAFETY_FIRST = "safety.level."  # a reply that gives one of these keeps it first
SPEAK = "<speak>"


def heard(profile: dict[str, Any]) -> bool:
    return bool(profile.get(HEARD))


def heard_by(handler_input: HandlerInput) -> bool:
    """True once this user has heard the disclaimer (first launch, help or first reply)."""
    return heard(user.profile(handler_input))


def mark_heard(handler_input: HandlerInput) -> None:
    user.profile(handler_input)[HEARD] = True
    user.save(handler_input)


def carries(document: str, lines: Iterable[str]) -> bool:
    """True when the spoken text already contains one of ``lines``."""
    spoken = " ".join(ssml.to_text(document).split())
    return any(" ".join(line.split()) in spoken for line in lines)


def with_line(document: str, line: str, first: Iterable[str] = ()) -> str:
    """``document`` with the plain-text ``line`` spoken at its start, or after the earliest of ``first``.

    ``first`` are plain texts that must stay ahead of the line (a red flag's help line). The result
    is validated by the caller.
    """
    escaped = ssml.escape(line)
    found = [(at, len(ssml.escape(text))) for text in first if (at := document.find(ssml.escape(text))) >= 0]
    if found:
        at, length = min(found)
        cut = at + length
        return f"{document[:cut]} {escaped}{document[cut:]}"
    if not document.startswith(SPEAK):
        raise ValueError("not an SSML document")
    return f"{SPEAK}{escaped} {document[len(SPEAK) :]}"


def _safety_lines(catalog: Catalog, locale: str | None) -> list[str]:
    if not isinstance(locale, str):
        return []
    return [
        text for key, variants in catalog.items(locale) if key.startswith(SAFETY_FIRST) for text in variants
    ]


class FirstUseDisclaimerInterceptor(AbstractResponseInterceptor):
    """Adds the disclaimer to the first spoken reply a user ever gets, whatever they asked for."""

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        speech = response.output_speech if response is not None else None
        if not isinstance(speech, SsmlOutputSpeech) or not speech.ssml:
            return  # playback events, session ends: nothing is said, nothing is used up
        if heard_by(handler_input):
            return
        request = handler_input.request_envelope.request
        locale = getattr(request, "locale", None)
        catalog = self.catalog or default_catalog()
        if not carries(speech.ssml, (catalog.text(locale, key) for key in ALREADY)):
            try:
                document = with_line(speech.ssml, catalog.text(locale, LINE), _safety_lines(catalog, locale))
                ssml.validate(document, locale)
            except (ssml.SSMLError, ValueError) as exc:
                log.warning("first-use disclaimer left for the next reply: %s", exc)
                return
            speech.ssml = document
        mark_heard(handler_input)
