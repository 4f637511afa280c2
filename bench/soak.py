"""Soak: 60 s of load at a high rate against the real server, zero errors required; memory per worker.

    .venv/bin/python -m bench.soak [--duration 60] [--connections 32] [--threads 4] [--workers 2]

``cramp-coach serve --workers 2`` on a SQLite file seeded with diaries, then wrk with many more
connections than workers (requests queue in the listen backlog, as under a burst) sending a mix:
launch, help, a technique segment, a diary log (a write) and a diary question. wrk's socket errors
(connect, read, write, timeout) and non-2xx answers are printed; any of them fails the run. Then
the resident memory of the gunicorn master and of each worker, from /proc/<pid>/status, before the
load (after warm-up) and after it. The 10,000-entry diary question is timed by ``bench/run_web.py``;
here the question reads a diary of ``--question-entries`` (default 100) so the mix stays high-rate.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import workloads
from bench.run_web import check_answer, free_port, server, warm_up
from tests import envelopes

MIX_LUA = Path(__file__).with_name("mix.lua")
LOG_USER = "amzn1.ask.account.BENCH-LOG"
QUESTION_USER = "amzn1.ask.account.BENCH-QUESTION"


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) in kB from /proc/<pid>/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values[key] = int(rest.split()[0])
    return values


def workers_of(master: int) -> list[int]:
    """Child processes of the gunicorn master (its workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(master):
            children.append(int(stat.parent.name))
    return sorted(children)


def memory_table(master: int) -> dict[str, dict[str, int]]:
    table = {"master": memory(master)}
    for index, pid in enumerate(workers_of(master), start=1):
        table[f"worker {index} (pid {pid})"] = memory(pid)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--threads", type=int, default=4, help="wrk threads (default 4)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--question-entries", type=int, default=100, help="entries in the questioned diary")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    mix = {
        "launch": envelopes.launch(new=True, api_endpoint=workloads.NO_API),
        "help": envelopes.intent("AMAZON.HelpIntent", api_endpoint=workloads.NO_API),
        "technique segment": workloads.technique_segment(),
        "diary log": workloads.diary_log(LOG_USER),
        "diary question": workloads.diary_question(QUESTION_USER),
    }
    with tempfile.TemporaryDirectory(prefix="cramp-soak-") as scratch:
        work = Path(scratch)
        db_path = work / "soak.db"
        workloads.seed_diary(db_path, args.question_entries, QUESTION_USER)
        bodies = work / "bodies.jsonl"
        bodies.write_text("\n".join(json.dumps(body, separators=(",", ":")) for body in mix.values()) + "\n")
        port = free_port()
        command = [str(Path(sys.executable).with_name("cramp-coach")), "serve", "--no-verify"]
        command += ["--port", str(port), "--workers", str(args.workers), "--db", str(db_path)]
        with server(command, port, work / "server.log") as target:
            for name, body in mix.items():
                encoded = json.dumps(body).encode()
                check_answer(target.url, encoded, f"cramp-coach ({name})")
                warm_up(target.url, encoded, count=20)
            before = memory_table(target.pid)
            print(
                f"soak: {args.duration} s, wrk {args.threads} threads x {args.connections} connections, "
                f"gunicorn {args.workers} sync workers, {os.cpu_count()} CPUs, load average "
                f"{os.getloadavg()[0]:.1f}; mix: {', '.join(mix)}",
                flush=True,
            )
            wrk = [
                "wrk",
                f"--threads={args.threads}",
                f"--connections={args.connections}",
                f"--duration={args.duration}s",
                "--timeout=10s",
                f"--script={MIX_LUA}",
                target.url + "/alexa",
            ]
            done = subprocess.run(
                wrk,
                env={**os.environ, "BENCH_BODIES": str(bodies)},
                capture_output=True,
                text=True,
                check=True,
            )
            after = memory_table(target.pid)
        line = next((line for line in done.stdout.splitlines() if line.startswith("SOAK ")), None)
        if line is None:
            raise SystemExit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
        figures = json.loads(line.removeprefix("SOAK "))
    seconds = figures["duration_us"] / 1e6
    errors = {key: figures[key] for key in ("connect", "read", "write", "timeout", "non_2xx")}
    print(f"requests: {figures['requests']} in {seconds:.1f} s = {figures['requests'] / seconds:.0f} req/s")
    print(
        f"latency: p50 {figures['p50_us'] / 1000:.1f} ms, p99 {figures['p99_us'] / 1000:.1f} ms, "
        f"max {figures['max_us'] / 1000:.1f} ms"
    )
    print("errors: " + ", ".join(f"{key} {value}" for key, value in errors.items()))
    print(f"{'memory (kB)':<28}{'RSS before':>12}{'RSS after':>12}{'peak (HWM)':>12}")
    for name, values in after.items():
        start = before.get(name, {}).get("VmRSS", 0)
        print(f"{name:<28}{start:>12}{values['VmRSS']:>12}{values['VmHWM']:>12}")
    ok = not any(errors.values())
    print("PASS: zero errors" if ok else "FAIL: errors during the soak")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
