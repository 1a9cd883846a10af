"""Settings given to the app factory reach the services: nothing is re-read from the
environment on the way."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from manifest.config import Settings
from tests.builders import now

ROW = "磅单号,车牌号,进场时间,毛重(kg),皮重(kg),净重(kg),联单编号\nW9,粤E99999,{at},20000,8000,12000,\n"


@pytest.mark.parametrize("due_days", [2, 40])
def test_the_finding_due_days_of_the_app_are_the_ones_its_findings_get(
    world, make_app, monkeypatch, due_days
):
    # The environment says otherwise: the app's own settings must win.
    monkeypatch.setenv("HWM_FINDING_DUE_DAYS", "9")
    client = make_app(Settings(finding_due_days=due_days)).test_client()
    at = (now() - timedelta(hours=4)).isoformat()
    uploaded = client.post(
        "/api/v1/receipts",
        data=ROW.format(at=at).encode(),
        headers={**world.centre.auth(), "Content-Type": "text/csv"},
    )
    assert uploaded.status_code == 201, uploaded.get_json()
    [finding] = client.get(
        "/api/v1/findings?type=unmanifested_receipt", headers=world.centre.auth()
    ).get_json()
    due = datetime.fromisoformat(finding["due_at"]) - datetime.fromisoformat(finding["created_at"])
    assert abs(due - timedelta(days=due_days)) < timedelta(minutes=5)


def test_settings_from_the_environment_name_a_malformed_variable():
    with pytest.raises(ValueError, match="HWM_FINDING_DUE_DAYS must be a whole number"):
        Settings.from_environ({"HWM_FINDING_DUE_DAYS": "soon"})
    got = Settings.from_environ({"HWM_FINDING_DUE_DAYS": "7", "HWM_REGION": "440100"})
    assert (got.finding_due_days, got.region, got.decision_workdays) == (7, "440100", 5)
