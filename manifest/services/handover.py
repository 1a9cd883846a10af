"""Changing carriers on the road: the current carrier names the next transporter, and only
that transporter may take the load over.

A manifest names at most one next transporter at a time (the generator may name it in the
draft; the current carrier names or changes it from issue until the hand-over). The naming
is a signed event in the custody chain, so the current carrier's consent is evidence; the
hand-over consumes it, and a further change of carrier needs a new naming. Anyone else
asking to take a load over is told the manifest does not exist, whatever its status.
"""

from __future__ import annotations

from datetime import datetime

from ..actor import TRANSPORT_ROLES, Actor
from ..checks import carrier_failures
from ..errors import Forbidden, HandoverChecksFailed, ValidationFailed
from ..infra.uow import UnitOfWork
from ..local_time import local_date
from ..models import Manifest
from ..plates import validate_plate
from ..status import Action
from ..texts import Text
from .carriage import carrier_facts, check_driver, parse_load, take_load
from .drafts import party_problem
from .signing import sign_move


def name_next_transporter(
    uow: UnitOfWork,
    *,
    actor: Actor,
    ref,
    transporter_id: int | None,
    at: datetime,
    position: dict | None = None,
) -> Manifest:
    """The current carrier (an administrator or member; the status table lets no driver
    sign it) names the transporter that may take
    the load over next, replacing any earlier naming; ``None`` withdraws the naming. Naming
    the transporter already named changes nothing and signs nothing.

    Raises NotFound, Forbidden (not the current carrier, or a driver or reader),
    InvalidTransition (not issued or in transit) and ValidationFailed (not a transporter,
    the current carrier itself, a bad time or position).
    """

    def write(s, manifest, at):
        if transporter_id is not None:
            problem = party_problem(s, transporter_id, "transporter")
            if problem is None and transporter_id == manifest.transporter_id:
                problem = Text("already_with_transporter")
            if problem:
                raise ValidationFailed(
                    Text("cannot_name_next", problem=problem),
                    errors={"transporter_id": [problem]},
                )
        if transporter_id == manifest.next_transporter_id:
            return None
        replaced = manifest.next_transporter_id
        manifest.next_transporter_id = transporter_id
        s.expire(manifest, ["next_transporter"])
        return {"transporter_id": transporter_id, "replaces": replaced}

    return sign_move(
        uow, actor=actor, ref=ref, action=Action.NAME_NEXT, at=at, position=position, write=write
    )


def handoff(
    uow: UnitOfWork,
    *,
    actor: Actor,
    ref,
    vehicle_plate: str,
    driver: str,
    lines: list[dict],
    at: datetime,
    position: dict | None = None,
    transporter_id: int | None = None,
) -> Manifest:
    """The named next transporter takes the load over and signs for the quantities it
    received; its transport permit and vehicle are checked as at issue, on the day it signs
    and for the load it takes. The naming is consumed.

    ``transporter_id``, when given, must be the signer's own organisation. Raises NotFound
    (for every manifest not naming the signer's organisation, of any status, as for one that
    does not exist), Forbidden, InvalidTransition, ValidationFailed, and HandoverChecksFailed
    listing every failed carrier check (nothing is changed then).
    """
    if transporter_id is not None and transporter_id != actor.organization_id:
        raise Forbidden("the next transporter signs the hand-over itself")
    actor.require_org_role("transporter")
    actor.require_user_role(TRANSPORT_ROLES)
    newcomer = actor.organization_id

    def write(s, manifest, at):
        plate = validate_plate(vehicle_plate, "vehicle_plate")
        signer = check_driver(driver)
        load = parse_load(manifest, lines)
        failures = carrier_failures(carrier_facts(s, local_date(at), newcomer, plate, load))
        if failures:
            raise HandoverChecksFailed(
                Text("handover_checks_failed", count=len(failures)),
                details=[f.to_dict() for f in failures],
            )
        previous = manifest.transporter_id
        signed = take_load(s, manifest, newcomer, plate, signer, load, at)
        manifest.next_transporter_id = None
        s.expire(manifest, ["next_transporter"])
        return {"from_transporter_id": previous, **signed}

    return sign_move(
        uow, actor=actor, ref=ref, action=Action.HANDOFF, at=at, position=position, write=write
    )
