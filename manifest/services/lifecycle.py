"""The signed moves of a manifest: issue, cancel, pickup, deliver, decide, complete (the
naming of the next transporter and the hand-over are in :mod:`.handover`).

Each move is the change it writes; :func:`.signing.sign_move` locks the manifest row, checks
the status table, the actor's part in the manifest and the signature, appends one custody
event and runs the follow-ups, all in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from ..actor import Actor
from ..catalogue import validate_operation, validate_physical_form
from ..checks import CheckResult, IssueFacts, run_issue_checks
from ..errors import ChecksFailed, ValidationFailed
from ..infra.db import insert, utcnow
from ..infra.uow import UnitOfWork
from ..models import Manifest, ManifestCounter, Organization
from ..numbering import city_of, format_number, issue_year
from ..quantities import parse_percentage
from ..status import Action, decision_outcome
from ..texts import Text
from . import catalogue_lookup
from .capacity import manifest_capacity
from .carriage import (
    carrier_facts,
    check_driver,
    licence_facts,
    line_quantity,
    parse_load,
    per_line,
    take_load,
    transport_vehicle,
)
from .signing import open_move, sign_move
from .terminal_tracks import record_terminal_tracks


def _next_serial(s, city: str, year: int) -> int:
    """Take the next serial for a city and year in one statement, which locks the counter's
    row until the transaction ends; a rolled-back issue gives its serial back, so numbers
    stay gapless."""
    counter = ManifestCounter.__table__
    stmt = insert(s, ManifestCounter).values(city=city, year=year, last_serial=1)
    return s.scalar(
        stmt.on_conflict_do_update(
            index_elements=[counter.c.city, counter.c.year],
            set_={"last_serial": counter.c.last_serial + 1},
        ).returning(counter.c.last_serial)
    )


def _issue_checks(s, manifest: Manifest):
    """The manifest's capacity use and the result of every issue-time check on it as it
    stands. Raises ValidationFailed for a code missing from a loaded official list."""
    for ln in manifest.lines:
        catalogue_lookup.require_known(s, ln.waste_code)
    capacity = manifest_capacity(s, manifest=manifest, stage="issue")
    declared = [(ln, ln.declared) for ln in manifest.lines]
    facts = IssueFacts(
        kind=manifest.kind,
        operation=manifest.operation,
        carrier=carrier_facts(
            s, capacity.day, manifest.transporter_id, manifest.vehicle_plate, declared
        ),
        receiver_licences=licence_facts(s, manifest.receiver_id, "hw_operation"),
        capacity=capacity.uses,
        moisture_pct=manifest.moisture_pct,
        heavy_metal_report=manifest.heavy_metal_report,
    )
    return capacity, run_issue_checks(facts)


def issue_checks(session, *, actor: Actor, ref) -> CheckResult:
    """What issuing the draft ``ref`` would find now, changing nothing: the generator's
    preview before it signs. Raises NotFound, Forbidden, InvalidTransition, ValidationFailed."""
    manifest = open_move(session, actor, ref, Action.ISSUE)
    return _issue_checks(session, manifest)[1]


def _issue(s, manifest: Manifest, at: datetime) -> dict:
    """Run every issue-time check, then give the number. Raises ChecksFailed."""
    capacity, result = _issue_checks(s, manifest)
    if not result.ok:
        raise ChecksFailed(
            Text("checks_failed", count=len(result.failures)),
            details=[f.to_dict() for f in result.failures],
        )
    generator = s.get(Organization, manifest.generator_id)
    city, year = city_of(generator.region_code), issue_year(utcnow())
    manifest.number = format_number(year, city, _next_serial(s, city, year))
    manifest.issued_at = at
    return {
        "number": manifest.number,
        "lines": [
            {
                "line_no": ln.line_no,
                "waste_code": ln.waste_code,
                "unit": ln.unit,
                "declared": ln.declared,
            }
            for ln in manifest.lines
        ],
        "capacity": [
            {
                "scope": c.scope,
                "licensed_t": c.licensed_t,
                "accepted_t": c.accepted_t,
                "this_manifest_t": c.this_manifest_t,
            }
            for c in capacity.uses
        ],
    }


def issue_manifest(
    uow: UnitOfWork, *, actor: Actor, ref, at: datetime, position: dict | None = None
) -> Manifest:
    """The generator signs the draft: all checks run, the number is given.

    Raises NotFound, Forbidden, InvalidTransition, ValidationFailed, and ChecksFailed with
    the list of every failed check (nothing is changed then).
    """
    return sign_move(
        uow, actor=actor, ref=ref, action=Action.ISSUE, at=at, position=position, write=_issue
    )


def cancel_manifest(
    uow: UnitOfWork, *, actor: Actor, ref, reason: str, at: datetime, position: dict | None = None
) -> Manifest:
    """The generator withdraws a draft or an issued manifest; its number is never reused.

    Raises ValidationFailed (no reason, a bad time or position), NotFound, Forbidden,
    InvalidTransition.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(Text("cancel_needs_reason"), errors={"reason": [Text("required")]})

    def write(s, manifest, at):
        manifest.cancelled_at = at
        manifest.cancel_reason = reason[:2000]
        return {"reason": manifest.cancel_reason}

    return sign_move(
        uow, actor=actor, ref=ref, action=Action.CANCEL, at=at, position=position, write=write
    )


