"""Signing in with an e-mail and a password, under a rate limit, into the audit log; and
changing one's password, which confirms the current one the same way.

Every attempt is a row of ``signin_attempts``: the audit log and, shared by every worker
through the database, the counter behind the lockouts. Failures are counted per e-mail as
typed (whether or not an account has it) and per client address; enough of them within the
window lock that e-mail or address out for a while, whatever password comes next.

An unknown e-mail, a deactivated account and a wrong password get the same answer after the
same work (one scrypt hash at the same cost), so an answer never tells whether an account
exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..actor import Actor
from ..config import Settings
from ..emails import normal_email
from ..errors import TooManyAttempts, ValidationFailed
from ..infra.db import is_postgres, row_by_id, utcnow
from ..infra.uow import UnitOfWork
from ..models import SigninAttempt, User
from ..passwords import check_password, dummy_hash, hash_password, password_problems
from ..signin_policy import LockoutRule, locked_until
from ..texts import Text
from .tokens import IssuedToken, actor_for_user, mint, revoke_all

FAILURES = ("wrong_password", "unknown_account", "inactive")
EMAIL_MAX = 254
ADDRESS_MAX = 64


def sign_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    address: str,
    settings: Settings,
    now: datetime | None = None,
) -> IssuedToken:
    """A new token for the account with ``email`` if ``password`` is right.

    Raises TooManyAttempts (with the seconds to wait) while the e-mail or the address is
    locked out, and ValidationFailed "wrong e-mail or password" for an unknown e-mail, a
    deactivated account or a wrong password alike. Each attempt is logged, refused or not.
    """
    now = now or utcnow()
    with uow:
        user = _attempt(
            uow, email=email, password=password, address=address, settings=settings, now=now
        )
        issued = mint(uow.session, user, lifetime_days=settings.token_lifetime_days, now=now)
        uow.commit()
        return issued


def sign_in_to_session(uow: UnitOfWork, **credentials) -> Actor:
    """The actor of the account if the password is right, for a browser session that
    remembers the user (no token is issued). ``credentials`` are the keyword arguments of
    :func:`sign_in` (``email``, ``password``, ``address``, ``settings``, optionally ``now``).

    The same lockouts, the same refusals and the same audit log as ``sign_in``: raises
    TooManyAttempts while locked out, ValidationFailed "wrong e-mail or password" otherwise.
    """
    with uow:
        user = _attempt(uow, **credentials)
        actor = actor_for_user(user)
        uow.commit()
        return actor


def change_password(
    uow: UnitOfWork,
    *,
    actor: Actor,
    current_password: str,
    new_password: str,
    address: str,
    settings: Settings,
    keep_token: str | None = None,
    now: datetime | None = None,
) -> None:
    """The actor replaces their password, confirming the current one as at sign-in (the
    same lockouts, and the attempt in the sign-in log). Afterwards the account no longer
    has to change its password, and every token of the user stops working except
    ``keep_token`` (the one the change was made with, if any): whoever knew the old
    password is signed out.

    Raises ValidationFailed for a new password that breaks the password rule or equals the
    current one, or a wrong current password (on ``current_password``); TooManyAttempts
    while the account or the address is locked out.
    """
    problems = password_problems(new_password)
    if new_password == current_password:
        problems.append(Text("password_unchanged"))
    if problems:
        raise ValidationFailed(Text("password_choose_another"), errors={"new_password": problems})
    now = now or utcnow()
    with uow:
        try:
            user = _attempt(
                uow,
                email=actor.email,
                password=current_password,
                address=address,
                settings=settings,
                now=now,
            )
        except ValidationFailed:
            raise ValidationFailed(
                Text("current_password_wrong"),
                errors={"current_password": [Text("wrong_password")]},
            ) from None
        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        revoke_all(uow.session, user_id=user.id, now=now, keep=keep_token)
        uow.commit()


@dataclass(frozen=True)
class SessionUser:
    """Who a browser session belongs to, with the names its pages show."""

    actor: Actor
    organization_name: str


def session_user(session: Session, user_id: int) -> SessionUser | None:
    """The signed-in user a browser session names, or None when the account is gone or
    deactivated, or belongs to no organisation or regulator any more."""
    user = row_by_id(session, User, user_id)
    if user is None or not user.active:
        return None
    if user.regulator is not None:
        return SessionUser(actor_for_user(user), user.regulator.name)
    if user.organization is None:
        return None
    return SessionUser(actor_for_user(user), user.organization.name)


def _attempt(
    uow: UnitOfWork, *, email: str, password: str, address: str, settings: Settings, now=None
) -> User:
    """One sign-in attempt at ``now`` (by default the present) inside the caller's open unit
    of work: the account if the password is right. A refusal is logged and committed before
    it is raised (TooManyAttempts while locked out, ValidationFailed for every other
    failure)."""
    now = now or utcnow()
    email = normal_email(email)[:EMAIL_MAX]
    address = (address or "unknown")[:ADDRESS_MAX]
    s = uow.session
    _serialise_attempts_on(s, email)
    user = s.scalar(select(User).where(User.email == email))

    def log(outcome: str) -> None:
        s.add(
            SigninAttempt(
                email=email,
                address=address,
                user_id=user.id if user else None,
                outcome=outcome,
                attempted_at=now,
            )
        )

    until = _lockout(s, email=email, address=address, settings=settings, now=now)
    if until is not None:
        log("locked")
        uow.commit()
        raise TooManyAttempts(
            Text("sign_in_locked"),
            retry_after=max(1, math.ceil((until - now).total_seconds())),
        )
    # One scrypt hash whatever the account, so the time taken does not tell them apart.
    right = check_password(password, user.password_hash if user else dummy_hash())
    outcome = _outcome(user, right)
    log(outcome)
    if outcome != "success":
        uow.commit()
        raise ValidationFailed(Text("sign_in_wrong"), errors={"password": [Text("sign_in_wrong")]})
    return user


def _outcome(user: User | None, password_right: bool) -> str:
    if user is None:
        return "unknown_account"
    if not user.active:
        return "inactive"
    return "success" if password_right else "wrong_password"


def _serialise_attempts_on(session: Session, email: str) -> None:
    """On PostgreSQL, attempts on one e-mail take turns (a transaction-scoped advisory lock),
    so parallel guesses cannot all slip under the limit. SQLite's write lock, taken when the
    unit of work opens, already serialises every attempt."""
    if is_postgres(session):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"signin:{email}"}
        )


def _lockout(
    session: Session, *, email: str, address: str, settings: Settings, now: datetime
) -> datetime | None:
    """When the lockout in force on the e-mail or the address ends (the later), or None."""
    account_rule, address_rule = settings.account_lockout, settings.address_lockout
    # A successful sign-in clears the e-mail's earlier failures (not the address's).
    since = now - account_rule.lookback
    last_success = session.scalar(
        select(func.max(SigninAttempt.attempted_at)).where(
            SigninAttempt.email == email,
            SigninAttempt.outcome == "success",
            SigninAttempt.attempted_at >= since,
        )
    )
    ends = [
        _locked(session, SigninAttempt.email == email, account_rule, now, after=last_success),
        _locked(session, SigninAttempt.address == address, address_rule, now),
    ]
    ends = [end for end in ends if end is not None]
    return max(ends) if ends else None


def _locked(
    session: Session, where, rule: LockoutRule, now: datetime, after: datetime | None = None
) -> datetime | None:
    stmt = select(SigninAttempt.attempted_at).where(
        where,
        SigninAttempt.outcome.in_(FAILURES),
        SigninAttempt.attempted_at >= now - rule.lookback,
    )
    if after is not None:
        stmt = stmt.where(SigninAttempt.attempted_at > after)
    failures = session.scalars(
        stmt.order_by(SigninAttempt.attempted_at.desc()).limit(rule.max_failures)
    ).all()
    return locked_until(failures, rule, now)
