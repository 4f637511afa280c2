"""What the web service's verifier trusts: certifi's roots by default, or roots and chain files an
operator supplies (``CRAMP_COACH_TRUST_ROOTS``, ``CRAMP_COACH_CERT_CHAIN_DIR``).

Neither setting relaxes a rule. The certificate URL is checked before any lookup, so a chain
directory can only answer for ``https://s3.amazonaws.com/echo.api/...`` URLs, and a chain from the
directory is validated exactly like a downloaded one. Only the trust roots decide who may sign:
pinning them to Amazon's roots narrows trust; pointing them at a test CA is how the test suite
signs requests for a real server.
"""

from __future__ import annotations

import logging
import os
import urllib.parse
from pathlib import Path, PurePosixPath

from ask_sdk_webservice_support.verifier_constants import CERT_CHAIN_URL_STARTPATH
from cryptography import x509
from cryptography.x509.verification import Store

from skill.config import Settings
from skill.web.verification import (
    MAX_CHAIN_BYTES,
    CachedChainFetcher,
    ChainFetcher,
    RequestVerifier,
    VerificationError,
    canonical_cert_url,
    http_chain_fetcher,
)

log = logging.getLogger(__name__)

_ECHO_API = PurePosixPath(CERT_CHAIN_URL_STARTPATH.replace(os.path.sep, "/"))


def load_trust_store(path: Path) -> Store:
    """A store of the PEM certificates in path; an unreadable or empty file stops the server."""
    try:
        roots = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot load trust roots from {path}: {exc}") from exc
    return Store(roots)


class DirectoryChainFetcher:
    """Serves Amazon's chain files from a local directory, downloading the ones it lacks."""

    def __init__(self, directory: Path, fallback: ChainFetcher | None = None) -> None:
        self.directory = directory.resolve()
        self.fallback = fallback

    def __call__(self, url: str) -> bytes:
        canonical = canonical_cert_url(url)
        path = PurePosixPath(urllib.parse.unquote(urllib.parse.urlsplit(canonical).path))
        # canonical_cert_url has normalised the path under /echo.api/, so the file stays inside
        # the directory; resolve() also refuses a symlink pointing out of it.
        candidate = (self.directory / path.relative_to(_ECHO_API)).resolve()
        if candidate.is_relative_to(self.directory) and candidate.is_file():
            if candidate.stat().st_size > MAX_CHAIN_BYTES:
                raise VerificationError("certificate chain is too large")
            return candidate.read_bytes()
        if self.fallback is None:
            raise VerificationError("certificate chain download failed")
        return self.fallback(canonical)


def build_verifier(settings: Settings) -> RequestVerifier:
    """The verifier for a server with these settings (all checks off only with verify=False)."""
    trust_store = None
    fetch: ChainFetcher = http_chain_fetcher()
    if settings.verify and settings.trust_roots_file is not None:
        trust_store = load_trust_store(settings.trust_roots_file)
        log.warning(
            "trusting only the root certificates in %s for request signatures", settings.trust_roots_file
        )
    if settings.cert_chain_dir is not None:
        fetch = DirectoryChainFetcher(settings.cert_chain_dir, fallback=fetch)
    return RequestVerifier(
        verify_signature=settings.verify,
        verify_timestamp=settings.verify,
        skill_id=settings.skill_id,
        fetch_chain=CachedChainFetcher(fetch),
        trust_store=trust_store,
    )
