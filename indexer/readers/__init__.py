"""Input readers: one small module per file format, each with one ``read(path)``.

A reader turns the bytes of one file into ``RawDocument`` values (title, text,
hints) and never raises for the bad content of a single record: it yields a
``Failure`` with a reason in plain words and goes on, so one broken release
cannot stop an indexing run. The pipeline only knows ``reader_for`` / ``read``;
it never looks at formats itself.

This module also holds what several readers share: ``ReadError`` and the
decision of how to decode Thai text files (UTF-8, or TIS-620/cp874 as still
served by older Thai government sites).
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from kb.models import Failure, RawDocument

__all__ = [
    "SUFFIXES",
    "ReadError",
    "Reader",
    "decode_text",
    "looks_like_thai",
    "title_from_text",
    "reader_for",
    "read",
]

Reader = Callable[[Path], Iterator[RawDocument | Failure]]

#: Every file name ending a reader accepts (lower case; ``.jsonl.gz`` is a double suffix).
SUFFIXES: tuple[str, ...] = (
    ".html",
    ".htm",
    ".txt",
    ".md",
    ".markdown",
    ".pdf",
    ".jsonl",
    ".jsonl.gz",
    ".png", ".jpg", ".jpeg", ".tif", ".tiff",  # OCR: scanned pages (indexer/readers/image.py)
)


class ReadError(Exception):
    """A whole file cannot be read at all; ``reason`` is the short message for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def reader_for(path: Path) -> Reader | None:
    """The ``read`` function for this file's suffix, or None when no reader handles it.

    Imports lazily so that asking about a ``.txt`` file never loads pypdf or lxml.
    """
    name = Path(path).name.lower()
    if name.endswith(".jsonl.gz") or name.endswith(".jsonl"):
        from indexer.readers import jsonl

        return jsonl.read
    suffix = Path(name).suffix
    if suffix in (".html", ".htm"):
        from indexer.readers import html

        return html.read
    if suffix in (".txt", ".md", ".markdown"):
        from indexer.readers import text

        return text.read
    if suffix == ".pdf":
        from indexer.readers import pdf

        return pdf.read
    if suffix in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):  # OCR: scanned pages
        from indexer.readers import image

        return image.read
    return None


def read(path: Path) -> Iterator[RawDocument | Failure]:
    """Read any supported file; raises ``ReadError`` for a suffix no reader handles."""
    path = Path(path)
    reader = reader_for(path)
    if reader is None:
        raise ReadError(f"unsupported file type '{path.suffix or path.name}'")
    return reader(path)


# --------------------------------------------------------------------------- decoding

_THAI_CODECS = {"tis-620", "tis620", "tis_620", "iso-8859-11", "iso8859-11", "iso8859_11",
                "windows-874", "x-windows-874", "cp874", "ms874", "dos-874"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls other than tab, newline, form feed and carriage return (and ESC, which
# is as suspicious as the rest): their presence in quantity means "not a text file".
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_THAI_MARK = ("\u0e31\u0e33\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a"
              "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")


def _codec_name(declared: str | None) -> str | None:
    """Python's name for a declared charset, mapping every Thai one to cp874.

    cp874 is a superset of TIS-620 (it adds curly quotes, the ellipsis and the
    dashes in 0x80–0x9F), and pages labelled TIS-620 often use those extras.
    """
    if not declared:
        return None
    name = declared.strip().strip("\"'").lower()
    if name in _THAI_CODECS:
        return "cp874"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def looks_like_thai(text: str) -> bool:
    """Whether text decoded as cp874 is plausibly Thai rather than mis-decoded bytes.

    Any byte sequence of 0xA1–0xFB decodes as "Thai", so we check the shape:
    most non-ASCII characters must be Thai, a fair share of those consonants,
    and combining marks must sit on a Thai letter (Latin-1 accents such as
    ``é`` land on tone marks after Latin letters).
    """
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return False
    thai = [c for c in non_ascii if "\u0e00" <= c <= "\u0e7f"]
    if len(thai) < 0.8 * len(non_ascii):
        return False
    consonants = sum(1 for c in thai if "\u0e01" <= c <= "\u0e2e")
    if consonants < 0.3 * len(thai):
        return False
    marks = orphans = 0
    previous = ""
    for c in text:
        if c in _THAI_MARK:
            marks += 1
            if not ("\u0e01" <= previous <= "\u0e2e" or previous in _THAI_MARK
                    or previous in "\u0e24\u0e26"):
                orphans += 1
        previous = c
    return orphans <= 0.1 * marks


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES)
    return controls > 0.02 * len(sample)


def read_text_file(path: Path, what: str, declared_from=None) -> str | Failure:
    """A file's bytes decoded as Thai text (see ``decode_text``), or a Failure
    with the path and the reason.  ``declared_from(data)`` may name the charset
    the file declares (HTML's meta tag)."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        return Failure(source, f"cannot read file ({err.strerror or err})")
    try:
        return decode_text(data, declared_from(data) if declared_from else None, what=what)
    except ReadError as err:
        return Failure(source, err.reason)


def decode_text(data: bytes, declared: str | None = None, what: str = "text") -> str:
    """Decode a Thai text or HTML file; raise ``ReadError`` with a short reason if impossible.

    Order of trust: a byte-order mark; then valid UTF-8 when it holds multi-byte
    sequences (they do not happen by chance, and pages often declare a charset
    they do not use); then the declared charset; then strict UTF-8; then cp874
    if the result looks like Thai. ``what`` names the format in the message
    about binary data ("binary data, not HTML").
    """
    if not data:
        raise ReadError("empty file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise ReadError(f"invalid {codec.upper()} despite its byte-order mark") from None
    if _looks_binary(data):
        raise ReadError(f"binary data, not {what}")
    try:
        as_utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    if as_utf8 is not None and not as_utf8.isascii():
        return as_utf8
    codec = _codec_name(declared)
    if codec and codec not in ("utf-8", "ascii"):
        try:
            decoded = data.decode(codec)
        except UnicodeDecodeError:
            pass
        else:
            if codec != "cp874" or decoded.isascii() or looks_like_thai(decoded):
                return decoded
    if as_utf8 is not None:
        return as_utf8
    try:
        decoded = data.decode("cp874")
    except UnicodeDecodeError:
        raise ReadError("not valid UTF-8 or TIS-620") from None
    if looks_like_thai(decoded):
        return decoded
    raise ReadError("not valid UTF-8 or TIS-620")


def title_from_text(text: str, limit: int = 200) -> str:
    """A title made of the first non-empty line, cut at a space when it is a whole paragraph."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            if len(line) <= limit:
                return line
            cut = line.rfind(" ", 0, limit)
            return line[: cut if cut > limit // 2 else limit].rstrip() + "…"
    return ""
