"""Fuzz the real web service with 10,000+ generated requests and print what came back.

    .venv/bin/python -m bench.fuzz [--examples 10000] [--seed N]

The same strategies and properties as ``tests/test_fuzz.py`` (never a 500; every 200 a valid Alexa
response within limits; session attributes within budget; requests Alexa could send never reach the
error handler; with verification on, every unsigned or forged body refused), with many more examples.
Exit status 1 when a property fails; hypothesis prints the smallest failing request.
"""

from __future__ import annotations

import argparse
import base64
import logging
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import strategies
from tests.fuzzing import Target, check_answer, refusal_for, web_target
from tests.pki import build_pki


class Tally:
    """Counts per request type, per kind and per status code for one property run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.labels: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.errors = 0
        self.seconds = 0.0

    def add(self, case: strategies.Case, status: int) -> None:
        self.labels[case.label] += 1
        self.kinds[case.kind] += 1
        self.statuses[status] += 1

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def report(self) -> str:
        lines = [f"== {self.name}: {self.total} requests in {self.seconds:.1f} s"]
        lines.append("  by status: " + ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items())))
        lines.append("  by kind:   " + ", ".join(f"{kind}: {n}" for kind, n in sorted(self.kinds.items())))
        lines.append("  by request type:")
        lines += [
            f"    {n:6d}  {label}" for label, n in sorted(self.labels.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        return "\n".join(lines)


def run(name: str, examples: int, seed: int, test) -> Tally:  # type: ignore[no-untyped-def]
    """Run one property for ``examples`` examples, printing its counts even when it fails."""
    tally = Tally(name)
    profile = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    wrapped = profile(test(tally))
    started = time.perf_counter()
    try:
        import hypothesis

        hypothesis.seed(seed)(wrapped)()
    finally:
        tally.seconds = time.perf_counter() - started
        print(tally.report(), flush=True)
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples for the main property")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="hypothesis seed (printed)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", "Generating overly large repr")  # a failing example is printed anyway
    logging.basicConfig(level=logging.CRITICAL)  # the skill logs every request; only counts matter here
    print(f"fuzz: seed {args.seed}, {args.examples} examples for the main property", flush=True)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="cramp-fuzz-") as tmp:
        root = Path(tmp)
        target = web_target(root / "off")
        logging.getLogger("skill").addHandler(target.errors)

        def any_body(tally: Tally):  # type: ignore[no-untyped-def]
            @given(case=strategies.cases())
            def prop(case: strategies.Case) -> None:
                status, data = target.post(case.body)
                tally.add(case, status)
                check_answer(status, data, must_answer=case.kind == "valid", body=case.body)
                if case.kind != "valid":
                    target.errors.take()  # odd input may reach the catch-all handler: it apologises
                else:
                    assert target.errors.take() == [], "a valid request reached the error handler"

            return prop

        verifying = web_target(root / "on", verify=True)
        pki = build_pki()
        forged_target: Target = web_target(root / "ca", verify=True, verifier=pki.verifier(clock=None))

        def unsigned(tally: Tally):  # type: ignore[no-untyped-def]
            @given(case=strategies.cases(), forge=st.sampled_from(["none", "random", "other-body"]))
            def prop(case: strategies.Case, forge: str) -> None:
                body = (
                    strategies.encode(strategies.fresh_timestamp(case.envelope))
                    if case.envelope is not None
                    else case.body
                )
                if forge == "none":
                    status, _ = verifying.post(body)
                else:
                    headers = pki.headers(body + b" ")
                    if forge == "random":
                        headers["Signature-256"] = base64.b64encode(body[:256] or b"x").decode()
                    status, _ = forged_target.post(body, headers)
                tally.add(case, status)
                assert status == refusal_for(body), f"unsigned/forged body got {status}"

            return prop

        for name, examples, test in [
            ("verification off: any body", args.examples, any_body),
            ("verification on: unsigned and forged bodies", max(args.examples // 5, 1), unsigned),
        ]:
            try:
                run(name, examples, args.seed, test)
            except Exception as exc:  # report every property, then fail
                failures += 1
                print(f"!! {name}: PROPERTY FAILED: {exc}", flush=True)
                for note in getattr(exc, "__notes__", []):
                    print(f"   {note[:4000]}", flush=True)
    print("fuzz: all properties held" if not failures else f"fuzz: {failures} properties FAILED", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
