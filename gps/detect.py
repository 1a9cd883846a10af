"""Detectors: each finds index spans of fixes in a time-ordered track.

They work on plain arrays — ``t`` seconds (float64, strictly increasing),
``x``/``y`` metres in a local plane — and return :class:`Span` objects with
first and last fix indices; turning spans into reported episodes (times,
positions, severities) is :mod:`gps.analysis`'s job. Everything is
vectorised except the stop search, which loops only over the few places
where the truck could have been stationary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Span:
    """Fixes ``first``..``last`` (inclusive) of one episode, plus measurements."""

    first: int
    last: int
    values: dict[str, float] = field(default_factory=dict)


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last index of each run of True values in ``mask``."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return edges[0::2], edges[1::2] - 1


def step_lengths(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distance between each fix and the next (length n - 1)."""
    return np.hypot(np.diff(x), np.diff(y))


def implausible_steps(t: np.ndarray, steps: np.ndarray, max_speed_ms: float) -> np.ndarray:
    """True for each step (i to i + 1) whose implied speed exceeds ``max_speed_ms``."""
    return steps > max_speed_ms * np.diff(t)


def spikes(implausible: np.ndarray) -> np.ndarray:
    """Fixes reached by an implausible step and left by another: a lone bad fix.

    A teleport out and straight back is one wrong position, not two moves; such
    fixes are left out of the geometric detectors.
    """
    n = implausible.shape[0] + 1
    spike = np.zeros(n, dtype=bool)
    spike[1:-1] = implausible[:-1] & implausible[1:]
    return spike


def jumps(t: np.ndarray, steps: np.ndarray, implausible: np.ndarray) -> list[Span]:
    """One span per run of consecutive implausible steps (fix before to fix after)."""
    speeds = steps / np.diff(t)
    found = []
    for first, last in zip(*runs(implausible), strict=True):
        found.append(
            Span(
                int(first),
                int(last) + 1,
                {
                    "max_speed_ms": float(speeds[first : last + 1].max()),
                    "max_step_m": float(steps[first : last + 1].max()),
                },
            )
        )
    return found


def gaps(t: np.ndarray, min_gap_s: float) -> list[Span]:
    """Pairs of consecutive fixes more than ``min_gap_s`` apart."""
    index = np.flatnonzero(np.diff(t) > min_gap_s)
    return [Span(int(i), int(i) + 1) for i in index]


def outside_runs(t: np.ndarray, outside: np.ndarray, min_duration_s: float) -> list[Span]:
    """Runs of fixes outside the corridor spanning at least ``min_duration_s``."""
    firsts, lasts = runs(outside)
    long_enough = t[lasts] - t[firsts] >= min_duration_s
    return [
        Span(int(a), int(b)) for a, b in zip(firsts[long_enough], lasts[long_enough], strict=True)
    ]


def stops(
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    radius_m: float,
    min_duration_s: float,
    core_m: float,
) -> list[Span]:
    """Places where the truck stayed within ``radius_m`` for ``min_duration_s`` or more.

    A stop is found as a maximal run of fixes all within ``radius_m`` of the
    run's first fix and spanning at least ``min_duration_s`` (the classic
    stay-point rule), then extended while the fixes stay within ``radius_m``
    of the run's median position. Its reported first and last fixes are
    then narrowed to those within ``core_m`` of that position, so that braking
    into and pulling out of the stop do not count as standing. Stops whose
    narrowed spans touch or overlap are one stop and are returned merged.
    The values are the centre (``x``, ``y``) and the largest distance of a
    fix from it.
    """
    n = t.shape[0]
    if n < 2:
        return []
    # A stop anchored at fix i must still be within the radius at the first fix
    # min_duration_s later: a cheap vectorised filter for the possible anchors.
    later = np.searchsorted(t, t + min_duration_s)
    possible = later < n
    anchors = np.flatnonzero(possible)
    target = later[anchors]
    close = np.hypot(x[target] - x[anchors], y[target] - y[anchors]) <= radius_m
    anchors = anchors[close]

    found: list[Span] = []
    k = 0
    while k < anchors.shape[0]:
        i = int(anchors[k])
        end = _first_beyond(x, y, x[i], y[i], i + 1, radius_m)  # first fix that left the circle
        if t[end - 1] - t[i] >= min_duration_s:
            # The first fix may be one of the truck braking into the stop; the
            # stay lasts until the truck leaves the circle around where it stood.
            cx, cy = _centre(x, y, i, end - 1)
            end = _first_beyond(x, y, cx, cy, end, radius_m)
            found.append(_stop_span(x, y, i, end - 1, core_m))
            k = int(np.searchsorted(anchors, end))
        else:
            k += 1
    return _merged(x, y, found)


