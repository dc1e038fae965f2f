"""Thai search quality: does a verbatim span find its document, does a question
find its passage, does our segmenter cut words where people do, and what does
the sub-word field cost?

Four measurements, each comparing the word-only index with the sub-word one:

* **verbatim recall@10** — spans copied from indexed ThaiGov releases, cut by
  segmenters other than ours (PyThaiNLP ``longest`` words, dictionary
  syllables), kept when they occur in at most 3 documents; the source must be
  in the top 10.  This is the failure users report most: "I pasted a phrase
  from the document and it was not found".
* **ranking (MRR@10)** — kb against plain BM25 over newmm words (k1 0.9,
  b 0.4), in the same run, on every set: iApp Wiki QA (each question's passage
  is the one relevant document; by split) and ThaiGov known-item search (a
  release's first sentence finds it; title emptied; split by a hash of the id).
* **segmentation F1** — our tokenizer against human word boundaries (wisesight).
* **cost** — indexing speed, index size and search latency with and without
  the sub-word field, measured on the recall indexes.

Run:  python benchmarks/bench_quality.py [--quick] [--only recall,ranking,segmentation]
"""
from __future__ import annotations

import argparse
import bisect
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import SearchRequest, build_index, data_file, open_searcher, percentile, print_machine, table  # noqa: E402

from kb import analysis  # noqa: E402
from kb.engine import Index  # noqa: E402

CONFIGS = (("word-only", False), ("sub-word", True))
_THAI = re.compile("[\u0e01-\u0e3a\u0e40-\u0e4e]+")


# --- verbatim recall ------------------------------------------------------------------------


@dataclass
class Probe:
    """One verbatim query and the document it was copied from."""

    query: str
    kind: str  # "words" or "syllables"
    source: str  # document id


class Occurrences:
    """Which documents contain a normalized string (title and text, as indexed)."""

    def __init__(self, docs: dict[str, str]):
        self.ids: list[str] = []
        self.starts: list[int] = []
        parts: list[str] = []
        pos = 0
        for doc_id, text in docs.items():
            self.ids.append(doc_id)
            self.starts.append(pos)
            parts.append(text)
            pos += len(text) + 1
        self.blob = "\x00".join(parts)

    def documents(self, needle: str, at_most: int) -> set[str] | None:
        """The documents holding ``needle``; None as soon as there are more than ``at_most``."""
        found: set[str] = set()
        i = self.blob.find(needle)
        while i >= 0:
            found.add(self.ids[bisect.bisect_right(self.starts, i) - 1])
            if len(found) > at_most:
                return None
            i = self.blob.find(needle, i + 1)
        return found


def _indexed_texts(index_dir: Path) -> dict[str, tuple[str, str]]:
    """id → (title, text) of every indexed document, as the index stores them."""
    index = Index(index_dir)
    snap = index.snapshot()
    out = {}
    for docnum in sorted(snap.docs):
        doc = index.document_at(snap, docnum)
        out[doc.id] = (doc.title, doc.text)
    return out


def sample_probes(docs: dict[str, tuple[str, str]], per_kind: int, seed: int = 2566, max_docs: int = 3) -> list[Probe]:
    """Spans of 1–3 ``longest`` words and of 2–4 dictionary syllables, copied
    verbatim from Thai runs of the documents, each occurring in ≤ ``max_docs`` documents."""
    from pythainlp.tokenize import subword_tokenize, word_tokenize

    rng = random.Random(seed)
    occ = Occurrences({i: analysis.normalize(t + "\n" + x) for i, (t, x) in docs.items()})
    ids = sorted(docs)
    want = {"words": per_kind, "syllables": per_kind}
    probes: list[Probe] = []
    seen: set[str] = set()
    attempts = 0
    while any(want.values()) and attempts < per_kind * 60:
        attempts += 1
        doc_id = rng.choice(ids)
        text = docs[doc_id][1]
        runs = [m for m in _THAI.finditer(text) if m.end() - m.start() >= 6]
        if not runs:
            continue
        m = rng.choice(runs)
        run = m.group()
        # a window of the run; tokens touching a cut edge are dropped (they may be partial)
        a = rng.randrange(0, max(1, len(run) - 120)) if len(run) > 160 else 0
        window = run[a : a + 160]
        cut_left, cut_right = a > 0, a + 160 < len(run)
        kind = rng.choice([k for k, n in want.items() if n])
        if kind == "words":
            tokens = word_tokenize(window, engine="longest", keep_whitespace=False)
            n = rng.randint(1, 3)
        else:
            tokens = subword_tokenize(window, engine="dict")
            n = rng.randint(2, 4)
        lo = 1 if cut_left else 0
        hi = len(tokens) - (1 if cut_right else 0)
        if hi - lo < n:
            continue
        i = rng.randrange(lo, hi - n + 1)
        query = "".join(tokens[i : i + n])
        norm = analysis.normalize(query)
        if len(norm) < 2 or norm in seen:
            continue
        holders = occ.documents(norm, max_docs)
        if not holders or doc_id not in holders:
            continue
        seen.add(norm)
        probes.append(Probe(query, kind, doc_id))
        want[kind] -= 1
    return probes


