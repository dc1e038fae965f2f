"""The learned topic decision for news releases (issue 13) and its training set.

``kb/taxonomy/topic_model.json`` holds logistic-regression weights over the
candidate cues of ``kb.extract.topic_model``, fitted by
``benchmarks/fit_topics.py`` on ``tests/labels/train_thaigov.json`` (104
releases labelled for topics before the extractor ran on them), the dev set and
the old labelled releases; the threshold was chosen on the held-out set.  The
texts are read from the shared data folder at test time; those tests skip
without it.
"""
from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import pytest

from kb.extract import extract, topic_model
from kb.models import RawDocument
from test_extract_blind import _rank, _read_and_extract, _source
from test_extract_sets import _all_ids, _excluded, _labels

REPO = Path(__file__).resolve().parent.parent
TRAIN = REPO / "tests" / "labels" / "train_thaigov.json"
# What the fitted model reaches on its own training set (2026-12-07; min of precision and
# recall, docs/benchmarks.md): a training figure, kept only as a regression floor.
TRAIN_FLOOR = 0.86


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


def test_the_weights_file_is_dated_with_its_figures_and_loads():
    path = REPO / "kb" / "taxonomy" / topic_model.MODEL_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["date"] and data["figures"]["heldout_thaigov"]["model"]
    model = topic_model.topic_model()
    assert model is not None and set(model.features) <= set(topic_model.FEATURES)
    assert 0 < model.threshold < 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"features": ["nonsense"], "mean": [0], "scale": [1], "weights": [1], "bias": 0, "threshold": 0.5},
         "unknown features"),
        ({"features": ["hits"], "mean": [0], "scale": [1], "weights": [1], "bias": 0}, "not a topic model"),
        ({"features": ["hits"], "mean": [0, 1], "scale": [1], "weights": [1], "bias": 0, "threshold": 0.5},
         "differ in length"),
        ({"features": ["hits"], "mean": [0], "scale": [1], "weights": [1], "bias": 0, "threshold": 3},
         "not a probability"),
    ],
)
def test_a_bad_weights_file_is_refused_naming_the_file_and_the_reason(data, reason):
    with pytest.raises(ValueError, match=reason) as caught:
        topic_model.model_from_dict(data)
    assert topic_model.MODEL_FILE in str(caught.value)


def _release(title: str, paragraphs: list[str]) -> list[str]:
    raw = RawDocument(title=title, text="\n".join(paragraphs), date_hint="2024-01-10", type_hint="news")
    return extract(raw, "release").topics


_EVENT = [f"กิจกรรมที่ {n} ของงานกีฬาสีประจำปีมีนักเรียนและผู้ปกครองเข้าร่วมอย่างคึกคักตลอดทั้งวัน" for n in range(1, 16)]
_PASSING = "ผู้ว่าราชการจังหวัดกล่าวฝากให้ผู้ปกครองช่วยกันดูแลบุตรหลานให้ห่างไกลจากยาเสพติดทุกชนิด"


def test_the_model_decides_releases_and_the_hand_rules_decide_without_it(monkeypatch):
    """Both deciders agree on the plain cases; without the weights file the hand
    rules run as before (no error, no model)."""
    for decider in ("model", "rules"):
        if decider == "rules":
            monkeypatch.setattr(topic_model, "topic_model", lambda: None)
        assert _release("จังหวัดจัดงานกีฬาสีประจำปี", [*_EVENT, _PASSING]) == [], decider
        assert _release("จังหวัดจัดงานกีฬาสีต้านยาเสพติด", [*_EVENT, _PASSING]) == ["drugs"], decider


def test_candidate_rows_hold_every_feature_and_only_topics_with_a_hit():
    rows = topic_model.candidate_rows("จังหวัดจัดงานกีฬาสีต้านยาเสพติด", "\n".join([*_EVENT, _PASSING]))
    assert set(rows) == {"drugs"}
    assert set(rows["drugs"]) == set(topic_model.FEATURES)
    assert rows["drugs"]["title_hit"] == 1.0 and 0 < rows["drugs"]["line_share"] <= 1
    assert topic_model.candidate_rows("งานกีฬาสี", "\n".join(_EVENT)) == {}


@pytest.mark.slow
def test_the_fit_reproduces_the_stored_weights():
    """``benchmarks/fit_topics.py`` refits the same weights from the same labels."""
    _source()
    sys.path.insert(0, str(REPO / "benchmarks"))
    import fit_topics

    sets = {name: fit_topics.thaigov_set(name) for name in fit_topics.FIT_SETS if name != "old"}
    sets["old"] = fit_topics.old_set()
    stored = json.loads((REPO / "kb" / "taxonomy" / topic_model.MODEL_FILE).read_text(encoding="utf-8"))
    fit_on = [r for name in fit_topics.FIT_SETS for r in sets[name]]
    topics = sorted(stored["topic_bias"])
    x, y, _ = fit_topics.matrix(fit_on, topics)
    _mean, _scale, w, bias = fit_topics.fit(x, y, len(topic_model.FEATURES), stored["l2"])
    assert w[: len(topic_model.FEATURES)] == pytest.approx(stored["weights"], abs=1e-4)
    assert bias == pytest.approx(stored["bias"], abs=1e-4)
