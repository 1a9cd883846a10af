"""Numbers typed by people and machines: only the ASCII digits 0-9 count as digits.

Python's ``str.isdigit``, ``int()`` and the regular expression ``\\d`` also accept other
scripts' digits (``١``, ``９``) and even superscripts (``²``), which would let ``/manifests/١``
name manifest 1. Every parser of client input asks here instead.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")


def is_ascii_digits(text) -> bool:
    """Whether ``text`` is a non-empty string of the ASCII digits 0-9 and nothing else."""
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None


def parse_ascii_int(text) -> int | None:
    """The whole number ``text`` spells in ASCII digits (an optional leading ``-``), or None
    for anything else: other scripts' digits, blanks, ``_`` separators, signs like ``+``."""
    if not isinstance(text, str):
        return None
    body = text[1:] if text.startswith("-") else text
    # Python refuses to convert more than 4,300 digits; no count of anything here needs them.
    if not is_ascii_digits(body) or len(body) > 4000:
        return None
    return int(text)
