"""The locales the skill serves and what differs between them beyond phrase overrides.

``responses/locales.json`` lists each locale with its spelling system (``responses/spelling.json``),
how it says a date and whether it speaks 12- or 24-hour times. Every locale-dependent formatting
goes through here (``spoken_time``, ``spoken_date``, ``respell``) so that adding a locale is a data
change: see ``docs/locales.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from skill.content.spelling import Respeller, respeller

RESPONSES_DIR = Path(__file__).resolve().parents[2] / "responses"
LOCALES_FILE = "locales.json"
DATE_ORDERS = ("month_day", "day_month")
CLOCKS = (12, 24)


class LocaleError(ValueError):
    """``locales.json`` is malformed."""


@dataclass(frozen=True)
class LocaleInfo:
    """One locale's settings."""

    locale: str
    name: str
    spelling: str | None  # None: the content's own spelling
    date: str = "month_day"
    clock: int = 12


# What a request in a locale the skill does not list gets: the base content, US-style dates.
UNLISTED = LocaleInfo("", "English", None)


def _parse(data: Any, source: str) -> dict[str, LocaleInfo]:
    if not isinstance(data, dict):
        raise LocaleError(f"{source}: must map locales to their settings")
    out = {}
    for locale, spec in data.items():
        if locale.startswith("$"):
            continue
        where = f"{source}: {locale}"
        if not isinstance(spec, dict) or set(spec) - {"name", "spelling", "date", "clock"}:
            raise LocaleError(f"{where}: settings are name, spelling, date and clock")
        info = LocaleInfo(
            locale,
            str(spec.get("name", locale)),
            spec.get("spelling"),
            spec.get("date", "month_day"),
            spec.get("clock", 12),
        )
        if info.spelling is not None and not isinstance(info.spelling, str):
            raise LocaleError(f"{where}: spelling names a system of spelling.json")
        if info.date not in DATE_ORDERS:
            raise LocaleError(f"{where}: date must be one of {DATE_ORDERS}")
        if info.clock not in CLOCKS:
            raise LocaleError(f"{where}: clock must be one of {CLOCKS}")
        out[locale] = info
    return out


@lru_cache(maxsize=8)
def load_locales(root: Path = RESPONSES_DIR) -> dict[str, LocaleInfo]:
    """The locales listed in ``<root>/locales.json``, in file order (empty when there is no file)."""
    path = root / LOCALES_FILE
    if not path.is_file():
        return {}
    return _parse(json.loads(path.read_text(encoding="utf-8")), path.name)


def supported_locales(root: Path = RESPONSES_DIR) -> list[str]:
    """Every locale the skill serves, each with its own interaction model."""
    return list(load_locales(root))


def info(locale: str | None, root: Path = RESPONSES_DIR) -> LocaleInfo:
    """A locale's settings; an unlisted locale (or None) gets the base content's."""
    return load_locales(root).get(locale or "", UNLISTED)


def respell(locale: str | None, root: Path = RESPONSES_DIR) -> Respeller:
    """The function that puts text into a locale's spelling."""
    return respeller(root, info(locale, root).spelling)


def spoken_time(hour: int, minute: int, locale: str | None) -> str:
    """A time of day as the locale says it: ``3 am``, ``11:45 pm`` (12-hour) or ``03:10``, ``23:45``."""
    if info(locale).clock == 24:
        return f"{hour:02d}:{minute:02d}"
    twelve = hour % 12 or 12
    suffix = "am" if hour < 12 else "pm"
    return f"{twelve} {suffix}" if minute == 0 else f"{twelve}:{minute:02d} {suffix}"


def spoken_date(day: date, locale: str | None) -> str:
    """A day as the locale says it: ``November 3`` or ``3 November`` (Alexa reads the ordinal)."""
    if info(locale).date == "day_month":
        return f"{day.day} {day:%B}"
    return f"{day:%B} {day.day}"
