"""Organisation administration pages: members, vehicles, API tokens. Each change goes
through the services under the API's rules, and a refusal changes nothing."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from manifest.models import ApiToken, MemberChange, User, Vehicle
from tests.web.conftest import csrf_token, email_of, sign_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _post(client, page: str, action: str, data: dict):
    """Send a form of ``page`` to ``action`` with the CSRF token read from the page."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def _user(world, email: str) -> User | None:
    s = world.uow.session
    s.rollback()  # a new transaction, which sees what the pages committed
    s.expire_all()
    return s.scalar(select(User).where(User.email == email))


def test_an_administrator_invites_a_member_who_signs_in_with_the_password_shown_once(
    app, client_for, world
):
    admin = client_for(world.carrier)
    answer = _post(
        admin,
        "/web/admin/members",
        "/web/admin/members",
        {"email": "New.Driver@Example.cn", "role": "driver"},
    )
    assert answer.status_code == 201
    html = answer.get_data(as_text=True)
    password = re.search(r'<code class="secret" id="initial-password">([^<]+)</code>', html)[1]
    created = _user(world, "new.driver@example.cn")
    assert created.role == "driver" and created.organization_id == world.carrier.id
    assert password not in created.password_hash
    # Shown once: the list shows the member, never the password again.
    listing = admin.get("/web/admin/members").get_data(as_text=True)
    assert "new.driver@example.cn" in listing and password not in listing
    assert sign_in(app.test_client(), "new.driver@example.cn", password).status_code == 302


def test_an_invitation_refused_keeps_what_was_typed_and_creates_nothing(client_for, world):
    admin = client_for(world.carrier)
    taken = email_of(world.plating)
    answer = _post(
        admin, "/web/admin/members", "/web/admin/members", {"email": taken, "role": "member"}
    )
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert f'value="{taken}"' in html and 'id="initial-password"' not in html
    assert _user(world, taken).organization_id == world.plating.id
    bad = _post(
        admin, "/web/admin/members", "/web/admin/members", {"email": "nobody", "role": "member"}
    )
    assert bad.status_code == 422 and 'value="nobody"' in bad.get_data(as_text=True)
    assert _user(world, "nobody") is None


def test_roles_change_but_the_last_administrator_stays_one(client_for, world):
    admin = client_for(world.plating)
    reader = world.plating.users["reader"][0]
    answer = _post(
        admin, "/web/admin/members", f"/web/admin/members/{reader.id}/role", {"role": "member"}
    )
    assert answer.status_code == 303
    assert _user(world, reader.email).role == "member"
    me = world.plating.users["admin"][0]
    refused = _post(
        admin, "/web/admin/members", f"/web/admin/members/{me.id}/role", {"role": "reader"}
    )
    assert refused.status_code == 303
    assert _user(world, me.email).role == "admin"
    page = admin.get("/web/admin/members").get_data(as_text=True)
    assert "flash-error" in page


def test_a_deactivated_member_can_no_longer_sign_in_nor_use_a_token(app, client_for, world):
    admin = client_for(world.carrier)
    driver, token = world.carrier.users["driver"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/manifests", headers=bearer).status_code == 200
    off = _post(admin, "/web/admin/members", f"/web/admin/members/{driver.id}/active", {})
    assert off.status_code == 303 and _user(world, driver.email).active is False
    assert app.test_client().get("/api/v1/manifests", headers=bearer).status_code == 401
    assert sign_in(app.test_client(), driver.email).status_code == 422
    on = _post(
        admin, "/web/admin/members", f"/web/admin/members/{driver.id}/active", {"active": "y"}
    )
    assert on.status_code == 303 and _user(world, driver.email).active is True
    assert sign_in(app.test_client(), driver.email).status_code == 302


def test_only_administrators_administer_and_only_their_own_organisation(client_for, world):
    reader_client = client_for(world.plating, "reader")
    for path in ("/web/admin/members", "/web/admin/vehicles"):
        assert reader_client.get(path).status_code == 403
    refused = _post(
        reader_client,
        "/web/admin/tokens",
        "/web/admin/members",
        {"email": "x@y.cn", "role": "admin"},
    )
    assert refused.status_code == 403 and _user(world, "x@y.cn") is None
    regulator = client_for(world.regulator)
    assert regulator.get("/web/admin/members").status_code == 403
    # Another organisation's member is not there for this administrator.
    stranger = client_for(world.outsider)
    reader = world.plating.users["reader"][0]
    answer = _post(stranger, "/web/admin/members", f"/web/admin/members/{reader.id}/active", {})
    assert answer.status_code == 404 and _user(world, reader.email).active is True
    answer = _post(
        stranger, "/web/admin/members", f"/web/admin/members/{reader.id}/role", {"role": "admin"}
    )
    assert answer.status_code == 404 and _user(world, reader.email).role == "reader"


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client_for, world):
    admin = client_for(world.carrier)
    answer = admin.post("/web/admin/members", data={"email": "csrf@example.cn", "role": "admin"})
    assert answer.status_code == 400 and _user(world, "csrf@example.cn") is None


