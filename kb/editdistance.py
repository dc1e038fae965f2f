"""Levenshtein distance: typo suggestions (the Typesense engine) and OCR character error rates.

One small function in one place; the strings it compares are short words or
a page of text, so the plain dynamic programme (two rows) is enough.
"""
from __future__ import annotations

from collections.abc import Sequence


def edits(a: Sequence, b: Sequence) -> int:
    """The number of insertions, deletions and substitutions that turn ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def swap_edits(a: Sequence, b: Sequence, limit: int | None = None) -> int:
    """Like ``edits``, with two neighbours swapped counting as one edit (the "optimal
    string alignment" distance, as Whoosh's corrector measures): เมีนยมา is one edit
    from เมียนมา.  With ``limit``, any answer above it may be cut to ``limit + 1``."""
    before, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if before is not None and j > 1 and ca != cb and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, before[j - 2] + 1)
            current.append(best)
        if limit is not None and min(current) > limit and min(previous) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]
