"""A conversation with the skill as a speaker would hold it: real request envelopes, turn by turn.

``ChatSession.handle(line)`` resolves a typed line against the interaction model, builds the
envelope Alexa would send (session id and ``new`` flag, attributes from the last response, the
dialog state and the slots already filled, device capabilities, locale, user, timestamps), sends
it through a transport (the skill in-process, or HTTP to a running ``cramp-coach serve``) and
returns the turns that happened. Dialog directives are honoured as Alexa does: ElicitSlot makes the
next line answer that slot, ConfirmSlot/ConfirmIntent take a yes or no, and Dialog.Delegate (or a
model whose delegation strategy is ALWAYS) lets the dialog model's own prompts, validations and
confirmations run the dialog until Alexa would send the skill ``dialogState: COMPLETED``.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import isodate

from skill.localchat.resolver import BUILTIN_PHRASES, Resolution, Resolver, SlotFill, normalise
from skill.speech import ssml

Transport = Callable[[dict[str, Any]], dict[str, Any]]

LOCAL_USER_ID = "amzn1.ask.account.LOCALCHAT"
LOCAL_SKILL_ID = "amzn1.ask.skill.cramp-coach-local"
LOCAL_DEVICE_ID = "amzn1.ask.device.LOCALCHAT"
MAX_DELEGATION_STEPS = 10  # a skill that delegates forever must not hang the chat


class ChatError(RuntimeError):
    """The skill could not be reached or answered with something that is not a response envelope."""


def in_process_transport(settings: Any) -> Transport:
    """Send envelopes straight into the skill, built the same way as for Lambda and the web service."""
    from ask_sdk_model import RequestEnvelope

    from skill.builder import build_skill
    from skill.services import build_services

    skill = build_skill(settings, build_services(settings))

    def send(envelope: dict[str, Any]) -> dict[str, Any]:
        request = skill.serializer.deserialize(payload=json.dumps(envelope), obj_type=RequestEnvelope)
        result = skill.serializer.serialize(skill.invoke(request_envelope=request, context=None))
        if not isinstance(result, dict):
            raise ChatError(f"the skill returned {type(result).__name__}, not a response envelope")
        return result

    return send


def http_transport(url: str, timeout: float = 10.0) -> Transport:
    """POST envelopes to a running skill (it must run with ``--no-verify``: nothing is signed)."""

    def send(envelope: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(envelope).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                data: dict[str, Any] = json.loads(reply.read())
                return data
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace").strip()
            hint = " (is it running with --no-verify?)" if exc.code == 400 else ""
            raise ChatError(f"HTTP {exc.code} from {url}: {detail}{hint}") from exc
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
            raise ChatError(f"cannot reach {url}: {exc}") from exc

    return send


@dataclass
class Turn:
    """One exchange: what was typed, how it resolved, the envelopes, or a prompt Alexa spoke itself."""

    line: str | None = None
    resolution: Resolution | None = None
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    prompt: str | None = None  # spoken by Alexa from the dialog model, not by the skill
    ended: bool = False
    error: str | None = None


@dataclass
class _Dialog:
    """A dialog in progress: the intent with the slots filled so far and what Alexa waits for."""

    intent: dict[str, Any]
    expect: str | None  # "elicit", "confirm_slot", "confirm_intent" or None
    slot: str | None = None
    delegated: bool = False  # Alexa runs the dialog from the model (Dialog.Delegate)
    automatic: bool = False  # delegation strategy ALWAYS: the skill hears only the COMPLETED request


@dataclass
class ChatSession:
    """A user talking to the skill through one device."""

    resolver: Resolver
    send: Transport
    locale: str = "en-US"
    user_id: str = LOCAL_USER_ID
    skill_id: str = LOCAL_SKILL_ID
    audio_player: bool = False
    api_endpoint: str = "https://api.amazonalexa.com"
    session_id: str | None = None
    new: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)
    dialog: _Dialog | None = None
    audio: dict[str, Any] | None = None  # what the device's player holds (token, offset, activity)

    # -- public API -----------------------------------------------------------------------------

    @property
    def open(self) -> bool:
        return self.session_id is not None

    def handle(self, line: str) -> list[Turn]:
        """Everything that happens after the user says ``line``."""
        if not normalise(line):
            return []
        resolution = self.resolver.resolve(line)
        if resolution.invoked and self.open:
            self._reset()  # "open cramp coach" mid-session starts over, as on a speaker
        if not resolution.invoked and self.open and self.dialog is not None:
            return self._answer_dialog(line, resolution)
        self.dialog = None
        if resolution.request_type == "LaunchRequest":
            return self._exchange(self._envelope(self._launch_request()), line, resolution)
        intent = self._intent_json(resolution)
        dialog_intent = self._dialog_intent(intent["name"])
        if dialog_intent is not None and self._strategy(dialog_intent) == "ALWAYS":
            self._start_session()
            return self._delegate(intent, automatic=True, line=line, resolution=resolution)
        state = "STARTED" if dialog_intent is not None else None
        return self._exchange(self._envelope(self._intent_request(intent, state)), line, resolution)

    def end(self, reason: str = "USER_INITIATED") -> Turn | None:
        """Close an open session the way Alexa does when the user walks away or quits."""
        if not self.open:
            return None
        request = {**self._request_base("SessionEndedRequest"), "reason": reason}
        turn = self._send(self._envelope(request))
        self._reset()
        return turn

    def event(self, name: str, offset_ms: int | None = None) -> Turn:
        """An AudioPlayer or PlaybackController event, sent without a session as Alexa does."""
        kind = (
            name
            if "." in name
            else (f"PlaybackController.{name}" if name.endswith("CommandIssued") else f"AudioPlayer.{name}")
        )
        request = self._request_base(kind)
        audio = self.audio or {"token": "", "offsetInMilliseconds": 0}
        if offset_ms is not None:
            audio["offsetInMilliseconds"] = offset_ms
        if kind.startswith("AudioPlayer."):
            request.update(
                token=audio.get("token", ""), offsetInMilliseconds=audio.get("offsetInMilliseconds", 0)
            )
        if kind == "AudioPlayer.PlaybackFailed":
            request["error"] = {"type": "MEDIA_ERROR_UNKNOWN", "message": "reported from cramp-coach chat"}
        if kind in (
            "AudioPlayer.PlaybackStopped",
            "AudioPlayer.PlaybackFinished",
            "AudioPlayer.PlaybackFailed",
        ):
            self.audio = {**audio, "playerActivity": "STOPPED" if kind.endswith("Stopped") else "FINISHED"}
        turn = self._send(self._envelope(request, with_session=False))
        turn.line = f"/event {name}"
        return turn

    # -- dialogs --------------------------------------------------------------------------------

    def _answer_dialog(self, line: str, resolution: Resolution) -> list[Turn]:
        dialog = self.dialog
        assert dialog is not None
        name = dialog.intent["name"]
        if dialog.expect == "elicit" and dialog.slot:
            answer = self.resolver.resolve_for_slot(line, name, dialog.slot)
            if answer and not any(fill.unmatched for fill in answer.slots.values()):
                resolution = answer
            elif resolution.fallback and answer:
                resolution = answer  # an unknown value for the slot: ER_SUCCESS_NO_MATCH, as Alexa sends it
        elif dialog.expect in ("confirm_slot", "confirm_intent"):
            status = self._yes_or_no(line)
            if status:
                if dialog.expect == "confirm_slot" and dialog.slot:
                    dialog.intent["slots"].setdefault(dialog.slot, {"name": dialog.slot})[
                        "confirmationStatus"
                    ] = status
                else:
                    dialog.intent["confirmationStatus"] = status
                return self._continue_dialog(dialog, line, resolution)
        if resolution.intent != name:
            self.dialog = None
            return self.handle_resolved(line, resolution)
        for slot_name, fill in resolution.slots.items():
            dialog.intent["slots"][slot_name] = self._slot_json(slot_name, fill)
        return self._continue_dialog(dialog, line, resolution)

    def handle_resolved(self, line: str, resolution: Resolution) -> list[Turn]:
        """Send an already resolved line outside any dialog (used when the user changes the subject)."""
        intent = self._intent_json(resolution)
        state = "STARTED" if self._dialog_intent(intent["name"]) is not None else None
        return self._exchange(self._envelope(self._intent_request(intent, state)), line, resolution)

    def _continue_dialog(self, dialog: _Dialog, line: str, resolution: Resolution) -> list[Turn]:
        if dialog.automatic:
            return self._delegate(dialog.intent, automatic=True, line=line, resolution=resolution)
        request = self._intent_request(dialog.intent, "IN_PROGRESS")
        return self._exchange(self._envelope(request), line, resolution)

    def _delegate(
        self,
        intent: dict[str, Any],
        *,
        automatic: bool,
        line: str | None = None,
        resolution: Resolution | None = None,
        steps: int = 0,
    ) -> list[Turn]:
        """Alexa's side of a delegated dialog: prompt for what is missing, or send COMPLETED."""
        step = self._next_step(intent)
        if step is None:
            self.dialog = None
            envelope = self._envelope(self._intent_request(intent, "COMPLETED"))
            return self._exchange(envelope, line, resolution, steps=steps + 1)
        expect, slot, prompt = step
        self.dialog = _Dialog(intent, expect, slot, delegated=True, automatic=automatic)
        return [Turn(line=line, resolution=resolution, prompt=prompt)]

    def _next_step(self, intent: dict[str, Any]) -> tuple[str, str | None, str] | None:
        dialog_intent = self._dialog_intent(intent["name"]) or {}
        slots = intent.setdefault("slots", {})
        for slot in dialog_intent.get("slots", []):
            name = slot["name"]
            current = slots.setdefault(name, {"name": name, "confirmationStatus": "NONE"})
            prompts = slot.get("prompts", {})
            if current.get("confirmationStatus") == "DENIED":
                current.pop("value", None)
                current.pop("resolutions", None)
                current.pop("slotValue", None)
                current["confirmationStatus"] = "NONE"
            if not current.get("value"):
                if slot.get("elicitationRequired"):
                    return "elicit", name, self._prompt(prompts.get("elicitation"), intent)
                continue
            for validation in slot.get("validations", []):
                if not self._valid(validation, current):
                    text = self._prompt(validation.get("prompt"), intent)
                    for key in ("value", "resolutions", "slotValue"):
                        current.pop(key, None)
                    return "elicit", name, text
            if slot.get("confirmationRequired") and current.get("confirmationStatus", "NONE") == "NONE":
                return "confirm_slot", name, self._prompt(prompts.get("confirmation"), intent)
        if dialog_intent.get("confirmationRequired") and intent.get("confirmationStatus", "NONE") == "NONE":
            return (
                "confirm_intent",
                None,
                self._prompt(dialog_intent.get("prompts", {}).get("confirmation"), intent),
            )
        return None

    def _valid(self, rule: dict[str, Any], slot: dict[str, Any]) -> bool:
        """Alexa's slot validation rules that can be checked offline; others pass."""
        kind, value = rule.get("type"), str(slot.get("value", ""))
        authorities = (slot.get("resolutions") or {}).get("resolutionsPerAuthority", [])
        if kind == "hasEntityResolutionMatch":
            return any(a.get("status", {}).get("code") == "ER_SUCCESS_MATCH" for a in authorities)
        names = (
            {value.lower()}
            | {v["value"]["name"].lower() for a in authorities for v in a.get("values", [])}
            | {v["value"]["id"].lower() for a in authorities for v in a.get("values", [])}
        )
        if kind in ("isInSet", "isNotInSet"):
            inside = bool(names & {str(v).lower() for v in rule.get("values", [])})
            return inside if kind == "isInSet" else not inside
        if kind in ("isGreaterThan", "isGreaterThanOrEqualTo", "isLessThan", "isLessThanOrEqualTo"):
            try:
                number, limit = float(value), float(rule["value"])
            except (KeyError, ValueError):
                return True
            return {
                "isGreaterThan": number > limit,
                "isGreaterThanOrEqualTo": number >= limit,
                "isLessThan": number < limit,
                "isLessThanOrEqualTo": number <= limit,
            }[kind]
        if kind in ("isInDuration", "isNotInDuration"):
            try:
                day = date.fromisoformat(value)
                start = self.resolver.today + isodate.parse_duration(rule.get("start", "P0D"))
                end = self.resolver.today + isodate.parse_duration(rule.get("end", "P0D"))
            except (ValueError, isodate.ISO8601Error):
                return True  # weeks, months and PRESENT_REF are not checked offline
            inside = start <= day <= end
            return inside if kind == "isInDuration" else not inside
        return True

    def _prompt(self, prompt_id: str | None, intent: dict[str, Any]) -> str:
        """The first variation of a dialog prompt, with ``{slot}`` references filled in."""
        for prompt in self._interaction().get("prompts", []):
            if prompt.get("id") == prompt_id and prompt.get("variations"):
                variation = prompt["variations"][0]
                text = variation.get("value", "")
                text = ssml.to_text(text) if variation.get("type") == "SSML" else text
                values = {name: str(slot.get("value", "")) for name, slot in intent.get("slots", {}).items()}
                return re.sub(r"\{(\w+)\}", lambda m, values=values: values.get(m.group(1), ""), text)
        return f"(missing prompt {prompt_id!r} in the interaction model)"

    def _yes_or_no(self, line: str) -> str | None:
        """CONFIRMED or DENIED for an answer to a confirmation, else None."""
        text = normalise(line)
        for intent, status in (("AMAZON.YesIntent", "CONFIRMED"), ("AMAZON.NoIntent", "DENIED")):
            phrases = {normalise(p) for p in BUILTIN_PHRASES[intent]}
            known = self.resolver.intents.get(intent)
            phrases |= {normalise(p) for p in (known.samples if known else [])}
            if text in phrases:
                return status
        return None

    # -- envelopes ------------------------------------------------------------------------------

    def _interaction(self) -> dict[str, Any]:
        model = self.resolver.model
        interaction: dict[str, Any] = model.get("interactionModel", model)
        return interaction

    def _dialog_intent(self, name: str) -> dict[str, Any] | None:
        for intent in self._interaction().get("dialog", {}).get("intents", []):
            if intent.get("name") == name:
                return dict(intent)
        return None

    def _strategy(self, dialog_intent: dict[str, Any]) -> str:
        default = self._interaction().get("dialog", {}).get("delegationStrategy", "SKILL_RESPONSE")
        return str(dialog_intent.get("delegationStrategy", default))

    def _slot_json(self, name: str, fill: SlotFill | None) -> dict[str, Any]:
        slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if fill is None:
            return slot
        slot.update(value=fill.value, source="USER")
        value: dict[str, Any] = {"type": "Simple", "value": fill.value}
        if fill.matches is not None:
            resolution: dict[str, Any] = {
                "authority": f"amzn1.er-authority.echo-sdk.{self.skill_id}.{fill.type}",
                "status": {"code": "ER_SUCCESS_MATCH" if fill.matches else "ER_SUCCESS_NO_MATCH"},
            }
            if fill.matches:
                resolution["values"] = [{"value": {"name": n, "id": i}} for i, n in fill.matches]
            slot["resolutions"] = value["resolutions"] = {"resolutionsPerAuthority": [resolution]}
        slot["slotValue"] = value
        return slot

    def _intent_json(self, resolution: Resolution) -> dict[str, Any]:
        name = resolution.intent or "AMAZON.FallbackIntent"
        declared = self.resolver.intents.get(name)
        slot_names = list(declared.slots) if declared else list(resolution.slots)
        return {
            "name": name,
            "confirmationStatus": "NONE",
            "slots": {slot: self._slot_json(slot, resolution.slots.get(slot)) for slot in slot_names},
        }

    def _request_base(self, kind: str) -> dict[str, Any]:
        return {
            "type": kind,
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "locale": self.locale,
        }

    def _launch_request(self) -> dict[str, Any]:
        self._start_session()
        return self._request_base("LaunchRequest")

    def _intent_request(self, intent: dict[str, Any], dialog_state: str | None) -> dict[str, Any]:
        self._start_session()
        request = self._request_base("IntentRequest")
        if dialog_state:
            request["dialogState"] = dialog_state
        request["intent"] = json.loads(json.dumps(intent))
        return request

    def _start_session(self) -> None:
        if self.session_id is None:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
            self.new, self.attributes = True, {}

    def _envelope(self, request: dict[str, Any], *, with_session: bool = True) -> dict[str, Any]:
        application = {"applicationId": self.skill_id}
        user = {"userId": self.user_id}
        system: dict[str, Any] = {
            "application": application,
            "user": user,
            "device": {
                "deviceId": LOCAL_DEVICE_ID,
                "supportedInterfaces": {"AudioPlayer": {}} if self.audio_player else {},
            },
            "apiEndpoint": self.api_endpoint,
            "apiAccessToken": "local-chat-token",
        }
        envelope: dict[str, Any] = {"version": "1.0", "context": {"System": system}, "request": request}
        if self.audio_player:
            envelope["context"]["AudioPlayer"] = {
                "token": (self.audio or {}).get("token", ""),
                "offsetInMilliseconds": (self.audio or {}).get("offsetInMilliseconds", 0),
                "playerActivity": (self.audio or {}).get("playerActivity", "IDLE"),
            }
        if with_session and self.session_id:
            envelope["session"] = {
                "new": self.new,
                "sessionId": self.session_id,
                "application": application,
                "attributes": self.attributes,
                "user": user,
            }
        return envelope

    # -- sending --------------------------------------------------------------------------------

    def _send(self, envelope: dict[str, Any]) -> Turn:
        try:
            response = self.send(envelope)
        except ChatError as exc:
            return Turn(request=envelope, error=str(exc))
        if not isinstance(response, dict) or not isinstance(response.get("response", {}), dict):
            return Turn(request=envelope, error=f"not a response envelope: {response!r}"[:300])
        return Turn(request=envelope, response=response)

    def _exchange(
        self, envelope: dict[str, Any], line: str | None, resolution: Resolution | None, steps: int = 0
    ) -> list[Turn]:
        turn = self._send(envelope)
        turn.line, turn.resolution = line, resolution
        if turn.response is None:
            return [turn]
        if "session" in envelope:
            self.new = False
            self.attributes = turn.response.get("sessionAttributes") or {}
        response = turn.response.get("response") or {}
        directives = response.get("directives") or []
        self._track_audio(directives)
        if self._session_ends(response):
            turn.ended = True
            self._reset()
            return [turn]
        dialog = next((d for d in directives if str(d.get("type", "")).startswith("Dialog.")), None)
        intent = (envelope["request"].get("intent") or {}) if dialog else {}
        if dialog is None:
            self.dialog = None
            return [turn]
        updated = dialog.get("updatedIntent") or intent
        updated = {**json.loads(json.dumps(updated)), "slots": dict((updated or {}).get("slots") or {})}
        kind = dialog["type"]
        if kind == "Dialog.Delegate":
            if steps >= MAX_DELEGATION_STEPS:
                turn.error = "the skill keeps delegating: stopped after 10 steps"
                self.dialog = None
                return [turn]
            return [turn, *self._delegate(updated, automatic=False, steps=steps)]
        expect, slot = {
            "Dialog.ElicitSlot": ("elicit", dialog.get("slotToElicit")),
            "Dialog.ConfirmSlot": ("confirm_slot", dialog.get("slotToConfirm")),
            "Dialog.ConfirmIntent": ("confirm_intent", None),
        }.get(kind, (None, None))
        self.dialog = _Dialog(updated, expect, slot) if expect else None
        return [turn]

    @staticmethod
    def _session_ends(response: dict[str, Any]) -> bool:
        """True/false as sent; left out, a speaker without a screen ends the session unless it asks."""
        end = response.get("shouldEndSession")
        if end is not None:
            return bool(end)
        directives = response.get("directives") or []
        return "reprompt" not in response and not any(
            str(d.get("type", "")).startswith("Dialog.") for d in directives
        )

    def _track_audio(self, directives: list[dict[str, Any]]) -> None:
        for directive in directives:
            kind = directive.get("type")
            if kind == "AudioPlayer.Play":
                stream = (directive.get("audioItem") or {}).get("stream") or {}
                if directive.get("playBehavior") != "ENQUEUE" or not self.audio:
                    self.audio = {
                        "token": stream.get("token", ""),
                        "offsetInMilliseconds": stream.get("offsetInMilliseconds", 0),
                        "playerActivity": "PLAYING",
                        "url": stream.get("url"),
                    }
            elif (kind == "AudioPlayer.Stop" and self.audio) or (
                kind == "AudioPlayer.ClearQueue"
                and directive.get("clearBehavior") == "CLEAR_ALL"
                and self.audio
            ):
                self.audio["playerActivity"] = "STOPPED"

    def _reset(self) -> None:
        self.session_id, self.new, self.attributes, self.dialog = None, True, {}, None
