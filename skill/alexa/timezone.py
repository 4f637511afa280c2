"""The user's time zone, so "last night" and "around 3 am" mean the user's night, not the server's.

Asked from the Alexa settings API once per device and cached in the process (an hour when found,
ten minutes when not, so an unreachable API costs one attempt, not one per request). When the API
does not answer, the locale's most populous zone is a better guess than UTC.
"""

from __future__ import annotations

import logging
import threading
import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.interfaces.system import SystemState

log = logging.getLogger(__name__)

FOUND_TTL_S, MISSING_TTL_S = 3600.0, 600.0
LOCALE_ZONES = {
    "en-US": "America/New_York",
    "en-CA": "America/Toronto",
    "en-GB": "Europe/London",
    "en-AU": "Australia/Sydney",
    "en-IN": "Asia/Kolkata",
}
_cache: dict[tuple[str, str], tuple[str | None, float]] = {}
_lock = threading.Lock()


def _system(envelope: RequestEnvelope) -> SystemState | None:
    return envelope.context.system if envelope.context is not None else None


def _device_id(envelope: RequestEnvelope) -> str | None:
    system = _system(envelope)
    device = system.device if system is not None else None
    return device.device_id if device is not None and device.device_id else None


def fetch_zone(handler_input: HandlerInput) -> str | None:
    """The device's zone id from the Alexa settings API, or None when it cannot be had."""
    device_id = _device_id(handler_input.request_envelope)
    if device_id is None:  # zone_name asks only for a device it can name
        return None
    try:
        zone = handler_input.service_client_factory.get_ups_service().get_system_time_zone(device_id)
    except Exception as exc:  # any failure (no API client, network, 403...) means "unknown"
        log.info("device time zone unavailable: %s", type(exc).__name__)
        return None
    return zone if isinstance(zone, str) and zone else None


def _valid(name: str | None) -> str | None:
    try:
        return name if name and ZoneInfo(name) else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_name(handler_input: HandlerInput) -> str:
    """The IANA zone of the user's device (cached), else the locale's usual zone, else UTC."""
    envelope = handler_input.request_envelope
    device = _device_id(envelope) or ""
    key = (getattr(_system(envelope), "api_endpoint", None) or "", device)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[1] > now:
        zone = cached[0]
    else:
        zone = _valid(fetch_zone(handler_input)) if device else None
        with _lock:
            _cache[key] = (zone, now + (FOUND_TTL_S if zone else MISSING_TTL_S))
    locale = getattr(envelope.request, "locale", None) or ""
    return zone or LOCALE_ZONES.get(locale, "UTC")


def user_zone(handler_input: HandlerInput) -> ZoneInfo:
    return ZoneInfo(zone_name(handler_input))


def clear_cache() -> None:
    with _lock:
        _cache.clear()
