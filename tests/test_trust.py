"""Operator-supplied trust: pinned root certificates and a directory of pre-fetched chain files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from skill.config import Settings
from skill.web.trust import DirectoryChainFetcher, build_verifier, load_trust_store
from skill.web.verification import MAX_CHAIN_BYTES, VerificationError
from tests import envelopes
from tests.pki import DictChainFetcher, TestPKI, encode_envelope, to_pem

CHAIN_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


@pytest.fixture
def chain_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "chains"
    directory.mkdir()
    (directory / "echo-api-cert.pem").write_bytes(b"the chain")
    return directory


@pytest.mark.parametrize(
    "url",
    [
        CHAIN_URL,
        "HTTPS://S3.AMAZONAWS.COM:443/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api%2Dcert.pem",
    ],
)
def test_chain_file_answers_for_every_spelling_of_its_url(chain_dir: Path, url: str) -> None:
    fallback = DictChainFetcher({})
    assert DirectoryChainFetcher(chain_dir, fallback)(url) == b"the chain"
    assert fallback.calls == []


def test_a_chain_the_directory_lacks_is_downloaded(chain_dir: Path) -> None:
    other = "https://s3.amazonaws.com/echo.api/echo-api-cert-13.pem"
    fallback = DictChainFetcher({other: b"downloaded"})
    assert DirectoryChainFetcher(chain_dir, fallback)(other) == b"downloaded"
    assert fallback.calls == [other]


def test_without_a_fallback_a_missing_chain_is_a_failed_download(chain_dir: Path) -> None:
    with pytest.raises(VerificationError, match="download failed"):
        DirectoryChainFetcher(chain_dir)("https://s3.amazonaws.com/echo.api/missing.pem")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "https"),
        ("https://evil.example/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com/echo.api/../chains/echo-api-cert.pem", "/echo.api/"),
        ("https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem", "port"),
    ],
)
def test_url_rules_apply_before_the_directory_is_read(chain_dir: Path, url: str, reason: str) -> None:
    fallback = DictChainFetcher({})
    with pytest.raises(VerificationError, match=reason):
        DirectoryChainFetcher(chain_dir, fallback)(url)
    assert fallback.calls == []


def test_a_symlink_out_of_the_directory_is_not_followed(chain_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.pem").write_bytes(b"outside")
    (chain_dir / "escape.pem").symlink_to(tmp_path / "secret.pem")
    url = "https://s3.amazonaws.com/echo.api/escape.pem"
    fallback = DictChainFetcher({url: b"downloaded"})
    assert DirectoryChainFetcher(chain_dir, fallback)(url) == b"downloaded"


def test_an_oversized_chain_file_is_refused(chain_dir: Path) -> None:
    (chain_dir / "huge.pem").write_bytes(b"x" * (MAX_CHAIN_BYTES + 1))
    with pytest.raises(VerificationError, match="too large"):
        DirectoryChainFetcher(chain_dir)("https://s3.amazonaws.com/echo.api/huge.pem")


@pytest.mark.parametrize("content", [None, b"", b"not a certificate"], ids=["missing", "empty", "garbage"])
def test_unusable_trust_roots_stop_the_server(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "roots.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match="cannot load trust roots"):
        load_trust_store(path)
    with pytest.raises(ValueError, match="cannot load trust roots"):
        build_verifier(Settings(trust_roots_file=path))


def test_settings_read_the_trust_environment(tmp_path: Path) -> None:
    env = {
        "CRAMP_COACH_TRUST_ROOTS": str(tmp_path / "roots.pem"),
        "CRAMP_COACH_CERT_CHAIN_DIR": str(tmp_path),
    }
    settings = Settings.from_env(env)
    assert settings.trust_roots_file == tmp_path / "roots.pem"
    assert settings.cert_chain_dir == tmp_path
    blank = Settings.from_env({"CRAMP_COACH_TRUST_ROOTS": " ", "CRAMP_COACH_CERT_CHAIN_DIR": ""})
    assert blank.trust_roots_file is None and blank.cert_chain_dir is None


def _signed_launch(pki: TestPKI) -> tuple[dict[str, str], bytes, dict]:
    envelope = envelopes.launch()
    envelope["request"]["timestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = encode_envelope(envelope)
    return pki.headers(body), body, json.loads(body)


def test_configured_roots_and_chains_verify_a_test_signature(tmp_path: Path, pki: TestPKI) -> None:
    (tmp_path / "roots.pem").write_bytes(to_pem(pki.root))
    (tmp_path / "echo-api-cert.pem").write_bytes(pki.chain_pem)
    verifier = build_verifier(
        Settings(
            trust_roots_file=tmp_path / "roots.pem", cert_chain_dir=tmp_path, skill_id=envelopes.SKILL_ID
        )
    )
    verifier.verify(*_signed_launch(pki))


def test_without_configured_roots_the_test_ca_is_not_trusted(tmp_path: Path, pki: TestPKI) -> None:
    (tmp_path / "echo-api-cert.pem").write_bytes(pki.chain_pem)
    verifier = build_verifier(Settings(cert_chain_dir=tmp_path))
    with pytest.raises(VerificationError, match="not trusted"):
        verifier.verify(*_signed_launch(pki))