@dataclass
class RecallResult:
    label: str
    by_kind: dict[str, tuple[int, int]]  # kind → (found, total)
    failures: list[tuple[Probe, int | None, int]]  # probe, rank (None: not in top 10), total hits
    latencies_ms: list[float]

    @property
    def recall(self) -> float:
        found = sum(f for f, _ in self.by_kind.values())
        total = sum(t for _, t in self.by_kind.values())
        return found / total if total else float("nan")


PARAMS = common.DEFAULT_PARAMS  # the ranking parameters measured (--param overrides them)


def measure_recall(label: str, index_dir: Path, probes: list[Probe], searcher=None) -> RecallResult:
    searcher = searcher or open_searcher(index_dir, PARAMS)
    common.wait_until_ready(searcher)  # latencies without the one-off pair index build
    by_kind: dict[str, list[int]] = {}
    failures = []
    latencies = []
    for p in probes:
        t0 = time.perf_counter()
        result = searcher.search(SearchRequest(q=p.query, limit=10))
        latencies.append((time.perf_counter() - t0) * 1000)
        top = [h.id for h in result.hits]
        ok = p.source in top
        counts = by_kind.setdefault(p.kind, [0, 0])
        counts[0] += ok
        counts[1] += 1
        if not ok:
            failures.append((p, None, result.total))
    return RecallResult(label, {k: (v[0], v[1]) for k, v in by_kind.items()}, failures, latencies)


def run_recall(args: argparse.Namespace, work: Path) -> list[common.IndexBuild]:
    docs_n = 300 if args.quick else args.recall_docs
    per_kind = 60 if args.quick else args.probes
    source = data_file("thaigov", "thaigov_v2_security_category.jsonl.gz")
    print(f"\n## Verbatim recall@10 — {docs_n} security releases, {per_kind} probes per kind")
    common.warm_up(source, work)
    builds = []
    for label, subword in CONFIGS:
        b = build_index(source, work / f"recall-{label}", subword=subword, limit=docs_n, label=label)
        builds.append(b)
    docs = _indexed_texts(builds[0].index_dir)
    t0 = time.perf_counter()
    probes = sample_probes(docs, per_kind)
    print(f"sampled {len(probes)} probes in {time.perf_counter() - t0:.1f} s "
          f"(words: PyThaiNLP 'longest'; syllables: subword_tokenize engine 'dict')")
    results = [measure_recall(b.label, b.index_dir, probes) for b in builds]
    if args.engine == "typesense":  # the same releases through kb on the cluster of KB_TYPESENSE_* (issue 16)
        from indexer.pipeline import run as index_into
        from kb.engine import engine_config, open_index
        from kb.search import Searcher

        config = engine_config(engine="typesense")
        index_into([source], work / "recall-typesense", full=True, progress=False, limit=docs_n, engine=config)
        searcher = Searcher(open_index(Path("-"), config), params=PARAMS)
        results.append(measure_recall("sub-word, Typesense", Path("-"), probes, searcher))
    rows = []
    for r in results:
        row: list[object] = [r.label]
        for kind in ("words", "syllables"):
            f, t = r.by_kind.get(kind, (0, 0))
            row.append(f"{f}/{t} = {f / t:.3f}" if t else "-")
        row += [f"{r.recall:.4f}", f"{percentile(r.latencies_ms, 50):.1f}", f"{percentile(r.latencies_ms, 95):.1f}"]
        rows.append(row)
    print(table(["index", "1–3 words", "2–4 syllables", "recall@10", "p50 ms", "p95 ms"], rows))
    for r in results:
        if not r.failures:
            continue
        print(f"\nfailures with {r.label} ({len(r.failures)}; first 20): query | kind | our words | source | total hits")
        for p, _, total in r.failures[:20]:
            print(f"  {p.query} | {p.kind} | {'/'.join(analysis.words(p.query))} | {p.source} | {total}")
    args.recall_results = results
    return builds


