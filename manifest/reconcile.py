"""Reconciliation of the tallies of one manifest: declared, loaded, received and weighbridge.

Everything here is pure: the service gathers the figures into a :class:`ManifestTallies`, calls
:func:`reconcile` after each move, and stores one finding per :attr:`Discrepancy.key` it has not
stored yet. Because the result is recomputed from whatever tallies exist, calling it again after
a retry or a later move yields the same keys for the same facts, so no duplicates arise.

Thresholds (:class:`Tolerance`, per manifest kind) follow the national rule of 5 % and 10 kg.
For comparison, the US EPA treats more than 10 % weight variation on bulk waste as a significant
manifest discrepancy (40 CFR 264.72); our default is stricter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from .errors import ValidationFailed
from .quantities import Quantity, format_decimal
from .texts import Text

QUANTITY = "quantity_discrepancy"
TYPE = "type_discrepancy"
MOISTURE = "moisture_change"
REJECTION = "rejection"

#: Stages: what is compared with what.
LOADED = "loaded"  # loaded at pickup vs declared at issue
RECEIVED = "received"  # received at delivery vs loaded (or declared when nothing was loaded)
CUMULATIVE = "cumulative"  # received vs declared, only when the steps alone hid the loss
WEIGHBRIDGE = "weighbridge"  # weighbridge net weight vs total declared mass
DECISION = "decision"  # the receiver's accept / reject decision

INFO, WARNING, VIOLATION = "info", "warning", "violation"

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


@dataclass(frozen=True)
class Tolerance:
    """When a difference is significant, and when a significant loss becomes a violation.

    A mass difference is significant when it exceeds both ``mass_pct`` % of the reference and
    ``mass_abs_kg``. A loss beyond ``violation_factor`` times both limits is a violation.
    ``moisture_points`` bounds the change of moisture content (percentage points) for sludge.
    The EPA uses 10 % for bulk waste (40 CFR 264.72); the national default here is 5 % / 10 kg.
    """

    mass_pct: Decimal = Decimal("5")
    mass_abs_kg: Decimal = Decimal("10")
    moisture_points: Decimal = Decimal("5")
    violation_factor: Decimal = Decimal("2")

    def __post_init__(self):
        for name in ("mass_pct", "mass_abs_kg", "moisture_points", "violation_factor"):
            if Decimal(getattr(self, name)) < 0:
                raise ValidationFailed(f"{name} may not be negative", errors={name: ["negative"]})


DEFAULT_TOLERANCES: dict[str, Tolerance] = {"hazardous": Tolerance(), "sludge": Tolerance()}


def tolerance_for(kind: str, tolerances: dict[str, Tolerance] | None = None) -> Tolerance:
    """The tolerance configured for a manifest kind; raises ValidationFailed for an unknown kind."""
    table = DEFAULT_TOLERANCES if tolerances is None else tolerances
    try:
        return table[kind]
    except KeyError:
        raise ValidationFailed(
            f"no tolerance for manifest kind {kind!r}", errors={"kind": ["unknown kind"]}
        ) from None


@dataclass(frozen=True)
class LineTallies:
    """The figures of one manifest line, in the line's unit (t, kg, m3 or pcs).

    ``received_waste_code`` / ``received_physical_form`` are None when the receiver found what
    was declared. ``density_t_per_m3`` lets an ``m3`` line be compared as mass.
    """

    line_no: int
    unit: str
    declared: Decimal
    loaded: Decimal | None = None
    received: Decimal | None = None
    waste_code: str | None = None
    physical_form: str | None = None
    received_waste_code: str | None = None
    received_physical_form: str | None = None
    container_count: int | None = None
    density_t_per_m3: Decimal | None = None
    rejected: Decimal | None = None
    rejection_reason: str | None = None


@dataclass(frozen=True)
class ManifestTallies:
    """All tallies of one manifest.

    Moisture is manifest-level (percent of wet mass): declared at dispatch, measured on arrival.
    ``weighbridge_net_kg`` is the matched weighbridge net weight of the whole vehicle load.
    """

    kind: str
    lines: Sequence[LineTallies]
    moisture_declared_pct: Decimal | None = None
    moisture_received_pct: Decimal | None = None
    weighbridge_net_kg: Decimal | None = None


@dataclass(frozen=True)
class Discrepancy:
    """One thing a regulator should review. ``measured`` holds exact figures as strings."""

    type: str
    stage: str
    line_no: int | None
    severity: str
    message: str
    measured: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable identity within a manifest, e.g. ``quantity_discrepancy:received:2`` or
        ``moisture_change:received:manifest``. At most one finding per key and manifest."""
        return f"{self.type}:{self.stage}:{'manifest' if self.line_no is None else self.line_no}"


