"""One manifest carried through the web only, by four people of four organisations, each in
a browser of their own: the plating plant's clerk files and issues it, the carrier's driver
picks it up on a phone, the disposal centre's operator weighs it in, decides per line and
completes it; then every one of them, and the region's regulator, reads the same completed
manifest with its verified chain, and a receiver that is no party gets the 404 page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from manifest.local_time import CHINA
from manifest.models import Manifest
from manifest.services import registry
from tests.builders import PASSWORD

from .conftest import PHONE, screenshot, signed_in

pytestmark = pytest.mark.slow

#: What every party must read on the completed manifest, per line and tally.
TALLIES = {
    1: {"declared": "6", "loaded": "5.95", "received": "5.9", "accepted": "5.9", "rejected": "0"},
    2: {
        "declared": "1,500",
        "loaded": "1,480",
        "received": "1,480",
        "accepted": "1,400",
        "rejected": "80",
    },
}


def member(world, party, role: str = "member") -> str:
    """A user of ``party`` with ``role`` (the clerk, the operator); their e-mail."""
    email = f"{role}.web.{party.id}@example.cn"
    registry.add_member(
        world.uow, actor=None, organization_id=party.id, email=email, password=PASSWORD, role=role
    )
    return email


def signed(page, expected_status: str, mid: int) -> None:
    """After a signature: the manifest page, with the new status."""
    page.wait_for_url(re.compile(rf".*/web/manifests/{mid}$"))
    assert page.inner_text(".manifest-head .badge") == expected_status
    assert page.locator(".flash-success").count() == 1


def file_and_issue(clerk, world) -> str:
    """The clerk files a two-line draft and issues it; the manifest's number."""
    clerk.goto("/web/manifests/new")
    clerk.fill("#lines-0-waste_code", "336-064-17")
    clerk.click("#add_line")
    clerk.wait_for_selector("#lines-1-waste_code")
    for index, (name, form, quantity, unit) in enumerate(
        [("电镀污泥", "SS", "6", "t"), ("电镀废液", "L", "1500", "kg")]
    ):
        clerk.fill(f"#lines-{index}-waste_code", "336-064-17")
        clerk.fill(f"#lines-{index}-name", name)
        clerk.select_option(f"#lines-{index}-physical_form", form)
        clerk.check(f"#lines-{index}-hazard-0")
        clerk.fill(f"#lines-{index}-quantity", quantity)
        clerk.select_option(f"#lines-{index}-unit", unit)
    # Planned for now, so that the load is among the carrier's pickups of the day.
    pickup = datetime.now(UTC).astimezone(CHINA) - timedelta(minutes=1)
    clerk.select_option("#operation", "D10")
    clerk.fill("#planned_pickup_at", pickup.strftime("%Y-%m-%dT%H:%M"))
    clerk.select_option("#receiver_id", str(world.centre.id))
    clerk.select_option("#transporter_id", str(world.carrier.id))
    clerk.wait_for_function("() => document.querySelectorAll('#vehicle_plate option').length === 3")
    clerk.select_option("#vehicle_plate", "粤J12345")
    screenshot(clerk, "lifecycle-draft")
    clerk.click("#save")
    clerk.wait_for_url(re.compile(r".*/web/manifests/\d+/issue$"))
    assert clerk.locator(".has-failure").count() == 0  # every check passes
    clerk.click("#confirm")
    clerk.wait_for_url(re.compile(r".*/web/manifests\?number=\d{14}$"))
    number = clerk.url.rsplit("=", 1)[1]
    assert f"联单 {number} 已签发" in clerk.inner_text(".flash")
    assert number in clerk.inner_text("table.manifests")
    screenshot(clerk, "lifecycle-issued")
    return number


def pick_up(driver, number: str, mid: int) -> None:
    """The driver, on a phone: the load among today's trips, then the pickup with the
    quantities loaded."""
    driver.set_viewport_size(PHONE)
    driver.goto("/web/trips")
    assert number in driver.inner_text("main")
    driver.click(f"a[href='/web/manifests/{mid}/pickup']")
    assert driver.input_value("input[name=vehicle_plate]") == "粤J12345"
    assert driver.input_value("input[name=lines-0-quantity]") == "6.000"
    assert driver.input_value("input[name=lines-1-quantity]") == "1500.000"
    driver.fill("input[name=driver]", "李师傅")
    driver.fill("input[name=lines-0-quantity]", "5.950")
    driver.fill("input[name=lines-1-quantity]", "1480")
    screenshot(driver, "lifecycle-pickup-phone")
    driver.click("form.sign-form button[type=submit]")
    signed(driver, "运输中", mid)


