"""Benchmark of the GPS pipeline (run on demand, not a test).

    .venv/bin/python bench/gps.py [--quick]

Builds synthetic 1 Hz sludge-truck GPX logs (8 hours = 28,800 fixes, and
1,000,000 fixes) and times, best of N:

* pipeline: bytes -> gps.parse_gpx (elevation=False, as the service reads) ->
  gps.analyse (route, sites) -> to_dict();
* gpxpy pipeline: the same with gps.parse_gpx_reference (gpxpy) as the reader;
* floor: the least one must do, parse the bytes into lat/lon arrays in the
  simplest way, with expat and with lxml (the faster counts as the floor).

Peak memory for the 1M-fix track is the peak resident set size (VmHWM, so
Linux only) of a fresh subprocess that runs the pipeline once, from bytes in
memory and streaming from the file. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.parsers import expat

import numpy as np
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and its name
# would shadow the gps package: put the project root first instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import gps  # noqa: E402
from tests.gps import synth  # noqa: E402

NO_LIMIT = 1 << 40


def make_track(n: int, seed: int = 11) -> bytes:
    """GPX bytes of exactly ``n`` fixes: shuttle runs between the two sites."""
    one = synth.drive(seed=seed, legs=2, stops=[(8.0, 420)], noise_m=3.0)
    legs = 2 * (n // len(one) + 1)
    trip = synth.drive(seed=seed, legs=legs, stops=[(8.0, 420)], noise_m=3.0)
    for name in ("t", "lat", "lon", "ele", "offset_m"):
        setattr(trip, name, getattr(trip, name)[:n])
    return trip.to_gpx()


ROUTE = gps.parse_route(synth.route_geojson())
ORIGIN, DESTINATION = gps.Site(*synth.ORIGIN), gps.Site(*synth.DESTINATION)


def pipeline(data: bytes) -> dict:
    track = gps.parse_gpx(data, max_bytes=NO_LIMIT, elevation=False)
    return gps.analyse(track, route=ROUTE, origin=ORIGIN, destination=DESTINATION).to_dict()


def gpxpy_pipeline(data: bytes) -> dict:
    track = gps.parse_gpx_reference(data, max_bytes=NO_LIMIT)
    return gps.analyse(track, route=ROUTE, origin=ORIGIN, destination=DESTINATION).to_dict()


def floor_expat(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    lat: list[float] = []
    lon: list[float] = []

    def start(name, attrs):
        if name == "trkpt":
            lat.append(float(attrs["lat"]))
            lon.append(float(attrs["lon"]))

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.Parse(data, True)
    return np.array(lat), np.array(lon)


def floor_lxml(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    lat: list[float] = []
    lon: list[float] = []
    tag = "{http://www.topografix.com/GPX/1/1}trkpt"
    for _, element in etree.iterparse(io.BytesIO(data), tag=tag):
        lat.append(float(element.get("lat")))
        lon.append(float(element.get("lon")))
        element.clear()
    return np.array(lat), np.array(lon)


def best(function, data: bytes, repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds over ``repeat`` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function(data)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(wall), min(cpu)


_MEMORY_PROBE = """
import sys
sys.path.insert(0, {root!r})
sys.argv = ["probe"]
import bench.gps as b
def rss():
    # VmHWM: this process's peak resident set (ru_maxrss would include the parent's).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
imported = rss()
if {streaming!r}:
    track = b.gps.parse_gpx({path!r}, max_bytes=b.NO_LIMIT, elevation=False)
    loaded = imported
else:
    data = open({path!r}, "rb").read()
    loaded = rss()
    track = b.gps.parse_gpx(data, max_bytes=b.NO_LIMIT, elevation=False)
b.gps.analyse(track, route=b.ROUTE, origin=b.ORIGIN, destination=b.DESTINATION).to_dict()
print(imported, loaded, rss())
"""


def peak_memory(path: str, streaming: bool) -> tuple[float, float, float]:
    """(MiB after imports, MiB after loading the bytes, peak MiB) in a fresh process (Linux)."""
    code = _MEMORY_PROBE.format(root=str(ROOT), path=path, streaming=streaming)
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    sizes = [("8 h at 1 Hz", 28_800, 5, 3), ("1M fixes", 1_000_000, 3, 1)]
    if args.quick:
        sizes = [("8 h at 1 Hz", 28_800, 2, 1), ("1M fixes", 1_000_000, 1, 1)]
    rows = []
    for label, n, repeat, repeat_gpxpy in sizes:
        print(f"building {label} ...", file=sys.stderr)
        data = make_track(n)
        print(f"timing {label} ({len(data) / 1e6:.1f} MB) ...", file=sys.stderr)
        (t_expat, c_expat) = best(floor_expat, data, repeat)
        (t_lxml, c_lxml) = best(floor_lxml, data, repeat)
        (t_pipe, c_pipe) = best(pipeline, data, repeat)
        (t_gpxpy, c_gpxpy) = best(gpxpy_pipeline, data, repeat_gpxpy)
        floor = min(t_expat, t_lxml)
        cpu_ratio = c_pipe / min(c_expat, c_lxml)
        rows.append((label, n, len(data), t_expat, t_lxml, t_pipe, t_gpxpy, floor, cpu_ratio))
        if n == 1_000_000:
            with tempfile.NamedTemporaryFile(suffix=".gpx", delete=False) as handle:
                handle.write(data)
            try:
                memory = (peak_memory(handle.name, False), peak_memory(handle.name, True))
            finally:
                os.unlink(handle.name)

    print()
    print(
        "| track | fixes | GPX MB | floor expat s | floor lxml s | pipeline s | pipeline fixes/s "
        "| gpxpy pipeline s | gpxpy fixes/s | pipeline / floor (CPU) | gpxpy / pipeline |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, n, size, t_expat, t_lxml, t_pipe, t_gpxpy, floor, cpu_ratio in rows:
        print(
            f"| {label} | {n:,} | {size / 1e6:.1f} | {t_expat:.3f} | {t_lxml:.3f} | {t_pipe:.3f} "
            f"| {n / t_pipe:,.0f} | {t_gpxpy:.2f} | {n / t_gpxpy:,.0f} "
            f"| {t_pipe / floor:.2f}x ({cpu_ratio:.2f}x) | {t_gpxpy / t_pipe:.1f}x |"
        )
    (imported, loaded, peak), (s_imported, _, s_peak) = memory
    print()
    print("| 1M-fix track, one process | after imports MiB | with the GPX bytes MiB | peak MiB |")
    print("|---|---:|---:|---:|")
    print(f"| from bytes in memory | {imported:.0f} | {loaded:.0f} | {peak:.0f} |")
    print(f"| streaming from the file | {s_imported:.0f} | - | {s_peak:.0f} |")
    print()
    print(
        "Times are the best of N runs (wall clock; CPU time of the process in brackets); "
        "the floor is the faster of the two simple readers.\n"
        f"Targets: pipeline / floor <= 2x, gpxpy / pipeline >= 5x, peak < 300 MB. "
        f"Python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end."
    )


if __name__ == "__main__":
    main()
