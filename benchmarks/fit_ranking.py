"""Fit the blend's linear weights (``kb/search/weights.json``) on iApp train, choose on valid.

Every question is searched once through the real ``Searcher``; each time the
tiers 2-3 blend runs, its candidate pool and their feature rows
(``kb.search.blend.candidate_rows``) are recorded.  The pool does not depend on
the weights, so MRR@10 under any weighting is recomputed from the recorded rows
in milliseconds (numpy), and weights are fitted by coordinate ascent on MRR@10
of the **train** questions from several starting points.  The candidate with the
best **valid** MRR is kept; test and the ThaiGov known-item set are reported
untouched (``bench_quality.py`` measures them end to end against plain BM25).

Run:  python benchmarks/fit_ranking.py [--train N] [--write]
"""
from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import SearchRequest, build_index  # noqa: E402

import kb.search.tiers as tiers  # noqa: E402
from kb.search import DEFAULT_PARAMS, Searcher  # noqa: E402
from kb.search.blend import candidate_rows  # noqa: E402
from kb.search.features import FEATURES, BlendWeights  # noqa: E402
from kb.engine import Index  # noqa: E402

WEIGHTS_FILE = common.REPO / "kb" / "search" / "weights.json"


@dataclass
class Recorded:
    """One question's recorded ranking: the relevant document's fixed reciprocal rank
    (found outside the blend, or never), or the blend pool holding it."""

    fixed: float
    actual: float = 0.0  # the reciprocal rank the search gave (with the weights in use while recording)
    offset: int = 0  # results ranked before this pool
    k: int = 0  # how many of the pool are shown
    rows: np.ndarray | None = None  # pool × features
    docnums: np.ndarray | None = None
    relevant: int = -1  # row of the relevant document


def record(searcher: Searcher, question: str, relevant_id: str) -> Recorded:
    """Search once, recording every blend call's pool and rows."""
    calls: list[tuple[list[str], list[int], list[tuple[float, ...]], int, list[str]]] = []
    real_blend = tiers.blend

    def recording_blend(index, snap, ev, tier, k, p, budget=None):
        if not tier:
            return []
        cr = candidate_rows(index, snap, ev, tier, k, p)
        out = cr.ranked(p.blend_weights, k)
        calls.append(([snap.docs[d].id for d in cr.docs], cr.docs, cr.rows, k, [snap.docs[d].id for d, _ in out]))
        return out

    tiers.blend = recording_blend
    try:
        hits = [h.id for h in searcher.search(SearchRequest(q=question, limit=10), snippets=False).hits]
    finally:
        tiers.blend = real_blend
    actual = common.reciprocal_rank(hits, relevant_id)
    firsts = [out[0] for *_, out in calls if out]
    prefix = hits.index(firsts[0]) if firsts and firsts[0] in hits else len(hits)  # tier-1 results before the blend's
    offset = 0
    for ids, docnums, rows, k, out in calls:
        if relevant_id in ids:
            return Recorded(0.0, actual, prefix + offset, k, np.array(rows, dtype=float), np.array(docnums),
                            ids.index(relevant_id))
        offset += len(out)
    return Recorded(actual, actual)


def _one(r: Recorded, w: np.ndarray) -> float:
    """The reciprocal rank of one recorded question under weights ``w``."""
    if r.rows is None:
        return r.fixed
    s = r.rows @ w
    rel = s[r.relevant]
    rank = int(np.sum(s > rel) + np.sum((s == rel) & (r.docnums < r.docnums[r.relevant])))
    pos = r.offset + rank
    return 1.0 / (pos + 1) if rank < r.k and pos < 10 else 0.0


