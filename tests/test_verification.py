"""Request verification: every forgery Amazon's hosting rules name is refused, genuine requests pass."""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID
from werkzeug.datastructures import Headers

from skill.web.verification import (
    MAX_CHAIN_BYTES,
    CachedChainFetcher,
    RequestVerifier,
    VerificationError,
    canonical_cert_url,
    default_trust_store,
    http_chain_fetcher,
)
from tests.pki import (
    CERT_URL,
    ROOT_NAME,
    TEST_SKILL_ID,
    DictChainFetcher,
    TestPKI,
    build_pki,
    encode_envelope,
    make_ca_cert,
    make_envelope,
    sign,
    to_pem,
)

OTHER_SKILL_ID = "amzn1.ask.skill.11111111-1111-4111-8111-111111111111"


def signed(pki: TestPKI, **envelope_options: Any) -> tuple[dict[str, str], bytes, dict[str, Any]]:
    """Return headers, body and envelope of a request signed by pki's leaf, stamped at pki.now."""
    envelope_options.setdefault("timestamp", pki.now)
    envelope = make_envelope(**envelope_options)
    body = encode_envelope(envelope)
    return pki.headers(body), body, envelope


def refusal(verifier: RequestVerifier, headers: Any, body: bytes, envelope: Any) -> VerificationError:
    """Run verify, insist that it refuses with exactly VerificationError, and return the error."""
    with pytest.raises(VerificationError) as excinfo:
        verifier.verify(headers, body, envelope)
    assert type(excinfo.value) is VerificationError
    return excinfo.value


# --- the genuine request --------------------------------------------------------------------------


def test_genuine_request_passes_and_fetches_the_canonical_url(pki: TestPKI) -> None:
    headers, body, envelope = signed(pki)
    pki.verifier(skill_id=TEST_SKILL_ID).verify(headers, body, envelope)
    assert pki.fetcher.calls == [CERT_URL]


def test_leaf_issued_directly_by_the_root_passes(pki_session: TestPKI) -> None:
    direct = build_pki(
        now=pki_session.now,
        intermediate=False,
        root_key=pki_session.root_key,
        leaf_key=pki_session.leaf_key,
    )
    assert direct.intermediate is None
    headers, body, envelope = signed(direct)
    direct.verifier().verify(headers, body, envelope)
    assert direct.fetcher.call_count == 1


def test_chain_with_a_cross_signed_root_passes_like_amazons(pki: TestPKI, untrusted_pki: TestPKI) -> None:
    # Amazon's chain file ends with Amazon Root CA 1 cross-signed by a Starfield root; the path
    # must still end at the self-signed root in the store.
    cross_signed_root = make_ca_cert(
        key=pki.root_key,
        common_name=ROOT_NAME + " (cross-signed)",
        not_before=pki.now - timedelta(days=1),
        not_after=pki.now + timedelta(days=10),
        issuer_cert=untrusted_pki.root,
        issuer_key=untrusted_pki.root_key,
    )
    assert pki.intermediate is not None
    chain = pki.with_chain_pem(to_pem(pki.leaf, pki.intermediate, cross_signed_root))
    headers, body, envelope = signed(chain)
    chain.verifier().verify(headers, body, envelope)
    assert chain.fetcher.calls == [CERT_URL]


@pytest.mark.parametrize(
    "spelling", ["SignatureCertChainUrl", "signaturecertchainurl", "SIGNATURECERTCHAINURL"]
)
def test_header_names_are_case_insensitive(pki: TestPKI, spelling: str) -> None:
    headers, body, envelope = signed(pki)
    renamed = {spelling: headers["SignatureCertChainUrl"], "signature-256": headers["Signature-256"]}
    pki.verifier().verify(renamed, body, envelope)
    assert pki.fetcher.call_count == 1


def test_flask_request_headers_are_understood(pki: TestPKI) -> None:
    # Flask hands the verifier werkzeug headers, which arrive lower-cased through WSGI.
    headers, body, envelope = signed(pki)
    wsgi_headers = Headers([(name.lower(), value) for name, value in headers.items()])
    pki.verifier().verify(wsgi_headers, body, envelope)  # type: ignore[arg-type]  # mapping-like, not a Mapping
    assert pki.fetcher.calls == [CERT_URL]