def _merged(x: np.ndarray, y: np.ndarray, found: list[Span]) -> list[Span]:
    # Receiver drift can carry a standing truck past the edge of the circle
    # drawn around the first fix of its stop; the search then starts a second
    # stop on the very next fix. Such pieces are one stay, one episode.
    merged: list[Span] = []
    for span in found:
        if merged and span.first <= merged[-1].last + 1:
            previous = merged.pop()
            span = _measured(x, y, previous.first, max(previous.last, span.last))
        merged.append(span)
    return merged


def _first_beyond(
    x: np.ndarray, y: np.ndarray, cx: float, cy: float, start: int, radius_m: float
) -> int:
    """First fix from ``start`` on farther than ``radius_m`` from (cx, cy); n if none."""
    n = x.shape[0]
    size = 256
    limit = radius_m * radius_m
    while start < n:
        stop = min(n, start + size)
        dx, dy = x[start:stop] - cx, y[start:stop] - cy
        beyond = np.flatnonzero(dx * dx + dy * dy > limit)
        if beyond.size:
            return start + int(beyond[0])
        start, size = stop, size * 4
    return n


def _centre(x: np.ndarray, y: np.ndarray, first: int, last: int) -> tuple[float, float]:
    return float(np.median(x[first : last + 1])), float(np.median(y[first : last + 1]))


def _stop_span(x: np.ndarray, y: np.ndarray, first: int, last: int, core_m: float) -> Span:
    cx, cy = _centre(x, y, first, last)
    distance = np.hypot(x[first : last + 1] - cx, y[first : last + 1] - cy)
    core = np.flatnonzero(distance <= core_m)
    if core.size >= 2:
        first, last = first + int(core[0]), first + int(core[-1])
        distance = distance[core[0] : core[-1] + 1]
    return Span(first, last, {"x": cx, "y": cy, "spread_m": float(distance.max())})


def _measured(x: np.ndarray, y: np.ndarray, first: int, last: int) -> Span:
    """Fixes ``first``..``last`` as a stop: median centre and largest distance from it."""
    cx, cy = _centre(x, y, first, last)
    spread = np.hypot(x[first : last + 1] - cx, y[first : last + 1] - cy).max()
    return Span(first, last, {"x": cx, "y": cy, "spread_m": float(spread)})


def windowed_max_speed(
    t: np.ndarray, cumulative_m: np.ndarray, window_s: float, usable_step: np.ndarray
) -> float | None:
    """Highest average speed (m/s) over windows of at least ``window_s``.

    Windows containing a step that is not usable (an implausible jump or a
    signal gap) are ignored; averaging over a window keeps GPS noise from
    posing as speed. None when no window qualifies.
    """
    n = t.shape[0]
    if n < 2:
        return None
    end = np.searchsorted(t, t + window_s)
    ok = end < n
    start = np.flatnonzero(ok)
    end = end[ok]
    bad_before = np.concatenate([[0], np.cumsum(~usable_step)])
    clean = bad_before[end] == bad_before[start]
    if not clean.any():
        return None
    start, end = start[clean], end[clean]
    speed = (cumulative_m[end] - cumulative_m[start]) / (t[end] - t[start])
    return float(speed.max())
