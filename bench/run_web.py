"""Web benchmark: the same wrk load against Cramp Coach and a bare ask-sdk-core hello world.

Both run under gunicorn with the options of `cramp-coach serve` (2 sync workers by default), on
local ports, one server loaded at a time. Prints p50/p99 latency and throughput per scenario and
the ratios Cramp Coach / hello world. Run: `make bench` or `python -m bench.run_web [--duration 10]`.

A scenario is one entry in SCENARIOS: a name, a request envelope, and optionally a `prepare`
step that seeds the skill's SQLite database before the servers start.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests import envelopes

ROOT = Path(__file__).resolve().parents[1]
LUA_SCRIPT = Path(__file__).with_name("post.lua")


@dataclass(frozen=True)
class Scenario:
    """One kind of request, sent to both servers."""

    name: str
    envelope: Callable[[], dict[str, Any]]
    # Seeds the skill's SQLite file (path given) before the servers start, e.g. 10,000 diary entries.
    prepare: Callable[[Path], None] | None = None


SCENARIOS: list[Scenario] = [
    Scenario("launch", lambda: envelopes.launch(new=True)),
    Scenario("help", lambda: envelopes.intent("AMAZON.HelpIntent")),
]


@dataclass(frozen=True)
class Result:
    p50_ms: float
    p99_ms: float
    requests_per_s: float
    requests: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], port: int, log: Path) -> Iterator[str]:
    """Run command until /health answers; stop it (SIGTERM, then SIGKILL) afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMP_COACH_") and k != "SKILL_ID"}
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{command[0]} exited:\n{log.read_text()}")
            try:
                if requests.get(url + "/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{command[0]} did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def check_answer(url: str, body: bytes, label: str) -> None:
    """The load is only meaningful if the server really answers the scenario with speech."""
    reply = requests.post(url + "/alexa", data=body, headers={"Content-Type": "application/json"}, timeout=10)
    if reply.status_code != 200 or "outputSpeech" not in reply.json().get("response", {}):
        raise SystemExit(f"{label} did not answer the scenario: {reply.status_code} {reply.text[:300]}")


def run_wrk(url: str, body_path: Path, *, duration: float, threads: int, connections: int) -> Result:
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration:g}s",
        "--timeout=10s",
        f"--script={LUA_SCRIPT}",
        url + "/alexa",
    ]
    done = subprocess.run(
        command, env={**os.environ, "BENCH_BODY": str(body_path)}, capture_output=True, text=True, check=True
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(line.removeprefix("BENCH "))
    if figures["errors"] or figures["non_2xx"]:
        raise SystemExit(f"wrk saw failures against {url}: {figures}")
    return Result(
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        requests_per_s=figures["requests"] / (figures["duration_us"] / 1e6),
        requests=figures["requests"],
    )


def warm_up(url: str, body: bytes, count: int = 50) -> None:
    """Let both workers import lazily loaded code and fill caches before measuring."""
    for _ in range(count):
        requests.post(url + "/alexa", data=body, headers={"Content-Type": "application/json"}, timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per run (default 10)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    parser.add_argument("--only", action="append", help="run only this scenario (repeatable)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    scenarios = [s for s in SCENARIOS if not args.only or s.name in args.only]

    with tempfile.TemporaryDirectory(prefix="cramp-bench-") as scratch:
        work = Path(scratch)
        db_path = work / "cramp-coach.db"
        for scenario in scenarios:
            if scenario.prepare is not None:
                scenario.prepare(db_path)
        skill_port, hello_port = free_port(), free_port()
        workers = str(args.workers)
        cramp_coach = [str(Path(sys.executable).with_name("cramp-coach")), "serve", "--no-verify"]
        cramp_coach += ["--port", str(skill_port), "--workers", workers, "--db", str(db_path)]
        hello_world = [
            sys.executable,
            "-m",
            "bench.hello_world",
            "--port",
            str(hello_port),
            "--workers",
            workers,
        ]
        print(
            f"wrk: {args.threads} threads, {args.connections} connections, {args.duration:g} s per run; "
            f"each server: gunicorn, {args.workers} sync workers; {os.cpu_count()} CPUs"
        )
        print(f"{'scenario':<22}{'server':<14}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>10}")
        with (
            server(cramp_coach, skill_port, work / "cramp-coach.log") as skill_url,
            server(hello_world, hello_port, work / "hello-world.log") as hello_url,
        ):
            ratios: list[tuple[float, float, float]] = []
            for scenario in scenarios:
                body = json.dumps(scenario.envelope()).encode()
                body_path = work / f"{scenario.name}.json"
                body_path.write_bytes(body)
                results = {}
                for label, url in (("cramp-coach", skill_url), ("hello-world", hello_url)):
                    check_answer(url, body, label)
                    warm_up(url, body)
                    results[label] = result = run_wrk(
                        url,
                        body_path,
                        duration=args.duration,
                        threads=args.threads,
                        connections=args.connections,
                    )
                    print(
                        f"{scenario.name:<22}{label:<14}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
                        f"{result.requests_per_s:>10.0f}"
                    )
                ours, base = results["cramp-coach"], results["hello-world"]
                ratio = (
                    ours.p50_ms / base.p50_ms,
                    ours.p99_ms / base.p99_ms,
                    ours.requests_per_s / base.requests_per_s,
                )
                ratios.append(ratio)
                print(f"{scenario.name:<22}{'ratio':<14}{ratio[0]:>8.2f}x{ratio[1]:>8.2f}x{ratio[2]:>9.2f}x")
        if len(ratios) > 1:
            p50, p99, throughput = (statistics.geometric_mean(column) for column in zip(*ratios, strict=True))
            print(f"{'all (geometric mean)':<22}{'ratio':<14}{p50:>8.2f}x{p99:>8.2f}x{throughput:>9.2f}x")
        print("ratio = Cramp Coach / hello world (latency: higher is slower; throughput: lower is slower)")


if __name__ == "__main__":
    main()
