"""A member invited by an administrator signs in with the password the administrator chose,
and must choose their own before anything else: on the pages (every page leads to the
password form) and through the API (every call but the password change is refused).
Accounts made by the command line, the demo's included, are not asked."""

from __future__ import annotations

import re

from sqlalchemy import select

from manifest.models import ApiToken, User
from tests.builders import PASSWORD
from tests.web.conftest import csrf_token, email_of, screenshot, sign_in

API = "/api/v1"


def _invite(client_for, world, email: str = "new.clerk@example.cn") -> str:
    """The plating plant's administrator invites a member on the members page; the first
    password shown."""
    admin = client_for(world.plating)
    token = csrf_token(admin.get("/web/admin/members").get_data(as_text=True))
    answer = admin.post(
        "/web/admin/members", data={"csrf_token": token, "email": email, "role": "member"}
    )
    assert answer.status_code == 201
    return re.search(r'id="initial-password">([^<]+)<', answer.get_data(as_text=True))[1]


def _user(world, email: str) -> User:
    s = world.uow.session
    s.rollback()  # see what the pages committed
    return s.scalar(select(User).where(User.email == email))


def _change(client, **fields):
    token = csrf_token(client.get("/web/password").get_data(as_text=True))
    return client.post("/web/password", data={"csrf_token": token, **fields})


def test_an_invited_member_is_sent_to_choose_a_password_from_every_page(app, client_for, world):
    first = _invite(client_for, world)
    member = app.test_client()
    assert sign_in(member, "new.clerk@example.cn", first).status_code == 302

    for path in ("/web/", "/web/manifests", "/web/admin/tokens", "/web/incoming"):
        answer = member.get(path)
        assert answer.status_code == 303 and answer.headers["Location"].endswith("/web/password")
    # A form sent elsewhere is not acted on either: no token is made.
    token = csrf_token(member.get("/web/password").get_data(as_text=True))
    answer = member.post("/web/admin/tokens", data={"csrf_token": token, "password": first})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/web/password")
    user = _user(world, "new.clerk@example.cn")
    assert world.uow.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None
    page = member.get("/web/password").get_data(as_text=True)
    assert 'id="password-required"' in page and "请先设置您自己的密码" in page


def test_the_password_form_refuses_with_the_reason_next_to_the_field(app, client_for, world):
    first = _invite(client_for, world)
    member = app.test_client()
    sign_in(member, "new.clerk@example.cn", first)

    cases = [
        ({"current_password": "not it", "new_password": "my own pw 1"}, "current_password"),
        ({"current_password": first, "new_password": "short"}, "new_password"),
        ({"current_password": first, "new_password": first}, "new_password"),
    ]
    for fields, field in cases:
        answer = _change(member, confirm=fields["new_password"], **fields)
        assert answer.status_code == 422, fields
        html = answer.get_data(as_text=True)
        assert re.search(rf'<div class="field has-error\s*">\s*<label for="{field}"', html), fields
    mismatch = _change(member, current_password=first, new_password="my own pw 1", confirm="other")
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(
        as_text=True
    )
    user = _user(world, "new.clerk@example.cn")
    assert user.must_change_password
    assert member.get("/web/").status_code == 303


def test_once_the_member_has_chosen_a_password_every_page_opens(app, client_for, world):
    first = _invite(client_for, world)
    member = app.test_client()
    sign_in(member, "new.clerk@example.cn", first)

    answer = _change(
        member, current_password=first, new_password="my own secret", confirm="my own secret"
    )

    assert answer.status_code == 303 and answer.headers["Location"].endswith("/web/")
    assert member.get("/web/").status_code == 200
    assert not _user(world, "new.clerk@example.cn").must_change_password
    assert sign_in(app.test_client(), "new.clerk@example.cn", first).status_code == 422
    assert sign_in(app.test_client(), "new.clerk@example.cn", "my own secret").status_code == 302