def receive(operator, number: str, mid: int) -> None:
    """The operator: arrival with the weighed quantities, a decision per line (part of line
    2 rejected, with its reason), completion."""
    operator.goto("/web/incoming")
    assert number in operator.inner_text("main")
    operator.click(f"a[href='/web/manifests/{mid}/arrival']")
    operator.fill("input[name=lines-0-quantity]", "5.900")
    operator.fill("input[name=lines-1-quantity]", "1480")
    screenshot(operator, "lifecycle-arrival")
    operator.click("form.sign-form button[type=submit]")
    signed(operator, "已到达", mid)

    operator.goto(f"/web/manifests/{mid}/decision")
    assert operator.input_value("input[name=lines-0-accepted]") == "5.900"
    operator.fill("input[name=lines-1-accepted]", "1400")
    operator.fill("input[name=lines-1-rejected]", "80")
    operator.fill("textarea[name=lines-1-reason]", "两只桶渗漏，退回")
    screenshot(operator, "lifecycle-decision")
    operator.click("form.sign-form button[type=submit]")
    signed(operator, "部分拒收", mid)

    operator.goto(f"/web/manifests/{mid}/completion")
    assert operator.input_value("input[name=operation]") == "D10"
    operator.click("form.sign-form button[type=submit]")
    signed(operator, "已办结", mid)


def reads_the_completed_manifest(tab, who: str, number: str, mid: int) -> str:
    """What a party checks on the completed manifest's page: its number and status, every
    tally, the rejection's reason and a chain of six signatures that verifies. Returns the
    text of the lines table, to compare between parties."""
    tab.goto(f"/web/manifests/{mid}")
    assert number in tab.inner_text("h1")
    assert tab.inner_text(".manifest-head .badge") == "已办结"
    for line_no, tallies in TALLIES.items():
        row = tab.locator(f"table.lines tbody tr[data-line='{line_no}']")
        for tally, shown in tallies.items():
            cell = row.locator(f"td[data-tally={tally}]").inner_text().split()
            assert cell[0] == shown, (who, line_no, tally, cell)
    assert "两只桶渗漏，退回" in tab.inner_text("table.lines tbody tr[data-line='2']")
    verdict = tab.locator(".chain-verdict")
    assert verdict.get_attribute("class").split() == ["chain-verdict", "chain-valid"]
    assert "6 条签名记录组成的签名链校验通过" in verdict.inner_text()
    assert tab.locator("ol.timeline li").count() == 6
    screenshot(tab, f"lifecycle-completed-{who}")
    return tab.inner_text("table.lines")


def test_four_organisations_carry_one_manifest_through_the_web(new_page, world, uow):
    clerk_email = member(world, world.plating)
    operator_email = member(world, world.centre)
    clerk, driver, operator, officer, stranger = (new_page() for _ in range(5))
    signed_in(clerk, clerk_email)
    signed_in(driver, world.carrier, "driver")
    signed_in(operator, operator_email)
    signed_in(officer, "officer@jmepb.example.cn")
    signed_in(stranger, world.kiln)

    number = file_and_issue(clerk, world)
    uow.session.rollback()
    mid = uow.session.scalar(select(Manifest.id).where(Manifest.number == number))
    pick_up(driver, number, mid)
    receive(operator, number, mid)

    tables = {
        who: reads_the_completed_manifest(tab, who, number, mid)
        for who, tab in (
            ("generator", clerk),
            ("driver", driver),
            ("receiver", operator),
            ("regulator", officer),
        )
    }
    assert len(set(tables.values())) == 1, tables

    # A receiver that is no party of the manifest: the 404 page, nothing of the manifest.
    answer = stranger.goto(f"/web/manifests/{mid}")
    assert answer.status == 404
    assert stranger.inner_text("h1") == "页面不存在"
    assert number not in stranger.content() and "电镀污泥" not in stranger.content()
    screenshot(stranger, "lifecycle-stranger-404")

    uow.session.rollback()
    uow.session.expire_all()
    assert uow.session.get(Manifest, mid).status == "completed"
