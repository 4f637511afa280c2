"""The audio cache: rendered parts named by a content hash, on disk and optionally mirrored to S3.

A session's audio is addressed by ``sha256`` over everything that shapes it (the timeline's text
and timing, the script and its options, voice, backend and its version, renderer version and
encoder settings), so a changed script or voice gets new files and nothing is ever overwritten
with different content. Part ``N`` of session ``H`` is ``H-partN.mp3``; ``H.json`` is the manifest
(part lengths, where every step really starts) written when the last part is done.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from skill.audio.render import (
    RENDERER_VERSION,
    RenderedPart,
    RenderOptions,
    TimedItem,
    encode_mp3,
    iter_parts,
    plan_parts,
)
from skill.audio.tts import TTSBackend

log = logging.getLogger(__name__)

PART_NAME = re.compile(r"^(?P<key>[0-9a-f]{64})-part(?P<part>[1-9][0-9]{0,2})\.mp3$")
CACHE_CONTROL = "public, max-age=31536000, immutable"  # content-addressed: a name never changes meaning
S3_PREFIX = "audio/"
RENDER_WAIT = 120.0  # seconds to wait for a part another thread is rendering


def part_name(key: str, part: int) -> str:
    return f"{key}-part{part}.mp3"


@dataclass(frozen=True)
class AudioJob:
    """One session to render: which script and options (for people), and the items (for the renderer)."""

    script: str
    options: dict[str, Any]
    items: tuple[TimedItem, ...]
    render: RenderOptions = field(default_factory=RenderOptions)

    def key(self, backend: TTSBackend) -> str:
        """The content hash naming this session's audio."""
        identity = {
            "renderer": RENDERER_VERSION,
            "backend": backend.name,
            "backend_identity": backend.identity(),
            "script": self.script,
            "options": self.options,
            "render": self.render.key(),
            "items": [[i.start, i.duration, i.text, i.checkpoint, i.speech, i.boundary] for i in self.items],
        }
        canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def plan(self) -> list[list[int]]:
        return plan_parts(self.items, self.render)

    @property
    def part_count(self) -> int:
        return len(self.plan())


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class AudioStore:
    """Rendered audio in ``root`` (``Settings.audio_dir``), mirrored to an S3 bucket when one is set."""

    def __init__(
        self, root: Path, *, bucket: str | None = None, region: str = "us-east-1", s3: Any = None
    ) -> None:
        self.root = Path(root)
        self.bucket = bucket
        self.region = region
        self._s3 = s3
        self._changed = threading.Condition()
        self._rendering: set[tuple[str, int]] = set()  # (key, part) being rendered by some thread

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            import boto3

            self._s3 = boto3.client("s3", region_name=self.region)
        return self._s3

    # -- lookup ---------------------------------------------------------------------------------

    def local_file(self, name: str) -> Path | None:
        """The file for a public audio name, or None: only well-formed part names that exist."""
        if not PART_NAME.fullmatch(name):
            return None
        path = self.root / name
        return path if path.is_file() else None

    def manifest(self, key: str) -> dict[str, Any] | None:
        path = self.root / f"{key}.json"
        if path.is_file():
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return data
        if self.bucket:
            from botocore.exceptions import ClientError

            try:
                body = self.s3.get_object(Bucket=self.bucket, Key=f"{S3_PREFIX}{key}.json")["Body"].read()
            except ClientError:
                return None
            _atomic_write(path, body)  # cache locally: warm containers skip the round trip
            remote: dict[str, Any] = json.loads(body)
            return remote
        return None

    def has_part(self, key: str, part: int) -> bool:
        """True when part ``part`` of ``key`` can be played (locally, or in the bucket when mirrored)."""
        if self.bucket:
            from botocore.exceptions import ClientError

            try:
                self.s3.head_object(Bucket=self.bucket, Key=S3_PREFIX + part_name(key, part))
            except ClientError:
                return False
            return True
        return (self.root / part_name(key, part)).is_file()

    def is_complete(self, job: AudioJob, backend: TTSBackend) -> bool:
        key = job.key(backend)
        return self.manifest(key) is not None or all(
            self.has_part(key, n) for n in range(1, job.part_count + 1)
        )

    # -- rendering ------------------------------------------------------------------------------

    def _publish(self, key: str, part: RenderedPart, bitrate: int) -> dict[str, Any]:
        data = encode_mp3(part.clip, bitrate)
        name = part_name(key, part.number)
        _atomic_write(self.root / name, data)
        if self.bucket:
            self.s3.put_object(
                Bucket=self.bucket,
                Key=S3_PREFIX + name,
                Body=data,
                ContentType="audio/mpeg",
                CacheControl=CACHE_CONTROL,
            )
        return {
            "number": part.number,
            "file": name,
            "seconds": round(part.seconds, 3),
            "bytes": len(data),
            "placements": [asdict(p) for p in part.placements],
        }

    def render(
        self,
        job: AudioJob,
        backend: TTSBackend,
        *,
        parts: Sequence[int] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> dict[str, Any] | None:
        """Render the parts that are missing (all, or just ``parts``); returns the manifest once complete.

        Parts already on disk are not synthesised again: that is the cache.
        """
        key = job.key(backend)
        existing = self.manifest(key)
        if existing is not None:
            return existing
        wanted = set(parts) if parts is not None else set(range(1, job.part_count + 1))
        missing = {n for n in wanted if not self.has_part(key, n)}
        with self._changed:
            # Parts another thread is rendering now are waited for, not rendered twice.
            busy = {n for n in missing if (key, n) in self._rendering}
            mine = missing - busy
            self._rendering |= {(key, n) for n in mine}
        started = time.monotonic()
        try:
            for part in iter_parts(backend, job.items, job.render, only=mine, progress=progress):
                entry = self._publish(key, part, job.render.bitrate_kbps)
                _atomic_write(self.root / f"{key}-part{part.number}.meta.json", json.dumps(entry).encode())
                with self._changed:
                    self._rendering.discard((key, part.number))
                    self._changed.notify_all()
        finally:
            with self._changed:
                self._rendering -= {(key, n) for n in mine}
                self._changed.notify_all()
        if mine:
            log.info("rendered %s parts %s in %.1f s", key[:12], sorted(mine), time.monotonic() - started)
        if busy:
            with self._changed:
                self._changed.wait_for(
                    lambda: not any((key, n) in self._rendering for n in busy), RENDER_WAIT
                )
        return self._finish(job, backend, key)

    def _finish(self, job: AudioJob, backend: TTSBackend, key: str) -> dict[str, Any] | None:
        """Write the manifest when every part's metadata is present."""
        entries = []
        for number in range(1, job.part_count + 1):
            meta = self.root / f"{key}-part{number}.meta.json"
            if not meta.is_file():
                return None
            entries.append(json.loads(meta.read_text(encoding="utf-8")))
        session_start = 0.0
        for entry in entries:
            for placement in entry["placements"]:
                placement["start"] = round(session_start + placement["offset"], 4)
            session_start += entry["seconds"]
        manifest = {
            "key": key,
            "script": job.script,
            "options": job.options,
            "backend": backend.name,
            "backend_identity": backend.identity(),
            "renderer": RENDERER_VERSION,
            "render": job.render.key(),
            "sample_rate": backend.sample_rate,
            "timeline_seconds": round(max(i.end for i in job.items) - job.items[0].start, 3)
            if job.items
            else 0,
            "seconds": round(session_start, 3),
            "bytes": sum(e["bytes"] for e in entries),
            "parts": entries,
        }
        body = json.dumps(manifest, indent=1).encode("utf-8")
        _atomic_write(self.root / f"{key}.json", body)
        if self.bucket:
            self.s3.put_object(
                Bucket=self.bucket, Key=f"{S3_PREFIX}{key}.json", Body=body, ContentType="application/json"
            )
        for number in range(1, job.part_count + 1):
            (self.root / f"{key}-part{number}.meta.json").unlink(missing_ok=True)
        return manifest

    def render_in_background(self, job: AudioJob, backend: TTSBackend) -> threading.Thread:
        """Render the remaining parts on a daemon thread (the web service keeps running after a response)."""

        def run() -> None:
            try:
                self.render(job, backend)
            except Exception:
                log.exception("background render failed for %s", job.script)

        thread = threading.Thread(target=run, name=f"render-{job.script}", daemon=True)
        thread.start()
        return thread
