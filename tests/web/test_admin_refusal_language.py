"""The administration pages say the services' refusals in the page's language (Chinese by
default, English on request), while the API answers them in English as before."""

from __future__ import annotations

from html import unescape

from tests.web.test_admin_pages import _post, _user


def _text(answer) -> str:
    return unescape(answer.get_data(as_text=True))


def test_keeping_the_last_administrator_is_said_in_chinese_and_in_english(client_for, world):
    admin = client_for(world.plating)
    me = world.plating.users["admin"][0]
    path = f"/web/admin/members/{me.id}/role"
    refused = _post(admin, "/web/admin/members", path, {"role": "reader"})
    assert refused.status_code == 303
    chinese = _text(admin.get("/web/admin/members"))
    assert "本单位最后一名在用的管理员必须保留管理员角色" in chinese
    assert "must stay an administrator" not in chinese

    admin.get("/web/?lang=en")
    _post(admin, "/web/admin/members", path, {"role": "reader"})
    english = _text(admin.get("/web/admin/members"))
    assert "the organisation's last active administrator must stay an administrator" in english
    assert "必须保留" not in english
    assert _user(world, me.email).role == "admin"


def test_an_invitation_with_a_bad_address_is_refused_in_the_page_language(client_for, world):
    admin = client_for(world.carrier)
    form = {"email": "nobody", "role": "member"}
    chinese = _post(admin, "/web/admin/members", "/web/admin/members", form)
    assert chinese.status_code == 422
    assert "不是电子邮箱地址" in _text(chinese) and "not an e-mail" not in _text(chinese)
    admin.get("/web/?lang=en")
    english = _post(admin, "/web/admin/members", "/web/admin/members", form)
    assert english.status_code == 422 and "not an e-mail address" in _text(english)
    assert _user(world, "nobody") is None


def test_a_vehicle_refused_is_said_in_the_page_language_and_the_api_keeps_its_english(
    app, client_for, world
):
    admin = client_for(world.carrier)
    form = {"plate": "粤J66666", "max_load_t": "500"}
    chinese = _post(admin, "/web/admin/vehicles", "/web/admin/vehicles", form)
    assert chinese.status_code == 422 and "最多 100" in _text(chinese)
    assert "at most 100" not in _text(chinese)
    admin.get("/web/?lang=en")
    english = _post(admin, "/web/admin/vehicles", "/web/admin/vehicles", form)
    assert english.status_code == 422 and "at most 100" in _text(english)
    assert "最多" not in _text(english)

    api = app.test_client().post(
        f"/api/v1/organizations/{world.carrier.id}/vehicles",
        json={"plate": "粤J66666", "max_load_t": "500"},
        headers={**world.carrier.auth(), "Accept-Language": "en"},
    )
    body = api.get_json()
    assert api.status_code == 422
    assert body["message"] == "max_load_t above 100 t is not a road vehicle"
    assert body["errors"] == {"max_load_t": ["at most 100"]}
