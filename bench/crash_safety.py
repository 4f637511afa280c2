"""Crash safety: SIGKILL the server mid-write again and again; every acknowledged write must survive.

    .venv/bin/python -m bench.crash_safety [--kills 20] [--clients 4] [--workers 2]

Runs ``cramp-coach serve --no-verify --db <tmp> --workers N`` in its own process group, sends writes
from several client threads, kills the whole group (master and workers) with SIGKILL at random
moments, restarts it on the same SQLite file and carries on. At the end it reads every write that
got a 200 back through the skill's own storage classes and runs ``PRAGMA integrity_check``.

Writes (one user per write, so presence proves the write):
- ``profile``: a first LaunchRequest, which records ``disclaimer_heard`` in the persistent profile;
- ``diary``: LogCrampIntent said in one breath ("a five in my left calf, that's all"), which saves
  an entry; the reply's session carries the entry id, read back with the diary repository;
- ``setting``: SetPreferenceIntent ("always go slower"), kept in the persistent profile;
- ``playback``: AudioPlayer.PlaybackStopped with a stream token and offset, the resume position
  kept in persistent attributes (playback events come without a session).
The diary, setting and playback writes are used when the skill has those features.

A write counts as acknowledged only when the reply says the skill did it (the disclaimer spoken, the
entry id returned, the preference confirmed), not merely on a 200: an apology is also a 200.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a commit is in the WAL (in the OS page cache)
before the reply is sent, so it survives the death of the process; it is not synced to the disk at
every commit, so power loss may lose the last commits. This bench tests the first claim only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from bench.workloads import NO_API, diary_log
from skill.builder import request_handlers
from skill.config import Settings
from skill.content.catalog import default_catalog
from skill.models import load_model
from skill.services import build_services
from skill.speech import ssml
from tests import envelopes
from tests.envelopes import Slot

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Write:
    """One kind of write: the request for a user, and how a reply proves the write was made."""

    kind: str
    request: Callable[[str], dict[str, Any]]
    acknowledged: Callable[[dict[str, Any]], str | None]  # reply → evidence (entry id, "yes"), or None


def _speech(reply: dict[str, Any]) -> str:
    return ((reply.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")


def _launch(user: str) -> dict[str, Any]:
    return envelopes.launch(user_id=user, api_endpoint=NO_API)


def _entry_id(reply: dict[str, Any]) -> str | None:
    value = ((reply.get("sessionAttributes") or {}).get("cc") or {}).get("diary_last")
    return value if isinstance(value, str) else None


def _set_pace(user: str) -> dict[str, Any]:
    slots = {"pace": Slot("slower", id="SLOWER", slot_type="PreferencePace")}
    return envelopes.intent("SetPreferenceIntent", slots, new=True, user_id=user, api_endpoint=NO_API)


def _pace_confirmed(reply: dict[str, Any]) -> str | None:
    said = ssml.to_text(_speech(reply))
    confirmations = default_catalog().variants("en-US", "personal.prefs.pace.SLOWER")
    return "SLOWER" if any(text in said for text in confirmations) else None


# A stream token as the audio feature issues them: cc1|<sha256>|part|parts|script|options.
PLAYBACK_TOKEN = "cc1|" + "ab" * 32 + "|2|3|breathing|{}"


def _playback_stopped(user: str) -> dict[str, Any]:
    offset = 1000 + sum(map(ord, user)) % 100_000
    return envelopes.audio_event(
        "AudioPlayer.PlaybackStopped", PLAYBACK_TOKEN, offset, user_id=user, api_endpoint=NO_API
    )


def _playback_acknowledged(reply: dict[str, Any]) -> str | None:
    # Playback events get an empty answer either way; a 200 is all a device ever sees.
    return "stopped" if not _speech(reply) else None


def available_writes() -> list[Write]:
    """The writes this version of the skill supports (diary, settings, playback: once they exist)."""
    intents = {i["name"] for i in load_model("en-US")["interactionModel"]["languageModel"]["intents"]}
    handled = {type(h).__name__ for h in request_handlers()}
    writes = [Write("profile", _launch, lambda reply: "yes" if "medical advice" in _speech(reply) else None)]
    if "LogCrampIntent" in intents:
        writes.append(Write("diary", diary_log, _entry_id))
    if "SetPreferenceIntent" in intents:
        writes.append(Write("setting", _set_pace, _pace_confirmed))
    if "PlaybackStoppedHandler" in handled:
        writes.append(Write("playback", _playback_stopped, _playback_acknowledged))
    return writes


def stored(services: Any, kind: str, user: str, evidence: str) -> bool:
    """True when the write is in the database, read through the skill's own storage classes."""
    if kind == "diary":
        return services.diary.get(user, evidence) is not None
    envelope = DefaultSerializer().deserialize(json.dumps(envelopes.launch(user_id=user)), RequestEnvelope)
    attributes = services.persistence.get_attributes(envelope)
    profile = attributes.get("profile", {})
    if kind == "profile":
        return profile.get("disclaimer_heard") is True
    if kind == "setting":
        return (profile.get("preferences") or {}).get("pace") == evidence
    if kind == "playback":
        playback = attributes.get("playback") or {}
        expected = _playback_stopped(user)["request"]["offsetInMilliseconds"]
        return playback.get("token") == PLAYBACK_TOKEN and playback.get("offset_ms") == expected
    raise ValueError(kind)


