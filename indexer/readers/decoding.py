"""Decoding Thai text files: UTF-8, or TIS-620/cp874 as still served by older Thai government sites.

Shared by the text and HTML readers (and ``title_from_text`` by every reader),
so it lives beside the registry rather than in one reader.
"""
from __future__ import annotations

import codecs
from pathlib import Path

from indexer.readers.registry import ReadError
from kb.thai.script import COMBINING_MARKS, SARA_AM
from kb.models import Failure

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
_THAI_MARK = COMBINING_MARKS + SARA_AM  # a str, so a first character ("" before it) is no orphan


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
