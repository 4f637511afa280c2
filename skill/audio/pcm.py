"""Mono 16-bit PCM clips in memory: silence, trimming, joining and RMS, with only the stdlib.

``audioop`` would do some of this but is deprecated (removed in Python 3.13), so the few sample
operations the renderer needs are written over ``array('h')`` here.
"""

from __future__ import annotations

import io
import math
import operator
import sys
import wave
from array import array
from dataclasses import dataclass

SAMPLE_WIDTH = 2  # bytes: signed 16-bit
WINDOW_SECONDS = 0.01  # RMS windows of 10 ms


def _native(samples: array) -> array:
    """Samples in little-endian byte order (WAV and lame's raw input are little-endian)."""
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples


@dataclass
class Clip:
    """Mono signed 16-bit samples at a known sample rate."""

    samples: array
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    @classmethod
    def silence(cls, seconds: float, rate: int) -> Clip:
        return cls(array("h", bytes(SAMPLE_WIDTH * max(0, round(seconds * rate)))), rate)

    @classmethod
    def from_pcm(cls, data: bytes, rate: int) -> Clip:
        """Raw little-endian signed 16-bit mono (Polly's ``pcm`` output, lame's decoded output)."""
        samples = array("h")
        samples.frombytes(data[: len(data) - len(data) % SAMPLE_WIDTH])
        return cls(_native(samples), rate)

    @classmethod
    def from_wav(cls, data: bytes) -> Clip:
        """A WAV file; the header's length is ignored because streamed WAVs (``--stdout``) lie about it."""
        with wave.open(io.BytesIO(data)) as reader:
            if reader.getsampwidth() != SAMPLE_WIDTH or reader.getnchannels() != 1:
                raise ValueError("expected mono 16-bit WAV")
            rate = reader.getframerate()
            frames = reader.readframes(sys.maxsize)
        return cls.from_pcm(frames, rate)

    def to_pcm(self) -> bytes:
        return _native(self.samples).tobytes()

    def trimmed(self, threshold: float = 60.0) -> Clip:
        """The clip without leading and trailing near-silence (TTS engines pad both ends)."""
        window = max(1, round(self.rate * WINDOW_SECONDS))
        count = len(self.samples) // window
        # Scan in from each end only as far as the first loud window: most of a clip is never read.
        first = next((i for i in range(count) if self._level(i * window, window) > threshold), None)
        if first is None:
            return Clip(array("h"), self.rate)
        last = next(i for i in range(count - 1, first - 1, -1) if self._level(i * window, window) > threshold)
        return Clip(self.samples[first * window : (last + 1) * window], self.rate)

    def _level(self, start: int, length: int) -> float:
        chunk = self.samples[start : start + length]
        return math.sqrt(sum(map(operator.mul, chunk, chunk)) / length)


def rms_windows(clip: Clip, window_seconds: float = WINDOW_SECONDS) -> list[float]:
    """Root-mean-square level of each consecutive window (the last partial window is dropped)."""
    window = max(1, round(clip.rate * window_seconds))
    samples = clip.samples
    levels = []
    for start in range(0, len(samples) - window + 1, window):
        chunk = samples[start : start + window]
        levels.append(math.sqrt(sum(map(operator.mul, chunk, chunk)) / window))
    return levels


def silent_runs(
    clip: Clip, *, threshold: float = 60.0, min_seconds: float = 0.6, window_seconds: float = WINDOW_SECONDS
) -> list[tuple[float, float]]:
    """``(start, end)`` in seconds of every run of quiet windows lasting at least ``min_seconds``."""
    window = max(1, round(clip.rate * window_seconds))
    step = window / clip.rate  # the real window length: 10 ms is 220.5 samples at 22.05 kHz
    runs = []
    run_start: int | None = None
    levels = rms_windows(clip, window_seconds)
    for index, level in enumerate([*levels, math.inf]):
        if level <= threshold:
            if run_start is None:
                run_start = index
        elif run_start is not None:
            if (index - run_start) * step >= min_seconds - 1e-9:
                runs.append((run_start * step, index * step))
            run_start = None
    return runs
