"""Signing in and out of the pages: the same lockouts and audit log as the API's tokens, a
session that a deactivation ends, CSRF on every form, and an API that ignores the cookie."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from manifest.config import Settings
from manifest.models import ApiToken, Manifest, SigninAttempt
from manifest.services.members import set_user_active

from .conftest import csrf_token, email_of, sign_in


def count(uow, model) -> int:
    uow.session.rollback()  # see what the app committed since
    return uow.session.scalar(select(func.count()).select_from(model))


def outcomes(uow, email):
    uow.session.rollback()
    return list(
        uow.session.scalars(
            select(SigninAttempt.outcome)
            .where(SigninAttempt.email == email)
            .order_by(SigninAttempt.id)
        )
    )


def test_signing_in_shows_the_user_organisation_and_role_and_logs_the_attempt(client, world, uow):
    tokens_before = count(uow, ApiToken)
    answer = sign_in(client, email_of(world.plating))
    assert answer.status_code == 302 and answer.headers["Location"] == "/web/"
    home = client.get("/web/").get_data(as_text=True)
    assert email_of(world.plating) in home
    assert "江门市恒美电镀有限公司" in home and "管理员" in home and "退出登录" in home
    assert outcomes(uow, email_of(world.plating)) == ["success"]
    # A browser session is not a token: none was issued.
    assert count(uow, ApiToken) == tokens_before


def test_a_wrong_password_is_refused_with_the_email_kept_and_logged(client, world, uow):
    answer = sign_in(client, email_of(world.plating), password="not the password")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "电子邮箱或密码错误" in html
    assert f'value="{email_of(world.plating)}"' in html
    assert "not the password" not in html
    assert outcomes(uow, email_of(world.plating)) == ["wrong_password"]
    assert client.get("/web/").status_code == 302  # not signed in


def test_an_unknown_account_gets_the_same_answer_as_a_wrong_password(client, world):
    answer = sign_in(client, "nobody@example.cn")
    assert answer.status_code == 422 and "电子邮箱或密码错误" in answer.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_for_the_right_password(make_app, world, uow):
    app = make_app(Settings(signin_account_failures=2, signin_address_failures=50))
    client = app.test_client()
    email = email_of(world.plating)
    for _ in range(2):
        assert sign_in(client, email, password="guess").status_code == 422
    answer = sign_in(client, email)
    assert answer.status_code == 429
    assert "登录失败次数过多" in answer.get_data(as_text=True)
    assert outcomes(uow, email) == ["wrong_password", "wrong_password", "locked"]
    assert client.get("/web/").status_code == 302


def test_a_deactivated_user_cannot_sign_in_and_an_open_session_ends(client_for, app, world, uow):
    reader = email_of(world.plating, "reader")
    signed = client_for(world.plating, "reader")
    assert signed.get("/web/").status_code == 200
    set_user_active(uow, email=reader, active=False)
    answer = signed.get("/web/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/web/signin")
    refused = sign_in(app.test_client(), reader)
    assert refused.status_code == 422 and "电子邮箱或密码错误" in refused.get_data(as_text=True)
    assert outcomes(uow, reader)[-1] == "inactive"


def test_signing_out_ends_the_session(client_for, world):
    client = client_for(world.centre)
    token = csrf_token(client.get("/web/").get_data(as_text=True))
    answer = client.post("/web/signout", data={"csrf_token": token})
    assert answer.status_code == 302
    assert client.get("/web/").status_code == 302


def test_a_form_without_its_csrf_token_is_refused_with_a_page_and_changes_nothing(
    client_for, app, world, uow
):
    client = client_for(world.centre)
    answer = client.post("/web/signout", data={})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "表单已失效" in html and "<html" in html
    assert client.get("/web/").status_code == 200  # still signed in
    # A token from another browser's session is refused too, and the attempt is not made.
    other = app.test_client()
    foreign = csrf_token(other.get("/web/signin").get_data(as_text=True))
    stranger = app.test_client()
    stranger.get("/web/signin")
    refused = stranger.post(
        "/web/signin",
        data={"csrf_token": foreign, "email": email_of(world.centre), "password": "x"},
    )
    assert refused.status_code == 400
    assert outcomes(uow, email_of(world.centre)) == ["success"]


def test_the_api_never_takes_the_session_cookie_for_a_token(client_for, world, uow):
    client = client_for(world.plating)
    assert client.get("/api/v1/manifests").status_code == 401
    created = client.post("/api/v1/manifests", json={"kind": "hazardous"})
    assert created.status_code == 401 and created.get_json()["code"] == "unauthorized"
    assert count(uow, Manifest) == 0
    # With its token the same client is served: the cookie neither helps nor hinders.
    assert client.get("/api/v1/manifests", headers=world.plating.auth()).status_code == 200


def test_the_root_leads_to_sign_in_or_home(client, client_for, world):
    assert client.get("/").headers["Location"] == "/web/signin"
    assert client.get("/web/").headers["Location"].startswith("/web/signin?next=")
    assert client_for(world.plating).get("/").headers["Location"] == "/web/"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/api/v1/x"])
def test_after_sign_in_only_a_page_of_this_site_is_followed(client, world, target):
    token = csrf_token(client.get("/web/signin").get_data(as_text=True))
    answer = client.post(
        "/web/signin",
        query_string={"next": target},
        data={
            "csrf_token": token,
            "email": email_of(world.plating),
            "password": "correct horse battery",
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/web/"


def test_text_no_database_stores_is_refused_before_anything(client, world, uow):
    token = csrf_token(client.get("/web/signin").get_data(as_text=True))
    answer = client.post(
        "/web/signin", data={"csrf_token": token, "email": "a\x00b@x.cn", "password": "p"}
    )
    assert answer.status_code == 400 and "<html" in answer.get_data(as_text=True)
    assert count(uow, SigninAttempt) == 0


def test_sessions_are_signed_with_a_key_of_this_installation_not_a_published_one(app):
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32 and key != "dev-only-not-secret"
    from manifest.config import local_secret_key

    assert local_secret_key() == key  # the same for every worker of the installation
