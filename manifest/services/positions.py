"""Positions reported by terminals: judged, stored in batches, read back as tracks.

A fix is *usable* for a trip's track when the terminal says it is positioned (status bit 1),
its time is a date no more than :data:`FUTURE_TOLERANCE` ahead of its receipt and not older
than :data:`MAX_AGE`, and its position is a WGS-84 position other than 0,0. The other fixes
are stored too, as evidence, and never used. A fix whose time is no date or is out of that
window is stored at its receipt time (the digits sent are kept in ``time_bcd``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import literal, select, text, union_all

from gps.jt808.bodies import Location
from gps.track import Track, build_track

from ..infra.db import insert, is_postgres
from ..models import Terminal, Vehicle, VehiclePosition
from .access import load_visible

FUTURE_TOLERANCE = timedelta(minutes=10)
MAX_AGE = timedelta(days=180)
_TABLE = VehiclePosition.__table__


def plausible_time(location: Location, received_at: datetime) -> bool:
    """Whether the fix's time is a date within the window its receipt allows."""
    at = location.time
    return at is not None and received_at - MAX_AGE <= at <= received_at + FUTURE_TOLERANCE


def usable(location: Location, received_at: datetime) -> bool:
    """Whether the fix may be part of a track (see the module's rules)."""
    return (
        location.positioned
        and plausible_time(location, received_at)
        and abs(location.lat_e6) <= 90_000_000
        and abs(location.lon_e6) <= 180_000_000
        and (location.lat_e6, location.lon_e6) != (0, 0)
    )


def position_row(
    *, terminal_id: int, vehicle_id: int, location: Location, received_at: datetime, source: str
) -> dict:
    """The row a reported fix is stored as."""
    fixed_at = location.time if plausible_time(location, received_at) else received_at
    return {
        "terminal_id": terminal_id,
        "vehicle_id": vehicle_id,
        "fixed_at": fixed_at.astimezone(UTC),
        "received_at": received_at.astimezone(UTC),
        "lat_e6": location.lat_e6,
        "lon_e6": location.lon_e6,
        "altitude_m": location.altitude_m,
        "speed_dkmh": location.speed_dkmh,
        "heading": location.heading,
        "alarm": location.alarm,
        "status": location.status,
        "mileage_hm": location.mileage_hm,
        "time_bcd": location.time_bcd[:12],
        "positioned": location.positioned,
        "usable": usable(location, received_at),
        "source": source,
    }


def _month(value: datetime) -> datetime:
    return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(value: datetime) -> datetime:
    return (value.replace(day=28) + timedelta(days=4)).replace(day=1)


def ensure_partitions(session, months: Iterable[datetime], known: set[datetime]) -> None:
    """On PostgreSQL, the monthly partitions holding ``months`` (first days, UTC) exist
    afterwards; ``known`` remembers those made or seen, to skip them next time."""
    if not is_postgres(session):
        return
    for month in sorted(set(months) - known):
        name = f"vehicle_positions_y{month.year:04d}m{month.month:02d}"
        session.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF vehicle_positions "
                f"FOR VALUES FROM ('{month:%Y-%m-%d}') TO ('{_next_month(month):%Y-%m-%d}')"
            )
        )
        known.add(month)


#: The columns of a position row, with the PostgreSQL type of each as an array.
_ROW_TYPES = {
    "terminal_id": "integer",
    "vehicle_id": "integer",
    "fixed_at": "timestamp",
    "received_at": "timestamp",
    "lat_e6": "integer",
    "lon_e6": "integer",
    "altitude_m": "integer",
    "speed_dkmh": "integer",
    "heading": "integer",
    "alarm": "bigint",
    "status": "bigint",
    "mileage_hm": "bigint",
    "time_bcd": "varchar",
    "positioned": "boolean",
    "usable": "boolean",
    "source": "varchar",
}
_NAMES = ", ".join(_ROW_TYPES)
#: PostgreSQL: the rows of terminals bound now, inserted from one array per column, and the
#: ids of those terminals, in one statement whose text does not depend on the number of rows
#: (so it is parsed and planned once per connection, not once per batch).
_STORE_BOUND = text(
    "WITH bound AS (SELECT id FROM terminals WHERE id = ANY(CAST(:terminals AS integer[]))"
    " AND unbound_at IS NULL), stored AS ("
    f" INSERT INTO vehicle_positions ({_NAMES}) SELECT {_NAMES} FROM unnest("
    + ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _ROW_TYPES.items())
    + f") AS row({_NAMES}) WHERE terminal_id IN (SELECT id FROM bound)"
    " ON CONFLICT (terminal_id, fixed_at) DO NOTHING RETURNING 1)"
    " SELECT (SELECT count(*) FROM stored), ARRAY(SELECT id FROM bound)"
)


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def store_bound_positions(
    session, rows: Sequence[dict], partitions: set[datetime]
) -> tuple[int, set[int]]:
    """Insert the position rows of terminals still bound (a binding may end while its
    terminal is connected), a terminal's repeat of a fix time skipped. Returns how many rows
    were new and the ids of the terminals refused as unbound. Nothing is committed."""
    ids = {r["terminal_id"] for r in rows}
    if not rows:
        return 0, set()
    if not is_postgres(session):
        bound = set(
            session.scalars(
                select(Terminal.id).where(Terminal.id.in_(ids), Terminal.unbound_at.is_(None))
            )
        )
        kept = [r for r in rows if r["terminal_id"] in bound]
        return store_positions(session, kept, partitions), ids - bound
    ensure_partitions(session, {_month(r["fixed_at"]) for r in rows}, partitions)
    columns = {name: [r[name] for r in rows] for name in _ROW_TYPES}
    for name in ("fixed_at", "received_at"):
        columns[name] = [_naive_utc(value) for value in columns[name]]
    stored, bound = session.execute(_STORE_BOUND, {"terminals": sorted(ids), **columns}).one()
    return stored, ids - set(bound)


