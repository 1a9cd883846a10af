"""What every finding shares: its due date and the parties of a manifest.

Findings are written by :func:`.finding_sets.raise_findings`, identified by their key, so a
retried or repeated check never doubles one."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Manifest

#: Days a party has to explain a finding before it is escalated (``HWM_FINDING_DUE_DAYS``).
DEFAULT_DUE_DAYS = 15


def manifest_parties(manifest: Manifest) -> dict[int, str]:
    """Organisation id -> role, for every party of the manifest (transporters of all legs)."""
    return parties_of(
        generator_id=manifest.generator_id,
        receiver_id=manifest.receiver_id,
        transporter_id=manifest.transporter_id,
        leg_transporters=[leg.transporter_id for leg in manifest.legs],
    )


def parties_of(
    *, generator_id: int, receiver_id: int, transporter_id: int, leg_transporters: Iterable[int]
) -> dict[int, str]:
    """As :func:`manifest_parties`, from the ids alone; an organisation in two roles keeps the
    first of generator, receiver, transporter."""
    parties = {generator_id: "generator", receiver_id: "receiver"}
    for transporter in leg_transporters:
        parties.setdefault(transporter, "transporter")
    parties.setdefault(transporter_id, "transporter")
    return parties
