"""Fleet-platform exports (CSV, XLSX) uploaded as a trip's track, on both databases."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import openpyxl
from sqlalchemy import func, select

from gps import crs
from manifest.local_time import CHINA
from manifest.models import CustodyEvent, Finding, GpsTrack, StoredFile
from tests.tracks.test_crs_api import _events, _stored
from tests.tracks.test_tracks_api import _deliver, _drive, _on_the_road, _post

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA = Path(__file__).parents[1] / "data" / "fleet"


def _export_rows(trip, plate="粤J12345"):
    """A platform's rows for a drive: Beijing time, 7 decimals as the GPX has them, and a row
    without a fix every 100 rows (with a position no one should use)."""
    for i in range(len(trip)):
        when = datetime.fromtimestamp(float(trip.t[i]), tz=UTC).astimezone(CHINA)
        at = when.replace(tzinfo=None).isoformat(sep=" ")
        lat, lon = f"{trip.lat[i]:.7f}", f"{trip.lon[i]:.7f}"
        yield [plate, at, lon, lat, "35.0", "90", f"{trip.ele[i]:.1f}", "定位"]
        if i % 100 == 50:
            yield [plate, at, "0", "0", "0", "0", "0", "未定位"]


HEADER = ["车牌号", "定位时间", "经度", "纬度", "速度(km/h)", "方向", "海拔", "定位状态"]


def _gbk_csv(trip, **kwargs) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(_export_rows(trip, **kwargs))
    return out.getvalue().encode("gbk")


def _xlsx(trip) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in _export_rows(trip):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, world, mid, body, content_type, query=""):
    url = f"/api/v1/manifests/{mid}/tracks{query}"
    return _post(client, url, body, world.carrier.auth("driver"), content_type)


def _findings_of(world, track_id):
    s = world.uow.session
    s.expire_all()
    rows = s.scalars(select(Finding).where(Finding.key.contains(f":track{track_id}:"))).all()
    return sorted((f.type, f.severity, str(f.measured)) for f in rows)


def _counts(world):
    s = world.uow.session
    s.expire_all()
    return [
        s.scalar(select(func.count()).select_from(t))
        for t in (StoredFile, GpsTrack, Finding, CustodyEvent)
    ]


def test_a_gbk_csv_export_gives_the_analysis_and_findings_of_the_gpx_of_the_same_drive(
    client, trip_world
):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    trip, end = _drive(pickup_at, stops=[(8.0, 900)], deviations=[(12.0, 15.5, 800.0)])
    _deliver(client, world, mid, end + timedelta(seconds=30))
    gpx = _upload(client, world, mid, trip.to_gpx(), "application/gpx+xml")
    assert gpx.status_code == 201, gpx.get_json()
    export = _gbk_csv(trip)
    r = _upload(client, world, mid, export, "text/csv")
    assert r.status_code == 201, r.get_json()
    body, reference = r.get_json(), gpx.get_json()

    assert body["fixes"] == reference["fixes"] == len(trip)
    ours, theirs = body["analysis"], reference["analysis"]
    [note] = ours.pop("problems")
    assert note["code"] == "unpositioned_rows" and note["count"] == len(trip) // 100 + 1
    assert theirs.pop("problems") == []
    ours["summary"].pop("problems"), theirs["summary"].pop("problems")
    assert ours == theirs
    assert {e["kind"] for e in ours["episodes"]} >= {"unscheduled_stop", "route_deviation"}
    assert _findings_of(world, body["id"]) == _findings_of(world, reference["id"]) != []

    sha = hashlib.sha256(export).hexdigest()
    assert body["file_sha256"] == sha and _stored(world, sha) == export
    event = [
        e for e in _events(client, world, mid, "track") if e["payload"]["track_id"] == body["id"]
    ]
    assert event[0]["payload"]["file_sha256"] == sha
    layers = client.get(
        f"/api/v1/manifests/{mid}/tracks/{body['id']}.geojson", headers=world.regulator.auth()
    )
    assert layers.status_code == 200
    assert {"route_deviation", "unscheduled_stop"} <= {
        f["properties"]["kind"] for f in layers.get_json()["features"]
    }


def test_an_xlsx_export_in_gcj02_is_read_from_a_form_and_analysed_in_wgs84(client, trip_world):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    trip, end = _drive(pickup_at)
    _deliver(client, world, mid, end + timedelta(seconds=30))
    lat, lon = crs.wgs84_to_gcj02(trip.lat, trip.lon)
    workbook = _xlsx(dataclasses.replace(trip, lat=lat, lon=lon))
    r = client.post(
        f"/api/v1/manifests/{mid}/tracks",
        headers=world.carrier.auth("driver"),
        data={"file": (io.BytesIO(workbook), "轨迹.xlsx", XLSX), "crs": "gcj02"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["crs"] == "gcj02" and body["fixes"] == len(trip)
    assert body["analysis"]["episodes"] == [] and body["analysis"]["summary"]["ends_at_destination"]
    assert _stored(world, body["file_sha256"]) == workbook


def test_the_real_drive_exports_upload_as_the_gpx_does(client, trip_world):
    world = trip_world
    mid, _ = _on_the_road(client, world)
    gpx = (DATA.parent / "gpx" / "kmart-to-middletown-rd.gpx").read_bytes()
    reference = _upload(client, world, mid, gpx, "application/gpx+xml").get_json()
    for name, kind in (
        ("kmart-platform-gbk.csv", "text/csv"),
        ("kmart-platform-utf8-bom.csv", "application/vnd.ms-excel"),
        ("kmart-english.csv", "application/csv"),
        ("kmart-platform.xlsx", XLSX),
    ):
        r = _upload(client, world, mid, (DATA / name).read_bytes(), kind)
        assert r.status_code == 201, (name, r.get_json())
        body = r.get_json()
        assert (body["started_at"], body["ended_at"], body["fixes"]) == (
            reference["started_at"],
            reference["ended_at"],
            reference["fixes"],
        )
        assert [e["kind"] for e in body["analysis"]["episodes"]] == [
            e["kind"] for e in reference["analysis"]["episodes"]
        ]


def test_bad_rows_refuse_the_upload_with_the_report_and_store_nothing(client, trip_world):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    trip, _ = _drive(pickup_at)
    lines = _gbk_csv(trip).decode("gbk").split("\r\n")
    lines[3] = lines[3].replace(lines[3].split(",")[1], "2024-13-45 09:00:00")
    lines[7] = lines[7].replace(lines[7].split(",")[3], "北纬22")
    before = _counts(world)
    r = _upload(client, world, mid, "\r\n".join(lines).encode("gbk"), "text/csv")
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == "bad_file" and body["details"]["code"] == "bad_rows"
    assert body["details"]["detail"]["rows"] == [
        {
            "line": 4,
            "column": "定位时间",
            "problem": "'2024-13-45 09:00:00' is not an ISO 8601 date and time",
        },
        {"line": 8, "column": "纬度", "problem": "'北纬22' is not a number"},
    ]
    assert _counts(world) == before


def test_an_export_of_another_vehicle_is_refused_and_stores_nothing(client, trip_world):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    trip, _ = _drive(pickup_at)
    before = _counts(world)
    r = _upload(client, world, mid, _gbk_csv(trip, plate="粤J99999"), "text/csv")
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == "wrong_vehicle" and "粤J99999 (line 2)" in body["detail"]
    assert body["details"]["detail"] == {"expected": "粤J12345", "found": ["粤J99999"]}
    assert _counts(world) == before


def test_hostile_workbooks_are_refused_cleanly(client, trip_world):
    world = trip_world
    mid, pickup_at = _on_the_road(client, world)
    trip, _ = _drive(pickup_at)
    good = _xlsx(trip)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
            target.writestr(member, data)
    before = _counts(world)
    r = _upload(client, world, mid, out.getvalue(), XLSX)
    assert r.status_code == 422 and r.get_json()["details"]["code"] == "forbidden_xml"
    r = _upload(client, world, mid, b"PK\x03\x04" + bytes(np.arange(200, dtype=np.uint8)), XLSX)
    assert r.status_code == 422 and r.get_json()["details"]["code"] == "malformed"
    assert _counts(world) == before
