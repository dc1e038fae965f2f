"""The training set of ThaiGov releases labelled for topics (issue 13).

``tests/labels/train_thaigov.json`` holds 104 releases labelled for topics
before the extractor ran on any of them; ``benchmarks/fit_topics.py`` uses it,
with the dev, held-out and old labelled sets, to cross-validate topic decisions
(docs/benchmarks.md).  The texts are read from the shared data folder at test
time; those tests skip without it.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from test_extract_blind import _rank, _read_and_extract, _source
from test_extract_sets import _all_ids, _excluded, _labels

REPO = Path(__file__).resolve().parent.parent
TRAIN = REPO / "tests" / "labels" / "train_thaigov.json"
# The rules of the labelling guide on the training set relabelled by it (branch topics3,
# 2026-12-07): 0.917 / 0.846 (precision / recall, docs/benchmarks.md; was 0.821 / 0.842).  The floor sits a little under the lower of the two, so that
# one release more or less wrong (about 0.03 here) fails it only when it is a fall.
# Branch topics4 (mined terms, weak headline terms backed by a body sentence): 0.921 / 0.897.
# Branch topics5 (pairs, actors, headline-only releases, written from blind2): unchanged.
TRAIN_FLOOR = 0.88


@cache
def _train() -> dict:
    return json.loads(TRAIN.read_text(encoding="utf-8"))


def test_the_training_set_is_its_hash_sample_and_disjoint_from_every_other_sample():
    _source()
    train = _train()
    taken = _excluded()
    for name in train["after_sets"]:
        labels = _labels(name)
        taken |= set(labels["documents"]) | set(labels["plan_stratum"]["plans"])
    ids = list(train["documents"])
    assert len(ids) == train["size"] >= 100
    assert not set(ids) & taken
    order = [i for i in sorted(_all_ids(), key=lambda i: _rank(train["salt"], i)) if i not in taken]
    assert ids == order[: train["size"]], "not the first releases by its hash"
    for doc_id, expected in train["documents"].items():
        assert set(expected) == {"topics"}, doc_id


def test_topics_on_the_training_set(tmp_path):
    _source()
    labelled = _read_and_extract(tmp_path, _train()["documents"])
    tp = sum(len(set(doc.topics) & set(want["topics"])) for _, doc, want in labelled)
    got = sum(len(doc.topics) for _, doc, _ in labelled)
    wanted = sum(len(want["topics"]) for _, _, want in labelled)
    precision, recall = tp / got, tp / wanted
    print(f"\ntopics over {len(labelled)} training releases: precision {precision:.3f} recall {recall:.3f}")
    assert min(precision, recall) >= TRAIN_FLOOR



# The second training set (train2, 320 releases, four labellers): rules were first written from its errors by
# branch topics7 (2026-12-07): 0.762 / 0.782 before, 0.847 / 0.790 after.  The floor sits one or two releases
# under the lower figure (one topic is about 0.008 here), so that a fall fails it.
TRAIN2 = REPO / "tests" / "labels" / "train2_thaigov.json"
TRAIN2_FLOOR = 0.77


def test_topics_on_the_second_training_set(tmp_path):
    _source()
    labelled = _read_and_extract(tmp_path, json.loads(TRAIN2.read_text(encoding="utf-8"))["documents"])
    tp = sum(len(set(doc.topics) & set(want["topics"])) for _, doc, want in labelled)
    got = sum(len(doc.topics) for _, doc, _ in labelled)
    wanted = sum(len(want["topics"]) for _, _, want in labelled)
    precision, recall = tp / got, tp / wanted
    print(f"\ntopics over {len(labelled)} train2 releases: precision {precision:.3f} recall {recall:.3f}")
    assert min(precision, recall) >= TRAIN2_FLOOR
