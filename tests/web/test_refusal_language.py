"""A refusal shown on a page is in the page's language, with its times in Beijing time,
while the API answers the same refusal as before (English sentence, UTC ISO times); and a
line's refusal lands next to that line's field."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

from manifest.local_time import CHINA
from tests.builders import advance, create_manifest

from .scenes import trip_story
from .test_drafting_pages import draft_fields, form_errors_of, manifests, post_form
from .test_transport_pages import errors_of, fresh, post


def _beijing(moment) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def test_a_completion_dated_before_the_decision_is_refused_in_chinese_and_english(
    client_for, world, uow, app
):
    manifest = advance(world, create_manifest(world), "accepted")
    decided = manifest.last_move_at
    typed = (decided - timedelta(hours=1)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
    path = f"/web/manifests/{manifest.id}/completion"
    client = client_for(world.centre)

    chinese = post(client, path, {"operation": "D10", "completed_at": typed})
    html = chinese.get_data(as_text=True)
    assert chinese.status_code == 422
    assert f"早于上一次签名（{_beijing(decided)}）" in errors_of(html, "completed_at")
    assert decided.isoformat() not in html and "before the previous" not in html
    assert f'value="{typed}"' in html  # what was typed stays

    client.get("/web/?lang=en")
    english = post(client, path, {"operation": "D10", "completed_at": typed})
    html = english.get_data(as_text=True)
    assert english.status_code == 422
    assert f"before the previous signature ({_beijing(decided)})" in errors_of(html, "completed_at")
    assert "早于" not in html
    assert fresh(uow, manifest.id).status == "accepted"

    # The API's answer is what it always was: the English sentence with UTC ISO times.
    api = app.test_client().post(
        f"/api/v1/manifests/{manifest.id}/complete",
        json={"operation": "D10", "completed_at": (decided - timedelta(hours=1)).isoformat()},
        headers={**world.centre.auth(), "Accept-Language": "en"},
    )
    body = api.get_json()
    assert api.status_code == 422
    assert body["errors"] == {"completed_at": ["before the previous signature"]}
    assert body["message"] == (
        f"completed_at {(decided - timedelta(hours=1)).isoformat()} is before the previous "
        f"signature at {decided.isoformat()}; times may not go backwards"
    )


def test_the_issue_checks_speak_the_page_language_with_its_numbers(client_for, world, app):
    # 12 t on a vehicle for 10 t.
    line = {"waste_code": "336-064-17", "name": "电镀污泥", "physical_form": "SS", "unit": "t"}
    draft = create_manifest(world, lines=[{**line, "quantity": "12"}])
    client = client_for(world.plating)
    chinese = unescape(client.get(f"/web/manifests/{draft.id}/issue").get_data(as_text=True))
    assert "装载量 12 吨超过车辆最大载重 10 吨" in chinese and "≤ 10 吨" in chinese
    assert "exceeds" not in chinese
    english = client.get(f"/web/manifests/{draft.id}/issue?lang=en").get_data(as_text=True)
    assert "the load of 12 t exceeds the vehicle&#39;s maximum of 10 t" in english

    api = app.test_client().post(
        f"/api/v1/manifests/{draft.id}/issue",
        json={"at": (draft.created_at + timedelta(minutes=1)).isoformat()},
        headers={**world.plating.auth(), "Accept-Language": "en"},
    )
    failure = next(d for d in api.get_json()["details"] if d["check"] == "vehicle_load")
    assert api.status_code == 422
    assert failure["message"].startswith("the load of 12.000 t exceeds the vehicle's maximum")


def test_a_move_beaten_to_it_says_why_in_the_page_language(client_for, world):
    manifest = advance(world, create_manifest(world), "in_transit")
    client = client_for(world.carrier)
    form_page = f"/web/manifests/{manifest.id}/pickup"
    # The pickup form was opened while issued; the manifest is on the road now.
    answer = client.get(form_page, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert "联单状态为“运输中”，不能起运；须为：已签发" in html
    assert "cannot pickup" not in html


def test_a_draft_refused_for_line_twos_quantity_shows_it_at_line_two(client_for, world, uow):
    before = manifests(uow)
    fields = draft_fields(
        world,
        **{
            # the second entry left blank: the third is the second line the service reads
            "lines-1-waste_code": "",
            "lines-1-name": "",
            "lines-2-waste_code": "336-064-17",
            "lines-2-name": "电镀废渣",
            "lines-2-physical_form": "S",
            "lines-2-quantity": "-3",
            "lines-2-unit": "t",
        },
    )
    answer = post_form(client_for(world.plating), "/web/manifests/new", fields)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "数量 不能为负数" in errors_of(html, "lines-2-quantity")
    assert 'id="lines-0-quantity-errors"' not in html and not form_errors_of(html)
    # The line with the error is shown as line 2 (the blank entry is gone), as typed.
    shown = re.search(r'<fieldset class="line" id="line-2">.*?</fieldset>', html, re.S)
    assert shown and 'value="-3"' in shown.group(0) and 'value="电镀废渣"' in shown.group(0)
    assert manifests(uow) == before


def test_findings_are_said_in_the_page_language_with_beijing_times(client_for, world, app):
    manifest = trip_story(world)
    api = app.test_client().get(
        f"/api/v1/findings?manifest={manifest.id}&per_page=100", headers=world.centre.auth()
    )
    found = {f["type"]: f for f in api.get_json()}
    # The API keeps the English sentence with its UTC time.
    rejection, stop = found["rejection"]["message"], found["unscheduled_stop"]
    assert rejection.startswith("line 1: 0.3") and rejection.endswith(" t rejected (含水率过高)")
    start = datetime.fromisoformat(stop["measured"]["start"]["time"])
    assert stop["message"].startswith(f"unscheduled stop from {start.isoformat()} for ")

    client = client_for(world.centre)
    chinese = client.get(f"/web/manifests/{manifest.id}").get_data(as_text=True)
    assert "第 1 行：拒收 0.3 吨（含水率过高）" in chinese
    assert f"计划外停车：自 {_beijing(start)} 起" in chinese
    assert "rejected (" not in chinese and "unscheduled stop from" not in chinese
    english = client.get(f"/web/manifests/{manifest.id}?lang=en").get_data(as_text=True)
    assert "line 1: 0.3 t rejected (含水率过高)" in english
    assert f"Unscheduled stop from {_beijing(start)} for " in english
