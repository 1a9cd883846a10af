"""One module per resource, each with its blueprint and schemas."""

from __future__ import annotations

from flask_smorest import Blueprint

#: Where every operation of the API lives; the version is part of each path.
API_PREFIX = "/api/v1"


def api_blueprint(name: str, path: str, description: str) -> Blueprint:
    """The blueprint of one resource module: its operations under ``API_PREFIX + path``,
    grouped in the OpenAPI document under the tag ``name`` with ``description``."""
    return Blueprint(name, __name__, url_prefix=API_PREFIX + path, description=description)
