"""Who may see which manifest. Another organisation's manifest does not exist for you.

The parties (generator, current and past carriers, receiver) and the regulators of their
regions see a manifest whole. The next transporter named on it is no party yet: it may read
the manifest itself, to plan the hand-over, and sign the hand-over; its custody chain, print,
route and the carriers' GPS tracks stay closed to it until it has taken the load over.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, or_, select, union_all
from sqlalchemy.orm import aliased

from ..actor import Actor
from ..digits import is_ascii_digits, parse_ascii_int
from ..errors import NotFound
from ..infra.db import is_row_id
from ..models import Manifest, ManifestLeg, Organization
from ..numbering import looks_like_number
from ..regions import region_prefix


def in_regions(region_code_column, region_codes) -> ColumnElement[bool]:
    """SQL: the division code in ``region_code_column`` lies inside one of ``region_codes``
    (a regulator's jurisdiction; see :func:`manifest.regions.region_prefix`)."""
    return or_(*[region_code_column.startswith(region_prefix(c)) for c in region_codes])


# Built once: a new alias per query costs more than the query (each alias adapts every
# column it is asked for anew), and the same aliases let the compiled statements be reused.
_SEEN = aliased(Manifest, name="seen")
_ON_LEG = aliased(Manifest, name="on_leg")
_PARTY_ORGS = tuple(aliased(Organization, name=f"party_org_{i}") for i in range(3))


def visible_manifests(actor: Actor, *, named_next: bool = False, many: bool = False) -> Select:
    """A SELECT of the manifests ``actor`` may see; with ``named_next``, also those naming
    the actor's organisation as the next transporter.

    ``many`` phrases the same rule for reading many rows: an organisation's manifests are
    gathered branch by branch (as generator, carrier, past carrier, receiver), each through
    its own index, instead of testing every manifest against all of them; a single
    manifest is found fastest by its key and the plain form."""
    stmt = select(Manifest)
    if actor.is_regulator:
        parties = []
        for col, org in zip(
            (Manifest.generator_id, Manifest.transporter_id, Manifest.receiver_id),
            _PARTY_ORGS,
            strict=True,
        ):
            parties.append(
                exists().where(org.id == col, in_regions(org.region_code, actor.region_codes))
            )
        return stmt.where(or_(*parties))
    org_id = actor.organization_id
    if many:
        return stmt.where(Manifest.id.in_(union_all(*visible_branches(actor, named_next))))
    past_leg = exists().where(
        ManifestLeg.manifest_id == Manifest.id, ManifestLeg.transporter_id == org_id
    )
    return stmt.where(or_(*_named_as_party(Manifest, org_id, named_next), past_leg))


def visible_branches(
    actor: Actor, named_next: bool = False, *, pick=None, where=None
) -> list[Select]:
    """The SELECTs, one per way ``actor`` may see a manifest, of the visible manifests ``m``
    meeting every clause of ``where(m)``: their ids, or the column ``pick(m)`` (``named_next``
    as in :func:`visible_manifests`). Each branch goes through its own index with the filter
    inside it, so a filter narrows every branch before they are merged; a manifest seen in
    two ways is in two branches (merge them with UNION to have it once)."""

    def chosen(m):
        return m.id if pick is None else pick(m)

    def clauses(m):
        return [] if where is None else where(m)

    if actor.is_regulator:
        seen = visible_manifests(actor).with_only_columns(chosen(Manifest))
        return [seen.where(*clauses(Manifest))]
    org_id = actor.organization_id
    m = _SEEN
    branches = [
        select(chosen(m)).where(c, *clauses(m)) for c in _named_as_party(m, org_id, named_next)
    ]
    past_leg = ManifestLeg.transporter_id == org_id
    if pick is None and where is None:  # the leg names the manifest: no need to read it
        return [*branches, select(ManifestLeg.manifest_id).where(past_leg)]
    leg_of = _ON_LEG
    on_leg = select(chosen(leg_of)).join_from(
        ManifestLeg, leg_of, leg_of.id == ManifestLeg.manifest_id
    )
    return [*branches, on_leg.where(past_leg, *clauses(leg_of))]


def _named_as_party(m, org_id: int, named_next: bool) -> list[ColumnElement[bool]]:
    """The manifest ``m`` names the organisation as generator, carrier or receiver (or, with
    ``named_next``, as the next carrier)."""
    named = [m.generator_id == org_id, m.transporter_id == org_id, m.receiver_id == org_id]
    if named_next:
        named.append(m.next_transporter_id == org_id)
    return named


def manifest_ref_clause(ref):
    """``ref`` is an internal id or a 14-digit number."""
    text = str(ref)
    if looks_like_number(text):
        return Manifest.number == text
    row_id = parse_ascii_int(text) if is_ascii_digits(text) else None
    if is_row_id(row_id):
        return Manifest.id == row_id
    raise NotFound(f"manifest {ref} not found")


def load_visible(
    session, actor: Actor, ref, *, lock: bool = False, named_next: bool = False
) -> Manifest:
    """The manifest ``ref`` if ``actor`` may see it (``named_next``: as in
    :func:`visible_manifests`), locked for update when asked.

    Raises NotFound, for a missing manifest and for one the actor may not see alike.
    """
    stmt = visible_manifests(actor, named_next=named_next).where(manifest_ref_clause(ref))
    return the_visible(session, stmt, lock_of=Manifest if lock else None, name=f"manifest {ref}")


def the_visible(session, stmt: Select, *, lock_of=None, name: str):
    """The one row ``stmt`` (a query of what the actor may see) selects, locked for update of
    the table ``lock_of`` when given. Raises NotFound naming ``name`` when there is none, as
    for a row the actor may not see."""
    if lock_of is not None:
        stmt = stmt.with_for_update(of=lock_of)
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"{name} not found")
    return row
