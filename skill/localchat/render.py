"""Turns as readable text: speech with pauses shown, reprompt marked, cards and directives summarised."""

from __future__ import annotations

from typing import Any

from skill.localchat.session import Turn
from skill.speech import ssml

INDENT = "       "


def speech_text(speech: dict[str, Any] | None) -> str:
    """What a user hears from an outputSpeech object, pauses shown as ``[N s]``."""
    if not speech:
        return ""
    if speech.get("type") == "SSML":
        return ssml.to_text(speech.get("ssml", ""))
    return str(speech.get("text", "")).strip()


def _slot_label(name: str | None) -> str:
    return name or "a slot"


def describe_directive(directive: dict[str, Any]) -> str:
    """One short line for a directive: ``(asking for severity)``, ``(playing <url> from 0 s)``."""
    kind = directive.get("type", "")
    if kind == "Dialog.ElicitSlot":
        return f"(asking for {_slot_label(directive.get('slotToElicit'))})"
    if kind == "Dialog.ConfirmSlot":
        return f"(confirming {_slot_label(directive.get('slotToConfirm'))})"
    if kind == "Dialog.ConfirmIntent":
        return "(asking to confirm)"
    if kind == "Dialog.Delegate":
        return "(Alexa continues the dialog from the model)"
    if kind == "Dialog.UpdateDynamicEntities":
        return "(dynamic entities updated)"
    if kind == "AudioPlayer.Play":
        stream = (directive.get("audioItem") or {}).get("stream") or {}
        seconds = (stream.get("offsetInMilliseconds") or 0) / 1000
        verb = "queued" if directive.get("playBehavior") == "ENQUEUE" else "playing"
        return f"({verb} {stream.get('url')} from {seconds:g} s)"
    if kind == "AudioPlayer.Stop":
        return "(audio stopped)"
    if kind == "AudioPlayer.ClearQueue":
        return "(audio queue cleared)"
    if kind == "Connections.SendRequest":
        payload = (directive.get("payload") or {}).get("@type") or ""
        return f"(asking the user: {directive.get('name')} {payload})".replace(" )", ")")
    return f"({kind})"


def describe_card(card: dict[str, Any]) -> str:
    kind = card.get("type")
    if kind == "LinkAccount":
        return "[card] link your account"
    if kind == "AskForPermissionsConsent":
        return f"[card] asks for permission: {', '.join(card.get('permissions', []))}"
    body = card.get("content") or card.get("text") or ""
    body = " / ".join(line.strip() for line in str(body).splitlines() if line.strip())
    return f"[card] {card.get('title', '')}: {body}".rstrip(": ")


def describe_request(envelope: dict[str, Any]) -> str:
    """``IntentRequest LogCrampIntent (IN_PROGRESS) muscle=calf→CALF severity=7`` for ``--trace``."""
    request = envelope["request"]
    text = request["type"]
    if request.get("dialogState"):
        text += f" ({request['dialogState']})"
    if (envelope.get("session") or {}).get("new"):
        text += " [new session]"
    intent = request.get("intent")
    if not intent:
        return text
    parts = [intent["name"]]
    if intent.get("confirmationStatus", "NONE") != "NONE":
        parts.append(f"intent {intent['confirmationStatus'].lower()}")
    for name, slot in (intent.get("slots") or {}).items():
        if "value" not in slot:
            continue
        authorities = (slot.get("resolutions") or {}).get("resolutionsPerAuthority", [])
        ids = [v["value"]["id"] for a in authorities for v in a.get("values", [])]
        resolved = f"→{'|'.join(ids)}" if ids else (" (no match)" if authorities else "")
        confirmed = (
            f" [{slot['confirmationStatus'].lower()}]"
            if slot.get("confirmationStatus", "NONE") != "NONE"
            else ""
        )
        parts.append(f"{name}={slot['value']!r}{resolved}{confirmed}")
    return f"{text} {' '.join(parts)}"


def render_turn(turn: Turn, trace: bool = False) -> list[str]:
    """The lines to print for a turn."""
    lines: list[str] = []
    if trace and turn.request is not None:
        lines.append(f"  -> {describe_request(turn.request)}")
    if turn.error:
        lines.append(f"(error: {turn.error})")
        return lines
    if turn.prompt is not None:
        lines.append(f"Alexa: {turn.prompt}")
        return lines
    if turn.response is None:
        return lines
    response = turn.response.get("response") or {}
    said = speech_text(response.get("outputSpeech"))
    extra: list[str] = []
    reprompt = speech_text((response.get("reprompt") or {}).get("outputSpeech"))
    if reprompt:
        extra.append(f"reprompt: {reprompt}")
    if response.get("card"):
        extra.append(describe_card(response["card"]))
    extra.extend(describe_directive(d) for d in response.get("directives") or [])
    if turn.ended:
        extra.append("(session ended)")
    if said:
        lines.append(f"Alexa: {said}")
    elif extra and turn.request and turn.request["request"]["type"] != "SessionEndedRequest":
        lines.append("Alexa: (says nothing)")
    lines.extend(f"{INDENT}{line}" for line in extra)
    return lines


def speech_ssml(turn: Turn) -> list[str]:
    """The SSML documents a turn speaks (speech, then the reprompt is not played: Alexa waits first)."""
    if turn.prompt is not None:
        return [f"<speak>{ssml.escape(turn.prompt)}</speak>"]
    response = (turn.response or {}).get("response") or {}
    speech = response.get("outputSpeech") or {}
    if speech.get("type") == "SSML" and speech.get("ssml"):
        return [speech["ssml"]]
    if speech.get("type") == "PlainText" and speech.get("text"):
        return [f"<speak>{ssml.escape(speech['text'])}</speak>"]
    return []
