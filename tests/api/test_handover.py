"""Changing carriers through HTTP: only the next transporter named on the manifest takes a
load over, and to everyone else every manifest is as absent as one that does not exist."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from manifest.models import Licence
from manifest.services import registry
from tests.builders import advance, create_manifest, name_next, now, org, user
from tests.gps import synth

from .http import API, ago, get, hazardous, patch, post

MISSING_ID, MISSING_NUMBER = "99999999", "20264407999999"


def carrier(world, name: str, region: str, plate: str):
    """Another licensed transporter with a vehicle and a driver: a plausible taker."""
    party = org(world.uow, name, ["transporter"], region=region)
    user(world.uow, party, "admin")
    user(world.uow, party, "driver")
    registry.add_licence(
        world.uow,
        actor=None,
        organization_id=party.id,
        kind="dg_transport",
        number=f"粤交运管危字{region}{party.id:03d}",
        valid_from=date.today() - timedelta(days=365),
        valid_to=date.today() + timedelta(days=365),
        waste_codes=[],
        annual_capacity_t={},
        operations=[],
    )
    registry.add_vehicle(
        world.uow, actor=None, organization_id=party.id, plate=plate, max_load_t="20"
    )
    return party


def takeover(plate: str, at: str | None = None) -> dict:
    return {
        "vehicle_plate": plate,
        "driver": "赵师傅",
        "at": at or ago(minutes=1),
        "lines": [{"line_no": 1, "quantity": "6"}, {"line_no": 2, "quantity": "1500"}],
    }


def answer(r, ref) -> tuple[int, str]:
    """Status and body, with the reference the caller sent replaced by a placeholder: the
    only part of a refusal that may differ between two references is the echo of it."""
    body = json.dumps(r.get_json(), sort_keys=True, ensure_ascii=False)
    return r.status_code, body.replace(f"manifest {ref} ", "manifest <ref> ")


@pytest.fixture
def road(client, world):
    """Manifests in every status, one on the road with a route, a track and a relay named."""
    relay = carrier(world, "江门市鹤山顺达危货运输有限公司", "440784", "粤J66666")
    draft = create_manifest(world)
    r = client.put(
        f"{API}/manifests/{draft.id}/route?corridor_m=500",
        data=synth.route_geojson(),
        headers=world.plating.auth(),
        content_type="application/geo+json",
    )
    assert r.status_code == 200, r.get_json()
    moving = advance(world, draft, "in_transit")
    trip = synth.drive(start=moving.picked_up_at + timedelta(minutes=1))
    r = client.post(
        f"{API}/manifests/{moving.id}/tracks",
        data=trip.to_gpx(),
        headers=world.carrier.auth("driver"),
        content_type="application/gpx+xml",
    )
    assert r.status_code == 201, r.get_json()
    named_other = advance(world, create_manifest(world), "in_transit")
    name_next(world, named_other, relay)
    cancelled = advance(world, create_manifest(world), "issued")
    r = post(
        client,
        f"/manifests/{cancelled.id}/cancel",
        world.plating,
        {"reason": "停产", "at": ago(minutes=1)},
    )
    assert r.status_code == 200, r.get_json()
    return {
        "track": trip,
        "track_id": client.get(
            f"{API}/manifests/{moving.id}/tracks", headers=world.carrier.auth()
        ).get_json()[0]["id"],
        "relay": relay,
        "manifests": {
            "draft": create_manifest(world),
            "issued": advance(world, create_manifest(world), "issued"),
            "in_transit": moving,
            "in_transit_naming_another": named_other,
            "delivered": advance(world, create_manifest(world), "delivered"),
            "completed": advance(world, create_manifest(world), "completed"),
            "cancelled": cancelled,
        },
    }


def test_a_stranger_transporter_meets_the_same_404_for_every_manifest(client, world, road):
    """Any transporter not named, of this region or another, learns nothing by trying to take
    a load over: every id and number, of every status, answers as one that does not exist,
    with a vehicle that is not its own and with a valid one of its own."""
    local = carrier(world, "江门市新会安达危险品运输有限公司", "440705", "粤J77777")
    user(world.uow, world.carrier2, "driver")
    strangers = [(local, "粤J77777"), (world.carrier2, "粤E54321")]
    manifests = road["manifests"]
    refs = [str(m.id) for m in manifests.values()] + [
        m.number for m in manifests.values() if m.number
    ]
    for stranger, own_plate in strangers:
        for plate in ("粤Z99999", own_plate):
            for role in ("admin", "driver"):
                expected = {
                    missing: answer(
                        post(
                            client, f"/manifests/{missing}/handoff", stranger, takeover(plate), role
                        ),
                        missing,
                    )
                    for missing in (MISSING_ID, MISSING_NUMBER)
                }
                assert expected[MISSING_ID][0] == 404
                assert expected[MISSING_ID] == expected[MISSING_NUMBER]
                for ref in refs:
                    r = post(client, f"/manifests/{ref}/handoff", stranger, takeover(plate), role)
                    assert answer(r, ref) == expected[MISSING_ID], (stranger.org.name, ref, plate)
    # Nothing changed hands.
    moving = get(client, f"/manifests/{manifests['in_transit'].id}", world.carrier).get_json()
    assert moving["transporter"]["id"] == world.carrier.id
    assert [leg["transporter_id"] for leg in moving["legs"]] == [world.carrier.id]


def test_a_stranger_reads_and_writes_nothing(client, world, road):
    local = carrier(world, "江门市新会安达危险品运输有限公司", "440705", "粤J77777")
    track_id = road["track_id"]
    gpx = road["track"].to_gpx()

    def attempts(ref, party):
        yield get(client, f"/manifests/{ref}", party)
        yield get(client, f"/manifests/{ref}/events", party)
        yield get(client, f"/manifests/{ref}/verify", party)
        yield get(client, f"/manifests/{ref}/route", party)
        yield get(client, f"/manifests/{ref}/tracks", party)
        yield get(client, f"/manifests/{ref}/tracks/{track_id}", party)
        yield get(client, f"/manifests/{ref}/tracks/{track_id}.geojson", party)
        yield client.get(f"{API}/manifests/{ref}.pdf", headers=party.auth())
        yield client.put(
            f"{API}/manifests/{ref}/route",
            data=synth.route_geojson(),
            headers=party.auth(),
            content_type="application/geo+json",
        )
        yield client.post(
            f"{API}/manifests/{ref}/tracks",
            data=gpx,
            headers=party.auth(),
            content_type="application/gpx+xml",
        )
        yield post(
            client,
            f"/manifests/{ref}/next-transporter",
            party,
            {"transporter_id": party.id, "at": ago(minutes=1)},
        )

    for stranger in (local, world.carrier2):
        expected = [answer(r, MISSING_ID) for r in attempts(MISSING_ID, stranger)]
        assert {status for status, _ in expected} == {404}
        for m in road["manifests"].values():
            got = [answer(r, m.id) for r in attempts(m.id, stranger)]
            assert got == expected, (stranger.org.name, m.status)
        listed = get(client, "/manifests", stranger)
        assert listed.status_code == 200 and listed.get_json() == []


def test_the_carrier_names_the_next_transporter_and_only_it_takes_over(client, world, road):
    m = road["manifests"]["in_transit"]
    relay = road["relay"]
    taker = takeover("粤E54321")

    # Before anyone is named, the would-be next carrier is a stranger.
    assert get(client, f"/manifests/{m.id}", world.carrier2).status_code == 404

    # Only the current carrier's office names the next one: not a driver, the generator or
    # the receiver; and only a registered transporter other than itself.
    named = {"transporter_id": world.carrier2.id, "at": ago(minutes=30)}
    path = f"/manifests/{m.id}/next-transporter"
    assert post(client, path, world.carrier, named, role="driver").status_code == 403
    assert post(client, path, world.plating, named).status_code == 403
    assert post(client, path, world.centre, named).status_code == 403
    for bad in (world.carrier.id, world.plating.id, 99999999):
        r = post(client, path, world.carrier, {**named, "transporter_id": bad})
        assert r.status_code == 422 and "transporter_id" in r.get_json()["errors"], bad
    r = post(client, path, world.carrier, named)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["next_transporter"]["id"] == world.carrier2.id
    assert r.get_json()["transporter"]["id"] == world.carrier.id

    # Named, it may read the manifest to plan, but not the custody chain, the route, the
    # print or the first carrier's GPS tracks, and it may not replace the route.
    seen = get(client, f"/manifests/{m.id}", world.carrier2)
    assert (
        seen.status_code == 200 and seen.get_json()["next_transporter"]["id"] == world.carrier2.id
    )
    assert [x["id"] for x in get(client, "/manifests", world.carrier2).get_json()] == [m.id]
    for closed in ("events", "verify", "route", "tracks", f"tracks/{road['track_id']}"):
        assert get(client, f"/manifests/{m.id}/{closed}", world.carrier2).status_code == 404
    assert (
        client.get(f"{API}/manifests/{m.id}.pdf", headers=world.carrier2.auth()).status_code == 404
    )
    r = client.put(
        f"{API}/manifests/{m.id}/route",
        data=synth.route_geojson(),
        headers=world.carrier2.auth(),
        content_type="application/geo+json",
    )
    assert r.status_code == 404

    # The first carrier changes its mind: the relay is named instead, and carrier2 is a
    # stranger again.
    r = post(client, path, world.carrier, {"transporter_id": relay.id, "at": ago(minutes=20)})
    assert r.status_code == 200 and r.get_json()["next_transporter"]["id"] == relay.id
    assert get(client, f"/manifests/{m.id}", world.carrier2).status_code == 404
    assert post(client, f"/manifests/{m.id}/handoff", world.carrier2, taker).status_code == 404
    # The current carrier cannot take over its own load.
    r = post(client, f"/manifests/{m.id}/handoff", world.carrier, takeover("粤J12345"))
    assert r.status_code == 403

    r = post(client, f"/manifests/{m.id}/handoff", relay, takeover("粤J66666"), role="driver")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["transporter"]["id"] == relay.id and body["next_transporter"] is None
    assert [leg["transporter_id"] for leg in body["legs"]] == [world.carrier.id, relay.id]

    # Having taken over, the relay reads the chain and the earlier track.
    chain = get(client, f"/manifests/{m.id}/events", relay).get_json()
    actions = [e["action"] for e in chain]
    assert actions[-3:] == ["name_next", "name_next", "handoff"]
    assert chain[-2]["payload"] == {"transporter_id": relay.id, "replaces": world.carrier2.id}
    assert get(client, f"/manifests/{m.id}/tracks", relay).status_code == 200
    verdict = get(client, f"/manifests/{m.id}/verify", world.regulator).get_json()
    assert verdict["valid"] is True and verdict["length"] == len(chain)

    # The naming was consumed: handing over again needs a new one, from the new carrier.
    again = takeover("粤J12345")
    assert post(client, f"/manifests/{m.id}/handoff", world.carrier, again).status_code == 403
    r = post(
        client, path, world.carrier, {"transporter_id": world.carrier2.id, "at": ago(minutes=1)}
    )
    assert r.status_code == 403  # the first carrier no longer carries it
    r = post(client, path, relay, {"transporter_id": world.carrier.id, "at": ago(minutes=1)})
    assert r.status_code == 200, r.get_json()
    back = takeover("粤J12345")  # signed now, after the new naming
    r = post(client, f"/manifests/{m.id}/handoff", world.carrier, back, role="driver")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["transporter"]["id"] == world.carrier.id


def test_the_named_carrier_is_checked_as_at_issue_and_nothing_changes_on_refusal(
    client, world, road
):
    m = road["manifests"]["in_transit"]
    name_next(world, m, world.carrier2, now() - timedelta(minutes=30))
    path = f"/manifests/{m.id}/handoff"
    before = get(client, f"/manifests/{m.id}/events", world.carrier).get_json()

    def checks(r):
        assert r.status_code == 422, r.get_json()
        assert r.get_json()["code"] == "handover_checks_failed"
        assert r.get_json()["message"] == "交接检查未通过（承运许可或车辆），货物未交接"
        return [d["check"] for d in r.get_json()["details"]]

    assert checks(post(client, path, world.carrier2, takeover("粤J12345"))) == ["vehicle_owner"]
    assert checks(post(client, path, world.carrier2, takeover("粤Z99999"))) == [
        "vehicle_registered"
    ]
    heavy = {
        **takeover("粤E54321"),
        "lines": [{"line_no": 1, "quantity": "25"}, {"line_no": 2, "quantity": "1500"}],
    }
    assert checks(post(client, path, world.carrier2, heavy)) == ["vehicle_load"]
    world.uow.session.execute(
        update(Licence)
        .where(Licence.organization_id == world.carrier2.id)
        .values(status="suspended")
    )
    world.uow.session.commit()
    assert checks(post(client, path, world.carrier2, takeover("粤E54321"))) == [
        "transporter_permit_active"
    ]
    # A given transporter_id must be the signer's own.
    r = post(
        client, path, world.carrier2, {**takeover("粤E54321"), "transporter_id": world.carrier.id}
    )
    assert r.status_code == 403

    after = get(client, f"/manifests/{m.id}", world.carrier).get_json()
    assert after["transporter"]["id"] == world.carrier.id
    assert after["next_transporter"]["id"] == world.carrier2.id
    assert get(client, f"/manifests/{m.id}/events", world.carrier).get_json() == before
    assert (
        world.uow.session.scalar(
            select(Licence.status).where(Licence.organization_id == world.carrier2.id)
        )
        == "suspended"
    )


def test_the_generator_names_the_next_transporter_in_the_draft(client, world):
    body = hazardous(world, next_transporter_id=world.carrier2.id)
    r = post(client, "/manifests", world.plating, body)
    assert r.status_code == 201, r.get_json()
    draft = r.get_json()
    assert draft["next_transporter"]["id"] == world.carrier2.id
    # The named carrier may read the draft to plan, but not take a load not yet on the road.
    assert get(client, f"/manifests/{draft['id']}", world.carrier2).status_code == 200
    r = post(client, f"/manifests/{draft['id']}/handoff", world.carrier2, takeover("粤E54321"))
    assert r.status_code == 409 and r.get_json()["code"] == "invalid_transition"

    for bad in (world.carrier.id, world.centre.id, 99999999):
        r = patch(client, f"/manifests/{draft['id']}", world.plating, {"next_transporter_id": bad})
        assert r.status_code == 422 and "next_transporter_id" in r.get_json()["errors"], bad
    r = patch(client, f"/manifests/{draft['id']}", world.plating, {"next_transporter_id": None})
    assert r.status_code == 200 and r.get_json()["next_transporter"] is None
    assert get(client, f"/manifests/{draft['id']}", world.carrier2).status_code == 404
    r = patch(
        client,
        f"/manifests/{draft['id']}",
        world.plating,
        {"next_transporter_id": world.carrier2.id},
    )
    assert r.status_code == 200 and r.get_json()["next_transporter"]["id"] == world.carrier2.id

    from manifest.models import Manifest

    moving = advance(world, world.uow.session.get(Manifest, draft["id"]), "in_transit")
    r = post(client, f"/manifests/{moving.id}/handoff", world.carrier2, takeover("粤E54321"))
    assert r.status_code == 200, r.get_json()
    verdict = get(client, f"/manifests/{moving.id}/verify", world.regulator).get_json()
    assert verdict["valid"] is True


def test_naming_is_open_only_from_issue_until_delivery(client, world, road):
    for status in ("draft", "delivered", "completed", "cancelled"):
        m = road["manifests"][status]
        r = post(
            client,
            f"/manifests/{m.id}/next-transporter",
            world.carrier,
            {"transporter_id": world.carrier2.id, "at": ago(minutes=1)},
        )
        assert r.status_code == 409 and r.get_json()["code"] == "invalid_transition", status
    issued = road["manifests"]["issued"]
    r = post(
        client,
        f"/manifests/{issued.id}/next-transporter",
        world.carrier,
        {"transporter_id": world.carrier2.id, "at": ago(minutes=1)},
    )
    assert r.status_code == 200 and r.get_json()["next_transporter"]["id"] == world.carrier2.id
    # Withdrawn with null: the named carrier loses sight of it.
    r = post(
        client,
        f"/manifests/{issued.id}/next-transporter",
        world.carrier,
        {"transporter_id": None, "at": ago(minutes=1)},
    )
    assert r.status_code == 200 and r.get_json()["next_transporter"] is None
    assert get(client, f"/manifests/{issued.id}", world.carrier2).status_code == 404
