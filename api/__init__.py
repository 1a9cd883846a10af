"""The HTTP layer: the Flask app factory and everything that speaks HTTP."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask, request

from manifest.config import Settings, local_secret_key
from manifest.errors import DomainError
from manifest.infra.db import make_engine, make_session_factory
from manifest.infra.resources import resource_dir
from manifest.passwords import dummy_hash

from .docs import SWAGGER_UI


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` overrides settings, e.g. ``{"DATABASE_URL": ...}``."""
    app = Flask(__name__, template_folder=str(resource_dir("templates")))
    # Tests pass their own Settings (low sign-in thresholds, say) as HWM_SETTINGS.
    settings = (config or {}).get("HWM_SETTINGS") or Settings.from_environ()
    if config and config.get("DATABASE_URL"):
        settings = replace(settings, database_url=config["DATABASE_URL"])
    app.config.update(
        DATABASE_URL=settings.database_url,
        SECRET_KEY=settings.secret_key or local_secret_key(),
        HWM_REGION=settings.region,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        IDEMPOTENCY_KEY_HOURS=settings.idempotency_key_hours,
        API_TITLE="hwm 危险废物转移电子联单 / hazardous-waste transfer manifests",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
        **SWAGGER_UI,
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        HWM_TILE_URL=settings.tile_url,
    )
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    register_extensions(app, settings)
    # Made now, so the first sign-in with an unknown e-mail costs no more than any other.
    dummy_hash()
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client address (the sign-in limit counts per address) is the one the trusted
        # proxies saw, not the proxy's own.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    register_blueprints(app)
    register_errorhandlers(app)
    register_pages(app)
    register_commands(app)
    wrap_wsgi(app)
    return app


def wrap_wsgi(app: Flask) -> None:
    """The layers every request passes before the app: its log line and id, the security
    headers, and the body size limit (enforced while reading, before any other work)."""
    from .body_limit import BodyLimit
    from .request_log import RequestLog
    from .security_headers import SecurityHeaders
    from .server_banner import drop_werkzeug_banner

    drop_werkzeug_banner()  # in case the app runs under `flask run`
    from .docs import SWAGGER_UI_PATH
    from .pages import is_page_path

    def scripted(path: str) -> bool:
        # Swagger UI runs the vendored scripts, under the pages' policy.
        return is_page_path(path) or path == SWAGGER_UI_PATH

    page_policy = SecurityHeaders.page_policy(app.config.get("HWM_TILE_URL", ""))
    app.wsgi_app = RequestLog(
        SecurityHeaders(
            BodyLimit(app.wsgi_app, app), is_page_path=scripted, page_policy=page_policy
        )
    )


def register_pages(app: Flask) -> None:
    """The web workspace beside the API (after the API's error handlers, which it wraps)."""
    from .pages import register_pages as register

    register(app)


def register_extensions(app: Flask, settings: Settings) -> None:
    from .db import close_session

    url = app.config["DATABASE_URL"]
    pool = (
        {}
        if url.startswith("sqlite")
        else {"pool_size": app.config.get("DATABASE_POOL_SIZE", 10), "max_overflow": 20}
    )
    engine = make_engine(url, **pool)
    app.extensions["hwm"] = {
        "engine": engine,
        "sessions": make_session_factory(engine, settings),
        "settings": settings,
    }
    app.teardown_appcontext(close_session)


def register_blueprints(app: Flask) -> None:
    from . import docs
    from .auth import load_actor, require_actor
    from .errors import HwmApi
    from .guards import RowIdConverter, check_body
    from .health import PROBES
    from .health import blp as health_blp
    from .idempotency import commit_keyed_request, open_keyed_request
    from .openapi_errors import ErrorResponsesPlugin
    from .resources import (
        auth,
        findings,
        ledger,
        manifest_print,
        manifests,
        organizations,
        receipts,
        reports,
        terminals,
        tolerances,
        tracks,
        waste_codes,
    )

    app.url_map.converters["int"] = RowIdConverter
    api = HwmApi(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
            "extra_plugins": [ErrorResponsesPlugin()],
        },
    )
    for module in (
        auth,
        organizations,
        waste_codes,
        manifest_print,
        tracks,
        terminals,
        manifests,
        ledger,
        findings,
        receipts,
        reports,
        tolerances,
    ):
        api.register_blueprint(module.blp)
    api.register_blueprint(health_blp)
    app.extensions["hwm"]["api"] = api
    app.register_blueprint(docs.bp)

    from .pages import is_page_path

    @app.before_request
    def _guards():
        # Pages have their own guards (session, CSRF); a bearer token means nothing there.
        if request.endpoint in PROBES or is_page_path(request.path):
            return None
        load_actor()
        require_actor()
        response = check_body()
        if response is not None:
            return response
        return open_keyed_request()

    # after_request hooks registered later run before this one, so the answer it stores is final.
    app.after_request(commit_keyed_request)


def register_errorhandlers(app: Flask) -> None:
    from .errors import handle_domain_error, handle_pdf_font_missing, handle_unexpected
    from .pdf import PdfFontMissing

    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(PdfFontMissing, handle_pdf_font_missing)
    app.register_error_handler(Exception, handle_unexpected)


def register_commands(app: Flask) -> None:
    from .cli import hwm

    for name, command in hwm.commands.items():
        app.cli.add_command(command, name)