def store_positions(session, rows: Sequence[dict], partitions: set[datetime]) -> int:
    """Insert position rows in one statement; a terminal's repeat of a fix time is skipped.
    Returns how many rows were new. Nothing is committed."""
    if not rows:
        return 0
    ensure_partitions(session, {_month(r["fixed_at"]) for r in rows}, partitions)
    result = session.execute(
        insert(session, _TABLE)
        .on_conflict_do_nothing(index_elements=["terminal_id", "fixed_at"])
        .returning(_TABLE.c.terminal_id),
        list(rows),
    )
    return len(result.all())


def usable_fixes(session, *, vehicle_id: int, start: datetime, end: datetime | None):
    """(lat_e6, lon_e6, fixed_at) of the vehicle's usable fixes from ``start`` to ``end``
    (open-ended when None), in time order."""
    query = select(VehiclePosition.lat_e6, VehiclePosition.lon_e6, VehiclePosition.fixed_at).where(
        VehiclePosition.vehicle_id == vehicle_id,
        VehiclePosition.usable.is_(True),
        VehiclePosition.fixed_at >= start,
    )
    if end is not None:
        query = query.where(VehiclePosition.fixed_at <= end)
    rows = session.execute(
        query.order_by(VehiclePosition.fixed_at, VehiclePosition.terminal_id)
    ).all()
    return [tuple(row) for row in rows]


def last_fix(session, *, vehicle_id: int, since: datetime):
    """(lat_e6, lon_e6, fixed_at) of the vehicle's latest usable fix since ``since``, or
    None."""
    row = session.execute(
        select(VehiclePosition.lat_e6, VehiclePosition.lon_e6, VehiclePosition.fixed_at)
        .where(
            VehiclePosition.vehicle_id == vehicle_id,
            VehiclePosition.usable.is_(True),
            VehiclePosition.fixed_at >= since,
        )
        .order_by(VehiclePosition.fixed_at.desc())
        .limit(1)
    ).first()
    return None if row is None else tuple(row)


def fixes_track(fixes: Sequence[tuple[int, int, datetime]]) -> Track | None:
    """A cleaned :class:`Track` of fixes from :func:`usable_fixes`, None without any."""
    if not fixes:
        return None
    lat = np.array([f[0] for f in fixes], dtype=np.float64) / 1e6
    lon = np.array([f[1] for f in fixes], dtype=np.float64) / 1e6
    ms = np.array([round(f[2].timestamp() * 1000) for f in fixes], dtype=np.int64)
    return build_track(lat, lon, ms, np.full(len(fixes), np.nan))


def trip_position(session, actor, ref) -> dict | None:
    """The last known position of the manifest ``ref``'s trip (see
    :func:`last_trip_position`) for those who may see the manifest's trip.

    Raises NotFound for a manifest the actor may not see."""
    return last_trip_position(session, load_visible(session, actor, ref))


def last_trip_position(session, manifest) -> dict | None:
    """The last usable fix of the manifest's current vehicle during its current leg (up to
    the delivery signature), for the API, the manifest page and its map; None before pickup,
    before the first fix, or when the vehicle has no terminal. The caller has checked that
    the manifest may be seen."""
    return last_trip_positions(session, [manifest]).get(manifest.id)


def last_trip_positions(session, manifests: Sequence) -> dict[int, dict]:
    """:func:`last_trip_position` of each of ``manifests``, by manifest id (those without
    one left out), in one query. The caller has checked that the manifests may be seen."""
    latest = [_latest_fix_query(m) for m in manifests if m.legs]
    if not latest:
        return {}
    rows = session.execute(union_all(*[select(q.subquery()) for q in latest])).all()
    plates = {m.id: m.current_leg.vehicle_plate for m in manifests if m.legs}
    return {
        row.manifest_id: {
            "vehicle_plate": plates[row.manifest_id],
            "time": row.fixed_at,
            "received_at": row.received_at,
            "lat": row.lat_e6 / 1e6,
            "lon": row.lon_e6 / 1e6,
            "speed_kmh": row.speed_dkmh / 10,
            "heading": row.heading,
        }
        for row in rows
    }


def _latest_fix_query(manifest):
    """The SELECT of the manifest's last usable fix on its current leg (at most one row,
    labelled with the manifest's id)."""
    leg = manifest.current_leg
    query = (
        select(
            literal(manifest.id).label("manifest_id"),
            VehiclePosition.fixed_at,
            VehiclePosition.received_at,
            VehiclePosition.lat_e6,
            VehiclePosition.lon_e6,
            VehiclePosition.speed_dkmh,
            VehiclePosition.heading,
        )
        .join(Vehicle, Vehicle.id == VehiclePosition.vehicle_id)
        .where(
            Vehicle.plate == leg.vehicle_plate,
            VehiclePosition.usable.is_(True),
            VehiclePosition.fixed_at >= leg.started_at,
        )
        .order_by(VehiclePosition.fixed_at.desc())
        .limit(1)
    )
    if manifest.delivered_at is not None:
        query = query.where(VehiclePosition.fixed_at <= manifest.delivered_at)
    return query


def position_feature(position: dict) -> dict:
    """A position of :func:`last_trip_position` as the map's GeoJSON point of kind
    ``position`` (times in ISO 8601, UTC)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [position["lon"], position["lat"]]},
        "properties": {
            "kind": "position",
            "vehicle_plate": position["vehicle_plate"],
            "time": position["time"].isoformat(),
            "speed_kmh": position["speed_kmh"],
            "heading": position["heading"],
        },
    }
