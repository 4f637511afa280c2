"""Deploy-time values of the skill manifest, filled from one file, and the release check.

``interaction_model/skill.json`` is committed with example.com placeholders so that development,
``cramp-coach chat`` and plain ``cramp-coach check`` work on a fresh clone. Before a release the
operator copies ``deploy.example.toml`` to ``deploy.toml``, fills in the real values (endpoint,
privacy policy and terms URLs, icons) and runs ``cramp-coach release-manifest``: it writes them into
every place of the manifest that needs them. ``cramp-coach check --release`` then refuses the
manifest while any placeholder or unusable value remains.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = "deploy.toml"
MANIFEST = Path("interaction_model") / "skill.json"
# Hosts that can never be a real deployment: the reserved example domains and test/local names
# (RFC 2606, RFC 6761), and loopback addresses.
PLACEHOLDER_HOST = re.compile(
    r"(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$|^127\.|^0\.0\.0\.0$|^\[?::1\]?$"
)
PLACEHOLDER_WORDS = re.compile(r"\b(todo|tbd|fixme|placeholder|replace[ _-]?me|your[-_ ]\w+)\b|<[^>]*>", re.I)
LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]+(:[\w$-]+)?$"
)
CERTIFICATE_TYPES = ("Trusted", "Wildcard")


class ReleaseError(ValueError):
    """A deploy file that cannot fill the manifest."""


@dataclass(frozen=True)
class DeployValues:
    """What differs between a development manifest and a released one."""

    endpoint: str
    privacy_policy_url: str
    terms_of_use_url: str
    small_icon: str
    large_icon: str
    certificate: str = "Trusted"

    @property
    def lambda_endpoint(self) -> bool:
        return self.endpoint.startswith("arn:")


def load(path: Path) -> DeployValues:
    """Read ``deploy.toml`` (see ``deploy.example.toml``); raise ReleaseError naming what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ReleaseError(f"{path}: {exc}") from exc

    def value(table: str, key: str, default: str | None = None) -> str:
        found = data.get(table, {}).get(key, default) if isinstance(data.get(table, {}), dict) else None
        if not isinstance(found, str) or not found.strip():
            raise ReleaseError(f"{path}: [{table}] {key} is missing")
        return found.strip()

    values = DeployValues(
        endpoint=value("endpoint", "uri"),
        certificate=value("endpoint", "ssl_certificate_type", "Trusted"),
        privacy_policy_url=value("links", "privacy_policy_url"),
        terms_of_use_url=value("links", "terms_of_use_url"),
        small_icon=value("icons", "small"),
        large_icon=value("icons", "large"),
    )
    if values.certificate not in CERTIFICATE_TYPES:
        raise ReleaseError(
            f"{path}: [endpoint] ssl_certificate_type must be one of {', '.join(CERTIFICATE_TYPES)}"
        )
    return values


def _endpoint(values: DeployValues) -> dict[str, str]:
    # A Lambda endpoint takes no certificate type; an HTTPS one needs it (skill manifest schema).
    if values.lambda_endpoint:
        return {"uri": values.endpoint}
    return {"uri": values.endpoint, "sslCertificateType": values.certificate}


def fill(manifest: dict[str, Any], values: DeployValues) -> dict[str, Any]:
    """The manifest with every deploy-time value replaced (a new dict; the input is not changed)."""
    filled = json.loads(json.dumps(manifest))
    body = filled["manifest"]
    body.setdefault("apis", {}).setdefault("custom", {})["endpoint"] = _endpoint(values)
    if "events" in body:
        body["events"]["endpoint"] = _endpoint(values)
    for info in body.get("publishingInformation", {}).get("locales", {}).values():
        info["smallIconUri"], info["largeIconUri"] = values.small_icon, values.large_icon
    for info in body.get("privacyAndCompliance", {}).get("locales", {}).values():
        info["privacyPolicyUrl"], info["termsOfUseUrl"] = values.privacy_policy_url, values.terms_of_use_url
    return filled


