"""The authorisation matrix: every operation of the API x every identity x own / other
organisation / other region, each cell's answer declared in ``expectations.TABLE``.

The operations come from the app's URL map and its OpenAPI document, which must agree; an
operation without a row (or a row without an operation) fails. Each cell sends a real, valid
request through HTTP against real rows; a refusal changes nothing, and what is hidden from a
caller is answered exactly as if it did not exist.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from manifest.db import make_engine, make_session_factory
from manifest.migrate import upgrade
from manifest.models import Finding, Manifest
from manifest.uow import UnitOfWork

from .calls import CALLS, MISSING_ID, MISSING_NUMBER, Objects
from .expectations import KNOWN_HOLES, TABLE, UNDOCUMENTED, hidden
from .matrix_world import IDENTITIES, MatrixWorld

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def routed_operations(app) -> set[str]:
    return {
        f"{method} {_openapi_path(rule.rule)}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods
        if method in METHODS
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
    assert routed - documented == set(UNDOCUMENTED), "routed but not in the OpenAPI document"
    assert documented - routed == set(), "documented but not routed"


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


CELLS = [
    pytest.param(
        op,
        identity,
        side,
        id=f"{op}|{identity}|{side}",
        marks=[pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[op, identity, side])]
        if (op, identity, side) in KNOWN_HOLES
        else [],
    )
    for op, rule in TABLE.items()
    for identity in IDENTITIES
    for side in rule.sides
]


class Matrix:
    def __init__(self, url: str):
        from api import create_app

        self.engine = make_engine(url)
        self.session = make_session_factory(self.engine)()
        self.world = MatrixWorld(UnitOfWork(self.session))
        self.objects = Objects(self.world)
        self.app = create_app({"DATABASE_URL": url, "TESTING": True})
        self.client = self.app.test_client()

    def close(self) -> None:
        self.session.close()
        self.app.extensions["hwm"]["engine"].dispose()
        self.engine.dispose()

    def send(self, op: str, identity: str, call):
        method, _, _ = op.partition(" ")
        token = call.token if call.token is not None else self.world.tokens.get(identity)
        headers = {"Authorization": f"Bearer {token}"} if identity != "anonymous" else {}
        kwargs = {"json": call.json} if call.json is not None else {}
        if call.data is not None:
            kwargs = {"data": call.data, "content_type": call.content_type}
        return self.client.open(call.path, method=method, headers=headers, **kwargs)

    def state(self, target) -> tuple:
        """What a refused request must leave as it was."""
        self.session.expire_all()
        rows = []
        if target.manifest is not None:
            m = self.session.get(Manifest, target.manifest.id)
            rows.append((m.status, m.version, m.transporter_id))
        if target.finding is not None:
            f = self.session.get(Finding, target.finding.id)
            rows.append((f.status, f.severity, f.updated_at))
        if target.manifest is not None:
            rows.append(len(self.session.scalars(select(Finding.id)).all()))
        return tuple(rows)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def matrix(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'matrix.sqlite3'}"
    else:
        from tests.conftest import missing
        from tests.support.pgcluster import Cluster

        cluster = request.getfixturevalue("pg_cluster")
        if not isinstance(cluster, Cluster):
            missing(f"PostgreSQL: {cluster}")
        url = cluster.create_database("authz_matrix")
    upgrade(url)
    world = Matrix(url)
    yield world
    world.close()


def _comparable(response, real: str | None) -> object:
    """A response body with the stand-in for a missing object replaced by the real one."""
    text = response.get_data(as_text=True)
    if real is not None:
        text = text.replace(str(MISSING_ID), real).replace(MISSING_NUMBER, real)
    if not response.is_json:
        return text
    body = json.loads(text)
    if isinstance(body, dict):
        body.pop("sha256", None)  # the digest of the upload itself
    return body


@pytest.mark.parametrize("op, identity, side", CELLS)
def test_cell(matrix, op, identity, side):
    rule = TABLE[op]
    expected = rule.expected(identity, side)
    target = matrix.objects.get(rule.target, side, identity)
    before = matrix.state(target)
    response = matrix.send(op, identity, CALLS[op](matrix.world, identity, target, False))
    if response.status_code < 300 and not op.startswith("GET "):
        matrix.objects.spent(rule.target, side)
    body = response.get_data()[:300].decode("utf-8", "replace")
    assert response.status_code == expected, (
        f"{op} as {identity} on {side}: {response.status_code} {body}"
    )
    if expected >= 400:
        assert matrix.state(target) == before, "a refused request changed something"
    if rule.private and (hidden(identity, side) or identity == "anonymous"):
        # The object is hidden: the answer must be the one for an object that does not exist.
        real = target.manifest.number if op == "POST /api/v1/receipts" else None
        if real is None:
            real = str(target.finding.id if target.finding is not None else target.ref)
        nothing = matrix.send(op, identity, CALLS[op](matrix.world, identity, target, True))
        assert nothing.status_code == response.status_code
        assert _comparable(response, None) == _comparable(nothing, real), (
            f"{op} as {identity} tells a hidden object from a missing one"
        )
