"""One database session per request, handed to the services inside a UnitOfWork."""

from __future__ import annotations

from flask import current_app, g

from manifest.uow import UnitOfWork


def session():
    if "db_session" not in g:
        g.db_session = current_app.extensions["hwm"]["sessions"]()
    return g.db_session


def uow() -> UnitOfWork:
    return UnitOfWork(session())


def close_session(_exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