def test_naive_clock_is_read_as_utc(pki: TestPKI) -> None:
    headers, body, envelope = signed(pki)
    naive_now = pki.now.replace(tzinfo=None)
    pki.verifier(clock=lambda: naive_now).verify(headers, body, envelope)
    assert pki.fetcher.call_count == 1


# --- signature header forgeries ------------------------------------------------------------------


def _drop(name: str) -> Any:
    return lambda headers, pki: {key: value for key, value in headers.items() if key != name}


def _set(name: str, value: str) -> Any:
    return lambda headers, pki: {**headers, name: value}


def _signed_by_root(headers: dict[str, str], pki: TestPKI) -> dict[str, str]:
    return {**headers, "Signature-256": sign(b"ignored", pki.root_key)}


def _signature_of_other_body(headers: dict[str, str], pki: TestPKI) -> dict[str, str]:
    return {**headers, "Signature-256": sign(b'{"request":{}}', pki.leaf_key)}


def _truncated_signature(headers: dict[str, str], pki: TestPKI) -> dict[str, str]:
    raw = base64.b64decode(headers["Signature-256"])
    return {**headers, "Signature-256": base64.b64encode(raw[:-1]).decode()}


@pytest.mark.parametrize(
    ("forge", "reason", "fetches"),
    [
        pytest.param(_drop("Signature-256"), "missing Signature-256 header", 0, id="no-signature"),
        pytest.param(_drop("SignatureCertChainUrl"), "missing SignatureCertChainUrl header", 0, id="no-url"),
        pytest.param(_set("Signature-256", "   "), "missing Signature-256 header", 0, id="blank-signature"),
        pytest.param(_set("Signature-256", "not base64!"), "not valid base64", 0, id="garbage-base64"),
        pytest.param(_set("Signature-256", "QUJ"), "not valid base64", 0, id="bad-padding"),
        pytest.param(_set("Signature-256", "===="), "not valid base64", 0, id="only-padding"),
        pytest.param(_signed_by_root, "signature does not match", 1, id="wrong-key"),
        pytest.param(_signature_of_other_body, "signature does not match", 1, id="other-body"),
        pytest.param(_truncated_signature, "signature does not match", 1, id="truncated"),
    ],
)
def test_signature_forgeries_are_refused(pki: TestPKI, forge: Any, reason: str, fetches: int) -> None:
    headers, body, envelope = signed(pki)
    error = refusal(pki.verifier(), forge(headers, pki), body, envelope)
    assert reason in str(error)
    assert pki.fetcher.call_count == fetches


def test_tampered_body_is_refused(pki: TestPKI) -> None:
    headers, body, envelope = signed(pki)
    tampered = body.replace(b"LaunchRequest", b"SessionEndedRequest")
    assert tampered != body
    error = refusal(pki.verifier(), headers, tampered, envelope)
    assert str(error) == "request signature does not match"


def test_signature_covers_raw_bytes_not_the_parsed_json(pki: TestPKI) -> None:
    headers, body, envelope = signed(pki)
    # Same JSON, different bytes: a verifier that re-serialised the envelope would accept this.
    reformatted = body.replace(b'"version":"1.0"', b'"version": "1.0"')
    assert reformatted != body
    error = refusal(pki.verifier(), headers, reformatted, envelope)
    assert str(error) == "request signature does not match"


# --- certificate URL rules ------------------------------------------------------------------------

ACCEPTED_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
    "Https://s3.Amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?versionId=1#fragment",
]

REFUSED_URLS = [
    ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "must use https"),
    ("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", "must use https"),
    ("https://notamazon.com/echo.api/echo-api-cert.pem", "host must be s3.amazonaws.com"),
    ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "host must be s3.amazonaws.com"),
    ("https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem", "must not carry credentials"),
    ("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem", "must not carry credentials"),
    ("https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem", "port must be 443"),
    ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port must be 443"),
    ("https://s3.amazonaws.com:https/echo.api/echo-api-cert.pem", "malformed"),
    ("https://s3.amazonaws.com/ECHO.API/echo-api-cert.pem", "must start with /echo.api/"),
    ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "must start with /echo.api/"),
    ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "must start with /echo.api/"),
    ("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem", "must start with /echo.api/"),
    ("https://s3.amazonaws.com/echo.api/../x", "must start with /echo.api/"),
    ("https://s3.amazonaws.com/echo.api/%2e%2e/x.pem", "must start with /echo.api/"),
    ("https://s3.amazonaws.com/echo.api%2F..%2Fx.pem", "must start with /echo.api/"),
    ("https://s3.amazonaws.com/echo.api/", "must start with /echo.api/"),
    ("https://s3.amazonaws.com/echo.api", "must start with /echo.api/"),
    ("https://s3.amazonaws.com", "path is malformed"),
    ("https://s3.amazonaws.com/echo.api/..\\x.pem", "path is malformed"),
    ("https://s3.amazonaws.com/echo.api/a%00b.pem", "path is malformed"),
    ("s3.amazonaws.com/echo.api/echo-api-cert.pem", "must use https"),
]


