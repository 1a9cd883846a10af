"""The home page per role: what needs the user's action now, with counts, links and the
decision deadlines; the findings about the organisation; the latest activity; and a fixed
number of queries however many manifests there are."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from manifest.local_time import CHINA
from manifest.models import CustodyEvent
from manifest.services.deadlines import sweep
from tests.builders import advance, create_manifest, now

from .conftest import PHONE, screenshot, signed_in
from .queries import count_queries


def pile(html: str, key: str) -> str:
    found = re.search(rf'data-pile="{key}">(.*?)</li>\s*(?=<li class="card|</ul>\s*$)', html, re.S)
    assert found, f"no pile {key}"
    return found.group(1)


def count_of(html: str, key: str) -> int:
    block = re.search(
        rf'data-pile="{key}">.*?<span class="tile-count">([0-9,]+)</span>', html, re.S
    )
    assert block, f"no pile {key}"
    return int(block.group(1).replace(",", ""))


def test_a_generator_sees_its_drafts_to_issue_and_its_issued_loads(client_for, world):
    drafts = [create_manifest(world) for _ in range(2)]
    issued = advance(world, create_manifest(world), "issued")
    advance(world, create_manifest(world, generator=world.outsider), "issued")  # not ours
    html = client_for(world.plating).get("/web/").get_data(as_text=True)
    assert count_of(html, "drafts") == 2 and count_of(html, "awaiting_pickup") == 1
    assert "待签发的草稿" in html and "已签发、待运输单位接收" in html
    assert (
        f"草稿 {drafts[0].id}" in html
        or f"草稿 #{drafts[0].id}" in html
        or str(drafts[0].id) in html
    )
    assert issued.number in html
    assert "江门市东江环保技术有限公司" in html  # the receiver of the drafts
    # Piles of other roles are not shown to a generator.
    assert 'data-pile="decisions"' not in html and 'data-pile="pickup_today"' not in html


def test_a_receiver_sees_arrivals_and_decisions_with_their_working_day_deadline(client_for, world):
    advance(world, create_manifest(world), "in_transit")
    delivered = advance(world, create_manifest(world), "delivered")
    advance(world, create_manifest(world), "accepted")
    client = client_for(world.centre)
    html = client.get("/web/").get_data(as_text=True)
    assert count_of(html, "arrivals") == 1
    assert count_of(html, "decisions") == 1
    assert count_of(html, "completions") == 1
    decisions = pile(html, "decisions")
    assert delivered.number in decisions and "请在" in decisions and "前决定" in decisions
    english = client.get("/web/?lang=en").get_data(as_text=True)
    assert "Decisions due" in english and "decide by" in pile(english, "decisions")


def test_a_decision_past_its_deadline_is_flagged_and_the_finding_is_listed(client_for, world):
    delivered = advance(world, create_manifest(world), "delivered")
    sweep(world.uow, now=now() + timedelta(days=20))  # the decision is now overdue
    html = client_for(world.centre).get("/web/").get_data(as_text=True)
    assert count_of(html, "decisions") == 1
    findings = re.search(r'id="findings">(.*?)</section>', html, re.S).group(1)
    assert (
        "未按期作出接收决定" in findings
        or "overdue" in findings.lower()
        or delivered.number in findings
    )
    assert '<span class="tile-count">1</span>' in findings


def test_a_driver_sees_loads_to_pick_up_today_and_in_transit(client_for, world):
    advance(world, create_manifest(world, planned_pickup_at=now() + timedelta(minutes=5)), "issued")
    advance(world, create_manifest(world), "in_transit")
    html = client_for(world.carrier, "driver").get("/web/").get_data(as_text=True)
    assert count_of(html, "pickup_today") == 1 and count_of(html, "in_transit") == 1
    assert "今日待接收的货物" in html
    assert 'data-pile="drafts"' not in html


def test_the_latest_activity_lists_our_manifests_events_only(client_for, world):
    mine = advance(world, create_manifest(world), "issued")
    theirs = advance(world, create_manifest(world, generator=world.outsider), "issued")
    html = client_for(world.plating).get("/web/").get_data(as_text=True)
    activity = re.search(r'id="activity">(.*?)</section>', html, re.S).group(1)
    assert mine.number in activity and "签发" in activity and "填报" in activity
    assert theirs.number not in html
    outsider = client_for(world.outsider).get("/web/").get_data(as_text=True)
    assert mine.number not in outsider and theirs.number in outsider


def test_the_latest_activity_is_ordered_and_dated_by_receipt_and_says_the_signed_time(
    client_for, world
):
    manifest = advance(world, create_manifest(world), "in_transit")
    events = {
        ev.action: ev
        for ev in world.uow.session.scalars(
            select(CustodyEvent).where(CustodyEvent.manifest_id == manifest.id)
        )
    }
    html = client_for(world.plating).get("/web/?lang=en").get_data(as_text=True)
    activity = re.search(r'id="activity">(.*?)</section>', html, re.S).group(1)
    assert "by when the service received each signature" in activity
    shown, received = {}, []
    for item in re.findall(r"<li>(.*?)</li>", activity, re.S):
        when = re.search(r'<time datetime="([^"]+)"[^>]*>([^<]+)</time>', item)
        received.append(when.group(1))
        signed = re.search(r'class="event-claimed">signed for ([^<]+)<', item)
        action = "issue" if "Issued" in item else "pickup" if "Picked up" in item else None
        if action:
            shown[action] = (when.group(1), when.group(2).strip(), signed and signed.group(1))
    assert received == sorted(received, reverse=True)  # newest received first
    for action in ("issue", "pickup"):
        ev = events[action]
        # The signatures were claimed hours before the service received them.
        assert ev.server_time - ev.claimed_time > timedelta(hours=3)
        assert shown[action] == (
            ev.server_time.isoformat(),
            ev.server_time.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
            ev.claimed_time.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
        )


MINUTE = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_home_tiles_and_lists_write_times_alike_in_each_language(client_for, world, lang):
    delivered = advance(world, create_manifest(world), "delivered")
    client = client_for(world.centre)
    home = client.get(f"/web/?lang={lang}").get_data(as_text=True)
    incoming = client.get("/web/incoming").get_data(as_text=True)
    deadline = re.search(r'<span class="deadline">([^<]+)</span>', pile(home, "decisions"))
    activity = re.search(r'id="activity">(.*?)</section>', home, re.S).group(1)
    picked_up = delivered.picked_up_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    assert MINUTE.search(deadline.group(1)), deadline.group(1)
    assert all(MINUTE.fullmatch(t) for t in re.findall(r"<time [^>]*>([^<]+)</time>", activity))
    assert picked_up in incoming
    for page in (home, incoming):
        assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}|\b[AP]M\b", page)


def test_nothing_to_do_says_so(client_for, world):
    html = client_for(world.kiln).get("/web/").get_data(as_text=True)
    assert "当前没有需要您处理的事项" in html and "暂无未解决的问题" in html


@pytest.mark.parametrize("party", ["plating", "centre", "carrier"])
def test_the_home_runs_as_many_queries_for_thirty_manifests_as_for_one(
    client_for, app, world, party
):
    client = client_for(getattr(world, party))
    engine = app.extensions["hwm"]["engine"]

    def queries() -> int:
        with count_queries(engine) as counted:
            assert client.get("/web/").status_code == 200
        return counted.count

    def add(n: int) -> None:
        for i in range(n):
            m = create_manifest(world)
            advance(world, m, ("draft", "issued", "in_transit", "delivered", "accepted")[i % 5])

    add(1)
    one = queries()
    add(29)
    thirty = queries()
    assert thirty == one, f"{one} queries for one manifest, {thirty} for thirty"
    # The signed-in user, the piles (their sizes and first rows), the findings, the activity
    # (and SQLite's BEGIN).
    assert one <= 5, f"{one} queries"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_in_a_browser_for_a_generator_and_a_receiver(page, world, lang):
    create_manifest(world)
    advance(world, create_manifest(world), "delivered")
    advance(world, create_manifest(world), "in_transit")
    for party, name in ((world.plating, "generator"), (world.centre, "receiver")):
        signed_in(page, party)
        page.goto(f"/web/?lang={lang}")
        heading = {"zh": "需要您处理的事项", "en": "Needs your action"}[lang]
        assert page.inner_text("h1") == heading
        tiles = page.locator("[data-pile]")
        assert tiles.count() >= 2
        screenshot(page, f"home-{name}-{lang}")
        page.set_viewport_size(PHONE)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Every page of the navigation is in sight on a phone, none hidden past its edge.
        for link in page.locator(".mainnav a").all():
            box = link.bounding_box()
            assert box is not None and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
        screenshot(page, f"home-{name}-{lang}-phone")
        page.set_viewport_size({"width": 1280, "height": 800})
        page.click("form.signout button")
