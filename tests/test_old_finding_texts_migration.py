"""Migration 0018 gives findings raised before 0015 the key and parameters of their sentence,
so the pages say them in their language; what it cannot read for certain keeps its English."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import select, text

from api import create_app
from api.pages.refusals import say
from manifest.finding_types import FINDING_TYPES
from manifest.infra.db import make_engine, make_session_factory
from manifest.infra.migrate import downgrade, upgrade
from manifest.infra.uow import UnitOfWork
from manifest.models import Finding
from manifest.services import lifecycle, tracks
from manifest.services.deadlines import sweep
from manifest.texts import Text, from_json, to_json
from tests.builders import build_world, now
from tests.gps import synth
from tests.reconcile.helpers import deliver, trip
from tests.reconcile.test_capacity import to_kiln
from tests.reconcile.test_receipts import record, upload
from tests.web.conftest import email_of, sign_in
from tests.web.scenes import trip_story

BEFORE = "0017"
CJK = re.compile(r"[\u4e00-\u9fff]")


def raise_every_type(world):
    """Findings of every type the services raise, through the services themselves.
    Returns the manifest of the trip story (with its rejection and GPS episodes)."""
    story = trip_story(world)  # received short, a partial rejection, the GPS episodes
    t = now() - timedelta(hours=8)
    # Sludge loaded short, wetter and of another form on arrival, with a track that starts
    # away from the works and ends away from the kiln.
    sludge = trip(world, kind="sludge", start=t, to="in_transit", loaded={1: Decimal("18")})
    deliver(
        world, sludge, t + timedelta(hours=1), moisture="86.5", codes={1: {"physical_form": "S"}}
    )
    tracks.upload_track(
        world.uow,
        actor=world.carrier.actor("driver"),
        ref=sludge.id,
        data=synth.drive(start=t + timedelta(minutes=30)).to_gpx(),
    )
    # The kiln's licensed tonnage reached; one of its trips completed without any track.
    for to in ("accepted", "accepted", "completed"):
        trip(world, start=t, to=to, **to_kiln(world, "30"))
    trip(world, start=t, to="issued", **to_kiln(world, "10"))
    # Weighbridge: a load of no manifest with and without a known vehicle, a cancelled
    # manifest, one weighed short and then again under another ticket.
    weighed = trip(world, start=t, to="in_transit")
    cancelled = trip(world, start=t, to="issued")
    lifecycle.cancel_manifest(
        world.uow,
        actor=world.plating.actor(),
        ref=cancelled.id,
        reason="改期",
        at=t + timedelta(minutes=5),
    )
    at = t + timedelta(hours=2)
    upload(
        world,
        world.centre,
        [
            record("W-1", "粤E54321", at, "7490.5"),
            record("W-2", "粤J12345", at, "6000", weighed.number),
            record("W-3", "粤J00001", at, "512"),
            record("W-4", "粤J12345", at, "6000", cancelled.number),
        ],
    )
    upload(world, world.centre, [record("W-5", "粤J12345", at, "6000", weighed.number)])
    # Overdue: a trip still in transit, a delivery without a decision.
    trip(world, start=t, to="delivered")
    sweep(world.uow, now=now() + timedelta(days=30))
    return story


def receipt_text(world, measured: dict) -> Text:
    """The sentence the services give a weighbridge record's finding (PostgreSQL writes
    these in SQL, as English only, so the test says what they are)."""
    owners = {"粤E54321": world.carrier2, "粤J12345": world.carrier}
    owner = owners.get(measured["plate"])
    number = measured["matched_manifest_number"]
    return Text(
        "finding_receipt",
        receiver=world.centre.org.name,
        net=f"{Decimal(measured['net_kg']).normalize():f}",
        plate=measured["plate"],
        carrier=Text("vehicle_of", owner=owner.org.name) if owner else "",
        ticket=measured["ticket"],
        arrived=datetime.fromisoformat(measured["arrived_at"]),
        why={
            "unmanifested": Text("no_manifest_matches"),
            "cancelled": Text("manifest_was_cancelled", number=number),
            "already_received": Text("manifest_already_weighed", number=number),
        }[measured["outcome"]],
    )


def expected_texts(url, world) -> dict[int, str]:
    """Each finding's key and parameters as the services give them today."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, type, message_text, measured FROM findings"))
            expected = {}
            for row in rows:
                said = row.message_text
                if row.type == "unmanifested_receipt":
                    said = to_json(receipt_text(world, json.loads(row.measured)))
                    assert row.message_text == said
                expected[row.id] = said
            return expected
    finally:
        engine.dispose()