@pytest.mark.parametrize("url", ACCEPTED_URLS)
def test_accepted_cert_urls_are_fetched_in_canonical_form(pki: TestPKI, url: str) -> None:
    _, body, envelope = signed(pki)
    pki.verifier().verify(pki.headers(body, url=url), body, envelope)
    assert pki.fetcher.calls == [CERT_URL]


@pytest.mark.parametrize(("url", "reason"), REFUSED_URLS)
def test_refused_cert_urls_are_never_fetched(pki: TestPKI, url: str, reason: str) -> None:
    _, body, envelope = signed(pki)
    error = refusal(pki.verifier(), pki.headers(body, url=url), body, envelope)
    assert reason in str(error)
    assert pki.fetcher.calls == []


@pytest.mark.parametrize("url", ACCEPTED_URLS)
def test_canonical_cert_url_normalises_every_accepted_spelling(url: str) -> None:
    assert canonical_cert_url(url) == CERT_URL


def test_canonical_cert_url_keeps_a_real_chain_file_name() -> None:
    url = "https://s3.amazonaws.com/echo.api/echo-api-cert-6-ats.pem"
    assert canonical_cert_url(url) == url


# --- certificate chain rules ----------------------------------------------------------------------

# Each case: how to derive the served chain, the message, and what cryptography said (via __cause__).
CHAIN_CASES = [
    pytest.param(
        lambda pki: pki.with_leaf(
            not_before=pki.now - timedelta(days=30), not_after=pki.now - timedelta(seconds=1)
        ),
        "certificate chain is not trusted",
        "not valid at validation time",
        id="expired-leaf",
    ),
    pytest.param(
        lambda pki: pki.with_leaf(not_before=pki.now + timedelta(seconds=1)),
        "certificate chain is not trusted",
        "not valid at validation time",
        id="not-yet-valid-leaf",
    ),
    pytest.param(
        lambda pki: pki.with_leaf(san=["evil.example"]),
        "certificate chain is not trusted",
        "no matching subjectAltName",
        id="wrong-san",
    ),
    pytest.param(
        lambda pki: pki.with_leaf(san=["echo-api.amazon.com.evil.example"]),
        "certificate chain is not trusted",
        "no matching subjectAltName",
        id="suffixed-san",
    ),
    pytest.param(
        lambda pki: pki.with_leaf(san=["*.amazon.com"]),
        "signing certificate is not for echo-api.amazon.com",
        None,
        id="wildcard-san",
    ),
    pytest.param(
        lambda pki: pki.with_leaf(usages=[ExtendedKeyUsageOID.CLIENT_AUTH]),
        "certificate chain is not trusted",
        "required EKU not found",
        id="client-auth-only-leaf",
    ),
    pytest.param(
        lambda pki: pki.with_chain_pem(to_pem(pki.leaf)),
        "certificate chain is not trusted",
        "candidates exhausted",
        id="intermediate-missing",
    ),
    pytest.param(
        lambda pki: pki.with_chain_pem(to_pem(pki.intermediate, pki.leaf)),
        "certificate chain is not trusted",
        None,
        id="intermediate-first",
    ),
    pytest.param(
        lambda pki: pki.with_chain_pem(b"this is not a certificate"),
        "certificate chain is not valid PEM",
        None,
        id="not-pem",
    ),
    pytest.param(
        lambda pki: pki.with_chain_pem(b""),
        "certificate chain is not valid PEM",
        None,
        id="empty-chain",
    ),
]


