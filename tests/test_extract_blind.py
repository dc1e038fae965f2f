"""Metadata extraction on a blind set: 60 ThaiGov security releases the rules were never written for.

The labels (tests/labels/blind_thaigov.json) were made by hand before any rule
of issue 13 changed, and no rule is written from them: they measure how the
extractor generalizes.  The set holds ids and labels only; the texts are read at
test time from the shared data folder (never copied into the repository), through
the same JSONL reader the indexer uses.  Without the shared data the tests skip.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
from functools import cache
from pathlib import Path

import pytest

from indexer.readers import read
from kb.extract import extract
from kb.models import Document, RawDocument

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "tests" / "labels" / "blind_thaigov.json"
SET_FIELDS = ("plans", "provinces", "regions", "topics", "agencies")
EXACT_FIELDS = ("date", "type")
GOAL = 0.95
# What the extractor reached on the blind set when these rules were committed: a
# fall below it is a regression.  Fields under GOAL are printed, not hidden.
# Measured 2026-12-07 (min of precision and recall; docs/benchmarks.md): topics is
# under GOAL, and plans is untested here (no release of the sample cites a plan).
# Topics: 0.929 / 0.788 with the hand rules, the decision chosen by cross-validation on
# the other sets (a learned decision, 0.893 / 0.758 here, was not kept); 0.931 / 0.818 with
# the rules of the labelling guide (branch topics3, 2026-12-07; labels of this set unchanged);
# 0.931 / 0.818 after branch topics4 (reported only: no rule of it was chosen on this set).
# Branch topics5: 0.929 / 0.788, one labelled topic fewer, from the guide's actor rule on the
# border police's names (ตชด.: decision 4's own example); this set's labels predate the guide,
# and its errors were not read.  The floor follows the figure down by one topic's margin.
FLOOR = {
    "date": 1.0, "type": 1.0,
    "plans": 1.0, "provinces": 0.99, "regions": 1.0, "topics": 0.76, "agencies": 0.97,
}


def _shared_data() -> Path | None:
    """``$KB_SHARED_DATA``, else ``shared/data`` beside the repository (or beside
    the folder of worktrees that holds it)."""
    env = os.environ.get("KB_SHARED_DATA")
    candidates = [Path(env)] if env else [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]
    return next((c for c in candidates if c.is_dir()), None)


@cache
def _label_set() -> dict:
    return json.loads(LABELS.read_text(encoding="utf-8"))


def source_of(label_set: dict, name: str) -> Path:
    """The shared-data file a label set reads its texts from; skips the test when it is absent."""
    data = _shared_data()
    path = data / label_set["source"] if data else None
    if path is None or not path.exists():
        pytest.skip(f"{name} reads its texts from {label_set['source']} in the shared data folder "
                    "(../shared/data or $KB_SHARED_DATA), which is absent here")
    return path


def _source() -> Path:
    return source_of(_label_set(), "the blind set")


def _rank(salt: str, doc_id: str) -> str:
    return hashlib.sha256((salt + doc_id).encode("utf-8")).hexdigest()


@cache
def _blind_documents(tmp: Path) -> tuple[tuple[str, Document, dict], ...]:
    """(id, extracted Document, expected) for every labelled release, read by the real JSONL reader."""
    return _read_and_extract(tmp, _label_set()["documents"])


def _read_and_extract(tmp: Path, wanted: dict) -> tuple[tuple[str, Document, object], ...]:
    """The releases ``wanted`` names, from the data file through the JSONL reader, extracted."""
    lines = {}
    with gzip.open(_source(), "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["id"] in wanted:
                lines[record["id"]] = line
    missing = wanted.keys() - lines.keys()
    assert not missing, f"labelled releases not in the data file: {sorted(missing)[:3]}"
    path = tmp / f"blind-{len(wanted)}.jsonl"
    path.write_text("".join(lines[i] for i in wanted), encoding="utf-8")
    raws = [r for r in read(path) if isinstance(r, RawDocument)]
    assert [r.id for r in raws] == list(wanted)
    return tuple((r.id, extract(r, r.id), wanted[r.id]) for r in raws)


@pytest.fixture(scope="module")
def blind(tmp_path_factory):
    _source()
    return _blind_documents(tmp_path_factory.mktemp("blind"))


def score(labelled) -> dict[str, tuple[float, float, int]]:
    """Micro precision and recall per field (date and type: exact-match accuracy as both)."""
    counts = {f: [0, 0, 0] for f in SET_FIELDS}
    exact = {f: [0, 0] for f in EXACT_FIELDS}
    for _id, doc, expected in labelled:
        for f in EXACT_FIELDS:
            exact[f][0] += getattr(doc, f) == expected[f]
            exact[f][1] += 1
        for f in SET_FIELDS:
            got, want = set(getattr(doc, f)), set(expected[f])
            counts[f][0] += len(got & want)
            counts[f][1] += len(got)
            counts[f][2] += len(want)
    scores = {f: (hits / total, hits / total, total) for f, (hits, total) in exact.items()}
    for f, (tp, predicted, wanted) in counts.items():
        scores[f] = (tp / predicted if predicted else 1.0, tp / wanted if wanted else 1.0, wanted)
    return scores


def print_scores(what: str, scores: dict[str, tuple[float, float, int]]) -> None:
    """The per-field table that ``pytest -s`` shows, each field below the goal marked."""
    print(f"\nextraction over {what} (goal {GOAL})")
    print(f"{'field':<10} {'precision':>9} {'recall':>7} {'expected':>8}")
    for field, (precision, recall, n) in scores.items():
        mark = "" if min(precision, recall) >= GOAL else "  below goal"
        print(f"{field:<10} {precision:>9.3f} {recall:>7.3f} {n:>8}{mark}")


def differences(labelled) -> list[str]:
    """One line per release and field where extraction and label disagree (for reading, not for rules)."""
    out = []
    for doc_id, doc, expected in labelled:
        for f in (*EXACT_FIELDS, *SET_FIELDS):
            got, want = getattr(doc, f), expected[f]
            if f in SET_FIELDS and set(got) != set(want):
                out.append(f"{doc_id} {f}: extra {sorted(set(got) - set(want))} missing {sorted(set(want) - set(got))}")
            elif f in EXACT_FIELDS and got != want:
                out.append(f"{doc_id} {f}: got {got} want {want}")
    return out


def test_the_blind_set_is_the_fixed_hash_sample_and_well_formed():
    labels = _label_set()
    ids = list(labels["documents"])
    assert len(ids) == labels["size"] >= 60
    for doc_id, expected in labels["documents"].items():
        assert set(expected) == {*EXACT_FIELDS, *SET_FIELDS}, doc_id
    path = _source()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        all_ids = [json.loads(line)["id"] for line in handle]
    first = sorted(all_ids, key=lambda i: _rank(labels["salt"], i))[: labels["size"]]
    assert sorted(ids) == sorted(first), "the labelled releases are not the first ones by hash"


def test_blind_precision_and_recall_per_field(blind):
    scores = score(blind)
    print_scores(f"{len(blind)} blind ThaiGov releases", scores)
    if os.environ.get("KB_BLIND_DIFF"):
        # Off by default: the blind set measures; reading its misses invites writing rules for them.
        for line in differences(blind):
            print("  " + line)
    fallen = {f: s for f, s in scores.items() if min(s[0], s[1]) < FLOOR[f]}
    assert not fallen, f"below the recorded floor {FLOOR}: {fallen}"


def test_plan_titles_inside_agency_names_and_other_plans_tag_no_plan(tmp_path):
    """The plan stratum (labelled after the rule change; see its _doc): releases whose
    only plan titles are agency names, other plans or everyday phrases."""
    _source()
    stratum = _label_set()["plan_stratum"]["plans"]
    wrong = {doc_id: doc.plans for doc_id, doc, want in _read_and_extract(tmp_path, stratum) if doc.plans != want}
    assert len(stratum) >= 20 and not wrong, wrong
