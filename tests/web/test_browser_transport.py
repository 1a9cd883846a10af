"""A load from pickup to completion through the pages, in a real browser: the driver on a
phone (pickup, GPS track upload with its progress and analysis), then the receiver (arrival,
a partial rejection refused without its reason, completion, the weighbridge upload)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from manifest.local_time import CHINA
from manifest.models import Manifest
from tests.builders import advance, create_manifest, now

from .conftest import PHONE, screenshot, signed_in

pytestmark = pytest.mark.slow

GPX = Path(__file__).resolve().parents[1] / "data" / "gpx" / "kmart-to-middletown-rd.gpx"


def status_of(uow, manifest_id) -> str:
    uow.session.rollback()
    uow.session.expire_all()
    return uow.session.get(Manifest, manifest_id).status


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("form.sign-form button[type=submit]").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300


def sign_out(page) -> None:
    page.click("form.signout button")
    page.wait_for_url(re.compile(r".*/web/signin$"))


def test_a_load_from_pickup_on_a_phone_to_the_weighbridge_upload(page, world, uow):
    manifest = advance(world, create_manifest(world), "issued")
    mid = manifest.id

    # The driver, on a phone: today's trips, then the pickup with plate and driver prefilled.
    page.set_viewport_size(PHONE)
    signed_in(page, world.carrier, "driver")
    page.goto("/web/trips")
    assert manifest.number in page.inner_text("main")
    assert page.locator(f"a[href='/web/manifests/{mid}/handover']").count() == 0
    screenshot(page, "trips-phone")
    page.click(f"a[href='/web/manifests/{mid}/pickup']")
    assert page.input_value("input[name=vehicle_plate]") == "粤J12345"
    assert page.input_value("input[name=lines-0-quantity]") == "6.000"
    fits_the_phone(page)
    page.fill("input[name=driver]", "")
    page.fill("input[name=lines-0-quantity]", "5.900")
    page.click("form.sign-form button[type=submit]")
    # Refused: the driver's name is missing; what was typed stays.
    assert "必填" in page.inner_text("#driver-errors")
    assert page.input_value("input[name=lines-0-quantity]") == "5.900"
    screenshot(page, "pickup-refused-phone")
    page.fill("input[name=driver]", "李师傅")
    page.click("form.sign-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/web/manifests/{mid}$"))
    assert status_of(uow, mid) == "in_transit"

    # The GPS log: the upload shows its progress, then the analysis with its findings.
    page.goto(f"/web/manifests/{mid}/tracks")
    fits_the_phone(page)
    page.set_input_files("input[name=file]", str(GPX))
    held = []

    def hold(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.fallback()

    page.route(re.compile(rf".*/web/manifests/{mid}/tracks$"), hold)
    page.click("form.sign-form button[type=submit]")
    page.wait_for_selector("progress.upload-progress:visible")
    assert page.is_disabled("form.sign-form button[type=submit]")
    assert page.inner_text(".upload-status")  # says the file is being sent
    screenshot(page, "track-upload-progress-phone")
    assert held and held[0].request.resource_type == "xhr"
    held[0].fallback()
    page.wait_for_url(re.compile(rf".*/web/manifests/{mid}/tracks/\d+$"))
    assert page.locator("table.episodes tbody tr").count() == 2
    screenshot(page, "track-analysis-phone")
    sign_out(page)

    # The receiver at the weighbridge: arrival, decision, completion.
    page.set_viewport_size({"width": 1280, "height": 900})
    signed_in(page, world.centre)
    page.goto("/web/incoming")
    screenshot(page, "incoming")
    page.click(f"a[href='/web/manifests/{mid}/arrival']")
    page.fill("input[name=lines-0-quantity]", "5.880")
    page.fill("input[name=lines-1-quantity]", "1500")
    screenshot(page, "arrival")
    page.click("form.sign-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/web/manifests/{mid}$"))
    assert status_of(uow, mid) == "delivered"

    page.goto(f"/web/manifests/{mid}/decision")
    page.fill("input[name=lines-1-accepted]", "1000")
    page.fill("input[name=lines-1-rejected]", "500")
    page.click("form.sign-form button[type=submit]")
    assert "第 2 行：拒收须填写原因" in page.inner_text("#lines-1-reason-errors")
    assert page.input_value("input[name=lines-1-rejected]") == "500"
    screenshot(page, "decision-refused")
    page.fill("textarea[name=lines-1-reason]", "含油超标，退回")
    page.click("form.sign-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/web/manifests/{mid}$"))
    assert status_of(uow, mid) == "partially_rejected"

    page.goto(f"/web/manifests/{mid}/completion")
    assert page.input_value("input[name=operation]") == "D10"
    page.click("form.sign-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/web/manifests/{mid}$"))
    assert status_of(uow, mid) == "completed"

    # The day's weighbridge log: every row's outcome, the refused row by its line.
    weighed = (now() - timedelta(minutes=10)).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    csv = (
        "磅单号,车牌号,进场时间,毛重,皮重,净重,联单编号\n"
        f"W-1,粤J12345,{weighed},13400,7500,5900,{manifest.number}\n"
        f"W-2,粤A99999,{weighed},9000,8000,1000,\n"
        f"W-3,粤A99999,{weighed},9000,8000,?,\n"
    )
    page.goto("/web/receipts/upload")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "day.csv", "mimeType": "text/csv", "buffer": csv.encode()}],
    )
    page.click("form.sign-form button[type=submit]")
    page.wait_for_selector("section.upload-result")
    assert page.inner_text("dd.count-matched") == "1"
    assert page.inner_text("dd.count-unmanifested") == "1"
    assert page.locator("table.receipt-rows tbody tr").count() == 2
    assert page.locator("table.receipt-errors tbody tr td").first.inner_text() == "4"
    assert manifest.number in page.inner_text("table.receipt-rows")
    screenshot(page, "weighbridge-upload")