def stored(url) -> dict[int, tuple[str, str, str | None]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, type, message, message_text FROM findings"))
            return {row.id: (row.type, row.message, row.message_text) for row in rows}
    finally:
        engine.dispose()


def execute(url, statement: str, rows=None) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), rows or {})
    finally:
        engine.dispose()


def add_unreadable(url, written) -> dict[str, int]:
    """Findings stored as before 0015 whose sentence cannot be told for certain, each a copy
    of a real finding with another type or message. Returns their ids by what is wrong."""
    first = {kind: fid for fid, (kind, _m, _t) in sorted(written.items(), reverse=True)}
    rejection, delivery = written[first["rejection"]][1], written[first["overdue_delivery"]][1]
    assert rejection == "line 1: 0.300 t rejected (含水率过高)"
    cases = {
        "reworded": ("rejection", rejection.replace("rejected", "refused")),
        # The receiver gave a reason, so "no reason given" is not the sentence of that name.
        "reason not the stored one": ("rejection", "line 1: 0.300 t rejected (no reason given)"),
        "another type's sentence": ("rejection", written[first["quantity_discrepancy"]][1]),
        "a time without its offset": ("overdue_delivery", delivery.replace("+00:00", "")),
        "a decimal as it is never written": (
            "moisture_change",
            "moisture 80.00 % declared, +86.50 % on arrival (+6.50 points)",
        ),
        # The receiver's name could end at either " weighed ".
        "two readings": (
            "unmanifested_receipt",
            "A weighed 1 kg from P under ticket T at 2026-11-30T04:10:15+00:00: no manifest of "
            "this receiver matches it weighed 1 kg from P under ticket T at "
            "2026-11-30T04:10:15+00:00: no manifest of this receiver matches it",
        ),
    }
    return {
        what: copy_finding(url, first["rejection"], f"old:{n}", kind, message)
        for n, (what, (kind, message)) in enumerate(cases.items())
    }


def copy_finding(url, source: int, key: str, kind: str, message: str, measured=None) -> int:
    """A finding stored as before 0015 (no ``message_text``): a copy of finding ``source``
    with another key, type, message and (when given) figures. Returns its id."""
    execute(
        url,
        "INSERT INTO findings (key, type, severity, status, manifest_id, message, measured,"
        " due_at, created_at, updated_at) SELECT :key, :type, severity, status, manifest_id,"
        " :message, COALESCE(:measured, measured), due_at, created_at, updated_at"
        " FROM findings WHERE id = :id",
        {"key": key, "type": kind, "message": message, "measured": measured, "id": source},
    )
    [(fid,)] = query(url, f"SELECT id FROM findings WHERE key = '{key}'")
    return fid


def add_old_rejections(url, written) -> dict[int, str]:
    """Rejections of before a rejection needed a reason: none given, and a receiver whose
    reason was the words "no reason given" (the same English, another sentence). Returns the
    key and parameters each must get, by id."""
    source = min(fid for fid, row in written.items() if row[0] == "rejection")
    message = "line 2: 1.5 t rejected (no reason given)"
    expected = {}
    for key, reason in (("old:none", Text("no_reason")), ("old:own-words", "no reason given")):
        measured = {"rejected": "1.5", "unit": "t"}
        if not isinstance(reason, Text):
            measured["reason"] = reason
        said = Text("finding_rejection", line=2, rejected=Decimal("1.5"), unit="t", reason=reason)
        assert said == message
        fid = copy_finding(url, source, key, "rejection", message, json.dumps(measured))
        expected[fid] = to_json(said)
    return expected


def query(url, statement: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(statement)).all()
    finally:
        engine.dispose()


