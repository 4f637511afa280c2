"""Settings from the environment, shared by the web service, Lambda and the CLI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

MAX_BODY_BYTES = 128 * 1024
_PATHS = {"db_path", "audio_dir", "trust_roots_file", "cert_chain_dir"}


def _path(value: str | None) -> Path | None:
    return Path(value) if value and value.strip() else None


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _flag(value: str | None, default: bool) -> bool:
    """A yes/no setting; an unrecognised word is an error, so a typo cannot turn a check off."""
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ValueError(f"{value!r} is not a yes/no value (use one of {sorted(_TRUE | _FALSE)})")
    return word in _TRUE


@dataclass(frozen=True)
class Settings:
    """Everything an operator can configure; see the README's configuration table."""

    verify: bool = True
    skill_id: str | None = None
    storage: str = "sqlite"  # "sqlite", "dynamodb" or "memory"
    db_path: Path = Path("var/cramp-coach.db")
    table_name: str | None = None
    dynamodb_endpoint: str | None = None
    aws_region: str = "us-east-1"
    audio_dir: Path = Path("var/audio")
    audio_base_url: str | None = None
    audio_bucket: str | None = None  # Lambda: rendered audio is mirrored to this S3 bucket
    tts_backend: str = "espeak"
    log_level: str = "INFO"
    # Request verification: PEM roots to trust instead of certifi's, and a directory of Amazon chain
    # files consulted before downloading (skill/web/trust.py explains why neither weakens a check).
    trust_roots_file: Path | None = None
    cert_chain_dir: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if env is None else env
        table = env.get("TABLE_NAME") or None
        settings = cls(
            # CRAMP_COACH_VERIFY=0 is the development flag; the server logs loudly when it is off.
            verify=_flag(env.get("CRAMP_COACH_VERIFY"), True),
            skill_id=env.get("SKILL_ID") or None,
            storage=env.get("CRAMP_COACH_STORAGE") or ("dynamodb" if table else "sqlite"),
            db_path=Path(env.get("CRAMP_COACH_DB", "var/cramp-coach.db")),
            table_name=table,
            dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            audio_dir=Path(env.get("CRAMP_COACH_AUDIO_DIR", "var/audio")),
            audio_base_url=env.get("AUDIO_BASE_URL") or None,
            audio_bucket=env.get("AUDIO_BUCKET") or None,
            tts_backend=env.get("CRAMP_COACH_TTS", "espeak"),
            log_level=env.get("LOG_LEVEL", "INFO"),
            trust_roots_file=_path(env.get("CRAMP_COACH_TRUST_ROOTS")),
            cert_chain_dir=_path(env.get("CRAMP_COACH_CERT_CHAIN_DIR")),
        )
        return settings.with_overrides(overrides)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        values: dict[str, Any] = {
            k: Path(v) if k in _PATHS and v is not None else v for k, v in overrides.items()
        }
        return replace(self, **values)
