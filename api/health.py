"""Probes for load balancers and orchestrators, outside the versioned API.

``/healthz`` says the process answers and touches nothing else; ``/readyz`` says the
database answers and carries the schema this code expects. Both are anonymous (a probe has
no token), cheap (no query for ``/healthz``, one for ``/readyz``) and skip every other
request guard, so a probe never waits on the database it is not asking about.
"""

from __future__ import annotations

from functools import cache

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from manifest.infra.migrate import head_revision

from .errors import database_unavailable_response, error_response

blp = Blueprint("health", __name__, url_prefix="", description="Liveness and readiness probes")

#: The endpoints the request guards leave alone (no token lookup, no body checks).
PROBES = frozenset({"health.healthz", "health.readyz"})


class Alive(ma.Schema):
    status = ma.fields.String(metadata={"example": "ok"})


class Ready(ma.Schema):
    status = ma.fields.String(metadata={"example": "ready"})
    revision = ma.fields.String(metadata={"description": "the database's migration revision"})


@blp.route("/healthz", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, Alive)
def healthz():
    """Liveness: the process answers (the database is not consulted)."""
    return {"status": "ok"}


@blp.route("/readyz", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, Ready)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def readyz():
    """Readiness: the database answers and its schema is at the latest migration."""
    try:
        with current_app.extensions["hwm"]["engine"].connect() as conn:
            revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError:
        # Unreachable, or reachable without our schema at all: not ready either way.
        return database_unavailable_response()
    if revision != _head():
        return error_response(
            503,
            "migrations_pending",
            f"the database is at revision {revision}; this code needs {_head()}",
            headers={"Retry-After": "30"},
        )
    return {"status": "ready", "revision": revision}


@cache
def _head() -> str:
    return head_revision()
