"""Checks a serialized response envelope against Alexa's rules; used by tests, ``check`` and fuzzing."""

from __future__ import annotations

import json
from typing import Any

from skill.speech import ssml

MAX_RESPONSE_BYTES = 24 * 1024  # the stricter of the documented limits (24 KB vs 120 KB)
MAX_SESSION_ATTRIBUTE_BYTES = 4 * 1024  # our own budget: session state must stay small


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
