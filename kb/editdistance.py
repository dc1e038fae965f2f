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