# ------------------------------------------------------------------------------------------ server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``cramp-coach serve`` in its own process group, so one killpg reaches master and workers."""

    def __init__(self, db_path: Path, port: int, workers: int, log_path: Path) -> None:
        self.command = [
            str(Path(sys.executable).with_name("cramp-coach")),
            "serve",
            "--no-verify",
            "--db",
            str(db_path),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> float:
        """Start and wait for /health; returns the seconds it took."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMP_COACH_") and k != "SKILL_ID"}
        env["LOG_LEVEL"] = "WARNING"
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}")
            try:
                if requests.get(self.url + "/health", timeout=1).ok:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not start in {timeout} s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no worker gets to finish, flush or clean up."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._wait_group_gone()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._wait_group_gone()

    def _wait_group_gone(self, timeout: float = 10) -> None:
        """Workers are reaped by init after the master dies; wait until none is left."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)


# ------------------------------------------------------------------------------------------ run


@dataclass
class Outcome:
    """What the clients saw and what the database holds afterwards."""

    kills: int = 0
    acknowledged: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, user, evidence)
    attempts: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    integrity: str = ""
    restart_seconds: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.missing and self.integrity == "ok" and bool(self.acknowledged)

    def report(self) -> str:
        by_kind = Counter(kind for kind, _, _ in self.acknowledged)
        restarts = sorted(self.restart_seconds)
        lines = [
            f"crash safety: {self.kills} SIGKILLs of the whole server in {self.seconds:.1f} s",
            "  attempts:      " + ", ".join(f"{k}: {n}" for k, n in sorted(self.attempts.items())),
            "  outcomes:      " + ", ".join(f"{k}: {n}" for k, n in sorted(self.statuses.items())),
            "  acknowledged:  " + ", ".join(f"{k}: {n}" for k, n in sorted(by_kind.items())),
            f"  missing after restart: {len(self.missing)}",
            f"  PRAGMA integrity_check: {self.integrity}",
        ]
        if restarts:
            lines.append(
                f"  restart to healthy: median {restarts[len(restarts) // 2]:.2f} s, max {restarts[-1]:.2f} s"
            )
        lines += [
            f"  MISSING {kind} user={user} evidence={evidence}" for kind, user, evidence in self.missing[:20]
        ]
        lines.append("PASS" if self.ok else "FAIL")
        return "\n".join(lines)


def _client(
    server: Server,
    writes: list[Write],
    index: int,
    stop: threading.Event,
    outcome: Outcome,
    lock: threading.Lock,
) -> None:
    session = requests.Session()
    number = 0
    while not stop.is_set():
        write = writes[number % len(writes)]
        user = f"amzn1.ask.account.CRASH-{index}-{number}"
        number += 1
        body = json.dumps(write.request(user))
        try:
            response = session.post(
                server.url + "/alexa", data=body, timeout=10, headers={"Content-Type": "application/json"}
            )
        except requests.RequestException as exc:
            with lock:
                outcome.attempts[write.kind] += 1
                outcome.statuses[type(exc).__name__] += 1
            session = requests.Session()  # the connection died with the server
            time.sleep(0.1)
            continue
        evidence = write.acknowledged(response.json()) if response.status_code == 200 else None
        with lock:
            outcome.attempts[write.kind] += 1
            outcome.statuses[
                str(response.status_code) if evidence or response.status_code != 200 else "200 (no ack)"
            ] += 1
            if evidence is not None:
                outcome.acknowledged.append((write.kind, user, evidence))


def verify(db_path: Path, acknowledged: list[tuple[str, str, str]]) -> tuple[str, list[tuple[str, str, str]]]:
    """integrity_check, then every acknowledged write read back through the skill's own storage."""
    with sqlite3.connect(db_path) as conn:
        integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    services = build_services(Settings(verify=False, storage="sqlite", db_path=db_path))
    missing = [
        (kind, user, evidence)
        for kind, user, evidence in acknowledged
        if not stored(services, kind, user, evidence)
    ]
    if services.database is not None:
        services.database.close()
    return integrity, missing


def run(
    kills: int = 20,
    clients: int = 4,
    workers: int = 2,
    seed: int | None = None,
    min_gap: float = 0.1,
    max_gap: float = 1.0,
    directory: Path | None = None,
) -> Outcome:
    """Kill the server ``kills`` times at random moments under write load, then verify the database."""
    rng = random.Random(seed)
    outcome = Outcome()
    writes = available_writes()
    with tempfile.TemporaryDirectory(prefix="cramp-crash-") as scratch:
        work = directory or Path(scratch)
        db_path = work / "crash.db"
        server = Server(db_path, free_port(), workers, work / "server.log")
        lock, stop = threading.Lock(), threading.Event()
        started = time.monotonic()
        server.start()
        threads = [
            threading.Thread(target=_client, args=(server, writes, i, stop, outcome, lock), daemon=True)
            for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        try:
            for _ in range(kills):
                time.sleep(rng.uniform(min_gap, max_gap))
                server.kill()
                outcome.kills += 1
                outcome.restart_seconds.append(server.start())
            time.sleep(rng.uniform(min_gap, max_gap))  # writes after the last restart count too
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=15)
            server.stop()
        outcome.seconds = time.monotonic() - started
        outcome.integrity, outcome.missing = verify(db_path, outcome.acknowledged)
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs (default 20)")
    parser.add_argument("--clients", type=int, default=4, help="client threads sending writes (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the kill moments")
    args = parser.parse_args()
    kinds = ", ".join(w.kind for w in available_writes())
    print(f"writes: {kinds}; {args.clients} clients; {args.workers} workers; {args.kills} kills", flush=True)
    outcome = run(kills=args.kills, clients=args.clients, workers=args.workers, seed=args.seed)
    print(outcome.report())
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
