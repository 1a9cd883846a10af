"""Raising findings in bulk: new keys are written once with their parties, known ones skipped."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from manifest.models import Finding, FindingParty
from manifest.services.finding_sets import NewFinding, raise_findings
from tests.builders import now


def finding(key, parties, **extra):
    return NewFinding(
        key=key,
        type="unmanifested_receipt",
        severity="violation",
        message=f"记录 {key}: 无联单",
        measured={"net_kg": "12000.000", "ticket": key, **extra},
        vehicle_plate="粤J12345",
        parties=parties,
    )


def stored(uow):
    s = uow.session
    s.expire_all()
    rows = {}
    for f in s.scalars(select(Finding).order_by(Finding.key)):
        parties = s.execute(
            select(FindingParty.organization_id, FindingParty.role)
            .where(FindingParty.finding_id == f.id)
            .order_by(FindingParty.organization_id)
        ).all()
        rows[f.key] = (f.message, json.loads(f.measured), [tuple(p) for p in parties])
    return rows


def test_new_keys_are_written_with_their_parties_and_known_keys_skipped(world, uow):
    centre, plating = world.centre.org.id, world.plating.org.id
    first = [
        finding("k1", {centre: "receiver", plating: "generator"}),
        finding("k2", {centre: "receiver"}),
        finding("k1", {plating: "generator"}),  # the same key again: the first one counts
    ]
    with uow:
        assert raise_findings(uow.session, first, now=now()) == 2
        uow.commit()
    again = [
        finding("k2", {plating: "generator"}, late=True),
        finding("k3", {plating: "generator"}),
    ]
    with uow:
        assert raise_findings(uow.session, again, now=now()) == 1
        uow.commit()

    rows = stored(uow)
    assert sorted(rows) == ["k1", "k2", "k3"]
    assert rows["k1"][2] == sorted([(centre, "receiver"), (plating, "generator")])
    assert rows["k2"] == (
        "记录 k2: 无联单",
        {"net_kg": "12000.000", "ticket": "k2"},
        [(centre, "receiver")],
    )
    assert rows["k3"][2] == [(plating, "generator")]


def test_an_unknown_type_writes_nothing(world, uow):
    bad = NewFinding(key="x", type="no_such_type", severity="violation", message="")
    with uow, pytest.raises(ValueError, match="no_such_type"):
        raise_findings(uow.session, [finding("ok", {}), bad], now=now())
    assert stored(uow) == {}
