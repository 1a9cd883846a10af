"""The fast reader against gpxpy, on every file of the corpus, and its inputs."""

from __future__ import annotations

import io

import numpy as np
import pytest

import gps
from gps.errors import GpxError, Malformed, NotGpx
from tests.gps.conftest import TRICKY, gpx, trkpt


def test_fast_and_reference_readers_agree_on_every_corpus_file(corpus):
    assert len(corpus) >= 10
    for name, data in corpus.items():
        fast = gps.parse_gpx(data)
        reference = gps.parse_gpx_reference(data)
        assert fast.same_as(reference), name
        assert fast.lat.dtype == np.float64 and fast.time_ms.dtype == np.int64


def test_times_honour_offsets_and_naive_times_are_utc():
    track = gps.parse_gpx(TRICKY["time-forms.gpx"])
    base = 1714959000000  # 2024-05-06T01:30:00Z
    assert track.time_ms.tolist() == [
        base + 123,
        base + 1000,
        base + 2500,
        base + 3000,
        base + 4000,
        base + 5999,  # truncated to the millisecond
    ]


def test_all_tracks_and_segments_are_read_and_routes_ignored():
    track = gps.parse_gpx(TRICKY["segments-and-tracks.gpx"])
    assert track.lat.tolist() == [22.58, 22.581, 22.582]


def test_odd_but_valid_file():
    track = gps.parse_gpx(TRICKY["odd-but-valid.gpx"])
    assert track.lat.tolist() == [22.58, 22.5801, 22.58]
    assert track.ele[:2].tolist() == [12.5, 12.0] and np.isnan(track.ele[2])
    # The first <time> of a point counts; x:time in extensions does not.
    assert track.time_ms.tolist() == [1714959000000, 1714959001000, 1714959002000]


def test_gpx_1_0_and_missing_elevation():
    track = gps.parse_gpx(TRICKY["gpx10.gpx"])
    assert len(track) == 2 and track.ele.tolist() == [3.5, 3.6]
    track = gps.parse_gpx(gpx(trkpt(1, 2) + trkpt(1, 2.001, "2024-05-06T01:30:01Z")))
    assert np.isnan(track.ele).all()


@pytest.mark.parametrize(
    "kind", ["bytes", "bytearray", "memoryview", "path", "str", "file", "stream"]
)
def test_sources(tmp_path, kind):
    data = TRICKY["gpx10.gpx"]
    path = tmp_path / "t.gpx"
    path.write_bytes(data)

    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def read(self, size=-1):
            return self.inner.read(size)

    source = {
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),
        "path": path,
        "str": str(path),
        "file": io.BytesIO(data),
        "stream": Unseekable(),
    }[kind]
    assert gps.parse_gpx(source).same_as(gps.parse_gpx_reference(data))


def test_text_stream_is_a_type_error():
    with pytest.raises(TypeError):
        gps.parse_gpx(io.StringIO("<gpx/>"))


def test_values_across_chunk_and_batch_boundaries():
    # More than one 65,536-fix batch and many 1 MiB chunks, with values split
    # between chunks wherever they fall.
    n = 70_000
    t = np.datetime64("2024-05-06T01:30:00") + np.arange(n)
    points = "".join(
        f'<trkpt lat="{22 + i * 1e-6:.7f}" lon="113.0"><ele>{i % 50}.25</ele>'
        f"<time>{stamp}Z</time></trkpt>\n"
        for i, stamp in enumerate(t.astype(str).tolist())
    )
    data = gpx(points)
    assert len(data) > 5 * 2**20
    fast = gps.parse_gpx(data, max_bytes=len(data))
    assert len(fast) == n
    assert fast.same_as(gps.parse_gpx_reference(data, max_bytes=len(data)))
    assert np.all(np.diff(fast.time_ms) == 1000)


