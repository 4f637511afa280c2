"""Throwaway X.509 hierarchies and signed Alexa requests for testing request verification."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import Store

from skill.web.verification import RequestVerifier, VerificationError

__all__ = [
    "ALEXA_DOMAIN",
    "CERT_URL",
    "ROOT_NAME",
    "TEST_SKILL_ID",
    "DictChainFetcher",
    "TestPKI",
    "build_pki",
    "encode_envelope",
    "make_ca_cert",
    "make_envelope",
    "make_leaf_cert",
    "new_key",
    "pki",
    "pki_session",
    "sign",
    "to_pem",
    "untrusted_pki",
    "untrusted_pki_session",
]

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
ALEXA_DOMAIN = "echo-api.amazon.com"
ROOT_NAME = "Cramp Coach Test Root CA"
INTERMEDIATE_NAME = "Cramp Coach Test Intermediate CA"
TEST_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"

# Real Amazon leaves carry both purposes; the server profile needs serverAuth whenever an EKU is present.
_TLS_USAGES = (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH)


def new_key() -> rsa.RSAPrivateKey:
    """Generate an RSA-2048 key, the minimum the WebPKI profile accepts."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    """Return a subject name with the given common name under the test organisation."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cramp Coach Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ski(key: rsa.RSAPrivateKey) -> x509.SubjectKeyIdentifier:
    """Return the subject key identifier of key's public half."""
    return x509.SubjectKeyIdentifier.from_public_key(key.public_key())


def _aki(issuer_key: rsa.RSAPrivateKey) -> x509.AuthorityKeyIdentifier:
    """Return an authority key identifier naming issuer_key, keyIdentifier only as CA/B rules want."""
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(issuer_key))


def make_ca_cert(
    *,
    key: rsa.RSAPrivateKey,
    common_name: str,
    not_before: datetime,
    not_after: datetime,
    issuer_cert: x509.Certificate | None = None,
    issuer_key: rsa.RSAPrivateKey | None = None,
    path_length: int | None = None,
) -> x509.Certificate:
    """Issue a CA certificate for key, self-signed unless issuer_cert and issuer_key are given."""
    signer = issuer_key if issuer_key is not None else key
    issuer = issuer_cert.subject if issuer_cert is not None else _name(common_name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_ski(key), critical=False)
    )
    if issuer_cert is not None:
        builder = builder.add_extension(_aki(signer), critical=False)
    return builder.sign(signer, hashes.SHA256())


