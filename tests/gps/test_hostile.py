"""Hostile and broken input: each refused with the right code, or reported."""

from __future__ import annotations

import time

import pytest

import gps
from gps.errors import (
    BadCoordinate,
    BadTime,
    EmptyTrack,
    ForbiddenXml,
    GpxError,
    Malformed,
    NotGpx,
    TooLarge,
)
from tests.gps.conftest import gpx, trkpt

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1" creator="&lol9;" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>&lol9;</name><trkseg>
<trkpt lat="22.58" lon="113.08"><time>2024-05-06T01:30:00Z</time></trkpt>
</trkseg></trk></gpx>
"""

READERS = [gps.parse_gpx, gps.parse_gpx_reference]


def external_entity(target: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE gpx [<!ENTITY secret SYSTEM "{target}">]>\n'
        '<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        "<trk><name>&secret;</name><trkseg>" + trkpt(22.58, 113.08) + "</trkseg></trk></gpx>"
    ).encode()


@pytest.mark.parametrize("read", READERS)
def test_billion_laughs_is_refused_not_expanded(read):
    started = time.perf_counter()
    with pytest.raises(ForbiddenXml) as caught:
        read(BILLION_LAUGHS)
    assert caught.value.code == "forbidden_xml"
    assert "DOCTYPE" in caught.value.message
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("read", READERS)
def test_external_entity_file_is_refused(tmp_path, read):
    secret = tmp_path / "secret.txt"
    secret.write_text("the database password")
    for target in (secret.as_uri(), str(secret), "http://127.0.0.1:9/x"):
        with pytest.raises(ForbiddenXml) as caught:
            read(external_entity(target))
        assert "password" not in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE gpx SYSTEM "http://example.org/gpx.dtd"><gpx/>',
        b"<!DOCTYPE gpx><gpx/>",
        # An entity used without any declaration.
        gpx(trkpt(22.58, 113.08, "&date;")),
    ],
)
def test_any_doctype_or_entity_is_refused(data):
    for read in READERS:
        with pytest.raises(ForbiddenXml):
            read(data)


def test_utf16_doctype_is_refused_too():
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE gpx [<!ENTITY a "b">]><gpx/>'
    with pytest.raises(ForbiddenXml):
        gps.parse_gpx(data.encode("utf-16"))


@pytest.mark.parametrize("read", READERS)
def test_truncated_file(read):
    data = gpx(trkpt(22.58, 113.08) + trkpt(22.59, 113.09, "2024-05-06T01:31:00Z"))
    with pytest.raises(Malformed) as caught:
        read(data[: len(data) // 2])
    assert caught.value.code == "malformed"
    with pytest.raises(Malformed):
        read(b"")


def test_sixty_megabytes_refused_by_size_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.gpx"
    with open(path, "wb") as handle:
        handle.truncate(60 * 2**20)  # sparse: 60 MiB without writing them
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    for read in READERS:
        with pytest.raises(TooLarge) as caught:
            read(path)
        assert caught.value.code == "too_large"
        assert caught.value.detail["max_bytes"] == gps.DEFAULT_MAX_BYTES
    assert opened == []  # refused from the file's size alone
    monkeypatch.undo()

    # A seekable stream: refused from its size, nothing read.
    with real_open(path, "rb") as handle:
        with pytest.raises(TooLarge):
            gps.parse_gpx(handle)
        assert handle.tell() == 0

    # Bytes: refused before parsing.
    with pytest.raises(TooLarge):
        gps.parse_gpx(bytes(60 * 2**20))


def test_unseekable_stream_is_cut_off_at_the_limit():
    class Endless:
        """An upload that never ends: a GPX head, then whitespace forever."""

        def __init__(self):
            self.served = 0

        def read(self, size=-1):
            head = b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            out = head if self.served == 0 else b" " * size
            self.served += len(out)
            return out

    stream = Endless()
    with pytest.raises(TooLarge):
        gps.parse_gpx(stream, max_bytes=3 * 2**20)
    assert stream.served <= 3 * 2**20 + 2**20


def test_configurable_size_limit():
    data = gpx(trkpt(22.58, 113.08))
    with pytest.raises(TooLarge):
        gps.parse_gpx(data, max_bytes=len(data) - 1)
    assert len(gps.parse_gpx(data, max_bytes=len(data))) == 1


@pytest.mark.parametrize(
    ("point", "fix"),
    [
        (trkpt(91, 113.08), 2),
        (trkpt(-90.5, 113.08), 2),
        (trkpt(22.58, 180.01), 2),
        (trkpt("abc", 113.08), 2),
        (trkpt(22.58, "1,5"), 2),
        (trkpt("nan", 113.08), 2),
        (trkpt("inf", 113.08), 2),
        (trkpt("", 113.08), 2),
        ('<trkpt lon="113.08"><time>2024-05-06T01:30:00Z</time></trkpt>', 2),
        (trkpt(22.58, 113.08, ele="high"), 2),
    ],
)
def test_bad_coordinates(point, fix):
    data = gpx(trkpt(22.5, 113.0, "2024-05-06T01:29:00Z") + point)
    for read in READERS:
        with pytest.raises(BadCoordinate) as caught:
            read(data)
        assert caught.value.code == "bad_coordinate"
    assert caught.value.detail.get("fix") in (fix, None)
    with pytest.raises(BadCoordinate) as caught:
        gps.parse_gpx(data)
    assert caught.value.detail["fix"] == fix


@pytest.mark.parametrize(
    "time_text", [None, "", "yesterday", "2024-02-30T00:00:00Z", "2024-05-06T25:00:00Z"]
)
def test_missing_or_bad_times(time_text):
    data = gpx(trkpt(22.5, 113.0) + trkpt(22.6, 113.1, time_text))
    for read in READERS:
        with pytest.raises(BadTime) as caught:
            read(data)
        assert caught.value.code == "bad_time"
        assert caught.value.detail["fix"] == 2


def test_time_going_backwards_is_reported_and_dropped():
    data = gpx(
        trkpt(22.580, 113.08, "2024-05-06T01:30:00Z")
        + trkpt(22.581, 113.08, "2024-05-06T01:30:10Z")
        + trkpt(22.582, 113.08, "2024-05-06T01:29:00Z")
        + trkpt(22.583, 113.08, "2024-05-06T01:30:05Z")
        + trkpt(22.584, 113.08, "2024-05-06T01:30:20Z")
    )
    track = gps.parse_gpx(data)
    assert track.lat.tolist() == [22.580, 22.581, 22.584]
    assert track.fixes_read == 5
    (problem,) = track.problems
    assert (problem.code, problem.count, problem.first_fix) == ("out_of_order_fixes", 2, 3)
    summary = gps.analyse(track).to_dict()
    assert summary["summary"]["out_of_order_dropped"] == 2
    assert summary["problems"][0]["code"] == "out_of_order_fixes"


def test_duplicates_and_conflicts_are_reported():
    from tests.gps.conftest import TRICKY

    track = gps.parse_gpx(TRICKY["cleaning.gpx"])
    codes = {problem.code: (problem.count, problem.first_fix) for problem in track.problems}
    assert codes == {
        "out_of_order_fixes": (1, 5),
        "duplicate_fixes": (1, 2),
        "conflicting_fixes": (1, 4),
    }
    assert len(track) == 3 and (track.time_ms[1:] > track.time_ms[:-1]).all()


@pytest.mark.parametrize(
    "data",
    [
        gpx(""),
        b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"/>',
        b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><rte>'
        b'<rtept lat="1" lon="2"/></rte><wpt lat="1" lon="2"/></gpx>',
    ],
)
def test_empty_track(data):
    for read in READERS:
        with pytest.raises(EmptyTrack) as caught:
            read(data)
        assert caught.value.code == "empty_track"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>',
        b"<html><body>not a track</body></html>",
        b'<gpx xmlns="http://www.topografix.com/GPX/2/0"/>',
    ],
)
def test_non_gpx_xml(data):
    for read in READERS:
        with pytest.raises(NotGpx) as caught:
            read(data)
        assert caught.value.code == "not_gpx"


@pytest.mark.parametrize("data", [b"not xml at all", b"\x00\x01\x02", b"<gpx><trk></gpx>", b"{}"])
def test_garbage_is_malformed(data):
    for read in READERS:
        with pytest.raises(Malformed):
            read(data)


def test_errors_are_value_errors_with_a_stable_shape():
    with pytest.raises(ValueError) as caught:
        gps.parse_gpx(gpx(trkpt(91, 0)))
    error = caught.value
    assert isinstance(error, GpxError)
    assert error.to_dict() == {
        "code": "bad_coordinate",
        "message": error.message,
        "detail": {"fix": 1},
    }
