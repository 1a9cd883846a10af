"""Signing in and out, one's own tokens, and the sign-in audit log."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from marshmallow import fields, validate

from manifest.models.signins import SIGNIN_OUTCOMES
from manifest.services import signin, signin_log, tokens

from ..auth import before_own_password, current_actor, public
from ..db import session, uow
from ..openapi_errors import ErrorOut
from ..pagination import query_page
from ..schemas import PageArgs
from . import api_blueprint

blp = api_blueprint("auth", "/auth", "Sign in, tokens, sign-in log")


def _password() -> fields.String:
    """A password as typed (what a new one must be like is the service's rule)."""
    return fields.String(required=True, validate=validate.Length(1, 1024))


class Credentials(ma.Schema):
    email = fields.String(required=True, validate=validate.Length(1, signin.EMAIL_MAX))
    password = _password()


class PasswordChange(ma.Schema):
    current_password = _password()
    new_password = _password()


class IssuedTokenOut(ma.Schema):
    id = fields.Integer()
    token = fields.String(metadata={"description": "the secret; shown only in this answer"})
    expires_at = fields.DateTime()
    must_change_password = fields.Boolean(
        metadata={
            "description": "true: the password was set by an administrator; until it is "
            "changed (POST /auth/password) every other call but signing out answers "
            "403 password_change_required"
        }
    )


class TokenOut(ma.Schema):
    id = fields.Integer()
    prefix = fields.String(metadata={"description": "the first characters, to tell tokens apart"})
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(
        allow_none=True, metadata={"description": "recorded to the minute"}
    )
    expires_at = fields.DateTime()


class SigninQuery(PageArgs):
    email = fields.String(validate=validate.Length(1, signin.EMAIL_MAX))
    outcome = fields.String(validate=validate.OneOf(SIGNIN_OUTCOMES))


class SigninOut(ma.Schema):
    id = fields.Integer()
    attempted_at = fields.DateTime()
    email = fields.String()
    user_id = fields.Integer(allow_none=True)
    address = fields.String(metadata={"description": "the client's IP address"})
    outcome = fields.String(metadata={"description": " | ".join(SIGNIN_OUTCOMES)})


LOCKED = {
    "schema": ErrorOut,
    "description": "too many failed sign-ins for this e-mail or from this address: "
    "code too_many_attempts, wait the seconds in Retry-After",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
}


@blp.route("/token", methods=["POST"])
@public
@blp.arguments(Credentials)
@blp.response(201, IssuedTokenOut)
@blp.alt_response(429, **LOCKED)
def create_token(args):
    """Exchange an e-mail and password for a bearer token (shown once) and its expiry."""
    return signin.sign_in(
        uow(),
        email=args["email"],
        password=args["password"],
        address=request.remote_addr or "",
        settings=current_app.extensions["hwm"]["settings"],
    )


@blp.route("/password", methods=["POST"])
@before_own_password
@blp.arguments(PasswordChange)
@blp.response(204)
@blp.alt_response(429, **LOCKED)
def change_password(args):
    """Change your password (the current one is confirmed as at sign-in); every other token
    of yours stops working. Required first when an administrator set the password."""
    signin.change_password(
        uow(),
        actor=current_actor(),
        current_password=args["current_password"],
        new_password=args["new_password"],
        address=request.remote_addr or "",
        settings=current_app.extensions["hwm"]["settings"],
        keep_token=request.headers["Authorization"].partition(" ")[2].strip(),
    )


@blp.route("/token", methods=["DELETE"])
@before_own_password
@blp.response(204)
def revoke_token():
    """Sign out: revoke the bearer token this request carries."""
    current_actor()
    token = request.headers["Authorization"].partition(" ")[2].strip()
    tokens.revoke_token(uow(), token=token)


@blp.route("/tokens", methods=["GET"])
@blp.response(200, TokenOut(many=True))
def list_tokens():
    """Your tokens that still work, newest first (never their secrets)."""
    return tokens.list_tokens(session(), actor=current_actor())


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
def revoke_own_token(token_id):
    """Revoke one of your tokens."""
    tokens.revoke_own_token(uow(), actor=current_actor(), token_id=token_id)


@blp.route("/signins", methods=["GET"])
@blp.arguments(SigninQuery, location="query")
@blp.response(200, SigninOut(many=True))
def list_signins(args):
    """The sign-in log, newest first: your organisation's members (administrators), or your
    region's organisations and your bureau (regulators)."""
    stmt = signin_log.attempts_query(
        actor=current_actor(), email=args.get("email"), outcome=args.get("outcome")
    )
    return query_page(args, session(), stmt)