def test_a_transporter_registers_vehicles(client_for, world):
    admin = client_for(world.carrier)
    added = _post(
        admin,
        "/web/admin/vehicles",
        "/web/admin/vehicles",
        {"plate": "粤J77777", "max_load_t": "12"},
    )
    assert added.status_code == 303
    assert "粤J77777" in admin.get("/web/admin/vehicles").get_data(as_text=True)
    bad = _post(
        admin,
        "/web/admin/vehicles",
        "/web/admin/vehicles",
        {"plate": "粤J66666", "max_load_t": "500"},
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'value="粤J66666"' in html and "has-error" in html
    again = _post(
        admin,
        "/web/admin/vehicles",
        "/web/admin/vehicles",
        {"plate": "粤J77777", "max_load_t": "12"},
    )
    assert again.status_code == 409
    s = world.uow.session
    s.rollback()
    s.expire_all()
    plates = s.scalars(select(Vehicle.plate).where(Vehicle.organization_id == world.carrier.id))
    assert sorted(plates) == ["粤J12345", "粤J77777", "粤J88888"]
    generator = client_for(world.plating)
    assert "粤J12345" not in generator.get("/web/admin/vehicles").get_data(as_text=True)


def test_a_token_is_created_shown_once_used_and_revoked(app, client_for, world):
    client = client_for(world.centre)
    wrong = _post(client, "/web/admin/tokens", "/web/admin/tokens", {"password": "not it"})
    assert wrong.status_code == 422 and 'id="new-token"' not in wrong.get_data(as_text=True)
    made = _post(
        client, "/web/admin/tokens", "/web/admin/tokens", {"password": "correct horse battery"}
    )
    assert made.status_code == 201
    token = re.search(
        r'<code class="secret" id="new-token">([^<]+)</code>', made.get_data(as_text=True)
    )[1]
    bearer = {"Authorization": f"Bearer {token}"}
    api = app.test_client()
    assert api.get("/api/v1/manifests", headers=bearer).status_code == 200
    listing = client.get("/web/admin/tokens").get_data(as_text=True)
    assert token not in listing and token[:12] in listing
    row = re.search(rf'<tr data-token="(\d+)">\s*<td><code>{re.escape(token[:12])}', listing)
    token_id = int(row[1])
    last_used = re.search(
        rf'data-token="{token_id}">.*?<td class="last-used">([^<]+)</td>', listing, re.S
    )[1]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", last_used)
    # Another user's token is not there to revoke.
    other = client_for(world.plating)
    assert (
        _post(other, "/web/admin/tokens", f"/web/admin/tokens/{token_id}/revoke", {}).status_code
        == 404
    )
    assert api.get("/api/v1/manifests", headers=bearer).status_code == 200
    revoked = _post(client, "/web/admin/tokens", f"/web/admin/tokens/{token_id}/revoke", {})
    assert revoked.status_code == 303
    assert api.get("/api/v1/manifests", headers=bearer).status_code == 401
    s = world.uow.session
    s.rollback()
    s.expire_all()
    assert s.get(ApiToken, token_id).revoked_at is not None


def test_the_members_page_shows_who_changed_whom_and_when(client_for, world):
    admin = client_for(world.plating)
    reader = world.plating.users["reader"][0]
    me = world.plating.users["admin"][0]
    _post(admin, "/web/admin/members", f"/web/admin/members/{reader.id}/role", {"role": "member"})
    _post(admin, "/web/admin/members", f"/web/admin/members/{reader.id}/active", {})
    # Refused (the last administrator): nothing to show for it.
    _post(admin, "/web/admin/members", f"/web/admin/members/{me.id}/role", {"role": "reader"})

    html = admin.get("/web/admin/members").get_data(as_text=True)
    trail = re.search(r'<section id="member-changes">(.*?)</section>', html, re.S).group(1)
    rows = re.findall(r'<tr data-change="(\w+)">(.*?)</tr>', trail, re.S)
    assert [change for change, _ in rows] == ["deactivated", "role"]
    for _, row in rows:
        assert reader.email in row and me.email in row
    assert "角色 只读 → 业务人员" in rows[1][1] and "已停用" in rows[0][1]
    s = world.uow.session
    s.rollback()
    changed = s.scalars(select(MemberChange).order_by(MemberChange.id)).all()
    shown = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', trail)
    local = [c.changed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") for c in changed]
    assert [text for _, text in shown] == list(reversed(local))