@pytest.mark.parametrize(("derive", "reason", "library_reason"), CHAIN_CASES)
def test_bad_chains_are_refused(pki: TestPKI, derive: Any, reason: str, library_reason: str | None) -> None:
    served = derive(pki)
    headers, body, envelope = signed(served)
    error = refusal(served.verifier(), headers, body, envelope)
    assert str(error) == reason
    if library_reason is not None:
        assert library_reason in str(error.__cause__)
    assert served.fetcher.calls == [CERT_URL]


def test_leaf_is_checked_against_the_clock_not_the_wall(pki: TestPKI) -> None:
    # The same chain that is fine at pki.now is refused two years later.
    later = pki.now + timedelta(days=730)
    headers, body, envelope = signed(pki, timestamp=later)
    error = refusal(pki.verifier(clock=lambda: later), headers, body, envelope)
    assert "not valid at validation time" in str(error.__cause__)


@pytest.mark.parametrize("same_root_name", [True, False], ids=["impostor-root", "unknown-root"])
def test_untrusted_root_is_refused(pki: TestPKI, untrusted_pki: TestPKI, same_root_name: bool) -> None:
    impostor = untrusted_pki
    if not same_root_name:
        impostor = build_pki(
            now=pki.now,
            root_name="Somebody Else's Root CA",
            root_key=untrusted_pki.root_key,
            intermediate_key=untrusted_pki.intermediate_key,
            leaf_key=untrusted_pki.leaf_key,
        )
    assert (impostor.root.subject == pki.root.subject) is same_root_name
    headers, body, envelope = signed(impostor)
    # The impostor's own store would accept its chain, so the refusal is down to the trust store.
    impostor.verifier().verify(headers, body, envelope)
    error = refusal(pki.verifier(fetch_chain=impostor.fetcher), headers, body, envelope)
    assert str(error) == "certificate chain is not trusted"


def test_default_trust_store_does_not_trust_the_test_root(pki: TestPKI) -> None:
    headers, body, envelope = signed(pki)
    verifier = RequestVerifier(fetch_chain=pki.fetcher, clock=lambda: pki.now)
    error = refusal(verifier, headers, body, envelope)
    assert str(error) == "certificate chain is not trusted"


def test_default_trust_store_loads_certifi_once_without_warnings() -> None:
    # filterwarnings=error turns the serial-number-0 warnings of some certifi roots into failures.
    assert default_trust_store() is default_trust_store()


def test_unknown_chain_url_is_refused(pki: TestPKI) -> None:
    url = "https://s3.amazonaws.com/echo.api/echo-api-cert-999.pem"
    _, body, envelope = signed(pki)
    error = refusal(pki.verifier(), pki.headers(body, url=url), body, envelope)
    assert str(error) == "certificate chain download failed"
    assert pki.fetcher.calls == [url]


def test_fetcher_crash_becomes_a_refusal(pki: TestPKI) -> None:
    def crashing(url: str) -> bytes:
        raise RuntimeError("boom")

    headers, body, envelope = signed(pki)
    error = refusal(pki.verifier(fetch_chain=crashing), headers, body, envelope)
    assert str(error) == "certificate chain download failed"
    assert isinstance(error.__cause__, RuntimeError)


# --- timestamp rules ------------------------------------------------------------------------------

SKILL_EVENT = "AlexaSkillEvent.SkillEnabled"


