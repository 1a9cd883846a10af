"""Password and token hashing with the standard library only.

Passwords: scrypt (memory-hard), parameters stored with the hash so they can be raised later.
Tokens: random 32 bytes shown once; only their SHA-256 is kept, which is enough for a
high-entropy secret and lets a lookup be a plain indexed equality.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from .texts import Text

_R, _P = 8, 1
#: The shortest password a user may choose.
MIN_PASSWORD = 8
DEFAULT_COST = 2**14
TOKEN_PREFIX = "hwm_"


def scrypt_cost() -> int:
    """scrypt's N for new hashes: ``HWM_SCRYPT_N`` (a power of two, at least 2**10), else
    2**14. Existing hashes keep the cost they were made with."""
    cost = int(os.environ.get("HWM_SCRYPT_N") or DEFAULT_COST)
    if cost < 2**10 or cost & (cost - 1):
        raise ValueError("HWM_SCRYPT_N must be a power of two and at least 1024")
    return cost


def password_problems(password: str) -> list[str]:
    """What makes ``password`` unacceptable as a new password (empty when it is fine)."""
    return (
        []
        if len(password or "") >= MIN_PASSWORD
        else [Text("password_too_short", count=MIN_PASSWORD)]
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    n = scrypt_cost()
    key = hashlib.scrypt(password.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32)
    enc = base64.b64encode
    return f"scrypt${n}${_R}${_P}${enc(salt).decode()}${enc(key).decode()}"


_DUMMY_HASHES: dict[int, str] = {}


def dummy_hash() -> str:
    """The hash of a random password nobody knows, at the cost new hashes get (made once per
    process). Checking a password against it costs what checking a real account's costs, so
    an unknown e-mail cannot be told apart by the time a sign-in takes."""
    cost = scrypt_cost()
    if cost not in _DUMMY_HASHES:
        _DUMMY_HASHES[cost] = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[cost]


def check_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, key = stored.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    expected = base64.b64decode(key)
    got = hashlib.scrypt(
        password.encode(),
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(expected),
    )
    return hmac.compare_digest(got, expected)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
