"""Spelling per locale: one table (``responses/spelling.json``) turns the base spelling into a locale's.

The content is written once, in the base system (British: visualisation, practise, colour). Each
locale names a spelling system in ``responses/locales.json``; loading a phrase, a script line or an
interaction model text for that locale replaces every word the table knows with the system's
spelling. Replacement is whole-word and case-preserving (Visualisation → Visualization), and never
touches ``{field}`` placeholders or ``<markup>``. A row marked ``one_way`` replaces only the base
spelling, because its other spellings are also right in the base system (the noun practice).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

SPELLING_FILE = "spelling.json"
# Placeholders and markup pass through untouched: "{practised}" is a field name, not a word.
_PROTECTED = re.compile(r"(\{[^{}]*\}|<[^<>]*>)")


class SpellingError(ValueError):
    """A spelling table that is malformed or maps one word two ways."""


def _match_case(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


class Respeller:
    """Replaces words with one system's spelling; ``Respeller({})`` changes nothing."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = dict(table)
        words = sorted(self.table, key=len, reverse=True)
        self._pattern = (
            re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE) if words else None
        )

    def _swap(self, match: re.Match[str]) -> str:
        found = match.group(0)
        return _match_case(found, self.table[found.lower()])

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        pattern = self._pattern
        parts = _PROTECTED.split(text)
        return "".join(part if i % 2 else pattern.sub(self._swap, part) for i, part in enumerate(parts))


IDENTITY = Respeller({})


@dataclass(frozen=True)
class SpellingTable:
    """The rows of ``spelling.json``: each word in every system, the base system first."""

    base: str
    systems: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]

    @classmethod
    def parse(cls, data: Any, source: str = SPELLING_FILE) -> SpellingTable:
        if not isinstance(data, dict) or not isinstance(data.get("words"), list):
            raise SpellingError(f"{source}: needs base, systems and a list of words")
        systems = tuple(data.get("systems", []))
        base = data.get("base")
        if base not in systems:
            raise SpellingError(f"{source}: base {base!r} is not one of the systems {list(systems)}")
        for index, row in enumerate(data["words"]):
            where = f"{source}: words[{index}]"
            if not isinstance(row, dict) or set(row) - {*systems, "one_way", "$comment"}:
                raise SpellingError(
                    f"{where}: a row maps each of {list(systems)} to a word (and may be one_way)"
                )
            for system in systems:
                word = row.get(system)
                if not isinstance(word, str) or not re.fullmatch(r"[a-z]+(?:[-'][a-z]+)*", word):
                    raise SpellingError(f"{where}: {system} must be one lower-case word")
        table = cls(str(base), systems, tuple(data["words"]))
        for system in systems:
            table.replacements(system)  # conflicts are found when loading, not when speaking
        return table

    def replacements(self, system: str) -> dict[str, str]:
        """Word → its spelling in ``system``; raises SpellingError for a word mapped two ways."""
        if system not in self.systems:
            raise SpellingError(f"unknown spelling system {system!r} (known: {list(self.systems)})")
        out: dict[str, str] = {}
        for row in self.rows:
            target = row[system]
            sources = {row[self.base]} if row.get("one_way") else {row[s] for s in self.systems}
            for word in sources - {target}:
                if out.get(word, target) != target:
                    raise SpellingError(
                        f"{word!r} would become both {out[word]!r} and {target!r} in {system}"
                    )
                out[word] = target
        chained = sorted(set(out) & set(out.values()))
        if chained:
            raise SpellingError(f"{system}: {chained} are both replaced and replacements")
        return out


@lru_cache(maxsize=8)
def load_table(root: Path) -> SpellingTable | None:
    """The table in ``<root>/spelling.json``; None when a responses tree has none (tests, fixtures)."""
    path = root / SPELLING_FILE
    if not path.is_file():
        return None
    return SpellingTable.parse(json.loads(path.read_text(encoding="utf-8")), str(path.name))


@lru_cache(maxsize=64)
def respeller(root: Path, system: str | None) -> Respeller:
    """The respelling function for a system (identity without a table or a system)."""
    table = load_table(root)
    if table is None or system is None:
        return IDENTITY
    return Respeller(table.replacements(system))


Respell = Callable[[str], str]
