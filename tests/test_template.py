"""template.yaml: cfn-lint passes, and the deployment facts the skill and its users rely on hold."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file
from cfnlint.decode import decode
from packaging.specifiers import SpecifierSet

from skill.config import Settings

ROOT = Path(__file__).parents[1]
TEMPLATE_PATH = ROOT / "template.yaml"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, problems = decode(TEMPLATE_PATH)
    assert not problems
    return decoded


@pytest.fixture(scope="module")
def function(template: dict[str, Any]) -> dict[str, Any]:
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == 1
    return functions[0]


@pytest.fixture(scope="module")
def table_id(template: dict[str, Any]) -> str:
    (name,) = [n for n, r in template["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"]
    return name


def test_cfn_lint_finds_nothing() -> None:
    # Informational checks too: they catch, for example, a stateful resource without a retain policy.
    matches = lint_file(TEMPLATE_PATH, config=ManualArgs(regions=["us-east-1"], include_checks=["I"]))
    assert [str(match) for match in matches] == []


def test_handler_is_a_real_function(function: dict[str, Any]) -> None:
    module_name, _, attribute = function["Properties"]["Handler"].rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    assert callable(handler)


def test_runtime_is_one_the_package_supports(function: dict[str, Any]) -> None:
    runtime = function["Properties"]["Runtime"]
    assert runtime == "python3.12"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert "3.12" in SpecifierSet(requires)


def test_function_answers_within_alexas_deadline(function: dict[str, Any]) -> None:
    # Alexa gives up after about 8 s; the function must time out (and log) before that.
    assert function["Properties"]["Timeout"] <= 7
    assert function["Properties"]["MemorySize"] == 512


def test_only_the_configured_skill_can_invoke(template: dict[str, Any], function: dict[str, Any]) -> None:
    parameter = template["Parameters"]["SkillId"]
    assert "Default" not in parameter, "a deploy must name its skill"
    events = [e for e in function["Properties"]["Events"].values() if e["Type"] == "AlexaSkill"]
    assert [e["Properties"]["SkillId"] for e in events] == [{"Ref": "SkillId"}]
    assert re.fullmatch(parameter["AllowedPattern"], "amzn1.ask.skill.0a1b2c3d-0000-4000-8000-0123456789ab")
    assert not re.fullmatch(parameter["AllowedPattern"], "amzn1.ask.account.TESTUSER")


def test_table_is_keyed_by_user_and_record(template: dict[str, Any], table_id: str) -> None:
    table = template["Resources"][table_id]["Properties"]
    assert table["KeySchema"] == [
        {"AttributeName": "user_id", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]} == {
        "user_id": "S",
        "sk": "S",
    }
    assert table["BillingMode"] == "PAY_PER_REQUEST"


def test_user_data_is_protected(template: dict[str, Any], table_id: str) -> None:
    resource = template["Resources"][table_id]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    assert resource["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert resource["Properties"]["SSESpecification"] == {"SSEEnabled": True}


def test_function_may_touch_only_its_table(function: dict[str, Any], table_id: str) -> None:
    table, audio = function["Properties"]["Policies"]
    assert table == {"DynamoDBCrudPolicy": {"TableName": {"Ref": table_id}}}
    # Audio rendering (issue 6): Polly speech, and objects under audio/ in the audio bucket only.
    assert audio == {
        "Statement": [
            {"Effect": "Allow", "Action": "polly:SynthesizeSpeech", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": {"Fn::Sub": "${AudioBucket.Arn}/audio/*"},
            },
        ]
    }


def test_audio_is_public_over_https_only_under_audio(
    template: dict[str, Any], function: dict[str, Any]
) -> None:
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["AUDIO_BASE_URL"] == {"Fn::Sub": "https://${AudioBucket.RegionalDomainName}/audio"}
    assert variables["AUDIO_BUCKET"] == {"Ref": "AudioBucket"}
    statements = template["Resources"]["AudioBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    public = [s for s in statements if s["Effect"] == "Allow"]
    assert public == [
        {
            "Sid": "PublicReadAudio",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": "${AudioBucket.Arn}/audio/*"},
        }
    ]
    deny = next(s for s in statements if s["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    deployed = Settings.from_env({k: "x" for k in ("AUDIO_BUCKET",)} | {"AUDIO_BASE_URL": "https://b/audio"})
    assert (deployed.audio_bucket, deployed.audio_base_url) == ("x", "https://b/audio")


def test_environment_configures_the_skill_for_dynamodb(function: dict[str, Any], table_id: str) -> None:
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["TABLE_NAME"] == {"Ref": table_id}
    assert variables["SKILL_ID"] == {"Ref": "SkillId"}
    assert "LOG_LEVEL" in variables
    deployed = Settings.from_env(
        {"TABLE_NAME": "cramp-coach-table", "SKILL_ID": "amzn1.ask.skill.x", "LOG_LEVEL": "INFO"}
    )
    assert (deployed.storage, deployed.table_name, deployed.skill_id) == (
        "dynamodb",
        "cramp-coach-table",
        "amzn1.ask.skill.x",
    )


def test_outputs_give_the_endpoint_and_the_table(template: dict[str, Any], table_id: str) -> None:
    outputs = template["Outputs"]
    function_id = next(
        n for n, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"
    )
    # The alias SAM publishes for AutoPublishAlias: Alexa must call the SnapStart version.
    alias = template["Resources"][function_id]["Properties"]["AutoPublishAlias"]
    assert outputs["FunctionArn"]["Value"] == {"Ref": f"{function_id}Alias{alias}"}
    assert outputs["TableName"]["Value"] == {"Ref": table_id}


def test_sam_build_has_a_makefile_target(template: dict[str, Any]) -> None:
    makefile = (ROOT / "Makefile").read_text()
    for name, resource in template["Resources"].items():
        if resource.get("Metadata", {}).get("BuildMethod") == "makefile":
            assert re.search(rf"^build-{name}:", makefile, re.MULTILINE), f"Makefile lacks build-{name}"


def test_new_containers_start_from_a_snapshot(function: dict[str, Any]) -> None:
    """SnapStart for Python 3.12 applies to published versions: one is published on every deploy."""
    properties = function["Properties"]
    assert properties["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert properties["AutoPublishAlias"]
    # SnapStart does not combine with provisioned concurrency, EFS or more than 512 MB of /tmp.
    assert "ProvisionedConcurrencyConfig" not in properties
    assert "FileSystemConfigs" not in properties
    assert properties.get("EphemeralStorage", {}).get("Size", 512) <= 512
