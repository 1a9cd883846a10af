"""What the pages say about refused GPS logs, fleet-platform exports, planned routes and
records that are not there: in the page's language (Chinese by default, English on
request), while the API keeps its English sentences."""

from __future__ import annotations

import io
from html import unescape

import pytest
from flask_babel import force_locale

from gps.errors import GpxError
from gps.route import parse_route
from tests.builders import advance, create_manifest

from .test_admin_pages import _post
from .test_transport_pages import GPX, errors_of, post

ROW_OUT_OF_RANGE = (
    "定位时间,纬度,经度\n2026-11-20 08:00:00,22.5,113.0\n2026-11-20 08:01:00,95,113.0\n"
)
GPX_OUT_OF_RANGE = (
    b'<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1"><trk><trkseg>'
    b'<trkpt lat="95" lon="113"><time>2026-11-20T08:00:00Z</time></trkpt>'
    b"</trkseg></trk></gpx>"
)
GPX_NOT_A_NUMBER = GPX_OUT_OF_RANGE.replace(b'lat="95"', b'lat="north"')
NOT_A_WORKBOOK = b"PK\x03\x04 this is no workbook"


def _upload(client, path: str, data: bytes, name: str, crs: str = "wgs84") -> tuple[int, str]:
    answer = post(client, path, {"crs": crs, "file": (io.BytesIO(data), name)})
    return answer.status_code, unescape(answer.get_data(as_text=True))


def test_refused_exports_rows_and_coordinates_are_said_in_the_page_language(app, client_for, world):
    manifest = advance(world, create_manifest(world), "in_transit")
    client = client_for(world.carrier, "driver")
    path = f"/web/manifests/{manifest.id}/tracks"
    export = ROW_OUT_OF_RANGE.encode()

    status, html = _upload(client, path, export, "export.csv")
    said = errors_of(html, "file")
    assert status == 422 and "未保存任何数据" in said and "第 3 行，纬度：'95' 超出范围" in said
    assert "nothing was stored" not in html
    status, html = _upload(client, path, GPX_OUT_OF_RANGE, "trip.gpx")
    assert status == 422 and "纬度须在 [-90, 90] 之间" in errors_of(html, "file")
    status, html = _upload(client, path, GPX_NOT_A_NUMBER, "trip.gpx")
    assert status == 422 and "第 1 个定位点的纬度为 'north'，不是数字" in errors_of(html, "file")
    status, html = _upload(client, path, NOT_A_WORKBOOK, "export.xlsx")
    assert status == 422 and "不是可读取的 XLSX 工作簿" in errors_of(html, "file")

    client.get("/web/?lang=en")
    status, html = _upload(client, path, export, "export.csv")
    said = errors_of(html, "file")
    assert status == 422 and "line 3, 纬度: '95' is outside [-90, 90]" in said
    assert "1 problem(s) in the rows, nothing was stored" in said and "未保存" not in html
    status, html = _upload(client, path, GPX_NOT_A_NUMBER, "trip.gpx")
    assert "fix 1 has latitude 'north', which is not a number" in errors_of(html, "file")
    status, html = _upload(client, path, NOT_A_WORKBOOK, "export.xlsx")
    assert "the file is not a readable XLSX workbook" in errors_of(html, "file")

    api = app.test_client().post(
        f"/api/v1/manifests/{manifest.id}/tracks",
        data=export,
        headers={**world.carrier.auth(), "Content-Type": "text/csv", "Accept-Language": "en"},
    )
    assert api.status_code == 422
    assert api.get_json()["message"] == (
        "1 problem(s) in the rows, nothing was stored: line 3, 纬度: '95' is outside [-90, 90]"
    )


def test_a_file_sent_again_in_another_coordinate_system_says_both_systems(client_for, world):
    manifest = advance(world, create_manifest(world), "in_transit")
    client = client_for(world.carrier, "driver")
    path = f"/web/manifests/{manifest.id}/tracks"
    data = GPX.read_bytes()
    assert _upload(client, path, data, "trip.gpx", "wgs84")[0] == 303

    status, html = _upload(client, path, data, "trip.gpx", "gcj02")
    said = errors_of(html, "crs")
    assert status == 422
    assert "此前上传时声明的坐标系为 WGS-84" in said and "现在不能改为 GCJ-02" in said
    client.get("/web/?lang=en")
    status, html = _upload(client, path, data, "trip.gpx", "bd09")
    said = errors_of(html, "crs")
    assert "declared in WGS-84 (GPS receivers, most trackers) when this file was uploaded" in said
    assert "it cannot now be BD-09 (Baidu maps)" in said


@pytest.mark.parametrize(
    ("route", "chinese", "english"),
    [
        (b'{"type": "Point", "coordinates": [113, 22]}', "不是路线", "is not a route"),
        (b'{"type": "LineString"}', "没有 coordinates 数组", "has no coordinates array"),
        (
            b'{"type": "LineString", "coordinates": [[113, 22], "x"]}',
            "第 2 个路线点",
            "route point 2",
        ),
        (b'{"type": "LineString", "coordinates": [[113, 22], [113, 95]]}', "纬度须在", "within"),
        (b'{"type": "FeatureCollection", "features": []}', "路线只能有一个", "needs one"),
        (b"[1, 2", "不是有效的 JSON", "not valid JSON"),
    ],
)
def test_refused_routes_are_said_in_the_page_language(app, route, chinese, english):
    with pytest.raises(GpxError) as refused:
        parse_route(route, content_type="application/geo+json")
    assert english in refused.value.message
    from api.pages.refusals import say

    with app.test_request_context("/web/"):
        with force_locale("zh_Hans_CN"):
            said = say(refused.value.message)
            assert chinese in said and english not in said
        with force_locale("en"):
            assert english in say(refused.value.message)


def test_a_token_that_is_not_there_is_named_on_the_404_page_in_the_page_language(
    app, client_for, world
):
    client = client_for(world.carrier)
    chinese = _post(client, "/web/admin/tokens", "/web/admin/tokens/987654/revoke", {})
    assert chinese.status_code == 404 and "未找到令牌 987654" in unescape(chinese.get_data(True))
    assert "not found" not in chinese.get_data(as_text=True)
    client.get("/web/?lang=en")
    english = _post(client, "/web/admin/tokens", "/web/admin/tokens/987654/revoke", {})
    assert english.status_code == 404 and "token 987654 not found" in english.get_data(True)

    api = app.test_client().delete(
        "/api/v1/auth/tokens/987654", headers={**world.carrier.auth(), "Accept-Language": "en"}
    )
    assert api.status_code == 404 and api.get_json()["message"] == "token 987654 not found"
