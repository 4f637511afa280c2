"""The seam between the script engine and the audio renderer.

The engine's timeline (speech with an estimated length, exact silences, zero-length checkpoints)
becomes the renderer's :class:`TimedItem` list; which sessions are "long" (played as audio) is
decided here from the script and its timeline; and the handlers get tokens for parts that exist,
rendering what is missing on the way.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from skill.audio.playback import Token
from skill.audio.render import RenderOptions, TimedItem
from skill.audio.store import AudioJob, store_for
from skill.audio.tts import TTSBackend, make_backend
from skill.config import Settings
from skill.engine.plan import plan
from skill.engine.script import Options
from skill.engine.timeline import Timeline

log = logging.getLogger(__name__)

# Techniques that always play hands-free, and those that do from a length on (product.md §1,
# issue 6): a progressive muscle relaxation or a bedtime routine is long whatever its variant.
ALWAYS_LONG = frozenset({"pmr", "relaxation", "routine"})
LONG_FROM_SECONDS = {"visualisation": 5 * 60, "visualization": 5 * 60, "breathing": 4 * 60}
LONG_VARIANTS = frozenset({"in_bed"})


def items_from_timeline(timeline: Timeline) -> tuple[TimedItem, ...]:
    """The renderer's view of a timeline: a checkpoint marks the item after it as a place to cut.

    A checkpoint's question (``prompt``) is not asked in audio: nobody can answer a stream, and the
    hands-free session carries on as a "yes" would.
    """
    items: list[TimedItem] = []
    cut_here = False
    unit = None
    for entry in timeline.entries:
        if entry.kind == "checkpoint":
            cut_here = True
            continue
        if entry.duration <= 0:
            continue
        # A new unit (a step, a breath cycle) is where a part may end if no checkpoint comes in time.
        boundary = unit is not None and entry.unit != unit
        unit = entry.unit
        text = entry.text if entry.kind == "speech" else None
        speech = entry.duration if text else None
        items.append(TimedItem(entry.start, entry.duration, text, cut_here, speech, boundary))
        cut_here = False
    return tuple(items)


def timeline_for(script: str, options: Mapping[str, Any], locale: str | None) -> Timeline:
    return plan(script, Options.from_dict(options), locale).timeline


def job_for(script: str, options: Mapping[str, Any], locale: str | None) -> AudioJob:
    """Everything the renderer needs for one script and set of options in one locale."""
    parsed = Options.from_dict(options)
    timeline = plan(script, parsed, locale).timeline
    render = RenderOptions(
        locale=locale or "en-US",
        whisper=timeline.voice == "whisper",
        rate=timeline.rate / 100.0,
    )
    return AudioJob(
        script=script, options=parsed.to_dict(), items=items_from_timeline(timeline), render=render
    )


def is_long(script: str, options: Mapping[str, Any], locale: str | None = None) -> bool:
    """Whether a session is long enough to be played as audio on a device that can."""
    timeline = timeline_for(script, options, locale)
    technique = timeline.script.technique.lower()
    if technique in ALWAYS_LONG or timeline.variant in LONG_VARIANTS:
        return True
    threshold = LONG_FROM_SECONDS.get(technique)
    return threshold is not None and timeline.total >= threshold


# -- the store and backend for a deployment (built once per process) -------------------------------


@lru_cache(maxsize=8)
def _backend(name: str, region: str) -> TTSBackend:
    return make_backend(name, region=region)


def backend_for(settings: Settings) -> TTSBackend:
    return _backend(settings.tts_backend, settings.aws_region)


def can_render(settings: Settings) -> bool:
    """Whether this process can synthesise (espeak-ng needs its program; Polly needs only the network)."""
    return settings.tts_backend != "espeak" or shutil.which("espeak-ng") is not None


def available(settings: Settings, script: str, options: Mapping[str, Any], locale: str | None) -> bool:
    """True when the first part exists or can be rendered now."""
    if can_render(settings):
        return True
    job = job_for(script, options, locale)
    return store_for(settings).has_part(job.key(backend_for(settings)), 1)


# -- parts for the handlers ------------------------------------------------------------------------

_background: dict[str, threading.Thread] = {}
ON_LAMBDA = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def prepare(settings: Settings, script: str, options: Mapping[str, Any], locale: str | None) -> Token:
    """Part 1 rendered (now, if it is missing) and the rest under way; the token for part 1."""
    job = job_for(script, options, locale)
    backend, store = backend_for(settings), store_for(settings)
    key = job.key(backend)
    store.render(job, backend, parts=[1])
    running = key in _background and _background[key].is_alive()
    # Lambda freezes a process between invocations, so a thread there would stall mid-render; parts are
    # rendered when PlaybackNearlyFinished asks for them instead (or ahead, by render-audio).
    if job.part_count > 1 and not ON_LAMBDA and not running and store.manifest(key) is None:
        _background[key] = store.render_in_background(job, backend)
    return Token(key, 1, job.part_count, script, job.options)


def ensure_part(settings: Settings, token: Token, locale: str | None) -> Token:
    """A token whose part exists: rendered now if missing, re-planned if the script changed since."""
    backend, store = backend_for(settings), store_for(settings)
    if store.has_part(token.key, token.part):
        return token
    job = job_for(token.script, token.options, locale)
    key = job.key(backend)
    fresh = Token(key, min(token.part, job.part_count), job.part_count, token.script, job.options)
    if key != token.key:
        log.info("audio for %s changed since it was queued: playing the new rendering", token.script)
    store.render(job, backend, parts=[fresh.part])
    return fresh


def wait_for_background(timeout: float = 60.0) -> None:
    """Join background renders (tests and the CLI call this before exiting)."""
    for thread in list(_background.values()):
        thread.join(timeout)
