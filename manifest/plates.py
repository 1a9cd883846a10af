"""Chinese vehicle plates (GB 36220): one way to write them, one rule to check them."""

from __future__ import annotations

import re
import unicodedata

from .errors import ValidationFailed
from .texts import Text

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
#: Province character, issuing-office letter, then five characters (six on new-energy
#: vehicles), or four and a trailer / Hong Kong / Macau mark.
PLATE_RE = re.compile(rf"^[{PROVINCES}][A-Z](?:[A-Z0-9]{{5,6}}|[A-Z0-9]{{4}}[挂港澳])$")


def normalize_plate(text: str) -> str:
    """Upper-case a plate and drop separators: ``' 粤j·1234５ '`` → ``'粤J12345'``.

    Does not validate; use it wherever plates are compared (vehicles, records)."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s.·•・\-]", "", text).upper()


def is_plate(plate: str) -> bool:
    return bool(PLATE_RE.match(plate))


def validate_plate(text: str, field: str = "plate") -> str:
    """The normalised plate. Raises ValidationFailed when it is not a Chinese plate."""
    plate = normalize_plate(text or "")
    if not is_plate(plate):
        raise ValidationFailed(
            Text("plate_invalid", text=text), errors={field: [Text("not_a_plate")]}
        )
    return plate
