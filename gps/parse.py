"""The fast GPX reader: streaming expat into numpy arrays.

It reads what gpxpy reads — ``lat``/``lon`` attributes, ``<ele>`` and
``<time>`` of each ``<trkpt>`` directly inside ``<trk>/<trkseg>`` (every
track, every segment, in file order), or of each ``<rtept>`` inside ``<rte>``
— without building a tree: the handlers below only append strings to lists,
and every 65,536 fixes the lists are converted to arrays in bulk, so memory
stays proportional to the number of fixes, not to the file.

The tests prove that :func:`parse_gpx` and the gpxpy-based
:func:`gps.reference.parse_gpx_reference` give identical tracks on every file
of the test corpus.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from gps.errors import BadCoordinate, BadTime, NotGpx
from gps.guard import DEFAULT_MAX_BYTES, Source, iter_chunks, new_parser, parse_xml
from gps.times import parse_times
from gps.track import Track, build_track
from manifest.texts import Text

GPX_NAMESPACES = (
    "http://www.topografix.com/GPX/1/0",
    "http://www.topografix.com/GPX/1/1",
    "",  # some writers omit the namespace; gpxpy accepts that too
)
_FLUSH = 1 << 16


@dataclass
class RawFixes:
    """Fixes as read, in file order, before validation and cleaning."""

    lat: np.ndarray
    lon: np.ndarray
    time_ms: np.ndarray | None  # None when times were not asked for
    ele: np.ndarray


def parse_gpx(
    source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES, elevation: bool = True
) -> Track:
    """Read the track points of a GPX 1.0 or 1.1 file into a :class:`Track`.

    ``source`` is the bytes, a path, or a binary stream. All ``<trk>`` and all
    their ``<trkseg>`` are read in file order; routes and waypoints are
    ignored. Times without an offset are UTC. With ``elevation=False`` the
    ``<ele>`` elements are neither read nor checked and ``Track.ele`` is all
    NaN (the analysis does not use elevation; reading it costs time).

    Raises (all :class:`gps.errors.GpxError`): ``TooLarge`` (over ``max_bytes``,
    checked before parsing when the size is known, else while streaming),
    ``ForbiddenXml`` (DOCTYPE, entities), ``Malformed`` (not well-formed,
    truncated), ``NotGpx`` (another XML document), ``EmptyTrack`` (no track
    points), ``BadCoordinate`` (missing, non-numeric or out-of-range position or
    non-numeric elevation when it is read), ``BadTime`` (a fix without a valid
    time).
    """
    raw = read_fixes(iter_chunks(source, max_bytes), "trkpt", with_time=True, with_ele=elevation)
    assert raw.time_ms is not None
    return build_track(raw.lat, raw.lon, raw.time_ms, raw.ele)


def read_fixes(
    chunks: Iterator[memoryview], point: str, *, with_time: bool, with_ele: bool = True
) -> RawFixes:
    """Stream a GPX document and return the ``point`` elements (trkpt or rtept).

    Without ``with_ele`` the elevations are not read: ``ele`` is all NaN.

    Raises the GpxErrors listed in :func:`parse_gpx`, except EmptyTrack: an
    empty result is returned as empty arrays.
    """
    if point == "trkpt":
        container, container_level = "trkseg", 3
    elif point == "rtept":
        container, container_level = "rte", 2
    else:
        raise ValueError(f"unknown point element {point!r}")
    columns = _Columns(with_time, with_ele)
    lats: list[str] = []
    lons: list[str] = []
    times: list[str | None] = []
    eles: list[str | None] = []
    text: list[str] = []  # expat appends character data here directly

    level = 0  # depth of the current element; the root is 1
    point_level = 0  # depth of the open point element (trkpt/rtept); 0 when none
    open_level = 0  # depth of the open container (trkseg/rte); 0 when none
    in_trk = False
    collect = 0  # 1 inside the open point's <time>, 2 inside its <ele>
    name_point = name_time = name_ele = name_container = name_trk = "\0"

    def start(name: str, attrs: list[str]) -> None:
        nonlocal level, point_level, collect
        level += 1
        if point_level:
            if level == point_level + 1:
                if name == name_time:
                    collect = 1
                    text.clear()
                elif name == name_ele:
                    collect = 2
                    text.clear()
            return
        if name == name_point and level == open_level + 1 and open_level:
            point_level = level
            if len(attrs) == 4 and attrs[0] == "lat" and attrs[2] == "lon":
                lats.append(attrs[1])
                lons.append(attrs[3])
            else:
                lat, lon = _position(attrs, columns.count + len(lats) + 1)
                lats.append(lat)
                lons.append(lon)
            times.append(None)
            if with_ele:
                eles.append(None)
        elif level <= 3:
            structure(name)

    def end(name: str) -> None:
        nonlocal level, point_level, collect, open_level
        if collect:
            # Only the first <time> and <ele> of a point count, as in gpxpy.
            if collect == 1:
                if times[-1] is None:
                    times[-1] = "".join(text)
            elif eles[-1] is None:
                eles[-1] = "".join(text)
            collect = 0
        elif level == point_level:
            point_level = 0
        elif level == open_level:
            open_level = 0
        level -= 1

    def structure(name: str) -> None:
        nonlocal open_level, in_trk, name_point, name_time, name_ele, name_container, name_trk
        if level == 1:
            namespace, _, local = name.rpartition(" ")
            if local != "gpx" or namespace not in GPX_NAMESPACES:
                shown = f"{{{namespace}}}{local}" if namespace else local
                raise NotGpx(Text("gpx_root_not_gpx", root=shown))
            prefix = namespace + " " if namespace else ""
            name_point, name_time = prefix + point, prefix + "time"
            if with_ele:  # else "\0" never matches: <ele> is skipped like any other child
                name_ele = prefix + "ele"
            name_container, name_trk = prefix + container, prefix + "trk"
        elif level == 2:
            in_trk = name == name_trk
            if container_level == 2 and name == name_container:
                open_level = 2
        elif container_level == 3 and in_trk and name == name_container:
            open_level = 3

    def after_chunk() -> None:
        if not collect:
            text.clear()  # whitespace between elements
        # The last point may still be open: convert only those before it.
        if len(lats) > _FLUSH:
            columns.add(lats, lons, times, eles, len(lats) - 1)

    parser = new_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    parse_xml(parser, chunks, after_chunk)
    columns.add(lats, lons, times, eles, len(lats))
    return columns.result()


def _position(attrs: list[str], fix: int) -> tuple[str, str]:
    values = dict(zip(attrs[::2], attrs[1::2], strict=True))
    missing = [key for key in ("lat", "lon") if key not in values]
    if missing:
        raise BadCoordinate(
            Text("gpx_fix_without_position", fix=fix, missing=" or ".join(missing)), fix=fix
        )
    return values["lat"], values["lon"]


class _Columns:
    """Converts batches of strings to arrays; raises for the first bad value."""

    def __init__(self, with_time: bool, with_ele: bool) -> None:
        self.with_time = with_time
        self.with_ele = with_ele
        self.count = 0
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        lats: list[str],
        lons: list[str],
        times: list[str | None],
        eles: list[str | None],
        k: int,
    ) -> None:
        """Convert the first ``k`` entries of each list and remove them."""
        if k == 0:
            return
        first = self.count + 1
        lat = _floats(lats[:k], "latitude", first)
        lon = _floats(lons[:k], "longitude", first)
        if self.with_ele:
            ele = _floats(eles[:k], "elevation", first)
        else:
            ele = np.full(k, np.nan)
        part: tuple[np.ndarray, ...] = (lat, lon, ele)
        if self.with_time:
            batch = times[:k]
            for missing in (None, ""):
                if missing in batch:
                    fix = first + batch.index(missing)
                    raise BadTime(Text("gpx_fix_without_time", fix=fix), fix=fix)
            ms, bad = parse_times(batch)  # type: ignore[arg-type]
            if bad is not None:
                raise BadTime(
                    Text("gpx_fix_bad_time", fix=first + bad, time=batch[bad]),
                    fix=first + bad,
                )
            part += (ms,)
        self.parts.append(part)
        self.count += k
        for values in (lats, lons, times, eles):
            del values[:k]

    def result(self) -> RawFixes:
        if not self.parts:
            empty = np.zeros(0, dtype=np.float64)
            return RawFixes(
                empty, empty, np.zeros(0, dtype=np.int64) if self.with_time else None, empty
            )
        joined = [np.concatenate(column) for column in zip(*self.parts, strict=True)]
        self.parts.clear()
        return RawFixes(
            lat=joined[0],
            lon=joined[1],
            ele=joined[2],
            time_ms=joined[3] if self.with_time else None,
        )


_WIDTH_F = 17  # decimal texts longer than 16 characters take the slow path
_POW10 = 10.0 ** np.arange(16)


def _decimal_floats(values: list) -> tuple[np.ndarray, np.ndarray] | None:
    """Vectorised exact float() of plain decimals like ``-22.5800190``.

    A text of an optional ``-``, at most 15 digits and at most one ``.`` is
    ``m / 10**k`` for integers ``m < 2**53`` and ``k <= 15``; both are exact
    doubles, so the one division is correctly rounded, exactly as ``float()``
    rounds the decimal. Rows are grouped by layout (sign, length, position of
    the point) so each group is one matrix product. Returns (values, ok) or
    None when the texts cannot be encoded as ASCII; rows not ok must be
    converted another way.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.float64), np.ones(0, dtype=bool)
    try:
        raw = np.array(values, dtype=f"S{_WIDTH_F}")
    except (UnicodeEncodeError, TypeError, ValueError):
        return None
    m = raw.view(np.uint8).reshape(n, _WIDTH_F)
    length = np.count_nonzero(m, axis=1)
    is_dot = m == 46
    dot = np.where(is_dot.any(axis=1), is_dot.argmax(axis=1), -1)
    negative = m[:, 0] == 45
    # One integer per layout; texts of the full width (maybe cut) get no layout.
    layout = np.where(length < _WIDTH_F, (negative * 32 + length) * 32 + dot + 1, -1)
    result = np.zeros(n, dtype=np.float64)
    ok = np.zeros(n, dtype=bool)
    if (layout == layout[0]).all():
        groups = [(int(layout[0]), slice(None))]  # one layout, as loggers write
    else:
        kinds = np.unique(layout)
        if kinds.shape[0] > 16:
            return result, ok  # no common layout: not worth it
        groups = [(kind, np.flatnonzero(layout == kind)) for kind in kinds.tolist()]
    for kind, rows in groups:
        if kind < 0:
            continue
        size, point, sign = (kind // 32) % 32, kind % 32 - 1, kind // 1024
        columns = [c for c in range(sign, size) if c != point]
        if not columns or len(columns) > 15:
            continue
        chars = m[rows][:, columns]
        good = (chars - 48 <= 9).all(axis=1)  # uint8: non-digits wrap above 9
        # Exact in float64: every product and partial sum is an integer below 2**53.
        mantissa = (chars.astype(np.float64) - 48.0) @ _POW10[len(columns) - 1 :: -1]
        value = mantissa / (_POW10[size - 1 - point] if point >= 0 else 1.0)
        result[rows] = -value if sign else value
        ok[rows] = good
    return result, ok


def _floats(values: list, what: str, first: int) -> np.ndarray:
    """Strings to float64 exactly as ``float()`` reads them, None or "" (missing) to NaN.

    Raises BadCoordinate naming the first fix whose value is not a number.
    """
    fast = _decimal_floats(values)
    if fast is not None:
        result, ok = fast
        rest = np.flatnonzero(~ok)
        if rest.size == 0:
            return result
        try:
            result[rest] = np.array([values[i] for i in rest.tolist()], dtype=np.float64)
            return result
        except (ValueError, TypeError):
            pass  # None, "" or a bad value among them: the careful path below
    return _careful_floats(values, what, first)


def _careful_floats(values: list, what: str, first: int) -> np.ndarray:
    """:func:`_floats` without the fast path: the one that finds and names a bad value."""
    try:
        return np.array(values, dtype=np.float64)
    except (ValueError, TypeError):
        pass
    if "" in values:
        values = [value or None for value in values]
        try:
            return np.array(values, dtype=np.float64)
        except (ValueError, TypeError):
            pass
    for index, value in enumerate(values):
        try:
            float(value) if value is not None else None
        except (ValueError, TypeError):
            fix = first + index
            raise BadCoordinate(
                Text("gpx_fix_not_a_number", fix=fix, coordinate=what, value=repr(value)),
                fix=fix,
            ) from None
    raise AssertionError("unreachable: numpy refused a list that float() accepts")
