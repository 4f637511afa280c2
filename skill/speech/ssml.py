"""SSML building and validation: every spoken response passes through here.

ask-sdk-core's ``speak()`` neither escapes text nor checks Alexa's limits, so the skill builds SSML
with these helpers and validates the whole document before it leaves the process.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

MAX_SPEECH_CHARS = 8000  # outputSpeech must be *under* this (Request and Response JSON reference)
MAX_BREAK_SECONDS = 10.0  # longest single <break> Alexa accepts (SSML reference)
MAX_AUDIO_TAGS = 5

ALLOWED_TAGS = frozenset(
    {
        "speak",
        "audio",
        "break",
        "emphasis",
        "lang",
        "p",
        "phoneme",
        "prosody",
        "s",
        "say-as",
        "sub",
        "voice",
        "w",
        "amazon:domain",
        "amazon:effect",
        "amazon:emotion",
    }
)
# Voice styles Alexa offers only in some locales (alexa-platform.md; where sources disagree, the
# stricter list): tag → its ``name`` → the locales that have it. Anything not listed here is taken as
# unsupported in every locale, so the skill never sends a style a device would reject.
LOCALE_LIMITED: dict[str, dict[str, frozenset[str]]] = {
    "amazon:domain": {
        "conversational": frozenset({"en-US"}),
        "long-form": frozenset({"en-US"}),
        "music": frozenset({"en-US"}),
        "news": frozenset({"en-US", "en-AU"}),
    },
    "amazon:emotion": {
        "excited": frozenset({"en-US", "en-GB"}),
        "disappointed": frozenset({"en-US", "en-GB"}),
    },
}
_BREAK_STRENGTHS = frozenset({"none", "x-weak", "weak", "medium", "strong", "x-strong"})
_RATE_WORDS = frozenset({"x-slow", "slow", "medium", "fast", "x-fast"})
_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")
# ElementTree cannot parse a prefix it has no namespace for; Alexa's amazon: tags have none.
_AMAZON_PREFIX = re.compile(r"<(/?)amazon:")


class SSMLError(ValueError):
    """Speech that Alexa would reject."""


def escape(text: str) -> str:
    """Escape text for inclusion in SSML (ampersands, angle brackets and quotes)."""
    # What xml.sax.saxutils.escape(text, {'"': "&quot;"}) does; that module imports urllib.request,
    # http.client, email and ssl, which cost a cold start more than the rest of the speech layer.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _format_seconds(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


def pause(seconds: float) -> str:
    """Silence of any length as a chain of breaks, none longer than Alexa's 10 s cap."""
    if seconds < 0:
        raise SSMLError(f"negative pause: {seconds}")
    parts = []
    remaining = round(seconds * 1000)
    cap = round(MAX_BREAK_SECONDS * 1000)
    while remaining > 0:
        chunk = min(remaining, cap)
        parts.append(f'<break time="{_format_seconds(chunk / 1000)}"/>')
        remaining -= chunk
    return "".join(parts)


def whisper(inner: str) -> str:
    """Wrap already-built SSML in Alexa's whispered effect."""
    return f'<amazon:effect name="whispered">{inner}</amazon:effect>'


def supports(locale: str | None, tag: str, name: str) -> bool:
    """Whether Alexa speaks ``<tag name="name">`` in a locale (always, for tags that are not limited)."""
    if tag not in LOCALE_LIMITED:
        return True
    return isinstance(locale, str) and locale in LOCALE_LIMITED[tag].get(name, frozenset())


def styled(inner: str, locale: str | None, tag: str, name: str, **attributes: str) -> str:
    """Wrap SSML in a locale-limited style (``amazon:domain``, ``amazon:emotion``) where the locale has it.

    The one way to emit these tags: elsewhere the words are returned plain, which Alexa speaks in
    its normal voice, instead of a response Alexa would reject.
    """
    if not supports(locale, tag, name):
        return inner
    attrs = "".join(f' {key}="{value}"' for key, value in sorted(attributes.items()))
    return f'<{tag} name="{name}"{attrs}>{inner}</{tag}>'


