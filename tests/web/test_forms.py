"""The shared form helpers: refusals placed on the fields they name, and pagination."""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FieldList, FormField, StringField
from wtforms import Form as PlainForm

from api.pages.forms import apply_domain_error, paginate
from manifest.errors import ChecksFailed, ValidationFailed
from manifest.models import Organization
from manifest.texts import Text


class LineForm(PlainForm):
    quantity = StringField()


class DraftForm(FlaskForm):
    receiver_id = StringField()
    lines = FieldList(FormField(LineForm), min_entries=2)


def test_a_refusal_lands_on_the_fields_it_names_and_the_rest_on_the_form(app):
    with app.test_request_context(method="POST", data={"receiver_id": "7"}):
        form = DraftForm(meta={"csrf": False})
        error = ValidationFailed(
            "bad", errors={"lines": {1: {"quantity": ["must be positive"]}}, "notes": ["too long"]}
        )
        apply_domain_error(form, error)
        assert form.lines.entries[1].form.quantity.errors == ["must be positive"]
        assert form.form_errors == ["notes: too long"]
        assert form.receiver_id.data == "7"  # what was typed stays


def test_a_line_refused_whole_or_by_an_unknown_field_is_shown_with_its_line(app):
    with app.test_request_context(method="POST"):
        form = DraftForm(meta={"csrf": False})
        error = ValidationFailed(
            "bad",
            errors={
                "lines.0": ["accepted and rejected must add up"],
                "lines.1.line_no": ["given twice"],
                "lines.5.quantity": ["no such entry"],
                "lines": ["every line needs a figure"],
            },
        )
        apply_domain_error(form, error)
        assert form.lines.entries[0].form.quantity.errors == ["accepted and rejected must add up"]
        assert form.form_errors == [
            "第 2 行：given twice",
            "第 6 行：no such entry",
            "every line needs a figure",
        ]


def test_failed_checks_are_put_on_the_fields_a_map_names(app):
    with app.test_request_context(method="POST"):
        form = DraftForm(meta={"csrf": False})
        error = ChecksFailed(
            "checks failed",
            details=[
                {"check": "receiver_licence", "message": "no licence for HW17"},
                {"check": "capacity", "message": "over the licensed capacity"},
                {"check": "line_mass_known", "message": "needs a density", "line": 2},
            ],
        )
        apply_domain_error(form, error, {"receiver_licence": "receiver_id"})
        assert form.receiver_id.errors == ["no licence for HW17"]
        assert form.form_errors == ["over the licensed capacity", "第 2 行：needs a density"]


def test_an_error_naming_no_field_is_shown_on_the_form_in_the_page_language(app):
    with app.test_request_context(method="POST"):
        form = DraftForm(meta={"csrf": False})
        apply_domain_error(form, ValidationFailed(Text("lines_empty")))
        assert form.form_errors == ["联单至少需要一行废物"]
        # An unkeyed refusal: the Chinese headline of its code, with the English detail.
        form = DraftForm(meta={"csrf": False})
        apply_domain_error(form, ValidationFailed("the manifest is not a draft"))
        assert form.form_errors == ["输入内容不符合要求（the manifest is not a draft）"]


def test_pagination_of_lists_and_of_queries(world, uow):
    page = paginate(list(range(60)), "3", per_page=25)
    assert (page.items, page.page, page.pages, page.total) == (list(range(50, 60)), 3, 3, 60)
    assert page.has_prev and not page.has_next
    assert paginate(list(range(60)), "99").page == 3  # beyond the end: the last page
    assert paginate(list(range(60)), "x").page == 1 and paginate([], 1).pages == 1
    query = select(Organization).order_by(Organization.id)
    first = paginate(query, 1, per_page=4, session=uow.session)
    assert first.total == 7 and first.pages == 2 and len(first.items) == 4
    assert (
        paginate(query, 2, per_page=4, session=uow.session).items[-1].name == "佛山市某化工有限公司"
    )