# --- ranking: kb against plain BM25, on every set, in the same run ---------------------------------


def load_iapp(splits: tuple[str, ...], with_split: bool = False) -> tuple[dict[str, str], list[tuple[str, ...]]]:
    """Distinct passages (id → context) and (question, passage id) pairs
    (with ``with_split``: (question, passage id, split) triples)."""
    rs = common.load_iapp_set(splits)
    questions = rs.questions if with_split else [(q, pid) for q, pid, _ in rs.questions]
    return {pid: text for pid, (_, text) in rs.docs.items()}, questions


def reciprocal_ranks(index_dir: Path, questions: list[tuple[str, str]]) -> tuple[list[float], list[float]]:
    """Each question's reciprocal rank of its passage in the top 10 (0 if absent), and latencies."""
    searcher = open_searcher(index_dir, PARAMS)
    common.wait_until_ready(searcher)  # latencies without the one-off pair index build
    rrs = []
    latencies = []
    for q, pid in questions:
        t0 = time.perf_counter()
        hits = [h.id for h in searcher.search(SearchRequest(q=q, limit=10), snippets=False).hits]
        latencies.append((time.perf_counter() - t0) * 1000)
        rrs.append(common.reciprocal_rank(hits, pid))
    return rrs, latencies


def mrr_at_10(index_dir: Path, questions: list[tuple[str, str]]) -> tuple[float, float, list[float]]:
    """(MRR@10, share found in the top 10, latencies)."""
    rrs, latencies = reciprocal_ranks(index_dir, questions)
    return sum(rrs) / len(rrs), sum(1 for r in rrs if r) / len(rrs), latencies


def ranking_sets(args: argparse.Namespace) -> list[common.RankingSet]:
    """The evaluation sets, each skipped with a reason when its data is absent."""
    sets = []
    loaders = (
        ("iApp Wiki QA", ("iapp_wiki_qa", "train.jsonl.gz"), lambda: common.load_iapp_set()),
        ("iApp Wiki QA, test passages only", ("iapp_wiki_qa", "test.jsonl.gz"),
         lambda: replace(common.load_iapp_set(("test",)), name="iapp-test-passages")),
        ("ThaiGov known-item", ("thaigov", "thaigov_v2_security_category.jsonl.gz"),
         lambda: common.load_known_item_set(args.known_docs)),
    )
    for label, parts, load in loaders:
        path = common.shared_data().joinpath(*parts)
        if not path.exists():
            print(f"skipped {label}: {path} is absent")
            continue
        sets.append(load())
    return sets


def _sample(rs: common.RankingSet, n: int) -> list[tuple[str, str, str]]:
    if n and n < len(rs.questions):
        print(f"{rs.name}: a random sample of {n} of the {len(rs.questions)} questions (--questions 0 for all)")
        return random.Random(1).sample(rs.questions, n)
    return rs.questions


