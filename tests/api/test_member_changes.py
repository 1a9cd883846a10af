"""An organisation's administrators change a member's role through the API under the same
rule as the members page, and read who changed whom, and when."""

from __future__ import annotations

from sqlalchemy import func, select

from manifest.models import MemberChange, User
from manifest.services import registry
from manifest.services.members import set_user_active
from tests.builders import PASSWORD

API = "/api/v1"


def member_url(party, user) -> str:
    return f"{API}/organizations/{party.id}/members/{user.id}"


def changes_url(party) -> str:
    return f"{API}/organizations/{party.id}/member-changes"


def trail(world) -> int:
    world.uow.session.rollback()
    return world.uow.session.scalar(select(func.count()).select_from(MemberChange))


def test_an_administrator_changes_a_role_and_the_trail_says_who_and_when(client, world):
    reader, reader_token = world.plating.users["reader"]
    auth = world.plating.auth()

    r = client.patch(member_url(world.plating, reader), json={"role": "member"}, headers=auth)

    assert r.status_code == 200 and r.get_json()["role"] == "member"
    # The role applies to the member's token at once: a member may file a draft.
    listed = client.get(f"{API}/organizations/{world.plating.id}/members", headers=auth)
    assert {m["email"]: m["role"] for m in listed.get_json()}[reader.email] == "member"
    r = client.get(changes_url(world.plating), headers=auth)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "1"
    [change] = r.get_json()
    admin = world.plating.users["admin"][0]
    assert change["user_id"] == reader.id and change["user_email"] == reader.email
    assert (change["change"], change["old_role"], change["new_role"]) == (
        "role",
        "reader",
        "member",
    )
    assert (change["changed_by_id"], change["changed_by_email"]) == (admin.id, admin.email)
    assert change["changed_at"]
    # The same role again changes nothing and records nothing.
    client.patch(member_url(world.plating, reader), json={"role": "member"}, headers=auth)
    assert client.get(changes_url(world.plating), headers=auth).headers["X-Total-Count"] == "1"
    assert reader_token


def test_deactivation_reactivation_and_the_command_line_are_on_the_trail(client, world):
    driver, _ = world.carrier.users["driver"]
    auth = world.carrier.auth()
    for active in (False, True):
        r = client.patch(member_url(world.carrier, driver), json={"active": active}, headers=auth)
        assert r.status_code == 200
    set_user_active(world.uow, email=driver.email, active=False)

    rows = client.get(changes_url(world.carrier), headers=auth).get_json()

    assert [(r["change"], r["changed_by_email"]) for r in rows] == [
        ("deactivated", None),  # the operator's command line, newest first
        ("reactivated", world.carrier.users["admin"][0].email),
        ("deactivated", world.carrier.users["admin"][0].email),
    ]
    assert all(r["user_email"] == driver.email for r in rows)


def test_the_last_active_administrator_keeps_the_role_and_nothing_is_recorded(client, world):
    admin, _ = world.plating.users["admin"]
    auth = world.plating.auth()
    for body in ({"role": "member"}, {"active": False}, {"role": "member", "active": False}):
        r = client.patch(member_url(world.plating, admin), json=body, headers=auth)
        assert r.status_code == 409 and r.get_json()["code"] == "last_active_admin", body
    world.uow.session.rollback()
    fresh = world.uow.session.get(User, admin.id)
    assert (fresh.role, fresh.active) == ("admin", True)
    assert trail(world) == 0


def test_role_and_deactivation_in_one_call_change_both_or_nothing(client, world):
    second = registry.add_member(
        world.uow,
        actor=None,
        organization_id=world.plating.id,
        email="boss2@example.cn",
        password=PASSWORD,
        role="admin",
    )
    auth = world.plating.auth()
    r = client.patch(
        member_url(world.plating, second), json={"role": "reader", "active": False}, headers=auth
    )
    assert r.status_code == 200 and (r.get_json()["role"], r.get_json()["active"]) == (
        "reader",
        False,
    )
    rows = client.get(changes_url(world.plating), headers=auth).get_json()
    assert [r["change"] for r in rows] == ["deactivated", "role"]


def test_a_patch_without_role_or_active_or_with_an_unknown_role_is_refused(client, world):
    reader, _ = world.plating.users["reader"]
    auth = world.plating.auth()
    for body in ({}, {"role": "boss"}, {"role": None}):
        r = client.patch(member_url(world.plating, reader), json=body, headers=auth)
        assert r.status_code == 422, body
        assert "role" in r.get_json()["errors"], body
    assert trail(world) == 0


def test_only_the_organisations_administrators_read_the_trail(client, world):
    for party, role in (
        (world.carrier, "driver"),
        (world.plating, "reader"),
        (world.centre, "admin"),
    ):
        r = client.get(changes_url(world.plating), headers=party.auth(role))
        assert r.status_code == 403, (party, role)
    assert client.get(changes_url(world.plating), headers=world.regulator.auth()).status_code == 403
    assert client.get(changes_url(world.plating)).status_code == 401
