"""Waste codes against the catalogue: the format rules, and the official list once loaded."""

from __future__ import annotations

from sqlalchemy import exists, select

from .. import catalogue
from ..errors import ValidationFailed
from ..models import WasteCode
from ..texts import Text


def _list_loaded(session, kind: str) -> bool:
    """Whether an official list of that kind (hazardous or solid) has been loaded."""
    solid = WasteCode.category.like("S%")
    return bool(session.scalar(select(exists().where(solid if kind == "solid" else ~solid))))


def validate(session, code: str, *, field: str = "waste_code") -> str:
    """The canonical form of a well-formed code, present in the official list of its kind
    when such a list is loaded. Raises ValidationFailed."""
    canonical = catalogue.validate_waste_code(code, field=field)
    require_known(session, canonical, field=field)
    return canonical


def require_known(session, code: str, *, field: str = "waste_code") -> None:
    """Refuse a code missing from a loaded official list (also at issue, for drafts filed
    before the list was loaded)."""
    kind = catalogue.classify_code(code)
    if _list_loaded(session, kind) and session.get(WasteCode, code) is None:
        raise ValidationFailed(
            Text("code_not_listed", code=code),
            errors={field: [Text("code_not_listed_short", code=code)]},
        )
