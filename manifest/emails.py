"""E-mail addresses as accounts are known by them."""

from __future__ import annotations

import re

#: What an account's e-mail must look like: something, an at sign, a domain with a dot.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normal_email(email: str | None) -> str:
    """``email`` as accounts are stored, looked up and logged: without the blanks around it,
    in lower case; ``""`` for None. Two spellings of one address are one account."""
    return (email or "").strip().lower()
