"""Verify that a request to the web service really comes from Alexa, per Amazon's hosting rules."""

from __future__ import annotations

import base64
import binascii
import functools
import http.client
import logging
import os
import posixpath
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import certifi
from ask_sdk_webservice_support.verifier_constants import (
    ALEXA_SKILL_EVENT_LIST,
    CERT_CHAIN_DOMAIN,
    CERT_CHAIN_URL_HOSTNAME,
    CERT_CHAIN_URL_PORT,
    CERT_CHAIN_URL_PROTOCOL,
    CERT_CHAIN_URL_STARTPATH,
    MAX_NORMAL_REQUEST_TOLERANCE_IN_MILLIS,
    MAX_SKILL_EVENT_TOLERANCE_IN_MILLIS,
    SIGNATURE_CERT_CHAIN_URL_HEADER,
    SIGNATURE_HEADER,
)
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification as x509_verification

__all__ = [
    "CachedChainFetcher",
    "ChainFetcher",
    "RequestVerifier",
    "VerificationError",
    "canonical_cert_url",
    "default_trust_store",
    "http_chain_fetcher",
]

logger = logging.getLogger(__name__)

ChainFetcher = Callable[[str], bytes]

# The constant is built with os.path.sep, but URL paths are always POSIX.
_CERT_URL_START_PATH = CERT_CHAIN_URL_STARTPATH.replace(os.path.sep, "/")

# Amazon's chain files are a few kilobytes; a much larger answer is not a certificate chain.
MAX_CHAIN_BYTES = 64 * 1024

# Whitespace, control characters and backslashes have no place in Amazon's object names, and
# some HTTP stacks treat a backslash as a path separator, which would defeat normalisation.
_UNSAFE_PATH_CHARS = re.compile(r"[\x00-\x20\x7f\\]")

_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----\r?\n.+?\r?\n-----END CERTIFICATE-----", re.DOTALL
)


class VerificationError(Exception):
    """A request failed verification; str(e) is a short reason safe to return to the client."""


def canonical_cert_url(url: str) -> str:
    """Return the normalised https://s3.amazonaws.com/echo.api/... form of a certificate URL."""
    if not isinstance(url, str) or not url:
        raise VerificationError("certificate URL is missing")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise VerificationError("certificate URL is malformed") from exc
    if parts.scheme.lower() != CERT_CHAIN_URL_PROTOCOL:
        raise VerificationError("certificate URL must use https")
    if parts.username is not None or parts.password is not None:
        raise VerificationError("certificate URL must not carry credentials")
    # urlsplit lower-cases the hostname, which is what makes the host check case-insensitive.
    if parts.hostname != CERT_CHAIN_URL_HOSTNAME:
        raise VerificationError("certificate URL host must be s3.amazonaws.com")
    if port is not None and port != CERT_CHAIN_URL_PORT:
        raise VerificationError("certificate URL port must be 443")
    # Decoding first means %2e%2e is normalised like "..", so an encoded escape cannot slip past.
    path = urllib.parse.unquote(parts.path)
    if not path or _UNSAFE_PATH_CHARS.search(path):
        raise VerificationError("certificate URL path is malformed")
    normalised = posixpath.normpath(path)
    # Case-sensitive on purpose: Amazon specifies /echo.api/ exactly, and S3 keys are case-sensitive.
    if not normalised.startswith(_CERT_URL_START_PATH):
        raise VerificationError("certificate URL path must start with /echo.api/")
    # The URL is rebuilt from constants and the normalised path, so what gets downloaded is exactly
    # what was checked; a query or fragment could only pick another rendition of the same object.
    return urllib.parse.urlunsplit(
        (CERT_CHAIN_URL_PROTOCOL, CERT_CHAIN_URL_HOSTNAME, urllib.parse.quote(normalised), "", "")
    )


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an HTTPError so only the validated URL is ever fetched."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """Decline to build a follow-up request, whatever the target."""
        return None


def http_chain_fetcher(timeout: float = 3.0) -> ChainFetcher:
    """Return a ChainFetcher that downloads with urllib and raises VerificationError on any failure."""
    # certifi rather than the OS bundle, so TLS to S3 trusts the same roots as chain validation.
    context = ssl.create_default_context(cafile=certifi.where())
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _RefuseRedirects())

    def fetch(url: str) -> bytes:
        """Download url within the timeout, refusing redirects, errors and oversized bodies."""
        # The socket timeout bounds each blocking call; the deadline, checked after every read1(),
        # stops a server that trickles bytes, so a download takes at most about twice the timeout.
        deadline = time.monotonic() + timeout
        try:
            with opener.open(url, timeout=timeout) as response:
                if response.status != 200:
                    raise VerificationError("certificate chain download failed")
                declared = response.headers.get("Content-Length")
                if declared is not None and declared.isdigit() and int(declared) > MAX_CHAIN_BYTES:
                    raise VerificationError("certificate chain is too large")
                data = bytearray()
                while chunk := response.read1(MAX_CHAIN_BYTES + 1 - len(data)):
                    data += chunk
                    if len(data) > MAX_CHAIN_BYTES:
                        raise VerificationError("certificate chain is too large")
                    if time.monotonic() > deadline:
                        raise VerificationError("certificate chain download timed out")
        except VerificationError:
            raise
        except urllib.error.HTTPError as exc:
            # The error holds the open response; close it now rather than whenever it is collected.
            exc.close()
            logger.warning("certificate chain download from %s failed: HTTP %s", url, exc.code)
            raise VerificationError("certificate chain download failed") from exc
        # URLError, TimeoutError and ssl.SSLError are all OSErrors; ValueError covers malformed URLs
        # and HTTPException malformed responses.
        except (OSError, ValueError, http.client.HTTPException) as exc:
            logger.warning("certificate chain download from %s failed: %r", url, exc)
            raise VerificationError("certificate chain download failed") from exc
        return bytes(data)

    return fetch


class CachedChainFetcher:
    """A ChainFetcher that validates and normalises the URL and remembers recent downloads."""

    def __init__(self, fetch: ChainFetcher, max_entries: int = 32) -> None:
        """Wrap fetch, keeping at most max_entries chains (least recently used are dropped)."""
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._fetch = fetch
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._chains: OrderedDict[str, bytes] = OrderedDict()

    def __call__(self, url: str) -> bytes:
        """Return the chain for url, downloading it only if it is not cached yet."""
        key = canonical_cert_url(url)
        with self._lock:
            chain = self._chains.get(key)
            if chain is not None:
                self._chains.move_to_end(key)
                return chain
        # Fetch outside the lock so a slow download never blocks cache hits; two concurrent misses
        # may both download, which is harmless. Failures are not cached so transient errors retry.
        chain = self._fetch(key)
        with self._lock:
            self._chains[key] = chain
            self._chains.move_to_end(key)
            while len(self._chains) > self._max_entries:
                self._chains.popitem(last=False)
        return chain


@functools.cache
def default_trust_store() -> x509_verification.Store:
    """Return a Store holding certifi's root certificates, parsed once per process."""
    with open(certifi.where(), "rb") as bundle:
        blocks = _PEM_CERTIFICATE.findall(bundle.read())
    roots = []
    # catch_warnings is not thread-safe, which is acceptable because this runs once, normally
    # while the app is being built.
    with warnings.catch_warnings():
        # Several long-lived roots have serial number 0, among them Starfield Services Root G2,
        # which cross-signs Amazon Root CA 1. cryptography warns but still accepts them as anchors.
        warnings.filterwarnings(
            "ignore", message="Parsed a serial number", category=CryptographyDeprecationWarning
        )
        for block in blocks:
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                # Parsing one block at a time means a root a future cryptography refuses to load
                # costs only that root, not the whole store.
                logger.info("skipping a certifi root that cryptography cannot parse")
    return x509_verification.Store(roots)


