"""Thai line breaking: word-break opportunities (``<wbr>``) from the same segmenter the index uses.

Thai has no spaces between words; a phone browser with ``overflow-wrap`` set
(or with a dictionary that lacks our domain words) breaks mid-word
("กองค|วามมั่นคง").  ``word-break: keep-all`` does not stop Chromium's own
Thai breaking, so titles and snippets get each word of ``kb.thai.segmenter`` in
a ``<span class="w">`` (``white-space: nowrap``) with a ``<wbr>`` between words:
lines break only where the index also sees a word boundary.
"""
from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

from kb.thai.segmenter import segment

_THAI_RUN = re.compile(r"[\u0e01-\u0e5b]+")
_TAG = re.compile(r"(<[^>]+>)")
# A domain term can be one long token (an agency's full name, 60 letters): kept
# unbreakable it would overflow a phone screen, so such a token is left to the
# browser's own Thai breaking.
NOWRAP_MAX_CHARS = 16


def _word(word: str) -> str:
    return f'<span class="{"w" if len(word) <= NOWRAP_MAX_CHARS else "wl"}">{escape(word)}</span>'


def _breakable(text: str) -> str:
    """Escaped ``text`` with ``<wbr>`` between the words of each Thai run."""
    out: list[str] = []
    pos = 0
    for m in _THAI_RUN.finditer(text):
        out.append(str(escape(text[pos:m.start()])))
        out.append("<wbr>".join(_word(w) for w in segment(m.group())))
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return "".join(out)


def thai_wbr(text: str | None) -> Markup:
    """Plain text → HTML with word-break opportunities."""
    return Markup(_breakable(text or ""))


def thai_wbr_html(fragment: str | Markup) -> Markup:
    """Our own HTML (escaped text and ``<mark>`` tags) with word-break opportunities in its text.

    Only the text between tags is segmented, after unescaping, so an entity
    such as ``&amp;`` is never cut.
    """
    parts = _TAG.split(str(fragment))
    return Markup("".join(p if i % 2 else _breakable(html.unescape(p)) for i, p in enumerate(parts)))