def make_leaf_cert(
    *,
    key: rsa.RSAPrivateKey,
    issuer_cert: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    san: Sequence[str] = (ALEXA_DOMAIN,),
    usages: Sequence[x509.ObjectIdentifier] = _TLS_USAGES,
) -> x509.Certificate:
    """Issue an end-entity certificate shaped like Amazon's echo-api signing certificate."""
    return (
        x509.CertificateBuilder()
        .subject_name(_name(san[0] if san else ALEXA_DOMAIN))
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(list(usages)), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in san]), critical=False)
        .add_extension(_ski(key), critical=False)
        .add_extension(_aki(issuer_key), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def to_pem(*certs: x509.Certificate) -> bytes:
    """Concatenate certificates as PEM, in the order given (leaf first for a chain file)."""
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


def sign(body: bytes, leaf_key: rsa.RSAPrivateKey) -> str:
    """Return the base64 Signature-256 value Alexa would send for body."""
    return base64.b64encode(leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def make_envelope(
    *,
    timestamp: datetime | str,
    request_type: str = "LaunchRequest",
    skill_id: str | None = TEST_SKILL_ID,
    session_skill_id: str | None = None,
) -> dict[str, Any]:
    """Return a minimal Alexa request envelope; skill IDs of None leave that applicationId out."""
    if isinstance(timestamp, datetime):
        timestamp = timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    envelope: dict[str, Any] = {
        "version": "1.0",
        "context": {"System": {"device": {"deviceId": "amzn1.ask.device.TEST"}}},
        "request": {
            "type": request_type,
            "requestId": "amzn1.echo-api.request.TEST",
            "timestamp": timestamp,
            "locale": "en-US",
        },
    }
    if skill_id is not None:
        envelope["context"]["System"]["application"] = {"applicationId": skill_id}
    if session_skill_id is not None:
        envelope["session"] = {"new": True, "application": {"applicationId": session_skill_id}}
    return envelope


def encode_envelope(envelope: Mapping[str, Any]) -> bytes:
    """Serialise an envelope the way it travels: compact UTF-8 JSON."""
    return json.dumps(envelope, separators=(",", ":")).encode("utf-8")


class DictChainFetcher:
    """A ChainFetcher serving PEM bytes from a dict and recording every URL it is asked for."""

    def __init__(self, chains: Mapping[str, bytes]) -> None:
        """Serve the given URL-to-PEM mapping."""
        self.chains = dict(chains)
        self.calls: list[str] = []

    @property
    def call_count(self) -> int:
        """Return how many times the fetcher was called."""
        return len(self.calls)

    def __call__(self, url: str) -> bytes:
        """Return the chain for url, or raise VerificationError as a failed download would."""
        self.calls.append(url)
        try:
            return self.chains[url]
        except KeyError:
            raise VerificationError("certificate chain download failed") from None


@dataclass(frozen=True)
class TestPKI:
    """A root, optional intermediate and echo-api leaf, with a store, a fetcher and a signer."""

    # Stops pytest from trying to collect this class when a test module imports it.
    __test__ = False

    now: datetime
    root_key: rsa.RSAPrivateKey
    root: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey
    intermediate: x509.Certificate | None
    leaf_key: rsa.RSAPrivateKey
    leaf: x509.Certificate
    chain_pem: bytes
    store: Store
    fetcher: DictChainFetcher
    url: str = CERT_URL

    def headers(self, body: bytes, *, url: str | None = None) -> dict[str, str]:
        """Return the SignatureCertChainUrl and Signature-256 headers for body."""
        return {"SignatureCertChainUrl": url or self.url, "Signature-256": sign(body, self.leaf_key)}

    def fresh(self) -> TestPKI:
        """Return the same hierarchy with a new fetcher whose call log is empty."""
        return dataclasses.replace(self, fetcher=DictChainFetcher({self.url: self.chain_pem}))

    def with_chain_pem(self, chain_pem: bytes) -> TestPKI:
        """Return a copy whose fetcher serves chain_pem instead of the usual chain."""
        return dataclasses.replace(self, chain_pem=chain_pem, fetcher=DictChainFetcher({self.url: chain_pem}))

    def with_leaf(
        self,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        san: Sequence[str] = (ALEXA_DOMAIN,),
        usages: Sequence[x509.ObjectIdentifier] = _TLS_USAGES,
    ) -> TestPKI:
        """Return a copy with a reissued leaf (same key, same issuer) and a chain that serves it."""
        issuer_cert = self.intermediate if self.intermediate is not None else self.root
        issuer_key = self.intermediate_key if self.intermediate is not None else self.root_key
        leaf = make_leaf_cert(
            key=self.leaf_key,
            issuer_cert=issuer_cert,
            issuer_key=issuer_key,
            not_before=not_before if not_before is not None else self.now - timedelta(days=1),
            not_after=not_after if not_after is not None else self.now + timedelta(days=365),
            san=san,
            usages=usages,
        )
        chain = to_pem(leaf, self.intermediate) if self.intermediate is not None else to_pem(leaf)
        return dataclasses.replace(self.with_chain_pem(chain), leaf=leaf)

    def verifier(self, **options: Any) -> RequestVerifier:
        """Return a RequestVerifier trusting this root, fetching with this fetcher, frozen at now."""
        options.setdefault("fetch_chain", self.fetcher)
        options.setdefault("trust_store", self.store)
        options.setdefault("clock", lambda: self.now)
        return RequestVerifier(**options)


def build_pki(
    *,
    now: datetime | None = None,
    intermediate: bool = True,
    root_name: str = ROOT_NAME,
    root_key: rsa.RSAPrivateKey | None = None,
    intermediate_key: rsa.RSAPrivateKey | None = None,
    leaf_key: rsa.RSAPrivateKey | None = None,
) -> TestPKI:
    """Build a fresh hierarchy; pass keys to reuse them, since RSA key generation is the slow part."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    root_key = root_key or new_key()
    intermediate_key = intermediate_key or new_key()
    leaf_key = leaf_key or new_key()
    ca_from, ca_until = now - timedelta(days=30), now + timedelta(days=3650)
    root = make_ca_cert(key=root_key, common_name=root_name, not_before=ca_from, not_after=ca_until)
    issuer_cert, issuer_key = root, root_key
    middle = None
    if intermediate:
        middle = make_ca_cert(
            key=intermediate_key,
            common_name=INTERMEDIATE_NAME,
            not_before=ca_from,
            not_after=ca_until,
            issuer_cert=root,
            issuer_key=root_key,
            path_length=0,
        )
        issuer_cert, issuer_key = middle, intermediate_key
    leaf = make_leaf_cert(
        key=leaf_key,
        issuer_cert=issuer_cert,
        issuer_key=issuer_key,
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=365),
    )
    chain = to_pem(leaf, middle) if middle is not None else to_pem(leaf)
    return TestPKI(
        now=now,
        root_key=root_key,
        root=root,
        intermediate_key=intermediate_key,
        intermediate=middle,
        leaf_key=leaf_key,
        leaf=leaf,
        chain_pem=chain,
        store=Store([root]),
        fetcher=DictChainFetcher({CERT_URL: chain}),
    )


@pytest.fixture(scope="session")
def pki_session() -> TestPKI:
    """One trusted root -> intermediate -> echo-api leaf hierarchy per test session."""
    return build_pki()


@pytest.fixture
def pki(pki_session: TestPKI) -> TestPKI:
    """The session hierarchy with a fresh fetcher, so call counts start at zero."""
    return pki_session.fresh()


@pytest.fixture(scope="session")
def untrusted_pki_session(pki_session: TestPKI) -> TestPKI:
    """An impostor hierarchy: same root name as pki_session but a different root key."""
    return build_pki(
        now=pki_session.now,
        intermediate_key=pki_session.intermediate_key,
        leaf_key=pki_session.leaf_key,
    )


@pytest.fixture
def untrusted_pki(untrusted_pki_session: TestPKI) -> TestPKI:
    """The impostor hierarchy with a fresh fetcher; pair it with pki.store to test untrusted roots."""
    return untrusted_pki_session.fresh()