def run_ranking(args: argparse.Namespace, work: Path) -> None:
    print("\n## Ranking — MRR@10 of kb and of plain BM25 (newmm words, k1 0.9, b 0.4) in the same run")
    print("kb's blend weights were fitted on iApp train questions only: every other row is held out")
    rows = []
    for rs in ranking_sets(args):
        triples = _sample(rs, args.questions)
        src = work / f"{rs.name}.jsonl"
        common.write_jsonl(src, ({"id": i, "title": t, "text": x} for i, (t, x) in rs.docs.items()))
        b = build_index(src, work / f"{rs.name}-index", subword=True, label="sub-word")
        t0 = time.perf_counter()
        baseline = common.PlainBM25(rs.docs)
        print(f"  {rs.name}: BM25 baseline over {len(rs.docs)} documents built in {time.perf_counter() - t0:.1f} s", flush=True)
        kb_rr, lat = reciprocal_ranks(b.index_dir, [(q, d) for q, d, _ in triples])
        bm_rr = [common.reciprocal_rank(baseline.top(q), d) for q, d, _ in triples]
        for split in ("all", "train", "valid", "test"):
            idx = [i for i, t in enumerate(triples) if split == "all" or t[2] == split]
            if not idx:
                continue
            kb_m = sum(kb_rr[i] for i in idx) / len(idx)
            bm_m = sum(bm_rr[i] for i in idx) / len(idx)
            top1 = sum(1 for i in idx if kb_rr[i] == 1.0) / len(idx)
            rows.append([rs.name, split, f"{len(rs.docs)} / {len(idx)}", f"{kb_m:.4f}", f"{bm_m:.4f}",
                         f"{kb_m - bm_m:+.4f}", f"{top1:.3f}",
                         f"{percentile([lat[i] for i in idx], 50):.1f}", f"{percentile([lat[i] for i in idx], 95):.1f}"])
        print(f"  {rs.name}: kb {sum(kb_rr) / len(kb_rr):.4f}, BM25 {sum(bm_rr) / len(bm_rr):.4f}", flush=True)
    print(table(["set", "questions of", "docs / questions", "kb MRR@10", "BM25 MRR@10", "kb − BM25", "kb first",
                 "p50 ms", "p95 ms"], rows))


# --- segmentation F1 ----------------------------------------------------------------------------


def _intervals(tokens: list[str]) -> set[tuple[int, int]]:
    """Word intervals over the text with whitespace removed (empty tokens vanish),
    the convention of PyThaiNLP's word-tokenization benchmark."""
    out = set()
    pos = 0
    for t in tokens:
        t = re.sub(r"\s+", "", t)
        if t:
            out.add((pos, pos + len(t)))
            pos += len(t)
    return out


def our_tokens(line: str) -> tuple[list[str], bool]:
    """Our segmentation of a raw line, as tokens that cover every character.

    Thai runs are cut by ``kb.analysis.segment`` (nlpo3 + our dictionary), on the
    normalized run when normalization keeps its length (so boundaries map back
    one to one), else on the raw run.  Latin/digit runs are one token each (as in
    ``kb.analysis.runs``); any other character is a token of its own.
    Returns the tokens and whether normalization was length-preserving.
    """
    tokens: list[str] = []
    preserved = True
    pattern = re.compile(r"(?P<thai>[\u0e01-\u0e3a\u0e40-\u0e4e]+)|(?P<latin>[0-9A-Za-z\u00c0-\u024f]+)|(?P<other>\s+|.)", re.S)
    for m in pattern.finditer(line):
        piece = m.group()
        if m.lastgroup == "thai":
            norm = analysis.normalize(piece)
            if len(norm) == len(piece):
                cuts = analysis.segment(norm)
            else:
                preserved = False
                cuts = analysis.segment(piece)
            pos = 0
            for w in cuts:
                tokens.append(piece[pos : pos + len(w)])
                pos += len(w)
            if pos != len(piece):  # never expected; keep the text covered
                tokens.append(piece[pos:])
        else:
            tokens.append(piece)
    return tokens, preserved


def word_f1(gold_lines: list[list[str]], predict) -> tuple[float, float, float]:
    tp = n_pred = n_gold = 0
    for gold in gold_lines:
        g = _intervals(gold)
        p = _intervals(predict("".join(gold)))
        tp += len(g & p)
        n_pred += len(p)
        n_gold += len(g)
    precision, recall = tp / n_pred, tp / n_gold
    return precision, recall, 2 * precision * recall / (precision + recall)


