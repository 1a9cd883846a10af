"""The printable manifest is a real PDF carrying what a reader checks on paper."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.builders import advance, create_manifest


def _text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        from tests.conftest import missing

        missing("pdftotext (Debian package poppler-utils) to read the PDF back")
    path = tmp_path / "m.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_of_a_completed_manifest(client, world, tmp_path, lang):
    m = advance(world, create_manifest(world), "completed")
    r = client.get(f"/api/v1/manifests/{m.number}.pdf?lang={lang}", headers=world.plating.auth())
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    text = _text(r.data, tmp_path)
    assert m.number in text
    assert "336-064-17" in text and "6.000" in text
    if lang == "zh":
        assert "危险废物转移联单" in text and "江门市恒美电镀有限公司" in text
        assert "完整，未被篡改" in text
    else:
        assert "Hazardous Waste Transfer Manifest" in text and "intact" in text


def test_pdf_of_another_organisations_manifest_is_404(client, world):
    m = create_manifest(world)
    r = client.get(f"/api/v1/manifests/{m.id}.pdf", headers=world.outsider.auth())
    assert r.status_code == 404
