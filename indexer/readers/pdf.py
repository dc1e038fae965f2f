"""PDF reader: the plan documents of the National Security Policy and Plan.

Text comes from pypdf, page by page, joined with blank lines. Thai PDFs carry
extraction artefacts that would break word segmentation and search: sara am
split into nikhahit + sara aa, tone marks stored before the vowel they sit on,
doubled marks, spaces inserted before combining marks, and the "shifted"
glyph variants of Thai fonts in the Private Use Area (U+F700–U+F71A). The
architecture keeps PyThaiNLP out of the indexer, so the fix-ups are small
regular expressions here, each one a function with its own test.

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

# Upper vowels, lower vowels and the marks that combine with a consonant.
_COMBINING = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_TONES = "\u0e48-\u0e4c"  # mai ek, mai tho, mai tri, mai chattawa, thanthakhat
_VOWELS_BELOW_TONE = "\u0e31\u0e34-\u0e3a"  # vowels written before a tone mark in Unicode order

# Thai font glyph variants (shifted left/down, tail-less) that some PDF producers
# expose as Private Use Area code points instead of the real characters.
_THAI_PUA = {
    0xF700: "\u0e10", 0xF701: "\u0e34", 0xF702: "\u0e35", 0xF703: "\u0e36", 0xF704: "\u0e37",
    0xF705: "\u0e48", 0xF706: "\u0e49", 0xF707: "\u0e4a", 0xF708: "\u0e4b", 0xF709: "\u0e4c",
    0xF70A: "\u0e48", 0xF70B: "\u0e49", 0xF70C: "\u0e4a", 0xF70D: "\u0e4b", 0xF70E: "\u0e4c",
    0xF70F: "\u0e0d", 0xF710: "\u0e31", 0xF711: "\u0e4d", 0xF712: "\u0e47", 0xF713: "\u0e48",
    0xF714: "\u0e49", 0xF715: "\u0e4a", 0xF716: "\u0e4b", 0xF717: "\u0e4c", 0xF718: "\u0e38",
    0xF719: "\u0e39", 0xF71A: "\u0e3a",
}
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
    from indexer.ocr_pdf import ocr_missing_pages  # OCR: pages without a usable text layer (issue 14)
    ocr_result = ocr_missing_pages(path, pages)
    if isinstance(ocr_result, str):
        yield Failure(source, ocr_result)
        return
    pages, ocr = ocr_result
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        yield Failure(source, "PDF has no text layer (scanned?)")
        return
    yield RawDocument(
        title=_usable_title(meta_title) or title_from_text(text),
        text=text,
        source=source,
        ocr=ocr,  # OCR: which pages were read by OCR, mean confidence
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


# --------------------------------------------------------------------------- Thai fix-ups


def map_private_use(text: str) -> str:
    """Replace Thai font glyph variants in the Private Use Area by the real characters."""
    return text.translate(_THAI_PUA)


def remove_space_before_marks(text: str) -> str:
    """Remove spaces a PDF put before a combining mark or sara am ("ก ั น" → "กัน")."""
    return re.sub(rf"[ \t\u00a0\u200b]+(?=[{_COMBINING}\u0e33])", "", text)


def join_sara_am(text: str) -> str:
    """Nikhahit + sara aa (with a tone mark or a space between) → sara am, as typed.

    "น ้ ํ า" style sequences come out of PDFs as U+0E4D U+0E32; the tone mark,
    if any, goes before sara am (the Unicode order of "น้ำ").
    """
    text = re.sub(rf"\u0e4d([{_TONES}]?)[ \t]*\u0e32", "\\1\u0e33", text)
    return re.sub(rf"\u0e4d[ \t]*([{_TONES}])[ \t]*\u0e32", "\\1\u0e33", text)


def reorder_tone_marks(text: str) -> str:
    """Put a vowel sign stored after its tone mark back in front of it ("ท่ี" → "ที่")."""
    return re.sub(rf"([{_TONES}])([{_VOWELS_BELOW_TONE}])", r"\2\1", text)


def remove_duplicate_marks(text: str) -> str:
    """Collapse a combining mark or sara am repeated by the extractor ("ก่่" → "ก่")."""
    return re.sub(rf"([{_COMBINING}\u0e33])\1+", r"\1", text)


def fix_thai_marks(text: str) -> str:
    """All Thai fix-ups, in the order that lets each see the previous one's result."""
    text = map_private_use(text)
    text = remove_space_before_marks(text)
    text = join_sara_am(text)
    text = reorder_tone_marks(text)
    return remove_duplicate_marks(text)
