"""A PDF is never printed without a Chinese font: the server answers 503 instead of a
manifest whose Chinese is empty boxes. The font set is chosen the way fontconfig is told
in production, with a configuration file (FONTCONFIG_FILE)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.builders import advance, create_manifest
from tests.reconcile.test_discrepancy_report import URL, period

LATIN_FONTS = Path("/usr/share/fonts/truetype/dejavu")


def _fontconfig(tmp_path: Path, *font_dirs: Path) -> Path:
    """A fontconfig configuration that knows only the fonts in ``font_dirs``."""
    cache = tmp_path / "fc-cache"
    cache.mkdir(exist_ok=True)
    dirs = "".join(f"<dir>{d}</dir>" for d in font_dirs)
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>{dirs}<cachedir>{cache}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return conf


@pytest.fixture
def no_cjk_font(tmp_path, monkeypatch):
    """The server's fonts are an empty directory (and DejaVu when installed: Latin only)."""
    empty = tmp_path / "fonts"
    empty.mkdir()
    dirs = [empty, LATIN_FONTS] if LATIN_FONTS.is_dir() else [empty]
    monkeypatch.setenv("FONTCONFIG_FILE", str(_fontconfig(tmp_path, *dirs)))


def _refused(r, headline: str) -> None:
    assert r.status_code == 503, r.data[:200]
    body = r.get_json()
    assert body["code"] == "pdf_font_missing"
    assert headline in body["message"]
    assert "fonts-noto-cjk" in (body.get("detail") or body["message"])


@pytest.mark.parametrize(
    ("lang", "headline"),
    [("zh", "服务器未安装中文字体"), ("en", "no font for Chinese is installed")],
)
def test_manifest_pdf_without_a_chinese_font_is_a_clear_503(
    client, world, no_cjk_font, lang, headline
):
    m = advance(world, create_manifest(world), "completed")
    r = client.get(f"/api/v1/manifests/{m.number}.pdf?lang={lang}", headers=world.plating.auth())
    _refused(r, headline)


def test_discrepancy_report_pdf_without_a_chinese_font_is_a_clear_503(client, world, no_cjk_font):
    r = client.get(f"{URL}?{period()}&format=pdf", headers=world.regulator.auth())
    _refused(r, "服务器未安装中文字体")
    r = client.get(f"{URL}?{period()}&format=json", headers=world.regulator.auth())
    assert r.status_code == 200  # only printing needs the font


def test_a_configuration_holding_a_chinese_font_prints(client, world, tmp_path, monkeypatch):
    if shutil.which("fc-list") is None:
        from tests.conftest import missing

        missing("fc-list (Debian package fontconfig)")
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=True
    ).stdout.split()
    if not listed:
        from tests.conftest import missing

        missing("a Chinese font (Debian package fonts-noto-cjk)")
    font_dir = Path(listed[0].rstrip(":")).parent
    monkeypatch.setenv("FONTCONFIG_FILE", str(_fontconfig(tmp_path, font_dir)))
    m = create_manifest(world)
    r = client.get(f"/api/v1/manifests/{m.id}.pdf", headers=world.plating.auth())
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