def said_in_chinese(url, ids) -> dict[int, str]:
    """The findings' messages as a Chinese page says them (None where still plain English)."""
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            found = session.scalars(select(Finding).where(Finding.id.in_(ids))).all()
            with app.test_request_context("/web/"), force_locale("zh_Hans_CN"):
                return {
                    f.id: say(f.message) if isinstance(f.message, Text) else None for f in found
                }
    finally:
        engine.dispose()
        app.extensions["hwm"]["engine"].dispose()


def manifest_page(url, world, manifest_id) -> str:
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    try:
        client = app.test_client()
        assert sign_in(client, email_of(world.centre)).status_code == 302
        return client.get(f"/web/manifests/{manifest_id}").get_data(as_text=True)
    finally:
        app.extensions["hwm"]["engine"].dispose()


def test_findings_raised_before_are_said_in_the_page_language(unmigrated_url):
    url = unmigrated_url
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    world = build_world(UnitOfWork(session))
    story = raise_every_type(world)
    session.close()
    engine.dispose()
    expected = expected_texts(url, world)
    written = {
        fid: (kind, message, expected[fid]) for fid, (kind, message, _t) in stored(url).items()
    }
    counts = Counter(kind for kind, _m, _t in written.values())
    assert set(counts) == set(FINDING_TYPES), counts

    # Back to before, and the findings stored as they were before 0015: their English alone.
    downgrade(url, BEFORE)
    execute(url, "UPDATE findings SET message_text = NULL")
    unreadable = add_unreadable(url, written)
    old_rejections = add_old_rejections(url, written)
    english_page = manifest_page(url, world, story.id)
    assert "line 1: 0.300 t rejected (含水率过高)" in english_page

    upgrade(url)
    upgraded = stored(url)
    # Each finding gets exactly the key and parameters the services give it today, whose
    # English is its stored message; the message itself is untouched.
    assert {fid: upgraded[fid] for fid in written} == written
    for _kind, message, message_text in written.values():
        assert from_json(message_text) == message
    assert all(upgraded[fid][2] is None for fid in unreadable.values()), unreadable
    assert {fid: upgraded[fid][2] for fid in old_rejections} == old_rejections

    chinese = said_in_chinese(url, list(upgraded))
    for fid, (_kind, message, _text) in written.items():
        assert len(CJK.findall(chinese[fid])) > len(CJK.findall(message)), (message, chinese[fid])
    assert all(chinese[fid] is None for fid in unreadable.values())
    page = manifest_page(url, world, story.id)
    assert "第 1 行：拒收 0.3 吨（含水率过高）" in page
    assert "rejected (" not in page and "unscheduled stop from" not in page

    # Downgrading keeps what was filled (it is what 0015 defines); upgrading again reads
    # only what is still null, and changes nothing.
    downgrade(url, BEFORE)
    assert stored(url) == upgraded
    upgrade(url)
    assert stored(url) == upgraded


def test_a_table_larger_than_a_batch_is_read_through(unmigrated_url):
    """More findings than two batches hold, the first batch all unreadable: every readable
    one is filled however its batch began."""
    url = unmigrated_url
    upgrade(url, BEFORE)
    readable = Text("finding_track_missing")
    rows = [
        {
            "key": f"m:{n}",
            "type": "track_missing",
            "message": "not the sentence" if n < 2500 or n % 7 == 0 else str(readable),
        }
        for n in range(4500)
    ]
    execute(
        url,
        "INSERT INTO findings (key, type, severity, status, message, measured, due_at,"
        " created_at, updated_at) VALUES (:key, :type, 'warning', 'open', :message, '{}',"
        " '2026-12-01 00:00:00', '2026-11-01 00:00:00', '2026-11-01 00:00:00')",
        rows,
    )
    upgrade(url)
    after = list(stored(url).values())
    filled = [row for row in after if row[2] is not None]
    expected = sum(1 for row in rows if row["message"] == str(readable))
    assert len(filled) == expected > 1000
    assert {row[2] for row in filled} == {'{"key": "finding_track_missing", "params": {}}'}
    assert all(row[2] is None for row in after if row[1] == "not the sentence")
