"""Scanned meeting records as a researcher searches them (QA, ninth session): the page a hit is
on, and the files an archive's scanner makes that must fail alone or be read.

Every scan is rendered here at run time (scripts/make_scans.py, the Debian TLWG fonts);
Tesseract is the real one.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import make_scans  # noqa: E402,F401  (scripts/ is not a package)

# one skip rule and one private OCR cache (autouse) for every OCR test
from test_ocr import needs_tesseract, private_cache  # noqa: E402,F401


# --------------------------------------------------------------------------- repair


def test_a_fragment_a_tone_mark_would_end_is_left_as_read() -> None:
    """An upside-down two-column page read "เว" and '"แน' among its fragments: the look-alike rule
    tried "เว้" (a tone mark added at the end), fell into ``next()`` with nothing to find, and the
    StopIteration failed the whole 7-page record ("cannot render PDF page for OCR (generator
    raised StopIteration)")."""
    from indexer.ocr_repair import correct_lookalikes, repair_ocr_text

    assert correct_lookalikes("เว") == "เว"
    assert correct_lookalikes('"แน') == '"แน'
    assert repair_ocr_text("ระเบียบวาระที่ ๕ เรื่องอื่น ๆ\nเว \"แน ไม่มี") == "ระเบียบวาระที่ ๕ เรื่องอื่น ๆ\nเว \"แน ไม่มี"
