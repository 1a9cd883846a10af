"""How a discrepancy finding's stored figures read as declared, observed and difference.

Each reader takes the ``measured`` figures stored with a finding (its canonical JSON, parsed)
and returns the report columns it fills; a column it leaves out stays empty. The readers are
named in the registry of finding types (:mod:`manifest.finding_types`), one per type of the
discrepancy family:

=====================  ==========================  ===========================  ==========
type                   declared                    observed                     unit
=====================  ==========================  ===========================  ==========
quantity_discrepancy   the reference tally         the later tally              kg/m3/pcs
type_discrepancy       declared code and form      received code and form       —
moisture_change        moisture at dispatch        moisture on arrival          % (points)
rejection              received quantity           accepted quantity            line unit
unmanifested_receipt   —                           weighbridge net weight       kg
licence_capacity       licensed annual tonnes      tonnes counted this year     t
=====================  ==========================  ===========================  ==========
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .quantities import format_decimal

Measured = Mapping[str, Any]


def decimal_or_none(value) -> Decimal | None:
    """``value`` as a Decimal; None when it is missing, empty or not a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _pct_of(difference: Decimal | None, reference: Decimal | None) -> str | None:
    if difference is None or not reference:
        return None
    return str((difference / reference * 100).quantize(Decimal("0.01")))


def _text(value) -> str | None:
    return None if value is None else str(value)


def _joined(measured: Measured, *keys: str) -> str:
    return " ".join(filter(None, (measured.get(key) for key in keys)))


def quantity(measured: Measured) -> dict:
    """Two tallies of a line in its unit (``pcs`` figures are stored as ``count``)."""
    unit = measured.get("unit")
    suffix = "count" if unit == "pcs" else unit
    return {
        "unit": unit,
        "declared": _text(measured.get(f"reference_{suffix}")),
        "observed": _text(measured.get(f"observed_{suffix}")),
        "difference": _text(measured.get(f"difference_{suffix}")),
        "difference_pct": _text(measured.get("difference_pct")),
        "basis": measured.get("basis"),
    }


def waste_type(measured: Measured) -> dict:
    """The declared and the received waste code and physical form, as words."""
    return {
        "declared": _joined(measured, "declared_waste_code", "declared_physical_form"),
        "observed": _joined(measured, "received_waste_code", "received_physical_form"),
    }


def moisture(measured: Measured) -> dict:
    """Moisture at dispatch and on arrival, in percent; the change in points."""
    return {
        "unit": "%",
        "declared": _text(measured.get("moisture_declared_pct")),
        "observed": _text(measured.get("moisture_received_pct")),
        "difference": _text(measured.get("change_points")),
    }


def rejection(measured: Measured) -> dict:
    """The received quantity against the accepted one; the rejected part as a negative."""
    received = decimal_or_none(measured.get("received"))
    rejected = decimal_or_none(measured.get("rejected"))
    accepted = None if received is None or rejected is None else received - rejected
    shortfall = None if rejected is None else -rejected
    return {
        "unit": measured.get("unit"),
        "declared": _text(measured.get("received")),
        "observed": _text(accepted),
        "difference": _text(shortfall),
        "difference_pct": _pct_of(shortfall, received),
    }


def unmanifested_receipt(measured: Measured) -> dict:
    """The weighbridge net weight, with nothing declared against it, and its ticket."""
    return {
        "unit": "kg",
        "observed": format_decimal(decimal_or_none(measured.get("net_kg"))),
        "ticket": measured.get("ticket"),
    }


def licence_capacity(measured: Measured) -> dict:
    """The licensed annual tonnes against the tonnes counted this year, for one scope."""
    licensed = decimal_or_none(measured.get("licensed_t"))
    total = decimal_or_none(measured.get("total_t"))
    difference = None if licensed is None or total is None else total - licensed
    return {
        "unit": "t",
        "declared": format_decimal(licensed),
        "observed": format_decimal(total),
        "difference": format_decimal(difference),
        "difference_pct": _pct_of(difference, licensed),
        "scope": measured.get("scope"),
    }
