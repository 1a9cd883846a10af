"""HTTP: findings, weighbridge uploads and the balance report."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from manifest.local_time import CHINA
from tests.builders import now
from tests.reconcile.helpers import trip

CSV = (
    "磅单号,车牌号,进场时间,毛重(kg),皮重(kg),净重(kg),联单编号\n"
    "W1,粤J12345,{at},22500,15000,7500,{number}\n"
    "W2,ABC123,{at},1000,500,500,\n"
    "W3,粤E99999,{at},20000,8000,12000,\n"
)


def lost_six_percent(world):
    return trip(
        world, start=now() - timedelta(hours=6), received={1: Decimal("5.640"), 2: Decimal("1500")}
    )


def test_findings_are_visible_to_their_parties_and_the_regional_regulator(world, client):
    m = lost_six_percent(world)
    mine = client.get("/api/v1/findings", headers=world.plating.auth())
    assert mine.status_code == 200
    [f] = mine.get_json()
    assert (f["type"], f["manifest_number"], f["measured"]["difference_pct"]) == (
        "quantity_discrepancy",
        m.number,
        "-6.00",
    )
    assert mine.headers["X-Total-Count"] == "1"
    assert client.get("/api/v1/findings", headers=world.outsider.auth()).get_json() == []
    assert client.get(f"/api/v1/findings/{f['id']}", headers=world.kiln.auth()).status_code == 404
    regulator = client.get(
        f"/api/v1/findings?type=quantity_discrepancy&status=open&manifest={m.number}",
        headers=world.regulator.auth(),
    )
    assert [x["id"] for x in regulator.get_json()] == [f["id"]]
    assert (
        client.get("/api/v1/findings?status=resolved", headers=world.regulator.auth()).get_json()
        == []
    )
    assert (
        client.get("/api/v1/findings?type=nonsense", headers=world.regulator.auth()).status_code
        == 422
    )


def test_triage_and_comments(world, client):
    lost_six_percent(world)
    [f] = client.get("/api/v1/findings", headers=world.carrier.auth()).get_json()
    url = f"/api/v1/findings/{f['id']}"
    explained = client.post(
        f"{url}/comments",
        headers=world.carrier.auth(),
        json={"body": "途中渗漏，已报告", "status": "explained"},
    )
    assert explained.status_code == 201
    assert explained.get_json()["status"] == "explained"
    assert (
        client.post(
            f"{url}/comments",
            headers=world.carrier.auth(),
            json={"body": "x", "status": "resolved"},
        ).status_code
        == 403
    )
    assert (
        client.patch(url, headers=world.carrier.auth(), json={"status": "resolved"}).status_code
        == 403
    )
    resolved = client.patch(
        url, headers=world.regulator.auth(), json={"status": "resolved", "note": "核实无误"}
    )
    assert resolved.status_code == 200
    body = resolved.get_json()
    assert body["status"] == "resolved" and body["closed_at"]
    assert [(c["body"], c["status_change"]) for c in body["comments"]] == [
        ("途中渗漏，已报告", "explained"),
        ("核实无误", "resolved"),
    ]
    assert client.patch(url, headers=world.regulator.auth(), json={}).status_code == 422
    assert (
        client.patch(
            url, headers=world.regulator.auth(), json={"due_at": "2000-01-01T00:00:00+08:00"}
        ).status_code
        == 422
    )


def test_csv_upload_keeps_the_valid_rows_and_lists_the_bad_ones(world, client):
    m = trip(world, start=now() - timedelta(hours=6), to="in_transit")
    at = (now() - timedelta(hours=4)).isoformat()
    body = CSV.format(at=at, number=m.number).encode("utf-8")
    first = client.post(
        "/api/v1/receipts", data=body, headers={**world.centre.auth(), "Content-Type": "text/csv"}
    )
    assert first.status_code == 201, first.get_json()
    got = first.get_json()
    assert (got["created"], got["duplicates"], got["matched"], got["unmanifested"]) == (2, 0, 1, 1)
    assert [(e["row"], e["field"]) for e in got["errors"]] == [(3, "plate")]
    again = client.post(
        "/api/v1/receipts", data=body, headers={**world.centre.auth(), "Content-Type": "text/csv"}
    ).get_json()
    assert (again["created"], again["duplicates"], again["findings"]) == (0, 2, 0)
    found = client.get(
        "/api/v1/findings?type=unmanifested_receipt", headers=world.centre.auth()
    ).get_json()
    assert [f["measured"]["ticket"] for f in found] == ["W3"]


def test_upload_refusals(world, client):
    csv_headers = {"Content-Type": "text/csv"}
    assert (
        client.post(
            "/api/v1/receipts",
            data=b"x",
            headers={**world.centre.auth(), "Content-Type": "text/plain"},
        ).status_code
        == 415
    )
    assert (
        client.post(
            "/api/v1/receipts",
            data=b"ticket,plate\nA,B\n",
            headers={**world.plating.auth(), **csv_headers},
        ).status_code
        == 403
    )
    bad = client.post(
        "/api/v1/receipts",
        data=b"ticket,plate\nA,B\n",
        headers={**world.centre.auth(), **csv_headers},
    )
    assert bad.status_code == 422
    assert "columns" in bad.get_json()["errors"]
    assert client.post(
        "/api/v1/receipts",
        data=b"{not json",
        headers={**world.centre.auth(), "Content-Type": "application/json"},
    ).status_code in (400, 422)


def test_balance_json_and_csv(world, client):
    m = trip(world, start=now() - timedelta(hours=6), to="in_transit")
    period = m.issued_at.astimezone(CHINA)
    period = period.strftime("%Y-%m")
    report = client.get(f"/api/v1/reports/balance?period={period}", headers=world.regulator.auth())
    assert report.status_code == 200
    assert report.get_json()["totals"]["generator"]["in_transit_t"] == "7.500"
    csv = client.get(
        f"/api/v1/reports/balance?period={period}&format=csv", headers=world.plating.auth()
    )
    assert csv.mimetype == "text/csv"
    assert len(csv.get_data(as_text=True).splitlines()) == 2
    assert (
        client.get(
            "/api/v1/reports/balance?period=2026-13", headers=world.regulator.auth()
        ).status_code
        == 422
    )
    assert client.get(f"/api/v1/reports/balance?period={period}").status_code == 401
