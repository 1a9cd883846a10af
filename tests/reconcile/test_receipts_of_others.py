"""Weighbridge records naming other parties' manifests: the uploader learns nothing about
them, their parties are not accused, and only the regulators see which manifest was named.

Everything is read over HTTP, as the uploader, the manifest's parties and the regulators
would read it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from manifest.numbering import issue_year
from manifest.services import lifecycle, registry
from tests.builders import PASSWORD, Party, now, org, user
from tests.reconcile.helpers import trip

API = "/api/v1"
#: A number of this year and city that no manifest carries.
NOBODYS = f"{issue_year(now())}4407999999"
STATUSES = ("issued", "in_transit", "delivered", "accepted", "completed")


def others_manifests(world, client) -> dict[str, object]:
    """Manifests from the plating plant to the disposal centre, in every status a number can
    have, one of them already weighed in by the centre itself."""
    t = now() - timedelta(hours=8)
    found = {status: trip(world, start=t, to=status) for status in STATUSES}
    cancelled = trip(world, start=t, to="issued")
    found["cancelled"] = lifecycle.cancel_manifest(
        world.uow, actor=world.plating.actor(), ref=cancelled.id, reason="改期", at=t
    )
    weighed = found["weighed"] = trip(world, start=t, to="in_transit")
    row = {"ticket": "OWN-1", "plate": "粤J12345", "arrived_at": now().isoformat()}
    r = client.post(
        f"{API}/receipts",
        headers=world.centre.auth(),
        json=[{**row, "net_kg": "7500", "manifest_number": weighed.number}],
    )
    assert r.status_code == 201 and r.get_json()["matched"] == 1
    return found


def regulator(world, region: str) -> dict:
    user = registry.create_regulator_user(
        world.uow, email=f"officer@{region}.example.cn", password=PASSWORD, region_code=region
    )
    return {"Authorization": "Bearer " + registry.issue_token(world.uow, email=user.email)}


def uploaders(world) -> dict[str, Party]:
    """A receiver of Guangzhou, and the cement kiln of Jiangmen: neither is the receiver of
    the manifests of :func:`others_manifests`."""
    guangzhou = org(world.uow, "广州市某环保处置有限公司", ["receiver"], region="440100")
    user(world.uow, guangzhou, "admin")
    return {"another region": guangzhou, "same region": world.kiln}


#: When every record of these tests was weighed.
AT = (now() - timedelta(hours=1)).replace(microsecond=0)


def send(client, party: Party, ticket: str, number: str) -> dict:
    """Upload one record naming ``number`` on the plate of the manifests' own vehicle."""
    row = {
        "ticket": ticket,
        "plate": "粤J12345",
        "arrived_at": AT.isoformat(),
        "net_kg": "7500",
        "manifest_number": number,
    }
    r = client.post(f"{API}/receipts", headers=party.auth(), json=[row])
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def seen_by(client, party: Party, ticket: str, number: str) -> dict:
    """Everything the uploader can read about its record, with what differs by construction
    (its ticket, the number it typed, ids and times) masked."""
    answer = {}
    listing = client.get(f"{API}/findings?per_page=100", headers=party.auth())
    [finding] = [f for f in listing.get_json() if f["measured"].get("ticket") == ticket]
    one = client.get(f"{API}/findings/{finding['id']}", headers=party.auth()).get_json()
    for name, got in (("listed", finding), ("read", one)):
        text = json.dumps(got, ensure_ascii=False, sort_keys=True)
        text = text.replace(ticket, "<ticket>").replace(number, "<number>")
        got = json.loads(text)
        got["measured"]["receipt_id"] = "<id>"
        for key in ("id", "created_at", "updated_at", "due_at"):
            got[key] = f"<{key}>"
        answer[name] = got
    by_number = client.get(f"{API}/findings?manifest={number}", headers=party.auth())
    answer["by_number"] = (by_number.status_code, by_number.get_json())
    manifest = client.get(f"{API}/manifests/{number}", headers=party.auth())
    answer["manifest"] = manifest.status_code
    return answer


