"""The service's settings, with the defaults a newcomer needs, and how they are read from
the environment."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from .signin_policy import LockoutRule


def database_url(environ: Mapping[str, str]) -> str:
    """``HWM_DATABASE_URL`` of ``environ``, else a SQLite file under ``var/`` of the working
    directory (the project's own, for ``make run``)."""
    url = environ.get("HWM_DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # psycopg 3 is the driver we ship; accept the plain libpq form too.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    var = Path("var").resolve()
    var.mkdir(exist_ok=True)
    return f"sqlite:///{var / 'hwm.sqlite3'}"


def _whole_number(environ: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


def _switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0, not {raw!r}")


def local_secret_key() -> str:
    """The key that signs web sessions when ``HWM_SECRET_KEY`` is not set: random, made once
    and kept in ``var/secret_key`` of the working directory (readable by its owner only), so
    that every worker of this installation shares it and no two installations do. A fixed,
    published key would let anyone forge a session."""
    path = Path("var").resolve() / "secret_key"
    path.parent.mkdir(exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it this very moment
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.01)
        raise RuntimeError(f"{path} is empty: delete it or set HWM_SECRET_KEY") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


#: Settings read from whole-number environment variables: field, variable, smallest value.
_WHOLE_NUMBERS = (
    ("transit_limit_days", "HWM_TRANSIT_LIMIT_DAYS", 1),
    ("finding_due_days", "HWM_FINDING_DUE_DAYS", 1),
    ("decision_workdays", "HWM_DECISION_WORKDAYS", 1),
    ("idempotency_key_hours", "HWM_IDEMPOTENCY_KEY_HOURS", 1),
    ("signin_account_failures", "HWM_SIGNIN_ACCOUNT_FAILURES", 1),
    ("signin_address_failures", "HWM_SIGNIN_ADDRESS_FAILURES", 1),
    ("signin_window_minutes", "HWM_SIGNIN_WINDOW_MINUTES", 1),
    ("signin_lockout_minutes", "HWM_SIGNIN_LOCKOUT_MINUTES", 1),
    ("token_lifetime_days", "HWM_TOKEN_LIFETIME_DAYS", 1),
    ("trusted_proxies", "HWM_TRUSTED_PROXIES", 0),
)
#: Settings read from text environment variables: field, variable.
_TEXTS = (
    ("secret_key", "HWM_SECRET_KEY"),
    ("region", "HWM_REGION"),
    ("holidays", "HWM_HOLIDAYS"),
    ("tile_url", "HWM_TILE_URL"),
)
#: Settings read from yes/no environment variables (``1``/``true``/``yes`` or ``0``/...).
_SWITCHES = (("session_cookie_secure", "HWM_SESSION_COOKIE_SECURE"),)


@dataclass(frozen=True)
class Settings:
    """Every setting of the service, with its default. Built once, by the app factory or the
    command line (``Settings.from_environ``), and handed down: no service reads the
    environment."""

    #: Where the data lives; ``None`` until the app factory or the command line fills it in.
    database_url: str | None = None
    secret_key: str = ""
    region: str = "440700"
    #: Largest request body accepted, in bytes (GPX logs are the largest bodies).
    max_body_bytes: int = 50 * 1024 * 1024
    transit_limit_days: int = 3
    finding_due_days: int = 15
    decision_workdays: int = 5
    holidays: str = ""
    #: How long an Idempotency-Key's answer is kept for retries; older keys are free again.
    idempotency_key_hours: int = 24
    #: Failed sign-ins for one e-mail, within the window, that lock it out.
    signin_account_failures: int = 5
    #: Failed sign-ins from one client address, within the window, that lock it out.
    signin_address_failures: int = 20
    signin_window_minutes: int = 15
    #: How long a lockout lasts after the last failure.
    signin_lockout_minutes: int = 15
    #: Lifetime of a token issued by signing in (and by ``hwm tokens create`` by default).
    token_lifetime_days: int = 30
    #: Reverse proxies in front of the service whose X-Forwarded-For is trusted; 0 means the
    #: client address is the peer of the connection.
    trusted_proxies: int = 0
    #: Send the web session cookie over HTTPS only (set when the service is behind TLS).
    session_cookie_secure: bool = False
    #: The map tile layer's URL template (``https://host/{z}/{x}/{y}.png``); empty: no tiles.
    tile_url: str = ""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """The settings named by ``HWM_*`` variables of ``environ`` (the process environment
        by default), then ``overrides``. Raises ValueError naming a malformed variable."""
        environ = os.environ if environ is None else environ
        values: dict = {"database_url": database_url(environ)}
        for name, variable in _TEXTS:
            if environ.get(variable):
                values[name] = environ[variable]
        for name, variable, minimum in _WHOLE_NUMBERS:
            default = cls.__dataclass_fields__[name].default
            values[name] = _whole_number(environ, variable, default, minimum)
        for name, variable in _SWITCHES:
            values[name] = _switch(environ, variable, cls.__dataclass_fields__[name].default)
        values.update(overrides)
        return cls(**values)

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
