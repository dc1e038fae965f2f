"""Docsets and occurrences of one index snapshot, memoized there.

Pages and facet clicks repeat the same query; the snapshot's ``memo`` keeps
each docset, scan and compound split for as long as the snapshot lives.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from kb import analysis
from kb import query as kq
from kb.scan_offsets import DocOffsets
from kb.search.align import cuts_number, is_aligned, is_whole_span
from kb.search.budget import WorkBudget
from kb.search.params import RankingParams
from kb.search.parsing import Chunk, stopwords
from kb.search.scoring import Occurrences, bm25_idf
from kb.engine import Index, Snapshot

CHECKS_PER_DOC = 8  # occurrences checked for alignment in one document before it is judged partial
MAX_CHECKS = 4000  # alignment checks per needle (≈ 30 µs each); past it, the word index judges
FEW_WHOLE = 20  # a clause held as typed by at most this many documents is rare, whatever its words
SHORT_WORD_UNITS = 6  # a query word this short is checked for matches inside other words (สงขลา in สงขลานครินทร์)


def word_query(word: str, params: RankingParams, boost: float = 1.0) -> kq.Query:
    """Documents containing one query word as a word (BM25F over body and title)."""
    return kq.AnyOf((kq.Term("words", word, boost), kq.Term("title", word, params.boost_title * boost)))


def _checks(positions: Mapping[int, list[int]]) -> int:
    """Alignment checks ``split`` would make (capped per document)."""
    if isinstance(positions, DocOffsets):
        return int(np.minimum(positions.counts, CHECKS_PER_DOC).sum())
    return sum(min(len(o), CHECKS_PER_DOC) for o in positions.values())


class Finder:
    """Answers "which documents, where" for one snapshot, within one search's budget."""

    def __init__(self, index: Index, snap: Snapshot, params: RankingParams, budget: WorkBudget):
        self.index = index
        self.snap = snap
        self.memo = snap.memo
        self.params = params
        self.budget = budget
        self._inside: dict[str, set[int]] = {}  # this search's inside_only answers

    def docs(self, q: kq.Query) -> set[int]:
        key = ("docs", q)
        found = self._recall(key)
        if found is None:
            found = self._remember_set(key, self.index.docset(self.snap, q))
        return found

    def _recall(self, key: tuple) -> set[int] | None:
        """A docset this search has already read or made, else the memo's (callers never
        change a docset they are given: the memo hands out its small ones as they are)."""
        found = self.budget.docsets_seen.get(key)
        if found is None:
            found = self.memo.get(key)
            if found is not None:
                self.budget.docsets_seen[key] = found
        return found

    def _remember_set(self, key: tuple, docs: set[int]) -> set[int]:
        self.budget.docsets_seen[key] = docs
        return self._remember(key, docs)

    def doc_frequency(self, word: str) -> int:
        return self.index.doc_frequency(self.snap, "words", word)

    def phrase_query(self, c: Chunk, weight: float = 1.0) -> kq.Query:
        words = tuple(c.words)
        boost = self.params.boost_phrase * weight
        return kq.AnyOf((kq.Phrase("words", words, boost), kq.Phrase("title", words, boost * self.params.boost_title)))

    def verbatim(self, c: Chunk, as_word: bool = False) -> Occurrences:
        """Where the chunk occurs as typed and word-aligned: documents, positions.

        ``as_word``: only documents holding it as an index word count (a short
        synonym).  Occurrences only inside other words are left out (see
        ``partial``).  Without the sub-word layer, or past the query's scan
        budget, only the word-aligned documents are known (with no positions).
        """
        if not c.words:
            return Occurrences(0.0, {}, set())
        found = self.scanned(c.text) if self.snap.subword and self.budget.may_scan() else None
        if found is None:
            aligned = self.docs(self.phrase_query(c))
            return Occurrences(1.0, {d: [] for d in aligned}, aligned)
        key = (c.text, tuple(c.words), as_word)
        seen = self.budget.verbatim_seen.get(key)
        if seen is not None and seen[0] is found:  # this search asked already (rewrite, then the plan)
            return seen[1]
        occ = self._verbatim_of(c, found, as_word)
        self.budget.verbatim_seen[key] = (found, occ)
        return occ

    def _verbatim_of(self, c: Chunk, found: tuple[float, Mapping[int, list[int]]], as_word: bool) -> Occurrences:
        """``verbatim`` of a chunk from its scan ``found`` (idf, occurrences)."""
        _, scanned = found
        positions = self.split(c.text, scanned)[0]
        # its idf from the documents holding it as a word, not from every occurrence: แพร่ is
        # mostly inside เผยแพร่, and weighed as if in most releases it lost to its English name
        idf = bm25_idf(max(1, len(self.snap.scan())), max(1, len(positions)))
        if as_word:
            aligned = self.docs(self.phrase_query(c))
            positions = {d: offsets for d, offsets in positions.items() if d in aligned}
            positions.update((d, []) for d in aligned if d not in positions)
            return Occurrences(idf, positions, aligned.intersection(positions))
        # only the documents holding it as typed can count as holding it as words here
        aligned = self.docs_among(self.phrase_query(c), c.text, scanned)
        return Occurrences(idf, positions, aligned.intersection(positions))

    def docs_among(self, q: kq.Query, text: str, among: Mapping[int, object]) -> set[int]:
        """``docs(q)`` within the documents of the scan of ``text`` (``among``), memoized.

        A phrase of common words (และ ได้ มี) is held by most documents, each
        checked on its positions; its typed text, by far fewer."""
        whole = self._recall(("docs", q))
        if whole is not None:
            return whole.intersection(among)
        key = ("docs-among", q, text)
        found = self._recall(key)
        if found is None:
            docs = set(among.docs.tolist()) if isinstance(among, DocOffsets) else set(among)
            found = self._remember_set(key, self.snap.matching_among(q, docs))
        return found

    def as_words(self, c: Chunk, weight: float = 1.0) -> Occurrences:
        """Where the chunk occurs as index words (no scan: a thesaurus term), its
        idf scaled by ``weight``."""
        found = self.docs(self.phrase_query(c)) if c.words else set()
        idf = bm25_idf(max(1, len(self.snap.docs)), max(1, len(found))) * weight
        return Occurrences(idf, {d: [] for d in found}, found)

    def partial(self, text: str) -> dict[int, list[int]]:
        """Documents where ``text`` occurs only inside other words (or across a word
        boundary), with those offsets (memoized; empty without a scan)."""
        found = self._made_scan(analysis.scan_form(text, is_normalized=True))
        inside = self.split(text, found[1])[1] if found else {}
        if inside and (text[:1].isalnum() and text[:1].isascii() or text[-1:].isalnum() and text[-1:].isascii()):
            inside = self._uncut(text, inside)
        return inside

    def _uncut(self, text: str, inside: dict[int, list[int]]) -> dict[int, list[int]]:
        """The occurrences that cut no number or Latin word: 1 inside 17 is no match at all."""
        return self._kept(("uncut", text), text, inside, lambda form, o, n: not cuts_number(form, o, n))

    def _kept(self, key: tuple, text: str, inside: dict[int, list[int]], keep) -> dict[int, list[int]]:
        """The documents (and their offsets) with an occurrence of ``text`` that ``keep``
        accepts (``keep(form, offset, length)``), memoized under ``key``."""
        found = self.memo.get(key)
        if found is not None:
            return found
        scan = self.snap.scan()
        where = self._starts()
        length = len(analysis.scan_form(text, is_normalized=True))
        out: dict[int, list[int]] = {}
        for doc, offsets in inside.items():
            form = scan.buffer[where[doc] : where[doc] + scan.lengths[doc]]
            kept = [o for o in offsets[:CHECKS_PER_DOC] if keep(form, o, length)]
            if kept:
                out[doc] = kept
        return self._remember(key, out)

    def split(self, text: str, positions: dict[int, list[int]]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """(aligned, partial): the documents of a scan holding ``text`` as a word at
        least once (with their occurrences), and those holding it only inside words.

        Each check segments a window of text, so the checks are bounded: a
        one-cluster needle, and every document past ``MAX_CHECKS``, is judged
        by the word index instead (does the document hold it as a word).
        """
        key = ("split", text)
        found = self.memo.get(key)
        if found is not None:
            return found
        if len(analysis.units(text)) < 2 or _checks(positions) > MAX_CHECKS:
            words = self.docs_among(self.phrase_query(Chunk(text, analysis.words(text))), text, positions)
            if isinstance(positions, DocOffsets):  # a common chunk: split the arrays, make no lists
                held = np.isin(positions.docs, np.fromiter(words, dtype=np.int64, count=len(words)))
                return self._remember(key, (positions.subset(held), positions.subset(~held)))
            return self._remember(key, (
                {d: o for d, o in positions.items() if d in words}, {d: o for d, o in positions.items() if d not in words}
            ))
        scan = self.snap.scan()
        where = self._starts()
        buf = scan.buffer
        length = len(analysis.scan_form(text, is_normalized=True))
        aligned: dict[int, list[int]] = {}
        partial: dict[int, list[int]] = {}
        for doc, offsets in positions.items():
            start = where[doc]
            form = buf[start : start + scan.lengths[doc]]
            if any(is_aligned(form, o, length) for o in offsets[:CHECKS_PER_DOC]):
                aligned[doc] = offsets
            else:
                partial[doc] = offsets
        return self._remember(key, (aligned, partial))

    def whole_clause(self, c: Chunk, aligned: Collection[int]) -> dict[int, list[int]]:
        """Documents holding a rare clause of several words as typed, though not
        word-aligned (ภาคทุก in ส่วนภูมิภาคทุกคน), with those offsets: they count as
        holding it (tier 1), like a span pasted from the document.

        Rare: no more documents hold it as typed, aligned or not, than hold all
        its words, or at most ``FEW_WHOLE``.  A single word keeps the alignment rule (ตาก in ตากใบ), and no
        occurrence counts that cuts a number or a name (``align.is_whole_span``).
        """
        inside = self.partial(c.text) if len(c.words) >= 2 else {}
        if not inside:
            return {}
        # pieces of words (สา|หก|รร|มท|หาร of อุตสาหกรรมทหาร) are held together by few documents
        content = list(dict.fromkeys(c.words))[: self.params.max_words]
        as_typed = len(inside) + len(aligned)
        # all_of is a subset of the documents holding every word: decided on those when it can
        # be (exact), before scanning every short word for where it is only inside others
        if as_typed > max(len(self._holding_all(content)), FEW_WHOLE):
            return {}
        if as_typed > max(len(self.all_of(content)), FEW_WHOLE):
            return {}
        return self._kept(("whole", c.text), c.text, inside, is_whole_span)

    def _starts(self) -> dict[int, int]:
        """docnum → where its scan form starts in the scan buffer."""
        where = self.memo.get(("starts",))
        if where is None:
            scan = self.snap.scan()
            where = self._remember(("starts",), dict(zip(scan.docnums, scan.starts)))
        return where

    def inside_only(self, word: str) -> set[int]:
        """Documents holding a short query word only inside other words (ตาก in
        ตากใบ), though the index may hold it as a word (its cut was ตาก|ใบ)."""
        if not self.snap.subword:
            return set()
        if word not in self._inside:
            # a word the query already scanned costs nothing more; another one, a scan if short
            found = self._made_scan(analysis.scan_form(word, is_normalized=True))
            if found is None and len(analysis.units(word)) <= SHORT_WORD_UNITS and self.budget.may_scan():
                found = self.scanned(word)
            self._inside[word] = set(self.split(word, found[1])[1]) if found else set()
        return self._inside[word]

    def scanned(self, normalized: str) -> tuple[float, dict[int, list[int]]] | None:
        """(idf, docnum → offsets) of a text's exact occurrences; None if it cannot be scanned."""
        needle = analysis.scan_form(normalized, is_normalized=True)
        if b"\x1a" in needle or not needle:
            return None
        key = ("scan", needle)
        found = self.budget.scans_made.get(needle) or self.memo.get(key)
        if found is None:
            scan = self.snap.scan()
            positions = scan.positions(needle, stop=self.budget.spent)  # a one-letter pass stops at the deadline
            n = max(1, len(scan))
            found = self._remember(key, (bm25_idf(n, max(1, len(positions))), positions))
        self.budget.scans_made[needle] = found
        return found

    def _made_scan(self, needle: bytes) -> tuple[float, Mapping[int, list[int]]] | None:
        """A scan already made: by this search (kept whatever the memo has dropped since),
        or by an earlier one (still in the memo)."""
        return self.budget.scans_made.get(needle) or self.memo.get(("scan", needle))

    def parts(self, word: str) -> list[str]:
        """The index words a compound query word is made of (ทางวิทยาศาสตร์ → วิทยาศาสตร์).

        The query side may join words the documents keep apart; greedy longest
        matches of at least two clusters against the index vocabulary, function
        words dropped.
        """
        key = ("parts", word)
        found = self.memo.get(key)
        if found is not None:
            return found
        us = analysis.units(word)
        out: list[str] = []
        # only a compound the documents (almost) never hold as a word needs taking apart
        rare = self.doc_frequency(word) <= self.params.parts_max_df
        if rare and len(us) >= 4 and analysis.runs(word) and analysis.runs(word)[0].thai:
            i = 0
            while i < len(us) - 1:
                for j in range(len(us), i + 1, -1):
                    piece = "".join(us[i:j])
                    if piece != word and self.doc_frequency(piece) > 0:
                        if piece not in stopwords():
                            out.append(piece)
                        i = j
                        break
                else:
                    i += 1
        return self._remember(key, out)

    def all_of(self, words: list[str]) -> set[int]:
        """Documents holding every word (function words skipped when there are others)."""
        content = [w for w in words if w not in stopwords()] or words
        inside = (self.inside_only(w) for w in content if not self._never_inside_holders(w))
        return self._holding_all(words) - set().union(*inside)

    def _never_inside_holders(self, word: str) -> bool:
        """Is ``inside_only(word)`` surely disjoint from the documents holding it as a word?

        So for a common word, whose scan (และ: 1.4 M occurrences) costs more than
        the rest of a query: ``split`` judges it by the word index (one cluster,
        or more than ``MAX_CHECKS`` checks: each document holding it as a body word
        holds it as text, once at least), and those documents are then the ones
        holding it as a word, never partial.  The one exception seen, a body word
        the segmenter cut before a stray mark (ไม่ of ไม่้: 1 of 32,396 documents at
        63,000 releases), is why twice ``MAX_CHECKS`` holders are asked for: more
        than half of them would have to be such cuts for the answer to change.
        """
        if analysis.words(word) != [word]:
            return False
        return len(analysis.units(word)) < 2 or len(self.docs(kq.Term("words", word))) > 2 * MAX_CHECKS

    def _holding_all(self, words: list[str]) -> set[int]:
        """``all_of`` before the words only inside other words are taken out."""
        content = [w for w in words if w not in stopwords()] or words
        if len(content) == 1:
            return self.docs(word_query(content[0], self.params))
        return self.docs(kq.AllOf(tuple(word_query(w, self.params) for w in content)))

    def word_docs(self, word: str, aligned: bool = True) -> set[int]:
        """Documents holding a query word as a word, or all the parts it is made of
        (``aligned``: not those where it is only inside other words, ตาก in ตากใบ)."""
        found = self.docs(word_query(word, self.params))
        parts = self.parts(word)
        if parts:
            found = found | set.intersection(*(self.docs(word_query(p, self.params)) for p in parts))
        return found - self.inside_only(word) if aligned else found

    def _remember(self, key, value):
        # the memo bounds itself in bytes (``kb.engine.memo``); it was also cleared
        # whole past 512 entries, which a 60-query pass at 63k reached: every repeat missed
        self.memo[key] = value
        return value
