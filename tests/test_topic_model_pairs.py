"""topicfit: adjacent word pairs among the learned topic decision's words, and the fitting script's new knobs.

The fitting script (benchmarks/fit_topic_model.py) may choose pairs of adjacent words ("a b") into the vocabulary
beside the words (``Config.pairs``).  The extractor counts them in its one pass over the indexer's words
(``vocabulary_counts`` with the model's pairs), and must count them as the fitting script does
(``indexed_pairs``), place by place; a fit with pairs, stored and loaded through JSON as the shipped file is,
must decide as the fitting script.  The fitting script's other knobs (bootstrap bags, positive weight,
per-topic threshold shifts, a step per block of weights) change the stored weights only, so the stored model
decides as the script with them.
"""
from __future__ import annotations

import json
import random

import pytest

from kb.extract.topic_model import (
    LEAD_WORDS, PAIR_SEPARATOR, PLACE_WEIGHTS, ReleaseWords, indexed_pairs, model_from_json, segment_release,
    vocabulary_counts,
)

import test_extract_topic_model as invented

fitting = invented.fitting


def _pair_index(vocabulary: dict[str, int]) -> dict[tuple[str, str], int]:
    return {tuple(w.split(PAIR_SEPARATOR)): j for w, j in vocabulary.items() if PAIR_SEPARATOR in w}


def test_pairs_are_counted_place_by_place_as_the_fitting_script_counts_them():
    w = PLACE_WEIGHTS
    lead = ["ลักลอบ", "ขน", "ยาบ้า", "ลักลอบ", "ขน"] + ["ประชุม"] * (LEAD_WORDS - 5)
    found = ReleaseWords(("ลักลอบ", "ขน", "ยาบ้า"), tuple(lead + ["ลักลอบ", "ขน", "ใน", "ที่", "5", "ปี"]))
    every = indexed_pairs(found)
    assert every["ลักลอบ ขน"] == w["title"] + 2 * w["lead"] + w["body"]
    # The pair across the end of the lead counts in neither place; two stopwords, digits: no candidate pair.
    assert f"ประชุม{PAIR_SEPARATOR}ลักลอบ" not in every and "ใน ที่" not in every and "5 ปี" not in every
    assert indexed_pairs(found, whole=False)["ลักลอบ ขน"] == w["title"] + 2 * w["lead"]
    vocabulary = {"ยาบ้า": 0, "ลักลอบ ขน": 1, "ขน ยาบ้า": 2, "ขน ใน": 3, "ไม่มี คู่": 4}
    for whole in (True, False):
        got = vocabulary_counts(found, vocabulary, whole, pairs=_pair_index(vocabulary))
        pairs = indexed_pairs(found, vocabulary, whole)
        assert {j: c for j, c in got.items() if j} == {vocabulary[p]: c for p, c in pairs.items()}, whole
        assert got[0] == w["title"] + w["lead"]  # the word still counted as a word
    assert 3 in vocabulary_counts(found, vocabulary, True, _pair_index(vocabulary))
    assert 3 not in vocabulary_counts(found, vocabulary, False, _pair_index(vocabulary))


@pytest.mark.parametrize("title, sentences", [
    ("จับกุมเครือข่ายยาเสพติด", invented.SEIZURE * 5),
    ("นายกรัฐมนตรีร่วมพิธีทำบุญ", invented.CEREMONY * 6 + [invented.PASSING]),
])
def test_one_pass_pair_counts_equal_the_scripts_on_invented_releases(title, sentences):
    found = segment_release(title, "\n".join(sentences))
    every = indexed_pairs(found)
    assert every and all(len(p.split(PAIR_SEPARATOR)) == 2 for p in every)
    vocabulary = {p: j for j, p in enumerate(sorted(every)[::2])}
    for whole in (True, False):
        got = vocabulary_counts(found, vocabulary, whole, pairs=_pair_index(vocabulary))
        assert got == {vocabulary[p]: c for p, c in indexed_pairs(found, vocabulary, whole).items()}


@pytest.mark.parametrize("change", [{"pairs": True}, {"pairs": True, "bags": 2, "positive_weight": 1.5},
                                    {"topic_shifts": True}, {"block_steps": True}, {"fresh_weight": 2.0}])
def test_a_fit_with_the_new_knobs_decides_as_the_fitting_script_once_stored(change):
    rng = random.Random(3)
    config = fitting.Config("pairs", "index-lead", True, 0.01, 0.5, 10.0, True, open_cues=True, add_threshold=0.45,
                            vocabulary_cap=60, **change)
    fit = fitting.fit(invented._training(rng), config, iterations=300)
    if config.pairs:
        assert any(PAIR_SEPARATOR in w for w in fit.vocabulary)
    stored = fitting.stored_form(fit, config, {"test": True}, use=True)
    model = model_from_json(json.loads(json.dumps(stored, ensure_ascii=False)))
    assert bool(model.pairs) == config.pairs
    for title, sentences in (("แจ้งเตือนภัยมัลแวร์", invented.OUTBREAK[:3]),
                             ("พิธีทอดผ้าป่าสามัคคี", invented.CEREMONY[1:] + [invented.PASSING]),
                             ("ตำรวจยึดยาบ้าล็อตใหญ่", invented.SEIZURE[:3]),
                             ("ข่าวรัฐบาล", invented.PLAIN[:2] + invented.SEIZURE[:1])):
        release = invented._release(title, sentences, set(), rng)
        script = fitting.decide(fit, config, [release])[0]
        assert model.decide(release.title, release.text, release.reading) == script, title
        if config.pairs:  # the pairs' part of the words, as the script reads them
            x = fitting.word_matrix([release], fit.vocabulary, config.scope)[0]
            assert model.word_vector(release.title, release.text) == pytest.approx(x)