def prosody(inner: str, *, rate: str | None = None, volume: str | None = None) -> str:
    """Wrap already-built SSML in a prosody tag (rate as a word or N%, volume as a word or ±NdB)."""
    attrs = "".join(f' {name}="{value}"' for name, value in (("rate", rate), ("volume", volume)) if value)
    return f"<prosody{attrs}>{inner}</prosody>" if attrs else inner


def speak(body: str, locale: str | None = None) -> str:
    """Wrap a body in <speak> and validate the result (for the locale, when given)."""
    document = f"<speak>{body}</speak>"
    validate(document, locale)
    return document


def _seconds(value: str) -> float:
    match = _TIME.match(value.strip())
    if not match:
        raise SSMLError(f"bad break time {value!r}")
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "ms" else number


def _check_element(element: ET.Element, locale: str | None) -> int:
    tag = element.tag.replace("amazon-", "amazon:", 1) if element.tag.startswith("amazon-") else element.tag
    if tag not in ALLOWED_TAGS:
        raise SSMLError(f"tag <{tag}> is not allowed")
    if locale is not None and not supports(locale, tag, element.attrib.get("name", "")):
        raise SSMLError(f'<{tag} name="{element.attrib.get("name", "")}"> is not available in {locale}')
    audio_tags = 1 if tag == "audio" else 0
    if tag == "break":
        if "time" in element.attrib and _seconds(element.attrib["time"]) > MAX_BREAK_SECONDS:
            raise SSMLError(f"break of {element.attrib['time']} exceeds {MAX_BREAK_SECONDS:g} s")
        strength = element.attrib.get("strength")
        if strength is not None and strength not in _BREAK_STRENGTHS:
            raise SSMLError(f"bad break strength {strength!r}")
    if tag == "prosody" and "rate" in element.attrib:
        rate = element.attrib["rate"]
        match = _PERCENT.match(rate)
        if not (rate in _RATE_WORDS or (match and float(match.group(1)) >= 20)):
            raise SSMLError(f"bad prosody rate {rate!r}")
    if tag == "audio" and not element.attrib.get("src", "").startswith("https://"):
        raise SSMLError("audio src must be https")
    for child in element:
        audio_tags += _check_element(child, locale)
    return audio_tags


@lru_cache(maxsize=1024)
def validate(document: str, locale: str | None = None) -> None:
    """Raise SSMLError unless the document is SSML Alexa accepts (in ``locale``, when given).

    Cached: most replies are said again and again (help, welcome, prompts), and a document that
    passed once passes again; a failure raises, and raising is never cached.
    """
    if len(document) >= MAX_SPEECH_CHARS:
        raise SSMLError(f"speech is {len(document)} characters; Alexa needs under {MAX_SPEECH_CHARS}")
    try:
        root = ET.fromstring(_AMAZON_PREFIX.sub(r"<\1amazon-", document))
    except ET.ParseError as exc:
        raise SSMLError(f"not well-formed SSML: {exc}") from exc
    if root.tag != "speak":
        raise SSMLError("SSML must be wrapped in <speak>")
    if _check_element(root, locale) > MAX_AUDIO_TAGS:
        raise SSMLError(f"more than {MAX_AUDIO_TAGS} audio tags")


def break_seconds(document: str) -> float:
    """Total seconds of explicit <break time> silence in a document."""
    return sum(_seconds(value) for value in re.findall(r'<break time="([^"]+)"', document))


def to_text(document: str) -> str:
    """Readable text for terminals and logs: tags dropped, consecutive breaks shown as ``[N s]``."""

    def _pause_marker(match: re.Match[str]) -> str:
        seconds = break_seconds(match.group(0))
        return f" [{seconds:g} s] " if seconds >= 0.5 else " "

    text = re.sub(r'(?:<break time="[^"]+"/>\s*)+', _pause_marker, document)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()
