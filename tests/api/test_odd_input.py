"""Odd digits and huge numbers: only ASCII digits name anything, and an integer too long to
convert is a 422 naming its field, never a 500 (issue 8, item 5)."""

from __future__ import annotations

import json

from tests.builders import advance, create_manifest

from .http import API, hazardous, post

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
HUGE = "9" * 5000  # beyond Python's 4,300-digit conversion limit


def _spellings(number) -> list[str]:
    return [str(number).translate(t) for t in (ARABIC, FULL_WIDTH, SUPERSCRIPT)]


def test_ids_in_paths_are_ascii_digits_only(client, world):
    manifest = advance(world, create_manifest(world), "issued")
    assert (
        client.get(f"{API}/manifests/{manifest.id}", headers=world.plating.auth()).status_code
        == 200
    )
    paths = [
        f"/manifests/{odd}{tail}"
        for odd in [*_spellings(manifest.id), *_spellings(manifest.number), "²"]
        for tail in ("", "/events", "/verify")
    ]
    paths += [f"/organizations/{odd}" for odd in _spellings(world.plating.id)]
    paths += [f"/organizations/{odd}/vehicles" for odd in _spellings(world.carrier.id)]
    paths += [f"/organizations/{HUGE}", f"/findings/{HUGE}", f"/manifests/{HUGE}"]
    for path in paths:
        r = client.get(f"{API}{path}", headers=world.plating.auth())
        assert r.status_code == 404, (path, r.status_code)
        assert r.get_json()["code"] == "not_found"


def test_numbers_in_query_strings_are_ascii_digits_only(client, world):
    for query in ("page=١", "page=２", "per_page=¹", "page=1_0", f"page={HUGE}"):
        r = client.get(f"{API}/manifests?{query}", headers=world.plating.auth())
        assert r.status_code == 422, (query, r.status_code)
        assert r.get_json()["errors"]


def test_a_huge_json_integer_is_a_422_naming_the_field(client, world):
    raw = '{"email": ' + HUGE + ', "password": "x"}'
    r = client.post(f"{API}/auth/token", data=raw, content_type="application/json")
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"email": ["a number with too many digits"]}

    body = json.dumps(hazardous(world)).replace(
        '"lines": [{', f'"lines": [{{"container_count": {HUGE}, ', 1
    )
    r = client.post(
        f"{API}/manifests", data=body, content_type="application/json", headers=world.plating.auth()
    )
    assert r.status_code == 422
    assert list(r.get_json()["errors"]) == ["lines.0.container_count"]
    assert client.get(f"{API}/manifests", headers=world.plating.auth()).get_json() == []


def test_numbers_given_as_text_in_json_are_ascii_only(client, world):
    body = hazardous(world)
    body["lines"][0]["quantity"] = "١٢"
    r = post(client, "/manifests", world.plating, body)
    assert r.status_code == 422 and "lines.0.quantity" in r.get_json()["errors"]
