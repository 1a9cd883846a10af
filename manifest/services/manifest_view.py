"""Everything the manifest page shows, read at once in a fixed number of queries.

What the actor may see is decided by the same rules as the API: a party or a regulator sees
the manifest whole (its chain, findings, route and tracks); a transporter named as the next
one sees the manifest itself only, as ``GET /manifests/{ref}`` shows it to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import raiseload

from ..actor import Actor
from ..chain import Verdict
from ..errors import NotFound
from ..models import CustodyEvent, GpsTrack, Licence, ManifestRoute, Organization
from .access import load_visible
from .custody import manifest_events, verify_manifest_chain
from .findings_triage import list_findings
from .manifests_query import ManifestDetail, with_weighbridge
from .positions import last_trip_position
from .tracks import current_route

#: Findings listed per page on the manifest page.
FINDINGS_PER_PAGE = 20


@dataclass(frozen=True)
class ManifestView:
    detail: ManifestDetail
    #: False for a transporter named as the next one, who sees the manifest itself only.
    whole: bool
    #: Every organisation the manifest or its chain names, by id.
    organizations: dict[int, Organization]
    #: The licences of each party, by organisation id (only when ``whole``).
    licences: dict[int, list[Licence]] = field(default_factory=dict)
    events: list[CustodyEvent] = field(default_factory=list)
    verdict: Verdict | None = None
    #: One page of the findings about the manifest, as the findings API gives them.
    findings: list[dict] = field(default_factory=list)
    findings_total: int = 0
    route: ManifestRoute | None = None
    tracks: list[GpsTrack] = field(default_factory=list)
    #: The trip's last known position (as ``GET /manifests/{ref}/position``), or None.
    position: dict | None = None


def manifest_view(
    session,
    *,
    actor: Actor,
    ref,
    findings_page: int = 1,
    findings_per_page: int = FINDINGS_PER_PAGE,
) -> ManifestView:
    """The manifest ``ref`` with what the actor may see of it; the number of queries does not
    grow with its lines, events, legs or findings.

    Raises NotFound for a missing manifest and for one the actor may not see alike.
    """
    try:  # as a party or a regulator: the whole of it
        manifest = load_visible(session, actor, ref)
    except NotFound:  # as the next transporter named, the manifest itself; or NotFound
        manifest = load_visible(session, actor, ref, named_next=True)
        detail = with_weighbridge(session, manifest)
        return ManifestView(detail, False, _organizations(session, manifest, []))
    detail = with_weighbridge(session, manifest)
    events = manifest_events(session, manifest.id)
    organizations = _organizations(session, manifest, events)
    parties = {manifest.generator_id, manifest.transporter_id, manifest.receiver_id}
    parties |= {leg.transporter_id for leg in manifest.legs}
    licences: dict[int, list[Licence]] = {}
    # The page shows each licence itself, not its scopes and capacities.
    for licence in session.scalars(
        select(Licence)
        .where(Licence.organization_id.in_(parties))
        .order_by(Licence.id)
        .options(raiseload(Licence.scopes), raiseload(Licence.capacities))
    ):
        licences.setdefault(licence.organization_id, []).append(licence)
    findings, total = list_findings(
        session, actor, manifest=str(manifest.id), page=findings_page, per_page=findings_per_page
    )
    tracks = list(
        session.scalars(
            select(GpsTrack).where(GpsTrack.manifest_id == manifest.id).order_by(GpsTrack.id)
        )
    )
    return ManifestView(
        detail=detail,
        whole=True,
        organizations=organizations,
        licences=licences,
        events=events,
        verdict=verify_manifest_chain(session, manifest, events),
        findings=findings,
        findings_total=total,
        route=current_route(session, manifest.id),
        tracks=tracks,
        position=last_trip_position(session, manifest),
    )


def _organizations(session, manifest, events) -> dict[int, Organization]:
    """Every organisation the manifest or its chain names: those loaded with the manifest,
    and the others (past carriers, signers) read in one query when there are any."""
    loaded = (manifest.generator, manifest.transporter, manifest.receiver)
    known = {org.id: org for org in (*loaded, manifest.next_transporter) if org is not None}
    ids = {leg.transporter_id for leg in manifest.legs}
    ids |= {ev.organization_id for ev in events if ev.organization_id is not None}
    missing = ids - known.keys()
    if missing:
        known.update(
            (org.id, org)
            for org in session.scalars(select(Organization).where(Organization.id.in_(missing)))
        )
    return known
