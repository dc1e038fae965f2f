"""Precision of short ambiguous queries, and verbatim recall on rare spans.

Short queries are where sub-word matching hurts: a province name that is
also a word or the start of another name (ตาก in ตากใบ, น่าน in น่านน้ำ),
a region word (ภาค inside สภาความมั่นคง), a digit in a plan reference (1
inside 17).  Each query's top 10 is judged by **word alignment**: a hit is
relevant when the document holds the query where a word starts and ends.
The judge shares kb's definition but not its code: PyThaiNLP's newmm with
its default dictionary (not kb's domain dictionary) cuts a window around each
occurrence, each word is also cut into its main parts (its split into the
fewest dictionary words: ภาค|ใต้, ความ|มั่นคง), the taxonomy's trap phrases
and ``compounds.json`` are names that are never cut, and a number never
matches inside a longer number.

* **precision@10** per query and on average (hits marked partial count as
  not relevant: they are shown only because word matches are few), and the
  precision of the hits shown as word matches (partial ones left out);
* **total** per query (what the result count tells a user);
* **verbatim recall@10** on rare spans of the same collection (the sampling
  of ``bench_quality.py``'s recall part, imported, not copied): the source
  document must be in the top 10.

Collections: the bundled corpus (always) and the ThaiGov security releases
(``../shared/data/thaigov/thaigov_v2_security_category.jsonl.gz``, read at
run time; skipped when absent).

Run:  python benchmarks/bench_precision.py [--thaigov-docs 2000] [--probes 60]
Run it against another checkout with ``PYTHONPATH=/path/to/that/checkout``
to get before/after figures from the same queries and judge.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import SearchRequest, open_searcher, print_machine, table  # noqa: E402

from indexer.pipeline import run  # noqa: E402
from kb import analysis  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TAXONOMY = REPO / "kb" / "taxonomy"

QUERIES = [
    # province names that are ordinary words, or begin other names
    "ตาก", "เลย", "แพร่", "น่าน", "ตรัง", "สตูล", "ระนอง", "กระบี่", "พังงา", "ยะลา", "สงขลา", "ชุมพร",
    # region words
    "ภาค", "ภาคใต้", "เหนือ", "ใต้", "ตะวันออก", "กลาง",
    # neighbours' names inside place names
    "จีน", "ลาว",
    # digits in plan references
    '"แผนความมั่นคงที่ 1"', '"แผนความมั่นคงที่ 3"', '"แผนความมั่นคงที่ 7"', "แผนความมั่นคงที่ 1", "แผนที่ 1",
    # short topic words
    "ยา", "ชา", "ภัย", "ประมง",
]

_DIGIT = re.compile(r"[0-9]")


@cache
def _names() -> tuple[str, ...]:
    """Names a reader never cuts: the taxonomy's trap phrases and compounds.json."""
    names: set[str] = set()
    provinces = json.loads((TAXONOMY / "provinces.json").read_text(encoding="utf-8"))["provinces"]
    for p in provinces:
        names.update(p.get("exclude", []))
    names.update(json.loads((TAXONOMY / "regions.json").read_text(encoding="utf-8")).get("exclude", []))
    compounds = TAXONOMY / "compounds.json"
    if compounds.exists():
        names.update(json.loads(compounds.read_text(encoding="utf-8"))["names"])
    return tuple(sorted({analysis.normalize(n) for n in names}, key=len, reverse=True))


@cache
def _dictionary() -> frozenset[str]:
    from pythainlp.corpus import thai_words

    return frozenset(w for w in thai_words() if len(w) >= 2)


def _main_parts(token: str) -> set[int]:
    """Offsets inside a token where its split into the fewest dictionary words cuts it
    (ภาค|ใต้, ความ|มั่นคง): a compound's main parts are words too."""
    words, n = _dictionary(), len(token)
    best = {0: (0, -1)}
    for i in range(n):
        if i in best:
            for j in range(i + 2, n + 1):
                if (i, j) != (0, n) and token[i:j] in words and (j not in best or best[j][0] > best[i][0] + 1):
                    best[j] = (best[i][0] + 1, i)
    if n not in best:
        return set()
    cuts, j = set(), n
    while j > 0:
        j = best[j][1]
        cuts.add(j)
    return cuts - {0}


def _cuts(window: str) -> set[int]:
    """Word boundaries of a text by PyThaiNLP newmm with its default dictionary,
    and the main parts of each word."""
    from pythainlp.tokenize import word_tokenize

    cuts = {0}
    pos = 0
    for w in word_tokenize(window, engine="newmm", keep_whitespace=True):
        cuts.update(pos + k for k in _main_parts(w))
        pos += len(w)
        cuts.add(pos)
    return cuts


