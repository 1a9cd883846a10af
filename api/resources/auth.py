"""Signing in."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint
from marshmallow import fields

from manifest.services import registry

from ..auth import current_actor
from ..db import uow

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign in")


class Credentials(ma.Schema):
    email = fields.String(required=True)
    password = fields.String(required=True)


class TokenOut(ma.Schema):
    token = fields.String()


@blp.route("/token", methods=["POST"])
@blp.arguments(Credentials)
@blp.response(201, TokenOut)
def create_token(args):
    """Exchange an e-mail and password for a bearer token (shown once)."""
    return {"token": registry.issue_token(uow(), email=args["email"], password=args["password"])}


@blp.route("/token", methods=["DELETE"])
@blp.response(204)
def revoke_token():
    """Sign out: revoke the bearer token this request carries."""
    current_actor()
    token = request.headers["Authorization"].partition(" ")[2].strip()
    registry.revoke_token(uow(), token=token)
