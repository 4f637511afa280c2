"""The audio cache: content-hash names, no second synthesis, manifest with real start times, S3 mirror."""

from __future__ import annotations

import json
import subprocess

import boto3
import pytest
from moto import mock_aws

from skill.audio.pcm import Clip
from skill.audio.render import RenderOptions, TimedItem
from skill.audio.store import PART_NAME, AudioJob, AudioStore
from tests.audio_fakes import ToneBackend, probe_mp3


def job(**overrides) -> AudioJob:
    items = (
        TimedItem(0.0, 1.2, "settle in and relax", speech=1.6),
        TimedItem(1.2, 4.0),
        TimedItem(5.2, 0.8, "left foot", checkpoint=True, speech=0.8),
        TimedItem(6.0, 3.0),
    )
    values = {
        "script": "pmr",
        "options": {"variant": "in_bed"},
        "items": items,
        "render": RenderOptions(part_seconds=4.0, min_tail_seconds=1.0),
    }
    values.update(overrides)
    return AudioJob(**values)


def decoded_seconds(path) -> float:
    pcm = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return Clip.from_pcm(pcm, 16000).seconds


def test_render_writes_mp3_parts_and_a_manifest_with_real_starts(tmp_path):
    store, backend = AudioStore(tmp_path), ToneBackend()
    manifest = store.render(job(), backend)
    key = job().key(backend)
    assert manifest is not None and manifest["key"] == key
    assert [p["file"] for p in manifest["parts"]] == [f"{key}-part1.mp3", f"{key}-part2.mp3"]
    for part in manifest["parts"]:
        assert PART_NAME.match(part["file"])
        path = tmp_path / part["file"]
        assert probe_mp3(path) == {
            "codec_name": "mp3",
            "sample_rate": "16000",
            "channels": "1",
            "bit_rate": "48000",
        }
        assert decoded_seconds(path) == pytest.approx(part["seconds"], abs=0.1)
    # "settle in and relax" takes 1.6 s, 0.4 s more than its slot: the pause after it starts late and
    # gives the time back, so "left foot" starts on time.
    starts = [p["start"] for part in manifest["parts"] for p in part["placements"]]
    assert starts == pytest.approx([0.0, 1.6, 5.2, 6.0], abs=0.01)
    assert manifest["seconds"] == pytest.approx(9.0, abs=0.01)
    assert manifest["timeline_seconds"] == 9.0
    assert json.loads((tmp_path / f"{key}.json").read_text()) == manifest


def test_a_cached_session_is_not_synthesised_again(tmp_path):
    store, backend = AudioStore(tmp_path), ToneBackend()
    first = store.render(job(), backend)
    calls = len(backend.calls)
    assert calls > 0
    assert store.render(job(), backend) == first
    assert len(backend.calls) == calls
    # A part rendered earlier on its own is reused when the rest is rendered.
    other = job(options={"variant": "full"})
    store.render(other, backend, parts=[1])
    before = list(backend.calls)
    store.render(other, backend)
    assert [text for text, _ in backend.calls[len(before) :]] == ["left foot"]


@pytest.mark.parametrize(
    "change",
    [
        {"options": {"variant": "full"}},
        {"script": "pmr-legs"},
        {"render": RenderOptions(voice="en-gb")},
        {"render": RenderOptions(whisper=True)},
        {"render": RenderOptions(rate=0.9)},
        {"items": (TimedItem(0.0, 2.0, "settle in and relax gently"),)},
    ],
)
def test_anything_that_changes_the_audio_changes_its_name(change):
    backend = ToneBackend()
    assert job(**change).key(backend) != job().key(backend)


def test_another_backend_or_version_gets_other_files():
    assert job().key(ToneBackend()) != job().key(ToneBackend(name="other"))
    assert job().key(ToneBackend()) != job().key(ToneBackend(word_seconds=0.5))


@pytest.mark.parametrize(
    "name",
    [
        "",
        "x.mp3",
        "../secret.mp3",
        f"{'a' * 64}.json",
        f"{'a' * 64}-part0.mp3",
        f"{'A' * 64}-part1.mp3",
        f"{'a' * 64}-part1.mp3/../../etc/passwd",
        f"/{'a' * 64}-part1.mp3",
    ],
)
def test_only_existing_part_names_resolve_to_files(tmp_path, name):
    store = AudioStore(tmp_path)
    (tmp_path / f"{'a' * 64}.json").write_text("{}")
    assert store.local_file(name) is None


@mock_aws
def test_parts_and_manifest_are_mirrored_to_s3(tmp_path):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="cc-audio")
    backend = ToneBackend()
    store = AudioStore(tmp_path / "one", bucket="cc-audio", s3=s3)
    manifest = store.render(job(), backend)
    key = manifest["key"]
    head = s3.head_object(Bucket="cc-audio", Key=f"audio/{key}-part1.mp3")
    assert head["ContentType"] == "audio/mpeg"
    assert "immutable" in head["CacheControl"]
    # Another container (empty local directory) finds the audio in the bucket and renders nothing.
    fresh = AudioStore(tmp_path / "two", bucket="cc-audio", s3=s3)
    assert fresh.has_part(key, 2) and not fresh.has_part(key, 3)
    assert fresh.render(job(), backend) == manifest
    assert fresh.is_complete(job(), backend)
