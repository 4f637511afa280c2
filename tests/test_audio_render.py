"""The audio renderer: exact silences, speech fitted to its slot, overruns shifted, parts at checkpoints."""

from __future__ import annotations

import math
from array import array

import pytest

from skill.audio.pcm import Clip, silent_runs
from skill.audio.render import (
    RenderOptions,
    TimedItem,
    assemble_part,
    encode_mp3,
    plan_parts,
    render_parts,
)
from tests.audio_fakes import ToneBackend, probe_mp3


def timeline(*slots: tuple[str | None, float], checkpoints: frozenset[int] = frozenset()) -> list[TimedItem]:
    """Contiguous items from ``(text or None, seconds)``; speech is expected to fill its slot."""
    items, start = [], 0.0
    for index, (text, seconds) in enumerate(slots):
        items.append(TimedItem(start, seconds, text, index in checkpoints, seconds if text else None))
        start += seconds
    return items


def test_silence_is_exact_samples_and_speech_starts_on_its_slot():
    backend = ToneBackend()
    items = timeline(("one two", 0.8), (None, 3.25), ("three four five", 1.2), (None, 10.0))
    [part] = render_parts(backend, items, RenderOptions())
    rate = backend.sample_rate
    assert len(part.clip.samples) == round(15.25 * rate)
    assert [p.offset for p in part.placements] == [0.0, 0.8, 4.05, 5.25]
    # The pause and the tail are digital silence, sample for sample.
    assert set(part.clip.samples[round(0.8 * rate) : round(4.05 * rate)]) == {0}
    assert set(part.clip.samples[round(5.25 * rate) :]) == {0}
    runs = silent_runs(part.clip)
    assert runs == [(pytest.approx(0.8), pytest.approx(4.05)), (pytest.approx(5.25), pytest.approx(15.25))]


@pytest.mark.parametrize(
    ("words", "slot", "expected_rate"),
    [
        ("one two three four", 1.6, 1.0),  # already fits: spoken once at the normal rate
        ("one two three four", 1.45, 1.6 / 1.45),  # a little long: spoken a little faster to fit
        ("one two three four", 1.75, 1.6 / 1.75),  # a little short: a little slower
        ("one two three four", 0.8, 1.2),  # far too long: capped at +20 %, then it overruns
    ],
)
def test_speech_is_fitted_to_its_slot_within_the_stretch_limit(words, slot, expected_rate):
    backend = ToneBackend()
    items = timeline((words, slot), (None, 5.0))
    [part] = render_parts(backend, items, RenderOptions())
    placement = part.placements[0]
    assert placement.rate == pytest.approx(expected_rate, rel=0.01)
    assert len(backend.calls) <= 1 + RenderOptions().fit_attempts


def test_a_small_overrun_is_absorbed_by_the_next_silence():
    backend = ToneBackend()
    # Five words take 2 s; fitted at +20 % they take 1.67 s in a 1.5 s slot: 0.17 s over.
    items = timeline((" ".join(["word"] * 5), 1.5), (None, 3.0), ("after", 0.4), (None, 2.0))
    [part] = render_parts(backend, items, RenderOptions())
    overrun = part.placements[0].spoken - 1.5
    assert overrun == pytest.approx(2.0 / 1.2 - 1.5, abs=0.02)
    assert part.placements[1].offset == pytest.approx(1.5 + overrun, abs=1e-3)
    # The 3 s pause gives the time back, so the next line starts exactly on the timeline.
    assert part.placements[2].offset == pytest.approx(4.5, abs=1e-3)
    assert part.seconds == pytest.approx(6.9, abs=1e-3)


def test_a_large_overrun_pushes_later_items_back_and_is_recorded():
    backend = ToneBackend()
    # Ten words take 4 s; even 20 % faster (3.33 s) they overrun a 2 s slot by 1.33 s.
    items = timeline((" ".join(["word"] * 10), 2.0), (None, 3.0), ("after", 0.4), (None, 2.0))
    [part] = render_parts(backend, items, RenderOptions())
    overrun = part.placements[0].spoken - 2.0
    assert overrun == pytest.approx(4.0 / 1.2 - 2.0, abs=0.02)
    # The pause gives back at most a fifth of itself (0.6 s); the rest moves everything after it.
    late = overrun - 0.6
    assert part.placements[1].offset == pytest.approx(2.0 + overrun, abs=1e-3)
    assert part.placements[2].offset == pytest.approx(5.0 + late, abs=1e-3)
    assert part.placements[3].offset == pytest.approx(5.4 + late, abs=1e-3)
    # The last pause gives back a fifth of itself (0.4 s) too.
    assert part.seconds == pytest.approx(7.4 + late - 0.4, abs=1e-3)


