"""Shared helpers for the gps tests: data files and GPX builders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "gpx"
REAL_GPX = sorted(DATA.glob("*.gpx"))


def gpx(points: str, *, version: str = "1.1", head: str = "") -> bytes:
    """A GPX document around ``points`` (the content of one trkseg)."""
    namespace = f"http://www.topografix.com/GPX/{version.replace('.', '/')}"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head}'
        f'<gpx version="{version}" creator="test" xmlns="{namespace}">'
        f"<trk><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def trkpt(lat, lon, time: str | None = "2024-05-06T01:30:00Z", ele: str | None = None) -> str:
    children = ""
    if ele is not None:
        children += f"<ele>{ele}</ele>"
    if time is not None:
        children += f"<time>{time}</time>"
    return f'<trkpt lat="{lat}" lon="{lon}">{children}</trkpt>'


def munich_gpx(name: str) -> bytes:
    """A Munich JSON drive (WKT points, times with +0200) written as GPX 1.1."""
    rows = json.loads((DATA / name).read_text())
    points = []
    for row in rows:
        lon, lat = row["point"].removeprefix("POINT(").removesuffix(")").split()
        points.append(trkpt(lat, lon, row["time"]))
    return gpx("\n".join(points))


def munich_route() -> bytes:
    """The 15 s samples of the Munich drive as a GeoJSON LineString route."""
    rows = json.loads((DATA / "munich-x0001-015.json").read_text())
    coords = [
        [float(v) for v in row["point"].removeprefix("POINT(").removesuffix(")").split()]
        for row in rows
    ]
    return json.dumps({"type": "LineString", "coordinates": coords}).encode()


@pytest.fixture
def corpus() -> dict[str, bytes]:
    """Every GPX of the test corpus: real drives and tricky hand-made files."""
    files = {path.name: path.read_bytes() for path in REAL_GPX}
    files["munich-001.gpx"] = munich_gpx("munich-x0001-001.json")
    files["munich-015.gpx"] = munich_gpx("munich-x0001-015.json")
    files.update(TRICKY)
    return files


_NS10 = "http://www.topografix.com/GPX/1/0"
TRICKY = {
    "gpx10.gpx": gpx(
        trkpt(22.58, 113.08, "2024-05-06T09:30:00+08:00", "3.5")
        + trkpt(22.5801, 113.0801, "2024-05-06T09:30:01+08:00", "3.6"),
        version="1.0",
    ),
    "segments-and-tracks.gpx": (
        '<?xml version="1.0"?><gpx version="1.1" creator="t" '
        'xmlns="http://www.topografix.com/GPX/1/1">'
        '<wpt lat="1" lon="1"><time>2000-01-01T00:00:00Z</time></wpt>'
        '<rte><rtept lat="2" lon="2"><time>2000-01-01T00:00:00Z</time></rtept></rte>'
        "<trk><name>a</name><trkseg>"
        + trkpt(22.58, 113.08, "2024-05-06T01:30:00Z")
        + "</trkseg><trkseg>"
        + trkpt(22.581, 113.081, "2024-05-06T01:30:10Z")
        + "</trkseg></trk><trk><trkseg>"
        + trkpt(22.582, 113.082, "2024-05-06T01:30:20Z")
        + "</trkseg></trk></gpx>"
    ).encode(),
    "time-forms.gpx": gpx(
        trkpt(22.58, 113.08, "2024-05-06T01:30:00.123Z")
        + trkpt(22.58, 113.0801, "2024-05-06T01:30:01")  # no offset: UTC
        + trkpt(22.58, 113.0802, "2024-05-06T09:30:02.5+08:00")
        + trkpt(22.58, 113.0803, "2024-05-06T09:30:03+0800")
        + trkpt(22.58, 113.0804, "2024-05-06 01:30:04Z")
        + trkpt(22.58, 113.0805, "2024-05-06T01:30:05.999999Z")
    ),
    "odd-but-valid.gpx": (
        "\ufeff<?xml version='1.0' encoding='UTF-8'?>\r\n<!-- a comment -->\r\n"
        "<gpx version='1.1' creator='t' xmlns='http://www.topografix.com/GPX/1/1' "
        "xmlns:x='urn:example'>\r\n<trk><trkseg>\r\n"
        "<trkpt lon='113.08' lat='22.58'>\r\n  <ele> 12.5 </ele>\r\n"
        "  <time>2024-05-06T01:30:00Z</time>\r\n"
        "  <extensions><x:time>garbage</x:time><x:speed>3</x:speed></extensions>\r\n</trkpt>\r\n"
        "<trkpt lat='22.5801' lon='113.0801'><time><![CDATA[2024-05-06T01:30:01Z]]></time>"
        "<ele>1&#50;.0</ele></trkpt>\r\n"
        "<trkpt lat='2.2580e1' lon='+113.0802'><!-- c --><time>2024-05-06T01:30:02Z</time>"
        "<time>2030-01-01T00:00:00Z</time></trkpt>\r\n"
        "</trkseg></trk></gpx>\r\n"
    ).encode("utf-8"),
    "no-namespace.gpx": (
        '<gpx version="1.1" creator="t"><trk><trkseg>'
        + trkpt(22.58, 113.08, "2024-05-06T01:30:00Z", "1")
        + trkpt(22.59, 113.09, "2024-05-06T01:31:00Z")
        + "</trkseg></trk></gpx>"
    ).encode(),
    "cleaning.gpx": gpx(
        trkpt(22.58, 113.08, "2024-05-06T01:30:00Z")
        + trkpt(22.58, 113.08, "2024-05-06T01:30:00Z")  # duplicate
        + trkpt(22.5801, 113.0801, "2024-05-06T01:30:01Z")
        + trkpt(22.5809, 113.0809, "2024-05-06T01:30:01Z")  # conflicting
        + trkpt(22.5802, 113.0802, "2024-05-06T01:29:00Z")  # out of order
        + trkpt(22.5803, 113.0803, "2024-05-06T01:30:03Z")
    ),
}