class Comparison(NamedTuple):
    """``difference`` is observed − reference (negative: a loss); ``difference_pct`` is relative
    to the reference, exact (not rounded), and None when the reference is zero."""

    significant: bool
    difference: Decimal
    difference_pct: Decimal | None


def _compare(reference: Decimal, observed: Decimal, pct: Decimal, absolute: Decimal) -> Comparison:
    difference = Decimal(observed) - Decimal(reference)
    percent = None if reference == 0 else difference / Decimal(reference) * _HUNDRED
    # A zero reference has no relative limit: any difference beyond the absolute one counts.
    over_pct = percent is None or abs(percent) > pct
    return Comparison(over_pct and abs(difference) > absolute, difference, percent)


def compare_mass(declared_kg: Decimal, observed_kg: Decimal, tolerance: Tolerance) -> Comparison:
    """Compare two masses in kg: significant when the difference is above ``mass_pct`` % of
    ``declared_kg`` *and* above ``mass_abs_kg`` (both strictly). Unpacks as
    ``(significant, difference_kg, difference_pct)``."""
    return _compare(declared_kg, observed_kg, tolerance.mass_pct, tolerance.mass_abs_kg)


def compare_count(declared: Decimal | int, observed: Decimal | int) -> Comparison:
    """Compare container counts: any difference is significant."""
    return _compare(Decimal(declared), Decimal(observed), _ZERO, _ZERO)


def dry_solids_kg(wet_kg: Decimal, moisture_pct: Decimal) -> Decimal:
    """Dry solids in a wet mass: ``wet × (1 − moisture/100)``.

    Raises ValidationFailed when the moisture is outside 0 ≤ m < 100.
    """
    _check_moisture(moisture_pct, "moisture_pct")
    return Decimal(wet_kg) * (_HUNDRED - Decimal(moisture_pct)) / _HUNDRED


def _check_moisture(value: Decimal | None, name: str) -> None:
    if value is not None and not (0 <= Decimal(value) < 100):
        raise ValidationFailed(f"{name} must be at least 0 and below 100", errors={name: ["range"]})


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def _quantity_severity(result: Comparison, tolerance: Tolerance, *, absolute: Decimal) -> str:
    if result.difference >= 0:
        return WARNING  # an excess is suspicious (mixing, added water) but nothing went missing
    factor = tolerance.violation_factor
    over_pct = result.difference_pct is None or -result.difference_pct > tolerance.mass_pct * factor
    return VIOLATION if over_pct and -result.difference > absolute * factor else WARNING


@dataclass(frozen=True)
class _Figures:
    """A reference and an observed amount, already on a common basis."""

    unit: str  # kg, m3 or pcs
    basis: str  # wet, dry, volume or count
    reference: Decimal
    observed: Decimal
    extra: dict[str, str]


def _figures(
    line: LineTallies,
    reference: Decimal,
    observed: Decimal,
    moisture: tuple[Decimal, Decimal] | None,
) -> _Figures:
    if line.unit == "pcs":
        return _Figures("pcs", "count", Decimal(reference), Decimal(observed), {})
    ref_kg = Quantity(Decimal(reference), line.unit).to_kg(line.density_t_per_m3)
    obs_kg = Quantity(Decimal(observed), line.unit).to_kg(line.density_t_per_m3)
    if ref_kg is None or obs_kg is None:  # m3 without a density: compare volumes
        return _Figures("m3", "volume", Decimal(reference), Decimal(observed), {})
    return _mass_figures(ref_kg, obs_kg, moisture)


def _mass_figures(
    ref_kg: Decimal, obs_kg: Decimal, moisture: tuple[Decimal, Decimal] | None
) -> _Figures:
    if moisture is None:
        return _Figures("kg", "wet", ref_kg, obs_kg, {})
    extra = {
        "reference_wet_kg": format_decimal(ref_kg),
        "observed_wet_kg": format_decimal(obs_kg),
        "moisture_reference_pct": str(moisture[0]),
        "moisture_observed_pct": str(moisture[1]),
    }
    ref_dry = dry_solids_kg(ref_kg, moisture[0])
    obs_dry = dry_solids_kg(obs_kg, moisture[1])
    return _Figures("kg", "dry", ref_dry, obs_dry, extra)


