"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015): the organisation id.

Layout of the 18 characters:

====== ==================================================================
1      registration department (e.g. ``9`` market regulation)
2      organisation type under that department
3–8    division code of the registering region (6 digits)
9–17   organisation code (GB 11714 body with its own check digit)
18     check character over characters 1–17 (computed here)
====== ==================================================================

Only the alphabet, the digit-only region and the character-18 check are validated. The
GB 11714 check digit inside characters 9–17 and the department/type pairs are deliberately
not checked: legacy and special-purpose codes exist whose inner part does not follow it, and
refusing a genuine registered organisation is worse than accepting one that the registry
itself issued.
"""

from __future__ import annotations

import unicodedata

from .digits import is_ascii_digits
from .errors import ValidationFailed

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def _fail(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def normalise(code: str) -> str:
    """Strip surrounding blanks, fold full-width forms (NFKC) and upper-case."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters.

    Raises ValidationFailed when ``first17`` is not 17 characters of the alphabet.
    """
    if len(first17) != LENGTH - 1:
        raise _fail(f"expected 17 characters, got {len(first17)}", "uscc")
    total = 0
    for position, (ch, weight) in enumerate(zip(first17, WEIGHTS, strict=True), start=1):
        if ch not in _VALUE:
            raise _fail(f"illegal character {ch!r} at position {position}", "uscc")
        total += _VALUE[ch] * weight
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str, *, field: str = "uscc") -> str:
    """Return the normalised code (NFKC, stripped, upper-case) when it is a valid USCC.

    Raises ValidationFailed (``errors={field: [message]}``) naming the first problem: wrong
    length, an illegal character and its 1-based position, a non-digit in the region part,
    or a wrong check character together with the expected one.
    """
    if not isinstance(code, str):
        raise _fail("the credit code must be a string", field)
    value = normalise(code)
    if len(value) != LENGTH:
        raise _fail(f"the credit code must have 18 characters, got {len(value)}", field)
    for position, ch in enumerate(value, start=1):
        if ch not in _VALUE:
            raise _fail(
                f"illegal character {ch!r} at position {position} "
                "(allowed: digits and capital letters except I, O, S, V, Z)",
                field,
            )
    if not is_ascii_digits(value[2:8]):
        raise _fail(f"characters 3-8 must be the 6-digit region code, got {value[2:8]!r}", field)
    expected = check_character(value[:17])
    if value[17] != expected:
        raise _fail(
            f"wrong check character {value[17]!r} at position 18, expected {expected!r}", field
        )
    return value


def is_valid_uscc(code: str) -> bool:
    """True when :func:`validate_uscc` accepts ``code``; never raises."""
    try:
        validate_uscc(code)
    except ValidationFailed:
        return False
    return True


def region_of(code: str) -> str:
    """The 6-digit division code (characters 3–8) of a valid USCC.

    Raises ValidationFailed when ``code`` is not a valid USCC.
    """
    return validate_uscc(code)[2:8]


def make_uscc(region_code: str, body: str, *, department: str = "9", org_type: str = "1") -> str:
    """Build a valid USCC from its parts, for demo data and tests.

    ``region_code`` is 6 digits, ``body`` the 9-character organisation code; the check
    character is appended. Department ``9`` / type ``1`` is an enterprise registered with
    market regulation. Raises ValidationFailed for malformed parts.
    """
    region_code, body = normalise(region_code), normalise(body)
    department, org_type = normalise(department), normalise(org_type)
    if len(region_code) != 6 or not is_ascii_digits(region_code):
        raise _fail(f"region code must be 6 digits, got {region_code!r}", "region_code")
    if len(body) != 9:
        raise _fail(f"organisation code must have 9 characters, got {len(body)}", "body")
    if len(department) != 1 or len(org_type) != 1:
        raise _fail("department and type are one character each", "uscc")
    first17 = department + org_type + region_code + body
    return first17 + check_character(first17)
