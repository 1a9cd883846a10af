"""Sign-in limits and the last-admin rule hold under real concurrent requests (PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from manifest.config import Settings
from manifest.models import SigninAttempt, User
from manifest.services import registry
from tests.builders import PASSWORD, org
from tests.test_concurrency import _race

pytestmark = pytest.mark.slow


@pytest.fixture
def pg_app(pg_url):
    from api import create_app

    settings = Settings(signin_account_failures=3, signin_address_failures=1000)
    app = create_app(
        {
            "DATABASE_URL": pg_url,
            "TESTING": True,
            "DATABASE_POOL_SIZE": 30,
            "HWM_SETTINGS": settings,
        }
    )
    yield app
    app.extensions["hwm"]["engine"].dispose()


def test_parallel_guesses_on_one_account_get_no_more_tries_than_the_limit(pg_app, pg_world):
    email = pg_world.plating.users["admin"][0].email
    responses = _race(
        pg_app,
        20,
        lambda c: c.post("/api/v1/auth/token", json={"email": email, "password": "guess"}),
    )
    assert sorted(r.status_code for r in responses) == [422] * 3 + [429] * 17
    with pg_app.extensions["hwm"]["sessions"]() as s:
        counted = s.scalar(
            select(func.count()).where(
                SigninAttempt.email == email, SigninAttempt.outcome == "wrong_password"
            )
        )
        assert counted == 3


def test_two_admins_deactivating_each_other_at_once_leave_one(pg_app, pg_world):
    uow = pg_world.uow
    for round_no in range(4):
        party = org(uow, f"江门市并发测试{round_no}厂", ["generator"])
        admins = [
            registry.add_member(
                uow,
                actor=None,
                organization_id=party.id,
                email=f"boss{n}.{party.id}@example.cn",
                password=PASSWORD,
                role="admin",
            )
            for n in (1, 2)
        ]
        tokens = [registry.issue_token(uow, email=a.email) for a in admins]
        pairs = [(tokens[0], admins[1]), (tokens[1], admins[0])]

        def deactivate(client, pairs=pairs, party=party):
            token, target = pairs.pop()
            return client.patch(
                f"/api/v1/organizations/{party.id}/members/{target.id}",
                json={"active": False},
                headers={"Authorization": f"Bearer {token}"},
            )

        codes = sorted(r.status_code for r in _race(pg_app, 2, deactivate))
        assert codes in ([200, 401], [200, 409]), codes
        with pg_app.extensions["hwm"]["sessions"]() as s:
            active = s.scalar(
                select(func.count()).where(User.organization_id == party.id, User.active)
            )
            assert active == 1
