"""The query set of the scale benchmark (``bench_scale.py``): drawn from the corpus with a seed.

Never a hand list the engine could be tuned to: single words in three
document-frequency bands, very common words (การ, ที่ …), keyword pairs from
one release, quoted phrases (consecutive words of one Thai run), questions
typed as sentences (a clause of a release and a question word), filtered
searches (facet values drawn in proportion to their counts) and browsing (the
empty query, alone and with a filter).  The same ``Query`` gives kb's
``/api/search`` path and Typesense's search path with the same facets.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

SEED = 20261207
# the facet fields Typesense counts on every query (kb counts all of its facets)
TS_FACETS = ("province", "region", "topic", "type", "year", "plan")
# how the generator turns a clause of a release into a question typed as a sentence
QUESTION_TAILS = ("อย่างไร", "หรือไม่", "เมื่อไร", "คืออะไร", "มีอะไรบ้าง", "ที่ไหน", "เพราะอะไร")
# queries of each kind in a set of 60 (scaled for another size)
MIX = {"word": 12, "common": 6, "pair": 10, "phrase": 8, "question": 8, "filtered": 10, "browse": 6}
_THAI = re.compile(r"^[\u0E00-\u0E7F]+$")


@dataclass(frozen=True)
class Query:
    """One search of the set: its kind, text and facet filters (name → values; values OR, facets AND)."""

    kind: str
    q: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def kb_path(self) -> str:
        pairs = [("q", self.q)] + [(name, v) for name, values in self.filters for v in values]
        return "/api/search?" + urlencode(pairs)

    def typesense_path(self, collection: str) -> str:
        params = {"q": self.q or "*", "query_by": "title,text", "facet_by": ",".join(TS_FACETS),
                  "max_facet_values": 100, "per_page": 10}
        if self.filters:
            params["filter_by"] = " && ".join(f"{name}:=[{','.join(values)}]" for name, values in self.filters)
        return f"/collections/{collection}/documents/search?" + urlencode(params)

    def describe(self) -> str:
        where = ", ".join(f"{n}={'|'.join(v)}" for n, v in self.filters)
        return (self.q or "(empty)") + (f" [{where}]" if where else "")


@dataclass
class Vocabulary:
    """What the query generator draws from: the words and Thai runs of a sample of releases."""

    docs: list[list[str]]  # each sampled release's Thai words, in order
    runs: list[list[list[str]]]  # each release's Thai runs, as their words
    df: Counter  # in how many sampled releases a word occurs

    @classmethod
    def of(cls, texts: list[str]) -> "Vocabulary":
        from kb import analysis

        docs, runs, df = [], [], Counter()
        for text in texts:
            norm = analysis.normalize(text)
            doc_runs = [analysis.segment(r.text) for r in analysis.runs(norm) if r.thai]
            runs.append(doc_runs)
            words = [w for run in doc_runs for w in run if _THAI.match(w)]
            docs.append(words)
            df.update(set(words))
        return cls(docs, runs, df)

    def band(self, low: float, high: float, content: bool = True) -> list[str]:
        """Words (≥ 2 letters; content words only unless ``content`` is False) in a document-frequency band."""
        from kb import analysis

        n, stop = max(1, len(self.docs)), analysis.stopwords()
        return sorted(w for w, c in self.df.items() if low <= c / n <= high and len(w) >= 2
                      and (not content or (w not in stop and len(w) >= 3)))


def draw_queries(texts: list[str], facet_counts: dict[str, list[tuple[str, int]]], seed: int = SEED,
                 n: int = 60) -> list[Query]:
    """``n`` queries drawn with ``seed`` from sampled releases and the corpus' facet values, shuffled."""
    vocab, rnd = Vocabulary.of(texts), random.Random(seed)
    per_kind = {k: max(1, round(v * n / 60)) for k, v in MIX.items()}
    per_kind["word"] += n - sum(per_kind.values())
    rare, medium, frequent = vocab.band(0, 0.005), vocab.band(0.005, 0.05), vocab.band(0.05, 0.3)
    words = medium or frequent or rare
    by_df = sorted(vocab.df, key=lambda w: (-vocab.df[w], w))
    common_words = [w for w in by_df if len(w) >= 2][:20]
    out: list[Query] = []
    for i in range(per_kind["word"]):
        out.append(Query("word", rnd.choice([rare, medium, frequent][i % 3] or words)))
    out += [Query("common", w) for w in rnd.sample(common_words, min(per_kind["common"], len(common_words)))]
    out += [Query("pair", _pair(vocab, rnd, set(words) | set(rare))) for _ in range(per_kind["pair"])]
    out += [Query("phrase", f'"{_phrase(vocab, rnd)}"') for _ in range(per_kind["phrase"])]
    out += [Query("question", _clause(vocab, rnd) + rnd.choice(QUESTION_TAILS)) for _ in range(per_kind["question"])]
    for _ in range(per_kind["filtered"]):
        out.append(Query("filtered", rnd.choice(words), _filters(facet_counts, rnd, rnd.choice((1, 1, 2)))))
    out.append(Query("browse", ""))
    out += [Query("browse", "", _filters(facet_counts, rnd, 1)) for _ in range(per_kind["browse"] - 1)]
    rnd.shuffle(out)
    return out


def _pair(vocab: Vocabulary, rnd: random.Random, allowed: set[str]) -> str:
    """Two distinct content words of one sampled release."""
    for _ in range(100):
        doc = sorted(set(rnd.choice(vocab.docs)) & allowed)
        if len(doc) >= 2:
            return " ".join(rnd.sample(doc, 2))
    return " ".join(rnd.sample(sorted(allowed), 2))


def _phrase(vocab: Vocabulary, rnd: random.Random) -> str:
    """Two or three consecutive words of one Thai run of a sampled release (6–24 letters)."""
    for _ in range(200):
        run = rnd.choice(rnd.choice(vocab.runs) or [[]])
        size = rnd.choice((2, 3))
        if len(run) < size:
            continue
        start = rnd.randrange(len(run) - size + 1)
        text = "".join(run[start:start + size])
        if 6 <= len(text) <= 24 and _THAI.match(text):
            return text
    return "ความมั่นคง"


def _clause(vocab: Vocabulary, rnd: random.Random) -> str:
    """A Thai run of 12–40 letters of a sampled release: the body of a question."""
    for _ in range(200):
        run = "".join(rnd.choice(rnd.choice(vocab.runs) or [[]]))
        if 12 <= len(run) <= 40 and _THAI.match(run):
            return run
    return "รัฐบาลมีมาตรการ"


def _filters(facet_counts: dict[str, list[tuple[str, int]]], rnd: random.Random, how_many: int):
    """``how_many`` facets, each with one value drawn in proportion to its document count."""
    names = sorted(n for n in TS_FACETS if facet_counts.get(n))
    chosen = rnd.sample(names, min(how_many, len(names)))
    out = []
    for name in sorted(chosen):
        values = facet_counts[name]
        value = rnd.choices([v for v, _ in values], weights=[c for _, c in values])[0]
        out.append((name, (value,)))
    return tuple(out)
