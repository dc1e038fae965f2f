"""The blend of tiers 2-3 within the search's work budget (issue 13: OR queries ranked).

A question typed with OR used to skip the blend (strict BM25F order) because the
blend was not bounded: the 44-letter ``ก OR ข OR … OR ฮ`` asked it to look for 44
one-letter words in every candidate and to count each in the whole collection.
Now the blend measures a bounded pool on a bounded number of words, and these
tests check the bounds by counting work (``WorkBudget``), never by timing.
"""
from __future__ import annotations

import pytest

from kb.engine import Index
from kb.models import SearchRequest
from kb.search import Searcher, WorkLimits
from tests.webutil import corpus_index

THAI_LETTERS = [chr(c) for c in range(0x0E01, 0x0E2F)]  # ก … ฮ
NO_DEADLINE = WorkLimits(seconds=1e9)  # what bounds the work here must be the counts, not the clock


@pytest.fixture(scope="module")
def index() -> Index:
    return Index(corpus_index())


def test_a_question_typed_with_or_is_ranked_by_the_blend(index):
    searcher = Searcher(index, limits=NO_DEADLINE)
    result, work = searcher.search_counted(SearchRequest(q="ยาเสพติด OR การค้ามนุษย์ ชายแดน มีอะไรบ้าง"))
    assert result.hits and work.blended > 0
    assert work.blend_words > 0


def test_the_44_letter_or_question_blends_a_bounded_pool_on_bounded_words(index):
    searcher = Searcher(index, limits=NO_DEADLINE)
    q = " OR ".join(THAI_LETTERS[:44]) + " มีอะไรบ้าง"
    result, work = searcher.search_counted(SearchRequest(q=q, limit=100))
    assert result.total > 0 and work.blended > 0
    assert work.blend_words <= NO_DEADLINE.blend_words
    assert work.blended <= 2 * NO_DEADLINE.blend_candidates
    assert not work.exhausted
    # the letters are found as words: no pass over the collection per letter (ก alone was
    # 2,000,000 occurrences and 34 s in 62,895 releases); only the question word's clause
    assert work.scans <= 3


def test_tighter_blend_limits_are_obeyed_and_still_answer_a_full_page(index):
    limits = WorkLimits(seconds=1e9, blend_candidates=6, blend_words=3)
    searcher = Searcher(index, limits=limits)
    q = " OR ".join(THAI_LETTERS[:44]) + " มีอะไรบ้าง"
    result, work = searcher.search_counted(SearchRequest(q=q, limit=30))
    assert 0 < work.blended <= 2 * 6 and work.blend_words == 3
    assert len(result.hits) == min(30, result.total)  # past the measured pool, BM25F fills the page
    assert len({h.id for h in result.hits}) == len(result.hits)


def test_blend_limits_do_not_change_an_ordinary_question(index):
    q = "มาตรการป้องกันการค้ามนุษย์ในภาคประมงมีอะไรบ้าง"
    bounded = Searcher(index).search(SearchRequest(q=q))
    unbounded = Searcher(index, limits=WorkLimits(seconds=1e9, blend_candidates=10**6, blend_words=10**6))
    assert [h.id for h in bounded.hits] == [h.id for h in unbounded.search(SearchRequest(q=q)).hits]
