"""What every finding shares: its due date and the parties of a manifest.

Findings are written by :func:`.finding_sets.raise_findings`, identified by their key, so a
retried or repeated check never doubles one."""

from __future__ import annotations

from ..models import Manifest

#: Days a party has to explain a finding before it is escalated (DOMAIN default).
DEFAULT_DUE_DAYS = 15


def manifest_parties(manifest: Manifest) -> dict[int, str]:
    """Organisation id -> role, for every party of the manifest (transporters of all legs)."""
    parties = {manifest.generator_id: "generator", manifest.receiver_id: "receiver"}
    for leg in manifest.legs:
        parties.setdefault(leg.transporter_id, "transporter")
    parties.setdefault(manifest.transporter_id, "transporter")
    return parties
