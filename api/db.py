"""One database session per request, handed to the services inside a UnitOfWork."""

from __future__ import annotations

from flask import current_app, g

from manifest.infra.uow import UnitOfWork


def session():
    if "db_session" not in g:
        g.db_session = current_app.extensions["hwm"]["sessions"]()
    return g.db_session


def uow() -> UnitOfWork:
    """The request's own unit of work when it has one (a POST with an Idempotency-Key, whose
    writes must be committed together with its stored answer), else a new one."""
    shared = g.get("request_uow")
    return shared if shared is not None else UnitOfWork(session())


def close_session(_exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
