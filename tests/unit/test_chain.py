from datetime import UTC, datetime
from decimal import Decimal

from manifest.chain import GENESIS, Link, canonical_json, event_hash, verify
from manifest.local_time import CHINA


def _chain(contents):
    links, prev = [], GENESIS
    for i, content in enumerate(contents, start=1):
        h = event_hash(prev, content)
        links.append(Link(ref=100 + i, sequence=i, content=content, previous_hash=prev, hash=h))
        prev = h
    return links


def test_canonical_json_is_stable_and_key_order_free():
    a = {"b": Decimal("1.500"), "a": [1, {"z": None, "y": "粤J"}]}
    b = {"a": [1, {"y": "粤J", "z": None}], "b": Decimal("1.500")}
    assert canonical_json(a) == canonical_json(b)
    assert canonical_json(a) == '{"a":[1,{"y":"粤J","z":null}],"b":"1.500"}'.encode()


def test_times_are_hashed_in_utc_whatever_the_offset():
    t = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    china = t.astimezone(CHINA)
    assert canonical_json({"t": t}) == canonical_json({"t": china})


def test_hash_is_sha256_over_previous_and_content():
    import hashlib

    content = {"action": "issue", "n": 1}
    expected = hashlib.sha256(GENESIS.encode() + canonical_json(content)).hexdigest()
    assert event_hash(GENESIS, content) == expected


def test_a_sound_chain_verifies():
    links = _chain([{"n": i} for i in range(5)])
    verdict = verify(links)
    assert verdict.valid and verdict.length == 5 and verdict.head == links[-1].hash


def test_edited_content_names_the_edited_link():
    links = _chain([{"n": i} for i in range(5)])
    links[2] = Link(links[2].ref, 3, {"n": 99}, links[2].previous_hash, links[2].hash)
    verdict = verify(links)
    assert not verdict.valid and verdict.broken_at == 103


def test_a_removed_link_is_found_at_the_gap():
    links = _chain([{"n": i} for i in range(5)])
    del links[1]
    verdict = verify(links)
    assert not verdict.valid and verdict.broken_at == 103


def test_recomputed_hashes_after_an_edit_still_break_the_next_link():
    links = _chain([{"n": i} for i in range(3)])
    forged = event_hash(links[0].hash, {"n": 42})
    links[1] = Link(102, 2, {"n": 42}, links[0].hash, forged)
    verdict = verify(links)
    assert not verdict.valid and verdict.broken_at == 103
