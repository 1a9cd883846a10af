"""What every page form and list shares: refusals from the services put next to the fields
they concern, and pagination."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask import abort, flash, make_response, redirect
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from wtforms import Form
from wtforms.fields import Field

from manifest.errors import Conflict, DomainError, ValidationFailed
from manifest.paging import page_count

from ..db import uow
from ..errors import field_errors, status_of
from .refusals import refusal, say

PER_PAGE = 25
T = TypeVar("T")

#: How a refusal names a field, mapped to a form field's full name, for the names that are
#: not the form's own (a check such as ``vehicle_load`` shown at ``vehicle_plate``).
FieldMap = Mapping[str, str] | Callable[[str], str | None]


def apply_domain_error(form: Form, error: DomainError, field_map: FieldMap | None = None) -> None:
    """Put the refusal ``error`` on ``form``, in the page's language: each field-level
    message (from ``error.errors``, and from the entries of ``error.details`` that name a
    ``field`` or a ``check``) on the form field it names, everything else in
    ``form.form_errors``. A line's field (``lines.N.quantity``, N counting from 0) is the
    subfield of the N-th entry of the form's ``lines`` list; a whole line (``lines.N``) is
    shown at its entry's first field; a line's message that finds no field goes to the form
    with the line's number. The view then renders the form again, with what was typed, and
    answers 422."""
    placed = False
    unplaced: list[str] = []
    for path, messages in field_errors(error.errors).items():
        field, line = _target(form, path, field_map)
        texts = [say(m) for m in messages]
        if field is None:
            unplaced.extend(_on_form(path, line, text) for text in texts)
            continue
        field.errors = [*_errors_of(field), *texts]
        placed = True
    for detail in error.details if isinstance(error.details, list) else []:
        if not isinstance(detail, Mapping):
            continue
        text = say(detail.get("message") or detail)
        name = detail.get("field") or detail.get("check")
        field = _target(form, str(name), field_map)[0] if name else None
        if field is None:
            line = detail.get("line") if isinstance(detail.get("line"), int) else None
            unplaced.append(_on_form("", line, text))
            continue
        field.errors = [*_errors_of(field), text]
        placed = True
    if not placed and not unplaced:
        unplaced.append(refusal(error))
    form.form_errors = [*getattr(form, "form_errors", []), *unplaced]


class UniqueForm(FlaskForm):
    """A form one of whose values must be unique: ``UNIQUE`` names its field and what is said
    when the value is taken (None: the service's refusal)."""

    UNIQUE: tuple[str, str | None]


def change_or_show_again(
    form: UniqueForm, change: Callable[[], T], show_again: Callable[[int], object]
) -> T:
    """What ``change()`` (a service call with what ``form`` holds) returns, once the form is
    valid and the service accepts it. Otherwise the page answers at once (Flask's abort with
    the response ``show_again(status)``, the form keeping what was typed): 422 for a form that
    does not validate; for the service's ValidationFailed each message at its field; for its
    Conflict (the unique value is taken) the form's message for it at its field."""
    if not form.validate_on_submit():
        abort(make_response(show_again(422)))
    try:
        return change()
    except (ValidationFailed, Conflict) as exc:
        if isinstance(exc, Conflict):
            name, taken = form.UNIQUE
            form[name].errors = [str(taken) if taken else refusal(exc)]
        else:
            apply_domain_error(form, exc)
        abort(make_response(show_again(status_of(exc))))


def on_own_organisation(actor, service, **values):
    """``service`` run in a unit of work by ``actor`` on its own organisation, with
    ``values``."""
    return service(uow(), actor=actor, organization_id=actor.organization_id, **values)


def change_and_go_back(
    form: FlaskForm,
    change: Callable[[], T],
    *,
    back: str,
    done: Callable[[T], str],
    invalid: str | None = None,
    refusals: tuple[type[DomainError], ...] = (),
):
    """A change asked for by a button or a small form of a list page: apply ``change()``,
    then go back to the list ``back`` (303) saying what happened: ``done(result)``; for a
    form that does not validate, ``invalid`` (without it, the 400 page: only a forged form
    fails); for a refusal among ``refusals``, the refusal. Any other error goes to its
    error page."""
    if not form.validate_on_submit():
        if invalid is None:
            abort(400)
        flash(invalid, "error")
        return redirect(back, code=303)
    try:
        result = change()
    except refusals as exc:
        flash(refusal(exc), "error")
        return redirect(back, code=303)
    flash(done(result), "info")
    return redirect(back, code=303)


def _on_form(path: str, line: int | None, text: str) -> str:
    """A message no field shows, as the form's list says it: with its line's number, or
    with the field it names when the form has no such field."""
    if line is not None:
        return _("Line %(line)s: %(message)s", line=line, message=text)
    if not path or path in ("lines", "body", "_schema"):
        return text
    return f"{say(path, 'field')}: {text}"


def _errors_of(field: Field) -> list:
    # Before validation WTForms leaves ``errors`` a tuple; afterwards a list or a dict.
    return list(field.errors) if isinstance(field.errors, list | tuple) else []


def _target(form: Form, path: str, field_map: FieldMap | None) -> tuple[Field | None, int | None]:
    """The field ``path`` names on ``form`` (or None), and the number (from 1) of the line
    it is about, if any."""
    name = field_map(path) if callable(field_map) else (field_map or {}).get(path)
    if name:
        return _fields_by_name(form).get(name), None
    head, _dot, rest = path.partition(".")
    index, _dot, sub = rest.partition(".")
    entries = getattr(getattr(form, head, None), "entries", None)
    if entries is not None and index.isascii() and index.isdigit():
        number = int(index)
        if number >= len(entries):
            return None, number + 1
        subform = getattr(entries[number], "form", None)
        fields = [f for f in subform or () if f.type not in ("HiddenField", "CSRFTokenField")]
        if not sub:  # the whole line
            return (fields[0] if fields else None), number + 1
        return next((f for f in fields if f.short_name == sub), None), number + 1
    field = _fields_by_name(form).get(path.replace(".", "-"))
    # The list as a whole (``lines``) has no place of its own: the form's list shows it.
    return (None if hasattr(field, "entries") else field), None


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
    pages = page_count(total, per_page)
    number = min(number, pages)
    start = (number - 1) * per_page
    if isinstance(query_or_list, Select):
        items = list(session.scalars(query_or_list.offset(start).limit(per_page)))
    else:
        items = list(query_or_list[start : start + per_page])
    return Page(items=items, page=number, pages=pages, total=total, per_page=per_page)
