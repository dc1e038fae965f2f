"""``scan_form`` collapses whitespace with ``str.split`` (issue 12): the same bytes as the regex it replaced."""
from __future__ import annotations

import random
import re

from kb import analysis

_SPACES = re.compile(r"\s+")


def _scan_form_by_regex(norm: str) -> bytes:
    return _SPACES.sub(" ", norm).strip().encode("cp874", errors="kb-unscannable")


def test_scan_form_equals_the_regex_collapse():
    rng = random.Random(20261207)
    # every kind of whitespace re and str know (and some they do not: zero width, BOM)
    alphabet = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u00a0", "\u1680", "\u2000", "\u2028",
                "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\ufeff", "\u180e", "a", "ก", "ำ", "1", "€", "😀"]
    for _ in range(50_000):
        norm = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert analysis.scan_form(norm, is_normalized=True) == _scan_form_by_regex(norm), repr(norm)
