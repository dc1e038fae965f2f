"""kb's postings of a Typesense collection's words answer as a plain scan of the texts (issue 16).

No cluster: the postings are built from texts made here, in several segments,
and every word set, frequency and phrase set is compared with counting the
space-joined codes directly (what Typesense's token filter and phrase search match).
"""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

from kb import query as kq
from kb.engine import typesense_postings
from kb.engine.typesense_postings import PostingsBuilder
from kb.engine.typesense_scoring import B, K1, CollectionStats, score_many


def _corpus(seed: int, n: int) -> dict[int, dict[str, str]]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(40)]
    weights = [1 / (i + 1) for i in range(len(vocab))]
    return {
        d: {"words": " ".join(rng.choices(vocab, weights, k=rng.randint(0, 60))),
            "title": " ".join(rng.choices(vocab[:8], k=rng.randint(0, 5)))}
        for d in rng.sample(range(3 * n), n)  # docnums neither dense nor in stream order
    }


def _build(corpus, monkeypatch, segment_docs: int):
    monkeypatch.setattr(typesense_postings, "SEGMENT_DOCS", segment_docs)
    builder = PostingsBuilder(("words", "title"))
    for d, texts in corpus.items():
        builder.add(d, texts)
    return builder.finish()


def _holds(text: str, codes: tuple[str, ...]) -> bool:
    return f" {' '.join(codes)} " in f" {text} "


@pytest.mark.parametrize("segment_docs", [1, 7, 4096])
@pytest.mark.parametrize("in_order", [False, True], ids=["docnums-shuffled", "docnums-in-stream-order"])
def test_word_and_phrase_sets_equal_a_scan_of_the_texts(monkeypatch, segment_docs, in_order):
    corpus = _corpus(seed=segment_docs, n=150)
    if in_order:  # as a snapshot numbers documents: in export order (the linear path)
        corpus = dict(sorted(corpus.items()))
    postings = _build(corpus, monkeypatch, segment_docs)
    rng = random.Random(1)
    for name in ("words", "title"):
        for code in [f"w{i}" for i in range(42)]:
            docs, tfs = postings[name].term_docs(code)
            expected = sorted(d for d, t in corpus.items() if code in t[name].split())
            assert docs.tolist() == expected
            assert tfs.tolist() == [corpus[d][name].split().count(code) for d in expected]
        for length in (2, 3, 4):
            for _ in range(40):
                phrase = tuple(f"w{rng.randrange(6)}" for _ in range(length))
                expected = sorted(d for d, t in corpus.items() if _holds(t[name], phrase))
                assert postings[name].phrase_docs(phrase).tolist() == expected, phrase


def test_a_phrase_never_runs_from_one_document_into_the_next(monkeypatch):
    corpus = {0: {"words": "a b c"}, 1: {"words": "d e"}, 2: {"words": ""}, 3: {"words": "f"}}
    postings = _build(corpus, monkeypatch, 4096)["words"]
    assert postings.phrase_docs(("c", "d")).tolist() == []
    assert postings.phrase_docs(("e", "f")).tolist() == []
    assert postings.phrase_docs(("b", "c")).tolist() == [0]
    assert postings.phrase_docs(("a", "nowhere")).tolist() == []


def _reference_score(q, d, corpus, lengths, stats):
    """One document at a time, in plain Python: the formula of the docstring."""
    if isinstance(q, kq.Term):
        return q.boost * _reference_term(q.field, q.text, d, corpus, lengths, stats)
    if isinstance(q, kq.Phrase):
        if len(q.terms) > 1 and not _holds(corpus[d].get(q.field, ""), tuple(q.terms)):
            return 0.0
        return q.boost * sum(_reference_term(q.field, t, d, corpus, lengths, stats) for t in q.terms)
    return q.boost * sum(_reference_score(s, d, corpus, lengths, stats) for s in q.queries)


def _reference_term(field, word, d, corpus, lengths, stats):
    tf = corpus[d].get(field, "").split().count(word)
    if not tf:
        return 0.0
    idf = math.log(stats.n_docs / (stats.doc_frequency(field, word) + 1)) + 1
    b = B[field]
    return idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - b) + b * lengths[field][d] / stats.avg_length[field]))


def test_scores_of_every_candidate_at_once_equal_one_at_a_time(monkeypatch):
    corpus = _corpus(seed=3, n=120)
    postings = _build(corpus, monkeypatch, 16)
    size = max(corpus) + 1
    lengths = {f: np.array([len(corpus.get(d, {}).get(f, "").split()) for d in range(size)], dtype=np.float64)
               for f in ("words", "title")}
    stats = CollectionStats(len(corpus), {f: float(lengths[f].sum()) / len(corpus) for f in lengths},
                            lambda f, w: len(postings[f].term_docs(w)[0]))
    q = kq.AnyOf((kq.Term("words", "w1", 1.5), kq.Phrase("words", ("w0", "w2")), kq.Term("title", "w3", 2.0),
                  kq.AllOf((kq.Term("words", "w5"), kq.Phrase("title", ("w1", "w0"), 0.5)))))
    candidates = np.array(sorted(corpus), dtype=np.int32)
    scores = score_many(q, candidates, lambda f, w: postings[f].term_docs(w), lengths, stats,
                        lambda p: postings[p.field].phrase_docs(tuple(p.terms)))
    assert scores.tolist() == [_reference_score(q, d, corpus, lengths, stats) for d in candidates.tolist()]
    assert any(scores)


def test_field_lengths_are_the_embedded_engines_one_byte_lengths():
    """BM25F's ``dl`` on Typesense is the length Whoosh keeps in its byte, for every length."""
    from whoosh.util.numeric import byte_to_length, length_to_byte

    from kb.engine.typesense_scoring import stored_lengths

    lengths = np.arange(0, 120_000)
    expected = [byte_to_length(length_to_byte(int(n))) for n in lengths]
    assert stored_lengths(lengths).tolist() == expected


def test_swap_edits_is_whooshs_damerau_levenshtein():
    """The edit both engines' suggestions count (``kb.editdistance.swap_edits``) is the
    distance Whoosh's corrector measures over several segments, also when cut at a limit."""
    from whoosh.support.levenshtein import damerau_levenshtein

    from kb.editdistance import swap_edits

    rng = random.Random(3)
    letters = "กขคงาิีเมนยด"
    for _ in range(5000):
        a, b = ("".join(rng.choice(letters) for _ in range(rng.randint(0, 7))) for _ in range(2))
        expected = damerau_levenshtein(a, b)
        assert swap_edits(a, b) == expected, (a, b)
        assert all((swap_edits(a, b, limit) <= limit) == (expected <= limit) for limit in (1, 2))
    assert swap_edits("เมีนยมา", "เมียนมา") == 1
