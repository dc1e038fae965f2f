"""The learned topic decision (kb.extract.topic_model) and its fitting script.

A model is fitted here, at test time, by the real fitting code
(benchmarks/fit_topic_model.py) on invented releases: a subject the topic
lexicon has no term for (an invented malware name, with its labelled topic) and
passing mentions of drugs in releases about a merit-making ceremony beside
releases about drug seizures.  The stored form of that fit, loaded as the
extractor loads the shipped file, must decide as the fitting script does, find
the subject without a lexicon term, and drop the passing mention the rules keep.
The shipped file (kb/taxonomy/topic_model.json), when there is one, must load and
say what it was fitted on and what it gave.
"""
from __future__ import annotations

import json
import math
import random
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from kb import taxonomy
from kb.extract.topic_guide import within_the_guide
from kb.extract.topic_model import CUES, MODEL_FILE, OPEN_PREFIX, TopicModel, model_from_json, topic_model
from kb.extract.topic_hits import topic_hits
from kb.extract.topics import rule_reading
from kb.models import RawDocument

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import fit_topic_model as fitting  # noqa: E402

TOPICS = tuple(t["key"] for t in taxonomy.topics())
MALWARE = "zorblax"
CEREMONY = ["นายกรัฐมนตรีเป็นประธานพิธีถวายผ้าพระกฐินพระราชทาน ณ วัดประจำจังหวัด",
            "พร้อมด้วยคณะรัฐมนตรีร่วมพิธีทำบุญตักบาตรถวายภัตตาหารแด่พระสงฆ์",
            "ประชาชนร่วมทอดผ้าป่าสามัคคีเพื่อบูรณะอุโบสถและศาลาการเปรียญของวัด",
            "ในพิธีมีการแสดงศิลปวัฒนธรรมพื้นบ้านและการประกวดขบวนแห่เทียนพรรษา"]
PASSING = "ในโอกาสนี้ได้ขอให้ทุกคนร่วมกันป้องกันปัญหายาเสพติดในชุมชน"
SEIZURE = ["เจ้าหน้าที่ตำรวจจับกุมผู้ต้องหาค้ายาเสพติดพร้อมของกลางยาบ้าสองล้านเม็ดที่จังหวัดเชียงราย",
           "ผู้ต้องหาลักลอบขนยาเสพติดผ่านช่องทางธรรมชาติและถูกยึดทรัพย์สินตามกฎหมายฟอกเงิน",
           "สำนักงานป้องกันและปราบปรามยาเสพติดเร่งขยายผลเครือข่ายผู้ค้ายาเสพติดรายใหญ่",
           "การปราบปรามยาเสพติดเป็นนโยบายเร่งด่วนของรัฐบาลในการสกัดกั้นยาบ้าและไอซ์"]
OUTBREAK = [f"หน่วยงานรัฐหลายแห่งรายงานว่าระบบสารสนเทศติด {MALWARE} ทำให้ข้อมูลประชาชนถูกเข้ารหัส",
            f"ผู้เชี่ยวชาญแนะนำให้ปรับปรุงซอฟต์แวร์เพื่ออุดช่องโหว่ที่ {MALWARE} ใช้แพร่กระจาย",
            f"เจ้าหน้าที่เร่งกู้คืนเครื่องแม่ข่ายที่ถูก {MALWARE} โจมตีและสำรองข้อมูลไว้แยกต่างหาก",
            "ผู้ใช้งานควรตั้งรหัสผ่านที่คาดเดายากและเปลี่ยนเป็นประจำ"]
PLAIN = ["กระทรวงเกษตรและสหกรณ์ส่งเสริมการปลูกข้าวหอมมะลิคุณภาพสูงให้เกษตรกร",
         "รัฐบาลจัดงานส่งเสริมการท่องเที่ยวชุมชนและสินค้าหนึ่งตำบลหนึ่งผลิตภัณฑ์",
         "กระทรวงศึกษาธิการเปิดโครงการทุนการศึกษาให้นักเรียนในพื้นที่ห่างไกล",
         "กรมทางหลวงเร่งซ่อมแซมถนนสายหลักก่อนเทศกาลปีใหม่"]
