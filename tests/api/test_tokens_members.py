"""Tokens expire and are listed and revoked by their owner; administrators deactivate members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from manifest.config import Settings
from manifest.models import ApiToken
from manifest.services import registry
from tests.builders import PASSWORD

API = "/api/v1"


@pytest.fixture
def week_app(make_app):
    """Tokens issued by signing in live 7 days."""
    settings = Settings(token_lifetime_days=7)
    return make_app(settings)


@pytest.fixture
def week(week_app):
    return week_app.test_client()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def signed_in(client, email, password=PASSWORD) -> dict:
    r = client.post(f"{API}/auth/token", json={"email": email, "password": password})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_token_says_when_it_expires_and_stops_then(week, world, sessions):
    before = datetime.now(UTC)
    issued = signed_in(week, world.plating.users["admin"][0].email)
    expires = datetime.fromisoformat(issued["expires_at"])
    assert before + timedelta(days=7) <= expires <= datetime.now(UTC) + timedelta(days=7)
    assert week.get(f"{API}/manifests", headers=bearer(issued["token"])).status_code == 200
    with sessions() as s:
        row = s.get(ApiToken, issued["id"])
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        s.commit()
    assert week.get(f"{API}/manifests", headers=bearer(issued["token"])).status_code == 401


def test_users_list_their_own_tokens_without_secrets(week, world):
    email = world.plating.users["admin"][0].email
    first, second = signed_in(week, email), signed_in(week, email)
    signed_in(week, world.carrier.users["admin"][0].email)  # someone else's
    r = week.delete(f"{API}/auth/tokens/{first['id']}", headers=bearer(second["token"]))
    assert r.status_code == 204

    r = week.get(f"{API}/auth/tokens", headers=bearer(second["token"]))
    assert r.status_code == 200
    listed = r.get_json()
    # The builder's token and the second; the first is revoked, the carrier's not shown.
    assert [t["id"] for t in listed][0] == second["id"]
    assert first["id"] not in [t["id"] for t in listed]
    assert len(listed) == 2
    mine = listed[0]
    assert mine["prefix"] == second["token"][:12]
    assert mine["expires_at"] == second["expires_at"]
    assert mine["created_at"] and mine["last_used_at"]  # used by this very request
    text = r.get_data(as_text=True)
    assert second["token"] not in text and world.plating.token() not in text
    assert "token" not in mine


def test_users_revoke_any_of_their_tokens_but_not_others(week, world):
    email = world.plating.users["admin"][0].email
    one, two = signed_in(week, email), signed_in(week, email)
    other = signed_in(week, world.carrier.users["admin"][0].email)

    r = week.delete(f"{API}/auth/tokens/{one['id']}", headers=bearer(two["token"]))
    assert r.status_code == 204
    assert week.get(f"{API}/manifests", headers=bearer(one["token"])).status_code == 401
    assert week.get(f"{API}/manifests", headers=bearer(two["token"])).status_code == 200
    for token_id in (other["id"], 999_999):
        r = week.delete(f"{API}/auth/tokens/{token_id}", headers=bearer(two["token"]))
        assert r.status_code == 404
    assert week.get(f"{API}/manifests", headers=bearer(other["token"])).status_code == 200
    assert week.delete(f"{API}/auth/tokens/{two['id']}").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(client, world, sessions):
    headers = world.plating.auth()

    def last_used():
        with sessions() as s:
            return s.scalar(
                select(ApiToken.last_used_at).where(
                    ApiToken.user_id == world.plating.users["admin"][0].id
                )
            )

    client.get(f"{API}/manifests", headers=headers)
    first = last_used()
    assert first is not None
    client.get(f"{API}/manifests", headers=headers)
    assert last_used() == first
    with sessions() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.last_used_at == first))
        row.last_used_at = first - timedelta(minutes=2)
        s.commit()
    client.get(f"{API}/manifests", headers=headers)
    assert last_used() > first - timedelta(minutes=2)


def member_url(party, user) -> str:
    return f"{API}/organizations/{party.id}/members/{user.id}"


def test_a_deactivated_member_is_out_at_once_and_back_after_reactivation(client, world):
    reader, reader_token = world.plating.users["reader"]
    assert client.get(f"{API}/manifests", headers=bearer(reader_token)).status_code == 200

    r = client.patch(
        member_url(world.plating, reader), json={"active": False}, headers=world.plating.auth()
    )
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert client.get(f"{API}/manifests", headers=bearer(reader_token)).status_code == 401
    refused = client.post(f"{API}/auth/token", json={"email": reader.email, "password": PASSWORD})
    assert refused.status_code == 422

    listed = client.get(
        f"{API}/organizations/{world.plating.id}/members", headers=world.plating.auth()
    )
    assert {m["email"]: m["active"] for m in listed.get_json()} == {
        world.plating.users["admin"][0].email: True,
        reader.email: False,
    }

    r = client.patch(
        member_url(world.plating, reader), json={"active": True}, headers=world.plating.auth()
    )
    assert r.status_code == 200 and r.get_json()["active"] is True
    assert client.get(f"{API}/manifests", headers=bearer(reader_token)).status_code == 401
    token = signed_in(client, reader.email)["token"]
    assert client.get(f"{API}/manifests", headers=bearer(token)).status_code == 200


def test_the_last_active_admin_stays(client, world, uow):
    admin = world.plating.users["admin"][0]
    r = client.patch(
        member_url(world.plating, admin), json={"active": False}, headers=world.plating.auth()
    )
    assert r.status_code == 409 and r.get_json()["code"] == "last_active_admin"
    assert client.get(f"{API}/manifests", headers=world.plating.auth()).status_code == 200

    second = registry.add_member(
        uow,
        actor=None,
        organization_id=world.plating.id,
        email="boss2@example.cn",
        password=PASSWORD,
        role="admin",
    )
    r = client.patch(
        member_url(world.plating, admin), json={"active": False}, headers=world.plating.auth()
    )
    assert r.status_code == 200
    second_token = signed_in(client, "boss2@example.cn")["token"]
    r = client.patch(
        member_url(world.plating, second), json={"active": False}, headers=bearer(second_token)
    )
    assert r.status_code == 409 and r.get_json()["code"] == "last_active_admin"


def test_only_the_organisations_admins_manage_its_members(client, world):
    reader = world.plating.users["reader"][0]
    carrier_admin = world.carrier.users["admin"][0]
    url = member_url(world.plating, reader)
    for headers in (world.plating.auth("reader"), world.carrier.auth(), world.regulator.auth()):
        assert client.patch(url, json={"active": False}, headers=headers).status_code == 403
        r = client.get(f"{API}/organizations/{world.plating.id}/members", headers=headers)
        assert r.status_code == 403
    # Another organisation's user, or no one, through one's own organisation: not found.
    for user_id in (carrier_admin.id, 999_999):
        r = client.patch(
            f"{API}/organizations/{world.plating.id}/members/{user_id}",
            json={"active": False},
            headers=world.plating.auth(),
        )
        assert r.status_code == 404
    assert client.get(f"{API}/manifests", headers=world.carrier.auth()).status_code == 200
    assert client.get(f"{API}/manifests", headers=world.plating.auth("reader")).status_code == 200
    bad = client.patch(url, json={"active": "sometimes"}, headers=world.plating.auth())
    assert bad.status_code == 422
