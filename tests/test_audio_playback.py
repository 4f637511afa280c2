"""Stream tokens and stream URLs: what the AudioPlayer is given must be ours, complete and secure."""

from __future__ import annotations

import pytest

from skill.audio.playback import Position, Token, TokenError, base_url, decode_or_none, stream_url
from skill.config import Settings

KEY = "ab" * 32


def test_a_token_round_trips_with_its_script_options_and_part():
    token = Token(KEY, 2, 5, "pmr", {"variant": "in_bed", "pace": 1.15})
    assert Token.decode(token.encode()) == token
    assert token.file == f"{KEY}-part2.mp3"
    assert token.at(9).part == 5 and token.at(0).part == 1


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "spotify:track:123",
        f"cc1|{KEY}|0|3|pmr|{{}}",  # part 0
        f"cc1|{KEY}|4|3|pmr|{{}}",  # part beyond the last
        f"cc1|{KEY[:-1]}|1|3|pmr|{{}}",  # not a full hash
        f"cc1|{KEY}|1|3|pmr|[1]",  # options not an object
        f"cc2|{KEY}|1|3|pmr|{{}}",  # another format version
        f"cc1|{KEY}|1|3|pmr|{{oops",
    ],
)
def test_tokens_that_are_not_ours_are_refused(value):
    with pytest.raises(TokenError):
        Token.decode(value)
    assert decode_or_none(value) is None


def test_a_stored_position_survives_a_save_and_load():
    attributes: dict = {"profile": {"disclaimer_heard": True}}
    Position(Token(KEY, 1, 2, "pmr").encode(), 61_500, "stopped").save(attributes)
    loaded = Position.load(attributes)
    assert loaded is not None and loaded.offset_ms == 61_500 and loaded.resumable
    assert loaded.parsed.script == "pmr"
    assert attributes["profile"] == {"disclaimer_heard": True}
    assert Position.load({"playback": {"token": "junk"}}) is None


@pytest.mark.parametrize(
    ("verify", "configured", "expected"),
    [
        (True, "https://cdn.example.com/audio/", "https://cdn.example.com/audio"),
        (False, "https://cdn.example.com/audio", "https://cdn.example.com/audio"),
        (False, "http://192.168.1.5:8000/audio", "http://192.168.1.5:8000/audio"),  # development flag only
        (False, None, "http://127.0.0.1:8000/audio"),  # the local server
        (True, None, None),  # production without a URL: no audio (long sessions are spoken)
    ],
)
def test_audio_base_url(verify, configured, expected):
    assert base_url(Settings(verify=verify, audio_base_url=configured)) == expected


@pytest.mark.parametrize(
    "configured", ["http://cdn.example.com/audio", "ftp://cdn.example.com/audio", "cdn/audio"]
)
def test_production_refuses_anything_but_https(configured):
    with pytest.raises(ValueError, match="https"):
        base_url(Settings(verify=True, audio_base_url=configured))


def test_stream_url_names_the_part():
    settings = Settings(verify=True, audio_base_url="https://cdn.example.com/audio")
    assert stream_url(settings, Token(KEY, 3, 4, "pmr")) == f"https://cdn.example.com/audio/{KEY}-part3.mp3"