def aligned_somewhere(text: str, needle: str, window: int = 40) -> bool:
    """Does the (normalized) text hold the needle with a word boundary at both ends?"""
    text = re.sub(r"\s+", " ", analysis.normalize(text))
    needle = re.sub(r"\s+", " ", analysis.normalize(needle)).strip()
    for m in re.finditer(re.escape(needle), text):
        s, e = m.start(), m.end()
        if (_DIGIT.match(needle[0]) and s > 0 and _DIGIT.match(text[s - 1])) or (
            _DIGIT.match(needle[-1]) and e < len(text) and _DIGIT.match(text[e])
        ):
            continue
        lo = max(0, s - window)
        piece = text[lo : e + window]
        cuts = _cuts(piece)
        if (s - lo) not in cuts or (e - lo) not in cuts:
            continue
        if any(n != needle and (a := piece.find(n)) >= 0 and (a < s - lo < a + len(n) or a < e - lo < a + len(n))
               for n in _names() if needle in n or n in piece):
            continue
        return True
    return False


def judge_query(searcher, texts: dict[str, str], q: str) -> tuple[float, float, int, int, float]:
    """(precision@10, precision of the hits shown as word matches, total, partial hits, ms)."""
    t0 = time.perf_counter()
    result = searcher.search(SearchRequest(q=q, limit=10))
    ms = (time.perf_counter() - t0) * 1000
    needle = q.strip('"')
    if not result.hits:
        return float("nan"), float("nan"), result.total, 0, ms
    words = [h for h in result.hits if not getattr(h, "partial", False)]
    good = sum(1 for h in words if aligned_somewhere(texts[h.id], needle))
    claimed = good / len(words) if words else float("nan")
    return good / len(result.hits), claimed, result.total, len(result.hits) - len(words), ms


def measure(label: str, index_dir: Path, probes_per_kind: int) -> dict:
    import bench_quality  # the recall sampling and measurement, as bench_quality runs them

    searcher = open_searcher(index_dir)
    common.wait_until_ready(searcher)
    docs = bench_quality._indexed_texts(index_dir)
    texts = {i: t + "\n" + x for i, (t, x) in docs.items()}
    rows, precisions, claims = [], [], []
    for q in QUERIES:
        p, claimed, total, partial, ms = judge_query(searcher, texts, q)
        rows.append([q, "-" if p != p else f"{p:.2f}", "-" if claimed != claimed else f"{claimed:.2f}", total, partial, f"{ms:.0f}"])
        if p == p:
            precisions.append(p)
        if claimed == claimed:
            claims.append(claimed)
    print(f"\n## {label}: {len(docs)} documents, {len(QUERIES)} short queries")
    print(table(["query", "P@10 (word-aligned)", "precision of word hits", "total", "partial in top 10", "ms"], rows))
    mean_p = sum(precisions) / len(precisions) if precisions else float("nan")
    print(f"\nmean precision of the hits shown as word matches: {sum(claims) / max(1, len(claims)):.3f}")
    probes = bench_quality.sample_probes(docs, probes_per_kind)
    recall = bench_quality.measure_recall(label, index_dir, probes)
    print(f"\nmean precision@10: {mean_p:.3f} over {len(precisions)} queries with hits")
    print(f"verbatim recall@10 on rare spans: {recall.recall:.4f} ({len(probes)} probes)")
    for p, _, total in recall.failures[:10]:
        print(f"  missed: {p.query} | {p.kind} | {p.source} | total {total}")
    return {"precision": mean_p, "recall": recall.recall}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--thaigov-docs", type=int, default=2000, help="security releases to index (default 2000)")
    ap.add_argument("--probes", type=int, default=60, help="verbatim probes per kind (default 60)")
    args = ap.parse_args(argv)
    print_machine()
    import kb

    print(f"kb from {Path(kb.__file__).resolve().parent.parent}")
    with tempfile.TemporaryDirectory(prefix="kb-bench-precision-") as tmp:
        work = Path(tmp)
        report = run([REPO / "corpus"], work / "corpus", full=True, progress=False)
        assert not report.failed, report.failures
        measure("bundled corpus", work / "corpus", args.probes)
        data = Path(os.environ.get("KB_SHARED_DATA") or REPO.parent / "shared" / "data")
        source = data / "thaigov" / "thaigov_v2_security_category.jsonl.gz"
        if not source.exists():
            print(f"\n(ThaiGov security releases not found at {source}: skipped)")
            return
        run([source], work / "thaigov", full=True, progress=False, limit=args.thaigov_docs)
        measure(f"ThaiGov security releases (first {args.thaigov_docs})", work / "thaigov", args.probes)


if __name__ == "__main__":
    main()
