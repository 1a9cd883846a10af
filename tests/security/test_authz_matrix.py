"""The authorisation matrix: every operation of the API x every identity x own / other
organisation / other region, each cell's answer declared in ``expectations.TABLE``.

The operations come from the app's URL map and its OpenAPI document, which must agree; an
operation without a row (or a row without an operation) fails. Each cell sends a real, valid
request through HTTP against real rows; a refusal changes nothing, and what is hidden from a
caller is answered exactly as if it did not exist.
"""

from __future__ import annotations

import re

import pytest

from .calls import CALLS
from .expectations import KNOWN_HOLES, TABLE, UNDOCUMENTED
from .matrix_cells import cells, check_cell, open_matrix
from .matrix_world import IDENTITIES

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def routed_operations(app) -> set[str]:
    """Every routed operation but the web pages' (bearer tokens mean nothing there; their
    access is tested with the pages, in tests/web)."""
    from api.pages import is_page_path

    return {
        f"{method} {_openapi_path(rule.rule)}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods
        if method in METHODS and not is_page_path(rule.rule)
    }


def documented_operations(app) -> set[str]:
    spec = app.extensions["hwm"]["api"].spec.to_dict()
    return {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method.upper() in METHODS
    }


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    from api import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('routes') / 'routes.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    yield app
    app.extensions["hwm"]["engine"].dispose()


def test_every_route_is_documented_and_every_documented_operation_routed(bare_app):
    routed, documented = routed_operations(bare_app), documented_operations(bare_app)
    undocumented = sorted(routed - documented - set(UNDOCUMENTED))
    assert not undocumented, f"routed but not in the OpenAPI document: {undocumented}"
    unrouted = sorted(documented - routed)
    assert not unrouted, f"in the OpenAPI document but not routed: {unrouted}"
    gone = sorted(set(UNDOCUMENTED) - routed)
    assert not gone, f"listed as deliberately undocumented but not routed: {gone}"


def test_every_operation_has_exactly_one_row_and_a_request(bare_app):
    operations = documented_operations(bare_app)
    missing = sorted(operations - set(TABLE))
    assert not missing, f"operations without a row in expectations.TABLE: {missing}"
    stale = sorted(set(TABLE) - operations)
    assert not stale, f"rows in expectations.TABLE for operations that do not exist: {stale}"
    assert set(CALLS) == set(TABLE), "every row needs its request in calls.CALLS"


def test_known_holes_are_cells_of_the_table():
    for op, identity, side in KNOWN_HOLES:
        assert op in TABLE and identity in IDENTITIES and side in TABLE[op].sides


@pytest.fixture(scope="module")
def sqlite_matrix(tmp_path_factory):
    matrix = open_matrix(f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'matrix.sqlite3'}")
    yield matrix
    matrix.close()


@pytest.mark.parametrize("op, identity, side", cells("sqlite"))
def test_cell(sqlite_matrix, op, identity, side):
    check_cell(sqlite_matrix, op, identity, side)
