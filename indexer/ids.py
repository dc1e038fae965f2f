"""The one rule for document ids, and how paths are shown in a report.

Every indexed document must be reachable at ``/doc/<id>`` and
``/api/documents/<id>``, and every failure line must print on any terminal.
So an id is checked once, when it enters the index (a file's path relative to
the folder given to ``kb index``, or a JSONL record's ``id``), and a bad id
fails that one file or record with a reason; it is never silently rewritten,
because a rewritten id could collide with a real one.

An id is accepted when it is
- valid Unicode text (a file name that is not UTF-8, or a JSONL id with a lone
  surrogate, is refused);
- free of control characters and line/paragraph separators (no newlines), a tab
  aside: a tab is whitespace, prints as such, and is kept as it is (ThaiGov's
  archive has 346 release ids holding one; rewriting it could collide with a real id);
- at most ``MAX_ID_CHARS`` characters, not blank;
- a clean relative path: it neither starts nor ends with ``/``, holds no empty
  segment (``a//b``), and no ``.`` or ``..`` segment (``a/./b``, ``a/../b``).
"""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

MAX_ID_CHARS = 1000


def id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot be a document id (the reason for the report), or None."""
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (a lone surrogate, or a file name that is not UTF-8)"
    if not doc_id.strip():
        return "is empty"
    if len(doc_id) > MAX_ID_CHARS:
        return f"is too long ({len(doc_id):,} characters; the limit is {MAX_ID_CHARS:,})"
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") and ch != "\t" for ch in doc_id):
        return "holds a control character or line break"
    if doc_id.startswith("/") or doc_id.endswith("/"):
        return "starts or ends with '/'"
    for segment in doc_id.split("/"):
        if segment == "":
            return "holds an empty path segment ('//')"
        if segment in (".", ".."):
            return f"holds a '{segment}' path segment"
    return None


def printable(text: str | os.PathLike) -> str:
    """``text`` safe to print and to store as JSON: undecodable bytes of a file
    name, lone surrogates and control characters (a tab aside) become backslash escapes; any
    other text comes back unchanged."""
    if isinstance(text, os.PathLike):
        text = os.fspath(text)
    try:
        decoded = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        decoded = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(_escape(ch) if unicodedata.category(ch) in _UNPRINTABLE and ch != "\t" else ch for ch in decoded)


_UNPRINTABLE = ("Cc", "Cs", "Zl", "Zp")


def _escape(ch: str) -> str:
    return ch.encode("unicode_escape").decode("ascii")


def source_of(path: Path) -> str:
    """The ``source`` recorded for a file: its path, made printable."""
    return printable(str(path))
