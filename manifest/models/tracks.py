"""Uploaded files (kept compressed, addressed by SHA-256), planned routes and GPS tracks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gps.crs import NAMES as CRS_NAMES

from ..infra.db import Base, UTCDateTime, utcnow
from ._enums import one_of


class StoredFile(Base):
    """The bytes of an uploaded file, exactly as received, zlib-compressed."""

    __tablename__ = "stored_files"
    __table_args__ = (CheckConstraint("length(sha256) = 64", name="sha256_len"),)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ManifestRoute(Base):
    """A planned route; a new upload supersedes the previous one, which is kept."""

    __tablename__ = "manifest_routes"
    __table_args__ = (
        CheckConstraint("corridor_m > 0", name="corridor_positive"),
        one_of("crs", CRS_NAMES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    corridor_m: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    #: The coordinate system the file was declared in.
    crs: Mapped[str] = mapped_column(String(5), server_default="wgs84")
    #: The route as a GeoJSON LineString in WGS-84, whatever format and system it came in.
    geometry: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


TRACK_SOURCES = ("upload", "terminal")


class GpsTrack(Base):
    """One GPS log of a trip and the analysis made of it when it was recorded: a GPX file
    uploaded by the transporter, or the positions its vehicle's terminal reported from
    pickup to the delivery signature (written as GPX, attributed to the administrator who
    bound the terminal)."""

    __tablename__ = "gps_tracks"
    __table_args__ = (
        UniqueConstraint("manifest_id", "file_sha256"),
        one_of("crs", CRS_NAMES),
        one_of("source", TRACK_SOURCES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    #: The coordinate system the file was declared in; the analysis is in WGS-84.
    crs: Mapped[str] = mapped_column(String(5), server_default="wgs84")
    route_id: Mapped[int | None] = mapped_column(ForeignKey("manifest_routes.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(8), server_default="upload")
    vehicle_plate: Mapped[str] = mapped_column(String(16))
    fixes: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: JSON of the analysis (summary, episodes, problems, thresholds).
    analysis: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
