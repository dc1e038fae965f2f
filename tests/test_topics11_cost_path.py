"""topics11: the learned topic decision counts its vocabulary's words in one pass.

``vocabulary_counts`` maps the indexer's words (``ReleaseWords``) to vocabulary
indices in one pass and sums their place weights; the fitting script counts
with ``indexed_counts`` (Counters of every word).  The two
must agree word for word on invented releases, for the whole release (scope
"index") and for the headline and lead (scope "index-lead", whose lead words
were dropped before topics11 unless the headline held them too).  With the
indexer's words handed in, deciding segments nothing again.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import kb.extract.topic_guide as topic_guide_module
import kb.extract.topic_model as topic_model_module
import kb.extract.topics as topics_module
from kb.extract import extract
from kb.extract.topic_model import (
    CUES, LEAD_WORDS, PLACE_WEIGHTS, ReleaseWords, TopicModel, cue_rows, indexed_counts, segment_release, topic_cues,
    unit_log, vocabulary_counts,
)
from kb.models import RawDocument

import test_extract_topic_model as invented


def _vocabulary(words) -> dict[str, int]:
    return {w: i for i, w in enumerate(sorted(set(words)))}


def _as_array(counts: dict[str, float], vocabulary: dict[str, int]) -> np.ndarray:
    out = np.zeros(len(vocabulary))
    for w, c in counts.items():
        out[vocabulary[w]] = c
    return out


def _by_index(counts: dict[str, float], vocabulary: dict[str, int]) -> dict[int, float]:
    return {vocabulary[w]: c for w, c in counts.items()}


def test_one_pass_counts_equal_the_counters_on_a_made_up_word_list():
    lead = ["ยาเสพติด", "ชายแดน", "ยาเสพติด"] + ["ประชุม"] * (LEAD_WORDS - 3)
    body = lead + ["ชายแดน", "สินค้า", "ยาเสพติด"]
    found = ReleaseWords(("ยาเสพติด", "ตำรวจ", "ยาเสพติด"), tuple(body))
    vocabulary = _vocabulary(["ยาเสพติด", "ชายแดน", "ตำรวจ", "สินค้า", "ไม่มีในข่าว"])
    for whole in (True, False):
        got = vocabulary_counts(found, vocabulary, whole)
        assert got == _by_index(indexed_counts(found, vocabulary, whole), vocabulary), whole
    w = PLACE_WEIGHTS
    whole = vocabulary_counts(found, vocabulary, True)
    assert whole[vocabulary["ยาเสพติด"]] == 2 * w["title"] + 2 * w["lead"] + w["body"]
    assert whole[vocabulary["สินค้า"]] == w["body"] and vocabulary["ไม่มีในข่าว"] not in whole
    lead_only = vocabulary_counts(found, vocabulary, False)
    # The lead's words count in the headline-and-lead scope though the headline lacks them; the rest does not.
    assert lead_only[vocabulary["ชายแดน"]] == w["lead"] and vocabulary["สินค้า"] not in lead_only


@pytest.mark.parametrize("title, sentences", [
    ("มัลแวร์ระบาดในหน่วยงานรัฐ", invented.OUTBREAK),
    ("นายกรัฐมนตรีร่วมพิธีทำบุญ", invented.CEREMONY * 6 + [invented.PASSING]),
    ("จับกุมเครือข่ายยาเสพติด", invented.SEIZURE * 5),
    ("ข่าวกิจกรรมของรัฐบาล", invented.PLAIN),
])
def test_one_pass_counts_equal_the_counters_on_invented_releases(title, sentences):
    found = segment_release(title, "\n".join(sentences))
    # Every word but stopwords and digits, as a fitted vocabulary is chosen from; and half of them.
    every = indexed_counts(found)
    for vocabulary in (_vocabulary(every), _vocabulary(sorted(every)[::2])):
        for whole in (True, False):
            got = vocabulary_counts(found, vocabulary, whole)
            assert got == _by_index(indexed_counts(found, vocabulary, whole), vocabulary)


def _model(vocabulary: dict[str, int], scope: str, seed: int = 11) -> TopicModel:
    rng = np.random.default_rng(seed)
    topics = invented.fitting.TOPICS
    return TopicModel(topics, vocabulary, rng.normal(size=(len(vocabulary), len(topics))), CUES,
                      rng.normal(size=len(CUES)), np.abs(rng.normal(size=len(CUES))) + 0.1,
                      rng.normal(size=len(CUES)), rng.normal(size=len(topics)), 0.5, scope,
                      rng.normal(size=len(vocabulary)))


@pytest.mark.parametrize("scope", ["index", "index-lead"])
def test_the_word_vector_is_the_unit_log_of_the_counts(scope):
    title, text = "จับกุมเครือข่ายยาเสพติด", "\n".join(invented.SEIZURE * 5 + invented.PLAIN)
    found = segment_release(title, text)
    vocabulary = _vocabulary(indexed_counts(found))
    model = _model(vocabulary, scope)
    expected = _as_array(unit_log(indexed_counts(found, vocabulary, whole=scope == "index")), vocabulary)
    assert np.allclose(model.word_vector(title, text, found), expected)
    features = model.word_features(title, text, found)
    assert sorted(features) == [j for j, v in enumerate(expected.tolist()) if v]
    assert np.allclose([features[j] for j in sorted(features)], expected[sorted(features)])


def test_cue_rows_are_the_named_cues_in_order():
    from kb.extract.topics import rule_reading

    text = "\n".join(invented.SEIZURE + invented.CEREMONY + [invented.PASSING])
    reading = rule_reading(text, "จับกุมเครือข่ายยาเสพติดที่ชายแดน", release=True)
    rows, named = cue_rows(reading), topic_cues(reading)
    assert rows and set(rows) == set(named)
    for topic, row in rows.items():
        assert row == [named[topic][c] for c in CUES]
    model = _model(_vocabulary(["ยาเสพติด", "ชายแดน"]), "index")
    x = model.word_vector("จับกุมเครือข่ายยาเสพติด", text)
    assert np.allclose(model.logits(x, rows), model.logits(x, named))


def test_given_words_are_not_segmented_again(monkeypatch):
    # A headline that names no topic: the guide leaves the body's topics to the model, which must read the words
    # (a headline naming the seizure would be decided by the guide's holds and never read).
    raw = RawDocument(title="ผู้ว่าราชการจังหวัดประชุมหัวหน้าส่วนราชการ", text="\n".join(invented.SEIZURE), type_hint="news")
    given = segment_release(raw.title, raw.text)
    model = _model(_vocabulary(indexed_counts(given)), "index-lead")
    monkeypatch.setattr(topics_module, "topic_model", lambda: model)
    alone = extract(raw, "t11").topics

    def no_segmenting(*_args):
        raise AssertionError("segmented again")

    monkeypatch.setattr(topic_model_module, "segment_release", no_segmenting)
    assert extract(raw, "t11", words=given).topics == alone
    with pytest.raises(AssertionError, match="segmented again"):
        extract(raw, "t11")


def test_the_logits_are_the_fitting_scripts_formula():
    from kb.extract.topics import rule_reading

    title = "จับกุมเครือข่ายยาเสพติดที่ชายแดน"
    text = "\n".join(invented.SEIZURE + invented.CEREMONY + [invented.PASSING])
    found = segment_release(title, text)
    model = _model(_vocabulary(indexed_counts(found)), "index")
    reading = rule_reading(text, title, release=True)
    x, named = model.word_vector(title, text, found), topic_cues(reading)
    # benchmarks/fit_topic_model.logits: words @ W + bias, + the shared words on a topic with a hit,
    # + standardized cues @ cue weights (a topic with no hit has every cue 0).
    cues = np.array([[named[t][c] for c in CUES] if t in named else [0.0] * len(CUES) for t in model.topics])
    expected = x @ model.word_weights + model.bias + (x @ model.shared_word_weights) * cues[:, 0]
    expected += ((cues - model.cue_mean) / model.cue_scale) @ model.cue_weights
    assert len(named) >= 2
    assert np.allclose(model.logits(x, cue_rows(reading)), expected)
    assert np.allclose(model.logits(model.word_features(title, text, found), named), expected)


def test_a_release_without_a_hit_is_read_only_if_the_words_alone_can_reach_a_topic(monkeypatch):
    title, text = "ข่าวกิจกรรมของรัฐบาล", "\n".join(invented.PLAIN)
    found = segment_release(title, text)
    from kb.extract.topics import rule_reading

    reading = rule_reading(text, title, release=True)
    assert not reading.hits
    vocabulary = _vocabulary(indexed_counts(found))
    model = _model(vocabulary, "index-lead")
    calls = []
    monkeypatch.setattr(topic_model_module, "vocabulary_counts", lambda *a, **k: calls.append(1) or {0: 3.0})
    # Biases far below the threshold: no word vector can lift a topic over it, nothing is read.
    low = TopicModel(*[getattr(model, f) for f in ("topics", "vocabulary", "word_weights", "cue_names", "cue_mean",
                                                    "cue_scale", "cue_weights")], model.bias - 1e3, 0.5, "index-lead",
                     model.shared_word_weights)
    assert low.decide(title, text, reading, found) == set() and not calls
    assert not any(v >= 0 for v in low.logits(low.word_vector(title, text, found), {}))
    # Biases far above: every topic passes on the words alone, and they are read.
    high = TopicModel(*[getattr(low, f) for f in ("topics", "vocabulary", "word_weights", "cue_names", "cue_mean",
                                                   "cue_scale", "cue_weights")], model.bias + 1e3, 0.5, "index-lead",
                      model.shared_word_weights)
    assert high.decide(title, text, reading, found) == set(high.topics) and calls


def test_a_release_whose_topics_the_guide_decides_is_not_read_when_the_words_alone_reach_none(monkeypatch):
    from kb.extract.topics import rule_reading

    title, text = "ตำรวจจับกุมผู้ค้ายาเสพติดรายใหญ่พร้อมของกลางยาบ้า", "\n".join(invented.PLAIN)
    reading = rule_reading(text, title, release=True)
    assert {h.topic for h in reading.hits} == {"drugs"} and "drugs" in reading.in_title
    found = segment_release(title, text)
    model = _model(_vocabulary(indexed_counts(found)), "index-lead")
    low = TopicModel(*[getattr(model, f) for f in ("topics", "vocabulary", "word_weights", "cue_names", "cue_mean",
                                                    "cue_scale", "cue_weights")], model.bias - 1e3, 0.5, "index-lead",
                     model.shared_word_weights)
    calls = []
    monkeypatch.setattr(topic_model_module, "vocabulary_counts", lambda *a, **k: calls.append(1) or {})
    assert low.decide(title, text, reading, found) == {"drugs"} and not calls
    # The same drugs named only in the body: the model decides it, so the words are read.
    body = rule_reading(text + "\nตำรวจจับกุมผู้ค้ายาเสพติดรายใหญ่พร้อมของกลางยาบ้า", "ข่าวรัฐบาล", release=True)
    low.decide("ข่าวรัฐบาล", text + "\nตำรวจจับกุมผู้ค้ายาเสพติดรายใหญ่พร้อมของกลางยาบ้า", body, found)
    assert calls


OPEN_CASES = [
    ("จับกุมเครือข่ายยาเสพติด", invented.SEIZURE + invented.CEREMONY),
    ("นายกรัฐมนตรีร่วมพิธีทำบุญ", invented.CEREMONY + [invented.PASSING]),
    ("ข่าวกิจกรรมของรัฐบาล", invented.PLAIN + invented.SEIZURE[:1] + invented.OUTBREAK[3:]),
    ("ศอ.บต. หารือจังหวัดสตูล", ["ศอ.บต. ร่วมหารือเรื่องยาเสพติดและการค้ามนุษย์ในพื้นที่ชายแดน", *invented.PLAIN]),
]


def test_the_open_topics_path_decides_as_the_full_one():
    """A model whose words alone lift no topic computes only the log-odds of the topics the guide leaves
    open; over every topic (the path of a model whose words can) the decision is the same."""
    from kb.extract.topics import rule_reading

    seen = set()
    for (title, sentences), seed in itertools.product(OPEN_CASES, range(8)):
        text = "\n".join(sentences)
        found, reading = segment_release(title, text), rule_reading(text, title, release=True)
        base = _model(_vocabulary(indexed_counts(found)), "index-lead", seed)
        # Each topic's bias just under what its words alone would need: the cues decide a topic with a hit.
        reach = np.sqrt((np.maximum(base.word_weights, 0) ** 2).sum(axis=0))
        fields = [getattr(base, f) for f in ("topics", "vocabulary", "word_weights", "cue_names", "cue_mean",
                                             "cue_scale", "cue_weights")]
        model = TopicModel(*fields, -reach - 0.5 - base._base[0] + base.bias[0], 0.5, "index-lead",
                           base.shared_word_weights)
        full = TopicModel(*fields, model.bias, 0.5, "index-lead", model.shared_word_weights)
        full.__dict__["_words_alone_reach"] = True  # every topic's log-odds
        assert not model._words_alone_reach
        decided = model.decide(title, text, reading, found)
        assert decided == full.decide(title, text, reading, found)
        seen.add(decided != set(reading.kept))
    assert seen == {True, False}  # the model both follows and overrules the rules here


def test_the_line_count_bounds_the_sentence_count():
    from kb.extract.topic_hits import topic_scoring
    from kb.extract.topics import _sentence_count

    for title, lines in (("กรมการจัดหางานเปิดลงทะเบียนแรงงาน", invented.SEIZURE * 3 + ["   ", ""]), ("", invented.PLAIN)):
        text = "\n".join(lines)
        lower = bool(title.strip()) + len(topic_guide_module._TEXT_LINE.findall(text))
        assert lower == bool(title) + sum(bool(line.strip()) for line in lines) <= _sentence_count(title, text,
                                                                                                    topic_scoring())


def test_a_topic_key_the_fit_does_not_know_is_no_error():
    """A rule branch may add a topic key after the fit: the model leaves it to the guide, on either path."""
    from kb.extract.topics import rule_reading

    title, text = "ตำรวจจับกุมผู้ค้ายาเสพติดรายใหญ่พร้อมของกลางยาบ้า", "\n".join(invented.SEIZURE)
    found, reading = segment_release(title, text), rule_reading(text, title, release=True)
    base = _model(_vocabulary(indexed_counts(found)), "index-lead")
    known = tuple(t for t in base.topics if t != "drugs")
    keep = [j for j, t in enumerate(base.topics) if t != "drugs"]
    for bias in (-1e3, 0.0):
        model = TopicModel(known, base.vocabulary, base.word_weights[:, keep], base.cue_names, base.cue_mean,
                           base.cue_scale, base.cue_weights, base.bias[keep] + bias, 0.5, "index-lead",
                           base.shared_word_weights)
        decided = model.decide(title, text, reading, found)
        assert "drugs" in decided  # kept by the rules, the headline about it
