"""Checks a serialized response envelope against Alexa's rules; used by tests, ``check`` and fuzzing."""

from __future__ import annotations

import json
import re
from typing import Any

from skill.speech import ssml

MAX_RESPONSE_BYTES = 24 * 1024  # the stricter of the documented limits (24 KB vs 120 KB)
MAX_SESSION_ATTRIBUTE_BYTES = 4 * 1024  # our own budget: session state must stay small
# Directives after which Alexa, not the skill's speech, asks the next question: Dialog.Delegate plays
# the model's own prompt, Connections.SendRequest Alexa's permission question.
ALEXA_ASKS = frozenset({"Dialog.Delegate", "Connections.SendRequest"})
_TRAILING = re.compile(r"(?:\s|\[[\d.]+ s\]|[\"'\u2019\u201d)])+$")


def _speech_problems(where: str, speech: Any, locale: str | None) -> list[str]:
    if not isinstance(speech, dict):
        return [f"{where} is not an object"]
    if speech.get("type") == "SSML":
        try:
            ssml.validate(speech.get("ssml", ""), locale)
        except ssml.SSMLError as exc:
            return [f"{where}: {exc}"]
        return []
    if speech.get("type") == "PlainText":
        text = speech.get("text", "")
        return [] if len(text) < ssml.MAX_SPEECH_CHARS else [f"{where}: text too long"]
    return [f"{where}: unknown type {speech.get('type')!r}"]


def response_problems(envelope: dict[str, Any], locale: str | None = None) -> list[str]:
    """Everything about this response that Alexa would reject or that breaks our budgets.

    With the request's ``locale``, voice styles that locale lacks count as rejected too.
    """
    problems: list[str] = []
    if envelope.get("version") != "1.0":
        problems.append("version must be 1.0")
    size = len(json.dumps(envelope, separators=(",", ":")).encode())
    if size > MAX_RESPONSE_BYTES:
        problems.append(f"response is {size} bytes (limit {MAX_RESPONSE_BYTES})")
    attributes = envelope.get("sessionAttributes") or {}
    attributes_size = len(json.dumps(attributes, separators=(",", ":")).encode())
    if attributes_size > MAX_SESSION_ATTRIBUTE_BYTES:
        problems.append(
            f"session attributes are {attributes_size} bytes (budget {MAX_SESSION_ATTRIBUTE_BYTES})"
        )
    response = envelope.get("response")
    if not isinstance(response, dict):
        return [*problems, "response missing"]
    if "outputSpeech" in response:
        problems += _speech_problems("outputSpeech", response["outputSpeech"], locale)
    if "reprompt" in response:
        problems += _speech_problems("reprompt", (response["reprompt"] or {}).get("outputSpeech"), locale)
    end = response.get("shouldEndSession")
    if end is not None and not isinstance(end, bool):
        problems.append("shouldEndSession must be a boolean")
    directives = response.get("directives") or []
    plays = [d for d in directives if d.get("type") == "AudioPlayer.Play"]
    if len(plays) > 1:
        problems.append("more than one AudioPlayer.Play")
    if plays and "reprompt" in response:
        problems.append("AudioPlayer.Play cannot be sent with a reprompt")
    for play in plays:
        stream = ((play.get("audioItem") or {}).get("stream")) or {}
        if not stream.get("url") or not stream.get("token"):
            problems.append("AudioPlayer.Play needs a stream url and token")
    if any(d.get("type", "").startswith("Dialog.") for d in directives) and end is True:
        problems.append("dialog directives need an open session")
    return problems


def last_sentence(document: str) -> str:
    """The end of what is said, as text: trailing pauses, quotes and brackets dropped."""
    return _TRAILING.sub("", ssml.to_text(document))


def question_problems(envelope: dict[str, Any]) -> list[str]:
    """A response that keeps the microphone open must end with a question (certification rule).

    Alexa's voice interface tests fail a skill whose session stays open without a prompt; the help
    response in particular must end by asking what the user wants. Open means
    ``shouldEndSession`` false; when Alexa itself asks next (``ALEXA_ASKS``) the skill's speech is
    only a lead-in.
    """
    response = envelope.get("response")
    if not isinstance(response, dict) or response.get("shouldEndSession") is not False:
        return []
    if any((d or {}).get("type") in ALEXA_ASKS for d in response.get("directives") or []):
        return []
    speech = response.get("outputSpeech") or {}
    document = speech.get("ssml") or speech.get("text") or ""
    said = last_sentence(document) if document else ""
    if not said:
        return ["the microphone stays open after no speech: ask a question"]
    if not said.endswith("?"):
        return [f"the microphone stays open but the speech does not end with a question: ...{said[-80:]!r}"]
    return []
