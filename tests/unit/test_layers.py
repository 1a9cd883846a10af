"""The layering rules of ARCHITECTURE.md hold: pure modules stay pure, settings are passed in."""

from __future__ import annotations

import ast
import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _contract_sources() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return set(config["importlinter:contract:pure-domain"]["source_modules"].split())


def test_every_root_module_of_manifest_is_under_the_purity_contract():
    roots = {f"manifest.{p.stem}" for p in (ROOT / "manifest").glob("*.py") if p.stem != "__init__"}
    assert roots - _contract_sources() == set(), "add new pure modules to setup.cfg's contract"


def test_the_import_contracts_are_kept():
    program = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if program is None:
        pytest.fail("lint-imports (import-linter, a test dependency) is not installed")
    done = subprocess.run(
        [program, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-3000:]


def _reads_environment(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            found.append(f"os.{node.attr} (line {node.lineno})")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "Settings" and not node.args:
                if not node.keywords:
                    found.append(f"Settings() (line {node.lineno})")
            if isinstance(func, ast.Attribute) and func.attr == "from_environ":
                found.append(f"Settings.from_environ (line {node.lineno})")
    return found


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "manifest" / "services").rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_service_reads_the_environment_or_builds_its_own_settings(path):
    assert _reads_environment(ast.parse(path.read_text(encoding="utf-8"))) == []