CONFIG = fitting.Config("words + cues, shared words", "scan", True, 0.01, 0.5, 10.0, True)


def _release(title: str, sentences: list[str], want: set[str], rng: random.Random) -> fitting.Release:
    text = "\n".join(rng.sample(sentences, k=len(sentences)))
    raw = RawDocument(title=title, text=text, type_hint="news")
    release = fitting.make_release(f"invented-{rng.random()}", raw, want)
    assert release is not None
    return release


def _training(rng: random.Random) -> list[fitting.Release]:
    out = []
    for _ in range(25):
        out.append(_release("มัลแวร์ระบาดในหน่วยงานรัฐ", OUTBREAK, {"cyber"}, rng))
        out.append(_release("นายกรัฐมนตรีร่วมพิธีทำบุญ", CEREMONY + [PASSING], set(), rng))
        out.append(_release("จับกุมเครือข่ายยาเสพติด", SEIZURE, {"drugs"}, rng))
        out.append(_release("ข่าวกิจกรรมของรัฐบาล", PLAIN, set(), rng))
    return out


@pytest.fixture(scope="module")
def fitted():
    rng = random.Random(13)
    releases = _training(rng)
    fit = fitting.fit(releases, CONFIG, iterations=400)
    stored = fitting.stored_form(fit, CONFIG, {"test": True}, use=True)
    # Through JSON text, as the shipped file is read.
    return fit, model_from_json(json.loads(json.dumps(stored, ensure_ascii=False))), rng


def _decide_both(fit, model, title: str, sentences: list[str], rng: random.Random) -> tuple[set[str], set[str]]:
    release = _release(title, sentences, set(), rng)
    script = fitting.decide(fit, CONFIG, [release])[0]
    text = "\n".join(sentences)
    shipped = model.decide(title, text, rule_reading(text, title, release=True))
    return script, shipped


def test_the_invented_words_are_no_lexicon_terms():
    # Preconditions of the tests below: the rules cannot find the outbreak, and they keep the passing mention.
    assert not topic_hits(" ".join(OUTBREAK))
    text = "\n".join(CEREMONY + [PASSING])
    assert "drugs" in rule_reading(text, "นายกรัฐมนตรีร่วมพิธีทำบุญ", release=True).kept


def test_a_subject_without_lexicon_term_is_found_from_its_words(fitted):
    fit, model, rng = fitted
    sentences = [f"ศูนย์ประสานงานแจ้งเตือนการระบาดของ {MALWARE} ในเครือข่ายโรงพยาบาล"] + OUTBREAK[1:3]
    script, shipped = _decide_both(fit, model, "แจ้งเตือนภัยมัลแวร์", sentences, rng)
    assert shipped == script
    assert "cyber" in shipped


def test_a_passing_mention_in_a_ceremony_is_no_topic(fitted):
    fit, model, rng = fitted
    sentences = CEREMONY[1:] + ["ทั้งนี้ได้ฝากให้ผู้นำชุมชนช่วยกันดูแลบุตรหลานให้ห่างไกลยาเสพติด"]
    script, shipped = _decide_both(fit, model, "พิธีทอดผ้าป่าสามัคคี", sentences, rng)
    assert shipped == script
    assert "drugs" not in shipped


def test_a_release_about_drugs_keeps_its_topic(fitted):
    fit, model, rng = fitted
    script, shipped = _decide_both(fit, model, "ตำรวจยึดยาบ้าล็อตใหญ่", SEIZURE[:3], rng)
    # topics11: every sentence is about a topic (a report, guide decision 4), so the border the rules find
    # (drugs smuggled through natural crossings, decision 21) holds, though the invented training labels lack it.
    assert shipped == script == {"drugs", "border"}