def _utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Return the stripped value of header name, matched case-insensitively, or None if absent."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        for key, candidate in headers.items():
            if isinstance(key, str) and key.lower() == wanted:
                value = candidate
                break
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _dig(node: object, *keys: str) -> object:
    """Follow keys through nested mappings, returning None as soon as a step is missing."""
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


class RequestVerifier:
    """Refuses requests whose signature, certificate chain, timestamp or skill ID is wrong."""

    def __init__(
        self,
        *,
        verify_signature: bool = True,
        verify_timestamp: bool = True,
        skill_id: str | None = None,
        fetch_chain: ChainFetcher | None = None,
        trust_store: x509_verification.Store | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Configure the checks; defaults download chains over HTTPS and trust certifi's roots."""
        self._verify_signature = verify_signature
        self._verify_timestamp = verify_timestamp
        self._skill_id = skill_id
        self._fetch_chain = (
            fetch_chain if fetch_chain is not None else CachedChainFetcher(http_chain_fetcher())
        )
        # Loading certifi costs tens of milliseconds, so skip it when signatures are not checked.
        if trust_store is None and verify_signature:
            trust_store = default_trust_store()
        self._trust_store = trust_store
        self._clock = clock if clock is not None else _utc_now

    def verify(self, headers: Mapping[str, str], body: bytes, envelope: dict) -> None:
        """Raise VerificationError if the request must be refused; envelope is body parsed as JSON."""
        now = self._now()
        if not isinstance(envelope, Mapping):
            raise VerificationError("request body must be a JSON object")
        # Checks that need no network run first, so a replayed or misdirected request is refused
        # without downloading anything; the headers are parsed first for the same reason.
        if self._verify_signature:
            cert_url, signature = self._signature_headers(headers)
        if self._verify_timestamp:
            self._check_timestamp(envelope, now)
        if self._skill_id is not None:
            self._check_skill_id(envelope)
        if self._verify_signature:
            self._check_signature(cert_url, signature, bytes(body), now)

    def _now(self) -> datetime:
        """Return clock() as an aware datetime, reading a naive one as UTC."""
        now = self._clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    @staticmethod
    def _signature_headers(headers: Mapping[str, str]) -> tuple[str, bytes]:
        """Return the canonical certificate URL and the decoded signature from the headers."""
        raw_url = _header(headers, SIGNATURE_CERT_CHAIN_URL_HEADER)
        if raw_url is None:
            raise VerificationError(f"missing {SIGNATURE_CERT_CHAIN_URL_HEADER} header")
        raw_signature = _header(headers, SIGNATURE_HEADER)
        if raw_signature is None:
            raise VerificationError(f"missing {SIGNATURE_HEADER} header")
        cert_url = canonical_cert_url(raw_url)
        try:
            signature = base64.b64decode(raw_signature, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise VerificationError(f"{SIGNATURE_HEADER} header is not valid base64") from exc
        if not signature:
            raise VerificationError(f"{SIGNATURE_HEADER} header is empty")
        return cert_url, signature

    @staticmethod
    def _check_timestamp(envelope: Mapping[str, Any], now: datetime) -> None:
        """Refuse a request whose timestamp is too far from now, in either direction."""
        request = envelope.get("request")
        if not isinstance(request, Mapping):
            raise VerificationError("request object is missing")
        raw = request.get("timestamp")
        if not isinstance(raw, str) or not raw:
            raise VerificationError("request timestamp is missing")
        try:
            timestamp = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise VerificationError("request timestamp is not ISO 8601") from exc
        if timestamp.tzinfo is None:
            # Alexa always sends UTC ("Z"); a zone-less stamp is read the same way.
            timestamp = timestamp.replace(tzinfo=UTC)
        request_type = request.get("type")
        if isinstance(request_type, str) and request_type in ALEXA_SKILL_EVENT_LIST:
            tolerance = timedelta(milliseconds=MAX_SKILL_EVENT_TOLERANCE_IN_MILLIS)
        else:
            tolerance = timedelta(milliseconds=MAX_NORMAL_REQUEST_TOLERANCE_IN_MILLIS)
        if abs(now - timestamp) > tolerance:
            raise VerificationError("request timestamp is outside the allowed window")

    def _check_skill_id(self, envelope: Mapping[str, Any]) -> None:
        """Refuse a request addressed to another skill."""
        application_id = _dig(envelope, "context", "System", "application", "applicationId")
        if application_id is None:
            application_id = _dig(envelope, "session", "application", "applicationId")
        if not isinstance(application_id, str) or not application_id:
            raise VerificationError("skill ID is missing")
        if application_id != self._skill_id:
            raise VerificationError("request is for another skill")

    def _check_signature(self, cert_url: str, signature: bytes, body: bytes, now: datetime) -> None:
        """Refuse a request whose body was not signed by Alexa's certified key."""
        try:
            pem = self._fetch_chain(cert_url)
        except VerificationError:
            raise
        except Exception as exc:
            # An injected fetcher may fail in any way; the request must be refused, not crash.
            logger.warning("certificate chain fetcher failed for %s: %r", cert_url, exc)
            raise VerificationError("certificate chain download failed") from exc
        leaf = self._validated_leaf(pem, now, cert_url)
        public_key = leaf.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise VerificationError("signing certificate does not hold an RSA key")
        try:
            public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise VerificationError("request signature does not match") from exc

    def _validated_leaf(self, pem: bytes, now: datetime, cert_url: str) -> x509.Certificate:
        """Return the chain's leaf once it is shown to chain to a trusted root and name Alexa."""
        try:
            certificates = x509.load_pem_x509_certificates(pem)
        except (ValueError, TypeError) as exc:
            raise VerificationError("certificate chain is not valid PEM") from exc
        leaf, intermediates = certificates[0], certificates[1:]
        if self._trust_store is None:
            raise VerificationError("no trust store configured")
        # The server profile (CA/B Forum rules) is the fitting one: Amazon signs with a publicly
        # issued TLS certificate for echo-api.amazon.com. Besides the path to a trusted root it checks
        # every certificate's validity at `now`, the SAN, CA basicConstraints/keyUsage and, when the
        # leaf has an extendedKeyUsage, that serverAuth is in it. Amazon's leaf also carries the
        # authorityKeyIdentifier this profile requires.
        verifier = (
            x509_verification.PolicyBuilder()
            .store(self._trust_store)
            .time(now)
            .build_server_verifier(x509.DNSName(CERT_CHAIN_DOMAIN))
        )
        try:
            verifier.verify(leaf, intermediates)
        except (x509_verification.VerificationError, ValueError) as exc:
            # Worth an operator's eye: an attack, or an Amazon chain this policy does not accept.
            logger.warning("certificate chain from %s rejected: %s", cert_url, exc)
            raise VerificationError("certificate chain is not trusted") from exc
        # The server profile lets a wildcard such as *.amazon.com match; Amazon's rule (and
        # ask-sdk's verifier) asks for echo-api.amazon.com itself in the SAN.
        try:
            san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound as exc:
            raise VerificationError("signing certificate has no subject alternative names") from exc
        # DNS names compare case-insensitively.
        if CERT_CHAIN_DOMAIN not in {name.lower() for name in san.get_values_for_type(x509.DNSName)}:
            raise VerificationError("signing certificate is not for echo-api.amazon.com")
        return leaf
