"""PDF reader: the plan documents of the National Security Policy and Plan.

Text comes from pypdf, page by page, joined with blank lines. Thai PDFs carry
extraction artefacts that would break word segmentation and search: sara am
split into nikhahit + sara aa, tone marks stored before the vowel they sit on,
doubled marks, spaces inserted before combining marks, and the "shifted"
glyph variants of Thai fonts in the Private Use Area (U+F700–U+F71A). The
repairs are Thai-script rules, so they live in ``kb.thai.pdf_repair`` (small
regular expressions, no segmenter); this reader applies them to every page.

An encrypted PDF is tried with the empty password first (many government PDFs
are "protected" only against editing); a file that still cannot be opened, a
truncated or corrupt file, and a scan without a text layer each become a
Failure with a reason, never an exception.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from indexer.readers.decoding import title_from_text
from indexer.readers.pdf_limits import PageContentTooLarge, check_page_content
from indexer.readers.registry import MAX_PDF_BYTES, Budget, ReadError, ReaderSpec, join_pages
from kb.models import Failure, RawDocument
# The Thai repairs are Thai-script rules (kb.thai); re-exported under the names tests use.
from kb.thai.pdf_repair import (  # noqa: F401
    join_sara_am,
    map_private_use,
    remove_duplicate_marks,
    remove_space_before_marks,
    reorder_tone_marks,
)
from kb.thai.pdf_repair import repair_pdf_text as fix_thai_marks

# pypdf extracts text in pure Python (~2 s per MB of page content), so the time
# budget is checked between pages and a page's content size before parsing it.
READER = ReaderSpec(name="pdf", suffixes=(".pdf",), max_bytes=MAX_PDF_BYTES, seconds=120.0)

_JUNK_TITLES = re.compile(r"^(untitled|document\d*|microsoft word|title|scan[\W_]*\d*|img[\W_]*\d+|\W*)$", re.I)
_OFFICE_PREFIX = re.compile(r"^microsoft (word|powerpoint|excel) - ", re.I)


def read(path: Path, budget: Budget | None = None) -> Iterator[RawDocument | Failure]:
    """Yield the one document of a PDF, or a Failure saying why it cannot be read."""
    path = Path(path)
    source = str(path)
    budget = budget or Budget(READER.seconds)
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as err:
        yield Failure(source, f"cannot read file ({err.strerror or err})")
        return
    if not head:
        yield Failure(source, "empty file")
        return
    if b"%PDF-" not in head:
        yield Failure(source, "not a readable PDF (no PDF header)")
        return
    try:
        result = _extract(path, budget)
    except ReadError as err:  # over the time budget
        yield Failure(source, err.reason)
        return
    if isinstance(result, str):
        yield Failure(source, result)
        return
    meta_title, pages = result
    from indexer.ocr_pdf import ocr_missing_pages  # OCR: pages without a usable text layer (issue 14)
    ocr_result = ocr_missing_pages(path, pages)
    if isinstance(ocr_result, str):
        yield Failure(source, ocr_result)
        return
    pages, ocr = ocr_result
    text, starts = join_pages(pages)
    if not text.strip():  # a scan whose pages OCR found nothing on says so, as an image file does
        yield Failure(source, "no text found by OCR" if ocr else "PDF has no text layer (scanned?)")
        return
    yield RawDocument(
        title=_usable_title(meta_title, path) or title_from_text(text),
        text=text,
        source=source,
        ocr=ocr,  # OCR: which pages were read by OCR, mean confidence
        pages=starts,  # where each page starts in the text: a hit names its page
    )


def _extract(path: Path, budget: Budget) -> tuple[str, list[str | None]] | str:
    """(metadata title, cleaned page texts: None for a page that could not be read), or the
    reason the PDF cannot be read.

    Raises ``OverBudget`` (the registry reports it) when the pages take too long.
    """
    # Imported here: loading pypdf costs time that a run over HTML files never needs.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken xref is a Failure, not noise
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return "PDF is encrypted"
            except DependencyError:
                return "PDF is encrypted (AES; the 'cryptography' package is not installed)"
            except (PyPdfError, NotImplementedError, ValueError, KeyError):
                return "PDF is encrypted"
        page_count = len(reader.pages)
    except FileNotDecryptedError:
        return "PDF is encrypted"
    except DependencyError:  # AES-256 (R6): pypdf tries the empty password while opening the file
        return "PDF is encrypted (AES; the 'cryptography' package is not installed)"
    except (PyPdfError, OSError, ValueError, TypeError, KeyError, AttributeError, IndexError,
            AssertionError, RecursionError, EOFError) as err:
        return f"not a readable PDF ({_short(err)})"
    pages: list[str | None] = []  # one per page, so page n stays at pages[n - 1]
    errors: list[str] = []
    measured: dict[object, int] = {}  # content streams shared by many pages are measured once
    for number in range(page_count):
        budget.check()
        try:
            page = reader.pages[number]
            check_page_content(page, measured)
            raw = page.extract_text() or ""
        except FileNotDecryptedError:
            return "PDF is encrypted"
        except PageContentTooLarge as err:
            errors.append(f"page {number + 1}: {err}")
            pages.append(None)
            continue
        except Exception as err:  # noqa: BLE001 - pypdf raises many kinds on broken pages
            errors.append(_short(err))
            pages.append(None)
            continue
        pages.append(clean_page(raw))
    if page_count and len(errors) == page_count:
        return f"not a readable PDF ({errors[0]})"
    if page_count == 0:
        return "not a readable PDF (no pages)"
    try:
        meta = reader.metadata
        meta_title = str(meta.title or "") if meta is not None else ""
    except Exception:  # noqa: BLE001 - a broken info dictionary only costs the title
        meta_title = ""
    return meta_title, pages


def _short(err: BaseException) -> str:
    message = " ".join(str(err).split()) or type(err).__name__
    return message[:80]


def _usable_title(title: str, path: Path | None = None) -> str:
    """The metadata title unless it is a placeholder such as "Microsoft Word - plan3.docx",
    a scanner's name for the file ("scan0001", "IMG_0042") or the file's own name (what
    Pillow, img2pdf and many scan-to-PDF tools write): the first line of the text says more."""
    title = " ".join(fix_thai_marks(title).split())
    title = _OFFICE_PREFIX.sub("", title)
    if _JUNK_TITLES.match(title) or re.search(r"\.(docx?|pdf|xlsx?|pptx?|odt)$", title, re.I):
        return ""
    if path is not None and _name_key(title) == _name_key(path.stem):
        return ""
    return title


def _name_key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def clean_page(text: str) -> str:
    """One page's extracted text with Thai fixed and whitespace tidied, one line per line."""
    text = fix_thai_marks(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [re.sub(r"[ \t\u00a0\f\v]+", " ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
