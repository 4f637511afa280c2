"""``cramp-coach chat --speak``: play what Alexa would say through espeak-ng.

espeak-ng reads SSML with ``-m`` (breaks, prosody, emphasis, say-as) but drops the content of tags
it does not know, such as ``<amazon:effect>``. So Alexa-only markup is rewritten first: whispered
parts become quieter and slower prosody, other Amazon tags keep their text, ``<audio>`` clips are
named instead of played. Speech is written to a WAV (``espeak-ng -w``) and played with the first
player found (aplay, paplay, sox's play); without a player or an audio device the chat says so
once and carries on as text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Whispered speech on a speaker is quiet and unhurried; espeak-ng has no whisper inside SSML.
WHISPER_PROSODY = '<prosody volume="x-soft" rate="slow">'
VOICES = {"en-US": "en-us", "en-GB": "en-gb", "en-AU": "en-gb", "en-CA": "en-us", "en-IN": "en-gb"}
PLAYERS = (("aplay", ["aplay", "-q"]), ("paplay", ["paplay"]), ("play", ["play", "-q"]))

Runner = Callable[..., Any]


def espeak_ssml(document: str) -> str:
    """Alexa SSML rewritten into SSML that espeak-ng speaks (nothing silently dropped)."""
    text = re.sub(r'<amazon:effect\s+name="whispered"\s*>', WHISPER_PROSODY, document)
    text = re.sub(r"</amazon:effect>", "</prosody>", text)
    text = re.sub(r"</?amazon:(?:domain|emotion|effect)[^>]*>", "", text)
    text = re.sub(r"<audio\b[^>]*/>", " (sound clip) ", text)
    text = re.sub(r"</?(?:lang|voice|w|phoneme|sub)\b[^>]*>", "", text)
    return text


class Speaker:
    """Renders SSML to WAV with espeak-ng and plays it when a player and a sound card exist."""

    def __init__(
        self,
        locale: str = "en-US",
        *,
        workdir: Path | None = None,
        runner: Runner = subprocess.run,
        which: Callable[[str], str | None] = shutil.which,
        notify: Callable[[str], None] = print,
    ) -> None:
        self.voice = VOICES.get(locale, "en")
        self.runner = runner
        self.notify = notify
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="cramp-coach-chat-"))
        self.espeak = which("espeak-ng")
        self.player = next((command for name, command in PLAYERS if which(name)), None)
        self.count = 0
        self.playing = True
        if self.espeak is None:
            self.notify("(--speak: espeak-ng is not installed; showing text only)")
        elif self.player is None:
            self.notify(
                "(--speak: no audio player found (aplay, paplay or sox's play); speech is written to "
                f"{self.workdir} but not played)"
            )

    def command(self, document: str, wav: Path) -> list[str]:
        """The espeak-ng command that renders one SSML document to a WAV file."""
        return [self.espeak or "espeak-ng", "-m", "-v", self.voice, "-w", str(wav), espeak_ssml(document)]

    def render(self, document: str) -> Path | None:
        """Write one document to a WAV; None when espeak-ng is missing or fails."""
        if self.espeak is None:
            return None
        self.count += 1
        wav = self.workdir / f"turn-{self.count:03d}.wav"
        result = self.runner(self.command(document, wav), capture_output=True, text=True, check=False)
        if result.returncode != 0 or not wav.exists():
            self.notify(f"(--speak: espeak-ng failed: {(result.stderr or '').strip()[:200]})")
            return None
        return wav

    def play(self, wav: Path) -> bool:
        """Play a WAV; the first failure (no sound card) turns playing off with one clear message."""
        if self.player is None or not self.playing:
            return False
        result = self.runner([*self.player, str(wav)], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            self.playing = False
            reason = (result.stderr or "").strip().splitlines()
            self.notify(
                "(--speak: no audio device could play the speech"
                f"{': ' + reason[-1] if reason else ''}; WAV files are kept in {self.workdir})"
            )
            return False
        return True

    def say(self, documents: Sequence[str]) -> list[Path]:
        """Render and play each document in turn; returns the WAV files written."""
        written = []
        for document in documents:
            wav = self.render(document)
            if wav is not None:
                written.append(wav)
                if self.play(wav):
                    wav.unlink()  # heard: nothing to keep
        return written

    def close(self) -> None:
        """Remove the working directory when no WAV was kept in it."""
        if self.workdir.is_dir() and not any(self.workdir.iterdir()):
            self.workdir.rmdir()
