"""Forms of the workspace in a real browser, each seen by the people it concerns: a party's
comment on a finding read by another party, a role change in the members' audit trail, and a
positioning terminal bound, moved and unbound. The ``page`` fixtures fail a test on any
console error or any request to another host."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from manifest.models import User
from tests.web.conftest import screenshot, signed_in
from tests.web.terminal_scenes import bind
from tests.web.test_finding_comments import _finding
from tests.web.test_terminal_pages import _bound

pytestmark = pytest.mark.slow


def test_a_party_comments_on_a_finding_and_another_party_reads_it(new_page, world):
    m, finding = _finding(world)
    generator = signed_in(new_page(), world.plating)
    generator.goto(f"/web/manifests/{m.id}")
    form = generator.locator(f"#finding-{finding.id} form.comment-form")
    form.locator("textarea").fill("地磅误差，已复核称重记录")
    form.locator("select").select_option("explained")
    with generator.expect_navigation():
        form.locator("button[type=submit]").click()
    thread = generator.locator(f"#finding-{finding.id} .comments")
    assert "地磅误差，已复核称重记录" in thread.inner_text()
    screenshot(generator, "finding-comment-written")

    receiver = signed_in(new_page(), world.centre)
    receiver.goto(f"/web/manifests/{m.id}")
    seen = receiver.locator(f"#finding-{finding.id}")
    comment = seen.locator(".comments li.comment", has_text="地磅误差，已复核称重记录")
    assert comment.count() == 1
    assert world.plating.users["admin"][0].email in comment.inner_text()
    assert seen.locator(".finding-status").inner_text() == "已说明"
    screenshot(receiver, "finding-comment-read-by-another-party")


def test_a_role_change_shows_in_the_members_audit_trail(page, world):
    member = world.plating.users["reader"][0]
    signed_in(page, world.plating)
    page.goto("/web/admin/members")
    assert page.locator("#member-changes tr[data-change]").count() == 0
    row = page.locator(f'tr[data-user="{member.email}"]')
    row.locator("select[name=role]").select_option("member")
    with page.expect_navigation():
        row.locator("button", has_text=re.compile("角色")).click()
    trail = page.locator('#member-changes tr[data-change="role"]')
    assert trail.count() == 1
    said = trail.first.inner_text()
    assert member.email in said and world.plating.users["admin"][0].email in said
    assert "角色 只读 → 业务人员" in said
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", said)
    screenshot(page, "members-audit-trail")
    world.uow.session.rollback()
    assert world.uow.session.scalar(select(User.role).where(User.id == member.id)) == "member"


def test_a_transporter_binds_moves_and_unbinds_a_terminal(page, world):
    phone = "13911112222"
    bind(world, world.carrier2, "13900000077", "粤E54321")  # another transporter's
    signed_in(page, world.carrier)
    page.goto("/web/admin/terminals")

    bind_form = page.locator("form.bind")
    bind_form.locator("input[name=phone]").fill(phone)
    bind_form.locator("select[name=vehicle_plate]").select_option("粤J12345")
    with page.expect_navigation():
        bind_form.locator("button[type=submit]").click()
    row = page.locator(f'tr[data-phone="{phone}"]')
    assert "粤J12345" in row.locator(".terminal-vehicle").inner_text()
    assert (phone, "粤J12345", 2) in _bound(world)
    screenshot(page, "terminal-bound")

    row.locator("form.move select[name=vehicle_plate]").select_option("粤J88888")
    row.locator("form.move select[name=plate_colour]").select_option("1")
    with page.expect_navigation():
        row.locator("form.move button[type=submit]").click()
    assert "粤J88888" in page.locator(f'tr[data-phone="{phone}"] .terminal-vehicle').inner_text()
    assert (phone, "粤J88888", 1) in _bound(world)
    screenshot(page, "terminal-moved")

    with page.expect_navigation():
        page.locator(f'tr[data-phone="{phone}"] form.unbind button').click()
    assert page.locator(f'tr[data-phone="{phone}"]').count() == 0
    assert page.locator('tr[data-phone="13900000077"]').count() == 0
    assert [b for b in _bound(world) if b[0] == phone] == []
    screenshot(page, "terminal-unbound")
