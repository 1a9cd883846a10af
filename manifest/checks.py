"""Issue-time checks: licences, transport permit, vehicle and capacity.

The carrier's checks (permit and vehicle) also run when a next transporter takes a load
over, on the quantities it takes and the day it signs.

Pure functions over plain facts gathered by the service. Every check runs; the caller gets
the complete list of failures, so a generator can fix everything in one go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from .capacity import CapacityUse, Level, category_of
from .catalogue_data import LAND_APPLICATION_OPERATIONS
from .quantities import Quantity
from .texts import Text


@dataclass(frozen=True)
class LicenceFacts:
    kind: str
    number: str
    valid_from: date
    valid_to: date
    status: str
    waste_codes: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()

    def active_on(self, day: date) -> bool:
        return self.status == "active" and self.valid_from <= day <= self.valid_to

    def covers(self, code: str) -> bool:
        category = category_of(code)
        return code in self.waste_codes or category in self.waste_codes


@dataclass(frozen=True)
class VehicleFacts:
    plate: str
    organization_id: int
    max_load_t: Decimal
    active: bool


@dataclass(frozen=True)
class LineFacts:
    line_no: int
    waste_code: str
    unit: str
    quantity: Decimal
    density_t_m3: Decimal | None = None

    @property
    def tonnes(self) -> Decimal | None:
        return Quantity(self.quantity, self.unit).to_tonnes(self.density_t_m3)


@dataclass(frozen=True)
class CarrierFacts:
    """What the carrier's checks look at: who carries what, in which vehicle, on which day."""

    day: date  # local date of the transport (planned pickup, or the hand-over)
    transporter_id: int
    vehicle_plate: str
    lines: Sequence[LineFacts]
    transporter_permits: Sequence[LicenceFacts] = ()
    vehicle: VehicleFacts | None = None


@dataclass(frozen=True)
class IssueFacts:
    """What the issue-time checks look at: the carrier's facts on the planned pickup day,
    the receiver's licences and capacity, and what sludge must declare."""

    kind: str  # hazardous or sludge
    operation: str
    carrier: CarrierFacts  # on the planned pickup date, local time, with the declared lines
    receiver_licences: Sequence[LicenceFacts] = ()
    #: The manifest against the receiver's licensed capacity, one use per scope, as
    #: :func:`manifest.services.capacity.manifest_capacity` judges it at issue.
    capacity: Sequence[CapacityUse] = ()
    moisture_pct: Decimal | None = None
    heavy_metal_report: str | None = None


