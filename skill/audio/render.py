"""Render a timeline to audio: speech synthesised step by step, silences written as exact samples.

The renderer knows nothing about scripts. It takes a sequence of :class:`TimedItem` (speech or
silence, where it starts, how long its slot is, whether a part may begin there), which
``skill.audio.session_audio`` builds from the engine's timeline. Each speech item is synthesised,
trimmed of the engine's own padding and, when the item says how long its words should take,
re-spoken slightly faster or slower to fit (within ``max_stretch``), so the silence after it starts
where the timeline says. Speech that still overruns its slot pushes everything after it later; the
real start of every item is recorded. Parts of a few minutes are cut at checkpoints and encoded to
MP3 with lame.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from array import array
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from skill.audio.pcm import Clip
from skill.audio.tts import TTSBackend

log = logging.getLogger(__name__)

# Bump when a change here alters the audio for the same inputs: it is part of every cache key.
RENDERER_VERSION = "2"


@dataclass(frozen=True)
class TimedItem:
    """One slot of a session: speech (``text``) or silence (``text is None``)."""

    start: float  # seconds from the start of the session, as the timeline says
    duration: float  # length of the slot; speech shorter than this is followed by silence
    text: str | None = None
    checkpoint: bool = False  # a new part may begin at this item
    speech: float | None = None  # seconds the words themselves should take (fit target), if known
    boundary: bool = False  # a step begins here: a cut is harmless if no checkpoint comes in time

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class RenderOptions:
    """How to speak and encode; every field is part of the cache key."""

    locale: str = "en-US"
    voice: str | None = None
    whisper: bool = False
    rate: float = 1.0  # multiple of the backend's natural pace (the engine's pace option)
    bitrate_kbps: int = 48  # CBR; the AudioPlayer accepts 16-384 kbps
    part_seconds: float = 180.0  # cut a new part at the first checkpoint after this much audio
    max_part_seconds: float = 300.0  # with no checkpoint by then, cut at the next step boundary
    min_tail_seconds: float = 45.0  # never leave a last part shorter than this
    max_stretch: float = 0.2  # fitting may change a step's speaking rate by at most ±20%
    fit_tolerance: float = 0.04  # seconds; closer than this is left alone
    fit_attempts: int = 3  # extra syntheses per step to fit its slot (0 turns fitting off)
    # A silence after an overrun may shrink by up to this fraction to bring the next step back on time.
    absorb_fraction: float = 0.2

    def key(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Placement:
    """Where one item actually landed."""

    index: int  # position in the item list
    planned: float  # start the timeline gave (session seconds)
    offset: float  # real start inside its part
    part: int  # 1-based part number
    spoken: float | None = None  # length of the speech placed (None for silence)
    rate: float | None = None  # speaking rate used after fitting


@dataclass
class RenderedPart:
    number: int  # 1-based
    clip: Clip
    placements: list[Placement] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.clip.seconds


class EncoderError(RuntimeError):
    """lame is missing or failed."""


def plan_parts(items: Sequence[TimedItem], options: RenderOptions) -> list[list[int]]:
    """Item indexes per part: cut at a checkpoint once a part is long enough, at a step boundary once
    it is too long (scripts without checkpoints, such as a long breathing session), never leaving a
    stub at the end."""
    if not items:
        return []
    total_end = max(item.end for item in items)
    parts: list[list[int]] = [[]]
    part_start = items[0].start
    for index, item in enumerate(items):
        length = item.start - part_start
        wanted = (item.checkpoint and length >= options.part_seconds) or (
            item.boundary and length >= options.max_part_seconds
        )
        if wanted and parts[-1] and total_end - item.start >= options.min_tail_seconds:
            parts.append([])
            part_start = item.start
        parts[-1].append(index)
    return parts


def _fit(backend: TTSBackend, item: TimedItem, options: RenderOptions) -> tuple[Clip, float]:
    """Speak an item, re-speaking at an adjusted rate until it fills its target length."""
    assert item.text is not None
    rate = options.rate

    def say(at: float) -> Clip:
        clip = backend.synthesize(
            item.text or "", voice=options.voice, locale=options.locale, rate=at, whisper=options.whisper
        )
        return clip.trimmed()

    best = say(rate)
    best_rate = rate
    target = item.speech
    if not target or target <= 0:
        return best, best_rate
    low, high = options.rate * (1 - options.max_stretch), options.rate * (1 + options.max_stretch)
    # Each attempt is a paid request with Polly: backends may allow fewer than the options ask.
    attempts = min(options.fit_attempts, getattr(backend, "max_fit_attempts", options.fit_attempts))
    for _ in range(attempts):
        error = best.seconds - target
        if abs(error) <= options.fit_tolerance or best.seconds == 0:
            break
        # Speaking time is roughly inversely proportional to rate.
        wanted = max(low, min(high, best_rate * best.seconds / target))
        if abs(wanted - best_rate) < 1e-3:
            break
        candidate = say(wanted)
        if abs(candidate.seconds - target) < abs(error):
            best, best_rate = candidate, wanted
        else:
            break
    return best, best_rate


def synthesize_all(
    backend: TTSBackend,
    items: Sequence[TimedItem],
    indexes: Sequence[int],
    options: RenderOptions,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[int, tuple[Clip, float]]:
    """Speech for the given items, synthesised concurrently (each call is a subprocess or an HTTP call).

    Identical lines with the same target length ("two", "three" in every counted breath) are
    synthesised once.
    """
    groups: dict[tuple[str, float | None], list[int]] = {}
    for index in indexes:
        item = items[index]
        if item.text:
            groups.setdefault((item.text, item.speech), []).append(index)
    workers = workers or min(8, (os.cpu_count() or 2) * 2)
    results: dict[int, tuple[Clip, float]] = {}
    firsts = [members[0] for members in groups.values()]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        spoken = pool.map(lambda i: _fit(backend, items[i], options), firsts)
        for members, result in zip(groups.values(), spoken, strict=True):
            for index in members:
                results[index] = result
            if progress:
                progress(len(members))
    return results


def assemble_part(
    number: int,
    items: Sequence[TimedItem],
    indexes: Sequence[int],
    spoken: dict[int, tuple[Clip, float]],
    rate: int,
    absorb_fraction: float = 0.0,
) -> RenderedPart:
    """Lay speech and exact silence end to end.

    Speech that overruns its slot delays what follows; the next silences give back up to
    ``absorb_fraction`` of their length to catch up, and whatever remains pushes later items back.
    Every item's real offset is recorded.
    """
    samples = array("h")
    part_start = items[indexes[0]].start
    shift = 0  # samples of overrun carried forward
    placements = []
    for index in indexes:
        item = items[index]
        planned = round((item.start - part_start) * rate) + shift
        at = max(planned, len(samples))
        shift += at - planned
        _pad_to(samples, at)
        clip, used_rate = spoken.get(index, (None, None))
        if clip is not None:
            if clip.rate != rate:
                raise ValueError(f"clip at {clip.rate} Hz in a {rate} Hz render")
            samples.extend(clip.samples)
        slot = round(item.duration * rate)
        if clip is None and shift > 0:
            absorbed = min(shift, int(slot * absorb_fraction))
            shift -= absorbed
            slot -= absorbed
        slot_end = at + slot
        shift += max(0, len(samples) - slot_end)
        placements.append(
            Placement(
                index=index,
                planned=item.start,
                offset=at / rate,
                part=number,
                spoken=clip.seconds if clip is not None else None,
                rate=used_rate,
            )
        )
    last = items[indexes[-1]]
    _pad_to(samples, round((last.end - part_start) * rate) + shift)
    return RenderedPart(number, Clip(samples, rate), placements)


def _pad_to(samples: array, length: int) -> None:
    """Append exact digital silence up to ``length`` samples."""
    if length > len(samples):
        samples.extend(array("h", bytes(2 * (length - len(samples)))))


LAME_QUALITY = 5  # lame's default: 3x faster than -q 2 and indistinguishable for speech at 48 kbps


def encode_mp3(clip: Clip, bitrate_kbps: int = 48, lame: str = "lame") -> bytes:
    """Constant-bit-rate mono MP3 at the clip's own sample rate (16, 22.05 or 24 kHz).

    The ``lame`` program when installed (twice as fast); otherwise the ``lameenc`` wheel, which bundles
    the same encoder, so Lambda (no lame binary) can encode too.
    """
    binary = shutil.which(lame)
    if binary:
        return _encode_with_binary(binary, clip, bitrate_kbps)
    try:
        import lameenc
    except ImportError as exc:
        raise EncoderError("neither the lame program nor the lameenc package is installed") from exc
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(clip.rate)
    encoder.set_out_sample_rate(clip.rate)
    encoder.set_channels(1)
    encoder.set_quality(LAME_QUALITY)
    return bytes(encoder.encode(clip.to_pcm()) + encoder.flush())


def _encode_with_binary(binary: str, clip: Clip, bitrate_kbps: int) -> bytes:
    # At 48 kbps and 22.05 kHz a frame is too small for lame's Info/LAME tag, so decoders cannot
    # skip the encoder delay: every part sounds about 50 ms (1105 samples) later than its PCM.
    khz = f"{clip.rate / 1000:g}"
    raw_input = ["-r", "-s", khz, "--bitwidth", "16", "--signed", "--little-endian", "-m", "m"]
    output = ["--cbr", "-b", str(bitrate_kbps), "--resample", khz, "-q", str(LAME_QUALITY)]
    command = [binary, "--silent", *raw_input, *output, "-", "-"]
    result = subprocess.run(command, input=clip.to_pcm(), capture_output=True, check=False, timeout=600)
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode(errors="replace")[:200]
        raise EncoderError(f"lame failed ({result.returncode}): {message}")
    return result.stdout


def iter_parts(
    backend: TTSBackend,
    items: Sequence[TimedItem],
    options: RenderOptions,
    *,
    only: set[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[RenderedPart]:
    """Render every part (or only the 1-based numbers in ``only``) to PCM, yielding each when done."""
    for number, indexes in enumerate(plan_parts(items, options), start=1):
        if only is not None and number not in only:
            continue
        spoken = synthesize_all(backend, items, indexes, options, progress=progress)
        yield assemble_part(number, items, indexes, spoken, backend.sample_rate, options.absorb_fraction)


def render_parts(
    backend: TTSBackend,
    items: Sequence[TimedItem],
    options: RenderOptions,
    *,
    only: set[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[RenderedPart]:
    """All the parts (or those in ``only``) at once."""
    return list(iter_parts(backend, items, options, only=only, progress=progress))