def pickup(
    uow: UnitOfWork,
    *,
    actor: Actor,
    ref,
    vehicle_plate: str,
    driver: str,
    lines: list[dict],
    at: datetime,
    position: dict | None = None,
) -> Manifest:
    """The transporter signs for the load with the quantity loaded on each line.

    Raises NotFound, Forbidden, InvalidTransition, ValidationFailed (a vehicle not active or
    not the transporter's, no driver, a bad line, time or position).
    """

    def write(s, manifest, at):
        plate = transport_vehicle(s, manifest.transporter_id, vehicle_plate)
        signer = check_driver(driver)
        load = parse_load(manifest, lines)
        manifest.picked_up_at = at
        return take_load(s, manifest, actor.organization_id, plate, signer, load, at)

    return sign_move(
        uow, actor=actor, ref=ref, action=Action.PICKUP, at=at, position=position, write=write
    )


def _found_on_arrival(s, raw: dict, line) -> dict:
    """The weighed quantity of a line, and the waste code and form found when they differ
    from the declaration. Raises ValidationFailed."""
    found = {"quantity": line_quantity(raw, line)}
    code = raw.get("waste_code")
    if code and code != line.waste_code:
        found["waste_code"] = catalogue_lookup.validate(s, code)
    form = raw.get("physical_form")
    if form and form != line.physical_form:
        found["physical_form"] = validate_physical_form(form)
    return found


def deliver(
    uow: UnitOfWork,
    *,
    actor: Actor,
    ref,
    lines: list[dict],
    at: datetime,
    moisture_pct=None,
    position: dict | None = None,
) -> Manifest:
    """The receiver signs arrival with the weighed quantity per line (and, when they differ
    from the declaration, the waste code and form it found).

    Raises NotFound, Forbidden, InvalidTransition, ValidationFailed (a bad line, no moisture
    for sludge, a bad time or position).
    """

    def write(s, manifest, at):
        moisture = None
        if moisture_pct is not None:
            moisture = parse_percentage(moisture_pct, field="moisture_pct")
        elif manifest.kind == "sludge":
            raise ValidationFailed(
                Text("arrival_needs_moisture"),
                errors={"moisture_pct": [Text("required_for_sludge")]},
            )
        parsed = per_line(manifest, lines, lambda raw, line: _found_on_arrival(s, raw, line))
        for line, found in parsed:
            line.received = found["quantity"]
            line.received_waste_code = found.get("waste_code")
            line.received_physical_form = found.get("physical_form")
        manifest.received_moisture_pct = moisture
        manifest.delivered_at = at
        payload = {
            "moisture_pct": moisture,
            "lines": [{"line_no": ln.line_no, **found} for ln, found in parsed],
        }
        # The vehicles' terminal tracks up to this signature are signed with it.
        terminal_tracks = record_terminal_tracks(s, manifest)
        if terminal_tracks:
            payload["terminal_tracks"] = terminal_tracks
        return payload

    return sign_move(
        uow, actor=actor, ref=ref, action=Action.DELIVER, at=at, position=position, write=write
    )


def _decision(raw: dict, line) -> dict:
    """The accepted and rejected figures of a line and the reason for a rejection. Raises
    ValidationFailed."""
    accepted = line_quantity(raw, line, "accepted")
    rejected = line_quantity(raw, line, "rejected")
    if accepted + rejected != line.received:
        raise ValidationFailed(
            Text(
                "decision_sum",
                line=line.line_no,
                accepted=accepted,
                rejected=rejected,
                received=line.received,
                unit=line.unit,
            )
        )
    reason = str(raw.get("reason") or "").strip()
    if rejected > 0 and not reason:
        raise ValidationFailed(
            Text("rejection_needs_reason", line=line.line_no),
            errors={"reason": [Text("required_when_rejecting")]},
        )
    return {"accepted": accepted, "rejected": rejected, "reason": reason or None}


def _decided_now(manifest: Manifest) -> datetime:
    # Whole seconds, as clients write times, so a completion signed "now" right after is
    # not refused as earlier than the decision.
    return max(utcnow().replace(microsecond=0), manifest.last_move_at)


def decide(
    uow: UnitOfWork, *, actor: Actor, ref, lines: list[dict], at: datetime | None = None
) -> Manifest:
    """The receiver accepts or rejects each line; accepted + rejected must equal received.

    Raises NotFound, Forbidden, InvalidTransition, ValidationFailed.
    """

    def write(s, manifest, at):
        parsed = per_line(manifest, lines, _decision)
        for line, d in parsed:
            line.accepted, line.rejected = d["accepted"], d["rejected"]
            line.rejection_reason = d["reason"]
        outcome = decision_outcome(
            sum(d["accepted"] for _, d in parsed), sum(d["rejected"] for _, d in parsed)
        )
        manifest.status = outcome.value
        manifest.decided_at = at
        return {
            "status": outcome.value,
            "lines": [{"line_no": ln.line_no, **d} for ln, d in parsed],
        }

    return sign_move(
        uow,
        actor=actor,
        ref=ref,
        action=Action.DECIDE,
        at=at,
        write=write,
        default_at=_decided_now,
    )


def complete(
    uow: UnitOfWork, *, actor: Actor, ref, operation: str, completed_at: datetime
) -> Manifest:
    """The receiver records the treatment operation applied and when it was done.

    Raises NotFound, Forbidden, InvalidTransition, ValidationFailed.
    """

    def write(s, manifest, at):
        manifest.completed_at = at
        manifest.completed_operation = validate_operation(operation)
        return {"operation": manifest.completed_operation, "completed_at": at}

    return sign_move(
        uow,
        actor=actor,
        ref=ref,
        action=Action.COMPLETE,
        at=completed_at,
        at_field="completed_at",
        write=write,
    )