@dataclass(frozen=True)
class CheckFailure:
    check: str
    message: str
    line: int | None = None
    expected: str | None = None
    actual: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class CheckResult:
    failures: list[CheckFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def is_hazardous_code(code: str) -> bool:
    return category_of(code).startswith("HW")


def run_issue_checks(facts: IssueFacts) -> CheckResult:
    """Every check a manifest must pass at issue (the receiver's licence covers each line's
    code and the operation, the transporter's permit, the vehicle, the receiver's capacity,
    sludge's moisture and land-application papers; README, "The lifecycle"). Failures are
    collected, never short-circuited."""
    result = CheckResult()
    fail = result.failures.append
    lines, day = facts.carrier.lines, facts.carrier.day
    receiver = receiver_failures(facts.receiver_licences, lines, facts.operation, day)
    result.failures.extend(receiver)
    licensed = all(f.check != "receiver_licence_active" for f in receiver)
    if licensed and any(is_hazardous_code(ln.waste_code) for ln in lines):
        _check_capacity(facts.capacity, fail)

    result.failures.extend(carrier_failures(facts.carrier))

    if facts.kind == "sludge":
        if facts.moisture_pct is None:
            fail(CheckFailure("sludge_moisture", Text("moisture_required")))
        if facts.operation in LAND_APPLICATION_OPERATIONS and not facts.heavy_metal_report:
            fail(
                CheckFailure(
                    "land_application_document",
                    Text("land_application_document"),
                    expected="heavy_metal_report",
                )
            )
    return result


def receiver_failures(
    licences: Sequence[LicenceFacts], lines: Sequence[LineFacts], operation: str, day: date
) -> list[CheckFailure]:
    """The receiver's side of issuing: for hazardous lines, an operation licence active on
    ``day`` that covers every line's code and the planned ``operation``. Lines of other
    waste need no licence. Every failure is listed."""
    failures: list[CheckFailure] = []
    hazardous_lines = [ln for ln in lines if is_hazardous_code(ln.waste_code)]
    if not hazardous_lines:
        return failures
    active = [lic for lic in licences if lic.kind == "hw_operation" and lic.active_on(day)]
    if not active:
        failures.append(
            CheckFailure(
                "receiver_licence_active",
                Text("receiver_no_licence"),
                expected=Text("active_on", day=day),
                actual=_licence_summary(licences) or Text("no_licence"),
            )
        )
        return failures
    for ln in hazardous_lines:
        if not any(lic.covers(ln.waste_code) for lic in active):
            failures.append(
                CheckFailure(
                    "receiver_licence_scope",
                    Text("licence_not_covering", code=ln.waste_code),
                    line=ln.line_no,
                    expected=Text(
                        "code_in_scope", code=ln.waste_code, category=category_of(ln.waste_code)
                    ),
                    actual=", ".join(sorted({c for lic in active for c in lic.waste_codes})),
                )
            )
    if not any(operation in lic.operations for lic in active):
        failures.append(
            CheckFailure(
                "receiver_operation",
                Text("operation_not_licensed", operation=operation),
                expected=operation,
                actual=" ".join(sorted({op for lic in active for op in lic.operations})),
            )
        )
    return failures


def permit_failures(
    permits: Sequence[LicenceFacts], lines: Sequence[LineFacts], day: date
) -> list[CheckFailure]:
    """A carrier of hazardous lines needs a dangerous-goods transport permit active on
    ``day``; other waste needs none."""
    if not any(is_hazardous_code(ln.waste_code) for ln in lines):
        return []
    permits = [p for p in permits if p.kind == "dg_transport"]
    if any(p.active_on(day) for p in permits):
        return []
    return [
        CheckFailure(
            "transporter_permit_active",
            Text("permit_inactive", day=day),
            expected=Text("active_on", day=day),
            actual=_licence_summary(permits) or Text("no_permit"),
        )
    ]


def carrier_failures(facts: CarrierFacts) -> list[CheckFailure]:
    """The transporter's permit (for hazardous waste) and its vehicle: registered, its own,
    active, and able to take the load. Every failure is listed."""
    failures = permit_failures(facts.transporter_permits, facts.lines, facts.day)
    _check_vehicle(facts, failures.append)
    return failures


def _check_vehicle(facts: CarrierFacts, fail) -> None:
    vehicle = facts.vehicle
    if vehicle is None:
        fail(
            CheckFailure(
                "vehicle_registered",
                Text("vehicle_unregistered", plate=facts.vehicle_plate),
                actual=facts.vehicle_plate,
            )
        )
        return
    if vehicle.organization_id != facts.transporter_id:
        fail(CheckFailure("vehicle_owner", Text("vehicle_not_owned", plate=vehicle.plate)))
    if not vehicle.active:
        fail(CheckFailure("vehicle_active", Text("vehicle_inactive", plate=vehicle.plate)))
    total = Decimal(0)
    for ln in facts.lines:
        tonnes = ln.tonnes
        if tonnes is None:
            if ln.unit == "m3":
                fail(
                    CheckFailure(
                        "line_mass_known",
                        Text("volume_needs_density"),
                        line=ln.line_no,
                        expected="density_t_m3",
                    )
                )
            continue
        total += tonnes
    if total > vehicle.max_load_t:
        fail(
            CheckFailure(
                "vehicle_load",
                Text("vehicle_overloaded", load=total, maximum=vehicle.max_load_t),
                expected=Text("at_most_tonnes", tonnes=vehicle.max_load_t),
                actual=Text("tonnes", tonnes=total),
            )
        )


def _check_capacity(uses: Sequence[CapacityUse], fail) -> None:
    for use in uses:
        if use.level is Level.REFUSED:
            fail(
                CheckFailure(
                    "receiver_capacity",
                    Text(
                        "capacity_refused",
                        scope=use.scope,
                        percent=(use.share * 100).quantize(Decimal("0.1")),
                        licensed=use.licensed_t,
                    ),
                    expected=Text(
                        "at_most_tonnes", tonnes=Decimal(f"{use.refusal_limit_t.normalize():f}")
                    ),
                    actual=Text("tonnes", tonnes=use.total_t),
                )
            )


def _licence_summary(licences: Sequence[LicenceFacts]) -> str:
    return "; ".join(
        f"{lic.number} {lic.status} {lic.valid_from.isoformat()}..{lic.valid_to.isoformat()}"
        for lic in licences
    )
