"""Running the cells of the authorisation matrix: the world, the requests, the checks."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from manifest.infra.db import make_engine, make_session_factory
from manifest.infra.migrate import upgrade
from manifest.infra.uow import UnitOfWork
from manifest.models import Finding, Manifest

from .calls import CALLS, MISSING_ID, MISSING_NUMBER, Objects
from .expectations import KNOWN_HOLES, TABLE, hidden
from .matrix_world import IDENTITIES, MatrixWorld

# PostgreSQL runs the cells whose answers depend on SQL (which rows a caller may see) for one
# reader and one writer role of each party; the printed copy, whose access is the query of
# GET /manifests/{ref} around a slow renderer, runs on SQLite only.
POSTGRES_IDENTITIES = frozenset(IDENTITIES) - {
    f"{p}:{r}" for p in ("gen", "car", "rec") for r in ("member", "driver")
}
SQLITE_ONLY = {"GET /api/v1/manifests/{ref}.pdf"}


def cells(backend: str) -> list:
    """Every cell of the table run on ``backend``, the known holes marked strict xfail."""
    found = []
    for op, rule in TABLE.items():
        if backend == "postgres" and op in SQLITE_ONLY:
            continue
        for identity in IDENTITIES:
            if backend == "postgres" and identity not in POSTGRES_IDENTITIES:
                continue
            for side in rule.sides:
                hole = KNOWN_HOLES.get((op, identity, side))
                found.append(
                    pytest.param(
                        op,
                        identity,
                        side,
                        id=f"{op}|{identity}|{side}",
                        marks=[pytest.mark.xfail(strict=True, reason=hole)] if hole else [],
                    )
                )
    return found


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


def open_matrix(url: str) -> Matrix:
    """Migrate the empty database at ``url`` and build the matrix world in it."""
    upgrade(url)
    return Matrix(url)


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


def check_cell(matrix: Matrix, op: str, identity: str, side: str) -> None:
    """Send the cell's request and assert the declared answer, that a refusal changed nothing
    and that a hidden object is answered exactly as a missing one."""
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
    if rule.private and (hidden(identity, side) or identity == "anonymous" or expected == 404):
        # The object is hidden: the answer must be the one for an object that does not exist.
        real = target.manifest.number if op == "POST /api/v1/receipts" else None
        if real is None:
            real = str(target.finding.id if target.finding is not None else target.ref)
        nothing = matrix.send(op, identity, CALLS[op](matrix.world, identity, target, True))
        assert nothing.status_code == response.status_code
        assert _comparable(response, None) == _comparable(nothing, real), (
            f"{op} as {identity} tells a hidden object from a missing one"
        )
