"""Error pages: a request for a page gets an HTML page in the pages' style, whatever went
wrong; a request to the API keeps its JSON error body. One handler per kind of error decides
which, so neither side ever answers in the other's form."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from manifest.errors import DomainError
from manifest.infra.db import is_database_unavailable
from manifest.texts import Text

from .formatting import lazy_gettext

log = logging.getLogger(__name__)

#: Status -> (title, explanation) of the page shown.
PAGES = {
    400: (
        lazy_gettext("The request could not be understood"),
        lazy_gettext("Go back, check what was typed and try again."),
    ),
    401: (lazy_gettext("Sign in first"), lazy_gettext("This page needs you to sign in.")),
    403: (
        lazy_gettext("You may not do this"),
        lazy_gettext("Your organisation or your role does not allow this action."),
    ),
    404: (
        lazy_gettext("Page not found"),
        lazy_gettext("There is no such page, or it is not yours to see."),
    ),
    405: (
        lazy_gettext("The request could not be understood"),
        lazy_gettext("This page does not take that kind of request."),
    ),
    409: (
        lazy_gettext("Someone else changed this first"),
        lazy_gettext("Reload the page to see the new state, then try again."),
    ),
    413: (
        lazy_gettext("The file is too large"),
        lazy_gettext("Send a smaller file."),
    ),
    429: (
        lazy_gettext("Too many attempts"),
        lazy_gettext("Wait a few minutes, then try again."),
    ),
    500: (
        lazy_gettext("Something went wrong on our side"),
        lazy_gettext(
            "Nothing was changed. Try again; if it happens again, tell your administrator."
        ),
    ),
    503: (
        lazy_gettext("The service is unavailable for a moment"),
        lazy_gettext("The database cannot be reached; nothing was changed. Try again shortly."),
    ),
}
CSRF_PAGE = (
    lazy_gettext("This form has expired"),
    lazy_gettext(
        "The form was not sent from this site's page, or the page was open too long. "
        "Nothing was changed: go back, reload the page and send the form again."
    ),
)


def error_page(status: int, page: tuple | None = None, reason: str | None = None):
    """The error page for ``status`` as a response (the status page's title and text unless
    ``page`` gives others), saying ``reason`` when given."""
    title, text = page or PAGES.get(status, PAGES[500] if status >= 500 else PAGES[400])
    values = {"status": status, "title": title, "text": text, "reason": reason}
    if status < 500:
        return render_template("pages/errors/error.html", **values), status
    # Looking up the signed-in user may be what failed: render without the user.
    from . import language

    template = current_app.jinja_env.get_template("pages/errors/error.html")
    return template.render(**values, signed_in=None, lang=language()), status


def install(app: Flask, is_page_path) -> None:
    """Wrap the app's error handlers so that page requests get error pages. Call after the
    API's handlers are registered."""
    handlers = app.error_handler_spec[None][None]
    api_http, api_domain, api_other = (
        handlers[HTTPException],
        handlers[DomainError],
        handlers[Exception],
    )

    def http_error(exc: HTTPException):
        if not is_page_path(request.path):
            return api_http(exc)
        if isinstance(exc, CSRFError):
            return error_page(400, CSRF_PAGE)
        if exc.code == 401:
            from .session import login_manager

            return login_manager.unauthorized()
        if (exc.code or 500) >= 500:
            log.exception("internal error on a page", exc_info=exc)
        return error_page(exc.code or 500)

    def domain_error(exc: DomainError):
        if not is_page_path(request.path):
            return api_domain(exc)
        from ..errors import status_of
        from .refusals import say

        # A keyed sentence (such as "member 7 not found") says which thing it was, in the
        # page's language; any other message is the API's English and stays off the page.
        reason = say(exc.message) if isinstance(exc.message, Text) else None
        return error_page(status_of(exc), reason=reason)

    def other_error(exc: Exception):
        if not is_page_path(request.path):
            return api_other(exc)
        if is_database_unavailable(exc):
            log.warning("database unavailable: %s", exc.__class__.__name__)
            return error_page(503)
        log.exception("unhandled error on a page")
        return error_page(500)

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(Exception, other_error)
