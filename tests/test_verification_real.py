"""The request verifier on real material: requests Amazon signed and chains Amazon served (2016-2023).

The fixtures (tests/fixtures/real-alexa, sources in its README) carry only the legacy SHA-1 `Signature`
header, so no test here can see a genuine SHA-256 signature pass. What they show: each request is
genuine (checked here independently of the project), the verifier refuses SHA-1-only requests, and
with the SHA-1 value under `Signature-256` every check before the signature passes on Amazon's real
chains at their own time, so the only refusal left is the signature itself.
"""

from __future__ import annotations

import base64
import json
import warnings
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import verification as x509_verification

from skill.web.app import create_app
from skill.web.verification import RequestVerifier, VerificationError

FIXTURES = Path(__file__).parent / "fixtures" / "real-alexa"
REQUESTS = sorted(path for path in (FIXTURES / "requests").iterdir() if path.is_dir())
CHAINS = sorted((FIXTURES / "chains").glob("*.pem"))
CHAIN_URL = "https://s3.amazonaws.com/echo.api/{}"


def _request(directory: Path) -> dict[str, Any]:
    headers = json.loads((directory / "headers.json").read_text())
    body = (directory / "body.json").read_bytes()
    chain_name = headers["SignatureCertChainUrl"].rsplit("/", 1)[1]
    return {
        "headers": headers,
        "body": body,
        "envelope": json.loads(body),
        "chain": (directory / chain_name).read_bytes(),
        "expect": json.loads((directory / "expect.json").read_text()),
    }


