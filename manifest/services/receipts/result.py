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

    #: The fields that count records; parts of one import add up.
    COUNTS = ("created", "duplicates", "matched", "unmanifested", "findings")

    def add(self, other: IngestResult) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.created_tickets |= other.created_tickets

    def to_dict(self) -> dict:
        return {
            **{name: getattr(self, name) for name in self.COUNTS},
            "sha256": self.sha256,
            "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in self.errors],
        }