def _strings(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _strings(child, f"{where}.{key}" if where else key)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _strings(child, f"{where}[{index}]")
    elif isinstance(node, str):
        yield where, node


def placeholder(value: str) -> str | None:
    """Why a manifest value is a placeholder, or None when it looks like a real one."""
    for word in re.findall(r"https?://[^\s\"')]+", value):
        host = (urlsplit(word).hostname or "").lower()
        if PLACEHOLDER_HOST.search(host):
            return f"{host} is a placeholder host"
    if value.startswith(("http://", "https://", "arn:")) and PLACEHOLDER_WORDS.search(value):
        return "contains placeholder text"
    return None


def _https_problem(url: str, what: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return f"{what} must be an https URL (got {url!r})"
    return None


def release_problems(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, what) for everything that keeps this manifest from being submitted for certification."""
    found: list[tuple[str, str]] = []
    for where, value in _strings(manifest):
        reason = placeholder(value)
        if reason:
            found.append(
                (where, f"{reason} ({value}): set it in deploy.toml, then run cramp-coach release-manifest")
            )
    body = manifest.get("manifest", {})
    endpoints = {
        "manifest.apis.custom.endpoint": body.get("apis", {}).get("custom", {}).get("endpoint") or {}
    }
    if "events" in body:
        endpoints["manifest.events.endpoint"] = body["events"].get("endpoint") or {}
    for where, endpoint in endpoints.items():
        uri = str(endpoint.get("uri", ""))
        if uri.startswith("arn:"):
            if not LAMBDA_ARN.match(uri):
                found.append((where, f"{uri!r} is not a Lambda function ARN"))
            if "sslCertificateType" in endpoint:
                found.append((where, "a Lambda endpoint takes no sslCertificateType"))
        else:
            problem = _https_problem(uri, "the endpoint")
            if problem:
                found.append((where, problem))
            elif endpoint.get("sslCertificateType") not in CERTIFICATE_TYPES:
                found.append(
                    (where, f"an HTTPS endpoint needs sslCertificateType {' or '.join(CERTIFICATE_TYPES)}")
                )
    uris = {str(e.get("uri", "")) for e in endpoints.values()}
    if len(uris) > 1:
        found.append(
            (
                "manifest.events.endpoint",
                "differs from apis.custom.endpoint: the SkillDisabled event would be lost",
            )
        )
    for locale, info in body.get("publishingInformation", {}).get("locales", {}).items():
        for key in ("smallIconUri", "largeIconUri"):
            problem = _https_problem(str(info.get(key, "")), key)
            if problem:
                found.append((f"manifest.publishingInformation.locales.{locale}", problem))
    for locale, info in body.get("privacyAndCompliance", {}).get("locales", {}).items():
        for key in ("privacyPolicyUrl", "termsOfUseUrl"):
            problem = _https_problem(str(info.get(key, "")), key)
            if problem:
                found.append((f"manifest.privacyAndCompliance.locales.{locale}", problem))
    return found


@click.command("release-manifest")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="Deploy values (copy deploy.example.toml).",
)
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=REPO_ROOT / MANIFEST,
    show_default="interaction_model/skill.json",
    help="Manifest to fill.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of over --manifest.",
)
def release_manifest(config_path: Path, manifest_path: Path, output: Path | None) -> None:
    """Fill the manifest's endpoint, privacy and terms URLs and icons from deploy.toml."""
    try:
        values = load(config_path)
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from exc
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    filled = fill(manifest, values)
    target = output or manifest_path
    target.write_text(json.dumps(filled, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"wrote {target}")
    for where, problem in release_problems(filled):
        click.echo(f"  {where}: {problem}", err=True)
    if release_problems(filled):
        raise click.ClickException(
            "the manifest is not ready for release: fix deploy.toml and run this again"
        )