def _at(envelope: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(envelope["request"]["timestamp"].replace("Z", "+00:00"))


def _verifier(chain: bytes, now: datetime, **options: Any) -> RequestVerifier:
    def fetch(url: str) -> bytes:
        return chain

    return RequestVerifier(fetch_chain=fetch, clock=lambda: now, **options)


def _with_symantec_root() -> x509_verification.Store:
    """certifi's roots plus the VeriSign G5 root the 2016-2018 chains end at (dropped from certifi)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # certifi holds roots with serial number 0
        roots = x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())
    roots.append(x509.load_pem_x509_certificate((FIXTURES / "roots" / "verisign-class3-g5.pem").read_bytes()))
    return x509_verification.Store(roots)


def _refusal(verifier: RequestVerifier, headers: dict[str, str], body: bytes, envelope: Any) -> str:
    with pytest.raises(VerificationError) as caught:
        verifier.verify(headers, body, envelope)
    return str(caught.value)


def _sha256_header(headers: dict[str, str]) -> dict[str, str]:
    """The real SHA-1 value put under Signature-256, as the fixtures' README describes."""
    return {"SignatureCertChainUrl": headers["SignatureCertChainUrl"], "Signature-256": headers["Signature"]}


@pytest.mark.parametrize("directory", REQUESTS, ids=lambda path: path.name)
def test_each_fixture_is_a_request_amazon_really_signed(directory: Path) -> None:
    # Independent of the project: the leaf's key verifies the SHA-1 signature over the exact bytes.
    real = _request(directory)
    leaf = x509.load_pem_x509_certificates(real["chain"])[0]
    key = leaf.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(
        base64.b64decode(real["headers"]["Signature"]), real["body"], padding.PKCS1v15(), hashes.SHA1()
    )
    assert "echo-api.amazon.com" in leaf.subject.rfc4514_string()


@pytest.mark.parametrize("directory", REQUESTS, ids=lambda path: path.name)
def test_a_sha1_only_request_is_refused_without_falling_back(directory: Path) -> None:
    real = _request(directory)
    verifier = _verifier(real["chain"], _at(real["envelope"]))
    reason = _refusal(verifier, real["headers"], real["body"], real["envelope"])
    assert reason == "missing Signature-256 header"


@pytest.mark.parametrize("directory", REQUESTS, ids=lambda path: path.name)
def test_at_its_own_time_a_real_request_passes_every_check_but_the_signature(directory: Path) -> None:
    real = _request(directory)
    headers = _sha256_header(real["headers"])
    now = _at(real["envelope"]) + timedelta(seconds=5)
    reason = _refusal(_verifier(real["chain"], now), headers, real["body"], real["envelope"])
    if real["expect"]["chain_at_request_time"] == "trusted":
        assert reason == "request signature does not match"
    else:
        # The Symantec-era root is gone from certifi; given it, the chain validates.
        assert real["expect"]["chain_at_request_time"] == "root-not-in-certifi"
        assert reason == "certificate chain is not trusted"
        with_root = _verifier(real["chain"], now, trust_store=_with_symantec_root())
        assert (
            _refusal(with_root, headers, real["body"], real["envelope"]) == "request signature does not match"
        )


def test_a_changed_body_byte_or_signature_is_refused() -> None:
    real = _request(FIXTURES / "requests" / "nodesdk-2019-cert7")
    headers = _sha256_header(real["headers"])
    verifier = _verifier(real["chain"], _at(real["envelope"]))
    body = bytearray(real["body"])
    body[body.index(b"LaunchRequest")] ^= 0x01
    assert _refusal(verifier, headers, bytes(body), real["envelope"]) == "request signature does not match"
    signature = bytearray(base64.b64decode(headers["Signature-256"]))
    signature[10] ^= 0xFF
    altered = {**headers, "Signature-256": base64.b64encode(bytes(signature)).decode()}
    assert _refusal(verifier, altered, real["body"], real["envelope"]) == "request signature does not match"


def test_todays_clock_refuses_a_replayed_real_request() -> None:
    real = _request(FIXTURES / "requests" / "nodesdk-2019-cert7")
    headers = _sha256_header(real["headers"])
    today = datetime.now(UTC)
    reason = _refusal(_verifier(real["chain"], today), headers, real["body"], real["envelope"])
    assert reason == "request timestamp is outside the allowed window"
    no_timestamp = _verifier(real["chain"], today, verify_timestamp=False)
    assert (
        _refusal(no_timestamp, headers, real["body"], real["envelope"]) == "certificate chain is not trusted"
    )


def _validity(chain: Path) -> tuple[datetime, datetime]:
    leaf = x509.load_pem_x509_certificates(chain.read_bytes())[0]
    return leaf.not_valid_before_utc, leaf.not_valid_after_utc


def _chain_verdict(chain: Path, now: datetime) -> str:
    """Verify a request with a throwaway signature: the chain checks run before the signature's."""
    envelope = {"request": {"type": "LaunchRequest", "timestamp": now.isoformat()}}
    headers = {
        "SignatureCertChainUrl": CHAIN_URL.format(chain.name),
        "Signature-256": base64.b64encode(b"\x01" * 256).decode(),
    }
    verifier = _verifier(chain.read_bytes(), now)
    return _refusal(verifier, headers, json.dumps(envelope).encode(), envelope)


@pytest.mark.parametrize("chain", CHAINS, ids=lambda path: path.name)
def test_amazons_real_chains_are_trusted_only_while_they_are_valid(chain: Path) -> None:
    not_before, not_after = _validity(chain)
    middle = not_before + (not_after - not_before) / 2
    assert _chain_verdict(chain, middle) == "request signature does not match"
    assert _chain_verdict(chain, not_before - timedelta(days=1)) == "certificate chain is not trusted"
    assert _chain_verdict(chain, not_after + timedelta(days=1)) == "certificate chain is not trusted"
    assert _chain_verdict(chain, datetime.now(UTC)) == "certificate chain is not trusted"


@pytest.mark.parametrize("directory", REQUESTS, ids=lambda path: path.name)
def test_the_web_service_answers_400_to_real_requests_it_cannot_trust(directory: Path, settings: Any) -> None:
    # Through Flask with verification on, at each request's own time: SHA-1-only and SHA-1-as-SHA-256
    # alike get HTTP 400 with a JSON reason, and no skill handler runs.
    real = _request(directory)
    verifier = _verifier(real["chain"], _at(real["envelope"]))
    client = create_app(replace(settings, verify=True), verifier=verifier).test_client()
    for headers in (real["headers"], _sha256_header(real["headers"])):
        answer = client.post(
            "/alexa", data=real["body"], headers={**headers, "Content-Type": "application/json"}
        )
        assert answer.status_code == 400
        assert answer.is_json and "error" in answer.get_json()
        assert "response" not in answer.get_json()
