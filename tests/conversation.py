"""Conversation helpers: send envelopes through the real handler and read replies as a user hears them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from skill.speech import ssml
from skill.speech.response_check import question_problems, response_problems
from tests import envelopes

Invoke = Callable[[dict[str, Any]], dict[str, Any]]
# A user's first spoken reply ever starts with the not-medical-advice line (skill/personal/disclaimer.py).
FIRST_USE = "Just so you know, I'm not a substitute for professional medical advice. "


def after_first_use(speech: str) -> str:
    """What was said after the first-use disclaimer, for tests about something else."""
    return speech.removeprefix(FIRST_USE)


@dataclass
class Reply:
    """One response envelope, with what the user would hear and see."""

    raw: dict[str, Any]

    @property
    def response(self) -> dict[str, Any]:
        return self.raw.get("response", {})

    @property
    def ssml(self) -> str:
        return (self.response.get("outputSpeech") or {}).get("ssml", "")

    @property
    def speech(self) -> str:
        return ssml.to_text(self.ssml) if self.ssml else ""

    @property
    def reprompt(self) -> str:
        speech = ((self.response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml", "")
        return ssml.to_text(speech) if speech else ""

    @property
    def ended(self) -> bool:
        return self.response.get("shouldEndSession") is True

    @property
    def listening(self) -> bool:
        """True when the microphone stays open (a reprompt or an explicit false)."""
        return self.response.get("shouldEndSession") is False or bool(self.reprompt)

    @property
    def attributes(self) -> dict[str, Any]:
        return self.raw.get("sessionAttributes") or {}

    @property
    def directives(self) -> list[dict[str, Any]]:
        return self.response.get("directives") or []

    def directive(self, kind: str) -> dict[str, Any] | None:
        return next((d for d in self.directives if d.get("type") == kind), None)

    @property
    def card(self) -> dict[str, Any] | None:
        return self.response.get("card")


def checked(invoke: Invoke) -> Invoke:
    """Wrap an invoke so that every response is checked against Alexa's rules."""

    def call(envelope: dict[str, Any]) -> dict[str, Any]:
        raw = invoke(envelope)
        request = envelope.get("request")
        locale = request.get("locale") if isinstance(request, dict) else None
        problems = response_problems(raw, locale if isinstance(locale, str) else None)
        assert not problems, f"invalid Alexa response: {problems}\n{raw}"
        asks = question_problems(raw)
        assert not asks, f"open microphone without a question: {asks}\n{raw}"
        return raw

    return call


@dataclass
class Conversation:
    """A user talking to the skill: the session id and attributes carry from turn to turn."""

    invoke: Invoke
    envelope_options: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    session_id: str | None = None
    new: bool = True

    def send(self, envelope: dict[str, Any]) -> Reply:
        reply = Reply(self.invoke(envelope))
        if "session" in envelope:
            self.new = False
            self.attributes = reply.attributes
            if reply.ended:
                self.end()
        return reply

    def end(self) -> None:
        self.attributes, self.session_id, self.new = {}, None, True

    def _session(self) -> dict[str, Any]:
        if self.session_id is None:
            import uuid

            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        return {
            **self.envelope_options,
            "new": self.new,
            "attributes": self.attributes,
            "session_id": self.session_id,
        }

    def launch(self) -> Reply:
        self.end()
        return self.send(envelopes.launch(**self._session()))

    def intent(self, name: str, slots: dict[str, Any] | None = None, **kwargs: Any) -> Reply:
        return self.send(envelopes.intent(name, slots, **kwargs, **self._session()))

    def audio(self, event: str, token: str = "", offset_ms: int = 0) -> Reply:
        """A playback event: no session, and the conversation's session is left alone."""
        return self.send(envelopes.audio_event(event, token, offset_ms, **self.envelope_options))


Turn = str | tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], dict[str, Any]]


def converse(invoke: Invoke, turns: Sequence[Turn], **envelope_options: Any) -> list[Reply]:
    """Run a whole conversation: ``"launch"``, ``"IntentName"`` or ``("IntentName", slots[, kwargs])``."""
    conversation = Conversation(invoke, envelope_options)
    replies = []
    for turn in turns:
        if turn == "launch":
            replies.append(conversation.launch())
        elif isinstance(turn, str):
            replies.append(conversation.intent(turn))
        else:
            name, slots, *rest = turn
            replies.append(conversation.intent(name, slots, **(rest[0] if rest else {})))
    return replies
