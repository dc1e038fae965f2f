"""Choose the topic decision for news releases by leave-one-set-out cross-validation.

Issue 13, "Extraction that generalizes".  A decision turns the candidate topics
of a release (the topics with a lexicon hit that survives the context rules of
``kb.extract.topics``) into its topics.  Candidates compared:

* the hand rules as shipped (``kb.extract.topics``; nothing fitted);
* the hand rules with their two release thresholds (``need_points``,
  ``sparse_release_share``) chosen on the training folds;
* logistic regressions over cues of each candidate (``CUES``): all 18 or 7
  of them, L2 1 / 10 / 100, with or without a bias per topic, threshold 0.5 or
  the one with the best F1 on the training folds; and the same with the rules'
  verdict as the only strong cue (unpenalized, every other weight shrunk).

Folds: the labelled sets *train* (``tests/labels/train_thaigov.json``), *dev*,
*held-out* and the news releases of the *old* labelled set; with ``--with-blind2``
also the second blind set, released for development after two blind scorings.  Each
decision is fitted on the other folds and scored on the one left out; the score is micro
precision / recall / F1 pooled over the left-out sets.  The **blind** set
takes part in nothing: ``--blind`` scores the chosen decision (the best pooled
F1) on it once, and no other.

Every release is read through the real JSONL reader and goes through the real
``extract``, so ``release`` (doc type news) is decided as at indexing time.  A
labelled topic that is no candidate counts as a miss in every figure.

``--sets`` (branch topics7) prints the shipped extract's topic precision / recall on every labelled set and
pooled: train2 (fitted on), the development sets, blind3 + blind4 (the choose sets: numbers only) and the old
set; ``--train2-errors`` adds train2's errors with the labellers' reasons.

Run:  python benchmarks/fit_topics.py [--summary] [--errors train_thaigov,...] [--with-blind2] [--blind]
      python benchmarks/fit_topics.py --sets [--train2-errors]
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.readers import read  # noqa: E402
from kb.extract import extract  # noqa: E402
from kb.extract import topics as topic_rules  # noqa: E402
from kb.extract.topic_hits import background_terms, topic_hits  # noqa: E402
from kb.extract.sentences import LINE  # noqa: E402
from kb.models import RawDocument  # noqa: E402
from kb.thai.digits import thai_digits_to_arabic  # noqa: E402

LABELS = REPO / "tests" / "labels"
FOLDS = ("train_thaigov", "dev_thaigov", "heldout_thaigov", "old")
# The second blind set, scored twice and then released for development (topics5): a fifth
# fold with --with-blind2.  The old blind set stays out of every fold.
BLIND2 = "blind2_thaigov"
BLIND = "blind_thaigov"
# How far into the body a hit still counts as in the lead: the first lines of a
# ThaiGov release repeat the headline and give the lead paragraph.
LEAD_CHARS = 600
CUES = (
    "rules_kept", "title_hit", "title_strong", "title_foreground", "title_scored", "lead_hit", "points",
    "sentences", "hits", "strong_share", "distinct_terms", "line_share", "first_position", "point_share",
    "topic_density", "other_topics", "length", "background_share",
)
FEW_CUES = ("rules_kept", "title_hit", "title_scored", "lead_hit", "points", "point_share", "topic_density")
THRESHOLDS = np.arange(0.20, 0.86, 0.01)


@dataclass
class Release:
    """One labelled news release: folded title and text, candidate cue rows, labels, the shipped rules' topics."""

    name: str
    title: str
    text: str
    rows: dict[str, dict[str, float]]
    want: set[str]
    rules: set[str]


# ----------------------------------------------------------------------------- reading the sets