def test_through_the_api_only_the_password_change_answers_until_then(app, client_for, world):
    first = _invite(client_for, world)
    client = app.test_client()
    signed = client.post(
        f"{API}/auth/token", json={"email": "new.clerk@example.cn", "password": first}
    )
    assert signed.status_code == 201 and signed.get_json()["must_change_password"] is True
    bearer = {"Authorization": f"Bearer {signed.get_json()['token']}"}
    other = client.post(
        f"{API}/auth/token", json={"email": "new.clerk@example.cn", "password": first}
    ).get_json()["token"]

    for method, path in (("get", "/manifests"), ("get", "/auth/tokens"), ("post", "/manifests")):
        answer = getattr(client, method)(f"{API}{path}", headers=bearer)
        assert answer.status_code == 403, path
        assert answer.get_json()["code"] == "password_change_required"
        assert answer.get_json()["message"].startswith("请先修改密码")
    english = client.get(f"{API}/manifests", headers={**bearer, "Accept-Language": "en"})
    assert english.get_json()["message"].startswith("choose your own password first")
    # A body of the wrong shape is still judged after the refusal, not before.
    assert client.post(f"{API}/manifests", json={}, headers=bearer).status_code == 403

    wrong = client.post(
        f"{API}/auth/password",
        json={"current_password": "not it", "new_password": "my own secret"},
        headers=bearer,
    )
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["errors"]
    done = client.post(
        f"{API}/auth/password",
        json={"current_password": first, "new_password": "my own secret"},
        headers=bearer,
    )
    assert done.status_code == 204
    assert client.get(f"{API}/manifests", headers=bearer).status_code == 200
    # Whoever signed in with the administrator's password is out.
    gone = client.get(f"{API}/manifests", headers={"Authorization": f"Bearer {other}"})
    assert gone.status_code == 401


def test_signing_out_is_allowed_before_the_password_is_changed(app, client_for, world):
    first = _invite(client_for, world)
    client = app.test_client()
    signed = client.post(
        f"{API}/auth/token", json={"email": "new.clerk@example.cn", "password": first}
    ).get_json()
    bearer = {"Authorization": f"Bearer {signed['token']}"}

    assert client.delete(f"{API}/auth/token", headers=bearer).status_code == 204
    # The token is gone: the password can no longer be changed with it either.
    again = client.post(
        f"{API}/auth/password",
        json={"current_password": first, "new_password": "my own secret"},
        headers=bearer,
    )
    assert again.status_code == 401
    assert _user(world, "new.clerk@example.cn").must_change_password


def test_accounts_made_by_the_command_line_keep_their_password(app, world):
    client = app.test_client()
    for party in (world.plating, world.carrier, world.regulator):
        signed = client.post(
            f"{API}/auth/token", json={"email": email_of(party), "password": PASSWORD}
        )
        assert signed.status_code == 201 and signed.get_json()["must_change_password"] is False
        bearer = {"Authorization": f"Bearer {signed.get_json()['token']}"}
        assert client.get(f"{API}/manifests", headers=bearer).status_code == 200
    page = app.test_client()
    sign_in(page, email_of(world.plating))
    assert page.get("/web/").status_code == 200
    # Any user may still change their own password when they wish.
    answer = _change(
        page, current_password=PASSWORD, new_password="a new one here", confirm="a new one here"
    )
    assert answer.status_code == 303


def test_an_invited_member_chooses_a_password_in_a_browser(page, world):
    from tests.web.conftest import signed_in

    signed_in(page, world.plating)
    page.goto("/web/admin/members")
    page.fill("input[name=email]", "browser.clerk@example.cn")
    page.select_option("form.invite select[name=role]", "member")
    with page.expect_navigation():
        page.click("form.invite button[type=submit]")
    first = page.locator("#initial-password").inner_text()
    with page.expect_navigation():
        page.click("form.signout button[type=submit]")

    page.goto("/web/signin")
    page.fill("input[name=email]", "browser.clerk@example.cn")
    page.fill("input[name=password]", first)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/web/password$"))
    assert page.locator("#password-required").is_visible()
    page.goto("/web/manifests")
    page.wait_for_url(re.compile(r".*/web/password$"))
    screenshot(page, "own-password-required")
    page.fill("input[name=current_password]", first)
    page.fill("input[name=new_password]", "my own secret")
    page.fill("input[name=confirm]", "my own secret")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/web/$"))
    assert page.locator(".flash-success").is_visible()


def test_the_password_form_says_its_refusals_in_the_page_language(app, client_for, world):
    first = _invite(client_for, world)
    member = app.test_client()
    sign_in(member, "new.clerk@example.cn", first)

    short = _change(member, current_password=first, new_password="short", confirm="short")
    same = _change(member, current_password=first, new_password=first, confirm=first)
    wrong = _change(
        member, current_password="not it", new_password="my own pw 1", confirm="my own pw 1"
    )
    assert "至少 8 个字符" in short.get_data(as_text=True)
    assert "不能与当前密码相同" in same.get_data(as_text=True)
    assert "密码错误" in wrong.get_data(as_text=True)
    assert "wrong password" not in wrong.get_data(as_text=True)

    member.get("/web/password?lang=en")
    english = _change(member, current_password=first, new_password="short", confirm="short")
    assert english.status_code == 422
    assert "at least 8 characters" in english.get_data(as_text=True)
    assert "至少" not in english.get_data(as_text=True)
    assert _user(world, "new.clerk@example.cn").must_change_password
