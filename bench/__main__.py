"""Every benchmark in one run, then the issue's targets against the figures measured.

    .venv/bin/python -m bench [--quick]

Runs the cold start (bench/cold_start.py), the web load (bench/run_web.py, wrk against gunicorn)
and the diary questions (bench/diary_queries.py, SQLite and DynamoDB on moto), each against the
bare ask-sdk-core skill where there is one, and ends with one table: target, measured, met.
All ratios are CPU time (user + system), which stays meaningful when other work shares the
machine; wall-clock figures are printed by each part for reference.
"""

from __future__ import annotations

import argparse

from bench import cold_start, diary_queries, run_web


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and shorter loads")
    parser.add_argument("--no-dynamodb", action="store_true", help="skip DynamoDB (moto is slow to seed)")
    args = parser.parse_args()
    quick = args.quick
    runs = 3 if quick else 7
    cold = cold_start.measure_all(runs)
    cold_start.report(cold, runs)
    print()
    web = run_web.run(
        run_web.options(["--rounds", "1" if quick else "3", "--duration", "3" if quick else "5"])
    )
    print()
    diary_args = ["--runs", "20" if quick else "100", "--dynamodb-runs", "2" if quick else "5"]
    diary_args += ["--backend", "sqlite" if args.no_dynamodb else "both"]
    diary = diary_queries.run(diary_queries.options(diary_args))

    rows: list[tuple[str, str, float, bool]] = []
    ours, base = cold["cramp-coach"], cold["hello-world"]
    ratio = ours.cpu_s / base.cpu_s
    rows.append(("cold start to first response, CPU", "<= 1.5x", ratio, ratio <= 1.5))
    for scenario, limit in (("launch", 1.2), ("help", 1.2), ("technique segment", 1.2), ("diary log", 1.5)):
        if scenario in web.cpu_ms:
            figures = web.cpu_ms[scenario]
            ratio = figures["cramp-coach"] / figures["hello-world"]
            rows.append((f"{scenario}, CPU per request", f"<= {limit}x", ratio, ratio <= limit))
    if "diary question 10k" in web.cpu_ms:
        cpu = web.cpu_ms["diary question 10k"]["cramp-coach"]
        rows.append(("diary question 10k (web), CPU ms", "<= 10 ms", cpu, cpu <= 10))
    worst = max(result[3] for result in diary["sqlite"].values())
    rows.append(("slowest diary question, SQLite, CPU ms", "<= 10 ms", worst, worst <= 10))
    memory = web.peak_worker_mb["cramp-coach"] / web.peak_worker_mb["hello-world"]
    rows.append(("peak memory per worker", "<= 1.5x", memory, memory <= 1.5))
    print(f"\n{'target':<42}{'wanted':>10}{'measured':>10}  met")
    for name, wanted, measured, met in rows:
        print(f"{name:<42}{wanted:>10}{measured:>10.2f}  {'yes' if met else 'NO'}")
    if "dynamodb" in diary:
        calls = max(int(result[2].split("/")[0]) for result in diary["dynamodb"].values())
        print(f"{'DynamoDB calls per question (most)':<42}{'bounded':>10}{calls:>10}")


if __name__ == "__main__":
    main()