def _quantity(
    figures: _Figures,
    tolerance: Tolerance,
    *,
    stage: str,
    line_no: int | None,
    reference_stage: str,
    what: Text,
) -> tuple[Comparison, Discrepancy | None]:
    """Compare the figures; a Discrepancy when significant, with the comparison either way."""
    if figures.unit == "pcs":
        result = compare_count(figures.reference, figures.observed)
        severity = VIOLATION if result.difference < 0 else WARNING  # a missing container
        limits: dict[str, str] = {}
    else:
        absolute = tolerance.mass_abs_kg if figures.unit == "kg" else _ZERO
        result = _compare(figures.reference, figures.observed, tolerance.mass_pct, absolute)
        severity = _quantity_severity(result, tolerance, absolute=absolute)
        limits = {"tolerance_pct": str(tolerance.mass_pct)}
        if figures.unit == "kg":
            limits["tolerance_kg"] = str(tolerance.mass_abs_kg)
    if not result.significant:
        return result, None
    suffix = "count" if figures.unit == "pcs" else figures.unit
    show = str if figures.unit == "pcs" else format_decimal
    measured = {
        "unit": figures.unit,
        "basis": figures.basis,
        "reference": reference_stage,
        f"reference_{suffix}": show(figures.reference),
        f"observed_{suffix}": show(figures.observed),
        f"difference_{suffix}": show(result.difference),
        "difference_pct": _pct(result.difference_pct),
        **limits,
        **figures.extra,
    }
    measured = {k: v for k, v in measured.items() if v is not None}
    message = Text(
        "finding_quantity",
        what=what,
        observed=measured[f"observed_{suffix}"],
        reference=measured[f"reference_{suffix}"],
        unit=figures.unit,
        stage=reference_stage,
        pct=measured.get("difference_pct", "n/a"),
        basis=figures.basis,
    )
    return result, Discrepancy(QUANTITY, stage, line_no, severity, message, measured)


def _same(declared: str | None, received: str | None) -> bool:
    if received is None or not received.strip():
        return True
    return (declared or "").strip().upper() == received.strip().upper()


def _type_discrepancy(line: LineTallies) -> Discrepancy | None:
    code_same = _same(line.waste_code, line.received_waste_code)
    form_same = _same(line.physical_form, line.received_physical_form)
    if code_same and form_same:
        return None
    measured = {
        "declared_waste_code": line.waste_code or "",
        "received_waste_code": line.received_waste_code or line.waste_code or "",
        "declared_physical_form": line.physical_form or "",
        "received_physical_form": line.received_physical_form or line.physical_form or "",
    }
    # Another waste code is another waste (licence scope, treatment); a changed form alone,
    # such as sludge drying from SS to S, is worth a look but not a breach by itself.
    severity = WARNING if code_same else VIOLATION
    message = Text(
        "finding_type",
        line=line.line_no,
        received_code=measured["received_waste_code"],
        received_form=measured["received_physical_form"],
        declared_code=measured["declared_waste_code"],
        declared_form=measured["declared_physical_form"],
    )
    return Discrepancy(TYPE, RECEIVED, line.line_no, severity, message, measured)


def _rejection(line: LineTallies) -> Discrepancy | None:
    if line.rejected is None or Decimal(line.rejected) <= 0:
        return None
    measured = {"unit": line.unit, "rejected": str(line.rejected), "reason": line.rejection_reason}
    if line.received is not None:
        measured["received"] = str(line.received)
    measured = {k: v for k, v in measured.items() if v is not None}
    message = Text(
        "finding_rejection",
        line=line.line_no,
        rejected=line.rejected,
        unit=line.unit,
        reason=line.rejection_reason or Text("no_reason"),
    )
    return Discrepancy(REJECTION, DECISION, line.line_no, WARNING, message, measured)


def _moisture(tallies: ManifestTallies, tolerance: Tolerance) -> Discrepancy | None:
    declared, received = tallies.moisture_declared_pct, tallies.moisture_received_pct
    if declared is None or received is None:
        return None
    change = Decimal(received) - Decimal(declared)
    if abs(change) <= tolerance.moisture_points:
        return None
    # Drying in transit is expected; wetter sludge on arrival means water got in or was added.
    severity = WARNING if change > 0 else INFO
    measured = {
        "moisture_declared_pct": str(declared),
        "moisture_received_pct": str(received),
        "change_points": str(change),
        "tolerance_points": str(tolerance.moisture_points),
    }
    message = Text("finding_moisture", declared=declared, received=received, change=f"{change:+}")
    return Discrepancy(MOISTURE, RECEIVED, None, severity, message, measured)


