"""Fixtures for the web pages: a signed-in test client, and a real browser (Playwright
driving Debian's chromium) against the real app served on a free port, over SQLite and over
PostgreSQL."""

from __future__ import annotations

import os
import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.builders import PASSWORD
from tests.conftest import missing
from tests.http.live import werkzeug_server

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("HWM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 740}

_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page, read as a browser would send it."""
    found = _CSRF_INPUT.search(html)
    assert found, "the page has no form with a CSRF token"
    return _VALUE.search(found.group(0)).group(1)


def without_csrf(html: str) -> str:
    """The page with its CSRF tokens blanked: a token carries the second it was made, so two
    answers of the same page differ only there when a second ticked between them."""
    return _CSRF_INPUT.sub('<input name="csrf_token">', html)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    """Submit the sign-in form like a browser (token read from the form); the answer."""
    token = csrf_token(client.get("/web/signin").get_data(as_text=True))
    data = {"csrf_token": token, "email": email, "password": password, **extra}
    return client.post("/web/signin", data=data)


def email_of(party, role: str = "admin") -> str:
    return party.users[role][0].email


@pytest.fixture
def client_for(app):
    """``client_for(party, role="admin")``: a test client signed in as that user, CSRF on."""

    def make(party, role: str = "admin"):
        client = app.test_client()
        answer = sign_in(client, email_of(party, role))
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
        return client

    return make


@dataclass
class LiveServer:
    url: str
    app: object
    backend: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


def _bodies_read_and_closed(wsgi_app):
    """``wsgi_app`` answering with its body already read and its response closed.

    werkzeug's development server closes a response only after draining the request, and a
    browser that resets the connection then (a tab closed while a style sheet was sent) makes
    the drain raise first: the served file is never closed. The browser tests' server reads
    each (small) body at once so that no file outlives its request."""

    def app(environ, start_response):
        iterable = wsgi_app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return app


@pytest.fixture
def live_server(db_url, make_app):
    """The real app on the test database, served by werkzeug's threaded server."""
    app = make_app()
    app.config["TESTING"] = False  # errors render their pages, as in production
    backend = "postgres" if db_url.startswith("postgresql") else "sqlite"
    with werkzeug_server(_bodies_read_and_closed(app)) as port:
        yield LiveServer(f"http://127.0.0.1:{port}", app, backend)


@pytest.fixture(scope="session")
def browser():
    """One chromium per test worker, driven by Playwright (never a downloaded browser)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        missing("playwright (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        missing(f"chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as driver:
        try:
            launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as exc:
            missing(f"chromium cannot start: {exc}")
        yield launched
        launched.close()


@contextmanager
def guarded_tab(browser, live_server):
    """A fresh browser context (its own cookies) on the live server and its tab, with the
    list of problems seen: any JavaScript console error or uncaught exception, any script,
    style sheet or image that fails to load, any request to another host (which is
    refused). A page answering 404 or 422 is no error in itself: refusals are pages too."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    problems: list[str] = []

    def guard(route):
        url = route.request.url
        if urlsplit(url).netloc == live_server.host or url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request to another host: {url}")
            route.abort()

    def console(message):
        # Chromium reports every answer >= 400 as a console error, documents included;
        # failed resources are caught below, by their answers.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    def answered(response):
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} for {response.url}")

    context.route("**/*", guard)
    tab = context.new_page()
    tab.on("console", console)
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("response", answered)

    def failed(request):
        # A load cut short because the page moved on (ERR_ABORTED) is no failure.
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"failed: {request.url} {request.failure}")

    tab.on("requestfailed", failed)
    tab.live_server = live_server
    try:
        yield tab, problems
    finally:
        context.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context on the live server (see :func:`guarded_tab`); the test fails
    on any problem the tab saw."""
    with guarded_tab(browser, live_server) as (tab, problems):
        yield tab
    assert not problems, problems


@pytest.fixture
def new_page(browser, live_server):
    """``new_page()``: another guarded tab in a browser context of its own, for a test
    where several people each use their own browser; the test fails on any problem any of
    them saw."""
    seen: list[list[str]] = []
    with ExitStack() as stack:

        def make():
            tab, problems = stack.enter_context(guarded_tab(browser, live_server))
            seen.append(problems)
            return tab

        yield make
    assert not [p for problems in seen for p in problems], seen


def signed_in(page, party_or_email, role: str = "admin", password: str = PASSWORD):
    """Sign ``page`` in through the sign-in form (a party's user of ``role``, or an e-mail)."""
    email = party_or_email if isinstance(party_or_email, str) else email_of(party_or_email, role)
    page.goto("/web/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/web/(\?.*)?$"))
    return page


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG of ``page`` as a test artefact, named after ``name`` and the
    database the live server runs on."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    backend = getattr(getattr(page, "live_server", None), "backend", "")
    path = SCREENSHOTS / f"{name}{'-' + backend if backend else ''}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
