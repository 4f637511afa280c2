"""Daily reminders through the Alexa Reminders API: clock times as Alexa hears them, requests as the
API wants them, and the API's answers turned into what a handler can speak.

Every reminder this skill creates recurs daily (the bedtime routine is a nightly habit). Times are
local to the device: the API takes naive ISO times plus the device's time zone id.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.interfaces.system import SystemState
from ask_sdk_model.services import ServiceException
from ask_sdk_model.services.reminder_management import (
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    Recurrence,
    ReminderManagementServiceClient,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)
from ask_sdk_model.services.service_client_response import ServiceClientResponse

log = logging.getLogger(__name__)

SCOPE = "alexa::alerts:reminders:skill:readwrite"
# AMAZON.TIME resolves "tonight", "in the evening" and so on to a period, not a clock time.
VAGUE_TIMES = {"MO", "AF", "EV", "NI"}
# "At ten every night" arrives as 10:00; in the evening or at night an hour from 5 to 11 means PM.
EVENING_REPEATS = {"NIGHT", "EVENING"}
_CLOCK = re.compile(r"^T?(\d{1,2}):(\d{2})")
_RULE_PART = re.compile(r"(BYHOUR|BYMINUTE)=(\d{1,2})")


class NoPermission(Exception):
    """The user has not granted (or has withdrawn) the reminders permission."""


class ReminderServiceError(Exception):
    """The Reminders API failed for a reason other than permission (throttled, down, bad request)."""


@dataclass(frozen=True, order=True)
class ClockTime:
    """A local time of day, minute precision."""

    hour: int
    minute: int

    @property
    def hhmm(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def for_repeat(self, repeat: str | None) -> ClockTime:
        """The time the user meant, given how they said the recurrence ("at ten every night" → 22:00)."""
        if repeat in EVENING_REPEATS:
            if 5 <= self.hour <= 11:
                return ClockTime(self.hour + 12, self.minute)
            if self.hour == 12 and repeat == "NIGHT":
                return ClockTime(0, self.minute)
        return self

    def daily_rule(self) -> str:
        """The RFC 5545 rule the Reminders API expects for a reminder at this time every day."""
        return f"FREQ=DAILY;BYHOUR={self.hour};BYMINUTE={self.minute};BYSECOND=0;INTERVAL=1;"


def parse_time(value: str | None) -> ClockTime | None:
    """An AMAZON.TIME value ("22:00") as a clock time; None for empty, vague ("NI") or odd values."""
    match = _CLOCK.match(value or "")
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return ClockTime(hour, minute) if hour < 24 and minute < 60 else None


def is_vague(value: str | None) -> bool:
    """True for AMAZON.TIME periods such as "NI" (night), which need a clock time to become a reminder."""
    return (value or "").upper() in VAGUE_TIMES


@dataclass(frozen=True)
class StoredReminder:
    """One of this skill's reminders as the API lists it."""

    token: str
    time: ClockTime | None


def reminder_time(alert: dict[str, Any]) -> ClockTime | None:
    """The daily time of a reminder listed by the API, from its recurrence rule or scheduled time."""
    trigger = alert.get("trigger") or {}
    for rule in (trigger.get("recurrence") or {}).get("recurrenceRules") or []:
        parts = dict(_RULE_PART.findall(rule))
        if "BYHOUR" in parts:
            return ClockTime(int(parts["BYHOUR"]), int(parts.get("BYMINUTE", 0)))
    scheduled = trigger.get("scheduledTime") or ""
    return parse_time(scheduled.partition("T")[2]) if "T" in scheduled else None


def local_now(time_zone: str | None) -> datetime:
    """Naive local wall-clock time in the device's zone (UTC when the zone is unknown here)."""
    try:
        zone = ZoneInfo(time_zone) if time_zone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone).replace(tzinfo=None, microsecond=0)


