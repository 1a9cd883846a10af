"""GET /reports/discrepancies: the regulator's period report as JSON, CSV and PDF."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest

from manifest.services import registry
from manifest.services.finding_sets import NewFinding, raise_findings
from manifest.services.receipts import ingest_receipts
from tests.builders import PASSWORD, now
from tests.reconcile.helpers import decide, deliver, trip

URL = "/api/v1/reports/discrepancies"


def _pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        from tests.conftest import missing

        missing("pdftotext (Debian package poppler-utils) to read the PDF back")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def raise_one(world, *, at=None, **finding) -> None:
    """Store one finding as a check would."""
    with world.uow:
        raise_findings(world.uow.session, [NewFinding(**finding)], now=at or now())
        world.uow.commit()


def period() -> str:
    """A period around today, as days (China time)."""
    today = now().date()
    return f"from={today - timedelta(days=2)}&to={today + timedelta(days=2)}"


@pytest.fixture
def month(world):
    """Findings of every kind the report covers, one outside Jiangmen, one GPS finding and
    one from long ago."""
    t = now() - timedelta(hours=8)
    lost = trip(world, start=t, received={1: Decimal("5.640"), 2: Decimal("1500")})
    swapped = trip(world, start=t, to="in_transit")
    swapped = deliver(
        world,
        swapped,
        t + timedelta(hours=1),
        received={1: Decimal("6"), 2: Decimal("1500")},
        codes={1: {"waste_code": "336-066-17"}},
    )
    rejected = trip(world, start=t)
    rejected = decide(world, rejected, t + timedelta(hours=3), rejected={1: Decimal("2")})
    ingest_receipts(
        world.uow,
        actor=world.centre.actor(),
        data=json.dumps(
            [
                {
                    "ticket": "W-77",
                    "plate": "粤E99999",
                    "arrived_at": (t + timedelta(hours=1)).isoformat(),
                    "net_kg": "12000",
                }
            ]
        ),
        fmt="application/json",
    )
    raise_one(
        world,
        type="unmanifested_receipt",
        severity="violation",
        key="elsewhere:1",
        message="weighed in Foshan",
        measured={"ticket": "F-1", "net_kg": "900"},
        parties={world.outsider.id: "receiver"},
    )
    raise_one(
        world,
        type="route_deviation",
        severity="warning",
        key="gps:1",
        message="off the corridor",
        manifest_id=lost.id,
        parties={world.plating.id: "generator", world.carrier.id: "transporter"},
    )
    raise_one(
        world,
        at=now() - timedelta(days=40),
        type="quantity_discrepancy",
        severity="warning",
        key="old:1",
        message="last month",
        manifest_id=lost.id,
        parties={world.plating.id: "generator"},
    )
    return {"lost": lost, "swapped": swapped, "rejected": rejected}


def test_json_report_lists_the_region_s_discrepancies_with_their_figures(world, client, month):
    r = client.get(f"{URL}?{period()}", headers=world.regulator.auth())
    assert r.status_code == 200, r.get_json()
    report = r.get_json()
    rows = report["rows"]
    assert sorted((row["type"], row["manifest_number"]) for row in rows) == sorted(
        [
            ("quantity_discrepancy", month["lost"].number),
            ("type_discrepancy", month["swapped"].number),
            ("rejection", month["rejected"].number),
            ("unmanifested_receipt", None),
        ]
    )
    assert report["region_codes"] == ["440700"]

    totals = report["totals"]
    assert totals["findings"] == len(rows) == 4
    assert sum(t["total"] for t in totals["by_type"].values()) == 4
    assert sum(totals["by_severity"].values()) == 4
    assert totals["by_type"]["quantity_discrepancy"] == {
        "info": 0,
        "warning": 1,
        "violation": 0,
        "total": 1,
    }
    assert totals["by_type"]["unmanifested_receipt"]["violation"] == 1
    assert totals["by_type"]["licence_capacity"]["total"] == 0

    by_type = {row["type"]: row for row in rows}
    loss = by_type["quantity_discrepancy"]
    assert (loss["unit"], loss["declared"], loss["observed"], loss["difference"]) == (
        "kg",
        "6000.000",
        "5640.000",
        "-360.000",
    )
    assert (loss["difference_pct"], loss["line_no"], loss["status"]) == ("-6.00", 1, "open")
    assert [o["name"] for o in loss["generator"]] == ["江门市恒美电镀有限公司"]
    assert [o["name"] for o in loss["receiver"]] == ["江门市东江环保技术有限公司"]
    assert loss["due_at"] > loss["created_at"]
    swap = by_type["type_discrepancy"]
    assert (swap["declared"], swap["observed"]) == ("336-064-17 SS", "336-066-17 SS")
    rejection = by_type["rejection"]
    assert (rejection["declared"], rejection["observed"], rejection["difference"]) == (
        "6.000",
        "4.000",
        "-2.000",
    )
    assert rejection["difference_pct"] == "-33.33"
    weighed = by_type["unmanifested_receipt"]
    assert (weighed["observed"], weighed["ticket"], weighed["vehicle_plate"]) == (
        "12000.000",
        "W-77",
        "粤E99999",
    )


def test_type_filter_and_another_region(world, client, month):
    r = client.get(
        f"{URL}?{period()}&type=rejection&type=unmanifested_receipt",
        headers=world.regulator.auth(),
    )
    assert sorted(row["type"] for row in r.get_json()["rows"]) == [
        "rejection",
        "unmanifested_receipt",
    ]
    assert r.get_json()["totals"]["findings"] == 2
    registry.create_regulator_user(
        world.uow, email="officer@fsepb.example.cn", password=PASSWORD, region_code="440600"
    )
    token = registry.issue_token(world.uow, email="officer@fsepb.example.cn")
    foshan = client.get(f"{URL}?{period()}", headers={"Authorization": f"Bearer {token}"})
    assert [row["message"] for row in foshan.get_json()["rows"]] == ["weighed in Foshan"]


def test_a_record_naming_another_receivers_manifest_shows_it_to_the_regulator(world, client):
    t = now() - timedelta(hours=6)
    to_centre = trip(world, start=t, to="in_transit")
    row = {"ticket": "K-9", "plate": "粤J12345", "arrived_at": t.isoformat(), "net_kg": "7500"}
    ingest_receipts(
        world.uow,
        actor=world.kiln.actor(),
        data=json.dumps([{**row, "manifest_number": to_centre.number}]),
        fmt="application/json",
    )
    report = client.get(f"{URL}?{period()}", headers=world.regulator.auth()).get_json()
    [weighed] = report["rows"]
    assert (weighed["manifest_number"], weighed["named_manifest_number"]) == (
        None,
        to_centre.number,
    )
    assert [o["name"] for o in weighed["receiver"]] == [world.kiln.org.name]
    assert weighed["generator"] == weighed["transporter"] == []
    for lang, words in (("zh", f"所填联单 {to_centre.number}"), ("en", "named manifest")):
        r = client.get(
            f"{URL}?{period()}&format=csv",
            headers={**world.regulator.auth(), "Accept-Language": lang},
        )
        header, line = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
        assert words in line[header.index("比对环节" if lang == "zh" else "Compared")]


def test_csv_opens_in_excel_and_parses_back(world, client, month):
    report = client.get(f"{URL}?{period()}", headers=world.regulator.auth()).get_json()
    r = client.get(f"{URL}?{period()}&format=csv", headers=world.regulator.auth())
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in r.headers["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert header[:3] == ["问题编号", "发现时间", "问题类型"]
    assert [int(row[0]) for row in rows] == [row["finding_id"] for row in report["rows"]]
    lost = next(row for row in rows if row[header.index("联单编号")] == month["lost"].number)
    assert lost[header.index("问题类型")] == "数量差异"
    assert lost[header.index("移出人")] == "江门市恒美电镀有限公司"
    assert [lost[header.index(c)] for c in ("申报值", "实测值", "差值", "差异率(%)")] == [
        "6000.000",
        "5640.000",
        "-360.000",
        "-6.00",
    ]
    english = client.get(
        f"{URL}?{period()}&format=csv", headers={**world.regulator.auth(), "Accept-Language": "en"}
    )
    header, *rows = list(csv.reader(io.StringIO(english.data.decode("utf-8-sig"))))
    assert header[:3] == ["Finding", "Found at", "Type"]
    assert len(rows) == 4


def test_csv_keeps_a_formula_like_name_as_text(world, client):
    raise_one(
        world,
        type="unmanifested_receipt",
        severity="violation",
        key="formula:1",
        message='=HYPERLINK("http://x")',
        parties={world.centre.id: "receiver"},
    )
    r = client.get(f"{URL}?{period()}&format=csv&lang=en", headers=world.regulator.auth())
    header, row = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert row[header.index("Message")] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_shows_title_period_totals_and_manifests(world, client, month, tmp_path, lang):
    r = client.get(f"{URL}?{period()}&format=pdf&lang={lang}", headers=world.regulator.auth())
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    text = _pdf_text(r.data, tmp_path)
    for m in month.values():
        assert m.number in text
    assert "440700" in text and str(now().date() - timedelta(days=2)) in text
    if lang == "zh":
        assert "转移联单差异报告" in text and "按类型和严重程度汇总" in text
        assert "数量差异" in text and "无联单接收" in text
    else:
        assert "Manifest Discrepancy Report" in text and "Totals by type and severity" in text


def test_empty_period_pdf_says_so(world, client, tmp_path):
    r = client.get(
        f"{URL}?from=2020-01-01&to=2020-02-01&format=pdf", headers=world.regulator.auth()
    )
    assert r.status_code == 200
    assert "本期间无差异问题" in _pdf_text(r.data, tmp_path)


def test_only_a_regulator_and_only_a_sensible_period(world, client):
    assert client.get(f"{URL}?{period()}", headers=world.plating.auth()).status_code == 403
    assert (
        client.get(f"{URL}?{period()}&format=pdf", headers=world.centre.auth()).status_code == 403
    )
    assert client.get(f"{URL}?{period()}").status_code == 401
    auth = world.regulator.auth()
    for query in (
        "from=2026-03-10&to=2026-03-01",
        "from=2026-03-01&to=2026-03-01",
        "from=2026-03-01T10:00:00%2B08:00&to=2026-03-01T09:00:00%2B08:00",
        "from=2026-03-01",
        "from=yesterday&to=2026-03-01",
        "from=2026-03-01T10:00:00&to=2026-03-02",
        "from=1900-01-01&to=2026-03-02",
        "from=2026-03-01&to=2026-04-01&format=xlsx",
        "from=2026-03-01&to=2026-04-01&type=route_deviation",
    ):
        r = client.get(f"{URL}?{query}", headers=auth)
        assert r.status_code == 422, query
        assert r.get_json()["code"] == "validation_failed"
    reversed_ = client.get(f"{URL}?from=2026-03-10&to=2026-03-01", headers=auth).get_json()
    assert "to" in reversed_["errors"]
    # An unescaped "+08:00" arrives as " 08:00" and still means China time.
    ok = client.get(
        f"{URL}?from=2026-03-01T00:00:00+08:00&to=2026-04-01T00:00:00+08:00", headers=auth
    )
    assert ok.status_code == 200
    assert ok.get_json()["from"] == "2026-03-01T00:00:00+08:00"


def test_the_report_reads_a_fixed_number_of_statements(world, month):
    from sqlalchemy import event

    from manifest.services.discrepancy_report import discrepancy_report

    session = world.uow.session
    actor = world.regulator.actor()
    session.expire_all()
    statements = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        day = now().date()
        report = discrepancy_report(
            session,
            actor=actor,
            start=day - timedelta(days=2),
            end=day + timedelta(days=2),
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert report["totals"]["findings"] == 4
    # Findings, their parties, the regulator's name and regions: never one per row.
    assert len(statements) <= 4, statements
