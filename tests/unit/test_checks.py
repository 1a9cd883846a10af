from datetime import date
from decimal import Decimal

from manifest.capacity import CapacityUse
from manifest.checks import (
    CarrierFacts,
    IssueFacts,
    LicenceFacts,
    LineFacts,
    VehicleFacts,
    carrier_failures,
    run_issue_checks,
)

DAY = date(2026, 11, 30)


def licence(**kw):
    base = dict(
        kind="hw_operation",
        number="L1",
        valid_from=date(2025, 1, 1),
        valid_to=date(2029, 12, 31),
        status="active",
        waste_codes=("HW17",),
        operations=("D10",),
    )
    base.update(kw)
    return LicenceFacts(**base)


def permit(**kw):
    base = dict(
        kind="dg_transport",
        number="P1",
        valid_from=date(2025, 1, 1),
        valid_to=date(2029, 12, 31),
        status="active",
    )
    base.update(kw)
    return LicenceFacts(**base)


def carrier(**kw):
    base = dict(
        day=DAY,
        transporter_id=7,
        vehicle_plate="粤J12345",
        lines=[LineFacts(1, "336-064-17", "t", Decimal("6"))],
        transporter_permits=[permit()],
        vehicle=VehicleFacts("粤J12345", 7, Decimal("10"), True),
    )
    base.update(kw)
    return CarrierFacts(**base)


#: What ``facts`` passes on to the carrier's facts rather than to the issue's.
CARRIER_FIELDS = {
    "day",
    "transporter_id",
    "vehicle_plate",
    "lines",
    "transporter_permits",
    "vehicle",
}


def facts(**kw):
    """The issue's facts of a good manifest, with ``kw`` changed (the carrier's fields go to
    its carrier)."""
    on_carrier = {k: kw.pop(k) for k in list(kw) if k in CARRIER_FIELDS}
    base = dict(
        kind="hazardous",
        operation="D10",
        carrier=carrier(**on_carrier),
        receiver_licences=[licence()],
    )
    base.update(kw)
    return IssueFacts(**base)


def names(result):
    return [f.check for f in result.failures]


def test_all_good_passes():
    assert run_issue_checks(facts()).ok


def test_every_failure_is_listed_not_just_the_first():
    result = run_issue_checks(
        facts(
            lines=[
                LineFacts(1, "336-064-17", "t", Decimal("6")),
                LineFacts(2, "900-249-08", "t", Decimal("5")),
            ],
            operation="R4",
            transporter_permits=[permit(valid_to=date(2026, 1, 1))],
            vehicle=VehicleFacts("粤J12345", 8, Decimal("10"), False),
        )
    )
    assert names(result) == [
        "receiver_licence_scope",
        "receiver_operation",
        "transporter_permit_active",
        "vehicle_owner",
        "vehicle_active",
        "vehicle_load",
    ]
    scope = result.failures[0]
    assert scope.line == 2 and "900-249-08" in scope.message


def test_suspended_or_expired_licence():
    assert names(run_issue_checks(facts(receiver_licences=[licence(status="suspended")]))) == [
        "receiver_licence_active"
    ]
    assert names(
        run_issue_checks(facts(receiver_licences=[licence(valid_to=date(2026, 11, 29))]))
    ) == ["receiver_licence_active"]


def test_full_code_scope_covers_only_that_code():
    lic = licence(waste_codes=("336-064-17",))
    assert run_issue_checks(facts(receiver_licences=[lic])).ok
    other = facts(receiver_licences=[lic], lines=[LineFacts(1, "336-063-17", "t", Decimal("1"))])
    assert names(run_issue_checks(other)) == ["receiver_licence_scope"]


def test_mass_units_add_up_for_the_vehicle_load():
    lines = [
        LineFacts(1, "336-064-17", "t", Decimal("6")),
        LineFacts(2, "336-064-17", "kg", Decimal("4001")),
    ]
    assert names(run_issue_checks(facts(lines=lines))) == ["vehicle_load"]
    lines[1] = LineFacts(2, "336-064-17", "kg", Decimal("4000"))
    assert run_issue_checks(facts(lines=lines)).ok


