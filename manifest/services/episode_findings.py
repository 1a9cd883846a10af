"""Episodes of a GPS analysis become findings, once per episode.

Positions from a vehicle's terminal are checked while the truck is on the road, and the
trip's track is analysed again at delivery (or uploaded as GPX): the same stop or deviation
would be found twice. A finding raised live stands for its episode; a later analysis that
finds an episode of the same kind overlapping it in time updates that finding's figures
(while it is open, never lowering its severity) instead of raising another.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from gps import Episode

from ..chain import _plain, canonical_json
from ..finding_types import SEVERITIES
from ..infra.db import settings_of, utcnow
from ..models import Finding, Manifest
from ..texts import Text, to_json
from .finding_sets import NewFinding, raise_findings
from .findings import manifest_parties


def live_key_prefix(manifest_id: int) -> str:
    return f"m{manifest_id}:live:"


def episode_message(episode: Episode) -> Text:
    minutes = episode.duration_s / 60
    return Text(
        "finding_episode",
        kind=episode.kind.replace("_", " "),
        start=datetime.fromisoformat(episode.start.to_dict()["time"]),
        minutes=f"{minutes:.1f}",
        distance=f"{episode.distance_m:.0f}",
    )


def _span(measured: dict) -> tuple[datetime, datetime] | None:
    try:
        return (
            datetime.fromisoformat(measured["start"]["time"]),
            datetime.fromisoformat(measured["end"]["time"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _overlapping(live: list[Finding], episode: Episode) -> Finding | None:
    start = datetime.fromisoformat(episode.start.to_dict()["time"])
    end = datetime.fromisoformat(episode.end.to_dict()["time"])
    for finding in live:
        span = _span(json.loads(finding.measured)) if finding.type == episode.kind else None
        if span is not None and span[0] < end and start < span[1]:
            return finding
    return None


def raise_episode_findings(
    session,
    *,
    manifest: Manifest,
    episodes: Iterable[Episode],
    key_prefix: str,
    vehicle_plate: str,
    now: datetime | None = None,
    update_known: bool = True,
) -> int:
    """Raise one finding per episode (keyed ``key_prefix + kind:start ms``) unless a live
    finding of the manifest already stands for it, whose figures are then brought up to
    date with ``update_known`` (the analysis of a whole track; a live check sees only the
    latest part of the trip and leaves them). Returns how many findings were created.
    Nothing is committed."""
    now = now or utcnow()
    live = list(
        session.scalars(
            select(Finding).where(
                Finding.manifest_id == manifest.id,
                Finding.key.startswith(live_key_prefix(manifest.id)),
            )
        )
    )
    fresh = []
    for episode in episodes:
        known = _overlapping(live, episode)
        if known is None:
            fresh.append(
                NewFinding(
                    key=f"{key_prefix}{episode.kind}:{episode.start.time_ms}",
                    type=episode.kind,
                    severity=episode.severity,
                    message=episode_message(episode),
                    measured=episode.to_dict(),
                    manifest_id=manifest.id,
                    vehicle_plate=vehicle_plate,
                    parties=manifest_parties(manifest),
                )
            )
        elif update_known and known.status == "open":
            known.measured = canonical_json(_plain(episode.to_dict())).decode("utf-8")
            known.message = message = episode_message(episode)
            known.message_text = to_json(message)
            if SEVERITIES.index(episode.severity) > SEVERITIES.index(known.severity):
                known.severity = episode.severity
            known.updated_at = now
    return raise_findings(session, fresh, now=now, due_days=settings_of(session).finding_due_days)
