"""Signing in: the lockouts per e-mail and per address, no account enumeration, the log."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from manifest.config import Settings
from manifest.models import SigninAttempt
from manifest.services import members, registry
from tests.builders import PASSWORD

API = "/api/v1"


@pytest.fixture
def strict_app(make_app):
    """The app with low thresholds: 3 failures per e-mail, 5 per address, 15-minute window
    and lockout."""
    settings = Settings(
        signin_account_failures=3,
        signin_address_failures=5,
        signin_window_minutes=15,
        signin_lockout_minutes=15,
        token_lifetime_days=7,
    )
    return make_app(settings)


@pytest.fixture
def strict(strict_app):
    return strict_app.test_client()


def sign_in(client, email, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        f"{API}/auth/token",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def email_of(party, role="admin"):
    return party.users[role][0].email


def test_an_account_is_locked_after_failures_and_unlocked_after_the_lockout(
    strict, world, sessions
):
    email = email_of(world.plating)
    for _ in range(3):
        assert sign_in(strict, email, "wrong password").status_code == 422
    locked = sign_in(strict, email)  # even the right password, while locked
    assert locked.status_code == 429
    assert locked.get_json()["code"] == "too_many_attempts"
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert "token" not in locked.get_json()
    log = strict.get(f"{API}/auth/signins", headers=world.plating.auth()).get_json()
    assert [x["outcome"] for x in log] == ["locked"] + ["wrong_password"] * 3
    # Someone else signs in as usual, from the same address.
    assert sign_in(strict, email_of(world.carrier)).status_code == 201

    with sessions() as s:  # sixteen minutes later
        for attempt in s.scalars(select(SigninAttempt)):
            attempt.attempted_at -= timedelta(minutes=16)
        s.commit()
    assert sign_in(strict, email).status_code == 201


def test_an_unknown_email_is_locked_like_a_real_one(strict, world):
    """The lockout counts the e-mail as typed, so a 429 does not reveal an account either."""
    answers = {}
    for address, email in (("10.0.0.1", email_of(world.plating)), ("10.0.0.2", "x@example.cn")):
        answers[email] = [sign_in(strict, email, "wrong", address=address) for _ in range(4)]
    real, ghost = answers.values()
    assert [r.status_code for r in real] == [r.status_code for r in ghost] == [422] * 3 + [429]
    assert real[0].get_json() == ghost[0].get_json()
    assert real[3].get_json() == ghost[3].get_json()


def test_a_deactivated_account_answers_like_a_wrong_password(strict, world):
    member = world.plating.users["reader"][0]
    members.update_member(
        world.uow,
        actor=world.plating.actor(),
        organization_id=world.plating.id,
        user_id=member.id,
        active=False,
    )
    deactivated = sign_in(strict, member.email)  # with its right password
    wrong = sign_in(strict, email_of(world.carrier), "wrong password")
    ghost = sign_in(strict, "nobody@example.cn")
    assert deactivated.status_code == wrong.status_code == ghost.status_code == 422
    assert deactivated.get_json() == wrong.get_json() == ghost.get_json()


def test_an_address_is_locked_after_failures_on_many_emails(strict, world):
    for n in range(5):
        assert sign_in(strict, f"guess{n}@example.cn", "wrong password").status_code == 422
    assert sign_in(strict, email_of(world.plating)).status_code == 429
    # Another address is not held back, nor is that account.
    assert sign_in(strict, email_of(world.plating), address="10.0.0.2").status_code == 201


def test_a_successful_sign_in_clears_the_accounts_earlier_failures(strict, world):
    email = email_of(world.plating)
    for _ in range(2):
        sign_in(strict, email, "wrong password")
    assert sign_in(strict, email).status_code == 201
    for _ in range(2):
        sign_in(strict, email, "wrong password")
    assert sign_in(strict, email).status_code == 201


def test_the_default_thresholds_leave_ordinary_use_alone(client, world):
    """Without settings the defaults apply: 5 failures per e-mail, 20 per address."""
    assert Settings().signin_account_failures == 5
    assert Settings().signin_address_failures == 20
    email = email_of(world.plating)
    for _ in range(4):
        sign_in(client, email, "wrong password")
    assert sign_in(client, email).status_code == 201


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Every scrypt hash computed, by its cost N (the real function still does the work)."""
    calls = []
    real = hashlib.scrypt

    def counting(password, *, salt, n, r, p, dklen=64, **kwargs):
        calls.append(n)
        return real(password, salt=salt, n=n, r=r, p=p, dklen=dklen, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def test_an_unknown_email_costs_the_same_hashing_as_a_real_one(strict, world, scrypt_calls):
    from manifest.passwords import dummy_hash

    dummy_hash()  # made once per process; its making is not part of a sign-in
    work = {}
    for label, email in (
        ("real", email_of(world.plating)),
        ("unknown", "nobody@example.cn"),
        ("deactivated-later", email_of(world.carrier)),
    ):
        scrypt_calls.clear()
        assert sign_in(strict, email, "wrong password").status_code == 422
        work[label] = list(scrypt_calls)
    stored_cost = int(world.plating.users["admin"][0].password_hash.split("$")[1])
    assert work["real"] == work["unknown"] == work["deactivated-later"] == [stored_cost]


def test_the_log_records_every_attempt_without_secrets(strict, world, sessions):
    email = email_of(world.plating)
    sign_in(strict, email, "a wrong secret", address="192.0.2.7")
    token = sign_in(strict, email, address="192.0.2.7").get_json()["token"]
    sign_in(strict, "nobody@example.cn", "another secret", address="192.0.2.8")

    r = strict.get(f"{API}/auth/signins", headers=world.plating.auth())
    assert r.status_code == 200
    rows = r.get_json()
    assert [(x["email"], x["address"], x["outcome"]) for x in rows] == [
        (email, "192.0.2.7", "success"),
        (email, "192.0.2.7", "wrong_password"),
    ]
    assert rows[0]["user_id"] == world.plating.users["admin"][0].id
    assert r.headers["X-Total-Count"] == "2"
    for secret in ("a wrong secret", PASSWORD, token, "another secret"):
        assert secret not in r.get_data(as_text=True)
    with sessions() as s:
        stored = s.scalars(select(SigninAttempt)).all()
        assert len(stored) == 3
        dump = repr([vars(row) for row in stored])
        assert all(secret not in dump for secret in ("a wrong secret", PASSWORD, token))
    failures = strict.get(
        f"{API}/auth/signins?outcome=wrong_password", headers=world.plating.auth()
    )
    assert [x["outcome"] for x in failures.get_json()] == ["wrong_password"]


def test_who_reads_the_log(strict, world):
    plating, carrier2 = email_of(world.plating), email_of(world.carrier2)  # 440703, 440600
    reader = world.plating.users["reader"][0].email
    for email in (plating, carrier2, reader):
        sign_in(strict, email)
    sign_in(strict, "officer@jmepb.example.cn")
    foshan = registry.create_regulator_user(
        world.uow, email="officer@fsepb.example.cn", password=PASSWORD, region_code="440600"
    )
    foshan_auth = {"Authorization": "Bearer " + registry.issue_token(world.uow, email=foshan.email)}

    def emails(headers):
        r = strict.get(f"{API}/auth/signins", headers=headers)
        assert r.status_code == 200, r.get_json()
        return sorted(x["email"] for x in r.get_json())

    assert emails(world.plating.auth()) == sorted([plating, reader])
    assert emails(world.carrier.auth()) == []
    assert emails(world.regulator.auth()) == sorted([plating, reader, "officer@jmepb.example.cn"])
    assert emails(foshan_auth) == [carrier2]
    assert (
        strict.get(f"{API}/auth/signins", headers=world.plating.auth("reader")).status_code == 403
    )
    assert strict.get(f"{API}/auth/signins").status_code == 401


def test_an_idempotency_key_does_not_undo_the_failures_it_counts(strict, world):
    """A caller holding any token cannot send each guess under its own Idempotency-Key to
    have the refused guess, and so its count, rolled back."""
    victim = email_of(world.plating)
    for n in range(3):
        guess = strict.post(
            f"{API}/auth/token",
            json={"email": victim, "password": f"guess {n}"},
            headers={**world.carrier.auth(), "Idempotency-Key": f"guess-{n}"},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert guess.status_code == 422
        assert "Idempotent-Replayed" not in guess.headers
    assert sign_in(strict, victim).status_code == 429
    log = strict.get(f"{API}/auth/signins", headers=world.plating.auth()).get_json()
    assert [x["outcome"] for x in log].count("wrong_password") == 3
