"""A clerk at the plating plant files a manifest in a real browser: the code search as she
types, a refused issue that shows the failing field, the fix, the issue, the list's filter
and its CSV."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from manifest.local_time import CHINA

from .conftest import screenshot, signed_in

pytestmark = pytest.mark.slow


def option_texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(f"{selector} option", "os => os.map(o => o.textContent)")


def test_a_clerk_drafts_is_refused_fixes_issues_filters_and_exports(page, world):
    signed_in(page, world.plating)
    page.goto("/web/manifests/new")
    # As she types a Chinese name, the catalogue answers (no official list is loaded here,
    # so the categories).
    page.fill("#lines-0-waste_code", "表面处理")
    page.wait_for_selector("#waste-code-options option[value=HW17]", state="attached")
    page.fill("#lines-0-waste_code", "397-004-22")  # HW22: only the centre's licence has it
    page.dispatch_event("#lines-0-waste_code", "change")
    page.wait_for_function(
        "name => ![...document.querySelectorAll('#receiver_id option')]"
        ".some(o => o.textContent === name)",
        arg=world.kiln.org.name,
    )
    assert world.centre.org.name in option_texts(page, "#receiver_id")
    page.fill("#lines-0-waste_code", "336-064-17")
    page.dispatch_event("#lines-0-waste_code", "change")
    page.wait_for_function(
        "name => [...document.querySelectorAll('#receiver_id option')]"
        ".some(o => o.textContent === name)",
        arg=world.kiln.org.name,
    )
    pickup = (datetime.now(UTC) + timedelta(hours=3)).astimezone(CHINA)
    page.select_option("#operation", "D10")
    page.fill("#planned_pickup_at", pickup.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#receiver_id", str(world.centre.id))
    page.select_option("#transporter_id", str(world.carrier.id))
    # The vehicles offered are the chosen transporter's fleet only.
    page.wait_for_function("() => document.querySelectorAll('#vehicle_plate option').length === 3")
    assert not any("粤E54321" in t for t in option_texts(page, "#vehicle_plate"))
    page.select_option("#vehicle_plate", "粤J12345")  # 10 t: too small for 12 t
    page.fill("#lines-0-name", "电镀污泥")
    page.select_option("#lines-0-physical_form", "SS")
    page.check("#lines-0-hazard-0")
    page.fill("#lines-0-quantity", "12")
    page.select_option("#lines-0-unit", "t")
    assert page.is_hidden("#sludge-fields")
    screenshot(page, "drafting-new-form")
    page.click("#save")
    page.wait_for_url(re.compile(r".*/web/manifests/\d+/issue$"))
    failing = page.locator("#check-vehicle_plate.has-failure")
    assert "装载量不得超过车辆最大载重" in failing.inner_text()
    page.click("#confirm")
    assert "未通过的检查：1 项" in page.inner_text("#issue-failures")
    assert (
        "装载量不得超过车辆最大载重"
        in page.locator("#check-vehicle_plate.has-failure").inner_text()
    )
    screenshot(page, "drafting-issue-refused")

    page.click("text=修改草稿")
    assert page.input_value("#lines-0-quantity") == "12.000"
    page.wait_for_function("() => document.querySelectorAll('#vehicle_plate option').length === 3")
    page.select_option("#vehicle_plate", "粤J88888")  # 30 t
    page.click("#save")
    page.wait_for_url(re.compile(r".*/web/manifests/\d+/issue$"))
    assert page.locator(".has-failure").count() == 0
    page.click("#confirm")
    page.wait_for_url(re.compile(r".*/web/manifests\?number=\d{14}$"))
    number = page.url.rsplit("=", 1)[1]
    assert f"联单 {number} 已签发" in page.inner_text(".flash")
    screenshot(page, "drafting-issued")

    page.goto("/web/manifests")
    page.select_option("#status", "issued")
    page.fill("#code", "HW17")
    page.click("#manifest-filters button[type=submit]")
    assert "status=issued" in page.url
    table = page.inner_text("table.manifests")
    assert number in table and world.centre.org.name in table
    screenshot(page, "drafting-list-filtered")
    with page.expect_download() as download:
        page.click("#csv-export")
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = text.strip().splitlines()
    assert rows[0].startswith("联单编号,") and len(rows) == 2 and rows[1].startswith(number)
