"""A finding keeps the sentence it was said in (key and typed parameters) beside its English,
whichever path wrote it, so a Chinese page says it in Chinese; the English the API sends is
the stored one, even after a template is reworded; and a capacity finding's year reads as a
year, also for a finding filled in by migration 0018."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, timedelta
from html import unescape
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import select

import manifest.texts
from api.pages.refusals import say
from manifest.models import Finding
from manifest.texts import Text, from_json
from tests.builders import now
from tests.reconcile.helpers import findings, trip
from tests.reconcile.test_capacity import to_kiln
from tests.web.conftest import email_of, sign_in

ROOT = Path(__file__).resolve().parents[2]
CSV = "磅单号,车牌号,进场时间,毛重(kg),皮重(kg),净重(kg),联单编号\n{rows}"


def upload_csv(world, client, rows: list[str]):
    answer = client.post(
        "/api/v1/receipts",
        data=CSV.format(rows="".join(f"{row}\n" for row in rows)).encode("utf-8"),
        headers={**world.centre.auth(), "Content-Type": "text/csv"},
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def receipt_finding(uow, ticket: str) -> Finding:
    uow.session.expire_all()
    [found] = [
        f
        for f in uow.session.scalars(select(Finding).where(Finding.type == "unmanifested_receipt"))
        if json.loads(f.measured)["ticket"] == ticket
    ]
    return found


def in_chinese(app, message) -> str:
    with app.test_request_context("/web/"), force_locale("zh_Hans_CN"):
        return say(message)


def test_an_unmanifested_load_is_stored_as_its_sentence_and_said_in_chinese(
    world, uow, app, client
):
    at = (now() - timedelta(hours=3)).replace(microsecond=0)
    got = upload_csv(world, client, [f"U-1,粤J88888,{at.isoformat()},22490,15000,7490,"])
    assert (got["unmanifested"], got["findings"]) == (1, 1)

    f = receipt_finding(uow, "U-1")
    assert f.message_text is not None
    said = from_json(f.message_text)
    assert isinstance(said, Text) and said.key == "finding_receipt"
    assert (
        str(said)
        == f.message
        == (
            f"{world.centre.org.name} weighed 7490 kg from 粤J88888 (vehicle of "
            f"{world.carrier.org.name}) under ticket U-1 at {at.astimezone(UTC).isoformat()}: "
            "no manifest of this receiver matches it"
        )
    )
    chinese = in_chinese(app, f.message)
    assert (
        "本接受单位没有与之对应的联单" in chinese and f"{world.carrier.org.name} 的车辆" in chinese
    )
    assert "weighed" not in chinese and "no manifest" not in chinese

    api = client.get(f"/api/v1/findings/{f.id}", headers=world.centre.auth()).get_json()
    assert api["message"] == f.message


def test_a_load_for_a_cancelled_manifest_is_said_in_chinese_on_its_manifest_page(
    world, uow, app, client
):
    from manifest.services import lifecycle

    t = now() - timedelta(hours=6)
    m = trip(world, start=t, to="issued")
    lifecycle.cancel_manifest(
        world.uow, actor=world.plating.actor(), ref=m.id, reason="改期", at=t + timedelta(minutes=5)
    )
    at = (t + timedelta(hours=2)).replace(microsecond=0)
    upload_csv(world, client, [f"C-1,粤J12345,{at.isoformat()},22500,15000,7500,{m.number}"])

    f = receipt_finding(uow, "C-1")
    said = from_json(f.message_text)
    assert str(said) == f.message and said.params["why"].key == "manifest_was_cancelled"
    page = app.test_client()
    assert sign_in(page, email_of(world.centre)).status_code == 302
    html = unescape(page.get(f"/web/manifests/{m.id}").get_data(as_text=True))
    chinese = in_chinese(app, said)
    assert f"联单 {m.number} 已作废" in chinese and chinese in html
    assert "was cancelled" not in html


def test_the_api_sends_the_stored_english_after_a_template_is_reworded(
    world, uow, client, monkeypatch
):
    at = (now() - timedelta(hours=3)).replace(microsecond=0)
    upload_csv(world, client, [f"R-1,粤J88888,{at.isoformat()},22490,15000,7490,"])
    stored = receipt_finding(uow, "R-1").message
    assert stored.endswith(": no manifest of this receiver matches it")

    monkeypatch.setitem(
        manifest.texts.TEMPLATES, "no_manifest_matches", "no manifest of the receiver covers it"
    )
    [listed] = client.get(
        "/api/v1/findings?type=unmanifested_receipt", headers=world.centre.auth()
    ).get_json()
    one = client.get(f"/api/v1/findings/{listed['id']}", headers=world.centre.auth()).get_json()
    assert listed["message"] == one["message"] == stored
    f = receipt_finding(uow, "R-1")
    assert f.message == stored and not isinstance(f.message, Text)  # shown as stored


def test_a_capacity_findings_year_reads_as_a_year_on_a_chinese_page(world, uow, app):
    t = now() - timedelta(hours=8)
    for _ in range(3):
        trip(world, start=t, to="accepted", **to_kiln(world, "30"))
    trip(world, start=t, to="issued", **to_kiln(world, "10"))
    [f] = findings(uow, type="licence_capacity")
    year = json.loads(f.measured)["year"]
    assert f" in {year}, " in f.message  # the API's English is as before
    chinese = in_chinese(app, f.message)
    assert f"{year} 年" in chinese and f"{year:,}" not in chinese

    # As migration 0018 filled a finding raised before 0015: the year as a whole number.
    filled = json.loads(f.message_text)
    filled["params"]["year"] = year
    old = from_json(json.dumps(filled, ensure_ascii=False, sort_keys=True))
    assert old == f.message
    chinese = in_chinese(app, old)
    assert f"{year} 年" in chinese and f"{year:,}" not in chinese


def migration_0018():
    path = next((ROOT / "migrations" / "versions").glob("*_0018_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0018", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_year_migration_0018_read_from_old_english_shows_as_written(app):
    year = 2026
    message = (
        f"广东某处置公司: 100 t of HW17 projected at issue in {year}, 100.00 % of the "
        "licensed 100 t"
    )
    filled = migration_0018().message_text("licence_capacity", message, "{}")
    assert filled is not None
    old = from_json(filled)
    assert old == message
    chinese = in_chinese(app, old)
    assert f"{year} 年" in chinese and f"{year:,}" not in chinese
