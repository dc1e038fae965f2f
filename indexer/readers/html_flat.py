"""The HTML reader's fallback: tag stripping by regular expressions.

Kept apart from ``html.py`` because it shares nothing with the tree walk: it is
used only for a page so deeply nested that even the iterative walk (or lxml
itself) gives up, and then keeps the page's words instead of failing it.
"""
from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable

_DROPPED_ELEMENTS = ("script", "style", "noscript", "template", "svg", "nav", "footer", "aside",
                     "header", "form", "iframe")


def strip_tags(markup: str, block_tags: Iterable[str]) -> tuple[str, str]:
    """(title, body text) of a page: chrome and scripts dropped, blocks turned into line breaks."""
    title_match = re.search(r"<title[^>]*>(.*?)</title>", markup, re.I | re.S)
    title = html_lib.unescape(re.sub(r"<[^>]+>", " ", title_match.group(1))) if title_match else ""
    body = re.sub(r"<head\b.*?</head>", " ", markup, flags=re.I | re.S)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    for tag in _DROPPED_ELEMENTS:
        body = re.sub(rf"<{tag}\b.*?</{tag}\s*>", " ", body, flags=re.I | re.S)
    body = re.sub(r"\s+", " ", body)
    block = "|".join(sorted(block_tags))
    body = re.sub(rf"</?(?:{block})\b[^>]*>", "\n", body, flags=re.I)
    body = re.sub(r"<[^>]*>", " ", body)
    return title, html_lib.unescape(body)
