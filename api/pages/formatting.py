"""Dates, numbers and the catalogue's texts for the page templates, exactly as Flask-Babel
formats them, with the request's locale, time zone and catalogue looked up once per request.

Flask-Babel finds them again on every call, through several context-local lookups each; a
page formats and translates a few hundred times, and those lookups were a fifth of its
rendering. Here each call resolves the request's ``g`` once and checks that Flask-Babel's
locale is still the one the formats were made for, so ``force_locale`` still applies.
Number patterns are parsed once per process (Babel parses them on every call). Nothing is
kept beyond the request but parsed patterns, which depend on nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from babel import dates, numbers
from flask import Flask, g, has_app_context
from flask_babel import get_babel, get_locale, get_timezone, get_translations
from flask_babel.speaklater import LazyString


class _RequestFormats:
    """The request's locale, time zone, catalogue and default date formats."""

    __slots__ = ("locale", "chosen", "tzinfo", "translations", "date_formats")

    def __init__(self, locale, chosen):
        self.locale = locale
        #: Where Flask-Babel keeps the request's locale (``force_locale`` swaps it there).
        self.chosen = chosen
        self.tzinfo = get_timezone()
        self.translations = get_translations()
        self.date_formats = get_babel().instance.date_formats

    def pattern(self, key: str, format: str | None) -> str | None:
        """The date pattern Flask-Babel uses for ``format`` of kind ``key``."""
        if format is None:
            format = self.date_formats[key]
        if format in ("short", "medium", "full", "long"):
            named = self.date_formats[f"{key}.{format}"]
            if named is not None:
                format = named
        return format


def _formats() -> _RequestFormats:
    """The request's formats, made again when its locale changes (``force_locale``)."""
    request_g = g._get_current_object()
    found = getattr(request_g, "_page_formats", None)
    # Flask-Babel keeps the locale it chose, and the one force_locale sets, in this namespace
    # of ``g``; test_formatting pins that a forced locale is still followed.
    if found is not None and getattr(found.chosen, "babel_locale", None) is found.locale:
        return found
    locale = get_locale()
    found = request_g._page_formats = _RequestFormats(locale, request_g._flask_babel)
    return found


def page_language() -> str:
    """``zh`` for a page in Chinese (the default), ``en`` for one in English."""
    locale = _formats().locale if has_app_context() else None
    return "zh" if str(locale or "zh").startswith("zh") else "en"


@lru_cache(maxsize=64)
def _number_pattern(format: str) -> numbers.NumberPattern:
    return numbers.parse_pattern(format)


def format_datetime(value=None, format=None, rebase=True) -> str:
    """As :func:`flask_babel.format_datetime`."""
    f = _formats()
    extra = {"tzinfo": f.tzinfo} if rebase else {}
    return dates.format_datetime(value, f.pattern("datetime", format), locale=f.locale, **extra)


def format_date(value=None, format=None, rebase=True) -> str:
    """As :func:`flask_babel.format_date`."""
    f = _formats()
    if rebase and isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = f.tzinfo.normalize(value.astimezone(f.tzinfo))
    return dates.format_date(value, f.pattern("date", format), locale=f.locale)


def format_decimal(number, format=None) -> str:
    """As :func:`flask_babel.format_decimal`."""
    pattern = None if format is None else _number_pattern(format)
    return numbers.format_decimal(number, format=pattern, locale=_formats().locale)


def format_number(number) -> str:
    """As :func:`flask_babel.format_number`."""
    return numbers.format_decimal(number, locale=_formats().locale)


def gettext(string: str, **variables) -> str:
    """As :func:`flask_babel.gettext`."""
    text = _formats().translations.ugettext(string)
    return text if not variables else text % variables


def _text_when_used(string: str, **variables) -> str:
    # Outside an application (a label read at import, a command) there is no catalogue:
    # the text as written, as Flask-Babel gives it.
    if not has_app_context():
        return string if not variables else string % variables
    return gettext(string, **variables)


def lazy_gettext(string: str, **variables) -> LazyString:
    """As :func:`flask_babel.lazy_gettext`: translated, through :func:`gettext`, each time
    it is used, in the language of the request using it."""
    return LazyString(_text_when_used, string, **variables)


def install(app: Flask) -> None:
    """Give the templates these in place of Flask-Babel's filters and ``_()`` callables (call
    after Flask-Babel's ``init_app``)."""
    app.jinja_env.filters.update(
        datetimeformat=format_datetime,
        dateformat=format_date,
        decimalformat=format_decimal,
        numberformat=format_number,
    )
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _formats().translations.ugettext(s),
        ngettext=lambda s, p, n: _formats().translations.ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _formats().translations.upgettext(c, s),
        npgettext=lambda c, s, p, n: _formats().translations.unpgettext(c, s, p, n),
    )
