"""Phrases checked on the candidates a caller can use give the same answers as whole ones.

A phrase of common words (และ ได้ มี) is held as words by most documents, and
each is checked on its positions.  ``Snapshot.matching_among`` and ``top``
check only the documents asked about; these tests compare them with the whole
answer restricted afterwards, on phrases drawn from the index at test time.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from kb import query as kq
from kb.engine.whoosh import open_index
from kb.models import SearchRequest
from kb.search import Searcher
from kb.search.budget import DEFAULT_LIMITS, WorkBudget
from kb.search.finder import Finder
from kb.search.params import DEFAULT_PARAMS
from kb.search.parsing import chunk, stopwords
from tests.test_engine_arrays import _vocabulary


def _phrases(snap, rng: random.Random, n: int) -> list[tuple[str, ...]]:
    words = [w for w in _vocabulary(snap, rng) if w.strip() and not w.isspace()]
    out = []
    for _ in range(n):
        i = rng.randrange(max(1, len(words) - 3))
        out.append(tuple(words[i : i + rng.choice([2, 3])]))
    return out


def test_a_phrase_checked_among_some_documents_is_the_whole_answer_restricted(bundled_index: Path) -> None:
    snap = open_index(bundled_index).snapshot()
    assert snap.arrays is not None
    rng = random.Random(12)
    everything = sorted(snap.docs)
    for terms in _phrases(snap, rng, 60):
        for fieldname in ("words", "title"):
            q = kq.AnyOf((kq.Phrase(fieldname, terms, 2.0), kq.Term("words", terms[0])))
            snap.arrays._terms.clear()  # no whole answer memoized: the restricted path runs
            among = set(rng.sample(everything, rng.randint(1, len(everything))))
            got = snap.matching_among(q, among)
            assert got == snap.whoosh_matching(q) & among, terms
            mask = np.zeros(snap.arrays.doc_count_all, dtype=bool)
            mask[sorted(among)] = True
            part = snap.arrays.evaluate(q, mask)
            whole = snap.arrays.evaluate(q)
            inside = mask[whole.docs]
            assert part.docs[mask[part.docs]].tolist() == whole.docs[inside].tolist()
            assert np.allclose(part.scores[mask[part.docs]], whole.scores[inside])


def test_verbatim_occurrences_are_those_of_the_whole_phrase_docset(bundled_index: Path) -> None:
    """``Finder.verbatim`` asks for the phrase's documents among those holding it as
    typed; the answer equals the one from the whole phrase docset."""
    index = open_index(bundled_index)
    snap = index.snapshot()
    rng = random.Random(3)
    for terms in _phrases(snap, rng, 40) + [("และ", "ได้"), ("ที่", "มี"), ("การ", "พัฒนา")]:
        c = chunk("".join(terms))
        if not c.words:
            continue
        snap.memo.clear()
        finder = Finder(index, snap, DEFAULT_PARAMS, WorkBudget.start(DEFAULT_LIMITS))
        got = finder.verbatim(c)
        snap.memo.clear()
        finder = Finder(index, snap, DEFAULT_PARAMS, WorkBudget.start(DEFAULT_LIMITS))
        whole = finder.docs(finder.phrase_query(c))  # memoized: verbatim now uses the whole docset
        want = finder.verbatim(c)
        assert got.aligned == want.aligned == whole.intersection(want.positions), terms
        assert dict(got.positions.items()) == dict(want.positions.items())
        assert finder.split(c.text, finder.scanned(c.text)[1])[0].keys() == got.positions.keys()


def test_search_results_do_not_depend_on_a_memoized_phrase(bundled_index: Path) -> None:
    index = open_index(bundled_index)
    searcher = Searcher(index)
    for q in ('"และได้"', "การพัฒนา ที่มี", "และได้มีการ", "รัฐบาลได้"):
        snap = index.snapshot()
        snap.memo.clear()
        snap.arrays._terms.clear()
        first = searcher.search(SearchRequest(q=q)).to_dict()
        second = searcher.search(SearchRequest(q=q)).to_dict()  # every docset memoized whole or in part
        assert first == second, q


def test_a_body_word_is_found_as_text_wherever_it_is_held(bundled_index: Path) -> None:
    """What ``Finder._never_inside_holders`` rests on: every document holding a word
    in its body holds it in its scan form too (so ``split`` counts it)."""
    from kb import analysis

    index = open_index(bundled_index)
    snap = index.snapshot()
    scan = snap.scan()
    rng = random.Random(5)
    words = sorted({w for w in _vocabulary(snap, rng, 40) if analysis.words(w) == [w]})
    for w in rng.sample(words, min(300, len(words))) + ["และ", "ที่", "การ", "มี"]:
        needle = analysis.scan_form(w, is_normalized=True)
        if not needle or b"\x1a" in needle:
            continue
        held = snap.matching(kq.Term("words", w))
        assert held <= set(scan.positions(needle)), w


def test_all_of_is_unchanged_for_common_words(bundled_index: Path) -> None:
    index = open_index(bundled_index)
    snap = index.snapshot()
    for words in (["และ", "ได้", "มี"], ["การ", "พัฒนา"], ["ที่", "ประชุม"], ["ว่า", "ไม่", "มี"]):
        snap.memo.clear()
        finder = Finder(index, snap, DEFAULT_PARAMS, WorkBudget.start(DEFAULT_LIMITS))
        content = [w for w in words if w not in stopwords()] or words
        want = finder._holding_all(words) - set().union(*(finder.inside_only(w) for w in content))
        assert finder.all_of(words) == want, words
