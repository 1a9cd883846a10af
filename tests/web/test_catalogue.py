"""The Chinese catalogue of the pages: complete, and compiled from its current text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "api" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"


def _po():
    with open(CATALOGUE / "messages.po", "rb") as f:
        return read_po(f, locale="zh_Hans_CN")


def _entries(catalog) -> dict:
    return {m.id: m.string for m in catalog if m.id}


def test_every_message_has_chinese_and_none_is_fuzzy():
    catalog = _po()
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated, f"messages without Chinese: {untranslated}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy messages (check the Chinese, then drop the flag): {fuzzy}"


def test_the_compiled_catalogue_is_the_current_one():
    with open(CATALOGUE / "messages.mo", "rb") as f:
        compiled = _entries(read_mo(f))
    assert compiled == _entries(_po()), "the .mo is stale: run make messages"


def test_every_text_of_the_pages_is_in_the_catalogue(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(template),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(template, "rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    missing = sorted(str(i) for i in wanted - set(_entries(_po())))
    assert not missing, f"texts not in the catalogue (run make messages, add Chinese): {missing}"
