"""Test doubles for TTS: deterministic speech-like clips whose length follows the words and the rate."""

from __future__ import annotations

import math
import subprocess
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from skill.audio.pcm import Clip

PERIOD = array("h", (round(8000 * math.sin(2 * math.pi * i / 40)) for i in range(40)))  # 400 Hz at 16 kHz


@dataclass
class ToneBackend:
    """Speaks every word as a 0.4 s tone (divided by the rate), with a little padding at both ends."""

    sample_rate: int = 16000
    word_seconds: float = 0.4
    padding: float = 0.1
    name: str = "tone"
    calls: list[tuple[str, float]] = field(default_factory=list)

    def identity(self) -> str:
        return f"tone {self.word_seconds}"

    def available(self) -> bool:
        return True

    def synthesize(self, text: str, *, voice: str | None, locale: str, rate: float, whisper: bool) -> Clip:
        self.calls.append((text, rate))
        words = len(text.split())
        loud = round(words * self.word_seconds / rate * self.sample_rate)
        pad = array("h", bytes(2 * round(self.padding * self.sample_rate)))
        tone = (PERIOD * (loud // len(PERIOD) + 1))[:loud]
        return Clip(pad + tone + pad, self.sample_rate)


def probe_mp3(source: Path | bytes) -> dict[str, str]:
    """What ffprobe reports of an MP3's stream (codec, sample rate, channels, bit rate)."""
    command = ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels,bit_rate"]
    command += ["-of", "default=noprint_wrappers=1"]
    piped = isinstance(source, bytes)
    out = subprocess.run(
        [*command, "-" if piped else str(source)],
        input=source if piped else None,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return dict(line.split("=", 1) for line in out.split())
