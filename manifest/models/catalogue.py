"""The loaded official waste list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..infra.db import Base, UTCDateTime, utcnow


class WasteCode(Base):
    """One code of an official list loaded by a regulator (``hwm catalogue import``)."""

    __tablename__ = "waste_codes"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    category: Mapped[str] = mapped_column(String(4), index=True)
    name_zh: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500), default="")
    hazard: Mapped[str] = mapped_column(String(20), default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
