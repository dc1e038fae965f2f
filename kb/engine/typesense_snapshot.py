"""One state of a Typesense collection as a search reads it (issue 16).

Split from ``typesense.py`` (the writer and the index stay there) because the
reading side grew its own strategy.  A snapshot holds the metadata of every
document (facets, as the embedded engine keeps it in memory), field lengths,
and positional postings of the encoded words (``typesense_postings``), read in
one streamed export the first time a search needs them (or with the sub-word
layer when ``kb serve`` warms up).

**Where matching sets come from.** Listing the ids of a common word's documents
is Typesense 0.24's slow path: an export reads every matching document from its
store (measured 300–700 ms for a word in most of 2,000 releases, on 2 cores; far
worse at 63,000), and a query needs one per word.  So word and phrase sets,
document and term frequencies come from the postings: a phrase is its words'
codes at consecutive positions, exactly what Typesense's token filter and
phrase search match (``SETS_FROM_TYPESENSE`` asks Typesense instead: the tests
compare both).  ``top`` scores BM25F over the candidates as arrays.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Collection, Iterable

import numpy as np

from kb import query as kq
from kb.editdistance import swap_edits
from kb.engine.base import Snapshot, rank_suggestions
from kb.engine.typesense_cluster import Cluster, side
from kb.engine.typesense_postings import FieldPostings, PostingsBuilder
from kb.engine.typesense_scoring import CollectionStats, score_many, stored_lengths
from kb.engine.typesense_rows import scan_bytes, stored_document
from kb.engine.typesense_terms import decode, encode, encode_text
from kb.models import Document
from kb.textscan import TextScan

ID_CHUNK = 100  # ids per filter (delete)
PAGE = 250  # Typesense's largest page
FIELDS = ("words", "title")  # the searchable fields (``typesense_cluster.schema``)
MEMO_ENTRIES = 4096  # word sets and stored documents a snapshot remembers before starting over
PREFETCH_MOST = MEMO_ENTRIES // 4  # documents one prefetch reads ahead
SETS_FROM_TYPESENSE = False  # True: sets and counts asked of Typesense (the tests' cross-check of the postings)
_EMPTY = np.zeros(0, dtype=np.int32)


def exported(text: str) -> Iterable[dict]:
    """The rows of a Typesense export (JSON lines)."""
    return (json.loads(line) for line in text.splitlines() if line.strip())


@dataclass(eq=False)
class TypesenseSnapshot(Snapshot):
    """The metadata of one collection state, and the queries that read the cluster."""

    cluster: Cluster | None = None
    physical: str = ""
    stamp: str = ""
    packed: bool = False  # side values compressed (``typesense_rows``)
    tsids: list[str] = field(default_factory=list)  # docnum → Typesense id
    by_tsid: dict[str, int] = field(default_factory=dict)
    lengths: dict[int, dict[str, int]] = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, repr=False)  # bounded memo: sets, counts, stored documents
    _once: dict = field(default_factory=dict, repr=False)  # per snapshot: statistics, vocabularies, length columns
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _postings: dict[str, FieldPostings] | None = field(default=None, repr=False)
    _post_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _documents(self):
        return self.cluster.client.collections[self.physical].documents

    def _remember(self, key, compute, memo: dict | None = None):
        memo = self._cache if memo is None else memo
        with self._lock:
            if key in memo:
                return memo[key]
        value = compute()
        with self._lock:
            if memo is self._cache and len(memo) >= MEMO_ENTRIES:
                memo.clear()  # bounded: a long-running server sees ever new words
            memo[key] = value
        return value

    def _docnums(self, rows: Iterable[dict]) -> np.ndarray:
        by_tsid = self.by_tsid
        return np.array(sorted({by_tsid[r["id"]] for r in rows if r.get("id") in by_tsid}), dtype=np.int32)

    # -- the postings

    def postings(self) -> dict[str, FieldPostings]:
        """The postings of every field: built while the snapshot was opened (one export
        of the main collection), else read from Typesense on first use."""
        if self._postings is None:
            with self._post_lock:
                if self._postings is None:
                    builder = PostingsBuilder(FIELDS)
                    for row in self.cluster.export_rows(self.physical, "id,words,title"):
                        d = self.by_tsid.get(row.get("id"))
                        if d is not None:  # else a batch not yet committed
                            builder.add(d, row)
                    self._postings = builder.finish()
        return self._postings

    def memory(self) -> dict[str, int]:
        out = super().memory()
        if self._postings is not None:
            out["postings"] = sum(p.nbytes() for p in self._postings.values())
        return out

    # -- matching sets

    def _term(self, fieldname: str, word: str) -> tuple[np.ndarray, np.ndarray | None]:
        """(docnums ascending, term frequencies or None when asked of Typesense)."""

        def fetch():
            if SETS_FROM_TYPESENSE:
                with self.cluster.errors("search"):
                    text = self._documents().export({"filter_by": f"{fieldname}:{encode(word)}", "include_fields": "id"})
                return self._docnums(exported(text)), None
            postings = self.postings().get(fieldname)
            return postings.term_docs(encode(word)) if postings else (_EMPTY, _EMPTY)

        return self._remember(("term", fieldname, word), fetch)

    def _phrase(self, fieldname: str, words: tuple[str, ...]) -> np.ndarray:
        def fetch():
            if SETS_FROM_TYPESENSE:
                return self._searched_phrase(fieldname, words)
            postings = self.postings().get(fieldname)
            return postings.phrase_docs(tuple(encode(w) for w in words)) if postings else _EMPTY

        return self._remember(("phrase", fieldname, words), fetch)

    def _searched_phrase(self, fieldname: str, words: tuple[str, ...]) -> np.ndarray:
        """Typesense's quoted phrase search, exact (no typos, no prefixes), every page."""
        if any(not self.doc_frequency(fieldname, w) for w in words):
            return _EMPTY  # counts (1–2 ms) spare a search when a word is nowhere
        params = {
            "q": '"' + encode_text(words) + '"',
            "query_by": fieldname,
            "num_typos": 0,
            "prefix": False,
            "drop_tokens_threshold": 0,
            "typo_tokens_threshold": 0,
            "include_fields": "id",
            "highlight_fields": "none",
            "per_page": PAGE,
        }
        hits: list[dict] = []
        page = 1
        with self.cluster.errors("search"):
            while True:
                result = self._documents().search({**params, "page": page})
                hits += [h["document"] for h in result["hits"]]
                if page * PAGE >= result["found"] or not result["hits"]:
                    return self._docnums(hits)
                page += 1

    def _set(self, q: kq.Query) -> np.ndarray:
        if isinstance(q, kq.Term):
            return self._term(q.field, q.text)[0]
        if len(q.terms) == 1:
            return self._term(q.field, q.terms[0])[0]
        return self._phrase(q.field, tuple(q.terms)) if q.terms else _EMPTY

    def matching(self, q: kq.Query) -> set[int]:
        if isinstance(q, (kq.Term, kq.Phrase)):
            return set(self._set(q).tolist())
        if isinstance(q, kq.AnyOf):
            out: set[int] = set()
            for s in q.queries:
                out |= self.matching(s)
            return out
        if isinstance(q, kq.AllOf):
            if not q.queries:
                return set()
            out = self.matching(q.queries[0])
            for s in q.queries[1:]:
                if not out:
                    break
                out &= self.matching(s)
            return out
        if isinstance(q, kq.Every):
            return set(self.docs)
        if isinstance(q, kq.Nothing):
            return set()
        raise TypeError(f"cannot match {q!r}")

    # -- scoring

    def top(self, q: kq.Query, within: set[int], k: int, stats: CollectionStats | None = None) -> list[tuple[int, float]]:
        if not within or k <= 0:
            return []
        candidates = np.array(sorted(within & self.matching(q)), dtype=np.int32)
        if not len(candidates):
            return []
        stats = stats or self._stats()
        scores = score_many(q, candidates, self._frequencies, self._length_columns(), stats, self._set)
        best = np.lexsort((candidates, -scores))[:k]  # best first, ties in docnum order
        return [(int(candidates[i]), float(scores[i])) for i in best]

    def _frequencies(self, fieldname: str, word: str) -> tuple[np.ndarray, np.ndarray]:
        docs, tfs = self._term(fieldname, word)
        if tfs is None:  # a set asked of Typesense: the frequencies are the postings'
            postings = self.postings().get(fieldname)
            return postings.term_docs(encode(word)) if postings else (_EMPTY, _EMPTY)
        return docs, tfs

    def _length_columns(self) -> dict[str, np.ndarray]:
        def build():
            size = max(self.docs, default=-1) + 1
            return {f: stored_lengths(np.array([self.lengths.get(d, {}).get(f, 0) for d in range(size)])) for f in FIELDS}

        return self._remember(("lengths",), build, self._once)

    def _stats(self) -> CollectionStats:
        def compute():
            n = max(1, len(self.docs))
            avg = {f: sum(v.get(f, 0) for v in self.lengths.values()) / n for f in FIELDS}
            return CollectionStats(n, avg, self.doc_frequency)

        return self._remember(("stats",), compute, self._once)

    def top_over(self, visible: Collection[int]):
        """``top`` with the statistics of the documents ``visible`` alone (issue 17)."""
        shown = np.array(sorted(visible), dtype=np.int64)
        n = max(1, len(shown))
        avg = {f: sum(self.lengths.get(d, {}).get(f, 0) for d in shown.tolist()) / n for f in FIELDS}
        counted: dict[tuple[str, str], int] = {}

        def doc_frequency(fieldname: str, word: str) -> int:
            if (fieldname, word) not in counted:
                if len(counted) > 200_000:
                    counted.clear()
                docs = self._frequencies(fieldname, word)[0]
                counted[(fieldname, word)] = int(np.isin(docs, shown, assume_unique=True).sum())
            return counted[(fieldname, word)]

        stats = CollectionStats(n, avg, doc_frequency)
        return lambda q, within, k: self.top(q, within, k, stats)

    # -- documents, counts, suggestions, the sub-word layer

    def stored(self, docnum: int) -> Document:
        def fetch():
            with self.cluster.errors("read a document"):
                row = self._side("doc").documents[self.tsids[docnum]].retrieve()
            return stored_document(row["doc"], self.packed)

        return Document(**self._remember(("doc", docnum), fetch))

    def prefetch(self, docnums: Iterable[int]) -> None:
        """A page's stored documents in one search of the ``--doc`` side collection
        (``filter_by: id:[…]``, sent in the body of a multi-search: an export's page of
        250 ids would make a long URL), instead of one request per hit (47 ms each under
        load at 63,000 releases); what is remembered is not asked again.  At most
        ``PREFETCH_MOST`` documents, so the bounded memo keeps them until they are read
        (an export's larger pages read the rest one by one, as before)."""
        with self._lock:
            wanted = [d for d in dict.fromkeys(docnums) if 0 <= d < len(self.tsids) and ("doc", d) not in self._cache]
        wanted = wanted[:PREFETCH_MOST] if len(wanted) > 1 else []  # one document: ``stored`` alone
        for start in range(0, len(wanted), PAGE):
            chunk = [self.tsids[d] for d in wanted[start : start + PAGE]]
            search = {"collection": side(self.physical, "doc"), "q": "*", "filter_by": f"id:[{','.join(chunk)}]",
                      "per_page": len(chunk), "include_fields": "id,doc"}
            with self.cluster.errors("read documents"):
                result = self.cluster.client.multi_search.perform({"searches": [search]}, {})["results"][0]
            for hit in result.get("hits", ()):  # none (an error answer): ``stored`` asks for each and says why
                d = self.by_tsid.get(hit["document"]["id"])
                if d is not None:
                    self._remember(("doc", d), lambda h=hit: stored_document(h["document"]["doc"], self.packed))

    def _side(self, fieldname: str):
        return self.cluster.client.collections[side(self.physical, fieldname)]

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """From the postings; asking Typesense, from the set when it is known, else its
        count alone (1–2 ms, where listing a common word's documents takes 100s of ms)."""
        if not SETS_FROM_TYPESENSE:
            return len(self._term(fieldname, term)[0])
        with self._lock:
            known = self._cache.get(("term", fieldname, term))
        if known is not None:
            return len(known[0])

        def count():
            with self.cluster.errors("search"):
                return int(self._documents().search({"q": "*", "filter_by": f"{fieldname}:{encode(term)}", "per_page": 0})["found"])

        return self._remember(("df", fieldname, term), count)

    def suggest(self, fieldname: str, text: str, maxdist: int = 2, limit: int = 5) -> list[str]:
        try:
            return self._suggest(fieldname, text, maxdist, limit)
        except Exception:  # a corrector failure must never fail the search itself
            return []

    def _suggest(self, fieldname: str, text: str, maxdist: int, limit: int) -> list[str]:
        """The indexed words within ``maxdist`` edits of ``text`` that share its first
        character, in ``rank_suggestions``' order.  From the field's own vocabulary, not
        Typesense's typo search: 0.24's misses words depending on the other words
        of the collection (measured: a word was no longer offered once another
        document held a longer word starting with it), so a document a visitor
        may not see could take a suggestion away from them (issue 17)."""
        if not text:
            return []
        near = [
            w
            for w in self._vocabulary(fieldname).get(text[0], ())
            if abs(len(w) - len(text)) <= maxdist and swap_edits(w, text, limit=maxdist) <= maxdist
        ]
        counted = ((w, self._occurrences(fieldname, w)) for w in near)
        return rank_suggestions(((w, n) for w, n in counted if n), limit)

    def _occurrences(self, fieldname: str, word: str) -> int:
        """How often ``word`` occurs in ``fieldname`` over the documents (the suggestions' rank)."""
        postings = self.postings().get(fieldname)
        return int(postings.term_docs(encode(word))[1].sum()) if postings else 0

    def _vocabulary(self, fieldname: str) -> dict[str, list[str]]:
        """first character → every word of ``fieldname``, once per snapshot (frequencies
        are counted for the few words near a query's, not for the whole vocabulary)."""

        def build():
            postings = self.postings().get(fieldname)
            by_first: dict[str, list[str]] = {}
            for code in postings.vocab if postings else ():
                word = decode(code)  # None: a hashed long word, never offered
                if word:
                    by_first.setdefault(word[0], []).append(word)
            return by_first

        return self._remember(("vocabulary", fieldname), build, self._once)

    def scan(self) -> TextScan:
        """The sub-word layer with its pair index built at once.  The embedded engine
        maps a scan its writer saved with the index; this engine has no saved copy, and
        until the index exists every sub-word needle scans the whole buffer (0.3 s each
        at 63,000 releases, load 5: 46 s of 62 first-sight queries' 76 s)."""
        scan = super().scan()
        scan.wait_for_pairs()
        return scan

    def scan_forms(self) -> list[tuple[int, bytes]]:
        """The sub-word layer: one export of the ``--scan`` side collection (scan forms only)."""
        by_tsid = self.by_tsid
        forms = {
            by_tsid[r["id"]]: scan_bytes(r.get("scan"), self.packed)
            for r in self.cluster.export_rows(side(self.physical, "scan"), "id,scan")
            if r.get("id") in by_tsid
        }
        return [(d, forms.get(d, b"")) for d in sorted(self.docs)]
