"""Phrase catalog: every sentence the skill says, loaded once from ``responses/``.

Layout: ``responses/<locale>/phrases/<namespace>.json``; a file's nested keys are flattened with
dots and prefixed by its namespace (``launch.json`` → ``launch.welcome``). A value is a string or a
list of variants to choose from. A locale's files override the language base (``en-GB`` over
``en``), so a key resolves ``en-GB`` → ``en`` → the default language. Whatever file a phrase comes
from, it is put into the requesting locale's spelling (``skill.content.spelling``; see
``docs/locales.md``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from skill.content.locales import RESPONSES_DIR, respell

DEFAULT_LANGUAGE = "en"


class CatalogError(LookupError):
    """A phrase key that no locale in the fallback chain defines, or bad phrase data."""


def locale_chain(locale: str | None) -> list[str]:
    """Fallback order for a locale: itself, its language, then the default language."""
    chain: list[str] = []
    if locale:
        chain.append(locale)
        language = locale.split("-")[0]
        if language != locale:
            chain.append(language)
    if DEFAULT_LANGUAGE not in chain:
        chain.append(DEFAULT_LANGUAGE)
    return chain


def _flatten(prefix: str, value: object, into: dict[str, list[str]], source: Path) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}", inner, into, source)
    elif isinstance(value, str):
        into[prefix] = [value]
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        into[prefix] = list(value)
    else:
        raise CatalogError(f"{source}: {prefix} must be a string or a non-empty list of strings")


class Catalog:
    """Phrases per locale with fallback; ``text()`` picks a variant and fills ``{named}`` fields."""

    def __init__(self, root: Path = RESPONSES_DIR, rng: random.Random | None = None) -> None:
        self.root = root
        self.rng = rng or random.Random()
        self._tables: dict[str, dict[str, list[str]]] = {}
        self._spelled: dict[tuple[str | None, str], list[str]] = {}
        for directory in sorted(p for p in root.iterdir() if (p / "phrases").is_dir()):
            table: dict[str, list[str]] = {}
            for path in sorted((directory / "phrases").glob("*.json")):
                _flatten(path.stem, json.loads(path.read_text(encoding="utf-8")), table, path)
            self._tables[directory.name] = table

    @property
    def locales(self) -> list[str]:
        return sorted(self._tables)

    def variants(self, locale: str | None, key: str) -> list[str]:
        """A phrase's variants as the locale hears them: its own or a fallback's, in its spelling."""
        cached = self._spelled.get((locale, key))
        if cached is not None:
            return cached
        for candidate in locale_chain(locale):
            table = self._tables.get(candidate, {})
            if key in table:
                spell = respell(locale, self.root)
                spelled = [spell(variant) for variant in table[key]]
                self._spelled[(locale, key)] = spelled
                return spelled
        raise CatalogError(f"no phrase {key!r} for locale {locale!r}")

    def source(self, locale: str | None, key: str) -> str | None:
        """The directory a locale's phrase comes from (``en-GB`` or the ``en`` base); None if missing."""
        return next((c for c in locale_chain(locale) if key in self._tables.get(c, {})), None)

    def has(self, locale: str | None, key: str) -> bool:
        return any(key in self._tables.get(c, {}) for c in locale_chain(locale))

    def text(self, locale: str | None, key: str, **params: object) -> str:
        """One variant of a phrase with its fields filled in (plain text, not yet escaped)."""
        template = self.rng.choice(self.variants(locale, key))
        try:
            return template.format(**params)
        except (KeyError, IndexError) as exc:
            raise CatalogError(f"phrase {key!r} needs field {exc}") from exc

    def keys(self, locale: str | None = None) -> set[str]:
        """Every key visible from a locale (all keys of all locales when None)."""
        if locale is None:
            return set().union(*self._tables.values()) if self._tables else set()
        return set().union(*(self._tables.get(c, {}) for c in locale_chain(locale)))

    def items(self, locale: str) -> Iterator[tuple[str, list[str]]]:
        for key in sorted(self.keys(locale)):
            yield key, self.variants(locale, key)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The catalog of the repository's responses, loaded once per process."""
    return Catalog()
