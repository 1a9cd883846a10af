"""Administrative division codes (GB/T 2260): which regions a regulator covers."""

from __future__ import annotations

import re

from .errors import ValidationFailed

_CODE = re.compile(r"^[1-9]\d{5}$", re.ASCII)


def validate_region_code(code: str, field: str = "region_code") -> str:
    """A 6-digit division code, e.g. 440700 (Jiangmen city) or 440703 (Pengjiang district)."""
    code = (code or "").strip()
    if not _CODE.match(code):
        raise ValidationFailed(
            f"{code!r} is not a 6-digit administrative division code",
            errors={field: ["must be 6 digits, e.g. 440700"]},
        )
    return code


def region_prefix(code: str) -> str:
    """The prefix every code inside ``code`` starts with: a province (xx0000) covers its
    cities and districts, a city (xxxx00) its districts, a district only itself."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def covers(regulator_codes, region_code: str) -> bool:
    """True when any of the regulator's codes contains ``region_code``."""
    return any(region_code.startswith(region_prefix(c)) for c in regulator_codes)
