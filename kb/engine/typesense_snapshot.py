"""One state of a Typesense collection as a search reads it (issue 16).

Split from ``typesense.py`` (the writer and the index stay there) because the
reading side grew its own strategy.  A snapshot holds the metadata of every
document (facets, as the embedded engine keeps it in memory) and field lengths;
the encoded words of every document, kept for BM25F (``typesense_scoring``),
come from an index-wide cache keyed by content hash, so a commit refetches only
what changed.

**Where matching sets come from.** Listing the ids of a common word's documents
is Typesense 0.24's slow path: an export reads every matching document from its
store (measured 300–700 ms for a word in most of 2,000 releases, on 2 cores),
and a query needs one per word.  Counting is cheap (1–2 ms), so emptiness checks
count; and once the snapshot's words are all in the cache (the collection fits
``TEXT_CACHE``; loaded with the sub-word layer when ``kb serve`` warms up), a
word's or phrase's set is read from those same words: a phrase is its words'
codes at consecutive positions, i.e. the substring `` a b `` of the space-joined
field, exactly what Typesense's token filter and phrase search match.  A larger
collection asks Typesense (token filters, phrase search, paged).
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Iterable

from kb import query as kq
from kb.editdistance import edits
from kb.engine.base import Snapshot
from kb.engine.typesense_cluster import Cluster
from kb.engine.typesense_scoring import CollectionStats, FieldTexts, score
from kb.engine.typesense_terms import decode, encode, encode_text
from kb.models import Document

ID_CHUNK = 100  # ids per filter (delete, fetch)
PAGE = 250  # Typesense's largest page
TEXT_CACHE = 20_000  # documents whose encoded words an index keeps for scoring (≈ 3 bytes per Thai character)


def exported(text: str) -> Iterable[dict]:
    """The rows of a Typesense export (JSON lines)."""
    return (json.loads(line) for line in text.splitlines() if line.strip())


@dataclass(eq=False)
class TypesenseSnapshot(Snapshot):
    """The metadata of one collection state, and the queries that read the cluster."""

    cluster: Cluster | None = None
    physical: str = ""
    stamp: str = ""
    tsids: list[str] = field(default_factory=list)  # docnum → Typesense id
    by_tsid: dict[str, int] = field(default_factory=dict)
    lengths: dict[int, dict[str, int]] = field(default_factory=dict)
    text_cache: dict | None = None  # the index's (Typesense id, content hash) → FieldTexts, shared by its snapshots
    text_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _words: dict[int, FieldTexts] | None = field(default=None, repr=False)  # every document's words, once known
    _posted: dict[str, dict[str, list[int]]] = field(default_factory=dict, repr=False)  # field → code → docnums
    _post_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _documents(self):
        return self.cluster.client.collections[self.physical].documents

    def _remember(self, key, compute):
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = compute()
        with self._lock:
            self._cache[key] = value
        return value

    def _docnums(self, rows: Iterable[dict]) -> set[int]:
        by_tsid = self.by_tsid
        return {by_tsid[r["id"]] for r in rows if r.get("id") in by_tsid}

    # -- matching sets

    def _every_words(self) -> dict[int, FieldTexts] | None:
        """docnum → words of every document of this snapshot, or None when the
        collection is larger than the cache (then Typesense answers)."""
        if self._words is None and self.docs and len(self.docs) <= TEXT_CACHE:
            words = self._texts(sorted(self.docs))
            if len(words) == len(self.docs):
                self._words = words  # held here: the shared cache may be cleared by a later snapshot
        return self._words

    def _postings(self, fieldname: str) -> dict[str, list[int]] | None:
        """code → docnums holding it in ``fieldname``, built once per snapshot from the
        words in memory (≈ 0.3 s for 2,000 releases); None when they are not all there."""
        if fieldname in self._posted:
            return self._posted[fieldname]
        words = self._every_words()
        if words is None:
            return None
        with self._post_lock:
            if fieldname not in self._posted:
                postings: dict[str, list[int]] = {}
                for d, texts in words.items():
                    for code in set(texts.padded.get(fieldname, "").split()):
                        postings.setdefault(code, []).append(d)
                self._posted[fieldname] = postings
        return self._posted[fieldname]

    def _local_set(self, fieldname: str, codes: tuple[str, ...]) -> frozenset[int] | None:
        """Documents whose ``fieldname`` holds ``codes`` at consecutive positions, from
        the words in memory; None when they are not all there."""
        postings = self._postings(fieldname)
        if postings is None:
            return None
        lists = sorted((postings.get(c, ()) for c in codes), key=len)
        if len(codes) == 1 or not lists[0]:
            return frozenset(lists[0])
        candidates = set(lists[0]).intersection(*lists[1:])
        needle = f" {' '.join(codes)} "  # consecutive positions: the codes as one run of the field
        return frozenset(d for d in candidates if needle in self._words[d].padded.get(fieldname, ""))

    def _term_set(self, fieldname: str, word: str) -> frozenset[int]:
        def fetch():
            local = self._local_set(fieldname, (encode(word),))
            if local is not None:
                return local
            with self.cluster.errors("search"):
                text = self._documents().export({"filter_by": f"{fieldname}:{encode(word)}", "include_fields": "id"})
            return frozenset(self._docnums(exported(text)))

        return self._remember(("term", fieldname, word), fetch)

    def _phrase_set(self, fieldname: str, words: tuple[str, ...]) -> frozenset[int]:
        def fetch():
            local = self._local_set(fieldname, tuple(encode(w) for w in words))
            return local if local is not None else self._searched_phrase(fieldname, words)

        return self._remember(("phrase", fieldname, words), fetch)

    def _searched_phrase(self, fieldname: str, words: tuple[str, ...]) -> frozenset[int]:
        """Typesense's quoted phrase search, exact (no typos, no prefixes), every page."""
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
        found: set[int] = set()
        page = 1
        with self.cluster.errors("search"):
            while True:
                result = self._documents().search({**params, "page": page})
                found |= self._docnums(h["document"] for h in result["hits"])
                if page * PAGE >= result["found"] or not result["hits"]:
                    return frozenset(found)
                page += 1

    def matching(self, q: kq.Query) -> set[int]:
        if isinstance(q, kq.Term):
            return set(self._term_set(q.field, q.text))
        if isinstance(q, kq.Phrase):
            if len(q.terms) == 1:
                return set(self._term_set(q.field, q.terms[0]))
            if not q.terms:
                return set()
            # a word no document holds empties the phrase: counts (1–2 ms) spare the search,
            # where a common word's set would cost an export of most of the collection
            if any(not self.doc_frequency(q.field, t) for t in q.terms):
                return set()
            return set(self._phrase_set(q.field, tuple(q.terms)))
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

    def top(self, q: kq.Query, within: set[int], k: int) -> list[tuple[int, float]]:
        if not within or k <= 0:
            return []
        candidates = sorted(within & self.matching(q))
        texts = self._texts(candidates)
        stats = self._stats()

        def has_phrase(phrase: kq.Phrase, d: int) -> bool:
            return d in self._phrase_set(phrase.field, tuple(phrase.terms))

        scored = [
            (d, score(q, texts[d], self.lengths.get(d, {}), stats, lambda p, d=d: has_phrase(p, d)))
            for d in candidates
            if d in texts
        ]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:k]

    def _stats(self) -> CollectionStats:
        def compute():
            n = max(1, len(self.docs))
            avg = {f: sum(v.get(f, 0) for v in self.lengths.values()) / n for f in ("words", "title")}
            return CollectionStats(n, avg, self.doc_frequency)

        return self._remember(("stats",), compute)

    def _texts(self, docnums: list[int]) -> dict[int, FieldTexts]:
        """The candidates' encoded words, from the index-wide cache (keyed by content
        hash, so a commit refetches only what changed); the whole collection in one
        export when it fits the cache, else the missing ones by id."""
        cache = self.text_cache if self.text_cache is not None else {}
        key = {d: (self.tsids[d], self.docs[d].content_hash) for d in docnums}
        if any(key[d] not in cache for d in docnums):
            # one fetch at a time: concurrent first searches would each load the whole collection
            with self.text_lock:
                missing = [d for d in docnums if key[d] not in cache]
                if missing:
                    self._fetch_texts(missing, cache)
        found = {d: cache.get(key[d]) for d in docnums}  # .get: another snapshot may clear the cache meanwhile
        return {d: t for d, t in found.items() if t is not None}

    def _fetch_texts(self, missing: list[int], cache: dict) -> None:
        every = len(missing) > ID_CHUNK and len(self.docs) <= TEXT_CACHE
        wanted = sorted(self.docs) if every else missing
        keys = {self.tsids[d]: (self.tsids[d], self.docs[d].content_hash) for d in wanted}
        fetched = {}
        for start in range(0, 1 if every else len(wanted), ID_CHUNK):
            params = {"include_fields": "id,words,title"}
            if not every:
                params["filter_by"] = f"id:[{','.join(self.tsids[d] for d in wanted[start : start + ID_CHUNK])}]"
            with self.cluster.errors("read documents"):
                text = self._documents().export(params)
            for row in exported(text):
                if row["id"] in keys:
                    fetched[keys[row["id"]]] = FieldTexts.of({"words": row.get("words", ""), "title": row.get("title", "")})
        self._keep(fetched, cache)

    @staticmethod
    def _keep(fetched: dict, cache: dict) -> None:
        if len(cache) + len(fetched) > TEXT_CACHE:
            cache.clear()
        cache.update(fetched)

    # -- documents, counts, suggestions, the sub-word layer

    def stored(self, docnum: int) -> Document:
        def fetch():
            with self.cluster.errors("read a document"):
                row = self._documents()[self.tsids[docnum]].retrieve()
            return json.loads(row["doc"])

        return Document(**self._remember(("doc", docnum), fetch))

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """From the set when it is known, else Typesense's count alone (measured 1–2 ms,
        where reading a common word's set took 100–700 ms of 2,000 documents)."""
        with self._lock:
            known = self._cache.get(("term", fieldname, term))
        if known is not None:
            return len(known)
        if self._words is not None:
            return len(self._term_set(fieldname, term))

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
        character, most frequent first.  From the field's own vocabulary, not
        Typesense's typo search: 0.24's misses words depending on the other words
        of the collection (measured: a word was no longer offered once another
        document held a longer word starting with it), so a document a visitor
        may not see could take a suggestion away from them (issue 17)."""
        if not text:
            return []
        found = [
            (n, w)
            for w, n in self._vocabulary(fieldname).get(text[0], ())
            if w != text and abs(len(w) - len(text)) <= maxdist and edits(w, text) <= maxdist
        ]
        return [w for _, w in sorted(found, key=lambda p: (-p[0], p[1]))][:limit]

    def _vocabulary(self, fieldname: str) -> dict[str, list[tuple[str, int]]]:
        """first character → (word, document frequency) of every word of ``fieldname``, once per snapshot."""

        def build():
            df: dict[str, int] = {}
            words = self._every_words()
            if words is not None:
                fields = (t.padded.get(fieldname, "") for t in words.values())
            else:
                with self.cluster.errors("read the words"):
                    text = self._documents().export({"include_fields": f"id,{fieldname}"})
                fields = (str(r.get(fieldname) or "") for r in exported(text) if r.get("id") in self.by_tsid)
            for codes in fields:
                for code in set(codes.split()):
                    df[code] = df.get(code, 0) + 1
            by_first: dict[str, list[tuple[str, int]]] = {}
            for code, n in df.items():
                word = decode(code)  # None: a hashed long word, never offered
                if word:
                    by_first.setdefault(word[0], []).append((word, n))
            return by_first

        return self._remember(("vocabulary", fieldname), build)

    def scan_forms(self) -> list[tuple[int, bytes]]:
        """The sub-word layer; in the same export, the words of every document
        when the collection fits the cache (the later matching sets need them)."""
        fits = self.text_cache is not None and len(self.docs) <= TEXT_CACHE
        with self.cluster.errors("read the sub-word layer"):
            text = self._documents().export({"include_fields": "id,scan,words,title" if fits else "id,scan"})
        forms: dict[int, bytes] = {}
        fetched = {}
        for row in exported(text):
            d = self.by_tsid.get(row["id"])
            if d is None:
                continue
            forms[d] = (row.get("scan") or "").encode("latin-1")
            if fits:
                fetched[(row["id"], self.docs[d].content_hash)] = FieldTexts.of(
                    {"words": row.get("words", ""), "title": row.get("title", "")}
                )
        if fetched:
            with self.text_lock:
                self._keep(fetched, self.text_cache)
            for name in ("words", "title"):  # here, so a warmed-up server's first search does not build them
                self._postings(name)
        return [(d, forms.get(d, b"")) for d in sorted(self.docs)]