def _line_quantities(
    line: LineTallies, tolerance: Tolerance, moisture: tuple[Decimal, Decimal] | None
) -> list[Discrepancy]:
    def check(stage, reference_stage, observed, what, basis) -> Discrepancy | None:
        """The line's figure ``observed`` against its declared or loaded one."""
        reference = line.declared if reference_stage == "declared" else line.loaded
        return _quantity(
            _figures(line, reference, observed, basis),
            tolerance,
            stage=stage,
            line_no=line.line_no,
            reference_stage=reference_stage,
            what=Text(f"line_{what}", line=line.line_no),
        )[1]

    # Loading happens at dispatch, where only the declared moisture is known: wet basis.
    loaded = None if line.loaded is None else check(LOADED, "declared", line.loaded, "loaded", None)
    if line.received is None:
        return [loaded] if loaded else []
    previous = "declared" if line.loaded is None else "loaded"
    received = check(RECEIVED, previous, line.received, "received", moisture)
    cumulative = None
    if line.loaded is not None and not (loaded or received):
        # Two steps each within tolerance can still add up to a significant loss.
        cumulative = check(CUMULATIVE, "declared", line.received, "received", moisture)
    return [found for found in (loaded, received, cumulative) if found]


def _weighbridge(
    tallies: ManifestTallies, tolerance: Tolerance, moisture: tuple[Decimal, Decimal] | None
) -> Discrepancy | None:
    if tallies.weighbridge_net_kg is None or not tallies.lines:
        return None
    declared_kg = _ZERO
    for line in tallies.lines:
        if line.unit == "pcs":
            return None  # containers have no declared mass, so the total is unknown
        kg = Quantity(Decimal(line.declared), line.unit).to_kg(line.density_t_per_m3)
        if kg is None:
            return None
        declared_kg += kg
    figures = _mass_figures(declared_kg, Decimal(tallies.weighbridge_net_kg), moisture)
    _, hit = _quantity(
        figures,
        tolerance,
        stage=WEIGHBRIDGE,
        line_no=None,
        reference_stage="declared",
        what=Text("weighbridge_net"),
    )
    return hit


def reconcile(tallies: ManifestTallies, tolerance: Tolerance | None = None) -> list[Discrepancy]:
    """Every discrepancy the available tallies show, in a stable order (lines in order, then
    manifest-level ones).

    Per line: ``loaded`` vs declared (wet mass); ``received`` vs loaded, or vs declared when
    nothing was loaded; ``cumulative`` received vs declared, only when neither step alone was
    significant; a changed waste code or form; a rejected quantity. Per manifest: moisture
    change and the weighbridge net weight vs the total declared mass (skipped when a line has
    no mass, i.e. ``pcs`` or ``m3`` without density). The net weight includes packaging; where
    declared quantities exclude drums, expect an excess on this comparison.

    When both moisture figures are given, the arrival comparisons use dry solids, so sludge
    that only dried in transit shows no quantity discrepancy. ``tolerance`` defaults to the
    one for ``tallies.kind``. Raises ValidationFailed for an unknown kind or unit, or a
    moisture outside 0 ≤ m < 100.
    """
    tolerance = tolerance or tolerance_for(tallies.kind)
    moisture = _moisture_pair(tallies)
    found: list[Discrepancy] = []
    for line in sorted(tallies.lines, key=lambda item: item.line_no):
        found.extend(_line_quantities(line, tolerance, moisture))
        found.extend(d for d in (_type_discrepancy(line), _rejection(line)) if d)
    found.extend(
        d for d in (_moisture(tallies, tolerance), _weighbridge(tallies, tolerance, moisture)) if d
    )
    return found


def weighbridge_discrepancy(
    tallies: ManifestTallies, tolerance: Tolerance | None = None
) -> Discrepancy | None:
    """The weighbridge comparison of :func:`reconcile` alone: what it would report for the
    net weight, or None. Raises as :func:`reconcile` does."""
    tolerance = tolerance or tolerance_for(tallies.kind)
    return _weighbridge(tallies, tolerance, _moisture_pair(tallies))


def _moisture_pair(tallies: ManifestTallies) -> tuple[Decimal, Decimal] | None:
    """Both moisture figures, checked, when both are given (arrivals compare dry solids)."""
    _check_moisture(tallies.moisture_declared_pct, "moisture_declared_pct")
    _check_moisture(tallies.moisture_received_pct, "moisture_received_pct")
    if tallies.moisture_declared_pct is None or tallies.moisture_received_pct is None:
        return None
    return Decimal(tallies.moisture_declared_pct), Decimal(tallies.moisture_received_pct)
