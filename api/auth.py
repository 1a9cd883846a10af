"""Bearer tokens: who is calling, and which operations may be called without one."""

from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint, abort

from manifest.actor import Actor
from manifest.errors import PasswordChangeRequired
from manifest.services import tokens

from .db import uow
from .request_log import USER_ID_KEY


def load_actor() -> None:
    """Resolve the ``Authorization: Bearer`` header once per request, if present."""
    g.actor = None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        g.actor = tokens.actor_for_token(uow(), token.strip())
    if g.actor is not None:
        request.environ[USER_ID_KEY] = g.actor.user_id


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


def before_own_password(view):
    """Mark an API operation a user whose password an administrator chose may call before
    choosing their own: changing it, or signing out. Every other operation refuses them."""
    view.before_own_password = True
    return view


def public(view):
    """Mark an API operation that answers without a bearer token (signing in). Every other
    operation of the API's blueprints needs one, and is documented so."""
    view = Blueprint.doc(security=[])(view)
    view.public = True
    return view


def require_actor() -> None:
    """Answer 401 for an API operation that needs a token when the request has no valid one,
    before its arguments are read: a stranger learns nothing of what a body should hold."""
    if request.blueprint not in current_app.extensions["hwm"]["api"].protected_blueprints:
        return
    if request.method == "OPTIONS":  # Flask's own answer: the methods, public in the document
        return
    view = current_app.view_functions[request.endpoint]
    if getattr(view, "public", False):
        return
    actor = current_actor()
    if actor.must_change_password and not getattr(view, "before_own_password", False):
        raise PasswordChangeRequired(
            "choose your own password first (POST /api/v1/auth/password): "
            "the one your administrator set must be changed"
        )
