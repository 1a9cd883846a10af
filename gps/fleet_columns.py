"""The columns of fleet-platform track exports: header aliases and positioning-status values.

Chinese fleet monitoring platforms (the ones every dangerous-goods vehicle reports to) export
a vehicle's track as CSV or XLSX with one row per position. Their headers differ from one
platform to the next; this table is the one place that says which names mean what. Names are
compared after :func:`manifest.tabular.header_key` (NFKC, lower case, no spaces or
underscores), and a unit in brackets is ignored: ``速度(km/h)`` is ``速度``, ``海拔（米）`` is
``海拔``.

=========== ========================================= ===================================
field       Chinese headers                           English headers
=========== ========================================= ===================================
time        定位时间, GPS时间, 时间, 上报时间, 回传时间  time, gps_time, timestamp, datetime
lat         纬度                                      lat, latitude
lon         经度                                      lon, lng, long, longitude
plate       车牌号, 车牌号码, 车牌, 车辆              plate, plate_no, vehicle_plate, vehicle
status      定位状态, 定位, GPS状态, 有效性           status, fix, positioned, valid, gps_status
altitude    海拔, 高程, 海拔高度, 高度                altitude, elevation, ele, alt
speed       速度, GPS速度                             speed
heading     方向, 方向角, 航向                        heading, direction, course, bearing
=========== ========================================= ===================================

time, lat and lon are required; the others are optional. Other columns (地址, 里程, 报警 …)
are ignored.
"""

from __future__ import annotations

import re

from manifest.tabular import header_key

REQUIRED = ("time", "lat", "lon")
OPTIONAL = ("plate", "status", "altitude", "speed", "heading")
FIELDS = REQUIRED + OPTIONAL

ALIASES: dict[str, tuple[str, ...]] = {
    "time": (
        "定位时间",
        "GPS时间",
        "时间",
        "上报时间",
        "回传时间",
        "采集时间",
        "time",
        "gps_time",
        "gpstime",
        "timestamp",
        "datetime",
        "fix_time",
    ),
    "lat": ("纬度", "lat", "latitude"),
    "lon": ("经度", "lon", "lng", "long", "longitude"),
    "plate": (
        "车牌号",
        "车牌号码",
        "车牌",
        "车辆",
        "plate",
        "plate_no",
        "vehicle_plate",
        "vehicle",
    ),
    "status": (
        "定位状态",
        "定位",
        "GPS状态",
        "有效性",
        "status",
        "fix",
        "positioned",
        "valid",
        "gps_status",
        "fix_status",
    ),
    "altitude": ("海拔", "高程", "海拔高度", "高度", "altitude", "elevation", "ele", "alt"),
    "speed": ("速度", "GPS速度", "speed"),
    "heading": ("方向", "方向角", "航向", "heading", "direction", "course", "bearing"),
}

#: Values of the status column, compared after :func:`header_key`. 0/1 as JT/T 808's
#: "positioned" status bit; A/V as NMEA's RMC status.
POSITIONED = frozenset(
    header_key(v) for v in ("定位", "已定位", "有效", "有效定位", "是", "1", "A", "valid", "yes")
)
NOT_POSITIONED = frozenset(
    header_key(v)
    for v in ("未定位", "不定位", "无效", "无效定位", "否", "0", "V", "invalid", "no", "none")
)

_FIELD_OF = {header_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}
_UNIT = re.compile(r"^(.+?)\(.*\)$")


def field_of(header: object) -> str | None:
    """The field a header names, or None when it is not a column we read."""
    if header is None:
        return None
    key = header_key(str(header).lstrip("\ufeff"))
    unit = _UNIT.match(key)
    if unit:
        key = unit.group(1)
    return _FIELD_OF.get(key)


def map_header(cells: list[object]) -> dict[str, int] | None:
    """Field name -> column index for a header row, or None when ``cells`` is not a header
    (it lacks one of time, lat, lon). A repeated field keeps its first column."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = field_of(cell)
        if name is not None and name not in columns:
            columns[name] = index
    if not all(name in columns for name in REQUIRED):
        return None
    return columns


def is_positioned(value: object) -> bool | None:
    """True or False for a known status value, None for an unknown or empty one."""
    key = header_key(str(value)) if value is not None else ""
    if key in POSITIONED:
        return True
    if key in NOT_POSITIONED:
        return False
    return None
