"""Request envelope builders: each copies a golden envelope and tweaks it, as Alexa would send it."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GOLDEN = json.loads((Path(__file__).parent / "golden" / "intent_request.json").read_text())
SKILL_ID = GOLDEN["context"]["System"]["application"]["applicationId"]
USER_ID = GOLDEN["context"]["System"]["user"]["userId"]


@dataclass
class Slot:
    """A slot value as Alexa sends it; ``id`` set means ER_SUCCESS_MATCH, ``match=False`` NO_MATCH."""

    value: str
    id: str | None = None
    name: str | None = None
    match: bool | None = None
    slot_type: str = "CustomType"

    def to_json(self, slot_name: str) -> dict[str, Any]:
        slot: dict[str, Any] = {"name": slot_name, "value": self.value, "confirmationStatus": "NONE"}
        matched = self.match if self.match is not None else (self.id is not None)
        if self.id is not None or self.match is not None:
            authority = f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{self.slot_type}"
            resolution: dict[str, Any] = {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_MATCH" if matched else "ER_SUCCESS_NO_MATCH"},
            }
            if matched:
                resolution["values"] = [{"value": {"name": self.name or self.value, "id": self.id}}]
            slot["resolutions"] = {"resolutionsPerAuthority": [resolution]}
        return slot


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _base(
    *,
    locale: str = "en-US",
    user_id: str = USER_ID,
    new: bool = False,
    attributes: dict[str, Any] | None = None,
    session_id: str | None = None,
    audio_player: bool = False,
    api_endpoint: str | None = None,
    api_access_token: str | None = None,
    permissions: dict[str, Any] | None = None,
    skill_id: str = SKILL_ID,
    with_session: bool = True,
) -> dict[str, Any]:
    envelope = copy.deepcopy(GOLDEN)
    system = envelope["context"]["System"]
    system["user"]["userId"] = user_id
    system["application"]["applicationId"] = skill_id
    if audio_player:
        system["device"]["supportedInterfaces"] = {"AudioPlayer": {}}
    if api_endpoint:
        system["apiEndpoint"] = api_endpoint
    if api_access_token:
        system["apiAccessToken"] = api_access_token
    if permissions is not None:
        # {"consentToken": "…", "scopes": {"alexa::alerts:reminders:skill:readwrite": {"status": "GRANTED"}}}
        system["user"]["permissions"] = permissions
    if with_session:
        session = envelope["session"]
        session.update(new=new, attributes=attributes or {})
        session["user"]["userId"] = user_id
        session["application"]["applicationId"] = skill_id
        if session_id:
            session["sessionId"] = session_id
    else:
        del envelope["session"]
    request = envelope["request"]
    request.update(requestId=f"amzn1.echo-api.request.{uuid.uuid4()}", timestamp=now_iso(), locale=locale)
    return envelope


def launch(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("new", True)
    envelope = _base(**kwargs)
    request = envelope["request"]
    for key in ("intent", "dialogState"):
        request.pop(key)
    request["type"] = "LaunchRequest"
    return envelope


def intent(
    name: str,
    slots: dict[str, str | Slot] | None = None,
    *,
    dialog_state: str | None = None,
    confirmation: str = "NONE",
    **kwargs: Any,
) -> dict[str, Any]:
    envelope = _base(**kwargs)
    request = envelope["request"]
    request["intent"] = {
        "name": name,
        "confirmationStatus": confirmation,
        "slots": {
            slot_name: (value if isinstance(value, Slot) else Slot(value)).to_json(slot_name)
            for slot_name, value in (slots or {}).items()
        },
    }
    if dialog_state:
        request["dialogState"] = dialog_state
    else:
        request.pop("dialogState")
    return envelope


def session_ended(
    reason: str = "USER_INITIATED", error: dict[str, str] | None = None, **kwargs: Any
) -> dict[str, Any]:
    envelope = _base(**kwargs)
    request = envelope["request"]
    for key in ("intent", "dialogState"):
        request.pop(key)
    request.update(type="SessionEndedRequest", reason=reason)
    if error:
        request["error"] = error
    return envelope


def audio_event(event: str, token: str = "", offset_ms: int = 0, **kwargs: Any) -> dict[str, Any]:
    """An AudioPlayer.* or PlaybackController.* request: no session, as Alexa sends them."""
    kwargs.setdefault("audio_player", True)
    envelope = _base(with_session=False, **kwargs)
    request = envelope["request"]
    for key in ("intent", "dialogState"):
        request.pop(key)
    request["type"] = event
    if event.startswith("AudioPlayer."):
        request.update(token=token, offsetInMilliseconds=offset_ms)
        envelope["context"]["AudioPlayer"] = {
            "token": token,
            "offsetInMilliseconds": offset_ms,
            "playerActivity": "PLAYING",
        }
    if event == "AudioPlayer.PlaybackFailed":
        request["error"] = {"type": "MEDIA_ERROR_UNKNOWN", "message": "test failure"}
    return envelope


def connections_response(
    name: str = "AskFor", status: str = "ACCEPTED", code: str = "200", token: str = "", **kwargs: Any
) -> dict[str, Any]:
    """The answer to a Connections.SendRequest (e.g. the voice permission prompt), in session."""
    envelope = _base(**kwargs)
    request = envelope["request"]
    for key in ("intent", "dialogState"):
        request.pop(key)
    request.update(
        type="Connections.Response",
        name=name,
        token=token,
        status={"code": code, "message": "OK" if code == "200" else "error"},
        payload={"status": status, "permissionScope": "alexa::alerts:reminders:skill:readwrite"}
        if name == "AskFor"
        else {},
    )
    return envelope


def skill_event(event: str = "AlexaSkillEvent.SkillDisabled", **kwargs: Any) -> dict[str, Any]:
    envelope = _base(with_session=False, **kwargs)
    request = envelope["request"]
    for key in ("intent", "dialogState", "locale"):
        request.pop(key)
    request["type"] = event
    request["body"] = {"userInformation": {"persistenceStatus": "NON_PERSISTENT"}}
    return envelope
