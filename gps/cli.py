"""``hwm gps analyse``: check a GPS log before uploading it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from gps.analysis import Analysis, Thresholds, analyse
from gps.crs import NAMES, WGS84, track_to_wgs84
from gps.errors import GpxError
from gps.fleet import read_track
from gps.guard import DEFAULT_MAX_BYTES
from gps.route import parse_route
from gps.track import Site


def _site(value: str | None, radius_m: float) -> Site | None:
    if value is None:
        return None
    try:
        lat, lon = (float(part) for part in value.split(","))
        return Site(lat, lon, radius_m)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not LAT,LON in degrees") from None


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint=name) from None
    if moment.tzinfo is None:
        raise click.BadParameter(
            "give the UTC offset, e.g. 2024-05-06T09:30+08:00", param_hint=name
        )
    return moment


def _route_type(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return {
        ".geojson": "application/geo+json",
        ".json": "application/geo+json",
        ".gpx": "application/gpx+xml",
    }.get(suffix)


def _crs_option(flag: str, name: str, of_what: str):
    """An option naming a coordinate system, WGS-84 unless given."""
    return click.option(
        flag,
        name,
        type=click.Choice(NAMES),
        default=WGS84,
        show_default=True,
        help=f"Coordinate system {of_what}.",
    )


def _positive_option(flag: str, default: float, help: str):
    """An option taking a number above zero."""
    return click.option(
        flag,
        type=click.FloatRange(min=0, min_open=True),
        default=default,
        show_default=True,
        help=help,
    )


@click.command("analyse")
@click.argument("gpx_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--plate",
    help="The vehicle's plate: a CSV/XLSX export whose plate column names another is refused.",
)
@click.option(
    "--route",
    "route_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Planned route: GeoJSON LineString or GPX route/track.",
)
@_crs_option("--crs", "track_crs", "of the GPS log (gcj02: Amap/Tencent, bd09: Baidu)")
@_crs_option("--route-crs", "route_crs", "of the planned route")
@click.option("--json", "as_json", is_flag=True, help="Print the full analysis as JSON.")
@_positive_option(
    "--corridor-m", Thresholds.corridor_m, "Largest allowed distance from the route, in metres."
)
@click.option("--origin", metavar="LAT,LON", help="Where the trip should start.")
@click.option("--destination", metavar="LAT,LON", help="Where the trip should end.")
@_positive_option("--site-radius-m", 300.0, "Radius of the origin and destination sites.")
@click.option("--pickup", metavar="TIME", help="Pickup signature time (ISO 8601 with offset).")
@click.option("--delivery", metavar="TIME", help="Delivery signature time (ISO 8601 with offset).")
@_positive_option("--max-mb", DEFAULT_MAX_BYTES / 2**20, "Refuse files larger than this many MiB.")
def analyse_command(
    gpx_file: Path,
    route_file: Path | None,
    track_crs: str,
    route_crs: str,
    as_json: bool,
    corridor_m: float,
    origin: str | None,
    destination: str | None,
    site_radius_m: float,
    pickup: str | None,
    delivery: str | None,
    max_mb: float,
    plate: str | None,
) -> None:
    """Analyse the GPS log GPX_FILE: route deviations, stops, gaps, jumps.

    GPX_FILE is a GPX file or a fleet platform's CSV or XLSX export (told apart by content).
    Positions declared in GCJ-02 or BD-09 are converted to WGS-84 first.
    """
    max_bytes = int(max_mb * 2**20)
    start_site = _site(origin, site_radius_m)
    end_site = _site(destination, site_radius_m)
    interval = None
    if pickup is not None or delivery is not None:
        if pickup is None or delivery is None:
            raise click.UsageError("give both --pickup and --delivery")
        interval = (_moment(pickup, "--pickup"), _moment(delivery, "--delivery"))
        if interval[1] < interval[0]:
            raise click.UsageError("--delivery is before --pickup")
    try:
        track = read_track(gpx_file, expected_plate=plate, max_bytes=max_bytes, elevation=False)
        track = track_to_wgs84(track, track_crs)
    except GpxError as error:
        rows = error.detail.get("rows", [])
        listed = "".join(f"\n  line {r['line']}, {r['column']}: {r['problem']}" for r in rows)
        raise click.ClickException(f"{gpx_file}: {error.message} [{error.code}]{listed}") from None
    route = None
    if route_file is not None:
        try:
            route = parse_route(
                route_file, _route_type(route_file), max_bytes=max_bytes, crs=route_crs
            )
        except GpxError as error:
            raise click.ClickException(f"{route_file}: {error.message} [{error.code}]") from None
    result = analyse(
        track,
        route=route,
        origin=start_site,
        destination=end_site,
        interval=interval,  # type: ignore[arg-type]
        thresholds=Thresholds(corridor_m=corridor_m),
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(summary_text(result))


def summary_text(result: Analysis) -> str:
    """A short human-readable report of an analysis."""
    s = result.summary
    lines = [
        f"fixes        {s['fixes']:,} (read {s['fixes_read']:,})",
        f"from         {s['start']}",
        f"to           {s['end']}",
        f"duration     {s['duration_s'] / 60:.1f} min",
        f"length       {s['length_km']:.2f} km",
    ]
    if s["max_speed_kmh"] is not None:
        lines.append(f"max speed    {s['max_speed_kmh']:.0f} km/h")
    if s["route"] is not None:
        route = s["route"]
        lines.append(
            f"route        {route['length_km']:.2f} km, corridor {route['corridor_m']:.0f} m: "
            f"{route['inside_share']:.1%} of fixes inside, {route['covered_share']:.1%} of route covered"
        )
    for flag, label in (("starts_at_origin", "origin"), ("ends_at_destination", "destination")):
        if s[flag] is not None:
            verdict = "yes" if s[flag] else "NO"
            lines.append(f"{label:<12} {verdict} ({s[label + '_distance_m']:.0f} m away)")
    if s["coverage"] is not None:
        lines.append(f"coverage     {s['coverage']['covered_share']:.1%} of pickup to delivery")
    for problem in result.problems:
        lines.append(f"problem      {problem.message}")
    if result.episodes:
        lines.append("")
        lines.append(f"{len(result.episodes)} episode(s):")
        for episode in result.episodes:
            lines.append(
                f"  {episode.severity:<9} {episode.kind:<24} {episode.start.to_dict()['time']}  "
                f"{episode.duration_s / 60:6.1f} min  {episode.distance_m:8.0f} m"
            )
    else:
        lines.append("no episodes")
    return "\n".join(lines)