def test_volume_without_density_cannot_be_weighed():
    lines = [LineFacts(1, "336-064-17", "m3", Decimal("2"))]
    assert names(run_issue_checks(facts(lines=lines))) == ["line_mass_known"]
    lines = [LineFacts(1, "336-064-17", "m3", Decimal("2"), Decimal("1.2"))]
    assert run_issue_checks(facts(lines=lines)).ok


def hw17(accepted: str) -> list[CapacityUse]:
    return [CapacityUse("HW17", Decimal("100"), Decimal(accepted), Decimal("6"))]


def test_capacity_is_refused_only_above_120_percent():
    assert run_issue_checks(facts(capacity=hw17("104"))).ok  # 110 %: a finding, not a refusal
    assert run_issue_checks(facts(capacity=hw17("114"))).ok  # 120 % exactly
    above = run_issue_checks(facts(capacity=hw17("114.001")))
    assert [f.to_dict() for f in above.failures] == [
        {
            "check": "receiver_capacity",
            "message": "accepted tonnage for HW17 this year would reach 120.0% of the licensed "
            "100 t; above 120% needs a new licence",
            "expected": "<= 120 t",
            "actual": "120.001 t",
        }
    ]


def test_capacity_is_not_judged_without_a_licence_in_force():
    expired = licence(valid_to=date(2026, 1, 1))
    result = run_issue_checks(facts(capacity=hw17("500"), receiver_licences=[expired]))
    assert names(result) == ["receiver_licence_active"]


def test_non_hazardous_sludge_needs_no_hazardous_licence_or_permit():
    result = run_issue_checks(
        facts(
            kind="sludge",
            moisture_pct=Decimal("80"),
            operation="R5",
            receiver_licences=[],
            transporter_permits=[],
            lines=[LineFacts(1, "462-001-S07", "t", Decimal("8"))],
        )
    )
    assert result.ok


def test_sludge_for_land_application_needs_the_heavy_metal_document():
    sludge = dict(
        kind="sludge",
        moisture_pct=Decimal("60"),
        operation="R10",
        lines=[LineFacts(1, "462-001-S07", "t", Decimal("8"))],
    )
    assert names(run_issue_checks(facts(**sludge))) == ["land_application_document"]
    assert run_issue_checks(facts(**sludge, heavy_metal_report="JM-HM-2026-118")).ok


def test_sludge_needs_its_moisture():
    result = run_issue_checks(
        facts(kind="sludge", lines=[LineFacts(1, "462-001-S07", "t", Decimal("8"))], operation="R5")
    )
    assert names(result) == ["sludge_moisture"]


def test_a_carrier_taking_over_is_checked_on_its_own_day_and_load():
    """The hand-over runs the issue's carrier checks: the permit on the day it signs, and its
    vehicle for the quantities it takes (sludge needs no dangerous-goods permit)."""
    expired = permit(valid_to=date(2026, 11, 29))
    taker = CarrierFacts(
        day=DAY,
        transporter_id=8,
        vehicle_plate="粤E54321",
        lines=[LineFacts(1, "336-064-17", "t", Decimal("12"))],
        transporter_permits=[expired],
        vehicle=VehicleFacts("粤E54321", 7, Decimal("10"), False),
    )
    assert [f.check for f in carrier_failures(taker)] == [
        "transporter_permit_active",
        "vehicle_owner",
        "vehicle_active",
        "vehicle_load",
    ]
    sludge = CarrierFacts(
        day=date(2026, 11, 28),
        transporter_id=7,
        vehicle_plate="粤E54321",
        lines=[LineFacts(1, "462-001-S07", "t", Decimal("9"))],
        vehicle=VehicleFacts("粤E54321", 7, Decimal("10"), True),
    )
    assert carrier_failures(sludge) == []
    assert names(run_issue_checks(facts(day=DAY, transporter_permits=[expired]))) == [
        "transporter_permit_active"
    ]
