"""The track upload page says why a GPS file is refused in the page's language (Chinese by
default, English on request); the API keeps its English."""

from __future__ import annotations

import io
from html import unescape

from tests.builders import advance, create_manifest

from .test_transport_pages import errors_of, post

EMPTY = b'<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1"><trk/></gpx>'
KML = b'<kml xmlns="http://www.opengis.net/kml/2.2"/>'


def _send(client, path: str, data: bytes, crs: str = "wgs84"):
    answer = post(client, path, {"crs": crs, "file": (io.BytesIO(data), "trip.gpx")})
    return answer.status_code, unescape(answer.get_data(as_text=True))


def test_refused_gps_files_are_said_in_chinese_and_in_english(app, client_for, world):
    manifest = advance(world, create_manifest(world), "in_transit")
    client = client_for(world.carrier, "driver")
    path = f"/web/manifests/{manifest.id}/tracks"

    status, html = _send(client, path, EMPTY)
    assert status == 422 and "文件中没有轨迹点" in errors_of(html, "file")
    assert "no track points" not in html
    status, html = _send(client, path, KML)
    assert status == 422 and "根元素是 <" in errors_of(html, "file")

    client.get("/web/?lang=en")
    status, html = _send(client, path, EMPTY)
    assert status == 422 and "the file has no track points" in errors_of(html, "file")
    assert "轨迹点" not in html

    api = app.test_client().post(
        f"/api/v1/manifests/{manifest.id}/tracks",
        data=EMPTY,
        headers={
            **world.carrier.auth(),
            "Content-Type": "application/gpx+xml",
            "Accept-Language": "en",
        },
    )
    assert api.status_code == 422
    assert api.get_json()["message"] == "the file has no track points"
