"""Writing PDFs with WeasyPrint, and never without a font for Chinese.

Without a CJK font WeasyPrint still produces a PDF, with every Chinese character drawn as
an empty box: a manifest that looks printed and says nothing. So the font is checked first
(with fontconfig, which is how Pango finds fonts), and its absence is an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess

FONT_PACKAGE = "fonts-noto-cjk"

#: fontconfig configurations (FONTCONFIG_FILE, FONTCONFIG_PATH) seen to have a Chinese font.
#: Only success is remembered: a font installed later is found without a restart.
_configurations_with_font: set[tuple[str | None, str | None]] = set()


class PdfFontMissing(Exception):
    """No font for Chinese is installed: a PDF would show boxes instead of text."""

    def __init__(self, reason: str):
        super().__init__(
            f"{reason}; install a Chinese font (Debian package {FONT_PACKAGE}) on the server"
        )


def require_cjk_font() -> None:
    """Return if fontconfig knows a font covering Chinese (``fc-list :lang=zh``); raise
    PdfFontMissing otherwise, or when fontconfig's fc-list is not installed."""
    configuration = (os.environ.get("FONTCONFIG_FILE"), os.environ.get("FONTCONFIG_PATH"))
    if configuration in _configurations_with_font:
        return
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise PdfFontMissing("fontconfig's fc-list is not installed (Debian package fontconfig)")
    try:
        found = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise PdfFontMissing(f"fc-list failed: {exc}") from None
    if found.returncode != 0 or not found.stdout.strip():
        raise PdfFontMissing("no font for Chinese is installed")
    _configurations_with_font.add(configuration)


def write_pdf(html: str) -> bytes:
    """The PDF of ``html``. Raises PdfFontMissing instead of printing Chinese as boxes."""
    require_cjk_font()
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    return HTML(string=html).write_pdf()
