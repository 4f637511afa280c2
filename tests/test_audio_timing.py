"""A real render, checked from the audio itself: every silence is where the timeline puts it.

The script is rendered with espeak-ng, encoded to MP3, decoded again with ffmpeg, and silences
are found by RMS over 10 ms windows. Nothing here reads the renderer's own placements: the
expectation comes from the engine's timeline alone.
"""

from __future__ import annotations

import subprocess

import pytest

from skill.audio.pcm import Clip, silent_runs
from skill.audio.session_audio import job_for, timeline_for
from skill.audio.store import AudioStore
from skill.audio.tts import EspeakBackend

TOLERANCE = 0.150  # seconds (issue 6)
MIN_SILENCE = 1.0  # the timeline's silences worth checking; pauses inside a sentence are far shorter
SCRIPT, OPTIONS = "pmr", {"variant": "legs"}  # about five minutes, several parts, long and short silences

pytestmark = pytest.mark.slow


def decode(path) -> Clip:
    pcm = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", "22050", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return Clip.from_pcm(pcm, 22050)


def expected_silences(entries, start: float, end: float) -> list[tuple[float, float]]:
    """Runs of consecutive timeline silences inside [start, end), relative to ``start``."""
    runs: list[list[float]] = []
    previous = None
    for entry in entries:
        if not start <= entry.start < end or entry.kind == "checkpoint":
            continue
        if entry.kind == "silence":
            if previous == "silence":
                runs[-1][1] = entry.end
            else:
                runs.append([entry.start, entry.end])
        previous = entry.kind
    return [(a - start, b - start) for a, b in runs if b - a >= MIN_SILENCE]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    store = AudioStore(tmp_path_factory.mktemp("audio"))
    job = job_for(SCRIPT, OPTIONS, "en-US")
    manifest = store.render(job, EspeakBackend())
    return store, job, manifest


def test_each_silence_starts_and_ends_where_the_timeline_says(rendered):
    store, job, manifest = rendered
    timeline = timeline_for(SCRIPT, OPTIONS, "en-US")
    assert len(manifest["parts"]) >= 2
    errors = []
    for part in manifest["parts"]:
        first, last = part["placements"][0]["index"], part["placements"][-1]["index"]
        start, end = job.items[first].start, job.items[last].end
        expected = expected_silences(timeline.entries, start, end)
        heard = silent_runs(decode(store.root / part["file"]), min_seconds=0.7)
        assert len(heard) == len(expected), f"part {part['number']}: {heard} vs {expected}"
        for (want_start, want_end), (got_start, got_end) in zip(expected, heard, strict=True):
            errors += [got_start - want_start, got_end - want_end]
    assert len(errors) >= 20
    assert max(abs(e) for e in errors) <= TOLERANCE, sorted(errors)


def test_the_total_length_matches_the_timeline(rendered):
    store, _job, manifest = rendered
    timeline = timeline_for(SCRIPT, OPTIONS, "en-US")
    heard = sum(decode(store.root / part["file"]).seconds for part in manifest["parts"])
    # Each MP3 part carries about 80 ms of encoder delay and frame padding.
    assert heard == pytest.approx(timeline.total, abs=0.1 * len(manifest["parts"]) + 0.05)
