"""The Jiangmen demo data set behind ``hwm demo``.

Everything is made through the services, as a regulator and the parties would make it over
the API: organisations, licences, vehicles, users, and manifests moved through their signed
lifecycle. The organisations and people are invented; the places are real industrial areas
of Jiangmen, so maps and route checks look plausible.

The whole set is written in one transaction: a failure half-way leaves nothing behind. A
second run finds the set already there and only issues fresh tokens for its accounts. Every
demo account shares one published password, so a database that holds anything else (a real
organisation or user) is refused: the demo never lands on a production database.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..errors import Conflict
from ..infra.uow import UnitOfWork
from ..models import Organization, User
from ..services import registry
from ..uscc import make_uscc
from .loader import Loader
from .places import PASSWORD, SITES, USERS, email_of

__all__ = ["PASSWORD", "load_demo"]


def _label(role: str, name: str) -> str:
    return f"{role} ({name})"


def _accounts_order() -> list[tuple[str, str]]:
    """(label, e-mail) of every demo account, in the order they are printed."""
    rows = [("regulator (江门市生态环境局 440700)", email_of("regulator"))]
    names = {s.key: s.name for s in SITES}
    for site in SITES:
        rows.append((_label(f"{site.roles[0]} admin", site.name), email_of(site.email)))
        rows.extend(
            (_label(f"driver {driver}", names[org]), email_of(local))
            for local, _, org, driver in USERS
            if org == site.key
        )
    return rows


def load_demo(uow: UnitOfWork) -> list[dict]:
    """Load the Jiangmen demo set unless it is already there; return its accounts.

    Each account is ``{"role", "email", "token"}`` with a freshly issued token; every
    account's password is ``demo-password``. Raises Conflict when the database holds
    organisations or users that are not the demo's, and the services' domain errors
    (ValidationFailed when a loaded official waste list lacks a demo code); nothing is
    written then.
    """
    _refuse_foreign_data(uow)
    if not _already_loaded(uow):
        with uow:
            Loader(uow).run()
            uow.commit()
    return [
        {"role": label, "email": email, "token": registry.issue_token(uow, email=email)}
        for label, email in _accounts_order()
    ]


def _refuse_foreign_data(uow: UnitOfWork) -> None:
    """Raise Conflict if any organisation or user is not one the demo makes. (The waste
    catalogue is reference data, not anyone's; it may be loaded first.)"""
    s = uow.session
    demo_usccs = [make_uscc(site.region, site.body) for site in SITES]
    demo_emails = [email for _, email in _accounts_order()]
    orgs = s.scalar(select(func.count()).where(Organization.uscc.not_in(demo_usccs)))
    users = s.scalar(select(func.count()).where(User.email.not_in(demo_emails)))
    s.rollback()  # end the read transaction
    if orgs or users:
        raise Conflict(
            f"this database already holds {orgs} organisations and {users} users that are not"
            " the demo's; the demo (accounts with a published password) loads only into an"
            " empty database or one holding the demo alone"
        )


def _already_loaded(uow: UnitOfWork) -> bool:
    s = uow.session
    plating = next(site for site in SITES if site.key == "plating")
    found = s.scalar(
        select(Organization.id).where(Organization.uscc == make_uscc(plating.region, plating.body))
    ) is not None and s.scalar(select(User.id).where(User.email == email_of("regulator")))
    s.rollback()  # end the read transaction; the load opens its own
    return bool(found)