class Replay:
    """The recorded questions of one split as flat arrays: MRR@10 under any weights in one pass."""

    def __init__(self, recorded: list[Recorded]):
        pools = [r for r in recorded if r.rows is not None]
        self.n = len(recorded)
        self.fixed = sum(r.fixed for r in recorded if r.rows is None)
        sizes = [len(r.rows) for r in pools]
        self.X = np.vstack([r.rows for r in pools]) if pools else np.zeros((0, len(FEATURES)))
        self.starts = np.cumsum([0] + sizes[:-1])
        self.group = np.repeat(np.arange(len(pools)), sizes)
        self.rel = self.starts + np.array([r.relevant for r in pools], dtype=int)
        self.docnums = np.concatenate([r.docnums for r in pools]) if pools else np.zeros(0)
        self.offset = np.array([r.offset for r in pools])
        self.k = np.array([r.k for r in pools])

    def mrr(self, w: np.ndarray) -> float:
        if not len(self.rel):
            return self.fixed / self.n
        s = self.X @ w
        rel_s = s[self.rel][self.group]
        ahead = (s > rel_s) | ((s == rel_s) & (self.docnums < self.docnums[self.rel][self.group]))
        rank = np.add.reduceat(ahead.astype(int), self.starts)
        pos = self.offset + rank
        shown = (rank < self.k) & (pos < 10)
        return float(self.fixed + np.sum(np.where(shown, 1.0 / (pos + 1), 0.0))) / self.n


def mrr(recorded: "list[Recorded] | Replay", w: np.ndarray) -> float:
    replay = recorded if isinstance(recorded, Replay) else Replay(recorded)
    return replay.mrr(w)


def coordinate_ascent(recorded: list[Recorded], start: np.ndarray, rounds: int = 4) -> np.ndarray:
    """Per feature in turn (weights kept ≥ 0, so more evidence never ranks a candidate lower), the best of a ladder of values around the current one (MRR@10 on ``recorded``)."""
    recorded = Replay(recorded)
    w = start.copy()
    best = mrr(recorded, w)
    for _ in range(rounds):
        improved = False
        for j in range(len(w)):
            base = w[j] if w[j] else 0.5
            ladder = {0.0, *(base * f for f in (0.25, 0.5, 0.8, 1.25, 2.0, 4.0))}  # ≥ 0: evidence never hurts
            for v in sorted(ladder):
                trial = w.copy()
                trial[j] = v
                m = mrr(recorded, trial)
                if m > best + 1e-6:
                    best, w, improved = m, trial, True
        if not improved:
            break
    return w


def softmax_fit(recorded: list[Recorded], l2: float, steps: int = 400, lr: float = 0.05) -> np.ndarray:
    """Listwise logistic fit: maximise the softmax probability of the relevant
    candidate in each pool (a smooth stand-in for MRR that ranks whole pools),
    on standardised features with an L2 penalty, by Adam.  Returns raw-scale weights."""
    pools = [r for r in recorded if r.rows is not None and len(r.rows) > 1]
    X = np.vstack([r.rows for r in pools])
    starts = np.cumsum([0] + [len(r.rows) for r in pools[:-1]])
    rel = starts + np.array([r.relevant for r in pools])
    group = np.repeat(np.arange(len(pools)), [len(r.rows) for r in pools])
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = X / scale
    w = np.zeros(X.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, steps + 1):
        s = Z @ w
        s = s - np.maximum.reduceat(s, starts)[group]
        e = np.exp(s)
        p = e / np.add.reduceat(e, starts)[group]
        grad = (Z.T @ p - Z[rel].sum(axis=0)) / len(pools) + 2 * l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w = np.maximum(0.0, w - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8))
    return w / scale