def test_routes_from_geojson_and_gpx():
    line = [[113.08, 22.58], [113.09, 22.59], [113.10, 22.60]]
    import json

    for document in (
        {"type": "LineString", "coordinates": line},
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "LineString", "coordinates": line},
        },
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": line[0]}},
                {"type": "Feature", "geometry": {"type": "LineString", "coordinates": line}},
            ],
        },
    ):
        route = gps.parse_route(json.dumps(document).encode())
        assert route.lon.tolist() == [113.08, 113.09, 113.10]
        assert (
            gps.parse_route(json.dumps(document).encode(), "application/geo+json").lat[2]
            == 0.6 + 22
        )
    rte = (
        b'<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><rte>'
        b'<rtept lat="22.58" lon="113.08"/><rtept lat="22.59" lon="113.09"/></rte></gpx>'
    )
    assert gps.parse_route(rte).lat.tolist() == [22.58, 22.59]
    # A GPX without <rte> gives its track; times do not matter there.
    track_only = gpx(trkpt(22.58, 113.08, None) + trkpt(22.59, 113.09, None))
    assert gps.parse_route(track_only, "application/gpx+xml").lat.tolist() == [22.58, 22.59]


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (b'{"type": "Point", "coordinates": [1, 2]}', None, "unsupported_format"),
        (b'{"type": "LineString", "coordinates": [[1, 2]]}', None, "empty_route"),
        (b'{"type": "LineString", "coordinates": [[1, 2], [1, 2]]}', None, "empty_route"),
        (b'{"type": "LineString", "coordinates": [[1, 2], [1, "x"]]}', None, "bad_coordinate"),
        (b'{"type": "LineString", "coordinates": [[1, 2], [1, 95]]}', None, "bad_coordinate"),
        (b'{"type": "LineString", "coordinates": [[1, 2], [1, NaN]]}', None, "malformed"),
        (b'{"type": "LineString", "coordinates": [[1, 2], ', None, "malformed"),
        (b'{"type": "FeatureCollection", "features": []}', None, "unsupported_format"),
        (b"hello", None, "unsupported_format"),
        (b"{}", "text/csv", "unsupported_format"),
        (b"<kml/>", None, "not_gpx"),
        (b'<gpx xmlns="http://www.topografix.com/GPX/1/1"/>', None, "empty_route"),
    ],
)
def test_bad_routes(data, content_type, code):
    with pytest.raises(gps.GpxError) as caught:
        gps.parse_route(data, content_type)
    assert caught.value.code == code


def test_not_gpx_names_the_root():
    with pytest.raises(NotGpx, match="kml"):
        gps.parse_gpx(b'<kml xmlns="http://www.opengis.net/kml/2.2"><trkpt/></kml>')
    # The GPX element name in another namespace is not GPX either.
    with pytest.raises(NotGpx):
        gps.parse_gpx(b'<gpx xmlns="urn:other"><trk><trkseg></trkseg></trk></gpx>')


def test_without_elevation_the_fast_reader_still_agrees_on_positions_and_times(corpus):
    for name, data in corpus.items():
        full = gps.parse_gpx_reference(data)
        lean = gps.parse_gpx(data, elevation=False)
        assert len(lean) == len(full), name
        np.testing.assert_array_equal(lean.lat, full.lat)
        np.testing.assert_array_equal(lean.lon, full.lon)
        np.testing.assert_array_equal(lean.time_ms, full.time_ms)
        assert np.isnan(lean.ele).all(), name


def test_a_bad_elevation_is_ignored_when_elevation_is_not_read():
    data = gpx(
        trkpt("22.58", "113.08", ele="high")
        + trkpt("22.581", "113.081", "2024-05-06T01:30:01Z", "9")
    )
    with pytest.raises(gps.GpxError):
        gps.parse_gpx(data)
    track = gps.parse_gpx(data, elevation=False)
    assert len(track) == 2


@pytest.mark.parametrize("encoding", ["GBK", "gb2312", "GB18030"])
def test_a_file_in_a_chinese_national_encoding_reads_as_its_utf8_twin(encoding):
    points = "".join(
        f'<trkpt lat="22.58{i}" lon="113.08{i}"><name>江门市蓬江区第{i}点</name>'
        f"<time>2024-05-06T01:30:0{i}Z</time></trkpt>"
        for i in range(5)
    )
    utf8 = gpx(points)
    legacy = utf8.decode().replace('encoding="UTF-8"', f'encoding="{encoding}"').encode("gb18030")
    assert legacy != utf8
    assert gps.parse_gpx(legacy).same_as(gps.parse_gpx(utf8))
    # From a stream that hands out 7 bytes at a time, cutting characters in two.
    assert gps.parse_gpx(Trickle(legacy)).same_as(gps.parse_gpx(utf8))


def test_a_file_declared_gbk_with_bytes_that_are_not_is_malformed():
    bad = gpx(trkpt(1, 2)).replace(b'encoding="UTF-8"', b'encoding="GBK"') + b"\x80\xff"
    with pytest.raises(Malformed, match="declared GBK"):
        gps.parse_gpx(bad)


class Trickle(io.RawIOBase):
    """A raw stream that returns at most 7 bytes per read."""

    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        piece = self.data[self.at : self.at + 7]
        buffer[: len(piece)] = piece
        self.at += len(piece)
        return len(piece)


def test_every_refusal_keeps_its_code():
    # The codes reach API clients in an error's details; renaming a class must not change one.
    assert {kind.__name__: kind.code for kind in GpxError.__subclasses__()} == {
        "TooLarge": "too_large",
        "ForbiddenXml": "forbidden_xml",
        "Malformed": "malformed",
        "NotGpx": "not_gpx",
        "UnsupportedFormat": "unsupported_format",
        "EmptyTrack": "empty_track",
        "EmptyRoute": "empty_route",
        "BadCoordinate": "bad_coordinate",
        "BadTime": "bad_time",
        "UnknownCrs": "unknown_crs",
        "NotATrackTable": "not_a_track_table",
        "TooManyRows": "too_many_rows",
        "BadRows": "bad_rows",
        "WrongVehicle": "wrong_vehicle",
    }
    assert GpxError("refused").to_dict()["code"] == "gpx_error"
