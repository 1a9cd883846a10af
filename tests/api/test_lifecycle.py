"""A manifest's whole life through HTTP, as the parties and the regulator see it."""

from __future__ import annotations

from datetime import UTC, datetime

from manifest.local_time import CHINA

from .http import ago, create, events, get, patch, post, sludge

GENESIS = "0" * 64


def test_hazardous_manifest_from_draft_to_completion(client, world):
    draft = create(client, world)
    assert draft["status"] == "draft" and draft["number"] is None
    assert draft["category"] == "HW17"
    assert [ln["declared"] for ln in draft["lines"]] == ["6.000", "1500.000"]
    ref = draft["id"]

    r = patch(client, f"/manifests/{ref}", world.plating, {"receiver_id": world.kiln.id})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["receiver"]["id"] == world.kiln.id
    r = patch(
        client,
        f"/manifests/{ref}",
        world.plating,
        {"notes": "周五上午装车", "receiver_id": world.centre.id},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["notes"] == "周五上午装车"
    assert r.get_json()["receiver"]["name"] == "江门市东江环保技术有限公司"
    assert r.get_json()["lines"][0]["declared"] == "6.000"  # untouched fields keep their value

    r = post(
        client,
        f"/manifests/{ref}/issue",
        world.plating,
        {"at": ago(hours=5), "position": {"lat": 22.58, "lon": 113.08}},
    )
    assert r.status_code == 200, r.get_json()
    issued = r.get_json()
    number = issued["number"]
    year = datetime.now(UTC).astimezone(CHINA).year
    assert issued["status"] == "issued"
    assert len(number) == 14 and number.isdigit()
    assert number == f"{year}4407000001"

    r = post(
        client,
        f"/manifests/{number}/pickup",
        world.carrier,
        {
            "vehicle_plate": "粤J 12345",
            "driver": "李师傅",
            "at": ago(hours=4),
            "lines": [{"line_no": 1, "quantity": "6.000"}, {"line_no": 2, "quantity": 1500}],
        },
        role="driver",
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "in_transit" and body["driver"] == "李师傅"
    assert body["vehicle_plate"] == "粤J12345"

    r = post(
        client,
        f"/manifests/{number}/next-transporter",
        world.carrier,
        {"transporter_id": world.carrier2.id, "at": ago(hours=3, minutes=30)},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["next_transporter"]["id"] == world.carrier2.id

    r = post(
        client,
        f"/manifests/{number}/handoff",
        world.carrier2,
        {
            "vehicle_plate": "粤E54321",
            "driver": "王师傅",
            "at": ago(hours=3),
            "lines": [{"line_no": 1, "quantity": "5.990"}, {"line_no": 2, "quantity": "1500"}],
        },
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "in_transit"
    assert body["transporter"]["id"] == world.carrier2.id
    assert body["next_transporter"] is None  # the naming is consumed
    assert [leg["transporter_id"] for leg in body["legs"]] == [world.carrier.id, world.carrier2.id]

    r = post(
        client,
        f"/manifests/{number}/deliver",
        world.centre,
        {
            "at": ago(hours=2),
            "lines": [{"line_no": 1, "quantity": "5.980"}, {"line_no": 2, "quantity": "1500"}],
        },
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "delivered"

    r = post(
        client,
        f"/manifests/{number}/decide",
        world.centre,
        {
            "at": ago(hours=1),
            "lines": [
                {"line_no": 1, "accepted": "5.980", "rejected": "0"},
                {"line_no": 2, "accepted": "1200", "rejected": "300", "reason": "两只 IBC 渗漏"},
            ],
        },
    )
    assert r.status_code == 200, r.get_json()
    decided = r.get_json()
    assert decided["status"] == "partially_rejected"
    line2 = decided["lines"][1]
    assert (line2["accepted"], line2["rejected"], line2["received"]) == (
        "1200.000",
        "300.000",
        "1500.000",
    )
    assert line2["rejection_reason"] == "两只 IBC 渗漏"

    r = post(
        client,
        f"/manifests/{number}/complete",
        world.centre,
        {"operation": "D10", "completed_at": ago(minutes=30)},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "completed"
    assert r.get_json()["completed_operation"] == "D10"

    # Every party, the previous carrier included, and the regulator read the same manifest.
    for party in (world.plating, world.carrier, world.carrier2, world.centre, world.regulator):
        by_number = get(client, f"/manifests/{number}", party)
        by_id = get(client, f"/manifests/{ref}", party)
        assert by_number.status_code == by_id.status_code == 200
        assert by_number.get_json() == by_id.get_json()
    final = by_number.get_json()
    assert [
        (ln["declared"], ln["loaded"], ln["received"], ln["accepted"], ln["rejected"])
        for ln in final["lines"]
    ] == [
        ("6.000", "5.990", "5.980", "5.980", "0.000"),
        ("1500.000", "1500.000", "1500.000", "1200.000", "300.000"),
    ]
    assert final["next_actions"] == []

    chain = events(client, world.centre, number)
    assert [e["action"] for e in chain] == [
        "create",
        "edit",
        "edit",
        "issue",
        "pickup",
        "name_next",
        "handoff",
        "deliver",
        "decide",
        "complete",
    ]
    assert [e["sequence"] for e in chain] == list(range(1, 11))
    assert chain[0]["previous_hash"] == GENESIS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after["previous_hash"] == before["hash"]
    assert chain[3]["claimed_position"] == {"lat": 22.58, "lon": 113.08}
    assert chain[4]["user_email"] == world.carrier.users["driver"][0].email
    assert chain[5]["organization_id"] == world.carrier.id
    assert chain[5]["payload"] == {"transporter_id": world.carrier2.id, "replaces": None}
    assert chain[6]["organization_id"] == world.carrier2.id

    r = get(client, f"/manifests/{number}/verify", world.regulator)
    assert r.status_code == 200
    assert r.get_json()["valid"] is True
    assert r.get_json()["length"] == 10 and r.get_json()["head"] == chain[-1]["hash"]


def test_sewage_sludge_to_a_cement_kiln(client, world):
    draft = create(client, world, sludge(world), party=world.wwtp)
    assert draft["kind"] == "sludge" and draft["category"] == "S07"
    assert draft["moisture_pct"] == "80.000"
    ref = draft["id"]

    # The kiln's licence covers HW17 and HW18 only; an S code is not checked against it.
    r = post(client, f"/manifests/{ref}/issue", world.wwtp, {"at": ago(hours=4)})
    assert r.status_code == 200, r.get_json()
    number = r.get_json()["number"]
    assert number[4:] == "4407000001"

    r = post(
        client,
        f"/manifests/{ref}/pickup",
        world.carrier,
        {
            "vehicle_plate": "粤J88888",
            "driver": "陈师傅",
            "at": ago(hours=3),
            "lines": [{"line_no": 1, "quantity": "20.000"}],
        },
    )
    assert r.status_code == 200, r.get_json()

    no_moisture = post(
        client,
        f"/manifests/{ref}/deliver",
        world.kiln,
        {"at": ago(hours=2), "lines": [{"line_no": 1, "quantity": "19.400"}]},
    )
    assert no_moisture.status_code == 422
    assert "moisture_pct" in no_moisture.get_json()["errors"]

    r = post(
        client,
        f"/manifests/{ref}/deliver",
        world.kiln,
        {
            "at": ago(hours=2),
            "moisture_pct": "78.5",
            "lines": [{"line_no": 1, "quantity": "19.400"}],
        },
    )
    assert r.status_code == 200, r.get_json()
    delivered = r.get_json()
    assert delivered["moisture_pct"] == "80.000"
    assert delivered["received_moisture_pct"] == "78.500"

    r = post(
        client,
        f"/manifests/{ref}/decide",
        world.kiln,
        {"at": ago(hours=1), "lines": [{"line_no": 1, "accepted": "19.4", "rejected": 0}]},
    )
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    r = post(
        client,
        f"/manifests/{ref}/complete",
        world.kiln,
        {"operation": "R5", "completed_at": ago(minutes=10)},
    )
    assert r.status_code == 200 and r.get_json()["status"] == "completed"

    assert [e["action"] for e in events(client, world.wwtp, number)] == [
        "create",
        "issue",
        "pickup",
        "deliver",
        "decide",
        "complete",
    ]
    verdict = get(client, f"/manifests/{number}/verify", world.kiln).get_json()
    assert verdict["valid"] is True and verdict["length"] == 6


def test_list_filters_by_status_and_counts(client, world):
    first = create(client, world)
    create(client, world)
    create(client, world, sludge(world), party=world.wwtp)
    assert (
        post(
            client, f"/manifests/{first['id']}/issue", world.plating, {"at": ago(minutes=5)}
        ).status_code
        == 200
    )

    assert (
        get(client, "/manifests?from=" + ago(hours=-1).replace("+", "%2B"), world.plating).headers[
            "X-Total-Count"
        ]
        == "0"
    )
    assert (
        get(client, "/manifests?from=" + ago(hours=1).replace("+", "%2B"), world.plating).headers[
            "X-Total-Count"
        ]
        == "2"
    )

    r = get(client, "/manifests?status=draft", world.plating)
    assert r.status_code == 200
    assert r.headers["X-Total-Count"] == "1"
    assert [m["status"] for m in r.get_json()] == ["draft"]

    r = get(client, "/manifests?per_page=1", world.regulator)
    assert r.headers["X-Total-Count"] == "3" and len(r.get_json()) == 1

    r = get(client, "/manifests?status=issued", world.carrier)
    assert [m["id"] for m in r.get_json()] == [first["id"]]

    # The wastewater plant sees its own manifest and nothing of the plating plant's.
    r = get(client, "/manifests", world.wwtp)
    assert r.headers["X-Total-Count"] == "1" and r.get_json()[0]["kind"] == "sludge"

    assert get(client, "/manifests?status=lost", world.plating).status_code == 422


def test_an_edit_that_changes_nothing_signs_nothing(client, world):
    from tests.builders import create_manifest

    m = create_manifest(world)
    headers = world.plating.auth()
    before = client.get(f"/api/v1/manifests/{m.id}/events", headers=headers).get_json()
    r = client.patch(f"/api/v1/manifests/{m.id}", json={}, headers=headers)
    assert r.status_code == 200
    r = client.patch(f"/api/v1/manifests/{m.id}", json={"operation": "D10"}, headers=headers)
    assert r.status_code == 200
    after = client.get(f"/api/v1/manifests/{m.id}/events", headers=headers).get_json()
    assert len(after) == len(before) == 1
    r = client.patch(f"/api/v1/manifests/{m.id}", json={"operation": "D1"}, headers=headers)
    assert r.status_code == 200 and r.get_json()["operation"] == "D1"
    events = client.get(f"/api/v1/manifests/{m.id}/events", headers=headers).get_json()
    assert [e["action"] for e in events] == ["create", "edit"]
