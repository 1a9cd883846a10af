"""The pages' dates, numbers and texts read the request's language once per request: they
must say exactly what Flask-Babel says, in the language of each request."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import flask_babel
import pytest
from flask import session

from api.pages import formatting

MOMENT = datetime(2026, 11, 29, 16, 5, 9, tzinfo=UTC)  # 00:05 on the 30th in Beijing


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dates_numbers_and_texts_read_as_flask_babel_writes_them(app, lang):
    with app.test_request_context("/web/"):
        session["lang"] = lang
        for pattern in (None, "short", "medium", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"):
            assert formatting.format_datetime(MOMENT, pattern) == flask_babel.format_datetime(
                MOMENT, pattern
            )
        for value in (MOMENT, MOMENT.replace(tzinfo=None), date(2026, 11, 29)):
            for pattern in (None, "long", "yyyy-MM-dd"):
                assert formatting.format_date(value, pattern) == flask_babel.format_date(
                    value, pattern
                )
        for number in (Decimal("12345.678"), Decimal("0.5"), 1500, -2.25):
            assert formatting.format_number(number) == flask_babel.format_number(number)
            for pattern in (None, "#,##0.#", "#,##0.###"):
                assert formatting.format_decimal(number, pattern) == flask_babel.format_decimal(
                    number, pattern
                )
        for text, values in (("Manifests", {}), ("Manifest %(number)s", {"number": "1"})):
            assert formatting.gettext(text, **values) == flask_babel.gettext(text, **values)


def test_each_request_is_formatted_in_its_own_language(app):
    shown = {}
    for lang in ("zh", "en", "zh"):
        with app.test_request_context("/web/"):
            session["lang"] = lang
            shown.setdefault(lang, set()).add(
                (formatting.gettext("Manifests"), formatting.format_datetime(MOMENT, "medium"))
            )
    assert shown["zh"] == {("联单", "2026年11月30日 00:05:09")}, shown
    assert shown["en"] == {("Manifests", "Nov 30, 2026, 12:05:09\u202fAM")}, shown


def test_a_forced_locale_is_followed_within_a_request(app):
    with app.test_request_context("/web/"):
        session["lang"] = "zh"
        assert formatting.gettext("Manifests") == "联单"
        with flask_babel.force_locale("en"):
            assert formatting.gettext("Manifests") == "Manifests"
        assert formatting.gettext("Manifests") == "联单"


def test_a_lazy_text_is_said_in_the_language_of_the_request_using_it(app):
    label = formatting.lazy_gettext("Manifests")
    numbered = formatting.lazy_gettext("Manifest %(number)s", number="JM-1")
    # Made once (as the pages' label tables are, at import), read by each request anew.
    assert str(label) == "Manifests" and str(numbered) == "Manifest JM-1"
    for lang, expected in (("zh", "联单"), ("en", "Manifests")):
        with app.test_request_context("/web/"):
            session["lang"] = lang
            assert str(label) == expected == str(flask_babel.lazy_gettext("Manifests"))
            assert str(numbered) == flask_babel.gettext("Manifest %(number)s", number="JM-1")
            with flask_babel.force_locale("en"):
                assert str(label) == "Manifests"
