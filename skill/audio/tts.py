"""Text-to-speech backends behind one small interface: espeak-ng offline, Amazon Polly in the cloud.

A backend turns one short piece of text into a mono 16-bit clip at its own fixed sample rate. The
renderer, not the backend, places silences: SSML breaks are capped at 10 s and drift, samples don't.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cached_property
from typing import Any, Protocol

from skill.audio.pcm import Clip
from skill.speech import ssml


class TTSError(RuntimeError):
    """The speech engine failed or is missing."""


class TTSBackend(Protocol):
    """Anything that can speak one step of a script."""

    name: str
    sample_rate: int

    def synthesize(self, text: str, *, voice: str | None, locale: str, rate: float, whisper: bool) -> Clip:
        """``text`` spoken at ``rate`` times the natural pace; the clip is at ``sample_rate``."""
        ...

    def identity(self) -> str:
        """Everything about the backend that changes its output (engine version, voice), for cache keys."""
        ...

    def available(self) -> bool:
        """Whether the engine is there to be called (a program installed; a cloud service always is)."""
        ...


# espeak-ng voices per locale (``espeak-ng --voices=en``); unknown locales fall back to the language.
ESPEAK_VOICES = {"en-US": "en-us", "en-GB": "en-gb", "en-AU": "en-gb", "en-IN": "en-gb", "en-CA": "en-us"}
# espeak-ng's -s is nominal: measured on our scripts, -s 140 speaks about 155 words a minute once the
# padding is trimmed. This is the -s that matches the engine's calm pace at rate 1.0; the renderer
# fits each step to its slot anyway, so this only has to be close.
ESPEAK_BASE_SPEED = 140
ESPEAK_MIN_SPEED, ESPEAK_MAX_SPEED = 80, 450


class EspeakBackend:
    """espeak-ng in a subprocess: offline, fast, robotic; the default for local use and tests."""

    name = "espeak"
    sample_rate = 22050

    def __init__(self, binary: str = "espeak-ng", base_speed: int = ESPEAK_BASE_SPEED) -> None:
        self.binary = binary
        self.base_speed = base_speed

    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def _command(self) -> str:
        found = shutil.which(self.binary)
        if not found:
            raise TTSError(f"{self.binary} is not installed (apt-get install espeak-ng)")
        return found

    @cached_property
    def version(self) -> str:
        result = subprocess.run([self._command(), "--version"], capture_output=True, text=True, check=False)
        return result.stdout.strip().split(" Data at")[0]

    def identity(self) -> str:
        return f"{self.version}; base speed {self.base_speed}"

    def voice_for(self, voice: str | None, locale: str, whisper: bool) -> str:
        name = voice or ESPEAK_VOICES.get(locale) or locale.split("-")[0].lower()
        # The whisper variant is espeak's closest thing to a bedtime voice: breathy and unvoiced.
        return f"{name}+whisper" if whisper and "+" not in name else name

    def speed_for(self, rate: float) -> int:
        return max(ESPEAK_MIN_SPEED, min(ESPEAK_MAX_SPEED, round(self.base_speed * rate)))

    def synthesize(self, text: str, *, voice: str | None, locale: str, rate: float, whisper: bool) -> Clip:
        command = [
            self._command(),
            "-v",
            self.voice_for(voice, locale, whisper),
            "-s",
            str(self.speed_for(rate)),
            "-b",
            "1",  # input is UTF-8
            "--stdin",  # text on stdin: nothing in it can be read as an option
            "--stdout",
        ]
        result = subprocess.run(
            command, input=text.encode("utf-8"), capture_output=True, check=False, timeout=60
        )
        if result.returncode != 0 or not result.stdout:
            raise TTSError(
                f"espeak-ng failed ({result.returncode}): {result.stderr.decode(errors='replace')[:200]}"
            )
        clip = Clip.from_wav(result.stdout)
        if clip.rate != self.sample_rate:
            raise TTSError(f"espeak-ng produced {clip.rate} Hz, expected {self.sample_rate}")
        return clip


# Polly voices per locale. Whispering is a standard-engine effect, so whispered speech uses it.
POLLY_VOICES = {"en-US": "Joanna", "en-GB": "Amy", "en-AU": "Olivia", "en-IN": "Kajal", "en-CA": "Joanna"}
POLLY_MAX_CHARS = 2500  # synchronous calls bill at most 3000 characters; SSML tags count too
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_for_polly(text: str, limit: int = POLLY_MAX_CHARS) -> list[str]:
    """Split text at sentence ends (or spaces, for a run-on) into pieces under ``limit`` characters."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text.strip()):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


class PollyBackend:
    """Amazon Polly ``SynthesizeSpeech`` as 16 kHz PCM; the boto3 client is created on first use."""

    name = "polly"
    sample_rate = 16000
    max_fit_attempts = 1  # one re-synthesis per line at most: every call is billed and takes ~0.2 s

    def __init__(self, region: str = "us-east-1", engine: str = "neural", client: Any = None) -> None:
        self.region = region
        self.engine = engine
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("polly", region_name=self.region)
        return self._client

    def identity(self) -> str:
        return f"polly {self.engine}"

    def available(self) -> bool:
        return True  # failures (network, credentials) surface as TTSError when it is called

    def request(
        self, text: str, *, voice: str | None, locale: str, rate: float, whisper: bool
    ) -> dict[str, Any]:
        """The ``synthesize_speech`` parameters for one piece of text."""
        body = ssml.escape(text)
        if abs(rate - 1.0) > 0.005:
            body = ssml.prosody(body, rate=f"{max(20, round(rate * 100))}%")
        if whisper:
            body = ssml.whisper(body)
        return {
            "Engine": "standard" if whisper else self.engine,
            "LanguageCode": locale,
            "OutputFormat": "pcm",
            "SampleRate": str(self.sample_rate),
            "Text": f"<speak>{body}</speak>",
            "TextType": "ssml",
            "VoiceId": voice or POLLY_VOICES.get(locale, "Joanna"),
        }

    def synthesize(self, text: str, *, voice: str | None, locale: str, rate: float, whisper: bool) -> Clip:
        from botocore.exceptions import BotoCoreError, ClientError

        data = bytearray()
        for piece in split_for_polly(text):
            try:
                response = self.client.synthesize_speech(
                    **self.request(piece, voice=voice, locale=locale, rate=rate, whisper=whisper)
                )
                data += response["AudioStream"].read()
            except (BotoCoreError, ClientError) as exc:
                raise TTSError(f"Polly failed: {exc}") from exc
        return Clip.from_pcm(bytes(data), self.sample_rate)


def make_backend(name: str, *, region: str = "us-east-1") -> TTSBackend:
    """The backend a setting or CLI option names."""
    if name == "espeak":
        return EspeakBackend()
    if name == "polly":
        return PollyBackend(region=region)
    raise ValueError(f"unknown TTS backend {name!r} (espeak or polly)")
