"""The web workspace: server-rendered pages beside the API, signed in with a browser session.

Pages live under ``/web`` (and ``/`` leads there). They never pass the API's bearer-token
guards, and the API never looks at the session cookie: each side authenticates its own way.
Every page POST carries a CSRF token; the language is Chinese unless English is asked for.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote, urlencode

from flask import Flask, current_app, redirect, request, url_for
from flask import session as browser_session
from flask_babel import Babel
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import RequestRedirect

from manifest.local_time import CHINA_ZONE

from . import (
    admin,
    drafting,
    errors,
    formatting,
    home,
    labels,
    live_map,
    manifest_view,
    receiving,
    refusals,
    terminals,
    transport,
)
from . import session as session_pages
from .formatting import lazy_gettext

#: The page groups, one module each, every one exposing a blueprint ``bp``.
PAGE_GROUPS = [
    session_pages,
    home,
    manifest_view,
    live_map,
    admin,
    terminals,
    transport,
    receiving,
    drafting,
]

PAGE_PREFIX = "/web"
#: The interface languages and the catalogue each one reads (msgids are English).
LOCALES = {"zh": "zh_Hans_CN", "en": "en"}
DEFAULT_LANGUAGE = "zh"

csrf = CSRFProtect()
babel = Babel()


def is_page_path(path: str) -> bool:
    """Whether a request path belongs to the web pages (not the API)."""
    return path == "/" or path == PAGE_PREFIX or path.startswith(PAGE_PREFIX + "/")


def _favicon_uri(app: Flask) -> str:
    svg = (Path(app.static_folder) / "favicon.svg").read_text(encoding="utf-8")
    return "data:image/svg+xml," + quote(svg)


def register_pages(app: Flask) -> None:
    """Add the page groups, the session, CSRF, the languages and the error pages to ``app``.
    Call after the API and its error handlers are registered (the page error pages wrap them)."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked for page POSTs only
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LOCALES[DEFAULT_LANGUAGE])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", CHINA_ZONE)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES",
        str(Path(__file__).resolve().parent.parent / "translations"),
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_locale, timezone_selector=lambda: CHINA_ZONE)
    formatting.install(app)
    session_pages.login_manager.init_app(app)
    for group in PAGE_GROUPS:
        app.register_blueprint(group.bp)
    app.add_url_rule("/", "root", _root)
    app.before_request(_page_guard)
    app.url_defaults(_static_version)
    app.after_request(_static_cache)
    app.context_processor(_layout_values)
    app.jinja_env.globals.update(
        # Inline, so a browser that drops its low-priority icon fetch mid-answer (leaving a
        # file open in the server) never asks for it.
        favicon_uri=_favicon_uri(app),
        lang_url=lang_url,
        page_url=page_url,
        nav_links=nav_links,
        # Numbers in the page language (times: the filters ``minute`` and ``day``).
        format_number=formatting.format_number,
        **labels.TEMPLATE_GLOBALS,
        say=refusals.say,
    )
    app.jinja_env.filters.update(labels.TEMPLATE_FILTERS)
    # A service's sentence printed as it is (a finding's message) speaks the page's language.
    app.jinja_env.finalize = refusals.finalize
    errors.install(app, is_page_path)


def language() -> str:
    """``zh`` or ``en``: the language the pages are shown in for this session."""
    wanted = browser_session.get("lang")
    return wanted if wanted in LOCALES else DEFAULT_LANGUAGE


def _locale() -> str:
    if not is_page_path(request.path):
        return LOCALES[DEFAULT_LANGUAGE]
    return LOCALES[language()]


def _root():
    target = "home.home" if current_user.is_authenticated else "session.signin_page"
    return redirect(url_for(target))


def _page_guard():
    """For page requests only: remember ``?lang=``, refuse text no database can store,
    check the CSRF token of every POST (a refusal raises CSRFError, shown as a 400 page), and
    send a user who must still choose their own password to the password form."""
    if not is_page_path(request.path):
        return
    wanted = (request.args.get("lang") or "").lower()
    if wanted in LOCALES:
        browser_session["lang"] = wanted
    from ..guards import unstorable_path

    if unstorable_path(request.args.to_dict(flat=False)) or unstorable_path(
        request.form.to_dict(flat=False)
    ):
        raise BadRequest("the form contains a NUL character or a lone surrogate")
    if request.method == "POST":
        csrf.protect()
    return session_pages.own_password_first()


_versions: dict[str, tuple[float, str]] = {}


def static_version(app: Flask, filename: str) -> str | None:
    """A short hash of a static file's content (None if there is no such file), recomputed
    when the file changes, so a changed file gets a new URL and old copies are never used."""
    path = Path(app.static_folder or "") / filename
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _versions.get(str(path))
    if cached is None or cached[0] != mtime:
        cached = (mtime, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
        _versions[str(path)] = cached
    return cached[1]


def _static_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = static_version(current_app, values["filename"])
        if version:
            values["v"] = version


def _static_cache(response):
    """A static file asked for by its current version may be kept for a year."""
    if request.endpoint == "static" and response.status_code == 200:
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args["v"] == static_version(current_app, filename):
            response.cache_control.public = True
            response.cache_control.max_age = 365 * 24 * 3600
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
    return response


def _layout_values() -> dict:
    if not is_page_path(request.path):
        return {}
    return {
        "lang": language(),
        "signed_in": session_pages.signed_in_user(),
    }


def _with_args(**changes) -> str:
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        args[name] = [str(value)]
    return request.path + "?" + urlencode(args, doseq=True)


def lang_url(code: str) -> str:
    """The current page in language ``code`` (the choice is remembered for the session)."""
    return _with_args(lang=code)


def page_url(number: int, param: str = "page") -> str:
    """The current list at page ``number`` (the query parameter ``param``), with its other
    filters kept."""
    return _with_args(**{param: number})


#: The main navigation: (path, label, which organisation or user roles see it). A link is
#: shown only once a page answers at its path.
NAV = (
    ("/web/manifests", lazy_gettext("Manifests"), {"generator", "transporter", "receiver"}),
    ("/web/trips", lazy_gettext("Trips"), {"transporter"}),
    ("/web/incoming", lazy_gettext("Incoming"), {"receiver"}),
    ("/web/map", lazy_gettext("Vehicles on the road"), {"regulator"}),
    ("/web/admin/members", lazy_gettext("Administration"), {"admin"}),
)


def nav_links() -> list[tuple[str, str]]:
    user = session_pages.signed_in_user()
    if user is None:
        return []
    roles = set(user.actor.org_roles) | {user.actor.role}
    if user.actor.is_regulator:
        roles.add("regulator")
    return [(path, str(label)) for path, label, who in NAV if roles & who and page_exists(path)]


def page_exists(path: str, method: str = "GET") -> bool:
    """Whether a page answers at ``path``: page groups land one by one, and a link to a page
    that is not there yet is left out rather than leading to a 404."""
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method=method)
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True