def shared_data() -> Path:
    for c in (REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data", Path("/work/shared/data")):
        if c.is_dir():
            return c
    raise SystemExit("fit_topics: the shared data folder (../shared/data) is absent")


def _release(doc_id: str, raw: RawDocument, want: set[str]) -> Release | None:
    """The release's cue rows, or None when ``extract`` does not read it as a news release."""
    doc = extract(raw, doc_id)
    if doc.type != "news":
        return None
    title, text = thai_digits_to_arabic((raw.title or "").strip()), thai_digits_to_arabic((raw.text or "").strip())
    return Release(doc_id, title, text, candidate_rows(title, text, set(doc.topics)), want, set(doc.topics))


def thaigov_set(name: str, make: Callable | None = None) -> list:
    labels = json.loads((LABELS / f"{name}.json").read_text(encoding="utf-8"))
    wanted = labels["documents"]
    lines = {}
    with gzip.open(shared_data() / labels["source"], "rt", encoding="utf-8") as handle:
        for line in handle:
            doc_id = json.loads(line)["id"]
            if doc_id in wanted:
                lines[doc_id] = line
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.jsonl"
        path.write_text("".join(lines[i] for i in wanted), encoding="utf-8")
        raws = [r for r in read(path) if isinstance(r, RawDocument)]
    make = make or _release
    out = [make(r.id, r, set(wanted[r.id]["topics"])) for r in raws]
    return [r for r in out if r is not None]


def old_set(make: Callable | None = None) -> list:
    """The news releases of the old labelled set: bundled corpus files and inline cases."""
    make = make or _release
    out = []
    for path in sorted(LABELS.glob("corpus_*.json")):
        for doc_id, expected in json.loads(path.read_text(encoding="utf-8")).items():
            raws = [r for r in read(REPO / "corpus" / doc_id) if isinstance(r, RawDocument)]
            if not raws:  # a scan where OCR (tesseract-ocr-tha) is not installed: a meeting record, no release
                print(f"old set: {doc_id} unread (needs OCR), left out", file=sys.stderr)
                continue
            out.append(make(doc_id, raws[0], set(expected["topics"])))
    for path in sorted(LABELS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data if isinstance(data, list) else []:
            if isinstance(case, dict) and "text" in case:
                raw = RawDocument(title=case.get("title", ""), text=case["text"], date_hint=case.get("date_hint"))
                out.append(make(case["id"], raw, set(case["expected"]["topics"])))
    return [r for r in out if r is not None]


# ----------------------------------------------------------------------------- cues of a candidate


def candidate_rows(title: str, text: str, kept: set[str]) -> dict[str, dict[str, float]]:
    """Per candidate topic, its cues (``CUES``), from the hits and sentence evidence the rules compute."""
    head = title.replace("\n", " ")
    hits = topic_hits(f"{head}\n{text}")
    if not hits:
        return {}
    found = topic_rules._topic_evidence(title, text)
    body_start, body_len = len(head) + 1, max(1, len(text))
    line_starts = [m.start() for m in LINE.finditer(text)]
    background = background_terms()
    total_points = sum(found.points.values()) or 1.0
    with_points = {t for t, p in found.points.items() if p > 0}
    rows = {}
    for topic in {h.topic for h in hits}:
        mine = [h for h in hits if h.topic == topic]
        in_title = [h for h in mine if h.start < len(head)]
        body = [h.start - body_start for h in mine if h.start >= body_start]
        points = found.points.get(topic, 0.0)
        rows[topic] = {
            "rules_kept": float(topic in kept),
            "title_hit": float(bool(in_title)),
            "title_strong": float(any(h.strong for h in in_title)),
            "title_foreground": float(any(h.strong and h.term not in background for h in in_title)),
            "title_scored": float(topic in found.in_title),
            "lead_hit": float(any(b < LEAD_CHARS for b in body)),
            "points": math.log1p(points),
            "sentences": math.log1p(found.sentences.get(topic, 0) if points else 0),
            "hits": math.log1p(len(mine)),
            "strong_share": sum(h.strong for h in mine) / len(mine),
            "distinct_terms": math.log1p(len({h.term for h in mine})),
            "line_share": len({np.searchsorted(line_starts, b, "right") for b in body}) / max(1, len(line_starts)),
            "first_position": min(body) / body_len if body else 1.0,
            "point_share": points / total_points,
            "topic_density": 1000.0 * found.scoring / body_len,
            "other_topics": math.log1p(len(with_points - {topic})),
            "length": math.log(body_len),
            "background_share": sum(h.term in background for h in mine) / len(mine),
        }
    return rows


# ----------------------------------------------------------------------------- decisions

# A decision: (releases to fit on, releases to decide) -> the topics of each release to decide.
Decision = Callable[[list[Release], list[Release]], list[set[str]]]


def counts(releases: list[Release], decided: list[set[str]]) -> np.ndarray:
    """(true positives, topics given, topics labelled)."""
    return np.array([sum(len(d & r.want) for d, r in zip(decided, releases)),
                     sum(len(d) for d in decided), sum(len(r.want) for r in releases)])


def prf(c: np.ndarray) -> tuple[float, float, float]:
    p = c[0] / c[1] if c[1] else 1.0
    r = c[0] / c[2] if c[2] else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def shipped_rules(_fit_on: list[Release], releases: list[Release]) -> list[set[str]]:
    return [r.rules for r in releases]


def rules_with(need: float, share: float, releases: list[Release]) -> list[set[str]]:
    """The hand rules with other release thresholds (the cached scoring dict, restored after)."""
    cfg = topic_rules.topic_scoring()
    saved = cfg["need_points"], cfg["sparse_release_share"]
    cfg["need_points"], cfg["sparse_release_share"] = need, share
    try:
        return [set(topic_rules.topics_in(r.text, r.title, release=True)) for r in releases]
    finally:
        cfg["need_points"], cfg["sparse_release_share"] = saved


def tuned_rules(fit_on: list[Release], releases: list[Release]) -> list[set[str]]:
    """The hand rules with the release thresholds of best F1 on ``fit_on`` (ties: the shipped ones)."""
    shipped = (topic_rules.topic_scoring()["need_points"], topic_rules.topic_scoring()["sparse_release_share"])
    grid = [(need, share) for need in (1, 1.5, 2) for share in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)]
    best = max(grid, key=lambda g: (round(prf(counts(fit_on, rules_with(*g, fit_on)))[2], 9), g == shipped))
    return rules_with(*best, releases)


def _matrix(releases: list[Release], cues: tuple[str, ...], topics: list[str]):
    xs, ys, keys = [], [], []
    for i, r in enumerate(releases):
        for topic, row in sorted(r.rows.items()):
            xs.append([row[c] for c in cues] + [float(topic == t) for t in topics])
            ys.append(float(topic in r.want))
            keys.append((i, topic))
    return np.array(xs).reshape(len(xs), len(cues) + len(topics)), np.array(ys), keys


def _fit(x: np.ndarray, y: np.ndarray, penalty: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """L2-regularized logistic regression by Newton steps (columns standardized, bias unpenalized)."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9

    def design(xx: np.ndarray) -> np.ndarray:
        return np.hstack([(xx - mean) / scale, np.ones((len(xx), 1))])

    a = design(x)
    pen = np.append(penalty, 0.0)
    w = np.zeros(a.shape[1])
    for _ in range(60):
        p = 1 / (1 + np.exp(-a @ w))
        step = np.linalg.solve((a * (p * (1 - p))[:, None]).T @ a + np.diag(pen + 1e-9), a.T @ (p - y) + pen * w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return lambda xx: 1 / (1 + np.exp(-design(xx) @ w))


def _decided(n: int, keys: list, probability: np.ndarray, threshold: float) -> list[set[str]]:
    out: list[set[str]] = [set() for _ in range(n)]
    for (i, topic), p in zip(keys, probability):
        if p >= threshold:
            out[i].add(topic)
    return out


def logistic(cues: tuple[str, ...], l2: float, topic_bias: bool, threshold: float | None,
             strong: tuple[str, ...] = ()) -> Decision:
    """A logistic regression over ``cues`` (``strong`` ones nearly unpenalized); ``threshold``
    None: the one with the best F1 on the releases it is fitted on."""
    def decide(fit_on: list[Release], releases: list[Release]) -> list[set[str]]:
        topics = sorted({t for r in fit_on + releases for t in r.rows}) if topic_bias else []
        x, y, keys = _matrix(fit_on, cues, topics)
        penalty = np.array([1e-3 if c in strong else l2 for c in cues] + [l2] * len(topics))
        model = _fit(x, y, penalty)
        chosen = threshold
        if chosen is None:
            p = model(x)
            chosen = -max((prf(counts(fit_on, _decided(len(fit_on), keys, p, t)))[2], -t) for t in THRESHOLDS)[1]
        xt, _, keys_t = _matrix(releases, cues, topics)
        return _decided(len(releases), keys_t, model(xt) if len(xt) else np.array([]), chosen)
    return decide


def decisions() -> dict[str, Decision]:
    out: dict[str, Decision] = {"hand rules (shipped)": shipped_rules, "hand rules, thresholds fitted": tuned_rules}
    for name, cues in (("18 cues", CUES), ("7 cues", FEW_CUES)):
        for l2 in (1, 10, 100):
            for topic_bias in (True, False):
                for threshold in (None, 0.5):
                    label = f"logistic {name}, L2 {l2}, {'topic biases' if topic_bias else 'no topic bias'}, " \
                            f"threshold {'fitted' if threshold is None else threshold}"
                    out[label] = logistic(cues, l2, topic_bias, threshold)
    for name, cues in (("18 cues", CUES), ("7 cues", FEW_CUES)):
        for l2 in (10, 100, 1000):
            for threshold in (None, 0.5):
                label = f"logistic {name}, rules' verdict strong, others L2 {l2}, " \
                        f"threshold {'fitted' if threshold is None else threshold}"
                out[label] = logistic(cues, l2, False, threshold, strong=("rules_kept",))
    return out


# ----------------------------------------------------------------------------- reading the errors


def error_summary(releases: list[Release], decided: list[set[str]]) -> str:
    """False and missed topics counted by topic and by where the topic's first hit stands
    (title, lead, body only, none: no candidate); aggregate, so it can be shown for every set."""
    tally: Counter = Counter()
    for r, d in zip(releases, decided):
        for kind, ts in (("false", d - r.want), ("missed", r.want - d)):
            for t in ts:
                row = r.rows.get(t)
                cue = "none" if row is None else "title" if row["title_hit"] else "lead" if row["lead_hit"] else "body"
                tally[(kind, t)] += 1
                tally[(kind, "cue:" + cue)] += 1
    return " ".join(f"{k}/{t}={n}" for (k, t), n in sorted(tally.items()))


def errors(releases: list[Release], decided: list[set[str]]) -> list[str]:
    out = []
    for r, d in zip(releases, decided):
        for kind, ts in (("false ", d - r.want), ("missed", r.want - d)):
            for t in sorted(ts):
                row = r.rows.get(t)
                cues = "(no candidate)" if row is None else " ".join(
                    f"{k}={row[k]:.2f}" for k in ("title_hit", "lead_hit", "sentences", "point_share", "topic_density"))
                out.append(f"  {kind} {t:<15} {r.name[-60:]} {cues}")
    return out


# ----------------------------------------------------------------------------- run


def cross_validate(sets: dict[str, list[Release]], decide: Decision) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Leave one set out over every set in ``sets`` (the folds)."""
    per = {}
    for out in sets:
        fit_on = [r for name in sets if name != out for r in sets[name]]
        per[out] = counts(sets[out], decide(fit_on, sets[out]))
    return sum(per.values()), per


# The sets a change is judged on (branch topics7): fitted on train2, chosen on the choose sets
# pooled (numbers only: their differences and ids are never printed), reported on the others.
TRAIN2 = "train2_thaigov"
DEVELOPMENT = ("train_thaigov", "dev_thaigov", "heldout_thaigov", BLIND2, BLIND)
CHOOSE = ("blind3_thaigov", "blind4_thaigov")


def _train2_notes() -> dict[str, list[str]]:
    """The train2 labellers' reasons, one list of lines per release (the four files differ in shape)."""
    out: dict[str, list[str]] = {}
    for path in sorted(LABELS.glob("train2_notes_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for doc_id, notes in (data.get("notes") or data.get("documents") or {}).items():
            if isinstance(notes, dict):
                notes = [f"{k}: {v}" for k, v in notes.items()]
            out[doc_id] = [notes] if isinstance(notes, str) else list(notes)
    return out


def sets_report(train2_errors: bool) -> None:
    """Topic precision / recall of the shipped ``extract`` on every labelled set, pooled as chosen."""
    def topics_of(doc_id: str, raw: RawDocument, want: set[str]) -> tuple[str, str, set[str], set[str]]:
        return doc_id, raw.title or "", want, set(extract(raw, doc_id).topics)

    tallies, notes = {}, _train2_notes() if train2_errors else {}
    for name in (TRAIN2, *DEVELOPMENT, *CHOOSE, "old"):
        rows = old_set(topics_of) if name == "old" else thaigov_set(name, topics_of)
        tallies[name] = np.array([sum(len(g & w) for _, _, w, g in rows), sum(len(g) for *_, g in rows),
                                  sum(len(w) for _, _, w, _ in rows)])
        if name == TRAIN2 and train2_errors:
            for doc_id, title, want, got in rows:
                if got != want:
                    print(f"{doc_id}  false {sorted(got - want)} missed {sorted(want - got)}  {title[:90]}")
                    print("\n".join(f"    {line}" for line in notes.get(doc_id, [])))
    pools = {**{n: (n,) for n in tallies}, "development pooled": DEVELOPMENT, "choose pooled": CHOOSE}
    for label, names in pools.items():
        c = sum(tallies[n] for n in names)
        p, r, f = prf(c)
        print(f"{label:<20} P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (found {c[0]}, given {c[1]}, labelled {c[2]})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", action="store_true",
                    help="the shipped extract's topics on every labelled set (choose sets: numbers only)")
    ap.add_argument("--train2-errors", action="store_true", help="with --sets: train2's errors and the labellers' notes")
    ap.add_argument("--blind", action="store_true", help="score the chosen decision on the blind set (once)")
    ap.add_argument("--summary", action="store_true", help="the shipped rules' errors by topic and cue, per fold")
    ap.add_argument("--errors", default="", help="comma-separated folds whose errors to print (never blind)")
    ap.add_argument("--with-blind2", action="store_true", help="the second blind set as a fifth fold")
    args = ap.parse_args()
    if args.sets:
        sets_report(args.train2_errors)
        return
    folds = FOLDS + ((BLIND2,) if args.with_blind2 else ())
    sets = {name: thaigov_set(name) for name in folds if name != "old"}
    sets["old"] = old_set()
    sets = {name: sets[name] for name in folds}
    print("folds: " + ", ".join(f"{n} {len(sets[n])} releases / {sum(len(r.want) for r in sets[n])} topics"
                                for n in folds))
    results = []
    for label, decide in decisions().items():
        pooled, per = cross_validate(sets, decide)
        results.append((prf(pooled), label, per))
    results.sort(key=lambda x: -x[0][2])
    # The mean of the folds' F1 is printed beside the pooled one: the old fold holds most
    # labelled topics, and a choice that only the pooled figure made would be fragile.
    print(f"{'pooled P / R / F1':<22} {'mean F1':>7} " + " ".join(f"{n[:8]:>13}" for n in folds) + "  decision")
    for (p, r, f), label, per in results:
        cells = " ".join(f"{prf(per[n])[0]:.3f}/{prf(per[n])[1]:.3f}" for n in folds)
        mean_f1 = sum(prf(per[n])[2] for n in folds) / len(folds)
        print(f"{p:.3f} / {r:.3f} / {f:.3f}  {mean_f1:7.3f} {cells}  {label}")
    chosen = results[0][1]
    print(f"chosen: {chosen}")
    if args.summary:
        for n in folds:
            print(f"{n}: {error_summary(sets[n], [r.rules for r in sets[n]])}")
    for name in filter(None, args.errors.split(",")):
        if name not in folds:
            raise SystemExit(f"--errors: {name!r} is not a fold ({', '.join(folds)}); "
                             "the blind set's errors are not for reading")
        print(f"errors of the shipped rules on {name}:")
        print("\n".join(errors(sets[name], [r.rules for r in sets[name]])))
    if args.blind:
        blind = thaigov_set(BLIND)
        fit_on = [r for name in folds for r in sets[name]]
        p, r, f = prf(counts(blind, decisions()[chosen](fit_on, blind)))
        print(f"blind ({len(blind)} releases), {chosen}: {p:.3f} / {r:.3f} / {f:.3f}")


if __name__ == "__main__":
    main()
