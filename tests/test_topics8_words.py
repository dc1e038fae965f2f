"""topics8: the learned topic decision reads the words the indexer segments.

``indexer.prepare`` segments a release anyway; it hands those words to
``extract`` (``words=ReleaseWords(...)``) so that the model's words cost nothing
more, and ``extract`` segments them itself when it is handed none.  The decision
must be the same either way.  A model is fitted here, at test time, by the real
fitting code (benchmarks/fit_topic_model.py) on invented releases over the
indexer's words (scope "index"), and the extractor is given that model in place
of the shipped one: a subject the lexicon has no term for is found from its
words, a passing mention in a ceremony is not, and indexing gives the same topics
as extracting alone.
"""
from __future__ import annotations

import json
import random

import pytest

import kb.extract.topics as topics_module
from indexer.prepare import PrepareTask, prepare
from kb.extract import extract
from kb.extract.topic_model import ReleaseWords, model_from_json, segment_release, topic_model
from kb.extract.topic_hits import topic_hits
from kb.models import RawDocument
from kb.thai.digits import thai_digits_to_arabic

import test_extract_topic_model as invented

fitting = invented.fitting
CONFIG = fitting.Config("words + cues, shared words (index)", "index", True, 0.01, 0.5, 10.0, True)


OUTAGE = "ระบบของหน่วยงานรัฐขัดข้อง"  # an outbreak's headline with no lexicon term


def _training(rng: random.Random) -> list:
    out = []
    for _ in range(25):
        out.append(invented._release(OUTAGE, invented.OUTBREAK, {"cyber"}, rng))
        out.append(invented._release("นายกรัฐมนตรีร่วมพิธีทำบุญ", invented.CEREMONY + [invented.PASSING], set(), rng))
        out.append(invented._release("จับกุมเครือข่ายยาเสพติด", invented.SEIZURE, {"drugs"}, rng))
        out.append(invented._release("ข่าวกิจกรรมของรัฐบาล", invented.PLAIN, set(), rng))
    return out


@pytest.fixture(scope="module")
def model():
    rng = random.Random(8)
    fit = fitting.fit(_training(rng), CONFIG, iterations=400)
    stored = fitting.stored_form(fit, CONFIG, {"test": True}, use=True)
    return model_from_json(json.loads(json.dumps(stored, ensure_ascii=False)))


@pytest.fixture()
def extractor_with(model, monkeypatch):
    # The extractor's model is the one fitted above (the shipped one may be off); nothing else changes.
    monkeypatch.setattr(topics_module, "topic_model", lambda: model)
    return model


def _raw(title: str, sentences: list[str]) -> RawDocument:
    # Thai digits, spaces and a zero-width space: the indexer normalizes them, the extractor folds them.
    body = "\n".join(sentences) + "\nเมื่อวันที่ ๙ มิถุนายน ๒๕๖๘\u200b  เวลา ๑๐.๓๐ น."
    return RawDocument(title=f"  {title} ๒๕๖๘ ", text=f"\n{body}\n", type_hint="news")


def _indexed(raw: RawDocument) -> list[str]:
    done = prepare(PrepareTask(raw=raw, doc_id="t8", content_hash="h", subword=False, postings=False))
    return done.doc.topics


def test_the_indexer_hands_the_words_it_segments(extractor_with):
    raw = _raw("แจ้งเตือนภัยมัลแวร์", invented.OUTBREAK)
    # What prepare segments from the raw release equals what extract segments from its folded texts.
    title, text = (raw.title or "").strip(), (raw.text or "").strip()
    assert segment_release(title, text) == segment_release(thai_digits_to_arabic(title), thai_digits_to_arabic(text))
    given = segment_release(title, text)
    assert given.title and given.body and "๒๕๖๘" not in given.title


@pytest.mark.parametrize("title, sentences", [
    ("แจ้งเตือนภัยมัลแวร์", invented.OUTBREAK),
    (OUTAGE, invented.OUTBREAK[1:]),
    ("พิธีทอดผ้าป่าสามัคคี", invented.CEREMONY + [invented.PASSING]),
    ("ตำรวจยึดยาบ้าล็อตใหญ่", invented.SEIZURE[:3]),
    ("ข่าวรัฐบาล", invented.PLAIN[:2] + invented.SEIZURE[:1]),
])
def test_same_decision_with_and_without_the_indexers_words(extractor_with, title, sentences):
    raw = _raw(title, sentences)
    alone = extract(raw, "t8").topics
    given = segment_release((raw.title or "").strip(), (raw.text or "").strip())
    assert extract(raw, "t8", words=given).topics == alone
    assert _indexed(raw) == alone


def test_the_words_handed_in_are_the_ones_read(extractor_with):
    # Not segmented again: other words handed in give other features.
    model = extractor_with
    title, text = "ข่าวกิจกรรมของรัฐบาล", "\n".join(invented.PLAIN)
    outbreak = segment_release("มัลแวร์ระบาดในหน่วยงานรัฐ", "\n".join(invented.OUTBREAK))
    assert model.word_features(title, text) == model.word_features(title, text, segment_release(title, text))
    assert model.word_features(title, text, outbreak) != model.word_features(title, text)


def test_a_topic_the_lexicon_lacks_is_found_from_the_indexers_words(extractor_with):
    title, sentences = "หน่วยงานรัฐรายงานระบบขัดข้อง", invented.OUTBREAK[:3]
    # The headline and the body name no cyber term: the rules cannot find the subject.
    assert not [h for h in topic_hits(title + " " + " ".join(sentences)) if h.topic == "cyber"]
    raw = _raw(title, sentences)
    assert "cyber" in _indexed(raw)
    assert "cyber" in extract(raw, "t8").topics


def test_a_passing_mention_is_no_topic(extractor_with):
    sentences = invented.CEREMONY[1:] + ["ทั้งนี้ได้ฝากให้ผู้นำชุมชนช่วยกันดูแลบุตรหลานให้ห่างไกลยาเสพติด"]
    raw = _raw("พิธีทอดผ้าป่าสามัคคี", sentences)
    assert "drugs" not in _indexed(raw)
    assert "drugs" not in extract(raw, "t8").topics


def test_the_shipped_model_loads_and_reads_the_indexers_words():
    data = json.loads((invented.resources.files("kb.taxonomy") / invented.MODEL_FILE).read_text(encoding="utf-8"))
    shipped = model_from_json(data)
    assert data["scope"].startswith("index") and shipped.vocabulary and shipped.scan is None
    assert data["date"] and data["figures"]["fitted_on"] and not any(s in json.dumps(data["figures"]) for s in ("blind5", "blind6"))
    assert (topic_model() is not None) == bool(data["use"])


def test_release_words_are_plain_values():
    words = ReleaseWords(("ก",), ("ข", "ค"))
    assert words == ReleaseWords(("ก",), ("ข", "ค")) and hash(words)
