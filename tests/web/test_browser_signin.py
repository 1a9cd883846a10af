"""Signing in through a real browser, under the pages' Content-Security-Policy."""

from __future__ import annotations

import pytest

from .conftest import PHONE, screenshot, signed_in

pytestmark = pytest.mark.slow


def test_a_clerk_signs_in_sees_home_switches_language_and_signs_out(page, world):
    page.goto("/")
    assert page.url.endswith("/web/signin")
    assert page.inner_text("h1") == "登录"
    page.fill("input[name=email]", world.plating.users["admin"][0].email)
    page.fill("input[name=password]", "wrong")
    page.click("form button[type=submit]")
    assert "电子邮箱或密码错误" in page.inner_text(".field.has-error")
    signed_in(page, world.plating)
    assert "江门市恒美电镀有限公司" in page.inner_text(".who")
    # The style sheet loaded (the policy allows it): the top bar has its colour.
    assert page.eval_on_selector(".topbar", "e => getComputedStyle(e).display") == "flex"
    screenshot(page, "home-signed-in-zh")
    page.click("text=English")
    assert page.inner_text("h1") == "Needs your action"
    page.click("text=Sign out")
    assert page.url.endswith("/web/signin") and page.inner_text("h1") == "Sign in"


def test_the_sign_in_page_fits_a_phone(page):
    page.set_viewport_size(PHONE)
    page.goto("/web/signin")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing scrolls sideways"
    box = page.locator("form button[type=submit]").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a thumb-sized, full-width button
    screenshot(page, "signin-phone")
