"""'Did you mean' from the postings arrays answers as Whoosh's corrector does.

Whoosh merges every segment's terms with the query's first letter one key at a
time: at 63,000 releases a misspelt word starting with เ walked 68,000 keys
(~0.5 s).  ``WhooshSnapshot._suggest_from_arrays`` takes the same terms from
the arrays and ranks them by Whoosh's rule.  Misspellings are made at test time
from the index's own words (a letter dropped, doubled, swapped or replaced).
"""
from __future__ import annotations

import random
from pathlib import Path

from whoosh.reading import IndexReader

from kb.engine.whoosh import open_index
from tests.test_engine_arrays import _vocabulary


def _misspelt(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, max(2, len(word)))
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i - 1 : i] + word[i:]
    if kind == 2 and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("กขคงจนมยรลวสอ") + word[i + 1 :]


def test_suggestions_from_the_arrays_are_whooshs(bundled_index: Path) -> None:
    snap = open_index(bundled_index).snapshot()
    assert snap.arrays is not None
    rng = random.Random(11)
    words = sorted({w for w in _vocabulary(snap, rng, 30) if len(w) >= 3})
    asked = [_misspelt(rng, w) for w in rng.sample(words, min(60, len(words)))] + ["ประชุมมม", "รัฐบาลล", "zzz"]
    for text in asked:
        for maxdist in (1, 2):
            for limit in (1, 5, 50):
                with snap.lock:
                    reader = snap.searcher.reader()
                    # Whoosh's path for several segments (MultiReader): every term with the first letter, measured
                    want = sorted(
                        ((0 - (maxdist + 1.0 / (reader.frequency("words", w) or 1) * 0.5), w)
                         for w in IndexReader.terms_within(reader, "words", text, maxdist, prefix=1)),
                    )
                want = [w for _, w in sorted(sorted(want)[::-1][:limit], key=lambda sw: (0 - sw[0], sw[1]))]
                assert snap._suggest_from_arrays("words", text, maxdist, limit) == want, (text, maxdist, limit)
