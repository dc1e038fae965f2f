"""Exact substring search over every document: the sub-word layer of search.

Thai word segmentation of a document and of a query disagree often (the index
holds การค้า|มนุษย์, the user types ค้ามนุษย์).  Rather than indexing a
character n-gram at every position (measured: it cut Whoosh indexing several
fold and made phrase verification the slowest part of a query), each
document's scan form (``kb.analysis.scan_form``: normalized, one byte per Thai
character) is kept in one buffer, and a query chunk is found with ``bytes.find``
— exact, any length, at C speed.  It gives per-document occurrence counts, so
the chunk is ranked like a term (BM25 over its true tf and df).

Matches must be cluster-aligned: not starting on a combining mark or right
after a leading vowel, not ending before a combining mark (กา does not match
inside เกา, กี does not match inside กี่).
"""
from __future__ import annotations

import bisect
from collections import Counter

# TIS-620 byte values: combining marks (ั ิ-ฺ ็-๎) and leading vowels (เ-ไ)
_MARKS = frozenset([0xD1, *range(0xD4, 0xDB), *range(0xE7, 0xEF)])
_LEADING = frozenset(range(0xE0, 0xE5))
SEPARATOR = b"\x00\n"


class TextScan:
    """Scan forms of a set of documents, searchable by exact substring."""

    def __init__(self, docs: list[tuple[int, bytes]]):
        self.docnums: list[int] = []
        self.starts: list[int] = []
        self.lengths: dict[int, int] = {}
        parts: list[bytes] = []
        pos = 0
        for docnum, form in docs:
            self.docnums.append(docnum)
            self.starts.append(pos)
            self.lengths[docnum] = len(form)
            parts.append(form)
            pos += len(form) + len(SEPARATOR)
        self.buffer = SEPARATOR.join(parts)
        total = sum(self.lengths.values())
        self.avg_length = total / len(self.lengths) if self.lengths else 1.0

    def __len__(self) -> int:
        return len(self.docnums)

    def positions(self, needle: bytes, max_matches: int = 2_000_000) -> dict[int, list[int]]:
        """docnum → offsets (in the document's scan form) of cluster-aligned occurrences."""
        out: dict[int, list[int]] = {}
        if not needle or b"\x1a" in needle or SEPARATOR[:1] in needle:
            return out
        if needle[0] in _MARKS:  # a query cannot start in the middle of a cluster
            return out
        buf = self.buffer
        end_limit = len(buf)
        n = len(needle)
        find = buf.find
        starts, docnums = self.starts, self.docnums
        i = find(needle)
        seen = 0
        while i != -1 and seen < max_matches:
            seen += 1
            if (i == 0 or buf[i - 1] not in _LEADING) and (i + n >= end_limit or buf[i + n] not in _MARKS):
                k = bisect.bisect_right(starts, i) - 1
                out.setdefault(docnums[k], []).append(i - starts[k])
            i = find(needle, i + 1)
        return out

    def counts(self, needle: bytes) -> Counter[int]:
        """docnum → number of cluster-aligned occurrences of ``needle``."""
        return Counter({d: len(p) for d, p in self.positions(needle).items()})
