"""Diary question latency over a 10,000-entry diary, on SQLite and on DynamoDB (moto's server over HTTP).

    .venv/bin/python -m bench.diary_queries [--entries 10000] [--runs 200] [--backend sqlite|dynamodb|both]

Each question goes through the real skill (Lambda handler, interceptors, persistence, stats) with a
request as Alexa sends it; p50 and p99 are printed per question and backend. DynamoDB runs against
moto in this process, so its figures include moto's HTTP round trips on this machine, not AWS's
network: read them as "how many requests and how much work", not as production latency.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from skill.builder import build_skill
from skill.config import Settings
from skill.diary.model import CrampEntry, PracticeSession
from skill.lambda_function import handler_for
from skill.services import Services, build_services
from tests import envelopes
from tests.envelopes import Slot

USER = envelopes.USER_ID
NO_API = "https://127.0.0.1:9"  # the device time zone lookup fails at once; the locale's zone is used
ZONE = "America/New_York"
NIGHTS = 3 * 365

QUESTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "last cramp": ("LastCrampIntent", {}),
    "how many this week": ("CrampCountIntent", {}),
    "how many in the last 365 days": ("CrampCountIntent", {"days": "365"}),
    "average severity (30 days)": ("CrampAverageIntent", {"measure": Slot("severity", id="SEVERITY")}),
    "most common muscle and time": ("CrampPatternIntent", {}),
    "trend": ("CrampTrendIntent", {}),
    "what helped most": ("WhatHelpedIntent", {}),
    "nights after practice": ("PracticeEffectIntent", {}),
    "summary to the phone": ("DiarySummaryIntent", {}),
}


def diary(entries: int, now: datetime, seed: int = 10_000) -> tuple[list[CrampEntry], list[PracticeSession]]:
    """Entries spread over three years of nights (mostly 1 to 5 am), and evening practice."""
    rng = random.Random(seed)
    made = []
    for _ in range(entries):
        night = rng.randrange(NIGHTS)
        started = now - timedelta(days=night, hours=rng.uniform(2, 9))
        made.append(
            CrampEntry(
                USER,
                started,
                rng.choice(["CALF"] * 5 + ["FOOT", "TOES", "THIGH", "HAMSTRING"]),
                rng.randrange(1, 11),
                side=rng.choice(["LEFT", "LEFT", "RIGHT", "BOTH", None]),
                duration_s=rng.choice([None, 30, 60, 120, 300, 900]),
                helped=rng.choice([None, "STRETCH", "WALKING", "MASSAGE", "HEAT"]),
                trigger=rng.choice([None, "EXERCISE", "STANDING", "STRESS"]),
                time_zone=ZONE,
                logged_at=started + timedelta(minutes=5),
            )
        )
    practice = [
        PracticeSession(
            USER, "bedtime-stretches", 3, True, at=now - timedelta(days=d, hours=12), time_zone=ZONE
        )
        for d in range(0, 120, 2)
    ]
    return made, practice


def seed(services: Services, entries: list[CrampEntry], practice: list[PracticeSession]) -> None:
    """Load the diary: SQLite in one transaction, DynamoDB in 25-item batches (a fresh table)."""
    if services.database is not None:
        from skill.persistence.sqlite_diary import SQLiteDiaryRepository

        repository = services.diary
        assert isinstance(repository, SQLiteDiaryRepository)
        for entry in entries:
            repository.add(entry)
    else:
        from skill.persistence import dynamodb

        repository = services.diary
        assert isinstance(repository, dynamodb.DynamoDBDiaryRepository)
        items = [
            item for entry in entries for item in (dynamodb.entry_item(entry), dynamodb.pointer_item(entry))
        ] + dynamodb.tally_items(entries)
        table = repository.table
        for offset in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": item}} for item in items[offset : offset + 25]]
            pending: dict[str, Any] = {table.table_name: batch}
            while pending:
                pending = table.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    for session in practice:
        services.diary.add_practice(session)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class RequestCounter:
    """Counts DynamoDB calls and the items they read: on AWS these, not moto's speed, set the latency."""

    def __init__(self) -> None:
        self.calls = 0
        self.items = 0

    def before(self, **_: Any) -> None:
        self.calls += 1

    def after(self, parsed: dict[str, Any] | None = None, **_: Any) -> None:
        self.items += int((parsed or {}).get("ScannedCount", 1 if (parsed or {}).get("Item") else 0))


Result = tuple[float, float, str, float]  # p50 ms, p99 ms, "calls/items" (DynamoDB), CPU ms p50


