"""SnapStart's runtime hooks: what the snapshot holds, and what each restored container changes.

Each test runs a fresh interpreter that imports the Lambda entry point as Lambda does, then calls
the hooks the way Lambda's runtime does (the registries of snapshot_restore_py, which the Python
managed runtimes ship).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]

LAMBDA = """
import json, sys
import snapshot_restore_py as hooks
import skill.lambda_function as entry

lazy = ["skill.audio.session_audio", "requests", "boto3"]
before = {name: name in sys.modules for name in lazy}
for func, args, kwargs in reversed(hooks._before_snapshot_registry):
    func(*args, **kwargs)
after_warm_up = {name: name in sys.modules for name in lazy}
from skill.content.catalog import default_catalog
from skill.engine import script
state = default_catalog().rng.getstate()
for func, args, kwargs in hooks._after_restore_registry:
    func(*args, **kwargs)
print(json.dumps({
    "registered": entry.SNAPSTART_HOOKS,
    "before": before,
    "after_warm_up": after_warm_up,
    "scripts_cached": script.load_script.cache_info().currsize,
    "reseeded": default_catalog().rng.getstate() != state,
}))
"""


def run_lambda(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMP_COACH_") and k != "TABLE_NAME"}
    env.update(CRAMP_COACH_DB=str(tmp_path / "cramp-coach.db"), LOG_LEVEL="WARNING")
    done = subprocess.run(
        [sys.executable, "-c", LAMBDA], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_a_cold_start_loads_no_audio_pipeline_http_client_or_boto3(tmp_path):
    found = run_lambda(tmp_path)
    assert found["before"] == {"skill.audio.session_audio": False, "requests": False, "boto3": False}


def test_the_snapshot_holds_what_requests_would_load_and_restores_reseed(tmp_path):
    found = run_lambda(tmp_path)
    assert found["registered"] is True
    assert all(found["after_warm_up"].values()), found
    assert found["scripts_cached"] > 20  # every script of every locale, validated before the snapshot
    assert found["reseeded"], "containers restored from one snapshot would say the same variants"