def test_the_stored_model_decides_as_the_fitting_script_on_plain_releases(fitted):
    fit, model, rng = fitted
    for sentences in (PLAIN, PLAIN[:2] + SEIZURE[:1], CEREMONY[:2]):
        script, shipped = _decide_both(fit, model, "ข่าวรัฐบาล", sentences, rng)
        assert shipped == script


def test_open_cues_and_the_add_threshold_decide_as_the_fitting_script(fitted):
    # model2: the cues again for a topic the rules do not keep, and a lower threshold to add one; stored and
    # loaded through JSON, the extractor's model decides as the fitting script.
    rng = random.Random(5)
    config = fitting.Config("open", "index-lead", True, 0.01, 0.5, 10.0, True, open_cues=True, add_threshold=0.3)
    fit = fitting.fit(_training(rng), config, iterations=400)
    stored = fitting.stored_form(fit, config, {"test": True}, use=True)
    assert stored["cues"] == list(CUES) + [OPEN_PREFIX + c for c in CUES] and stored["add_threshold"] == 0.3
    model = model_from_json(json.loads(json.dumps(stored, ensure_ascii=False)))
    assert not np.allclose(model._scaled_open_cue_list, model._scaled_cue_list)
    for title, sentences in (("แจ้งเตือนภัยมัลแวร์", OUTBREAK[:3]), ("พิธีทอดผ้าป่าสามัคคี", CEREMONY[1:] + [PASSING]),
                             ("ตำรวจยึดยาบ้าล็อตใหญ่", SEIZURE[:3]), ("ข่าวรัฐบาล", PLAIN[:2] + SEIZURE[:1])):
        release = _release(title, sentences, set(), rng)
        script = fitting.decide(fit, config, [release])[0]
        assert model.decide(release.title, release.text, release.reading) == script, title


def _candidates_at(p: float, add: float | None) -> TopicModel:
    """A model under which every topic with a hit has probability ``p`` (its "candidate" cue) and every other
    topic about 0; threshold 0.5, ``add`` for a topic the rules do not keep."""
    n, cue = len(TOPICS), np.zeros(len(CUES))
    cue[CUES.index("candidate")] = 20.0 + math.log(p / (1 - p))
    return TopicModel(TOPICS, {"คำ": 0}, np.zeros((1, n)), CUES, np.zeros(len(CUES)), np.ones(len(CUES)), cue,
                      np.full(n, -20.0), 0.5, "index-lead", np.zeros(1), add_threshold=add)


def test_the_add_threshold_adds_what_the_rules_miss_and_keeps_dropping_apart():
    # A fraud through an app deep in a long body: the rules drop it (no lead), so cyber is a hit they do not keep;
    # a passing mention of drugs in a ceremony: the rules keep it, the guide leaves it to the model.
    lead = "ตำรวจจับกุมผู้ต้องหาที่ใช้แอปพลิเคชันหาคู่หลอกลวงผู้เสียหายให้โอนเงินกว่าสิบราย เพื่อดำเนินคดีตามกฎหมาย"
    meeting = [f"ผู้ว่าราชการจังหวัดมอบแนวทางที่ {n} ด้านการพัฒนาเศรษฐกิจฐานรากและการท่องเที่ยวชุมชนให้ทุกอำเภอ" for n in range(1, 9)]
    fraud = ("ตำรวจภูธรจังหวัดแถลงผลการจับกุม", "\n".join([*meeting, *meeting, lead]))
    ceremony = ("นายกรัฐมนตรีร่วมพิธีทำบุญ", "\n".join([*CEREMONY, PASSING]))
    fraud_reading, ceremony_reading = (rule_reading(text, title, release=True) for title, text in (fraud, ceremony))
    assert not fraud_reading.kept and "cyber" in {h.topic for h in fraud_reading.hits}
    assert ceremony_reading.kept == {"drugs"}
    # At probability 0.4, one threshold (0.5) adds nothing and drops the passing mention; an add threshold of 0.3
    # adds cyber and still drops drugs (its threshold stays 0.5).
    for add, added in ((None, set()), (0.3, {"cyber"})):
        model = _candidates_at(0.4, add)
        assert model.decide(*fraud, fraud_reading) == added
        assert model.decide(*ceremony, ceremony_reading) == set()
    # At 0.6 with an add threshold of 0.7: drugs kept (over 0.5), cyber not added.
    model = _candidates_at(0.6, 0.7)
    assert model.decide(*fraud, fraud_reading) == set() and model.decide(*ceremony, ceremony_reading) == {"drugs"}


