"""Web benchmark: the same wrk load against Cramp Coach and a bare ask-sdk-core hello world.

Both run under gunicorn with the options of `cramp-coach serve` (2 sync workers by default), on
local ports, one server loaded at a time. Prints p50/p99 latency and throughput per scenario and
the ratios Cramp Coach / hello world, and the servers' CPU time per request, which stays meaningful
when other work shares the machine. Run: `make bench` or `python -m bench.run_web [--rounds 3]`.

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

from bench import workloads
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
    # Feature scenarios (bench/workloads.py): the question runs before the log adds entries.
    Scenario("technique segment", workloads.technique_segment),
    Scenario("diary question 10k", workloads.diary_question, prepare=workloads.seed_diary),
    Scenario("diary log", workloads.diary_log),
]


@dataclass(frozen=True)
class Result:
    p50_ms: float
    p99_ms: float
    requests_per_s: float
    requests: int
    cpu_ms_per_request: float


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a gunicorn master and its workers, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        # After the command name: state, ppid, ..., utime (14th field overall) and stime (15th).
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def peak_worker_mb(pid: int) -> float:
    """The largest peak resident memory (VmHWM) among a gunicorn master's workers, in MB."""
    peaks = [0.0]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if lines.get("PPid", "").strip() == str(pid) and "VmHWM" in lines:
            peaks.append(int(lines["VmHWM"].split()[0]) / 1024)
    return max(peaks)


@dataclass(frozen=True)
class WebFigures:
    """What `python -m bench` needs from a run: CPU ms per request per scenario and server, memory."""

    cpu_ms: dict[str, dict[str, float]]
    peak_worker_mb: dict[str, float]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], port: int, log: Path) -> Iterator[Server]:
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
        yield Server(url, process.pid)
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


def run_wrk(target: Server, body_path: Path, *, duration: float, threads: int, connections: int) -> Result:
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration:g}s",
        "--timeout=10s",
        f"--script={LUA_SCRIPT}",
        target.url + "/alexa",
    ]
    cpu_before = cpu_seconds(target.pid)
    done = subprocess.run(
        command, env={**os.environ, "BENCH_BODY": str(body_path)}, capture_output=True, text=True, check=True
    )
    cpu_used = cpu_seconds(target.pid) - cpu_before
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(line.removeprefix("BENCH "))
    if figures["errors"] or figures["non_2xx"]:
        raise SystemExit(f"wrk saw failures against {target.url}: {figures}")
    return Result(
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        requests_per_s=figures["requests"] / (figures["duration_us"] / 1e6),
        requests=figures["requests"],
        cpu_ms_per_request=cpu_used * 1000 / max(figures["requests"], 1),
    )


def median_result(runs: list[Result]) -> Result:
    return Result(
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        requests_per_s=statistics.median(r.requests_per_s for r in runs),
        requests=sum(r.requests for r in runs),
        cpu_ms_per_request=statistics.median(r.cpu_ms_per_request for r in runs),
    )


def warm_up(url: str, body: bytes, count: int = 50) -> None:
    """Let both workers import lazily loaded code and fill caches before measuring."""
    for _ in range(count):
        requests.post(url + "/alexa", data=body, headers={"Content-Type": "application/json"}, timeout=10)


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=5, help="seconds of load per run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per server and scenario (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    parser.add_argument("--only", action="append", help="run only this scenario (repeatable)")
    return parser.parse_args(argv)


def main() -> None:
    run(options())


def run(args: argparse.Namespace) -> WebFigures:
    """Load both servers with every scenario; print the table; return the CPU and memory figures."""
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
            f"wrk: {args.threads} threads, {args.connections} connections, "
            f"median of {args.rounds} alternating runs of {args.duration:g} s; "
            f"each server: gunicorn, {args.workers} sync workers; {os.cpu_count()} CPUs"
        )
        print(f"{'scenario':<22}{'server':<14}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>10}{'CPU ms/req':>12}")
        with (
            server(cramp_coach, skill_port, work / "cramp-coach.log") as skill_server,
            server(hello_world, hello_port, work / "hello-world.log") as hello_server,
        ):
            servers = [("cramp-coach", skill_server), ("hello-world", hello_server)]
            ratios: list[tuple[float, ...]] = []
            cpu: dict[str, dict[str, float]] = {}
            for scenario in scenarios:
                body = json.dumps(scenario.envelope()).encode()
                body_path = work / f"{scenario.name}.json"
                body_path.write_bytes(body)
                for label, target in servers:
                    check_answer(target.url, body, label)
                    warm_up(target.url, body)
                # Rounds alternate between the servers, so background load on a shared machine
                # falls on both alike; each figure is the median over the rounds.
                runs: dict[str, list[Result]] = {label: [] for label, _ in servers}
                for _ in range(args.rounds):
                    for label, target in servers:
                        runs[label].append(
                            run_wrk(
                                target,
                                body_path,
                                duration=args.duration,
                                threads=args.threads,
                                connections=args.connections,
                            )
                        )
                results = {label: median_result(label_runs) for label, label_runs in runs.items()}
                for label, result in results.items():
                    print(
                        f"{scenario.name:<22}{label:<14}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
                        f"{result.requests_per_s:>10.0f}{result.cpu_ms_per_request:>12.2f}"
                    )
                cpu[scenario.name] = {label: result.cpu_ms_per_request for label, result in results.items()}
                ours, base = results["cramp-coach"], results["hello-world"]
                ratio = (
                    ours.p50_ms / base.p50_ms,
                    ours.p99_ms / base.p99_ms,
                    ours.requests_per_s / base.requests_per_s,
                    ours.cpu_ms_per_request / base.cpu_ms_per_request,
                )
                ratios.append(ratio)
                print(f"{scenario.name:<22}{'ratio':<14}" + format_ratios(ratio))
            memory = {label: peak_worker_mb(target.pid) for label, target in servers}
        if len(ratios) > 1:
            overall = tuple(statistics.geometric_mean(column) for column in zip(*ratios, strict=True))
            print(f"{'all (geometric mean)':<22}{'ratio':<14}" + format_ratios(overall))
        print(
            "ratio = Cramp Coach / hello world (latency, CPU: higher is slower; throughput: lower is slower)"
        )
        print(
            "peak memory per worker (VmHWM): "
            + ", ".join(f"{label} {mb:.1f} MB" for label, mb in memory.items())
            + f", ratio {memory['cramp-coach'] / memory['hello-world']:.2f}x"
        )
    return WebFigures(cpu, memory)


def format_ratios(ratio: tuple[float, ...]) -> str:
    p50, p99, throughput, cpu = ratio
    return f"{p50:>8.2f}x{p99:>8.2f}x{throughput:>9.2f}x{cpu:>11.2f}x"


if __name__ == "__main__":
    main()
