"""An organisation's administrators list its members, change their roles, and deactivate or
reactivate them; every such change is kept with who made it and when."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..actor import Actor
from ..errors import LastActiveAdmin, NotFound, ValidationFailed
from ..infra.db import row_by_id, utcnow
from ..infra.uow import UnitOfWork
from ..models import MemberChange, Organization, User
from ..models.registry import USER_ROLES
from ..texts import Text
from .registry import add_member
from .tokens import revoke_all, user_by_email

#: Random bytes of a generated first password (16 characters once encoded).
INITIAL_PASSWORD_BYTES = 12


def list_members(session: Session, *, actor: Actor, organization_id: int) -> list[User]:
    """The organisation's users, active or not. Its administrators only.

    Raises Forbidden for anyone else, NotFound for an organisation that does not exist.
    """
    _require_admin_of(session, actor, organization_id)
    return list(
        session.scalars(
            select(User).where(User.organization_id == organization_id).order_by(User.id)
        )
    )


def member_changes_query(session: Session, *, actor: Actor, organization_id: int) -> Select:
    """A SELECT of the changes to the organisation's members (role, deactivation,
    reactivation), newest first. Its administrators only.

    Raises Forbidden for anyone else, NotFound for an organisation that does not exist.
    """
    _require_admin_of(session, actor, organization_id)
    return (
        select(MemberChange)
        .where(MemberChange.organization_id == organization_id)
        .order_by(MemberChange.id.desc())
    )


def _require_admin_of(session: Session, actor: Actor, organization_id: int) -> None:
    actor.require_org_admin(organization_id)
    if session.get(Organization, organization_id) is None:
        raise NotFound(Text("organisation_not_found", id=organization_id))


def update_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
    organization_id: int,
    user_id: int,
    role: str | None = None,
    active: bool | None = None,
    now: datetime | None = None,
) -> User:
    """Give a member another ``role`` (``admin``, ``member``, ``driver``, ``reader``; it
    applies to their tokens at once), deactivate them (``active=False``: every token of
    theirs stops at once and they cannot sign in) or reactivate them, or both, in one
    transaction. Each change is recorded with who made it and when; setting what already
    holds changes and records nothing.

    Raises Forbidden unless the actor administers the organisation, ValidationFailed for
    neither a role nor ``active``, or an unknown role, NotFound for a user who is not its
    member, LastActiveAdmin when the organisation would be left without an active
    administrator (the last one losing the role or being deactivated); nothing is changed
    then.
    """
    actor.require_org_admin(organization_id)
    if role is None and active is None:
        raise ValidationFailed(
            Text("role_or_active_needed"), errors={"role": [Text("role_or_active_needed")]}
        )
    if role is not None and role not in USER_ROLES:
        raise ValidationFailed(
            Text("role_unknown"), errors={"role": [Text("one_of", choices=list(USER_ROLES))]}
        )
    now = now or utcnow()
    with uow:
        s = uow.session
        user = _lock_member(s, organization_id, user_id)
        if role is not None:
            _set_role(s, user, role, actor, now)
        if active is not None:
            _set_active(s, user, active, actor, now)
        uow.commit()
        return user


@dataclass(frozen=True)
class Invitation:
    user: User
    #: The first password, shown once to the administrator who hands it over; only its hash
    #: is stored. The member must replace it at first sign-in.
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


def _lock_member(session: Session, organization_id: int, user_id: int) -> User:
    """The organisation's member ``user_id``, with the organisation locked (changes to one
    organisation's members take turns, so two administrators cannot demote or deactivate
    each other at the same moment and leave nobody in charge). Raises NotFound."""
    org = session.scalar(
        select(Organization).where(Organization.id == organization_id).with_for_update()
    )
    user = row_by_id(session, User, user_id)
    if org is None or user is None or user.organization_id != organization_id:
        raise NotFound(Text("member_not_found", id=user_id))
    return user


def set_user_active(
    uow: UnitOfWork, *, email: str, active: bool, now: datetime | None = None
) -> User:
    """The operator's command line: deactivate or reactivate any account, a regulator's
    included, with the same effects, the same last-administrator rule and the same record
    as above (made by nobody: the command line).

    Raises NotFound for an unknown e-mail, LastActiveAdmin.
    """
    with uow:
        s = uow.session
        user = user_by_email(s, email)
        if user.organization_id is not None:
            s.scalar(
                select(Organization.id)
                .where(Organization.id == user.organization_id)
                .with_for_update()
            )
        _set_active(s, user, active, None, now or utcnow())
        uow.commit()
        return user


def _set_role(session: Session, user: User, role: str, by: Actor | None, now: datetime) -> None:
    """Give ``user`` ``role`` and record it. The caller holds the organisation's lock."""
    if user.role == role:
        return
    if user.active and _is_last_active_admin(session, user):
        raise LastActiveAdmin(Text("last_admin_stays_admin"))
    _record(session, user, "role", by, now, old_role=user.role, new_role=role)
    user.role = role


def _set_active(
    session: Session, user: User, active: bool, by: Actor | None, now: datetime
) -> None:
    """Set ``user.active`` and record it; deactivating revokes every token. The caller holds
    the lock on the user's organisation and commits."""
    if user.active == active:
        return
    if not active and _is_last_active_admin(session, user):
        raise LastActiveAdmin(Text("last_admin_stays_active"))
    user.active = active
    if not active:
        revoke_all(session, user_id=user.id, now=now)
    _record(session, user, "reactivated" if active else "deactivated", by, now)


def _record(
    session: Session,
    user: User,
    change: str,
    by: Actor | None,
    now: datetime,
    *,
    old_role: str | None = None,
    new_role: str | None = None,
) -> None:
    session.add(
        MemberChange(
            organization_id=user.organization_id,
            user_id=user.id,
            user_email=user.email,
            change=change,
            old_role=old_role,
            new_role=new_role,
            changed_by_id=by.user_id if by else None,
            changed_by_email=by.email if by else None,
            changed_at=now,
        )
    )


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