def build_request(
    time: ClockTime, text: str, locale: str, time_zone: str | None, now: datetime
) -> ReminderRequest:
    """A reminder at ``time`` every day from now on, spoken as ``text``."""
    return ReminderRequest(
        request_time=now,
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            time_zone_id=time_zone,
            recurrence=Recurrence(start_date_time=now, recurrence_rules=[time.daily_rule()]),
        ),
        alert_info=AlertInfo(spoken_info=SpokenInfo(content=[SpokenText(locale=locale, text=text)])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


def _system(handler_input: HandlerInput) -> SystemState:
    context = handler_input.request_envelope.context
    # Typed Optional by ask-sdk-model; Alexa always sends it, and the web app refuses envelopes without.
    assert context is not None and context.system is not None, "request envelope without context.System"
    return context.system


def has_permission(handler_input: HandlerInput) -> bool | None:
    """What the request says about the reminders permission: True, False, or None when it doesn't say.

    Alexa lists granted scopes under ``user.permissions.scopes`` on newer requests; older ones only
    carry a ``consentToken`` once the user granted something. The API's 401/403 is the final word.
    """
    user = _system(handler_input).user
    permissions = getattr(user, "permissions", None)
    if permissions is None:
        return False
    scope = (permissions.scopes or {}).get(SCOPE)
    if scope is not None and scope.status is not None:
        return getattr(scope.status, "value", scope.status) == "GRANTED"
    return True if permissions.consent_token else None


class _ReminderClient(ReminderManagementServiceClient):
    """ask-sdk's client, with listing that reads plain JSON.

    ask-sdk-model's generated ``AlertInfo`` names a module that does not exist
    (``alert_info_spoken_info``), so typed deserialisation of a listed reminder always fails.
    """

    def list_raw(self) -> dict[str, Any]:
        # ask-sdk-model's per-argument type comments on ``invoke`` give ``self`` the type ``str``.
        response = self.invoke(  # type: ignore[misc]
            method="GET",
            endpoint=self._api_endpoint,
            path="/v1/alerts/reminders",
            path_params={},
            query_params=[],
            header_params=[
                ("Content-type", "application/json"),
                ("User-Agent", self.user_agent),
                ("Authorization", "Bearer " + self._authorization_value),
            ],
            body=None,
            response_definitions=[
                ServiceClientResponse(response_type="object", status_code=200, message="Success"),
            ],
            response_type="object",
        )
        assert response is not None, "invoke returns a response or raises ServiceException"
        # Deserialised as plain "object": the JSON object the API answers with.
        return cast(dict[str, Any], response.body or {})


def _classified(exc: ServiceException) -> Exception:
    if exc.status_code in (401, 403):
        return NoPermission(str(exc))
    log.warning("reminders API failed status=%s message=%s", exc.status_code, exc)
    return ReminderServiceError(str(exc))


class Reminders:
    """This skill's reminders for the user of one request."""

    def __init__(self, handler_input: HandlerInput) -> None:
        self.handler_input = handler_input
        try:
            factory = handler_input.service_client_factory
        except ValueError as exc:  # the skill builder was built without an API client
            raise ReminderServiceError(str(exc)) from exc
        self._client = _ReminderClient(factory.api_configuration)
        self._factory = factory

    def time_zone(self) -> str | None:
        """The device's time zone id, or None when the settings API doesn't answer."""
        device = _system(self.handler_input).device
        if device is None or device.device_id is None:
            log.info("no device time zone: the request names no device")
            return None
        try:
            zone = self._factory.get_ups_service().get_system_time_zone(device.device_id)
        except (ServiceException, AttributeError) as exc:
            log.info("no device time zone: %s", exc)
            return None
        return zone if isinstance(zone, str) and zone else None

    def create(self, time: ClockTime, text: str) -> str:
        """Create a daily reminder; returns its alert token."""
        incoming = self.handler_input.request_envelope.request
        locale = (incoming.locale if incoming is not None else None) or "en-US"
        zone = self.time_zone()
        request = build_request(time, text, locale, zone, local_now(zone))
        try:
            response = self._client.create_reminder(request)
        except ServiceException as exc:
            raise _classified(exc) from exc
        return str(getattr(response, "alert_token", "") or "")

    def active(self) -> list[StoredReminder]:
        """Reminders of this skill that will still ring, earliest time of day first."""
        try:
            body = self._client.list_raw()
        except ServiceException as exc:
            raise _classified(exc) from exc
        found = [
            StoredReminder(str(alert.get("alertToken")), reminder_time(alert))
            for alert in body.get("alerts") or []
            if alert.get("status", "ON") == "ON" and alert.get("alertToken")
        ]
        return sorted(found, key=lambda r: (r.time is None, r.time or ClockTime(0, 0)))

    def delete(self, token: str) -> None:
        try:
            self._client.delete_reminder(token)
        except ServiceException as exc:
            raise _classified(exc) from exc
