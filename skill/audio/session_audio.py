"""The seam between the script engine and the audio renderer.

The engine's timeline (speech with an estimated length, exact silences, zero-length checkpoints)
becomes the renderer's :class:`TimedItem` list; which sessions are "long" (played as audio) is
decided here from the script and its timeline; and :class:`SessionAudio` (one per deployment, in
``Services``) gives the handlers tokens for parts that exist, rendering what is missing when it may,
or None when the session has to be spoken.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skill.audio.playback import Token
from skill.audio.render import RenderOptions, TimedItem
from skill.audio.store import AudioJob, AudioStore
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


# -- the audio of one deployment: its backend, its store, and when it may render ----------------------


def on_lambda() -> bool:
    """Lambda freezes a process between invocations and gives a request ~8 s: nothing is rendered there."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


class SessionAudio:
    """Parts ready to play, or None: a missing engine or encoder, a failed render or a storage error
    means the session is spoken instead, never an error for the user.

    ``render_in_request`` is False on Lambda: there only audio already rendered (``render-audio --all``)
    plays, and only when every part of it exists, so a session never stops halfway. Elsewhere part 1 is
    rendered in the request when missing and the rest on a background thread.
    """

    def __init__(self, backend: TTSBackend, store: AudioStore, *, render_in_request: bool = True) -> None:
        self.backend = backend
        self.store = store
        self.render_in_request = render_in_request
        self._background: dict[str, threading.Thread] = {}
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionAudio:
        backend = make_backend(settings.tts_backend, region=settings.aws_region)
        store = AudioStore(Path(settings.audio_dir), bucket=settings.audio_bucket, region=settings.aws_region)
        return cls(backend, store, render_in_request=not on_lambda())

    def _warn_once(self, what: str, problem: object) -> None:
        """One warning per kind of failure per process; later ones are logged at debug level."""
        with self._lock:
            first = what not in self._warned
            self._warned.add(what)
        log.log(
            logging.WARNING if first else logging.DEBUG, "%s: %s; long sessions are spoken", what, problem
        )

    def can_render(self) -> bool:
        """Whether this process may and can synthesise now."""
        return self.render_in_request and self.backend.available()

    def _fail(self, exc: Exception) -> None:
        self._warn_once(f"audio unavailable ({type(exc).__name__})", exc)

    def start(self, script: str, options: Mapping[str, Any], locale: str | None) -> Token | None:
        """The token for part 1 of a session that can play through, or None (speak it instead)."""
        if self.render_in_request and not self.backend.available():
            # Without its engine a backend cannot even name its audio (the key holds the engine's version).
            self._warn_once("no speech engine", f"the {self.backend.name} backend is not available")
            return None
        try:
            job = job_for(script, options, locale)
            key = job.key(self.backend)
            token = Token(key, 1, job.part_count, script, job.options)
            if self.store.is_complete(job, self.backend):
                return token
            if not self.render_in_request:
                self._warn_once("audio not pre-rendered", f"{script} {job.options} (render-audio --all)")
                return None
            self.store.render(job, self.backend, parts=[1])
        except Exception as exc:  # any failure of engine, encoder or storage: speak instead
            self._fail(exc)
            return None
        with self._lock:
            running = key in self._background and self._background[key].is_alive()
            if job.part_count > 1 and not running:
                self._background[key] = self.store.render_in_background(job, self.backend)
        return token

    def part(self, token: Token, locale: str | None) -> Token | None:
        """A token whose part exists (rendered now if missing and allowed; re-planned if the script
        changed since it was queued), or None when it cannot be had."""
        try:
            if self.store.has_part(token.key, token.part):
                return token
            job = job_for(token.script, token.options, locale)
            key = job.key(self.backend)
            fresh = Token(key, min(token.part, job.part_count), job.part_count, token.script, job.options)
            if key != token.key:
                log.info("audio for %s changed since it was queued: playing the new rendering", token.script)
            if self.store.has_part(key, fresh.part):
                return fresh
            if not self.can_render():
                self._warn_once("audio part missing", f"{token.script} part {fresh.part}")
                return None
            self.store.render(job, self.backend, parts=[fresh.part])
        except Exception as exc:  # as in start: the user hears speech, the log says why
            self._fail(exc)
            return None
        return fresh

    def wait_for_background(self, timeout: float = 60.0) -> None:
        """Join background renders (tests and the CLI call this before exiting)."""
        for thread in list(self._background.values()):
            thread.join(timeout)
