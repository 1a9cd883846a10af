"""Checking all the evidence at once: the service-wide ledger and every manifest's chain
(after a restore, say, when nothing of the database may be taken on trust)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..chain import Verdict
from ..models import Manifest
from .custody import verify_ledger, verify_manifest_chain


@dataclass
class EvidenceReport:
    ledger: Verdict
    manifests: int = 0
    #: (manifest number or draft id, verdict) of every chain that does not verify.
    broken: list[tuple[str, Verdict]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.ledger.valid and not self.broken


def verify_all_evidence(session: Session) -> EvidenceReport:
    """Verify the ledger and then each manifest's chain and replay. Never raises for broken
    evidence: every broken chain is listed in the report."""
    report = EvidenceReport(ledger=verify_ledger(session))
    for manifest in session.scalars(select(Manifest).order_by(Manifest.id)):
        report.manifests += 1
        verdict = verify_manifest_chain(session, manifest)
        if not verdict.valid:
            report.broken.append((manifest.number or f"draft {manifest.id}", verdict))
        session.expunge_all()  # a large database need not stay in memory
    return report
