"""Deploy-time values from one file (``cramp-coach release-manifest``) and ``check --release``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skill.check import REPO_ROOT, run
from skill.cli import main
from skill.release import load, placeholder, release_problems

REAL = """
[endpoint]
uri = "{endpoint}"
ssl_certificate_type = "Trusted"

[links]
privacy_policy_url = "https://legcramps.org.uk/cramp-coach/privacy"
terms_of_use_url = "https://legcramps.org.uk/cramp-coach/terms"

[icons]
small = "https://legcramps.org.uk/cramp-coach/icon-108.png"
large = "https://legcramps.org.uk/cramp-coach/icon-512.png"
"""
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:cramp-coach-CrampCoachFunction-AbC123"
HTTPS = "https://skill.legcramps.org.uk/alexa"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("interaction_model", "responses"):
        shutil.copytree(REPO_ROOT / name, tmp_path / name)
    return tmp_path


def release_manifest(project: Path, config: str) -> Any:
    (project / "deploy.toml").write_text(config)
    manifest = project / "interaction_model" / "skill.json"
    return CliRunner().invoke(
        main, ["release-manifest", "--config", str(project / "deploy.toml"), "--manifest", str(manifest)]
    )


def check(project: Path, *flags: str) -> Any:
    return CliRunner().invoke(main, ["check", "--root", str(project), "--only", "manifest", *flags])


def test_the_committed_manifest_passes_check_but_not_check_release(project):
    assert check(project).exit_code == 0
    refused = check(project, "--release")
    assert refused.exit_code == 1
    for field in ("privacyPolicyUrl", "termsOfUseUrl", "smallIconUri", "largeIconUri", "endpoint.uri"):
        assert field in refused.output and "example.com is a placeholder host" in refused.output


def test_the_example_deploy_file_is_refused_for_its_placeholders(project):
    example = (REPO_ROOT / "deploy.example.toml").read_text()
    result = release_manifest(project, example)
    assert result.exit_code == 1 and "not ready for release" in result.output
    assert check(project, "--release").exit_code == 1


@pytest.mark.parametrize("endpoint", [ARN, HTTPS], ids=["lambda", "https"])
def test_filled_from_deploy_toml_the_release_check_passes(project, endpoint):
    result = release_manifest(project, REAL.format(endpoint=endpoint))
    assert result.exit_code == 0, result.output
    passed = check(project, "--release")
    assert passed.exit_code == 0, passed.output
    manifest = json.loads((project / "interaction_model" / "skill.json").read_text())["manifest"]
    custom, events = manifest["apis"]["custom"]["endpoint"], manifest["events"]["endpoint"]
    assert custom == events and custom["uri"] == endpoint
    assert ("sslCertificateType" in custom) is (endpoint == HTTPS)  # a Lambda ARN takes none
    for locale in manifest["privacyAndCompliance"]["locales"].values():
        assert locale["privacyPolicyUrl"] == "https://legcramps.org.uk/cramp-coach/privacy"
    for locale in manifest["publishingInformation"]["locales"].values():
        assert locale["largeIconUri"].endswith("icon-512.png")
    # Everything else is left as it was: the models and every other check still agree.
    assert [p for o in run(project, ("manifest", "models")) for p in o.problems] == []


def test_the_repository_manifest_is_untouched_by_a_filled_copy(project):
    before = (REPO_ROOT / "interaction_model" / "skill.json").read_text()
    release_manifest(project, REAL.format(endpoint=ARN))
    assert (REPO_ROOT / "interaction_model" / "skill.json").read_text() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('uri = "http://skill.legcramps.org.uk/alexa"', "must be an https URL"),
        ('uri = "arn:aws:lambda:eu-west-1:12345:function:x"', "not a Lambda function ARN"),
        ('uri = "https://localhost/alexa"', "placeholder host"),
        ('uri = "https://127.0.0.1/alexa"', "placeholder host"),
        ('uri = "https://your-host.test/alexa"', "placeholder host"),
    ],
)
def test_unusable_endpoints_are_refused(project, change, message):
    config = REAL.format(endpoint=HTTPS).replace(f'uri = "{HTTPS}"', change)
    release_manifest(project, config)
    refused = check(project, "--release")
    assert refused.exit_code == 1 and message in refused.output


def test_a_deploy_file_missing_a_value_says_which(project):
    config = REAL.format(endpoint=HTTPS).replace(
        'terms_of_use_url = "https://legcramps.org.uk/cramp-coach/terms"\n', ""
    )
    result = release_manifest(project, config)
    assert result.exit_code == 1 and "[links] terms_of_use_url is missing" in result.output
    with pytest.raises(ValueError, match="ssl_certificate_type"):
        bad = project / "bad.toml"
        bad.write_text(REAL.format(endpoint=HTTPS).replace('"Trusted"', '"Selfsigned"'))
        load(bad)


def test_events_endpoint_must_match_the_skill_endpoint():
    manifest = json.loads((REPO_ROOT / "interaction_model" / "skill.json").read_text())
    manifest["manifest"]["apis"]["custom"]["endpoint"] = {"uri": ARN}
    manifest["manifest"]["events"]["endpoint"] = {"uri": ARN.replace("AbC123", "Other")}
    assert any("SkillDisabled event would be lost" in m for _, m in release_problems(manifest))


@pytest.mark.parametrize(
    ("value", "is_placeholder"),
    [
        ("https://cramp-coach.example.com/privacy", True),
        ("https://example.org/x.png", True),
        ("https://EXAMPLE.NET/x", True),
        ("https://legcramps.org.uk/privacy", False),
        ("https://examples.com/privacy", False),
        ("https://my.host/<your-path>", True),
        ("Say 'open cramp coach'.", False),
    ],
)
def test_what_counts_as_a_placeholder(value, is_placeholder):
    assert (placeholder(value) is not None) is is_placeholder
