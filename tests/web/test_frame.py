"""What every page shares: the languages, the error pages, the static files."""

from __future__ import annotations

import re

from .conftest import csrf_token


def test_pages_are_chinese_by_default_and_english_on_request_for_the_session(client):
    zh = client.get("/web/signin").get_data(as_text=True)
    assert (
        '<html lang="zh-CN">' in zh and "<h1>登录</h1>" in zh and 'href="/web/signin?lang=en"' in zh
    )
    en = client.get("/web/signin?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "<h1>Sign in</h1>" in en and "登录" not in en
    # Remembered for the session, until switched back.
    assert "<h1>Sign in</h1>" in client.get("/web/signin").get_data(as_text=True)
    assert "<h1>登录</h1>" in client.get("/web/signin?lang=zh").get_data(as_text=True)
    assert "<h1>登录</h1>" in client.get("/web/signin").get_data(as_text=True)
    # An unknown language changes nothing.
    assert "<h1>登录</h1>" in client.get("/web/signin?lang=fr").get_data(as_text=True)


def test_the_language_outlives_signing_in(client, world):
    client.get("/web/signin?lang=en")
    token = csrf_token(client.get("/web/signin").get_data(as_text=True))
    email = world.plating.users["admin"][0].email
    client.post(
        "/web/signin",
        data={"csrf_token": token, "email": email, "password": "correct horse battery"},
    )
    home = client.get("/web/").get_data(as_text=True)
    assert "Sign out" in home and "Administrator" in home


def test_form_validation_messages_follow_the_language(client):
    token = csrf_token(client.get("/web/signin").get_data(as_text=True))
    zh = client.post("/web/signin", data={"csrf_token": token, "email": "", "password": ""})
    assert zh.status_code == 422 and "必填" in zh.get_data(as_text=True)
    client.get("/web/signin?lang=en")
    en = client.post("/web/signin", data={"csrf_token": token, "email": "", "password": ""})
    assert "This field is required." in en.get_data(as_text=True)


def test_a_missing_page_is_a_404_page_and_the_api_keeps_json(client, client_for, world):
    page = client_for(world.plating).get("/web/manifests/999999999/nothing")
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "页面不存在" in html and "江门市恒美电镀有限公司" in html  # in the page style
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.get_json()["code"] == "not_found"


def test_a_page_method_not_taken_is_a_page_not_json(client):
    answer = client.delete("/web/signin")
    assert answer.status_code == 405 and "<html" in answer.get_data(as_text=True)


def test_static_files_carry_their_content_hash_and_are_cached_by_it(client):
    html = client.get("/web/signin").get_data(as_text=True)
    href = re.search(r'href="(/static/app\.css\?v=([0-9a-f]{12}))"', html)
    assert href, "the style sheet is linked with its version"
    with client.get(href.group(1)) as current:
        assert current.status_code == 200 and "immutable" in current.headers["Cache-Control"]
        assert current.headers["Content-Type"].startswith("text/css")
    with client.get("/static/app.css?v=000000000000") as stale:
        assert "immutable" not in stale.headers.get("Cache-Control", "")
