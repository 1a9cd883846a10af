"""GPX time parsing: the vectorised path, the careful path and gpxpy agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from gpxpy.gpxfield import parse_time as gpxpy_parse_time

from gps.times import format_ms, parse_time_ms, parse_times, to_ms


def _gpxpy_ms(text: str) -> int:
    moment = gpxpy_parse_time(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _random_times(rng: np.random.Generator, n: int) -> list[str]:
    seconds = rng.integers(-2_000_000_000, 4_000_000_000, n)
    out = []
    for s in seconds.tolist():
        offset = int(rng.integers(-14 * 4, 14 * 4 + 1)) * 15
        local = datetime(1970, 1, 1) + timedelta(seconds=s + offset * 60)
        text = local.strftime("%Y-%m-%dT%H:%M:%S")
        digits = int(rng.integers(0, 8))
        if digits:
            text += "." + "".join(str(d) for d in rng.integers(0, 10, digits))
        zone = int(rng.integers(0, 4))
        if zone == 0:
            text += (
                "Z"
                if offset == 0
                else f"{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
            )
        elif zone == 1 and offset == 0:
            pass  # no offset: UTC
        else:
            text += f"{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
        out.append(text)
    return out


def test_vectorised_equals_careful_equals_gpxpy():
    texts = _random_times(np.random.default_rng(20240506), 3000)
    fast, bad = parse_times(texts)
    assert bad is None
    careful = [parse_time_ms(text) for text in texts]
    reference = [_gpxpy_ms(text) for text in texts]
    assert fast.tolist() == careful == reference


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-06 01:30:00Z",
        "2024-5-6T1:30:0Z",
        "2024-05-06T09:30:00+0800",
        "2024-05-06T09:30:00+08",
        "2024-05-06T01:30:00\u221205:00",
        " 2024-05-06T01:30:00Z\n",
        "2024-05-06T01:30:00.123456789012345Z",
    ],
)
def test_lenient_forms_agree_with_gpxpy(text):
    ms, bad = parse_times([text, "2024-05-06T01:30:00Z"])
    assert bad is None
    assert ms[0] == parse_time_ms(text) == _gpxpy_ms(text.strip())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2024-05-06T24:00:00Z",
        "2024-05-06T01:60:00Z",
        "2024-05-06T01:30:60Z",
        "2024-05-06T01:30:00.Z",
        "2024-05-06T01:30:00+25:00",
        "2024-05-06T01:30:00Zjunk",
        "2024-05-06",
    ],
)
def test_invalid_times_name_their_index(text):
    ms, bad = parse_times(["2024-05-06T01:30:00Z", text])
    assert bad == 1
    with pytest.raises(ValueError):
        parse_time_ms(text)


def test_leap_years_and_edges():
    texts = [
        "2024-02-29T23:59:59.999Z",
        "2000-02-29T00:00:00Z",
        "1969-12-31T23:59:59.999Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ]
    ms, bad = parse_times(texts)
    assert bad is None
    assert ms.tolist() == [parse_time_ms(t) for t in texts]
    assert ms[2] == -1


def test_formatting_and_aware_datetimes():
    assert format_ms(1714959000000) == "2024-05-06T01:30:00+00:00"
    assert format_ms(1714959000123) == "2024-05-06T01:30:00.123+00:00"
    assert to_ms(datetime(2024, 5, 6, 9, 30, tzinfo=UTC) + timedelta(hours=-8)) == 1714959000000
    with pytest.raises(ValueError):
        to_ms(datetime(2024, 5, 6, 9, 30))
