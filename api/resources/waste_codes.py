"""The waste catalogue."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from manifest.services import catalogue_search

from ..auth import current_actor
from ..db import session
from ..i18n import language
from ..pagination import one_page
from ..schemas import PageArgs
from . import api_blueprint

blp = api_blueprint("waste_codes", "/waste-codes", "The hazardous-waste list and solid-waste codes")


class CodeQuery(PageArgs):
    q = fields.String(validate=validate.Length(1, 100))


class CodeOut(ma.Schema):
    code = fields.String()
    category = fields.String()
    name = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    hazard = fields.List(fields.String())
    source = fields.String(metadata={"description": "official (loaded list) or category"})


@blp.route("", methods=["GET"])
@blp.arguments(CodeQuery, location="query")
@blp.response(200, CodeOut(many=True))
def search_codes(args):
    """Search codes and categories by code or name."""
    current_actor()
    return one_page(args, catalogue_search.search, session(), lang=language())
