"""The user's persistent record (one item per user in SQLite or DynamoDB), migrated on read.

What may be stored is listed in ``skill.state.schema``. Each top-level entry has one owner module;
``profile`` is shared by small owners (``skill.personal.preferences``, ``skill.safety``, the diary's
medicines, the check-in's nights), each of which owns its own keys inside it.
"""

from __future__ import annotations

from typing import Any, cast

from ask_sdk_core.handler_input import HandlerInput

_MIGRATED = "cc.user_migrated"  # request attribute: this request's record has been migrated


def migrate(record: dict[str, Any]) -> bool:
    """Make a stored record readable by this code, in place; True when something changed.

    Records written before this layer existed have today's layout, so migrating them only drops values
    of the wrong type (a hand-edited or truncated item) rather than failing every later request. A
    future layout change adds its conversion here, and the tests in ``tests/test_state.py`` load the
    old layout from SQLite and DynamoDB.
    """
    changed = False
    for key, kind in (("profile", dict), ("open_cramp", dict), ("unfinished", dict)):
        if key in record and not isinstance(record[key], kind):
            del record[key]
            changed = True
    profile = record.get("profile")
    if isinstance(profile, dict):
        kinds = (("preferences", dict), ("nights", dict), ("last_technique", dict), ("leg_hold", dict))
        for key, kind in kinds:
            if key in profile and not isinstance(profile[key], kind):
                del profile[key]
                changed = True
    return changed


def record(handler_input: HandlerInput) -> dict[str, Any]:
    """The user's persistent attributes, migrated the first time they are read in a request."""
    attributes = cast(dict[str, Any], handler_input.attributes_manager.persistent_attributes)
    request = handler_input.attributes_manager.request_attributes
    if not request.get(_MIGRATED):
        request[_MIGRATED] = True
        migrate(attributes)
    return attributes


def profile(handler_input: HandlerInput) -> dict[str, Any]:
    """The user's persistent profile (created on first access)."""
    found = record(handler_input).setdefault("profile", {})
    return cast(dict[str, Any], found)


def save(handler_input: HandlerInput) -> None:
    handler_input.attributes_manager.save_persistent_attributes()
