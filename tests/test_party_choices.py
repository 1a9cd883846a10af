"""Whom a draft may name: the same rules as the issue-time checks, over real rows."""

from __future__ import annotations

from datetime import date, timedelta

from manifest.errors import ChecksFailed
from manifest.models import Manifest
from manifest.services import lifecycle, manifests_query, registry
from manifest.services.party_choices import party_choices
from tests.builders import PLATING_SLUDGE, create_manifest, now, org


def _names(orgs):
    return sorted(o.name for o in orgs)


def _lapsed_carrier(world):
    """A transporter whose dangerous-goods permit ran out last year, with one vehicle."""
    lapsed = org(world.uow, "江门市过期运输有限公司", ["transporter"])
    last_year = date.today().year - 1
    registry.add_licence(
        world.uow,
        actor=None,
        organization_id=lapsed.id,
        kind="dg_transport",
        number="粤交运管危字440700099",
        valid_from=date(last_year - 2, 1, 1),
        valid_to=date(last_year, 12, 31),
        waste_codes=[],
        annual_capacity_t={},
        operations=[],
    )
    registry.add_vehicle(
        world.uow, actor=None, organization_id=lapsed.id, plate="粤J77777", max_load_t="10"
    )
    return lapsed


def test_receivers_are_those_licensed_for_the_codes_and_the_operation(world):
    s, today = world.uow.session, date.today()
    both = party_choices(s, codes=["336-064-17"], operation="D10", day=today)
    assert _names(both.receivers) == _names([world.centre.org, world.kiln.org])
    # HW22 is in the centre's licence only; R5 in the kiln's only.
    assert [
        o.id for o in party_choices(s, codes=["397-004-22"], operation="D10", day=today).receivers
    ] == [world.centre.id]
    assert [
        o.id for o in party_choices(s, codes=["336-064-17"], operation="R5", day=today).receivers
    ] == [world.kiln.id]
    # Every line's code must be covered, not just one of them.
    mixed = party_choices(s, codes=["336-064-17", "397-004-22"], operation="D10", day=today)
    assert [o.id for o in mixed.receivers] == [world.centre.id]
    # No licence is active ten years on.
    assert (
        party_choices(
            s, codes=["336-064-17"], operation="D10", day=today + timedelta(days=3650)
        ).receivers
        == []
    )


def test_sludge_and_unfinished_codes_filter_nothing(world):
    s, today = world.uow.session, date.today()
    sludge = party_choices(s, codes=["462-001-S07"], operation="R5", day=today)
    assert {world.centre.id, world.kiln.id} <= {o.id for o in sludge.receivers}
    typing = party_choices(s, codes=["336-0"], operation=None, day=today)
    assert {world.centre.id, world.kiln.id} <= {o.id for o in typing.receivers}


def test_transporters_need_an_active_permit_for_hazardous_waste(world):
    s, today = world.uow.session, date.today()
    lapsed = _lapsed_carrier(world)
    hazardous = party_choices(s, codes=["336-064-17"], operation="D10", day=today)
    assert lapsed.id not in {o.id for o in hazardous.transporters}
    assert {world.carrier.id, world.carrier2.id} <= {o.id for o in hazardous.transporters}
    assert "粤J77777" not in {v.plate for v in hazardous.vehicles}
    assert {v.plate for v in hazardous.vehicles} >= {"粤J12345", "粤J88888", "粤E54321"}
    sludge = party_choices(s, codes=["462-001-S07"], operation="R5", day=today)
    assert lapsed.id in {o.id for o in sludge.transporters}
    assert "粤J77777" in {v.plate for v in sludge.vehicles}


def test_an_offered_party_passes_the_issue_checks(world):
    """What is offered is what issuing accepts: issue a draft naming the offered parties."""
    s, today = world.uow.session, date.today()
    offered = party_choices(s, codes=["336-064-17"], operation="D10", day=today)
    assert world.centre.id in {o.id for o in offered.receivers}
    draft = create_manifest(world, lines=[dict(PLATING_SLUDGE)])
    issued = lifecycle.issue_manifest(
        world.uow, actor=world.plating.actor(), ref=draft.id, at=now()
    )
    assert issued.number


def test_issue_checks_preview_lists_what_issuing_refuses_and_changes_nothing(world):
    draft = create_manifest(world, vehicle_plate="粤J77777")  # nobody's vehicle
    s = world.uow.session
    preview = lifecycle.issue_checks(s, actor=world.plating.actor(), ref=draft.id)
    s.rollback()
    assert [f.check for f in preview.failures] == ["vehicle_registered"]
    try:
        lifecycle.issue_manifest(world.uow, actor=world.plating.actor(), ref=draft.id, at=now())
    except ChecksFailed as exc:
        assert [d["check"] for d in exc.details] == ["vehicle_registered"]
    else:
        raise AssertionError("issued with an unregistered vehicle")
    assert s.get(Manifest, draft.id).status == "draft"


def test_the_list_filters_by_receiver_code_and_number(world):
    s, actor = world.uow.session, world.plating.actor()
    to_centre = create_manifest(world)
    to_kiln = create_manifest(
        world,
        receiver_id=world.kiln.id,
        operation="R5",
        lines=[dict(PLATING_SLUDGE)],
    )
    issued = lifecycle.issue_manifest(world.uow, actor=actor, ref=to_kiln.id, at=now())

    def ids(**filters):
        rows, total = manifests_query.list_visible(s, actor, **filters)
        assert total == len(rows)
        return {m.id for m in rows}

    assert ids(receiver_id=world.kiln.id) == {to_kiln.id}
    assert ids(waste_code="336-063-17") == {to_centre.id}  # the liquid line is only there
    assert ids(waste_code="hw17") == {to_centre.id, to_kiln.id}
    assert ids(number=issued.number[-6:]) == {to_kiln.id}
    assert ids(number="%") == set()  # a wildcard is a character, not a pattern
    assert manifests_query.receivers_seen(s, actor) == sorted(
        [world.centre.org, world.kiln.org], key=lambda o: o.name
    )
    assert manifests_query.receivers_seen(s, world.outsider.actor()) == []
