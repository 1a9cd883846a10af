"""What an upload, an import or a matching run did, in counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...receipts import RowError


@dataclass
class IngestResult:
    """What an upload did. ``unmanifested`` counts every record that no manifest covers
    (none found, cancelled, or already weighed under another ticket)."""

    created: int = 0
    duplicates: int = 0
    matched: int = 0
    unmanifested: int = 0
    findings: int = 0
    errors: list[RowError] = field(default_factory=list)
    sha256: str | None = None
    #: The tickets this upload stored (the others were sent before).
    created_tickets: set[str] = field(default_factory=set)
    #: What became of each valid row, when the caller asked for it (see :mod:`.rows`).
    rows: list | None = None

    def add(self, other: IngestResult) -> None:
        for name in ("created", "duplicates", "matched", "unmanifested", "findings"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.created_tickets |= other.created_tickets

    def to_dict(self) -> dict:
        return {
            "created": self.created,
            "duplicates": self.duplicates,
            "matched": self.matched,
            "unmanifested": self.unmanifested,
            "findings": self.findings,
            "sha256": self.sha256,
            "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in self.errors],
        }
