"""``cramp-coach render-audio``: renders into the audio store, and a second run is a cache hit."""

from __future__ import annotations

import re

from click.testing import CliRunner

from skill.cli import main


def test_render_audio_fills_the_store_and_then_hits_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CRAMP_COACH_AUDIO_DIR", str(tmp_path))
    args = ["render-audio", "breathing-even", "--minutes", "1", "--pace", "1.15"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    key = re.search(r"\b([0-9a-f]{64})\b", first.output).group(1)
    assert "real time" in first.output
    assert (tmp_path / f"{key}-part1.mp3").stat().st_size > 1000
    assert (tmp_path / f"{key}.json").is_file()
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and key in second.output and "cached" in second.output


def test_render_audio_needs_a_script_or_all():
    result = CliRunner().invoke(main, ["render-audio"])
    assert result.exit_code == 2 and "--all" in result.output


def test_render_audio_names_an_unknown_script():
    result = CliRunner().invoke(main, ["render-audio", "no-such-script"])
    assert result.exit_code == 1 and "no-such-script" in result.output