@pytest.mark.parametrize(
    ("offset_seconds", "request_type", "accepted"),
    [
        (0, "LaunchRequest", True),
        (-150, "IntentRequest", True),
        (150, "IntentRequest", True),
        (-151, "IntentRequest", False),
        (151, "IntentRequest", False),
        (-600, "LaunchRequest", False),
        (-1800, "LaunchRequest", False),
        (-3599, SKILL_EVENT, True),
        (3600, SKILL_EVENT, True),
        (-3601, SKILL_EVENT, False),
        (3601, SKILL_EVENT, False),
        (-1800, "AlexaSkillEvent.SkillAccountLinked", True),
        (-1800, "AlexaSkillEvent.ProactiveSubscriptionChanged", False),
    ],
)
def test_timestamp_window(pki: TestPKI, offset_seconds: int, request_type: str, accepted: bool) -> None:
    stamp = pki.now + timedelta(seconds=offset_seconds)
    headers, body, envelope = signed(pki, timestamp=stamp, request_type=request_type)
    verifier = pki.verifier()
    if accepted:
        verifier.verify(headers, body, envelope)
        assert pki.fetcher.call_count == 1
    else:
        error = refusal(verifier, headers, body, envelope)
        assert str(error) == "request timestamp is outside the allowed window"
        assert pki.fetcher.call_count == 0


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        ("yesterday", "not ISO 8601"),
        ("2024-13-01T00:00:00Z", "not ISO 8601"),
        ("2024-01-01T25:00:00Z", "not ISO 8601"),
        ("", "timestamp is missing"),
        (1700000000000, "timestamp is missing"),
        (None, "timestamp is missing"),
        (["2024-01-01T00:00:00Z"], "timestamp is missing"),
        ("0001-01-01T00:00:00+01:00", "outside the allowed window"),
        ("9999-12-31T23:59:59-01:00", "outside the allowed window"),
    ],
)
def test_malformed_timestamps_are_refused(pki: TestPKI, timestamp: Any, reason: str) -> None:
    headers, body, envelope = signed(pki, timestamp="placeholder")
    envelope["request"]["timestamp"] = timestamp
    body = encode_envelope(envelope)
    headers = pki.headers(body)
    error = refusal(pki.verifier(), headers, body, envelope)
    assert reason in str(error)


@pytest.mark.parametrize(
    "spelling",
    [
        "{:%Y-%m-%dT%H:%M:%SZ}",
        "{:%Y-%m-%dT%H:%M:%S.123Z}",
        "{:%Y-%m-%dT%H:%M:%S+00:00}",
        "{:%Y-%m-%dT%H:%M:%S}",
    ],
)
def test_iso_spellings_alexa_may_use_are_accepted(pki: TestPKI, spelling: str) -> None:
    headers, body, envelope = signed(pki, timestamp=spelling.format(pki.now.astimezone(UTC)))
    pki.verifier().verify(headers, body, envelope)
    assert pki.fetcher.call_count == 1


def test_timestamp_in_another_zone_is_compared_as_an_instant(pki: TestPKI) -> None:
    local = pki.now.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=2)
    headers, body, envelope = signed(pki, timestamp=f"{local:%Y-%m-%dT%H:%M:%S}+02:00")
    pki.verifier().verify(headers, body, envelope)
    assert pki.fetcher.call_count == 1


def test_stale_request_passes_when_timestamp_check_is_off(pki: TestPKI) -> None:
    headers, body, envelope = signed(pki, timestamp=pki.now - timedelta(days=1))
    refusal(pki.verifier(), headers, body, envelope)
    pki.verifier(verify_timestamp=False).verify(headers, body, envelope)
    assert pki.fetcher.call_count == 1


# --- skill ID -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "checks"),
    [
        pytest.param({}, {}, id="all-checks-on"),
        pytest.param({}, {"verify_signature": False, "verify_timestamp": False}, id="checks-off"),
        pytest.param({}, {"verify_signature": False}, id="signature-off"),
        pytest.param({"skill_id": None, "session_skill_id": OTHER_SKILL_ID}, {}, id="session-only"),
        pytest.param({"session_skill_id": TEST_SKILL_ID}, {}, id="context-wins-over-session"),
    ],
)
def test_another_skills_request_is_refused(
    pki: TestPKI, options: dict[str, Any], checks: dict[str, bool]
) -> None:
    envelope_options = {"skill_id": OTHER_SKILL_ID, **options}
    headers, body, envelope = signed(pki, **envelope_options)
    error = refusal(pki.verifier(skill_id=TEST_SKILL_ID, **checks), headers, body, envelope)
    assert str(error) == "request is for another skill"
    assert pki.fetcher.call_count == 0


def test_skill_id_check_runs_even_with_no_headers(pki: TestPKI) -> None:
    _, body, envelope = signed(pki, skill_id=OTHER_SKILL_ID)
    verifier = pki.verifier(skill_id=TEST_SKILL_ID, verify_signature=False, verify_timestamp=False)
    error = refusal(verifier, {}, body, envelope)
    assert str(error) == "request is for another skill"


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="context"),
        pytest.param({"skill_id": None, "session_skill_id": TEST_SKILL_ID}, id="session-fallback"),
    ],
)
def test_own_skill_id_passes(pki: TestPKI, options: dict[str, Any]) -> None:
    headers, body, envelope = signed(pki, **options)
    pki.verifier(skill_id=TEST_SKILL_ID).verify(headers, body, envelope)
    assert pki.fetcher.call_count == 1


