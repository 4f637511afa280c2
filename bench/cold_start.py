"""Cold start: import + build time of Cramp Coach and of the bare hello-world skill.

Each run is a fresh interpreter that times, from its first import to a built skill, what a new
Lambda container does before its first request (`import skill.lambda_function` builds the skill).
Prints the median of several runs and the ratio. Run: `make bench` or `python -m bench.cold_start`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> the statement that imports and builds that skill.
PROGRAMS = {
    "cramp-coach": "import skill.lambda_function",
    "hello-world": "import bench.hello_world; bench.hello_world.build_skill()",
}

TIMED = (
    "import time; _w, _c = time.perf_counter(), time.process_time(); {statement}; "
    "print(time.perf_counter() - _w, time.process_time() - _c)"
)


def measure(statement: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds from first import to a built skill, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", TIMED.format(statement=statement)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per skill (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cramp-cold-") as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMP_COACH_") and k != "TABLE_NAME"}
        env.update(CRAMP_COACH_DB=str(Path(scratch) / "cramp-coach.db"), LOG_LEVEL="WARNING")
        medians: dict[str, tuple[float, float]] = {}
        print(f"import + build, median of {args.runs} fresh interpreters ({sys.version.split()[0]})")
        print(f"{'':<14}{'wall ms':>9}{'CPU ms':>9}")
        for name, statement in PROGRAMS.items():
            measure(statement, env)  # the first run may write bytecode caches; not counted
            runs = [measure(statement, env) for _ in range(args.runs)]
            # CPU time hardly moves when other work shares the machine; wall time does.
            medians[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
            print(f"{name:<14}{medians[name][0] * 1000:>9.0f}{medians[name][1] * 1000:>9.0f}")
        ours, base = medians["cramp-coach"], medians["hello-world"]
        print(
            f"{'ratio':<14}{ours[0] / base[0]:>8.2f}x{ours[1] / base[1]:>8.2f}x  (Cramp Coach / hello world)"
        )


if __name__ == "__main__":
    main()
