"""Bearer tokens: issued with an expiry, listed and revoked by their owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..actor import Actor
from ..emails import normal_email
from ..errors import NotFound, ValidationFailed
from ..infra.db import row_by_id, utcnow
from ..infra.uow import UnitOfWork
from ..models import ApiToken, User
from ..passwords import new_token, token_digest
from ..texts import Text

#: The lifetime of a token unless the settings say otherwise.
DEFAULT_LIFETIME_DAYS = 30
#: The longest lifetime the command line may give a token.
MAX_LIFETIME_DAYS = 3650
#: ``last_used_at`` is rewritten at most this often, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: Characters of a token kept in clear to tell tokens apart; far too few to use it.
PREFIX_LENGTH = 12


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str  # shown once, never stored
    expires_at: datetime
    #: The token works only to change the password until the user has chosen their own.
    must_change_password: bool = False


def mint(session: Session, user: User, *, lifetime_days: int, now: datetime) -> IssuedToken:
    """Add a new token for ``user`` to the session (the caller commits)."""
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise ValidationFailed(
            Text("token_lifetime"),
            errors={"days": [Text("between", low=1, high=MAX_LIFETIME_DAYS)]},
        )
    secret = new_token()
    row = ApiToken(
        user_id=user.id,
        token_hash=token_digest(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    session.add(row)
    session.flush()
    return IssuedToken(
        id=row.id,
        token=secret,
        expires_at=row.expires_at,
        must_change_password=user.must_change_password,
    )


def user_by_email(session: Session, email: str) -> User:
    """The account with ``email`` (however it is spelt in case and blanks). Raises NotFound."""
    user = session.scalar(select(User).where(User.email == normal_email(email)))
    if user is None:
        raise NotFound(Text("no_user_with_email", email=email))
    return user


def issue_token(uow: UnitOfWork, *, email: str, lifetime_days: int = DEFAULT_LIFETIME_DAYS) -> str:
    """A new token for the user with ``email``, without a password: the operator's command
    line. Raises NotFound for an unknown e-mail, ValidationFailed for a deactivated user or a
    lifetime out of range."""
    with uow:
        s = uow.session
        user = user_by_email(s, email)
        if not user.active:
            raise ValidationFailed(
                Text("user_deactivated", email=user.email),
                errors={"email": [Text("deactivated")]},
            )
        issued = mint(s, user, lifetime_days=lifetime_days, now=utcnow())
        uow.commit()
        return issued.token


def actor_for_token(uow: UnitOfWork, token: str, *, now: datetime | None = None) -> Actor | None:
    """The actor a bearer token stands for, or None for an unknown, revoked or expired token
    or a deactivated user. Records the time of use (at most once a minute per token)."""
    now = now or utcnow()
    with uow:
        s = uow.session
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
        if row is None or not _is_live(row, now) or not row.user.active:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            s.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
            uow.commit()
        return actor_for_user(row.user)


def _is_live(row: ApiToken, now: datetime) -> bool:
    return row.revoked_at is None and row.expires_at > now


def revoke_token(uow: UnitOfWork, *, token: str) -> None:
    """Revoke the token whose secret is ``token``. Raises NotFound for an unknown one."""
    with uow:
        row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
        if row is None:
            raise NotFound(Text("token_unknown"))
        row.revoked_at = row.revoked_at or utcnow()
        uow.commit()


def list_tokens(session: Session, *, actor: Actor, now: datetime | None = None) -> list[ApiToken]:
    """The actor's tokens that still work, newest first."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == actor.user_id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
            )
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_own_token(uow: UnitOfWork, *, actor: Actor, token_id: int) -> None:
    """Revoke one of the actor's own tokens (revoking twice is harmless). Raises NotFound for
    a token of anyone else, alike for one that does not exist."""
    with uow:
        row = row_by_id(uow.session, ApiToken, token_id)
        if row is None or row.user_id != actor.user_id:
            raise NotFound(Text("token_not_found", id=token_id))
        row.revoked_at = row.revoked_at or utcnow()
        uow.commit()


def revoke_all(session: Session, *, user_id: int, now: datetime, keep: str | None = None) -> int:
    """Revoke every live token of a user but ``keep`` (a token's secret), if given (the
    caller commits); returns how many."""
    stmt = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(ApiToken.token_hash != token_digest(keep))
    result = session.execute(stmt.values(revoked_at=now))
    return result.rowcount


def actor_for_user(user: User) -> Actor:
    """The user as the domain sees them: who they are, and the regulator or organisation
    they act for."""
    if user.regulator is not None:
        acts_for = {
            "regulator_id": user.regulator_id,
            "region_codes": tuple(user.regulator.region_codes),
        }
    else:
        org = user.organization
        acts_for = {"organization_id": org.id, "org_roles": frozenset(org.roles)}
    return Actor(
        user_id=user.id,
        email=user.email,
        role=user.role,
        must_change_password=user.must_change_password,
        **acts_for,
    )