def record_all(index_dir: Path, triples: list[tuple[str, str, str]]) -> dict[str, list[Recorded]]:
    searcher = Searcher(Index(index_dir), params=DEFAULT_PARAMS)
    out: dict[str, list[Recorded]] = {}
    t0 = time.perf_counter()
    for n, (q, d, split) in enumerate(triples):
        out.setdefault(split, []).append(record(searcher, q, d))
        if n % 500 == 499:
            print(f"  recorded {n + 1}/{len(triples)} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return out


def load_recorded(args: argparse.Namespace) -> dict[str, list[Recorded]]:
    """The recorded pools of iApp questions by split (from ``--cache`` when it exists)."""
    if args.cache and args.cache.exists():
        return pickle.loads(args.cache.read_bytes())
    rs = common.load_iapp_set()
    rng = random.Random(7)
    triples = []
    for split, n in (("train", args.train), ("valid", args.heldout), ("test", args.heldout)):
        mine = rs.split(split)
        triples += rng.sample(mine, n) if n and n < len(mine) else mine
    with tempfile.TemporaryDirectory(prefix="kb-fit-") as tmp:
        src = Path(tmp) / "iapp.jsonl"
        common.write_jsonl(src, ({"id": i, "text": x} for i, (_, x) in rs.docs.items()))
        b = build_index(src, Path(tmp) / "index", subword=True)
        recorded = record_all(b.index_dir, triples)
    if args.cache:
        args.cache.write_bytes(pickle.dumps(recorded))
    return recorded


def fit_candidates(train: list[Recorded]) -> dict[str, np.ndarray]:
    """Candidate weightings, each fitted on ``train`` only."""
    hand = np.array(BlendWeights().vector())  # the former hand-tuned multiples
    one = {f: np.array([1.0 if g == f else 0.0 for g in FEATURES]) for f in ("words",)}
    starts = {"hand-tuned": hand, **{f"{f} only": v for f, v in one.items()}, "hand + words": hand + one["words"]}
    fitted: dict[str, np.ndarray] = {}
    for l2 in (0.0, 0.001, 0.01, 0.1):
        fitted[f"softmax l2={l2}"] = softmax_fit(train, l2)
        starts[f"softmax l2={l2} + ascent"] = fitted[f"softmax l2={l2}"]
    for name, start in starts.items():
        fitted[name] = coordinate_ascent(train, start)
    return fitted


def write_weights(w: np.ndarray, chosen: str, recorded: dict[str, list[Recorded]], figures: dict[str, float]) -> None:
    WEIGHTS_FILE.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%d"),
        "trained_on": f"iApp Wiki QA train ({len(recorded['train'])} questions, all 1,904 passages indexed); "
                      f"chosen on valid ({len(recorded['valid'])} questions): {chosen}",
        "model": "linear: score = sum(weight × feature) over kb.search.features.FEATURES",
        "weights": {f: round(float(x), 4) for f, x in zip(FEATURES, w)},
        "figures": {f"MRR@10 iApp {s} (benchmarks/fit_ranking.py replay)": v for s, v in figures.items()},
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {WEIGHTS_FILE}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=int, default=0, help="train questions sampled (0 = all)")
    ap.add_argument("--heldout", type=int, default=0, help="valid and test questions sampled each (0 = all)")
    ap.add_argument("--cache", type=Path, help="keep the recorded pools in this pickle, and reuse them when it exists")
    ap.add_argument("--write", action="store_true", help="write the chosen weights to kb/search/weights.json")
    args = ap.parse_args(argv)
    common.print_machine()
    recorded = load_recorded(args)
    in_use = np.array(DEFAULT_PARAMS.blend_weights.vector())
    agree = sum(abs(_one(r, in_use) - r.actual) < 1e-9 for rs_ in recorded.values() for r in rs_)
    print(f"replay check: the recorded pools reproduce {agree}/{sum(map(len, recorded.values()))} searches' ranks")
    replays = {s: Replay(recorded[s]) for s in ("train", "valid", "test")}
    fitted = {"in use (weights.json)": in_use, **fit_candidates(recorded["train"])}
    rows = []
    for name, w in fitted.items():
        rows.append([name, *(f"{replays[s].mrr(w):.4f}" for s in replays)])
        print(f"  {name}: {dict(zip(FEATURES, np.round(w, 3).tolist()))}", flush=True)
    print(common.table(["weights", "train", "valid", "test"], rows))
    chosen = max(fitted, key=lambda k: replays["valid"].mrr(fitted[k]))
    figures = {s: round(replays[s].mrr(fitted[chosen]), 4) for s in replays}
    print(f"chosen on valid: {chosen} → {figures}")
    if args.write:
        write_weights(fitted[chosen], chosen, recorded, figures)


if __name__ == "__main__":
    main()
