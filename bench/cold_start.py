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

TIMED = "import time; _t = time.perf_counter(); {statement}; print(time.perf_counter() - _t)"


def measure(statement: str, env: dict[str, str]) -> float:
    """Seconds from first import to a built skill, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", TIMED.format(statement=statement)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per skill (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cramp-cold-") as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMP_COACH_") and k != "TABLE_NAME"}
        env.update(CRAMP_COACH_DB=str(Path(scratch) / "cramp-coach.db"), LOG_LEVEL="WARNING")
        medians = {}
        print(f"import + build, median of {args.runs} fresh interpreters ({sys.version.split()[0]})")
        for name, statement in PROGRAMS.items():
            measure(statement, env)  # the first run may write bytecode caches; not counted
            times = [measure(statement, env) for _ in range(args.runs)]
            medians[name] = statistics.median(times)
            low, high = min(times) * 1000, max(times) * 1000
            print(f"{name:<14}{medians[name] * 1000:>8.0f} ms   (min {low:.0f}, max {high:.0f})")
        ratio = medians["cramp-coach"] / medians["hello-world"]
        print(f"{'ratio':<14}{ratio:>8.2f}x  (Cramp Coach / hello world)")


if __name__ == "__main__":
    main()
