"""Writes the fleet-platform exports of this folder from a real drive (``python build.py``).

The drive is ../gpx/kmart-to-middletown-rd.gpx, read with gpxpy (not with hwm's parser).
Positions are copied as the GPX writes them, so the exports hold exactly the same numbers;
times are rewritten in Beijing time (or kept with their offset in the English file), as a
Chinese monitoring platform would print them. The plate is the one the tests' trips use.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gpxpy
import openpyxl

from manifest.local_time import CHINA

HERE = Path(__file__).parent
DRIVE = HERE.parent / "gpx" / "kmart-to-middletown-rd.gpx"
PLATE = "粤J12345"
#: After these fixes (1-based) the platform wrote a row without a fix (a tunnel, a restart).
UNPOSITIONED_AFTER = (40, 41, 200)


def _fixes():
    text = DRIVE.read_text(encoding="utf-8")
    raw = re.findall(r'<trkpt lat="([^"]+)" lon="([^"]+)"><ele>([^<]+)</ele>', text)
    points = gpxpy.parse(text).tracks[0].segments[0].points
    assert len(raw) == len(points)
    previous = None
    for (lat, lon, ele), point in zip(raw, points, strict=True):
        heading = 0 if previous is None else _bearing(previous, point)
        speed = 0.0 if point.speed is None else point.speed * 3.6
        yield lat, lon, ele, point.time, round(speed, 1), heading
        previous = point


def _bearing(a, b) -> int:
    y = math.sin(math.radians(b.longitude - a.longitude)) * math.cos(math.radians(b.latitude))
    x = math.cos(math.radians(a.latitude)) * math.sin(math.radians(b.latitude)) - math.sin(
        math.radians(a.latitude)
    ) * math.cos(math.radians(b.latitude)) * math.cos(math.radians(b.longitude - a.longitude))
    return round(math.degrees(math.atan2(y, x))) % 360


def _rows():
    """(positioned?, lat, lon, ele, aware time, speed, heading) in the platform's order."""
    for number, (lat, lon, ele, time, speed, heading) in enumerate(_fixes(), start=1):
        yield True, lat, lon, ele, time, speed, heading
        if number in UNPOSITIONED_AFTER:
            yield False, "0", "0", "0", time + timedelta(milliseconds=500), 0.0, 0


def _beijing(time: datetime) -> datetime:
    return time.astimezone(CHINA).replace(tzinfo=None)


def gbk_csv() -> bytes:
    """A platform's Chinese export in GBK, with a title and a query line above the header."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["车辆历史轨迹明细"])
    writer.writerow([f"车牌号：{PLATE}", "查询时段：2015-04-07 07:27 至 07:33"])
    writer.writerow(
        ["序号", "车牌号", "车牌颜色", "定位时间", "经度", "纬度", "速度(km/h)", "方向"]
        + ["海拔(米)", "定位状态", "地址"]
    )
    for n, (ok, lat, lon, ele, time, speed, heading) in enumerate(_rows(), start=1):
        when = _beijing(time).strftime("%Y-%m-%d %H:%M:%S")
        status = "定位" if ok else "未定位"
        writer.writerow([n, PLATE, "黄色", when, lon, lat, speed, heading, ele, status, ""])
    return out.getvalue().encode("gbk")


def utf8_bom_csv() -> bytes:
    """Another platform: UTF-8 with BOM, GPS时间 in the slashed form, status 1/0."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["车牌号", "GPS时间", "经度", "纬度", "速度", "方向", "定位状态", "海拔"])
    for ok, lat, lon, ele, time, speed, heading in _rows():
        local = _beijing(time)
        when = f"{local.year}/{local.month}/{local.day} {local:%H:%M:%S}"
        writer.writerow([PLATE, when, lon, lat, speed, heading, 1 if ok else 0, ele])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def english_csv() -> bytes:
    """English headers and the drive's own times with their UTC offset (-04:00)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Plate", "Time", "Latitude", "Longitude", "Speed", "Heading", "Valid", "Alt"])
    for ok, lat, lon, ele, time, speed, heading in _rows():
        when = time.isoformat(timespec="milliseconds" if time.microsecond else "seconds")
        writer.writerow([PLATE, when, lat, lon, speed, heading, "valid" if ok else "invalid", ele])
    return out.getvalue().encode("utf-8")


def xlsx() -> bytes:
    """An XLSX export: a title row, then typed cells (times as spreadsheet date-times)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "轨迹"
    sheet.append([f"{PLATE} 历史轨迹"])
    sheet.append(["车牌号", "定位时间", "经度", "纬度", "速度", "方向", "海拔", "定位状态"])
    for ok, lat, lon, ele, time, speed, heading in _rows():
        row = [PLATE, _beijing(time), float(lon), float(lat), speed, heading, float(ele)]
        sheet.append(row + ["定位" if ok else "未定位"])
        sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd hh:mm:ss"
    out = io.BytesIO()
    book.properties.created = datetime(2015, 4, 7, tzinfo=UTC).replace(tzinfo=None)
    book.save(out)
    return out.getvalue()


if __name__ == "__main__":
    (HERE / "kmart-platform-gbk.csv").write_bytes(gbk_csv())
    (HERE / "kmart-platform-utf8-bom.csv").write_bytes(utf8_bom_csv())
    (HERE / "kmart-english.csv").write_bytes(english_csv())
    (HERE / "kmart-platform.xlsx").write_bytes(xlsx())