def test_a_malformed_model_is_a_clear_error():
    with pytest.raises(ValueError, match="topic_model.json"):
        model_from_json({"topics": ["drugs"], "vocabulary": ["a"]})


def _shipped():
    """The stored model file and the model read from it (skips when none is shipped)."""
    path = resources.files("kb.taxonomy").joinpath(MODEL_FILE)
    if not path.is_file():
        pytest.skip("no topic model shipped")
    data = json.loads(path.read_text(encoding="utf-8"))
    return data, model_from_json(data)


def test_the_shipped_file_says_what_it_was_fitted_on():
    data, model = _shipped()
    assert list(model.topics) == [t["key"] for t in taxonomy.topics()]
    assert data["date"] and data["figures"]["fitted_on"] and not any(s in json.dumps(data["figures"]) for s in ("blind5", "blind6"))
    assert (topic_model() is not None) == bool(data["use"])


def test_the_shipped_weights_decide_as_the_fitting_script():
    # Switched on or off, the stored weights read by the extractor and by the fitting script agree.
    data, model = _shipped()
    n = len(model.vocabulary)
    fit = fitting.Fit(list(data["vocabulary"]), model.word_weights, model.cue_mean, model.cue_scale,
                      model.cue_weights, model.bias, model.threshold,
                      model.shared_word_weights.reshape(n), model.add_threshold)
    open_cues = any(c.startswith(OPEN_PREFIX) for c in data["cues"])
    config = fitting.Config("shipped", data["scope"], bool(data["cues"]), 0.0, model.threshold, open_cues=open_cues,
                            add_threshold=model.add_threshold)
    rng = random.Random(7)
    for title, sentences in (("จับกุมเครือข่ายยาเสพติด", SEIZURE), ("นายกรัฐมนตรีร่วมพิธีทำบุญ", CEREMONY + [PASSING]),
                             ("ข่าวกิจกรรมของรัฐบาล", PLAIN), ("มัลแวร์ระบาดในหน่วยงานรัฐ", OUTBREAK)):
        release = _release(title, sentences, set(), rng)
        script = fitting.decide(fit, config, [release])[0]
        shipped = model.decide(release.title, release.text, release.reading)
        assert shipped == script, title


def test_the_guide_rules_stand_over_the_model(fitted):
    _, model, _ = fitted
    # Guide 4: a topic named only by an agency's name is an actor, whatever the words say.
    satun = "ศอ.บต. ร่วมหารือกับจังหวัดสตูลเรื่องการก่อสร้างศูนย์บริหารกิจการศาสนาให้แล้วเสร็จภายในปีนี้"
    headline = "ศอ.บต. หารือจังหวัดสตูลสร้างศูนย์กิจการศาสนา"
    reading = rule_reading(satun, headline, release=True)
    assert "southern-unrest" in reading.actor_only
    assert within_the_guide({"southern-unrest", "drugs"}, reading, headline, satun) == {"drugs"}
    # Guide 18: a release with only a headline is labelled from it by the rules.
    body = "วันจันทร์ที่ 9 มิถุนายน 2568\n#กระทรวงกลาโหม\nที่มา : https://www.thaigov.go.th/news/contents/details/1"
    title = "บริการตรวจสุขภาพประจำปีให้กำลังพลและครอบครัว"
    reading = rule_reading(body, title, release=True)
    assert reading.headline_only and "public-health" in reading.kept
    assert model.decide(title, body, reading) == reading.kept