def test_missing_skill_id_is_refused_when_one_is_expected(pki: TestPKI) -> None:
    headers, body, envelope = signed(pki, skill_id=None)
    error = refusal(pki.verifier(skill_id=TEST_SKILL_ID), headers, body, envelope)
    assert str(error) == "skill ID is missing"


def test_any_skill_id_passes_when_none_is_configured(pki: TestPKI) -> None:
    headers, body, envelope = signed(pki, skill_id=OTHER_SKILL_ID)
    pki.verifier().verify(headers, body, envelope)
    assert pki.fetcher.call_count == 1


# --- malformed envelopes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("envelope", "reason"),
    [
        ([], "must be a JSON object"),
        ("a string", "must be a JSON object"),
        (None, "must be a JSON object"),
        ({}, "request object is missing"),
        ({"request": "LaunchRequest"}, "request object is missing"),
        ({"request": {"type": "LaunchRequest"}}, "timestamp is missing"),
        ({"request": {"type": ["unhashable"], "timestamp": "2000-01-01T00:00:00Z"}}, "allowed window"),
        ({"context": "nope", "session": [], "request": {}}, "timestamp is missing"),
    ],
)
def test_malformed_envelopes_raise_only_verification_error(pki: TestPKI, envelope: Any, reason: str) -> None:
    body = encode_envelope(envelope) if envelope is not None else b"null"
    error = refusal(pki.verifier(skill_id=TEST_SKILL_ID), pki.headers(body), body, envelope)
    assert reason in str(error)


@pytest.mark.parametrize(
    "envelope",
    [{"context": "nope", "request": {}}, {"context": {"System": []}, "session": {"application": 3}}],
)
def test_malformed_skill_id_paths_raise_only_verification_error(pki: TestPKI, envelope: Any) -> None:
    verifier = pki.verifier(skill_id=TEST_SKILL_ID, verify_signature=False, verify_timestamp=False)
    error = refusal(verifier, {}, b"{}", envelope)
    assert str(error) == "skill ID is missing"


def test_everything_off_accepts_an_unsigned_request(pki: TestPKI) -> None:
    envelope = make_envelope(timestamp="not even a date")
    verifier = pki.verifier(verify_signature=False, verify_timestamp=False)
    verifier.verify({}, encode_envelope(envelope), envelope)
    assert pki.fetcher.call_count == 0


# --- CachedChainFetcher ---------------------------------------------------------------------------


def test_cache_fetches_once_for_every_spelling_of_a_url() -> None:
    inner = DictChainFetcher({CERT_URL: b"chain"})
    cached = CachedChainFetcher(inner)
    results = [cached(url) for url in ACCEPTED_URLS * 3]
    assert results == [b"chain"] * len(results)
    assert inner.calls == [CERT_URL]


def test_cache_is_bounded_and_evicts_least_recently_used() -> None:
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{n}.pem" for n in range(3)]
    inner = DictChainFetcher({url: url.encode() for url in urls})
    cached = CachedChainFetcher(inner, max_entries=2)
    cached(urls[0])
    cached(urls[1])
    cached(urls[0])  # refreshes 0, so 1 is now the oldest
    cached(urls[2])  # evicts 1
    cached(urls[0])
    cached(urls[1])
    assert inner.calls == [urls[0], urls[1], urls[2], urls[1]]


def test_cache_does_not_remember_failures() -> None:
    inner = DictChainFetcher({})
    cached = CachedChainFetcher(inner)
    with pytest.raises(VerificationError):
        cached(CERT_URL)
    inner.chains[CERT_URL] = b"chain"
    assert cached(CERT_URL) == b"chain"
    assert inner.calls == [CERT_URL, CERT_URL]


@pytest.mark.parametrize(("url", "reason"), REFUSED_URLS)
def test_cache_refuses_invalid_urls_without_fetching(url: str, reason: str) -> None:
    inner = DictChainFetcher({url: b"chain"})
    with pytest.raises(VerificationError, match=re.escape(reason)):
        CachedChainFetcher(inner)(url)
    assert inner.calls == []


