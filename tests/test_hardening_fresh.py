"""Issue 18 probed again with fresh eyes (qa_harden, 2026-12-07): the hostile queries,
ids, headers and indexing cases that still broke a request or a run, one test per
defect, each seen failing on the code before its fix.

Every input is built here at test time; searches run on the session index of the
bundled corpus with the real engine.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.engine import Index
from kb.search.budget import WorkBudget
from kb.search.finder import Finder
from kb.search.params import DEFAULT_PARAMS
from kb.search.parsing import chunk
from kb.search import rewrite


class CountingFinder(Finder):
    """The real finder, counting the index-word lookups made through it."""

    lookups = 0

    def doc_frequency(self, word: str) -> int:
        self.lookups += 1
        return super().doc_frequency(word)


@pytest.fixture(scope="module")
def finder(bundled_index: Path) -> CountingFinder:
    index = Index(bundled_index)
    return CountingFinder(index, index.snapshot(), DEFAULT_PARAMS, WorkBudget.start())


def test_joining_words_of_a_long_unspaced_clause_is_linear(finder):
    """999 × ก typed without a space (under the 1,000-character cap) once held a server
    thread for 10–30 s on 89 documents: the words of the clause were joined back into
    terms over every span, n²/2 lookups of strings up to n long.  A known term is at most
    a few words, so the lookups grow linearly with the words."""
    words = chunk("ก" * 999).words
    assert len(words) > 300
    finder.lookups = 0
    terms = rewrite._terms(finder, words)
    assert "".join(terms) == "".join(words)
    assert finder.lookups <= 10 * len(words), finder.lookups


def test_joining_still_finds_the_longest_known_term(finder):
    """The bound keeps what the joining is for: five segments of one thesaurus term
    (บัญชี|รับ|โอนเงิน|ผิดกฎหมาย) among other words come back as that term."""
    typed = "ข่าว" + "บัญชีรับโอนเงินผิดกฎหมาย" + "ชายแดน"
    terms = rewrite._terms(finder, chunk(typed).words)
    assert "บัญชีรับโอนเงินผิดกฎหมาย" in terms
