"""``GET /audio/<name>``: rendered parts for the AudioPlayer, with Range support, from the audio store.

Only names of the form ``<sha256>-part<N>.mp3`` that exist in the store are served. The name is
matched against that pattern before any path is built, so encoded dots, slashes, backslashes and
absolute paths never reach the filesystem. werkzeug's ``send_file(conditional=True)`` answers
Range requests (206 with Content-Range, 416 when unsatisfiable) and If-None-Match / ETag.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, current_app, send_file
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from skill.audio.store import CACHE_CONTROL, AudioStore

audio_blueprint = Blueprint("audio", __name__)


def _store() -> AudioStore:
    store: AudioStore = current_app.extensions["cramp_coach_audio"]
    return store


@audio_blueprint.get("/audio/<path:name>", merge_slashes=False)
def audio_file(name: str) -> Response:
    """One rendered part; anything else is a 404."""
    path = _store().local_file(name)
    if path is None:
        abort(404)
    try:
        response = send_file(path, mimetype="audio/mpeg", conditional=True, etag=True, max_age=31536000)
    except RequestedRangeNotSatisfiable as exc:
        # Answered here: the app's JSON error handler would drop the Content-Range header a 416 needs.
        response = Response(status=416)
        response.headers["Content-Range"] = f"bytes */{exc.length}"
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Accept-Ranges"] = "bytes"
    return response


def register_audio(app: Flask, store: AudioStore) -> None:
    """Attach the audio routes and their store to the Flask app."""
    app.extensions["cramp_coach_audio"] = store
    app.register_blueprint(audio_blueprint)
