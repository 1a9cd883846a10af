"""The checks made while a truck is still on the road, from the fixes received so far.

The same analysis as a finished trip's (:func:`gps.analyse`), restricted to what can be
known before arrival — a deviation from the corridor, a stop outside the sites, a gap between
fixes — plus the silence since the last fix, which is a gap still open: longer than
``gap_s`` at ``now`` it is reported as a ``gps_gap`` ending now, without a position.
"""

from __future__ import annotations

from gps.analysis import Episode, Moment, Thresholds, analyse, gap_severity
from gps.track import Route, Site, Track

LIVE_KINDS = ("route_deviation", "unscheduled_stop", "gps_gap")


def live_episodes(
    track: Track | None,
    *,
    now_ms: int,
    since_ms: int,
    route: Route | None = None,
    origin: Site | None = None,
    destination: Site | None = None,
    thresholds: Thresholds = Thresholds(),
    **_ignored,
) -> list[Episode]:
    """Episodes of :data:`LIVE_KINDS` in ``track`` (the fixes since ``since_ms``, the start
    of the trip, or None when there is none yet) as of ``now_ms``, in time order."""
    episodes: list[Episode] = []
    last = Moment(since_ms)
    if track is not None and len(track):
        analysis = analyse(
            track, route=route, origin=origin, destination=destination, thresholds=thresholds
        )
        episodes = [e for e in analysis.episodes if e.kind in LIVE_KINDS]
        i = len(track) - 1
        last = Moment(int(track.time_ms[i]), float(track.lat[i]), float(track.lon[i]))
    silence = silence_episode(last, now_ms, thresholds)
    return episodes if silence is None else [*episodes, silence]


def silence_episode(last: Moment, now_ms: int, thresholds: Thresholds = Thresholds()):
    """The gap still open since ``last`` (the last fix, or the trip's start without a
    position) when it is longer than ``gap_s`` at ``now_ms``, else None."""
    silent_s = (now_ms - last.time_ms) / 1000.0
    if silent_s <= thresholds.gap_s:
        return None
    return Episode(
        "gps_gap", gap_severity(silent_s, thresholds), last, Moment(now_ms), 0.0, {"ongoing": True}
    )
