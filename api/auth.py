"""Bearer tokens: who is calling."""

from __future__ import annotations

from flask import g, request
from flask_smorest import abort

from manifest.actor import Actor
from manifest.services import tokens

from .db import uow


def load_actor() -> None:
    """Resolve the ``Authorization: Bearer`` header once per request, if present."""
    g.actor = None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        g.actor = tokens.actor_for_token(uow(), token.strip())


def current_actor() -> Actor:
    """The signed-in actor; answers 401 when there is none."""
    actor = g.get("actor")
    if actor is None:
        abort(
            401,
            message="a valid bearer token is required",
            headers={"WWW-Authenticate": 'Bearer realm="hwm"'},
        )
    return actor
