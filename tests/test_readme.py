"""The README stays true: its quick start, its examples and its configuration table."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from skill.config import Settings

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()
CONFIG_SOURCE = (ROOT / "skill" / "config.py").read_text()
TABLE = README[README.index("## Configuration") :]


def test_quick_start_comes_first() -> None:
    top = README[: README.index("\n## ")]
    assert "make run" in top and "make test" in top
    assert "verification OFF" in top


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Settings) if f.name != "extra"])
def test_every_setting_is_in_the_configuration_table(name: str) -> None:
    assert f"| `{name}` |" in TABLE


@pytest.mark.parametrize("variable", sorted(set(re.findall(r'env\.get\("([A-Z_]+)"', CONFIG_SOURCE))))
def test_every_environment_variable_is_in_the_configuration_table(variable: str) -> None:
    assert f"`{variable}`" in TABLE


@pytest.mark.parametrize("path", sorted(set(re.findall(r"@(docs/examples/[\w.-]+)", README))))
def test_curl_examples_exist(path: str) -> None:
    assert (ROOT / path).is_file()