@pytest.mark.parametrize("who", ["another region", "same region"])
def test_the_uploader_cannot_tell_a_real_manifest_from_no_manifest(world, client, who):
    manifests = others_manifests(world, client)
    uploader = uploaders(world)[who]

    def answer(ticket, number):
        upload = send(client, uploader, ticket, number)
        upload.pop("sha256")  # of the bytes sent, which differ by the ticket and number
        return upload, seen_by(client, uploader, ticket, number)

    upload, seen = answer("X-0", NOBODYS)
    assert upload == {
        "created": 1,
        "duplicates": 0,
        "matched": 0,
        "unmanifested": 1,
        "findings": 1,
        "errors": [],
    }
    assert seen["listed"]["parties"] == [{"organization_id": uploader.id, "role": "receiver"}]
    assert seen["listed"]["named_manifest_id"] is None
    assert seen["listed"]["measured"]["outcome"] == "unmanifested"
    assert seen["by_number"] == (200, []) and seen["manifest"] == 404
    for i, (status, m) in enumerate(manifests.items(), start=1):
        assert answer(f"X-{i}", m.number) == (upload, seen), status


def test_the_parties_of_the_named_manifest_are_not_accused(world, client):
    manifests = others_manifests(world, client)
    uploader = uploaders(world)["another region"]
    before = {
        party.id: client.get(f"{API}/findings", headers=party.auth()).get_json()
        for party in (world.plating, world.carrier, world.centre)
    }
    for i, m in enumerate(manifests.values()):
        send(client, uploader, f"Y-{i}", m.number)
    for party in (world.plating, world.carrier, world.centre):
        assert client.get(f"{API}/findings", headers=party.auth()).get_json() == before[party.id]
        for m in manifests.values():
            about = client.get(f"{API}/findings?manifest={m.id}", headers=party.auth())
            assert about.get_json() == [f for f in before[party.id] if f["manifest_id"] == m.id]
    # Nothing about the upload on the manifest: the weighbridge record is the centre's own.
    weighed = client.get(f"{API}/manifests/{manifests['weighed'].id}", headers=world.centre.auth())
    assert weighed.get_json()["weighbridge"]["ticket"] == "OWN-1"
    in_transit = manifests["in_transit"].id
    shown = client.get(f"{API}/manifests/{in_transit}", headers=world.plating.auth()).get_json()
    assert shown["weighbridge"] is None


def test_regulators_of_both_regions_see_which_manifest_was_named(world, client):
    manifests = others_manifests(world, client)
    uploader = uploaders(world)["another region"]
    named = manifests["in_transit"]
    send(client, uploader, "Z-1", named.number)
    guangzhou, foshan = regulator(world, "440100"), regulator(world, "440600")
    jiangmen = world.regulator.auth()

    def receipt_findings(headers, query=""):
        r = client.get(f"{API}/findings?type=unmanifested_receipt{query}", headers=headers)
        assert r.status_code == 200
        return [f for f in r.get_json() if f["measured"].get("ticket") == "Z-1"]

    # The uploader's bureau (a party there) and the manifest's bureau (the manifest there).
    for headers in (guangzhou, jiangmen):
        [f] = receipt_findings(headers)
        assert (f["named_manifest_id"], f["named_manifest_number"]) == (named.id, named.number)
        assert (f["manifest_id"], f["manifest_number"]) == (None, None)
        assert f["parties"] == [{"organization_id": uploader.id, "role": "receiver"}]
        assert [x["id"] for x in receipt_findings(headers, f"&manifest={named.number}")] == [
            f["id"]
        ]
        one = client.get(f"{API}/findings/{f['id']}", headers=headers).get_json()
        assert one["named_manifest_number"] == named.number
    assert receipt_findings(foshan) == []
    [mine] = receipt_findings(uploader.auth())
    assert (mine["named_manifest_id"], mine["named_manifest_number"]) == (None, None)
    # The uploader, commenting on its finding, still reads no manifest in the answer.
    commented = client.post(
        f"{API}/findings/{mine['id']}/comments",
        headers=uploader.auth(),
        json={"body": "司机所持联单号有误"},
    ).get_json()
    assert (commented["named_manifest_id"], commented["named_manifest_number"]) == (None, None)
    triaged = client.patch(
        f"{API}/findings/{mine['id']}", headers=jiangmen, json={"status": "escalated"}
    ).get_json()
    assert triaged["named_manifest_number"] == named.number
