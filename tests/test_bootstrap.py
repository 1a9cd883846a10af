"""scripts/bootstrap, which `make test`, `make run` and CI run first: on a machine that has
every package it answers at once, without touching apt."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from tests.conftest import missing

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bootstrap"


def test_a_complete_machine_passes_quietly_and_fast():
    if shutil.which("dpkg-query") is None:
        missing("dpkg-query: the bootstrap checks Debian packages")
    started = time.monotonic()
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "installing" not in done.stderr, done.stderr
    assert elapsed < 5, f"the check took {elapsed:.1f} s; it must not update apt's lists"
