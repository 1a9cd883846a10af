"""Who sees which manifest is one rule with two phrasings (a manifest at a time, many at a
time); both must give every organisation exactly the same manifests."""

from __future__ import annotations

from sqlalchemy import select

from manifest.models import Manifest
from manifest.services.access import visible_manifests
from tests.builders import advance, create_manifest, name_next
from tests.test_handover import take_over


def _ids(session, actor, *, named_next: bool, many: bool) -> set[int]:
    stmt = visible_manifests(actor, named_next=named_next, many=many)
    return set(session.scalars(stmt.with_only_columns(Manifest.id)))


def test_both_phrasings_show_each_organisation_the_same_manifests(world, sessions):
    draft = create_manifest(world)
    issued = advance(world, create_manifest(world), "issued")
    named = name_next(world, advance(world, create_manifest(world), "in_transit"), world.carrier2)
    handed = take_over(
        world,
        name_next(world, advance(world, create_manifest(world), "in_transit"), world.carrier2),
        world.carrier2,
    )
    done = advance(world, create_manifest(world), "completed")
    everyone = {draft.id, issued.id, named.id, handed.id, done.id}

    with sessions() as s:
        assert set(s.scalars(select(Manifest.id))) == everyone
        seen = {}
        for party in ("plating", "wwtp", "carrier", "carrier2", "centre", "kiln", "outsider"):
            actor = getattr(world, party).actor()
            for named_next in (False, True):
                plain = _ids(s, actor, named_next=named_next, many=False)
                assert plain == _ids(s, actor, named_next=named_next, many=True), party
                seen[party, named_next] = plain
        regulator = world.regulator.actor()
        assert _ids(s, regulator, named_next=False, many=True) == everyone

    assert seen["plating", False] == everyone
    assert seen["centre", False] == everyone
    assert seen["carrier", False] == everyone  # its past leg keeps the handed-over one
    assert seen["carrier2", False] == {handed.id}
    assert seen["carrier2", True] == {handed.id, named.id}
    assert seen["outsider", True] == seen["wwtp", True] == seen["kiln", True] == set()


def test_the_list_pages_count_each_visible_manifest_once_under_every_filter(world, sessions):
    """The list filters each way of seeing a manifest on its own; a manifest seen in two ways
    (a carrier now and on a past leg) still counts once, and every page and total agrees with
    the plain rule filtered afterwards."""
    from manifest.services.manifests_query import list_visible, receivers_seen

    create_manifest(world)
    advance(world, create_manifest(world), "completed")
    advance(world, create_manifest(world), "in_transit")
    name_next(world, advance(world, create_manifest(world), "in_transit"), world.carrier2)
    take_over(
        world,
        name_next(world, advance(world, create_manifest(world), "in_transit"), world.carrier2),
        world.carrier2,
    )
    filters = [{}, {"status": "in_transit"}, {"status": "completed"}, {"waste_code": "HW17"}]
    with sessions() as s:
        for party in ("plating", "carrier", "carrier2", "centre", "outsider", "regulator"):
            actor = getattr(world, party).actor()
            seen = visible_manifests(actor, named_next=True)
            for chosen in filters:
                expected = sorted(
                    (
                        m.id
                        for m in s.scalars(seen).unique()
                        if chosen.get("status") in (None, m.status)
                        and (
                            "waste_code" not in chosen
                            or m.category == "HW17"
                            or any(ln.waste_code == "HW17" for ln in m.lines)
                        )
                    ),
                    reverse=True,
                )
                pages = [list_visible(s, actor, **chosen, page=n, per_page=2) for n in (1, 2, 3)]
                assert [m.id for rows, _ in pages for m in rows] == expected[:6], (party, chosen)
                assert {total for _, total in pages} == {len(expected)}, (party, chosen)
            receivers = {m.receiver_id for m in s.scalars(seen).unique()}
            assert {o.id for o in receivers_seen(s, actor)} == receivers, party
