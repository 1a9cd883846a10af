"""Idempotency-Key: a retried POST gets its first answer and changes nothing more."""

from __future__ import annotations

from .http import ago, create, events, get, hazardous, post


def test_retried_create_returns_the_first_answer(client, world):
    body = hazardous(world)
    key = {"Idempotency-Key": "create-7f3a"}
    first = post(client, "/manifests", world.plating, body, headers=key)
    again = post(client, "/manifests", world.plating, body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert get(client, "/manifests", world.plating).headers["X-Total-Count"] == "1"


def test_retried_issue_appends_no_second_event(client, world):
    m = create(client, world)
    key = {"Idempotency-Key": "issue-1"}
    signature = {"at": ago(minutes=3)}
    first = post(client, f"/manifests/{m['id']}/issue", world.plating, signature, headers=key)
    again = post(client, f"/manifests/{m['id']}/issue", world.plating, signature, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert [e["action"] for e in events(client, world.plating, m["id"])] == ["create", "issue"]
    # Without the key the same request is a second attempt, refused by the status table.
    assert post(client, f"/manifests/{m['id']}/issue", world.plating, signature).status_code == 409


def test_a_refusal_is_replayed_too(client, world):
    m = create(client, world)
    key = {"Idempotency-Key": "too-early"}
    signature = {"at": ago(hours=-3)}
    first = post(client, f"/manifests/{m['id']}/issue", world.plating, signature, headers=key)
    again = post(client, f"/manifests/{m['id']}/issue", world.plating, signature, headers=key)
    assert first.status_code == again.status_code == 422
    assert again.get_json() == first.get_json()


def test_same_key_with_another_body_is_a_conflict(client, world):
    key = {"Idempotency-Key": "k-42"}
    assert (
        post(client, "/manifests", world.plating, hazardous(world), headers=key).status_code == 201
    )
    r = post(client, "/manifests", world.plating, hazardous(world, notes="另一张"), headers=key)
    assert r.status_code == 422
    assert r.get_json()["code"] == "idempotency_conflict"
    assert get(client, "/manifests", world.plating).headers["X-Total-Count"] == "1"


def test_keys_belong_to_their_user(client, world):
    """Two users choosing the same key do not see each other's answers."""
    key = {"Idempotency-Key": "shared-name"}
    mine = post(client, "/manifests", world.plating, hazardous(world), headers=key)
    theirs = post(client, "/manifests", world.outsider, hazardous(world), headers=key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert theirs.get_json()["generator"]["id"] == world.outsider.id


def test_an_oversized_key_is_refused(client, world):
    r = post(
        client,
        "/manifests",
        world.plating,
        hazardous(world),
        headers={"Idempotency-Key": "k" * 201},
    )
    assert r.status_code == 400
    assert get(client, "/manifests", world.plating).headers["X-Total-Count"] == "0"
