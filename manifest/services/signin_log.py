"""Reading the sign-in audit log: an organisation's administrators see their members'
attempts, a regulator those of its region's organisations and of its own body."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from ..actor import Actor
from ..emails import normal_email
from ..errors import ValidationFailed
from ..models import Organization, SigninAttempt, User
from ..models.signins import SIGNIN_OUTCOMES
from .access import in_regions


def visible_attempts(actor: Actor) -> Select:
    """A SELECT of the attempts ``actor`` may read. Attempts naming no account (an unknown
    e-mail) belong to no one's jurisdiction and are read only on the database.

    Raises Forbidden for a user of an organisation who is not one of its administrators.
    """
    named = select(SigninAttempt).join(User, User.id == SigninAttempt.user_id)
    if actor.is_regulator:
        in_region = in_regions(Organization.region_code, actor.region_codes)
        return named.outerjoin(Organization, Organization.id == User.organization_id).where(
            or_(User.regulator_id == actor.regulator_id, in_region)
        )
    actor.require_org_admin(actor.organization_id)
    return named.where(User.organization_id == actor.organization_id)


def attempts_query(*, actor: Actor, email: str | None = None, outcome: str | None = None) -> Select:
    """The attempts the actor may read, newest first, filtered by e-mail and outcome.

    Raises Forbidden (see ``visible_attempts``), ValidationFailed for an unknown outcome.
    """
    stmt = visible_attempts(actor)
    if email:
        stmt = stmt.where(SigninAttempt.email == normal_email(email))
    if outcome:
        if outcome not in SIGNIN_OUTCOMES:
            raise ValidationFailed(
                "unknown outcome", errors={"outcome": [f"one of {', '.join(SIGNIN_OUTCOMES)}"]}
            )
        stmt = stmt.where(SigninAttempt.outcome == outcome)
    return stmt.order_by(SigninAttempt.attempted_at.desc(), SigninAttempt.id.desc())
