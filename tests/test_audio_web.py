"""GET /audio/<name>: MP3 parts with Range support and caching headers; 404 for everything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from skill.audio.store import AudioStore
from skill.audio.web import register_audio

KEY = "0123456789abcdef" * 4
NAME = f"{KEY}-part1.mp3"
DATA = bytes(range(256)) * 40  # 10240 bytes standing in for an MP3


class Client:
    """A test client whose responses are read and closed at once (send_file keeps the file open)."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def __getattr__(self, method: str):
        def call(path: str, **kwargs):
            response = getattr(self.client, method)(path, **kwargs)
            response.get_data()
            response.close()
            return response

        return call


@pytest.fixture
def client(tmp_path):
    (tmp_path / NAME).write_bytes(DATA)
    (tmp_path / f"{KEY}.json").write_text("{}")
    (tmp_path.parent / "secret.mp3").write_bytes(b"secret")
    app = Flask(__name__)
    register_audio(app, AudioStore(tmp_path))
    return Client(app)


def test_a_part_is_served_whole_as_audio_mpeg_with_caching_headers(client):
    response = client.get(f"/audio/{NAME}")
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.data == DATA
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["ETag"]
    assert "immutable" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=10000-", 10000, 10239),
        ("bytes=-240", 10000, 10239),  # the last 240 bytes
        ("bytes=10200-99999", 10200, 10239),  # an end past the file is cut to the file
    ],
)
def test_range_requests_get_206_with_exactly_those_bytes(client, header, start, end):
    response = client.get(f"/audio/{NAME}", headers={"Range": header})
    assert response.status_code == 206
    assert response.data == DATA[start : end + 1]
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response.headers["Content-Length"] == str(end - start + 1)


@pytest.mark.parametrize("header", ["bytes=20000-", "bytes=10240-10300"])
def test_unsatisfiable_ranges_get_416(client, header):
    response = client.get(f"/audio/{NAME}", headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(DATA)}"


def test_a_revalidation_with_the_etag_gets_304(client):
    etag = client.get(f"/audio/{NAME}").headers["ETag"]
    assert client.get(f"/audio/{NAME}", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        f"/audio/{'f' * 64}-part1.mp3",  # well formed, not in the store
        f"/audio/{KEY}-part2.mp3",
        f"/audio/{KEY}.json",  # the manifest is not public
        f"/audio/{KEY.upper()}-part1.mp3",
        "/audio/../secret.mp3",
        "/audio/%2e%2e/secret.mp3",
        "/audio/%2E%2E%2Fsecret.mp3",
        "/audio/..%5csecret.mp3",
        "/audio/..\\secret.mp3",
        f"/audio/{KEY}-part1.mp3/../../secret.mp3",
        "/audio//etc/passwd",
        "/audio/%2fetc%2fpasswd",
        f"/audio/sub/{NAME}",
        "/audio/",
    ],
)
def test_anything_but_a_stored_part_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"secret" not in response.data


def test_only_get_and_head(client):
    assert client.head(f"/audio/{NAME}").status_code == 200
    assert client.post(f"/audio/{NAME}").status_code == 405


def test_the_skill_web_service_serves_audio_from_its_store(settings):
    from skill.web.app import create_app

    audio_dir = Path(settings.audio_dir)
    audio_dir.mkdir(parents=True, exist_ok=True)
    (audio_dir / NAME).write_bytes(DATA)
    client = Client(create_app(settings))
    ranged = client.get(f"/audio/{NAME}", headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206 and ranged.data == DATA[10:20]
    unsatisfiable = client.get(f"/audio/{NAME}", headers={"Range": "bytes=99999-"})
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["Content-Range"] == f"bytes */{len(DATA)}"
    assert client.get("/audio/%2e%2e/cramp-coach.db").status_code == 404
    assert client.get(f"/audio/{'e' * 64}-part1.mp3").status_code == 404


@pytest.mark.parametrize("served_at", ["http://127.0.0.1:18431", "http://192.168.1.20:5123"])
def test_development_audio_urls_name_the_server_the_device_reached(tmp_path, served_at):
    """`make run PORT=…` or a LAN address: the Echo is sent back to the same host and port, and the
    part it names is served there."""
    from skill.config import Settings
    from skill.services import build_services
    from skill.web.app import create_app
    from tests import envelopes
    from tests.audio_fakes import ToneBackend

    settings = Settings(verify=False, storage="sqlite", db_path=tmp_path / "db", audio_dir=tmp_path / "a")
    services = build_services(settings, tts=ToneBackend(word_seconds=60 / 155))
    app = Client(create_app(settings, services=services))
    envelope = envelopes.intent("StartVisualisationIntent", {"minutes": "5"}, new=True, audio_player=True)
    reply = app.post("/alexa", json=envelope, base_url=served_at)
    services.audio.wait_for_background()
    stream = reply.get_json()["response"]["directives"][0]["audioItem"]["stream"]
    assert stream["url"].startswith(f"{served_at}/audio/")
    part = app.get(stream["url"].removeprefix(served_at), base_url=served_at)
    assert part.status_code == 200 and part.mimetype == "audio/mpeg"
