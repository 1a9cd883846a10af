"""What a carrier signs for: the quantity on each line, the vehicle and the driver; and the
vehicle and licence facts the issue-time and hand-over checks judge.

Also the reading of per-line figures that every move signing quantities shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from ..checks import CarrierFacts, LicenceFacts, LineFacts, VehicleFacts
from ..errors import ValidationFailed
from ..models import Licence, Manifest, ManifestLeg, ManifestLine, Vehicle
from ..plates import validate_plate
from ..quantities import parse_decimal
from ..texts import Text


def per_line(manifest: Manifest, raw_lines, parse: Callable[[dict, ManifestLine], dict]):
    """Apply ``parse`` to one entry per manifest line; every line must be given exactly once.

    Returns (line, parsed) pairs. Raises ValidationFailed naming each bad entry by its place
    in the request (from 0), as the HTTP schema reports errors.
    """
    errors: dict[str, list[str]] = {}
    by_no = {ln.line_no: ln for ln in manifest.lines}
    seen, parsed = set(), []
    for i, raw in enumerate(raw_lines or []):
        no = raw.get("line_no") if isinstance(raw, dict) else None
        if no not in by_no:
            errors[f"lines.{i}.line_no"] = [Text("no_such_line", line=no)]
            continue
        if no in seen:
            errors[f"lines.{i}.line_no"] = [Text("line_twice", line=no)]
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
        errors.setdefault("lines", []).append(Text("lines_missing", lines=missing))
    if errors:
        raise ValidationFailed(Text("lines_not_valid"), errors=errors)
    return parsed


def line_quantity(raw: dict, line: ManifestLine, key: str = "quantity") -> Decimal:
    """The figure ``raw[key]`` for ``line``: a decimal, whole for a count. Raises
    ValidationFailed."""
    value = parse_decimal(raw.get(key), field=key)
    if line.unit == "pcs" and value != value.to_integral_value():
        raise ValidationFailed(Text("count_whole", line=line.line_no))
    return value


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
    return [as_licence_facts(lic) for lic in rows]


def as_licence_facts(lic: Licence) -> LicenceFacts:
    """A licence row as the checks see it."""
    dated = (lic.kind, lic.number, lic.valid_from, lic.valid_to, lic.status)
    return LicenceFacts(*dated, tuple(lic.waste_codes), tuple(lic.operation_list))


def carrier_facts(
    s,
    day: date,
    transporter_id: int,
    plate: str,
    load: Iterable[tuple[ManifestLine, Decimal]],
) -> CarrierFacts:
    """The transporter carrying ``load`` (each line with its quantity) in the vehicle
    ``plate`` on the local ``day``, with its transport permits and that vehicle, as the
    carrier checks see them."""
    return CarrierFacts(
        day=day,
        transporter_id=transporter_id,
        vehicle_plate=plate,
        lines=[
            LineFacts(ln.line_no, ln.waste_code, ln.unit, quantity, ln.density_t_m3)
            for ln, quantity in load
        ],
        transporter_permits=licence_facts(s, transporter_id, "dg_transport"),
        vehicle=vehicle_facts(s, plate),
    )


def transport_vehicle(s, transporter_id: int, plate_raw: str) -> str:
    """The plate of an active vehicle registered to the transporter. Raises
    ValidationFailed."""
    plate = validate_plate(plate_raw, "vehicle_plate")
    vehicle = _vehicle(s, plate)
    if vehicle is None or vehicle.organization_id != transporter_id:
        raise ValidationFailed(
            Text("vehicle_not_theirs", plate=plate),
            errors={"vehicle_plate": [Text("not_their_vehicle")]},
        )
    if not vehicle.active:
        raise ValidationFailed(
            Text("vehicle_inactive", plate=plate),
            errors={"vehicle_plate": [Text("inactive_vehicle")]},
        )
    return plate


def check_driver(driver) -> str:
    """The driver's name, trimmed; required. Raises ValidationFailed."""
    driver = str(driver or "").strip()
    if not driver:
        raise ValidationFailed(Text("driver_required"), errors={"driver": [Text("required")]})
    return driver[:100]


def parse_load(manifest: Manifest, lines) -> list[tuple[ManifestLine, Decimal]]:
    """The quantity a carrier signs for on each line; every line exactly once.

    Raises ValidationFailed naming each bad entry.
    """
    parsed = per_line(manifest, lines, lambda raw, ln: {"quantity": line_quantity(raw, ln)})
    return [(line, values["quantity"]) for line, values in parsed]


def take_load(
    s,
    manifest: Manifest,
    transporter_id: int,
    plate: str,
    driver: str,
    load: list[tuple[ManifestLine, Decimal]],
    at: datetime,
) -> dict:
    """A transporter takes the load (from :func:`parse_load`): the loaded quantity of every
    line, a new leg, and the manifest's carrier, vehicle and driver. Returns what the event
    signs of it: the carrier, vehicle, driver and lines."""
    for line, quantity in load:
        line.loaded = quantity
    manifest.legs.append(
        ManifestLeg(
            leg_no=len(manifest.legs) + 1,
            transporter_id=transporter_id,
            vehicle_plate=plate,
            driver=driver,
            started_at=at,
        )
    )
    if manifest.transporter_id != transporter_id:
        # Set by id: the carrier is loaded again when next read, after the move's flush.
        manifest.transporter_id = transporter_id
        s.expire(manifest, ["transporter"])
    manifest.vehicle_plate, manifest.driver = plate, driver
    return {
        "transporter_id": transporter_id,
        "vehicle_plate": plate,
        "driver": driver,
        "lines": [{"line_no": ln.line_no, "quantity": quantity} for ln, quantity in load],
    }
