"""What a page declares about itself in its raw markup, read before (and apart from) parsing.

The charset decides how the bytes are decoded; the access level (issue 17) must
survive a page that falls back to the flat parser.  Both are read with regular
expressions over the first bytes, never through the parse tree.
"""
from __future__ import annotations

import re

_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def declared_access(markup: str) -> str | None:
    """The level a page declares in ``<meta name="kb-access" content="...">`` (issue 17).

    Read from the raw markup, not the parse tree, so a page that falls back to
    the flat parser keeps its level; the indexer checks the value.
    """
    for tag in _META_TAG.findall(markup[:200_000]):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _ATTR.finditer(tag)}
        if attrs.get("name", "").strip().lower() == "kb-access":
            return attrs.get("content", "").strip()
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (meta charset, http-equiv, XML prolog)."""
    head = data[:4096].decode("latin-1")
    match = re.search(r"<meta[^>]+charset\s*=\s*[\"']?\s*([\w:.-]+)", head, re.I) or re.search(
        r"<\?xml[^>]+encoding\s*=\s*[\"']([\w:.-]+)", head, re.I
    )
    return match.group(1) if match else None
