"""Findings: everything a regulator reviews, with its parties and comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from ..finding_types import FINDING_TYPES, SEVERITIES
from ..infra.db import Base, UTCDateTime, utcnow
from ..texts import from_json
from ._enums import one_of

FINDING_STATUSES = ("open", "explained", "resolved", "escalated")


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (
        one_of("type", FINDING_TYPES),
        one_of("severity", SEVERITIES),
        one_of("status", FINDING_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Identifies what the finding is about, so that re-running a check never doubles it,
    #: e.g. ``m17:quantity_discrepancy:received:1``.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(30), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("manifests.id"), index=True)
    #: For regulators only: the manifest a weighbridge record named that does not name the
    #: record's receiver (a possible diversion). Never shown to a party, never a party's
    #: manifest's finding: its parties are not accused by someone else's upload.
    named_manifest_id: Mapped[int | None] = mapped_column(ForeignKey("manifests.id"), index=True)
    vehicle_plate: Mapped[str | None] = mapped_column(String(16))
    #: In English. Loaded as a :class:`manifest.texts.Text` when ``message_text`` keeps its
    #: key and parameters, so a page can say it in its own language.
    message: Mapped[str] = mapped_column(Text)
    #: The message's key and typed parameters as JSON (:func:`manifest.texts.to_json`);
    #: null for findings raised before the table kept them.
    message_text: Mapped[str | None] = mapped_column(Text)
    #: Canonical JSON of the figures that triggered the finding.
    measured: Mapped[str] = mapped_column(Text, default="{}")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    parties: Mapped[list[FindingParty]] = relationship(lazy="selectin")
    comments: Mapped[list[FindingComment]] = relationship(
        lazy="selectin", order_by="FindingComment.id"
    )


@event.listens_for(Finding, "load")
@event.listens_for(Finding, "refresh")
def _message_as_text(finding: Finding, *_args) -> None:
    """The stored English message as the sentence it was made from, when that sentence
    still says exactly the stored English; otherwise the stored English as it is."""
    state = finding.__dict__
    stored = state.get("message")
    if state.get("message_text") and isinstance(stored, str):
        try:
            text = from_json(state["message_text"])
        except (KeyError, ValueError, TypeError):
            return  # a sentence no longer in the table: the English stays
        # The stored English is the evidence: a reworded template must not change what the
        # API sends, so a sentence that now reads differently is not used (pages show the
        # English as stored).
        if str(text) == stored:
            set_committed_value(finding, "message", text)


class FindingParty(Base):
    """An organisation the finding is about, and in which role."""

    __tablename__ = "finding_parties"
    __table_args__ = (one_of("role", ("generator", "transporter", "receiver")),)

    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(12))


class FindingComment(Base):
    __tablename__ = "finding_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped[str] = mapped_column(String(254))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    regulator_id: Mapped[int | None] = mapped_column(ForeignKey("regulators.id"))
    body: Mapped[str] = mapped_column(Text)
    #: The status the finding moved to with this comment, if any.
    status_change: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
