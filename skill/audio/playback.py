"""Playback bookkeeping without ask-sdk: stream tokens, the stored position, and stream URLs.

A token names exactly what is playing: the audio's content hash, the part, how many parts there
are, and the script and options it was rendered from (so a lost cache can be rebuilt). Playback
events arrive without a session, so the position lives in persistent attributes under
``playback``; resuming days later reads it back.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from skill.config import Settings

TOKEN_PREFIX = "cc1"
MAX_TOKEN_CHARS = 1024  # the AudioPlayer's limit for stream tokens
DEV_AUDIO_BASE = "http://127.0.0.1:8000/audio"
_KEY = re.compile(r"^[0-9a-f]{64}$")


class TokenError(ValueError):
    """A token this skill did not issue (another skill's, or damaged)."""


@dataclass(frozen=True)
class Token:
    """What one stream is: part ``part`` of ``parts`` of the audio ``key`` for ``script`` + ``options``."""

    key: str
    part: int
    parts: int
    script: str
    options: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> str:
        options = json.dumps(self.options, sort_keys=True, separators=(",", ":"))
        value = f"{TOKEN_PREFIX}|{self.key}|{self.part}|{self.parts}|{self.script}|{options}"
        if len(value) > MAX_TOKEN_CHARS:
            raise TokenError("token too long")
        return value

    @classmethod
    def decode(cls, value: str | None) -> Token:
        try:
            prefix, key, part, parts, script, options = (value or "").split("|", 5)
            token = cls(key, int(part), int(parts), script, json.loads(options))
        except (ValueError, TypeError) as exc:
            raise TokenError(f"not a Cramp Coach token: {value!r:.80}") from exc
        if prefix != TOKEN_PREFIX or not _KEY.match(key) or not 1 <= token.part <= token.parts:
            raise TokenError(f"not a Cramp Coach token: {value!r:.80}")
        if not isinstance(token.options, dict):
            raise TokenError("token options must be an object")
        return token

    def at(self, part: int) -> Token:
        """The same session at another part (clamped to the parts that exist)."""
        return replace(self, part=max(1, min(self.parts, part)))

    @property
    def file(self) -> str:
        from skill.audio.store import part_name  # the renderer loads on first use (cold starts)

        return part_name(self.key, self.part)


def decode_or_none(value: str | None) -> Token | None:
    try:
        return Token.decode(value)
    except TokenError:
        return None


@dataclass
class Position:
    """The stored playback state (persistent attribute ``playback``)."""

    token: str
    offset_ms: int = 0
    status: str = "playing"  # playing, stopped, finished, failed
    updated: str = ""
    locale: str | None = None

    @classmethod
    def load(cls, attributes: dict[str, Any]) -> Position | None:
        data = attributes.get("playback")
        if not isinstance(data, dict) or decode_or_none(data.get("token")) is None:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self, attributes: dict[str, Any]) -> None:
        self.updated = datetime.now(UTC).isoformat(timespec="seconds")
        attributes["playback"] = asdict(self)

    @property
    def parsed(self) -> Token:
        return Token.decode(self.token)

    @property
    def resumable(self) -> bool:
        return self.status in {"playing", "stopped"}


class InsecureAudioURL(ValueError):
    """An http:// audio URL while request verification is on (production)."""


@dataclass(frozen=True)
class WebRequest:
    """What the web service tells the skill about the HTTP request (passed as ``handler_input.context``;
    on Lambda that is the Lambda context instead, which has no ``audio_base_url``)."""

    audio_base_url: str  # this server's own /audio, as the client reached it (scheme, host and port)


def base_url(settings: Settings, served_at: str | None = None) -> str | None:
    """Where clients fetch audio: the configured base; in development without one, the server the
    request came to (``served_at``), or the default local server when there is none (in-process chat)."""
    base = settings.audio_base_url
    if not base:
        return None if settings.verify else (served_at or DEV_AUDIO_BASE).rstrip("/")
    scheme = urlsplit(base).scheme
    if scheme == "https" or (scheme == "http" and not settings.verify):
        return base.rstrip("/")
    raise InsecureAudioURL(f"AUDIO_BASE_URL must be https:// in production (got {scheme or 'no'} scheme)")


def stream_url(settings: Settings, token: Token, served_at: str | None = None) -> str | None:
    base = base_url(settings, served_at)
    return f"{base}/{token.file}" if base else None
