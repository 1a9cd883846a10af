"""A regular install (a wheel, not the source tree) migrates, loads the demo and prints.

The wheel is built from the project and installed into a fresh virtual environment whose
only link to the project's environment is the path to its third-party packages; every
command runs from an empty directory, so nothing can be found through the source tree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PRINT_A_MANIFEST = """
import sys
import api
from api import create_app

assert "site-packages" in api.__file__, api.__file__
app = create_app({"TESTING": True})
client = app.test_client()
auth = {"Authorization": "Bearer " + sys.argv[1]}
listing = client.get("/api/v1/manifests?status=completed", headers=auth)
assert listing.status_code == 200, listing.get_data(as_text=True)
number = listing.get_json()[0]["number"]
pdf = client.get(f"/api/v1/manifests/{number}.pdf", headers=auth)
assert pdf.status_code == 200, pdf.get_data(as_text=True)[:500]
sys.stdout.buffer.write(pdf.data)
"""


def _run(args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{args[:3]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def _source_copy(target: Path) -> Path:
    """The project's files as git sees them (tracked, and new ones not ignored), copied to
    ``target``: building there leaves nothing (``build/``, ``*.egg-info``) in the tree."""
    listed = _run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.slow
def test_a_wheel_installed_elsewhere_migrates_loads_the_demo_and_prints(tmp_path):
    dist = tmp_path / "dist"
    source = _source_copy(tmp_path / "source")
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(source)]
    )
    (wheel,) = dist.glob("hwm-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    ).stdout.strip()
    # The third-party packages come from the project's environment (no download); hwm itself
    # only from the wheel: a path added by a .pth file does not run that folder's own .pth
    # files, so the project's editable install stays out of sight.
    Path(purelib, "third_party.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ]
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "HWM_DATABASE_URL": f"sqlite:///{tmp_path / 'installed.sqlite3'}",
        "PYTHONPATH": "",
    }
    hwm = venv / "bin" / "hwm"
    upgraded = _run([hwm, "db", "upgrade"], cwd=elsewhere, env=env)
    assert "database at revision head" in upgraded.stdout
    demo = _run([hwm, "demo"], cwd=elsewhere, env=env)
    token = re.search(r"token (\S+)", demo.stdout)  # the first account: the generator
    assert token, demo.stdout

    script = elsewhere / "print_one.py"
    script.write_text(PRINT_A_MANIFEST)
    printed = subprocess.run(
        [python, script, token.group(1)], cwd=elsewhere, env=env, capture_output=True, timeout=300
    )
    assert printed.returncode == 0, printed.stderr.decode()[-3000:]
    assert printed.stdout.startswith(b"%PDF-")
