"""Commenting on a finding from the manifest page: the same service and the same rules as the
API's ``POST /findings/{id}/comments``, with every refusal shown on the finding's form."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from manifest.models import Finding, FindingComment
from manifest.services.findings_triage import update_finding
from tests.builders import now
from tests.reconcile.helpers import trip
from tests.web.conftest import csrf_token


def _finding(world):
    """A manifest of the plating plant that lost 6 % on the road, and its one finding."""
    m = trip(
        world, start=now() - timedelta(hours=6), received={1: Decimal("5.640"), 2: Decimal("1500")}
    )
    [finding] = world.uow.session.scalars(select(Finding).where(Finding.manifest_id == m.id))
    return m, finding


def _form(html: str, finding_id: int) -> str | None:
    """The comment form of one finding on the page, or None."""
    found = re.search(
        rf'<form class="comment-form"[^>]*/findings/{finding_id}/comments[^>]*>(.*?)</form>',
        html,
        re.S,
    )
    return found.group(1) if found else None


def _post(client, m, finding_id: int, csrf_from: int | None = None, **fields):
    """Submit finding ``finding_id``'s form as a browser would (token read from the page)."""
    html = client.get(f"/web/manifests/{m.id}").get_data(as_text=True)
    form = _form(html, csrf_from or finding_id) or ""
    token = re.search(r'name="finding-\d+-csrf_token" type="hidden" value="([^"]+)"', form)
    token = token or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    data = {f"finding-{finding_id}-{k}": v for k, v in fields.items()}
    data[f"finding-{finding_id}-csrf_token"] = token.group(1)
    return client.post(f"/web/manifests/{m.id}/findings/{finding_id}/comments", data=data)


def _comments(world, finding_id: int) -> list[FindingComment]:
    session = world.uow.session
    session.rollback()  # see what the pages committed
    return list(
        session.scalars(select(FindingComment).where(FindingComment.finding_id == finding_id))
    )


def test_a_party_explains_a_finding_from_the_manifest_page(client_for, world):
    m, finding = _finding(world)
    client = client_for(world.plating)
    html = client.get(f"/web/manifests/{m.id}").get_data(as_text=True)
    form = _form(html, finding.id)
    assert form is not None
    # A party may only explain; the regulator's other statuses are not offered to it.
    assert 'value="explained"' in form and 'value="resolved"' not in form

    answer = _post(client, m, finding.id, body="称重误差，已复核", status="explained")

    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"#finding-{finding.id}")
    [comment] = _comments(world, finding.id)
    assert (comment.body, comment.status_change, comment.author) == (
        "称重误差，已复核",
        "explained",
        world.plating.users["admin"][0].email,
    )
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "称重误差，已复核" in page and "评论已添加" in page
    # The API reads the same thread.
    api = client.get(f"/api/v1/findings/{finding.id}", headers=world.plating.auth()).get_json()
    assert api["status"] == "explained" and api["comments"][0]["body"] == "称重误差，已复核"


def test_the_regulator_may_set_any_status(client_for, world):
    m, finding = _finding(world)
    client = client_for(world.regulator)
    form = _form(client.get(f"/web/manifests/{m.id}").get_data(as_text=True), finding.id)
    assert 'value="resolved"' in form and 'value="escalated"' in form

    answer = _post(client, m, finding.id, body="已核查，结案", status="resolved")

    assert answer.status_code == 303
    assert [c.status_change for c in _comments(world, finding.id)] == ["resolved"]


def test_an_empty_comment_is_refused_next_to_its_field_and_keeps_the_status(client_for, world):
    m, finding = _finding(world)
    answer = _post(client_for(world.plating), m, finding.id, body="   ", status="explained")

    assert answer.status_code == 422
    form = _form(answer.get_data(as_text=True), finding.id)
    body_field = re.search(r'<div class="field has-error\s*">.*?</div>', form, re.S).group(0)
    assert f"finding-{finding.id}-body" in body_field and "required" in body_field
    assert re.search(r'<option selected value="explained">|value="explained" selected', form)
    assert _comments(world, finding.id) == []


def test_a_party_asking_for_another_status_is_refused_on_the_form(client_for, world):
    m, finding = _finding(world)
    answer = _post(
        client_for(world.plating), m, finding.id, body="我们认为可以结案", status="resolved"
    )

    assert answer.status_code == 403
    form = _form(answer.get_data(as_text=True), finding.id)
    assert "a party may only mark a finding as explained" in form
    assert "我们认为可以结案" in form  # what was typed is kept
    assert _comments(world, finding.id) == []


def test_explaining_a_resolved_finding_is_refused_on_the_form(client_for, world):
    m, finding = _finding(world)
    update_finding(
        world.uow, actor=world.regulator.actor(), finding_id=finding.id, status="resolved"
    )

    answer = _post(client_for(world.plating), m, finding.id, body="补充说明", status="explained")

    assert answer.status_code == 409
    assert "cannot be explained" in _form(answer.get_data(as_text=True), finding.id)
    assert [c.status_change for c in _comments(world, finding.id)] == ["resolved"]


def test_drivers_and_readers_get_no_form_and_a_refusal_if_they_post(client_for, world):
    m, finding = _finding(world)
    reader = client_for(world.plating, "reader")
    assert _form(reader.get(f"/web/manifests/{m.id}").get_data(as_text=True), finding.id) is None

    answer = _post(reader, m, finding.id, body="我也想说一句")

    assert answer.status_code == 403
    form = _form(answer.get_data(as_text=True), finding.id)
    assert "may comment" in form and "我也想说一句" in form
    assert _comments(world, finding.id) == []


def test_a_finding_of_another_manifest_or_organisation_is_the_404_page(client_for, world):
    m, finding = _finding(world)
    other, other_finding = _finding(world)
    client = client_for(world.plating)
    # The finding belongs to another manifest than the page's.
    answer = _post(client, m, other_finding.id, csrf_from=finding.id, body="错页")
    assert answer.status_code == 404
    # A stranger: the same 404 page for the manifest, whatever the finding.
    stranger = client_for(world.outsider)
    token = csrf_token(stranger.get("/web/").get_data(as_text=True))
    for finding_id in (finding.id, other_finding.id, 999_999):
        answer = stranger.post(
            f"/web/manifests/{m.id}/findings/{finding_id}/comments",
            data={f"finding-{finding_id}-body": "路人", f"finding-{finding_id}-csrf_token": token},
        )
        assert answer.status_code == 404
    assert _comments(world, finding.id) == [] and _comments(world, other_finding.id) == []
    assert other.id != m.id


def test_a_comment_without_its_csrf_token_is_refused(client_for, world):
    m, finding = _finding(world)
    answer = client_for(world.plating).post(
        f"/web/manifests/{m.id}/findings/{finding.id}/comments",
        data={f"finding-{finding.id}-body": "没有令牌"},
    )
    assert answer.status_code == 400
    assert _comments(world, finding.id) == []
