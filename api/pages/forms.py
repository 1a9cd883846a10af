"""What every page form and list shares: refusals from the services put next to the fields
they concern, and pagination."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from wtforms import Form
from wtforms.fields import Field

from manifest.errors import DomainError

from ..errors import field_errors

PER_PAGE = 25

#: How a refusal names a field, mapped to a form field's name (``lines.0.quantity`` is
#: ``lines-0-quantity`` in a WTForms FieldList without any map).
FieldMap = Mapping[str, str] | Callable[[str], str | None]


def apply_domain_error(form: Form, error: DomainError, field_map: FieldMap | None = None) -> None:
    """Put the refusal ``error`` on ``form``: each field-level message (from ``error.errors``,
    and from the entries of ``error.details`` that name a ``field`` or a ``check``) on the
    form field it names, everything else in ``form.form_errors``. The view then renders the
    form again, with what was typed, and answers 422."""
    placed = False
    unplaced: list[str] = []
    for path, messages in field_errors(error.errors).items():
        field = _field(form, path, field_map)
        if field is None:
            unplaced.extend(f"{path}: {m}" for m in messages)
            continue
        field.errors = [*_errors_of(field), *messages]
        placed = True
    for detail in error.details if isinstance(error.details, list) else []:
        if not isinstance(detail, Mapping):
            continue
        message = str(detail.get("message") or detail)
        name = detail.get("field") or detail.get("check")
        field = _field(form, str(name), field_map) if name else None
        if field is None:
            unplaced.append(message)
            continue
        field.errors = [*_errors_of(field), message]
        placed = True
    if not placed and not unplaced:
        unplaced.append(error.message)
    form.form_errors = [*getattr(form, "form_errors", []), *unplaced]


def _errors_of(field: Field) -> list:
    # Before validation WTForms leaves ``errors`` a tuple; afterwards a list or a dict.
    return list(field.errors) if isinstance(field.errors, list | tuple) else []


def _field(form: Form, path: str, field_map: FieldMap | None) -> Field | None:
    name = None
    if callable(field_map):
        name = field_map(path)
    elif field_map is not None:
        name = field_map.get(path)
    name = name or path.replace(".", "-")
    return _fields_by_name(form).get(name)


def _fields_by_name(form) -> dict[str, Field]:
    """Every field of ``form`` by its full name, inside FieldLists and FormFields too."""
    out: dict[str, Field] = {}
    stack = list(form)
    while stack:
        field = stack.pop()
        out[field.name] = field
        if hasattr(field, "entries"):  # FieldList
            stack.extend(field.entries)
        elif hasattr(field, "form"):  # FormField
            stack.extend(field.form)
    return out


@dataclass(frozen=True)
class Page:
    """One page of a list: its ``items``, its number (from 1), how many pages and items."""

    items: Sequence
    page: int
    pages: int
    total: int
    per_page: int = PER_PAGE

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw) -> int:
    """A page number from a query string: ASCII digits, at least 1; anything else is 1."""
    text = str(raw or "")
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return 1
    return max(1, int(text))


def paginate(query_or_list, page, per_page: int = PER_PAGE, *, session=None) -> Page:
    """Page ``page`` (a number or the query-string text; out of range means the nearest page)
    of a list, or of a SQLAlchemy ``Select`` run on ``session`` (one count, one page query)."""
    number = page_number(page)
    if isinstance(query_or_list, Select):
        if session is None:
            raise TypeError("paginate needs the session to run a Select")
        total = session.scalar(select(func.count()).select_from(query_or_list.subquery())) or 0
    else:
        total = len(query_or_list)
    pages = max(1, math.ceil(total / per_page))
    number = min(number, pages)
    start = (number - 1) * per_page
    if isinstance(query_or_list, Select):
        items = list(session.scalars(query_or_list.offset(start).limit(per_page)))
    else:
        items = list(query_or_list[start : start + per_page])
    return Page(items=items, page=number, pages=pages, total=total, per_page=per_page)
