"""Crash safety, short version of ``bench/crash_safety.py``: SIGKILL the real server under write load."""

from __future__ import annotations

import pytest

from bench import crash_safety


@pytest.mark.slow
def test_every_acknowledged_write_survives_sigkill_of_the_whole_server(tmp_path):
    outcome = crash_safety.run(
        kills=5, clients=3, workers=2, seed=5, min_gap=0.2, max_gap=0.6, directory=tmp_path
    )
    print(outcome.report())
    assert outcome.integrity == "ok"
    assert outcome.missing == []
    kinds = {kind for kind, _, _ in outcome.acknowledged}
    assert kinds == {write.kind for write in crash_safety.available_writes()}, "every kind of write was tried"
    assert outcome.kills == 5