def measure(
    invoke: Callable[[dict[str, Any]], dict[str, Any]], runs: int, counter: RequestCounter | None
) -> dict[str, Result]:
    results = {}
    for label, (intent, slots) in QUESTIONS.items():
        timings, cpu = [], []
        for run in range(runs + 3):
            envelope = envelopes.intent(intent, slots, new=True, api_endpoint=NO_API)
            calls, items = (counter.calls, counter.items) if counter else (0, 0)
            start, cpu_start = time.perf_counter(), time.process_time()
            reply = invoke(envelope)
            elapsed = (time.perf_counter() - start) * 1000
            cpu_used = (time.process_time() - cpu_start) * 1000
            speech = (reply["response"].get("outputSpeech") or {}).get("ssml", "")
            if not speech or "couldn't read" in speech:
                raise SystemExit(f"{label}: no answer: {reply}")
            if run >= 3:  # the first runs warm caches and connections
                timings.append(elapsed)
                cpu.append(cpu_used)
        cost = f"{counter.calls - calls}/{counter.items - items}" if counter else ""
        results[label] = (statistics.median(timings), percentile(timings, 0.99), cost, statistics.median(cpu))
    return results


def sqlite_services(scratch: Path) -> Services:
    return build_services(Settings(verify=False, storage="sqlite", db_path=scratch / "bench.db"))


def dynamodb_services() -> tuple[Services, Any]:
    import boto3
    from botocore.config import Config
    from moto.server import ThreadedMotoServer

    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1"
    )
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint, name = f"http://{host}:{port}", f"bench-{uuid.uuid4().hex[:8]}"
    boto3.session.Session().client("dynamodb", region_name="us-east-1", endpoint_url=endpoint).create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "user_id", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("user_id", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )
    settings = Settings(verify=False, storage="dynamodb", table_name=name, dynamodb_endpoint=endpoint)
    services = build_services(settings)
    # moto reads a whole partition in Python for every query (seconds for 20,000 items): give it the
    # time the skill's own 3 s read timeout would not, so the bench measures rather than times out.
    table = services.diary.table
    table._client = boto3.session.Session().client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        config=Config(read_timeout=120, retries={"max_attempts": 1}),
    )
    return services, server


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200, help="timed runs per question (SQLite)")
    parser.add_argument("--dynamodb-runs", type=int, default=10, help="timed runs per question (DynamoDB)")
    parser.add_argument("--backend", choices=["sqlite", "dynamodb", "both"], default="both")
    return parser.parse_args(argv)


def main() -> None:
    run(options())


def run(args: argparse.Namespace) -> dict[str, dict[str, Result]]:
    """Seed each backend, ask every question, print the table and return it."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    now = datetime.now(UTC)
    entries, practice = diary(args.entries, now)
    this_week = sum(1 for e in entries if now - e.started_at < timedelta(days=7))
    print(
        f"diary: {len(entries)} entries over {NIGHTS} nights ({this_week} in the last 7 days), "
        f"{len(practice)} practice sessions"
    )
    table: dict[str, dict[str, Result]] = {}
    backends = ["sqlite", "dynamodb"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory(prefix="cramp-diary-bench-") as scratch:
        for backend in backends:
            server = None
            if backend == "sqlite":
                services, runs = sqlite_services(Path(scratch)), args.runs
            else:
                (services, server), runs = dynamodb_services(), args.dynamodb_runs
            started = time.perf_counter()
            seed(services, entries, practice)
            print(
                f"{backend}: seeded in {time.perf_counter() - started:.1f} s; timing {runs} runs per question"
            )
            counter = None
            if backend == "dynamodb":
                counter = RequestCounter()
                events = services.diary.table.client.meta.events
                events.register("before-call.dynamodb", counter.before)
                events.register("after-call.dynamodb", counter.after)
            handler = handler_for(build_skill(services.settings, services))
            table[backend] = measure(lambda envelope, h=handler: h(envelope, None), runs, counter)
            if server is not None:
                server.stop()
    header = f"{'question':34}" + "".join(
        f"{b + ' CPU p50':>16}{b + ' p50':>14}{b + ' p99':>14}" for b in backends
    )
    if "dynamodb" in table:
        header += f"{'DynamoDB calls/items':>22}"
    print("\n" + header + "\n" + "-" * len(header))
    for label in QUESTIONS:
        cells = "".join(
            f"{table[b][label][3]:>13.1f} ms{table[b][label][0]:>11.1f} ms{table[b][label][1]:>11.1f} ms"
            for b in backends
        )
        if "dynamodb" in table:
            cells += f"{table['dynamodb'][label][2]:>22}"
        print(f"{label:34}{cells}")
    return table


if __name__ == "__main__":
    main()
