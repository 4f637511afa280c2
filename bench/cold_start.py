"""Cold start: a fresh interpreter, import, build and the first answer, Cramp Coach against a bare skill.

Each run is a new Python process that does what a new Lambda container does before the user hears
anything: import the entry point (``import skill.lambda_function`` builds the skill), then answer
one LaunchRequest through the Lambda handler. The parent measures the whole process with
``os.wait4`` (user + system CPU time, wall time); the child reports its own import + build time
and peak resident memory (VmHWM). CPU time is the figure to trust on a shared machine: wall time
moves with the background load. Prints the medians of several runs and the ratios.
Run: `make bench` or `python -m bench.cold_start [--runs 7]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> (statement that imports and builds that skill, leaving a handler(event, context) named h).
PROGRAMS = {
    "cramp-coach": "import skill.lambda_function; h = skill.lambda_function.lambda_handler",
    "hello-world": "import bench.hello_world; h = bench.hello_world.lambda_handler()",
}

CHILD = """
import time
_w, _c = time.perf_counter(), time.process_time()
{statement}
_iw, _ic = time.perf_counter() - _w, time.process_time() - _c
import json, sys
reply = h(json.load(open(sys.argv[1])), None)
assert reply["response"]["outputSpeech"]["ssml"], reply
# Peak memory of this program, read here: exec resets VmHWM, while the parent's ru_maxrss for a
# child also counts the pages it shared with the parent between fork and exec.
_hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(_iw, _ic, _hwm)
"""


@dataclass(frozen=True)
class Run:
    wall_s: float  # whole process, start to exit
    cpu_s: float  # whole process, user + system
    import_wall_s: float  # import + build, measured inside
    import_cpu_s: float
    peak_rss_mb: float


def run_child(statement: str, envelope: Path, env: dict[str, str]) -> Run:
    """Start the child and reap it ourselves with wait4, so its own resource usage is ours to read."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD.format(statement=statement), str(envelope)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{statement} failed:\n{err.read().decode()}")
        import_wall, import_cpu, peak_kb = out.read().decode().strip().splitlines()[-1].split()
    return Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        float(import_wall),
        float(import_cpu),
        int(peak_kb) / 1024,
    )


def median_run(runs: list[Run]) -> Run:
    return Run(*(statistics.median(getattr(r, name) for r in runs) for name in Run.__dataclass_fields__))


def measure_all(runs: int) -> dict[str, Run]:
    """Median cold start per program (``runs`` fresh interpreters each, after one unmeasured run)."""
    from tests import envelopes

    with tempfile.TemporaryDirectory(prefix="cramp-cold-") as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMP_COACH_") and k != "TABLE_NAME"}
        env.update(CRAMP_COACH_DB=str(Path(scratch) / "cramp-coach.db"), LOG_LEVEL="WARNING")
        envelope = Path(scratch) / "launch.json"
        envelope.write_text(json.dumps(envelopes.launch(new=True, api_endpoint="https://127.0.0.1:9")))
        medians = {}
        for name, statement in PROGRAMS.items():
            run_child(statement, envelope, env)  # the first run may write bytecode caches; not counted
            # Interleave nothing else: each program's runs follow one another on the same machine.
            medians[name] = median_run([run_child(statement, envelope, env) for _ in range(runs)])
        return medians


def report(medians: dict[str, Run], runs: int) -> None:
    print(
        f"cold start to the first response (fresh interpreter, import, build, one LaunchRequest), "
        f"median of {runs} runs, Python {sys.version.split()[0]}"
    )
    header = f"{'':<14}{'CPU ms':>9}{'wall ms':>9}{'import CPU ms':>15}{'import wall ms':>16}{'peak MB':>9}"
    print(header)
    for name, run in medians.items():
        print(
            f"{name:<14}{run.cpu_s * 1000:>9.0f}{run.wall_s * 1000:>9.0f}{run.import_cpu_s * 1000:>15.0f}"
            f"{run.import_wall_s * 1000:>16.0f}{run.peak_rss_mb:>9.1f}"
        )
    ours, base = medians["cramp-coach"], medians["hello-world"]
    print(
        f"{'ratio':<14}{ours.cpu_s / base.cpu_s:>8.2f}x{ours.wall_s / base.wall_s:>8.2f}x"
        f"{ours.import_cpu_s / base.import_cpu_s:>14.2f}x{ours.import_wall_s / base.import_wall_s:>15.2f}x"
        f"{ours.peak_rss_mb / base.peak_rss_mb:>8.2f}x  (Cramp Coach / hello world)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per skill (default 7)")
    args = parser.parse_args()
    report(measure_all(args.runs), args.runs)


if __name__ == "__main__":
    main()
