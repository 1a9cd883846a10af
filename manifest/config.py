"""Settings read from the environment, with the defaults a newcomer needs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """``HWM_DATABASE_URL``, else a SQLite file under ``var/`` of the project."""
    url = os.environ.get("HWM_DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # psycopg 3 is the driver we ship; accept the plain libpq form too.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    var = PROJECT_ROOT / "var"
    var.mkdir(exist_ok=True)
    return f"sqlite:///{var / 'hwm.sqlite3'}"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value


@dataclass
class Settings:
    database_url: str = field(default_factory=database_url)
    secret_key: str = field(default_factory=lambda: os.environ.get("HWM_SECRET_KEY", ""))
    region: str = field(default_factory=lambda: os.environ.get("HWM_REGION", "440700"))
    #: Largest request body accepted, in bytes (GPX logs are the largest bodies).
    max_body_bytes: int = 50 * 1024 * 1024
    transit_limit_days: int = field(default_factory=lambda: _int("HWM_TRANSIT_LIMIT_DAYS", 3))
    finding_due_days: int = field(default_factory=lambda: _int("HWM_FINDING_DUE_DAYS", 15))
    decision_workdays: int = field(default_factory=lambda: _int("HWM_DECISION_WORKDAYS", 5))
    holidays: str = field(default_factory=lambda: os.environ.get("HWM_HOLIDAYS", ""))
    #: How long an Idempotency-Key's answer is kept for retries; older keys are free again.
    idempotency_key_hours: int = field(
        default_factory=lambda: _int("HWM_IDEMPOTENCY_KEY_HOURS", 24)
    )
