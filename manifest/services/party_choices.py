"""Whom a generator may name on a draft: the receivers and transporters the issue-time
checks would accept, and the vehicles of a transporter's fleet.

The same pure rules as issuing (:func:`manifest.checks.receiver_failures` and
:func:`manifest.checks.permit_failures`) decide, so a party offered here passes those
checks on the same day, codes and operation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..catalogue import validate_waste_code
from ..checks import LicenceFacts, LineFacts, permit_failures, receiver_failures
from ..errors import ValidationFailed
from ..models import Licence, Organization, Vehicle
from .carriage import as_licence_facts


@dataclass(frozen=True)
class PartyChoices:
    """The parties a draft may name, each list ordered by name."""

    receivers: list[Organization]
    transporters: list[Organization]
    #: Active vehicles of the offered transporters, ordered by plate.
    vehicles: list[Vehicle]


def _licences_by_org(session, org_ids: Iterable[int], kind: str) -> dict[int, list[LicenceFacts]]:
    found: dict[int, list[LicenceFacts]] = defaultdict(list)
    ids = list(org_ids)
    if not ids:
        return found
    rows = session.scalars(
        select(Licence).where(Licence.organization_id.in_(ids), Licence.kind == kind)
    )
    for lic in rows:
        found[lic.organization_id].append(as_licence_facts(lic))
    return found


def _well_formed(codes: Iterable[str]) -> list[str]:
    """The codes that parse; a code still being typed filters nothing."""
    out = []
    for code in codes:
        try:
            out.append(validate_waste_code(code))
        except ValidationFailed:
            continue
    return out


def party_choices(
    session, *, codes: Iterable[str], operation: str | None, day: date
) -> PartyChoices:
    """Receivers whose licence, active on ``day``, covers every code in ``codes`` and the
    ``operation``; transporters with a dangerous-goods permit active on ``day`` when a code
    is hazardous (any transporter otherwise); and the active vehicles of those transporters.

    Codes that do not parse are left out of the filter; with no operation given, the
    operation is not filtered on. Raises nothing.
    """
    lines = [LineFacts(i, code, "t", 0) for i, code in enumerate(_well_formed(codes), 1)]
    receivers = list(
        session.scalars(select(Organization).where(Organization.is_receiver).order_by("name"))
    )
    transporters = list(
        session.scalars(select(Organization).where(Organization.is_transporter).order_by("name"))
    )
    licences = _licences_by_org(session, (o.id for o in receivers), "hw_operation")
    permits = _licences_by_org(session, (o.id for o in transporters), "dg_transport")

    def receiver_ok(org: Organization) -> bool:
        failures = receiver_failures(licences[org.id], lines, operation or "", day)
        if not operation:
            failures = [f for f in failures if f.check != "receiver_operation"]
        return not failures

    offered_receivers = [o for o in receivers if receiver_ok(o)]
    offered_transporters = [
        o for o in transporters if not permit_failures(permits[o.id], lines, day)
    ]
    ids = [o.id for o in offered_transporters]
    vehicles = (
        list(
            session.scalars(
                select(Vehicle)
                .where(Vehicle.organization_id.in_(ids), Vehicle.active)
                .order_by(Vehicle.plate)
            )
        )
        if ids
        else []
    )
    return PartyChoices(offered_receivers, offered_transporters, vehicles)
