"""The signed moves of a manifest: issue, cancel, pickup, deliver, decide, complete (the
naming of the next transporter and the hand-over are in :mod:`.handover`).

Every move locks the manifest row, checks the status table and the actor's part in the
manifest, writes the change and appends one custody event, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..actor import TRANSPORT_ROLES, WRITE_ROLES, Actor
from ..catalogue import validate_operation, validate_physical_form
from ..checks import (
    IssueFacts,
    LicenceFacts,
    LineFacts,
    VehicleFacts,
    run_issue_checks,
)
from ..errors import ChecksFailed, Forbidden, ValidationFailed
from ..infra.db import utcnow
from ..infra.uow import UnitOfWork
from ..models import (
    Licence,
    Manifest,
    ManifestCounter,
    ManifestLeg,
    ManifestLine,
    Organization,
    Vehicle,
)
from ..numbering import city_of, format_number, issue_year
from ..plates import validate_plate
from ..quantities import parse_decimal, parse_percentage
from ..status import MOVES, Action, Party, Status, decision_outcome, move_for
from ..tonnage import mass_totals
from . import catalogue_lookup
from .access import load_visible
from .capacity import manifest_capacity
from .custody import append_event
from .followups import after_move

#: How far ahead of the server's clock a client's claimed time may be.
CLOCK_SKEW = timedelta(minutes=5)


# ---------------------------------------------------------------- shared validation


def check_time(manifest: Manifest, at, field: str = "at") -> datetime:
    """``at`` as a signature time: aware, plausible, not in the future, not before the
    manifest's previous signature. Raises ValidationFailed."""
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValidationFailed(
            f"{field} must be an ISO 8601 time with an offset",
            errors={field: ["a time with an offset"]},
        )
    if not 2000 <= at.year <= 2100:  # also keeps offset arithmetic clear of datetime's limits
        raise ValidationFailed(f"{field} is out of range", errors={field: ["out of range"]})
    if at > utcnow() + CLOCK_SKEW:
        raise ValidationFailed(f"{field} is in the future", errors={field: ["in the future"]})
    if manifest.last_move_at is not None and at < manifest.last_move_at:
        raise ValidationFailed(
            f"{field} {at.isoformat()} is before the previous signature at "
            f"{manifest.last_move_at.isoformat()}; times may not go backwards",
            errors={field: ["before the previous signature"]},
        )
    return at


