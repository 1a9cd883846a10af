"""Settings read from the environment, with the defaults a newcomer needs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from .signin_policy import LockoutRule

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


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


def _env_int(name: str, default: int, minimum: int = 1):
    return field(default_factory=lambda: _int(name, default, minimum))


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
    #: Failed sign-ins for one e-mail, within the window, that lock it out.
    signin_account_failures: int = _env_int("HWM_SIGNIN_ACCOUNT_FAILURES", 5)
    #: Failed sign-ins from one client address, within the window, that lock it out.
    signin_address_failures: int = _env_int("HWM_SIGNIN_ADDRESS_FAILURES", 20)
    signin_window_minutes: int = _env_int("HWM_SIGNIN_WINDOW_MINUTES", 15)
    #: How long a lockout lasts after the last failure.
    signin_lockout_minutes: int = _env_int("HWM_SIGNIN_LOCKOUT_MINUTES", 15)
    #: Lifetime of a token issued by signing in (and by ``hwm tokens create`` by default).
    token_lifetime_days: int = _env_int("HWM_TOKEN_LIFETIME_DAYS", 30)
    #: Reverse proxies in front of the service whose X-Forwarded-For is trusted; 0 means the
    #: client address is the peer of the connection.
    trusted_proxies: int = _env_int("HWM_TRUSTED_PROXIES", 0, minimum=0)

    def signin_rule(self, max_failures: int) -> LockoutRule:
        return LockoutRule(
            max_failures=max_failures,
            window=timedelta(minutes=self.signin_window_minutes),
            lockout=timedelta(minutes=self.signin_lockout_minutes),
        )

    @property
    def account_lockout(self) -> LockoutRule:
        return self.signin_rule(self.signin_account_failures)

    @property
    def address_lockout(self) -> LockoutRule:
        return self.signin_rule(self.signin_address_failures)
