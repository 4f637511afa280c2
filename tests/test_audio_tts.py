"""TTS backends: Polly through botocore's Stubber, espeak-ng for real (it is fast and offline)."""

from __future__ import annotations

import io
import math
from array import array

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from skill.audio.pcm import Clip
from skill.audio.tts import EspeakBackend, PollyBackend, TTSError, make_backend, split_for_polly


@pytest.fixture
def polly(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("polly", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield PollyBackend(client=client), stubber
        stubber.assert_no_pending_responses()


def pcm_tone(seconds: float, rate: int = 16000) -> bytes:
    samples = array("h", (round(6000 * math.sin(i * 0.2)) for i in range(round(seconds * rate))))
    return Clip(samples, rate).to_pcm()


def audio_response(data: bytes) -> dict:
    return {
        "AudioStream": StreamingBody(io.BytesIO(data), len(data)),
        "ContentType": "audio/pcm",
        "RequestCharacters": 10,
    }


@pytest.mark.parametrize(
    ("rate", "whisper", "engine", "text"),
    [
        (1.0, False, "neural", "<speak>Breathe in &amp; out.</speak>"),
        (0.87, False, "neural", '<speak><prosody rate="87%">Breathe in &amp; out.</prosody></speak>'),
        # Polly whispers only with standard voices, so whispered speech switches engine.
        (
            1.0,
            True,
            "standard",
            '<speak><amazon:effect name="whispered">Breathe in &amp; out.</amazon:effect></speak>',
        ),
    ],
)
def test_polly_gets_ssml_for_rate_and_whisper_and_returns_16k_pcm(polly, rate, whisper, engine, text):
    backend, stubber = polly
    expected = {
        "Engine": engine,
        "LanguageCode": "en-GB",
        "OutputFormat": "pcm",
        "SampleRate": "16000",
        "Text": text,
        "TextType": "ssml",
        "VoiceId": "Amy",
    }
    stubber.add_response("synthesize_speech", audio_response(pcm_tone(0.5)), expected)
    clip = backend.synthesize("Breathe in & out.", voice=None, locale="en-GB", rate=rate, whisper=whisper)
    assert clip.rate == 16000
    assert clip.seconds == pytest.approx(0.5)


def test_polly_long_text_is_split_and_joined(polly):
    backend, stubber = polly
    sentence = "Let your whole body grow heavy and warm. "
    text = sentence * 100  # about 4100 characters: more than one synchronous call may take
    pieces = split_for_polly(text)
    assert len(pieces) == 2 and all(len(p) <= 2500 for p in pieces)
    assert " ".join(pieces) == text.strip()
    for _ in pieces:
        stubber.add_response("synthesize_speech", audio_response(pcm_tone(1.0)))
    clip = backend.synthesize(text, voice="Joanna", locale="en-US", rate=1.0, whisper=False)
    assert clip.seconds == pytest.approx(2.0)


def test_polly_errors_become_tts_errors(polly):
    backend, stubber = polly
    stubber.add_client_error("synthesize_speech", "ThrottlingException", "Rate exceeded")
    with pytest.raises(TTSError, match="Polly failed"):
        backend.synthesize("Hello.", voice=None, locale="en-US", rate=1.0, whisper=False)


def test_polly_client_is_created_only_when_first_used(monkeypatch):
    created = []
    monkeypatch.setattr(boto3, "client", lambda *a, **k: created.append(a) or object())
    backend = make_backend("polly", region="eu-west-1")
    assert created == []
    assert backend.identity() == "polly neural"
    _ = backend.client  # type: ignore[attr-defined]
    assert created == [("polly",)]


def test_espeak_speaks_at_its_sample_rate_and_slows_down_when_asked():
    backend = EspeakBackend()
    text = "Let your shoulders soften and your breath slow down."
    normal = backend.synthesize(text, voice=None, locale="en-US", rate=1.0, whisper=False).trimmed()
    slow = backend.synthesize(text, voice=None, locale="en-US", rate=0.8, whisper=False).trimmed()
    assert normal.rate == 22050
    assert 2.0 < normal.seconds < 5.0
    assert slow.seconds / normal.seconds == pytest.approx(1 / 0.8, rel=0.1)


@pytest.mark.parametrize(
    ("locale", "whisper", "voice"),
    [
        ("en-US", False, "en-us"),
        ("en-GB", True, "en-gb+whisper"),
        ("en-IN", False, "en-gb"),
        ("fr-FR", False, "fr"),
    ],
)
def test_espeak_voice_per_locale(locale, whisper, voice):
    assert EspeakBackend().voice_for(None, locale, whisper) == voice


def test_espeak_reads_text_that_looks_like_an_option():
    clip = EspeakBackend().synthesize(
        "-v means nothing here", voice=None, locale="en-US", rate=1.0, whisper=False
    )
    assert clip.trimmed().seconds > 0.5


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="espeak or polly"):
        make_backend("festival")