def run_segmentation(args: argparse.Namespace) -> None:
    from pythainlp.tokenize import word_tokenize

    path = data_file("wisesight_ws", "wisesight-1000-samples-tokenised.label")
    gold = [ln.rstrip("\n").split("|") for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    if args.quick:
        gold = gold[:200]
    print(f"\n## Segmentation — word boundary F1 on wisesight-1000 ({len(gold)} lines)")
    preserved = sum(our_tokens("".join(g))[1] for g in gold)
    engines = {
        "kb.analysis.segment (nlpo3 + our dictionary)": lambda s: our_tokens(s)[0],
        "PyThaiNLP newmm (reference 0.749)": lambda s: word_tokenize(s, engine="newmm", keep_whitespace=True),
        "PyThaiNLP nlpo3, default dictionary": lambda s: word_tokenize(s, engine="nlpo3", keep_whitespace=True),
    }
    rows = []
    for name, fn in engines.items():
        t0 = time.perf_counter()
        p, r, f = word_f1(gold, fn)
        rows.append([name, f"{p:.4f}", f"{r:.4f}", f"{f:.4f}", f"{time.perf_counter() - t0:.1f}"])
    print(table(["segmenter", "precision", "recall", "F1", "seconds"], rows))
    print(f"normalize() kept the length of every Thai run in {preserved}/{len(gold)} lines")


# --- main --------------------------------------------------------------------------------------------


def run_cost(builds: list[common.IndexBuild], recall_results: list[RecallResult]) -> None:
    print("\n## Cost of the sub-word field (the recall indexes, same documents)")
    rows = []
    base = builds[0]
    for b, r in zip(builds, recall_results):
        rows.append([b.label, b.docs, f"{b.docs_per_second:.0f}", f"{b.docs_per_cpu_second:.0f}", f"{b.size_mb:.1f}",
                     f"{b.size_bytes / base.size_bytes:.2f}×",
                     f"{percentile(r.latencies_ms, 50):.1f}", f"{percentile(r.latencies_ms, 95):.1f}"])
    print(table(["index", "docs", "docs/s wall", "docs/CPU-s", "MB", "size vs word-only", "p50 ms (probes, wall)", "p95 ms (probes, wall)"], rows))
    print("(bench_index.py measures the same at 10,000 documents with a fixed faceted query mix)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, for development (~1–2 min)")
    ap.add_argument("--only", default="recall,ranking,segmentation", help="comma-separated parts to run")
    ap.add_argument("--recall-docs", type=int, default=2000, help="security releases to index for recall (default 2000)")
    ap.add_argument("--probes", type=int, default=500, help="verbatim probes per kind (default 500)")
    ap.add_argument("--questions", type=int, default=500,
                    help="questions sampled per ranking set (default 500; 0 = all: 7,242 iApp, ~10 min on 2 busy cores)")
    ap.add_argument("--known-docs", type=int, default=3000,
                    help="ThaiGov security releases indexed for the known-item set (default 3000)")
    ap.add_argument("--engine", choices=("whoosh", "typesense"), default="whoosh",
                    help="typesense: also measure recall through kb on the cluster of KB_TYPESENSE_NODES/_API_KEY/_COLLECTION")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="override one kb.search RankingParams value (repeatable), e.g. --param rerank_pool=100 or --param weight.pairs=0")
    args = ap.parse_args(argv)
    global PARAMS
    try:
        PARAMS = common.ranking_params(args.param)
    except ValueError as exc:
        ap.error(str(exc))
    if PARAMS != common.DEFAULT_PARAMS:
        print(f"ranking parameters: {PARAMS}")
    if args.quick:
        args.questions = 300
    parts = set(args.only.split(","))
    common.shared_data()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="kb-bench-quality-") as tmp:
        work = Path(tmp)
        if "segmentation" in parts:
            run_segmentation(args)
        if "recall" in parts:
            builds = run_recall(args, work)
            run_cost(builds, args.recall_results)
        if "ranking" in parts:
            run_ranking(args, work)


if __name__ == "__main__":
    main()
