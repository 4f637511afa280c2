"""The manifest declares the AudioPlayer, and the model has every built-in intent it requires."""

from __future__ import annotations

import json
from pathlib import Path

from skill.models import load_model

ROOT = Path(__file__).parents[1]
# AudioPlayer Interface Reference: Pause and Resume are required; the rest must be handled gracefully.
AUDIO_PLAYER_INTENTS = {
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.CancelIntent",
    "AMAZON.StopIntent",
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.LoopOnIntent",
    "AMAZON.LoopOffIntent",
    "AMAZON.ShuffleOnIntent",
    "AMAZON.ShuffleOffIntent",
}


def test_the_manifest_declares_the_audio_player():
    manifest = json.loads((ROOT / "interaction_model" / "skill.json").read_text())["manifest"]
    assert {"type": "AUDIO_PLAYER"} in manifest["apis"]["custom"]["interfaces"]


def test_the_model_has_the_built_ins_the_audio_player_requires():
    intents = {i["name"] for i in load_model("en-US")["interactionModel"]["languageModel"]["intents"]}
    assert AUDIO_PLAYER_INTENTS - intents == set()