def test_fitting_can_be_turned_off():
    backend = ToneBackend()
    items = timeline(("one two three four", 1.45), (None, 1.0))
    [part] = render_parts(backend, items, RenderOptions(fit_attempts=0))
    assert part.placements[0].rate == 1.0
    assert len(backend.calls) == 1


@pytest.mark.parametrize(
    ("durations", "checkpoints", "part_seconds", "expected"),
    [
        # No checkpoints: one part whatever the length.
        ([60] * 10, set(), 120, [list(range(10))]),
        # A cut at the first checkpoint once the part has reached 120 s; earlier checkpoints are passed.
        ([60] * 10, {1, 3, 4, 6, 8}, 120, [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]]),
        # A checkpoint too near the end would leave a stub: no cut there.
        ([100, 100, 20], {2}, 60, [[0, 1, 2]]),
    ],
)
def test_parts_are_cut_at_checkpoints(durations, checkpoints, part_seconds, expected):
    items = timeline(*[(None, d) for d in durations], checkpoints=frozenset(checkpoints))
    assert plan_parts(items, RenderOptions(part_seconds=part_seconds)) == expected


def test_without_checkpoints_parts_are_cut_at_step_boundaries_once_too_long():
    # Fifteen minutes of breaths (a step every 10 s) and no checkpoint: parts of five minutes.
    items = [TimedItem(10.0 * i, 10.0, None, boundary=i > 0) for i in range(90)]
    parts = plan_parts(items, RenderOptions(max_part_seconds=300))
    assert [len(p) for p in parts] == [30, 30, 30]


def test_each_part_starts_at_its_own_zero():
    backend = ToneBackend()
    items = timeline(("one", 0.4), (None, 130.0), ("two", 0.4), (None, 60.0), checkpoints=frozenset({2}))
    parts = render_parts(backend, items, RenderOptions(part_seconds=120))
    assert [p.number for p in parts] == [1, 2]
    assert [p.seconds for p in parts] == [pytest.approx(130.4), pytest.approx(60.4)]
    assert parts[1].placements[0].offset == 0.0
    assert parts[1].placements[0].planned == pytest.approx(130.4)


def test_clips_at_another_sample_rate_are_refused():
    items = timeline(("one", 0.4))
    spoken = {0: (Clip.silence(0.4, 16000), 1.0)}
    with pytest.raises(ValueError, match="16000 Hz"):
        assemble_part(1, items, [0], spoken, 22050)


@pytest.mark.parametrize("lame", ["lame", "no-such-lame-binary"])
@pytest.mark.parametrize("rate", [16000, 22050])
def test_mp3_is_constant_48_kbps_mono_at_the_speech_rate_with_or_without_the_lame_program(lame, rate):
    tone = Clip(array("h", (round(6000 * math.sin(i * 0.25)) for i in range(rate * 3))), rate)
    data = encode_mp3(tone, 48, lame=lame)
    assert probe_mp3(data) == {
        "codec_name": "mp3",
        "sample_rate": str(rate),
        "channels": "1",
        "bit_rate": "48000",
    }
    assert len(data) == pytest.approx(3 * 48000 / 8, rel=0.1)


def test_repeated_lines_are_synthesised_once():
    backend = ToneBackend()
    items = timeline(
        ("in", 0.4), (None, 3.6), ("out", 0.4), (None, 3.6), ("in", 0.4), (None, 3.6), ("out", 0.4)
    )
    [part] = render_parts(backend, items, RenderOptions())
    assert sorted(text for text, _ in backend.calls) == ["in", "out"]
    assert [p.spoken for p in part.placements if p.spoken] == [pytest.approx(0.4)] * 4


def test_a_backend_can_limit_how_often_a_line_is_re_spoken():
    backend = ToneBackend()
    backend.max_fit_attempts = 1  # type: ignore[attr-defined]
    items = timeline(("one two three four", 1.45), (None, 1.0))
    render_parts(backend, items, RenderOptions(fit_attempts=3))
    assert len(backend.calls) <= 2
