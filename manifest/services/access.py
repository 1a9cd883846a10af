"""Who may see which manifest. Another organisation's manifest does not exist for you."""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import aliased

from ..actor import Actor
from ..db import is_row_id
from ..errors import NotFound
from ..models import Manifest, ManifestLeg, Organization
from ..numbering import looks_like_number
from ..regions import region_prefix


def visible_manifests(actor: Actor) -> Select:
    """A SELECT of the manifests ``actor`` may see."""
    stmt = select(Manifest)
    if actor.is_regulator:
        parties = []
        for col in (Manifest.generator_id, Manifest.transporter_id, Manifest.receiver_id):
            org = aliased(Organization)
            parties.append(
                exists().where(
                    org.id == col,
                    or_(
                        *[org.region_code.startswith(region_prefix(c)) for c in actor.region_codes]
                    ),
                )
            )
        return stmt.where(or_(*parties))
    org_id = actor.organization_id
    past_leg = exists().where(
        ManifestLeg.manifest_id == Manifest.id, ManifestLeg.transporter_id == org_id
    )
    return stmt.where(
        or_(
            Manifest.generator_id == org_id,
            Manifest.transporter_id == org_id,
            Manifest.receiver_id == org_id,
            past_leg,
        )
    )


def manifest_ref_clause(ref):
    """``ref`` is an internal id or a 14-digit number."""
    text = str(ref)
    if looks_like_number(text):
        return Manifest.number == text
    if text.isdigit() and is_row_id(int(text)):
        return Manifest.id == int(text)
    raise NotFound(f"manifest {ref} not found")


def load_visible(session, actor: Actor, ref, *, lock: bool = False) -> Manifest:
    """The manifest ``ref`` if ``actor`` may see it, locked for update when asked.

    Raises NotFound, for a missing manifest and for one the actor may not see alike.
    """
    stmt = visible_manifests(actor).where(manifest_ref_clause(ref))
    if lock:
        stmt = stmt.with_for_update(of=Manifest)
    manifest = session.scalar(stmt)
    if manifest is None:
        raise NotFound(f"manifest {ref} not found")
    return manifest


def load_any(session, ref, *, lock: bool = False) -> Manifest:
    """The manifest ``ref`` whoever asks; for the hand-off, whose signer is not a party yet."""
    stmt = select(Manifest).where(manifest_ref_clause(ref))
    if lock:
        # Only the manifest row: PostgreSQL refuses FOR UPDATE on the eager outer joins.
        stmt = stmt.with_for_update(of=Manifest)
    manifest = session.scalar(stmt)
    if manifest is None:
        raise NotFound(f"manifest {ref} not found")
    return manifest