def check_position(position) -> dict | None:
    """The signer's claimed ``{lat, lon}`` (or None). Raises ValidationFailed."""
    if position is None:
        return None
    try:
        lat, lon = float(position["lat"]), float(position["lon"])
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed(
            "position needs lat and lon", errors={"position": ["needs numeric lat and lon"]}
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed("position out of range", errors={"position": ["out of range"]})
    return {"lat": lat, "lon": lon}


def _per_line(manifest: Manifest, raw_lines, parse: Callable[[dict, ManifestLine], dict]):
    """Apply ``parse`` to one entry per manifest line; every line must be given exactly once."""
    errors: dict[str, list[str]] = {}
    by_no = {ln.line_no: ln for ln in manifest.lines}
    seen, parsed = set(), []
    # Keyed by the entry's place in the request (from 0), as the HTTP schema reports errors.
    for i, raw in enumerate(raw_lines or []):
        no = raw.get("line_no") if isinstance(raw, dict) else None
        if no not in by_no:
            errors[f"lines.{i}.line_no"] = [f"no line {no} on this manifest"]
            continue
        if no in seen:
            errors[f"lines.{i}.line_no"] = [f"line {no} given twice"]
            continue
        seen.add(no)
        try:
            parsed.append((by_no[no], parse(raw, by_no[no])))
        except ValidationFailed as exc:
            fields = list(exc.errors) or [None]
            for field in fields:
                key = f"lines.{i}" if field is None else f"lines.{i}.{field}"
                errors[key] = [exc.message]
    missing = sorted(set(by_no) - seen)
    if missing:
        errors.setdefault("lines", []).append(
            "every line needs a figure; missing " + ", ".join(map(str, missing))
        )
    if errors:
        raise ValidationFailed("the lines are not valid", errors=errors)
    return parsed


def _quantity(raw: dict, line: ManifestLine, key: str = "quantity") -> Decimal:
    value = parse_decimal(raw.get(key), field=key)
    if line.unit == "pcs" and value != value.to_integral_value():
        raise ValidationFailed(f"line {line.line_no}: a count is a whole number")
    return value


def refresh_mass_totals(manifest: Manifest) -> None:
    """Rewrite the manifest's stored mass totals from its lines as they are in memory.

    Every service that writes line quantities calls this in the same transaction; the
    balance reads the totals, and chain verification checks them against the lines.
    """
    for column, value in mass_totals(manifest.lines).as_dict().items():
        setattr(manifest, column, value)


def finish_move(s, manifest: Manifest, action: Action, at: datetime | None) -> None:
    """Close a move inside its transaction: the latest signature time, the mass totals, and
    the follow-up checks (reconciliation, findings) of ``action``."""
    if at is not None:
        manifest.last_move_at = max(at, manifest.last_move_at or at)
    # Unchanged totals are no change to the row: moves that write no quantity cost nothing.
    refresh_mass_totals(manifest)
    s.flush()
    after_move(s, manifest, action.value)


def _vehicle(s, plate: str) -> Vehicle | None:
    return s.scalar(select(Vehicle).where(Vehicle.plate == plate))


def vehicle_facts(s, plate: str) -> VehicleFacts | None:
    """The registered vehicle with ``plate``, as the carrier checks see it, or None."""
    vehicle = _vehicle(s, plate)
    if vehicle is None:
        return None
    return VehicleFacts(vehicle.plate, vehicle.organization_id, vehicle.max_load_t, vehicle.active)


def licence_facts(s, organization_id: int, kind: str) -> list[LicenceFacts]:
    """The organisation's licences of ``kind``, as the checks see them."""
    rows = s.scalars(
        select(Licence).where(Licence.organization_id == organization_id, Licence.kind == kind)
    )
    return [
        LicenceFacts(
            kind=lic.kind,
            number=lic.number,
            valid_from=lic.valid_from,
            valid_to=lic.valid_to,
            status=lic.status,
            waste_codes=tuple(lic.waste_codes),
            operations=tuple(lic.operation_list),
        )
        for lic in rows
    ]


def _next_serial(s, city: str, year: int) -> int:
    """Take the next serial for a city and year under a row lock; a rolled-back issue gives
    its serial back, so numbers stay gapless."""
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    s.execute(
        insert(ManifestCounter).values(city=city, year=year, last_serial=0).on_conflict_do_nothing()
    )
    counter = s.scalar(
        select(ManifestCounter)
        .where(ManifestCounter.city == city, ManifestCounter.year == year)
        .with_for_update()
    )
    counter.last_serial += 1
    s.flush()
    return counter.last_serial


def _require_party(actor: Actor, manifest: Manifest, party: Party, roles=WRITE_ROLES) -> None:
    org_of = {
        Party.GENERATOR: manifest.generator_id,
        Party.TRANSPORTER: manifest.transporter_id,
        Party.NEXT_TRANSPORTER: manifest.next_transporter_id,
        Party.RECEIVER: manifest.receiver_id,
    }
    if actor.organization_id is None or actor.organization_id != org_of[party]:
        raise Forbidden(f"only the manifest's {party.value.replace('_', ' ')} may do this")
    actor.require_user_role(roles)


#: The parties whose drivers sign for them (a load changes hands on the road).
CARRYING_PARTIES = frozenset({Party.TRANSPORTER, Party.NEXT_TRANSPORTER})


def open_move(s, actor: Actor, ref, action: Action, *, roles=None) -> Manifest:
    """Lock the manifest and check that the actor's organisation is the party the status
    table names for ``action`` (with a user role in ``roles``; by default drivers may sign
    for carriers) and that the manifest's status allows it.

    A named next transporter finds the manifest only for the move the table gives it; for
    anyone else who is no party it does not exist. Raises NotFound, Forbidden,
    InvalidTransition.
    """
    move = MOVES[action]
    by_next = move.by == Party.NEXT_TRANSPORTER
    manifest = load_visible(s, actor, ref, lock=True, named_next=by_next)
    if roles is None:
        roles = TRANSPORT_ROLES if move.by in CARRYING_PARTIES else WRITE_ROLES
    _require_party(actor, manifest, move.by, roles)
    move_for(action, manifest.status)
    return manifest


# ---------------------------------------------------------------- the moves


def issue_manifest(
    uow: UnitOfWork, *, actor: Actor, ref, at: datetime, position: dict | None = None
) -> Manifest:
    """The generator signs the draft: all checks run, the number is given.

    Raises NotFound, Forbidden, InvalidTransition, ValidationFailed, and ChecksFailed with
    the list of every failed check (nothing is changed then).
    """
    with uow:
        s = uow.session
        manifest = open_move(s, actor, ref, Action.ISSUE)
        at = check_time(manifest, at)
        position = check_position(position)
        for ln in manifest.lines:
            catalogue_lookup.require_known(s, ln.waste_code)
        capacity = manifest_capacity(s, manifest=manifest, stage="issue")
        facts = IssueFacts(
            kind=manifest.kind,
            operation=manifest.operation,
            pickup_day=capacity.day,
            transporter_id=manifest.transporter_id,
            vehicle_plate=manifest.vehicle_plate,
            lines=[
                LineFacts(ln.line_no, ln.waste_code, ln.unit, ln.declared, ln.density_t_m3)
                for ln in manifest.lines
            ],
            receiver_licences=licence_facts(s, manifest.receiver_id, "hw_operation"),
            transporter_permits=licence_facts(s, manifest.transporter_id, "dg_transport"),
            vehicle=vehicle_facts(s, manifest.vehicle_plate),
            capacity=capacity.uses,
            moisture_pct=manifest.moisture_pct,
            heavy_metal_report=manifest.heavy_metal_report,
        )
        result = run_issue_checks(facts)
        if not result.ok:
            raise ChecksFailed(
                f"{len(result.failures)} check(s) failed; the manifest was not issued",
                details=[f.to_dict() for f in result.failures],
            )
        generator = s.get(Organization, manifest.generator_id)
        now = utcnow()
        city, year = city_of(generator.region_code), issue_year(now)
        manifest.number = format_number(year, city, _next_serial(s, city, year))
        manifest.status = Status.ISSUED.value
        manifest.issued_at = at
        append_event(
            s,
            manifest=manifest,
            action="issue",
            actor=actor,
            party=Party.GENERATOR.value,
            claimed_time=at,
            position=position,
            payload={
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
            },
        )
        finish_move(s, manifest, Action.ISSUE, at)
        uow.commit()
        return manifest


def cancel_manifest(
    uow: UnitOfWork, *, actor: Actor, ref, reason: str, at: datetime, position: dict | None = None
) -> Manifest:
    """The generator withdraws a draft or an issued manifest; its number is never reused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("a cancellation needs a reason", errors={"reason": ["required"]})
    with uow:
        s = uow.session
        manifest = open_move(s, actor, ref, Action.CANCEL)
        at = check_time(manifest, at)
        position = check_position(position)
        manifest.status = Status.CANCELLED.value
        manifest.cancelled_at = at
        manifest.cancel_reason = reason[:2000]
        append_event(
            s,
            manifest=manifest,
            action="cancel",
            actor=actor,
            party=Party.GENERATOR.value,
            claimed_time=at,
            position=position,
            payload={"reason": manifest.cancel_reason},
        )
        finish_move(s, manifest, Action.CANCEL, at)
        uow.commit()
        return manifest


def _transport_vehicle(s, transporter_id: int, plate_raw: str) -> str:
    plate = validate_plate(plate_raw, "vehicle_plate")
    vehicle = _vehicle(s, plate)
    if vehicle is None or vehicle.organization_id != transporter_id:
        raise ValidationFailed(
            f"vehicle {plate} is not registered to the transporter",
            errors={"vehicle_plate": ["not a vehicle of the transporter"]},
        )
    if not vehicle.active:
        raise ValidationFailed(
            f"vehicle {plate} is not active", errors={"vehicle_plate": ["inactive vehicle"]}
        )
    return plate


def check_driver(driver) -> str:
    """The driver's name, trimmed; required. Raises ValidationFailed."""
    driver = str(driver or "").strip()
    if not driver:
        raise ValidationFailed("the driver's name is required", errors={"driver": ["required"]})
    return driver[:100]


def parse_load(manifest: Manifest, lines) -> list[tuple[ManifestLine, Decimal]]:
    """The quantity a carrier signs for on each line; every line exactly once.

    Raises ValidationFailed naming each bad entry.
    """
    parsed = _per_line(manifest, lines, lambda raw, ln: {"quantity": _quantity(raw, ln)})
    return [(line, values["quantity"]) for line, values in parsed]


def take_load(
    s,
    manifest: Manifest,
    transporter_id: int,
    plate: str,
    driver: str,
    load: list[tuple[ManifestLine, Decimal]],
    at: datetime,
) -> list[dict]:
    """A transporter takes the load (from :func:`parse_load`): the loaded quantity of every
    line, a new leg, and the manifest's carrier, vehicle and driver. Returns the lines as
    the event signs them."""
    for line, quantity in load:
        line.loaded = quantity
    s.add(
        ManifestLeg(
            manifest_id=manifest.id,
            leg_no=len(manifest.legs) + 1,
            transporter_id=transporter_id,
            vehicle_plate=plate,
            driver=driver,
            started_at=at,
        )
    )
    manifest.transporter_id = transporter_id
    manifest.vehicle_plate, manifest.driver = plate, driver
    s.flush()
    # The leg was added beside the loaded collections; the caller must see it and the carrier.
    s.expire(manifest, ["legs", "transporter"])
    return [{"line_no": ln.line_no, "quantity": quantity} for ln, quantity in load]


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
    """The transporter signs for the load with the quantity loaded on each line."""
    with uow:
        s = uow.session
        manifest = open_move(s, actor, ref, Action.PICKUP)
        at = check_time(manifest, at)
        position = check_position(position)
        plate = _transport_vehicle(s, manifest.transporter_id, vehicle_plate)
        driver = check_driver(driver)
        load = parse_load(manifest, lines)
        loaded = take_load(s, manifest, actor.organization_id, plate, driver, load, at)
        manifest.status = Status.IN_TRANSIT.value
        manifest.picked_up_at = at
        append_event(
            s,
            manifest=manifest,
            action="pickup",
            actor=actor,
            party=Party.TRANSPORTER.value,
            claimed_time=at,
            position=position,
            payload={
                "transporter_id": actor.organization_id,
                "vehicle_plate": plate,
                "driver": driver,
                "lines": loaded,
            },
        )
        finish_move(s, manifest, Action.PICKUP, at)
        uow.commit()
        return manifest


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
    from the declaration, the waste code and form it found)."""
    with uow:
        s = uow.session
        manifest = open_move(s, actor, ref, Action.DELIVER)
        at = check_time(manifest, at)
        position = check_position(position)
        moisture = None
        if moisture_pct is not None:
            moisture = parse_percentage(moisture_pct, field="moisture_pct")
        elif manifest.kind == "sludge":
            raise ValidationFailed(
                "a sludge delivery needs the moisture content on arrival",
                errors={"moisture_pct": ["required for sludge"]},
            )

        def parse(raw, line):
            found = {"quantity": _quantity(raw, line)}
            code = raw.get("waste_code")
            if code and code != line.waste_code:
                found["waste_code"] = catalogue_lookup.validate(s, code)
            form = raw.get("physical_form")
            if form and form != line.physical_form:
                found["physical_form"] = validate_physical_form(form)
            return found

        parsed = _per_line(manifest, lines, parse)
        for line, found in parsed:
            line.received = found["quantity"]
            line.received_waste_code = found.get("waste_code")
            line.received_physical_form = found.get("physical_form")
        manifest.received_moisture_pct = moisture
        manifest.status = Status.DELIVERED.value
        manifest.delivered_at = at
        append_event(
            s,
            manifest=manifest,
            action="deliver",
            actor=actor,
            party=Party.RECEIVER.value,
            claimed_time=at,
            position=position,
            payload={
                "moisture_pct": moisture,
                "lines": [{"line_no": ln.line_no, **found} for ln, found in parsed],
            },
        )
        finish_move(s, manifest, Action.DELIVER, at)
        uow.commit()
        return manifest


def decide(
    uow: UnitOfWork, *, actor: Actor, ref, lines: list[dict], at: datetime | None = None
) -> Manifest:
    """The receiver accepts or rejects each line; accepted + rejected must equal received."""
    with uow:
        s = uow.session
        manifest = open_move(s, actor, ref, Action.DECIDE)
        if at is None:
            # Whole seconds, as clients write times, so a completion signed "now" right
            # after is not refused as earlier than the decision.
            at = max(utcnow().replace(microsecond=0), manifest.last_move_at)
        at = check_time(manifest, at)

        def parse(raw, line):
            accepted = _quantity(raw, line, "accepted")
            rejected = _quantity(raw, line, "rejected")
            if accepted + rejected != line.received:
                raise ValidationFailed(
                    f"line {line.line_no}: accepted {accepted} + rejected {rejected} must equal "
                    f"the {line.received} {line.unit} delivered"
                )
            reason = str(raw.get("reason") or "").strip()
            if rejected > 0 and not reason:
                raise ValidationFailed(
                    f"line {line.line_no}: a rejection needs a reason",
                    errors={"reason": ["required when rejecting"]},
                )
            return {"accepted": accepted, "rejected": rejected, "reason": reason or None}

        parsed = _per_line(manifest, lines, parse)
        for line, d in parsed:
            line.accepted, line.rejected, line.rejection_reason = (
                d["accepted"],
                d["rejected"],
                d["reason"],
            )
        outcome = decision_outcome(
            sum(d["accepted"] for _, d in parsed), sum(d["rejected"] for _, d in parsed)
        )
        manifest.status = outcome.value
        manifest.decided_at = at
        append_event(
            s,
            manifest=manifest,
            action="decide",
            actor=actor,
            party=Party.RECEIVER.value,
            claimed_time=at,
            payload={
                "status": outcome.value,
                "lines": [{"line_no": ln.line_no, **d} for ln, d in parsed],
            },
        )
        finish_move(s, manifest, Action.DECIDE, at)
        uow.commit()
        return manifest


def complete(
    uow: UnitOfWork, *, actor: Actor, ref, operation: str, completed_at: datetime
) -> Manifest:
    """The receiver records the treatment operation applied and when it was done."""
    with uow:
        s = uow.session
        manifest = open_move(s, actor, ref, Action.COMPLETE)
        completed_at = check_time(manifest, completed_at, "completed_at")
        operation = validate_operation(operation)
        manifest.status = Status.COMPLETED.value
        manifest.completed_at = completed_at
        manifest.completed_operation = operation
        append_event(
            s,
            manifest=manifest,
            action="complete",
            actor=actor,
            party=Party.RECEIVER.value,
            claimed_time=completed_at,
            payload={"operation": operation, "completed_at": completed_at},
        )
        finish_move(s, manifest, Action.COMPLETE, completed_at)
        uow.commit()
        return manifest
