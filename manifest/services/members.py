"""An organisation's administrators list its members, change their roles, and deactivate or
reactivate them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..actor import Actor
from ..errors import LastActiveAdmin, NotFound, ValidationFailed
from ..infra.db import is_row_id, utcnow
from ..infra.uow import UnitOfWork
from ..models import Organization, User
from ..models.registry import USER_ROLES
from .registry import add_member
from .tokens import revoke_all

#: Random bytes of a generated first password (16 characters once encoded).
INITIAL_PASSWORD_BYTES = 12


def list_members(session: Session, *, actor: Actor, organization_id: int) -> list[User]:
    """The organisation's users, active or not. Its administrators only.

    Raises Forbidden for anyone else, NotFound for an organisation that does not exist.
    """
    actor.require_org_admin(organization_id)
    if session.get(Organization, organization_id) is None:
        raise NotFound(f"organisation {organization_id} not found")
    return list(
        session.scalars(
            select(User).where(User.organization_id == organization_id).order_by(User.id)
        )
    )


def set_member_active(
    uow: UnitOfWork,
    *,
    actor: Actor,
    organization_id: int,
    user_id: int,
    active: bool,
    now: datetime | None = None,
) -> User:
    """Deactivate a member (every token of theirs stops at once and they cannot sign in) or
    reactivate one (they sign in again for a new token). Doing it twice changes nothing.

    Raises Forbidden unless the actor administers the organisation, NotFound for a user who
    is not its member, LastActiveAdmin when it would leave the organisation without an
    active administrator.
    """
    actor.require_org_admin(organization_id)
    with uow:
        s = uow.session
        _, user = _lock_member(s, organization_id, user_id)
        _change(s, user, active, now or utcnow())
        uow.commit()
        return user


@dataclass(frozen=True)
class Invitation:
    user: User
    #: The first password, shown once to the administrator who hands it over; only its hash
    #: is stored.
    password: str


def invite_member(
    uow: UnitOfWork, *, actor: Actor, organization_id: int, email: str, role: str
) -> Invitation:
    """A new member with ``role`` and a generated first password, through the same rules as
    :func:`.registry.add_member`. Raises Forbidden, ValidationFailed, NotFound, Conflict
    (e-mail taken)."""
    password = secrets.token_urlsafe(INITIAL_PASSWORD_BYTES)
    user = add_member(
        uow,
        actor=actor,
        organization_id=organization_id,
        email=email,
        password=password,
        role=role,
    )
    return Invitation(user, password)


def set_member_role(
    uow: UnitOfWork, *, actor: Actor, organization_id: int, user_id: int, role: str
) -> User:
    """Give a member another role (``admin``, ``member``, ``driver``, ``reader``); it applies
    to their tokens at once, as a token stands for its user. Setting the same role changes
    nothing.

    Raises Forbidden unless the actor administers the organisation, ValidationFailed for an
    unknown role, NotFound for a user who is not its member, LastActiveAdmin when the last
    active administrator would lose the role.
    """
    actor.require_org_admin(organization_id)
    if role not in USER_ROLES:
        raise ValidationFailed("unknown role", errors={"role": [f"one of {', '.join(USER_ROLES)}"]})
    with uow:
        s = uow.session
        _, user = _lock_member(s, organization_id, user_id)
        if user.role != role:
            if user.active and _is_last_active_admin(s, user):
                raise LastActiveAdmin(
                    "the organisation's last active administrator must stay an administrator"
                )
            user.role = role
        uow.commit()
        return user


def _lock_member(session: Session, organization_id: int, user_id: int):
    """The organisation, locked (changes to one organisation's members take turns, so two
    administrators cannot demote or deactivate each other at the same moment and leave nobody
    in charge), and its member ``user_id``. Raises NotFound."""
    org = session.scalar(
        select(Organization).where(Organization.id == organization_id).with_for_update()
    )
    user = session.get(User, user_id) if is_row_id(user_id) else None
    if org is None or user is None or user.organization_id != organization_id:
        raise NotFound(f"member {user_id} not found")
    return org, user


def set_user_active(
    uow: UnitOfWork, *, email: str, active: bool, now: datetime | None = None
) -> User:
    """The operator's command line: deactivate or reactivate any account, a regulator's
    included, with the same effects and the same last-administrator rule as above.

    Raises NotFound for an unknown e-mail, LastActiveAdmin.
    """
    with uow:
        s = uow.session
        user = s.scalar(select(User).where(User.email == (email or "").strip().lower()))
        if user is None:
            raise NotFound(f"no user with e-mail {email}")
        if user.organization_id is not None:
            s.scalar(
                select(Organization.id)
                .where(Organization.id == user.organization_id)
                .with_for_update()
            )
        _change(s, user, active, now or utcnow())
        uow.commit()
        return user


def _change(session: Session, user: User, active: bool, now: datetime) -> None:
    """Set ``user.active``; deactivating revokes every token. The caller holds the lock on
    the user's organisation and commits."""
    if user.active == active:
        return
    if not active and _is_last_active_admin(session, user):
        raise LastActiveAdmin("the organisation's last active administrator cannot be deactivated")
    user.active = active
    if not active:
        revoke_all(session, user_id=user.id, now=now)


def _is_last_active_admin(session: Session, user: User) -> bool:
    if user.organization_id is None or user.role != "admin":
        return False
    others = session.scalar(
        select(func.count()).where(
            User.organization_id == user.organization_id,
            User.role == "admin",
            User.active.is_(True),
            User.id != user.id,
        )
    )
    return others == 0
