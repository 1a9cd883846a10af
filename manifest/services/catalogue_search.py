"""Looking up and loading waste codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import func, or_, select

from ..catalogue_csv import CatalogueEntry, RejectedRow, iter_catalogue_csv
from ..catalogue_data import HW_CATEGORIES
from ..infra.uow import UnitOfWork
from ..models import WasteCode


def _category_rows(q: str | None, lang: str) -> list[dict]:
    rows = []
    for cat, name in HW_CATEGORIES.items():
        if q and q.upper() not in cat and q not in name.zh and q.lower() not in name.en.lower():
            continue
        rows.append(
            {
                "code": cat,
                "category": cat,
                "name": name.en if lang == "en" else name.zh,
                "name_zh": name.zh,
                "name_en": name.en,
                "hazard": [],
                "source": "category",
            }
        )
    return rows


def search(
    session, *, q: str | None = None, page: int, per_page: int, lang: str = "zh"
) -> tuple[list[dict], int]:
    """Categories of the shipped list first, then codes of the loaded official list."""
    categories = _category_rows(q, lang)
    stmt = select(WasteCode)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                WasteCode.code.like(like),
                WasteCode.name_zh.like(like),
                WasteCode.name_en.like(like),
                WasteCode.category == q.upper(),
            )
        )
    loaded_total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    total = len(categories) + loaded_total
    start = (page - 1) * per_page
    out = categories[start : start + per_page]
    if len(out) < per_page:
        offset = max(0, start - len(categories))
        for row in session.scalars(
            stmt.order_by(WasteCode.code).offset(offset).limit(per_page - len(out))
        ):
            out.append(
                {
                    "code": row.code,
                    "category": row.category,
                    "name": row.name_en if lang == "en" and row.name_en else row.name_zh,
                    "name_zh": row.name_zh,
                    "name_en": row.name_en,
                    "hazard": [h for h in row.hazard.split("/") if h],
                    "source": "official",
                }
            )
    return out, total


def import_catalogue(
    uow: UnitOfWork, source, *, progress: Callable[[int], None] | None = None
) -> tuple[int, int, list[RejectedRow]]:
    """Load an official list from CSV: valid rows are inserted or updated, bad rows reported.

    Returns (inserted, updated, rejected). One transaction: an error half-way loads nothing.
    """
    inserted = updated = 0
    rejected: list[RejectedRow] = []
    with uow:
        s = uow.session
        existing = set(s.scalars(select(WasteCode.code)))
        for item in _counting(iter_catalogue_csv(source), progress):
            if isinstance(item, RejectedRow):
                rejected.append(item)
                continue
            entry: CatalogueEntry = item
            values = {
                "category": entry.category,
                "name_zh": entry.name_zh,
                "name_en": entry.name_en,
                "hazard": "/".join(entry.hazards),
            }
            if entry.code in existing:
                row = s.get(WasteCode, entry.code)
                for key, value in values.items():
                    setattr(row, key, value)
                updated += 1
            else:
                s.add(WasteCode(code=entry.code, **values))
                existing.add(entry.code)
                inserted += 1
        uow.commit()
    return inserted, updated, rejected


def _counting(items: Iterable, progress):
    for n, item in enumerate(items, start=1):
        if progress is not None:
            progress(n)
        yield item