def test_cache_is_safe_under_concurrent_use() -> None:
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{n}.pem" for n in range(8)]
    inner = DictChainFetcher({url: url.encode() for url in urls})
    cached = CachedChainFetcher(inner, max_entries=4)
    mismatches: list[str] = []

    def hammer() -> None:
        for _ in range(200):
            for url in urls:
                if cached(url) != url.encode():
                    mismatches.append(url)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mismatches == []
    assert len(cached._chains) <= 4


def test_cache_needs_room_for_one_entry() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CachedChainFetcher(DictChainFetcher({}), max_entries=0)


# --- http_chain_fetcher against a local server ----------------------------------------------------

CHAIN_BODY = b"-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n"


class _ChainServer(ThreadingHTTPServer):
    daemon_threads = True
    release: threading.Event

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client the test gave up on has closed its end."""


class _Handler(BaseHTTPRequestHandler):
    server: _ChainServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/chain.pem":
            self._send(200, CHAIN_BODY)
        elif self.path == "/slow.pem":
            # Longer than any client timeout used below; released at teardown.
            self.server.release.wait(10)
        elif self.path == "/trickle.pem":
            self.send_response(200)
            self.send_header("Content-Length", "200")
            self.end_headers()
            for _ in range(200):
                if self.server.release.wait(0.05):
                    return
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
        elif self.path == "/huge.pem":
            self._send(200, b"x" * (MAX_CHAIN_BYTES + 1))
        elif self.path == "/huge-undeclared.pem":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"x" * (MAX_CHAIN_BYTES + 1))
        elif self.path == "/redirect.pem":
            self._send(302, b"", Location="/chain.pem")
        else:
            self._send(404, b"no such object")


@pytest.fixture
def chain_server() -> Iterator[str]:
    server = _ChainServer(("127.0.0.1", 0), _Handler)
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.slow
def test_http_fetcher_downloads_a_chain(chain_server: str) -> None:
    assert http_chain_fetcher(timeout=2.0)(f"{chain_server}/chain.pem") == CHAIN_BODY


@pytest.mark.slow
def test_http_fetcher_times_out_on_a_silent_server(chain_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(VerificationError, match="download failed") as excinfo:
        http_chain_fetcher(timeout=0.3)(f"{chain_server}/slow.pem")
    assert 0.25 <= time.monotonic() - started < 2.0
    assert isinstance(excinfo.value.__cause__, TimeoutError)


@pytest.mark.slow
def test_http_fetcher_gives_up_on_a_trickling_server(chain_server: str) -> None:
    # Every byte arrives well within the socket timeout; only the overall deadline stops this.
    started = time.monotonic()
    with pytest.raises(VerificationError, match="timed out"):
        http_chain_fetcher(timeout=0.3)(f"{chain_server}/trickle.pem")
    assert 0.25 <= time.monotonic() - started < 2.0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.pem", "download failed"),
        ("/redirect.pem", "download failed"),
        ("/huge.pem", "too large"),
        ("/huge-undeclared.pem", "too large"),
    ],
)
def test_http_fetcher_refuses_bad_answers(chain_server: str, path: str, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        http_chain_fetcher(timeout=2.0)(f"{chain_server}{path}")


@pytest.mark.slow
def test_http_fetcher_reports_a_refused_connection() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    server.server_close()  # nothing listens on the port any more
    with pytest.raises(VerificationError, match="download failed"):
        http_chain_fetcher(timeout=2.0)(f"http://127.0.0.1:{port}/chain.pem")


def test_default_verifier_wraps_the_http_fetcher_in_a_cache() -> None:
    verifier = RequestVerifier(verify_signature=False)
    assert isinstance(verifier._fetch_chain, CachedChainFetcher)
    assert verifier._trust_store is None


def test_verifier_uses_a_real_clock_by_default(pki: TestPKI) -> None:
    stamp = datetime.now(UTC)
    envelope = make_envelope(timestamp=stamp)
    body = encode_envelope(envelope)
    verifier = RequestVerifier(fetch_chain=pki.fetcher, trust_store=pki.store)
    verifier.verify(pki.headers(body), body, envelope)
    assert pki.fetcher.call_count == 1
    stale = make_envelope(timestamp=stamp - timedelta(minutes=10))
    stale_body = encode_envelope(stale)
    error = refusal(verifier, pki.headers(stale_body), stale_body, stale)
    assert str(error) == "request timestamp is outside the allowed window"
