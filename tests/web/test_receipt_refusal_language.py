"""The weighbridge upload page says why a file or a row is refused in the page's language
(Chinese by default, English on request); the API keeps its English."""

from __future__ import annotations

import io
from datetime import timedelta
from html import unescape

from manifest.local_time import CHINA
from tests.builders import now

from .test_transport_pages import post


def _csv(weighed: str) -> bytes:
    return (
        "磅单号,车牌号,进场时间,毛重,皮重,净重\n"
        f"B-101,粤A99999,{weighed},7000,8000,,\n"
        f",粤A99999,{weighed},9000,8000,1000\n"
    ).encode()


def _upload(client, data: bytes):
    answer = post(client, "/web/receipts/upload", {"file": (io.BytesIO(data), "day.csv")})
    return answer, unescape(answer.get_data(as_text=True))


def test_refused_rows_and_files_are_said_in_chinese_and_in_english(client_for, world):
    weighed = (now() - timedelta(minutes=20)).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    client = client_for(world.centre)

    answer, html = _upload(client, _csv(weighed))
    assert answer.status_code == 200
    assert "皮重 8,000 千克大于毛重 7,000 千克" in html
    assert "缺少磅单号" in html
    assert "is above gross" not in html and "ticket is missing" not in html
    columns, html = _upload(client, b"a,b\n1,2\n")
    assert columns.status_code == 422 and "缺少列 ticket" in html

    client.get("/web/?lang=en")
    answer, html = _upload(client, _csv(weighed))
    assert "tare 8,000 kg is above gross 7,000 kg" in html and "ticket is missing" in html
    assert "大于毛重" not in html and "缺少" not in html
    columns, html = _upload(client, b"a,b\n1,2\n")
    assert columns.status_code == 422 and "missing column ticket" in html
