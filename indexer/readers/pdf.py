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

from indexer.readers import title_from_text
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

_JUNK_TITLES = re.compile(r"^(untitled|document\d*|microsoft word|title|\W*)$", re.I)
_OFFICE_PREFIX = re.compile(r"^microsoft (word|powerpoint|excel) - ", re.I)


def read(path: Path) -> Iterator[RawDocument | Failure]:
    """Yield the one document of a PDF, or a Failure saying why it cannot be read."""
    path = Path(path)
    source = str(path)
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
    result = _extract(path)
    if isinstance(result, str):
        yield Failure(source, result)
        return
    meta_title, pages = result
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        yield Failure(source, "PDF has no text layer (scanned?)")
        return
    yield RawDocument(
        title=_usable_title(meta_title) or title_from_text(text),
        text=text,
        source=source,
    )


def _extract(path: Path) -> tuple[str, list[str]] | str:
    """(metadata title, cleaned page texts), or the reason the PDF cannot be read."""
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
    except (PyPdfError, OSError, ValueError, TypeError, KeyError, AttributeError, IndexError,
            AssertionError, RecursionError, EOFError) as err:
        return f"not a readable PDF ({_short(err)})"
    pages: list[str] = []
    errors: list[str] = []
    for number in range(page_count):
        try:
            raw = reader.pages[number].extract_text() or ""
        except FileNotDecryptedError:
            return "PDF is encrypted"
        except Exception as err:  # noqa: BLE001 - pypdf raises many kinds on broken pages
            errors.append(_short(err))
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


def _usable_title(title: str) -> str:
    """The metadata title unless it is a placeholder such as "Microsoft Word - plan3.docx"."""
    title = " ".join(fix_thai_marks(title).split())
    title = _OFFICE_PREFIX.sub("", title)
    if _JUNK_TITLES.match(title) or re.search(r"\.(docx?|pdf|xlsx?|pptx?|odt)$", title, re.I):
        return ""
    return title


def clean_page(text: str) -> str:
    """One page's extracted text with Thai fixed and whitespace tidied, one line per line."""
    text = fix_thai_marks(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [re.sub(r"[ \t\u00a0\f\v]+", " ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
