"""OCR of the PDF pages that have no usable text layer (scans inside a PDF).

The PDF reader extracts text page by page; this module looks at each page's
text and, where there is none or it is clearly not text (a scanner's invisible
garbage layer, replacement characters), renders that page with pypdfium2 and
reads it by OCR. Mixed PDFs (a typed report with a scanned annex) therefore OCR
only the pages that need it. Pages are rendered and OCR'd one at a time, so a
20-page scan holds one page image in memory, not twenty.
"""
from __future__ import annotations

import re
from pathlib import Path

from indexer.ocr import NEEDS_OCR_PACKAGES, OcrError, OcrSummary, OcrUnavailable, ocr_page

#: Rendering resolution: 300 dpi is where Tesseract's Thai model reads marks and digits best
#: (benchmarks/bench_ocr.py); higher costs time for no gain.
RENDER_DPI = 300
_LETTER = re.compile(r"[\u0e01-\u0e4e\u0e50-\u0e59A-Za-z0-9]")
_MIN_LETTERS = 20  # a page with fewer letters than this is a scan with a page number, at most


def needs_ocr(page_text: str) -> bool:
    """Whether a page's extracted text is missing or clearly not text."""
    visible = "".join(page_text.split())
    letters = len(_LETTER.findall(visible))
    if letters < _MIN_LETTERS:
        return True
    junk = sum(1 for c in visible if c == "\ufffd" or "\ue000" <= c <= "\uf8ff" or ord(c) < 32)
    return letters < 0.5 * len(visible) or junk > 0.1 * len(visible)


def ocr_missing_pages(path: Path, pages: list[str | None]) -> tuple[list[str | None], dict | None] | str:
    """The page texts with every page that needs OCR replaced by its OCR text, and the
    ``RawDocument.ocr`` summary; or the reason (one line) when OCR is needed but impossible.
    A page the PDF reader could not read (None) is left alone."""
    wanted = [number for number, text in enumerate(pages) if text is not None and needs_ocr(text)]
    if not wanted:
        return pages, None
    pages = list(pages)
    summary = OcrSummary()
    try:
        for number, image in render_pages(path, wanted):
            page = ocr_page(image)
            image.close()
            summary.add(number + 1, page)
            if page.text.strip():
                pages[number] = page.text
    except OcrUnavailable as err:
        return str(err)
    except ImportError:
        return NEEDS_OCR_PACKAGES
    except OcrError as err:
        return f"OCR failed ({err})"
    except Exception as err:  # noqa: BLE001 - pdfium raises its own error types on broken pages
        return f"cannot render PDF page for OCR ({' '.join(str(err).split())[:80]})"
    return pages, summary.as_dict()


def render_pages(path: Path, numbers: list[int], dpi: int = RENDER_DPI):
    """Yield (0-based page number, grayscale PIL image) for those of the given pages that
    hold an image, one at a time."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        for number in numbers:
            page = document[number]
            try:
                if not _has_image(page):  # blank, or vector drawing only: nothing to read
                    continue
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                yield number, bitmap.to_pil()
            finally:
                page.close()
    finally:
        document.close()


def _has_image(page) -> bool:
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
