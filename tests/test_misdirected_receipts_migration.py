"""Migration 0008 turns the misdirected receipt findings already raised into the uploader's
unmanifested ones, keeping the manifest named for the regulators, and back again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from manifest.infra.db import make_engine, make_session_factory
from manifest.infra.migrate import downgrade, upgrade
from manifest.infra.uow import UnitOfWork
from tests.builders import build_world, now
from tests.reconcile.helpers import trip


def _rows(url, sql: str, **params) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def _misdirected_before_0008(url, world, manifest) -> int:
    """What matching wrote for the kiln's record naming the centre's manifest before 0008;
    returns the finding's id."""
    at = datetime(2026, 11, 1, 8, tzinfo=UTC).replace(tzinfo=None)
    engine = make_engine(url)
    with engine.begin() as conn:
        [rid] = conn.execute(
            text(
                "INSERT INTO weighbridge_receipts (receiver_id, ticket, plate, arrived_at, net_kg,"
                " manifest_number, created_at) VALUES (:kiln, 'K-1', '粤J12345', :at, 7500,"
                " :number, :at) RETURNING id"
            ),
            {"kiln": world.kiln.id, "at": at, "number": manifest.number},
        ).one()
        conn.execute(
            text(
                "INSERT INTO weighbridge_matches (receipt_id, manifest_id, outcome, matched_by,"
                " matched_at) VALUES (:rid, :mid, 'misdirected', 'number', :at)"
            ),
            {"rid": rid, "mid": manifest.id, "at": at},
        )
        measured = {
            "arrived_at": "2026-11-01T08:00:00.000000Z",
            "manifest_number": manifest.number,
            "manifest_status": "in_transit",
            "matched_manifest_number": manifest.number,
            "net_kg": "7500.000",
            "outcome": "misdirected",
            "plate": "粤J12345",
            "receipt_id": rid,
            "ticket": "K-1",
        }
        [fid] = conn.execute(
            text(
                "INSERT INTO findings (key, type, severity, status, manifest_id, vehicle_plate,"
                " message, measured, due_at, created_at, updated_at) VALUES (:key,"
                " 'misdirected_receipt', 'violation', 'open', :mid, '粤J12345', :message,"
                " :measured, :at, :at, :at) RETURNING id"
            ),
            {
                "key": f"receipt:{rid}:misdirected_receipt",
                "mid": manifest.id,
                "message": f"台山 weighed 7500 kg from 粤J12345 under ticket K-1 at "
                f"2026-11-01T08:00:00+00:00: manifest {manifest.number} is addressed to "
                "another receiver",
                "measured": json.dumps(measured, sort_keys=True, separators=(",", ":")),
                "at": at,
            },
        ).one()
        for org_id, role in (
            (world.kiln.id, "receiver"),
            (world.centre.id, "receiver"),
            (world.plating.id, "generator"),
            (world.carrier.id, "transporter"),
        ):
            conn.execute(
                text(
                    "INSERT INTO finding_parties (finding_id, organization_id, role)"
                    " VALUES (:fid, :org, :role)"
                ),
                {"fid": fid, "org": org_id, "role": role},
            )
    engine.dispose()
    return fid


FINDING = "SELECT type, key, manifest_id, message, measured FROM findings WHERE id = :fid"
MATCH = "SELECT outcome, manifest_id, matched_by FROM weighbridge_matches"


def test_misdirected_findings_become_the_uploaders_unmanifested_ones(unmigrated_url):
    url = unmigrated_url
    # The world is built by today's services, so at head, and then taken back to 0007.
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    world = build_world(UnitOfWork(session))
    manifest = trip(world, start=now() - timedelta(hours=6), to="in_transit")
    session.close()
    engine.dispose()
    downgrade(url, "0007")
    fid = _misdirected_before_0008(url, world, manifest)

    upgrade(url)
    [(kind, key, mid, message, raw)] = _rows(url, FINDING, fid=fid)
    rid = json.loads(raw)["receipt_id"]
    assert (kind, key, mid) == ("unmanifested_receipt", f"receipt:{rid}:unmanifested_receipt", None)
    assert message.endswith(":00+00:00: no manifest of this receiver matches it")
    assert manifest.number not in message
    figures = json.loads(raw)
    assert (figures["outcome"], figures["manifest_status"], figures["matched_manifest_number"]) == (
        "unmanifested",
        None,
        None,
    )
    assert figures["manifest_number"] == manifest.number  # what the kiln typed, it knows it
    assert raw == json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    named = "SELECT named_manifest_id FROM findings WHERE id = :fid"
    assert _rows(url, named, fid=fid) == [(manifest.id,)]
    parties = "SELECT organization_id, role FROM finding_parties WHERE finding_id = :fid"
    assert _rows(url, parties, fid=fid) == [(world.kiln.id, "receiver")]
    assert _rows(url, MATCH) == [("unmanifested", None, None)]

    downgrade(url, "0007")
    [(kind, key, mid, _, _)] = _rows(url, FINDING, fid=fid)
    assert (kind, key, mid) == (
        "misdirected_receipt",
        f"receipt:{rid}:misdirected_receipt",
        manifest.id,
    )
    assert _rows(url, MATCH) == [("misdirected", manifest.id, "number")]
    upgrade(url)
    assert _rows(url, named, fid=fid) == [(manifest.id,)]
