"""topics11: the learned topic decision stays within the labelling guide.

Whatever the words say, a topic the hand rules keep stays where the guide says
the release is about it (``within_the_guide``, ``GUIDE_HOLDS``): the headline or
the lead is about it (the general test: a headline sentence scores it, or a pair
names it in the headline or lead), it has a numbered item of its own (decision
3), a sentence gives it a measure of its own (clarification 11), or the release
is a report dense with topics, where a one-sentence threat is
deliberate, not a minor role (decision 4).  Elsewhere the model decides.  Each
principle is tested with a "contrary" model that keeps nothing on its own, so
only the guide's holds remain; the invented releases are written for these
tests.  The guide's own test files must also pass with the shipped fit switched
on, whatever its "use" says.
"""
from __future__ import annotations

import inspect
import json
from importlib import resources

import numpy as np
import pytest

import kb.extract.topics as topics_module
from kb import taxonomy
from kb.extract import extract
from kb.extract.topic_guide import GUIDE_HOLDS
from kb.extract.topic_model import CUES, MODEL_FILE, TopicModel, model_from_json
from kb.extract.topics import rule_reading
from kb.models import RawDocument

import test_extract_topics_guide as guide_tests
import test_extract_topics_pairs as pairs_tests

TOPICS = tuple(t["key"] for t in taxonomy.topics())
# A provincial meeting on the local economy: sentences about no topic.
MEETING = [f"ผู้ว่าราชการจังหวัดมอบแนวทางที่ {n} ด้านการพัฒนาเศรษฐกิจฐานรากและการท่องเที่ยวชุมชนให้ทุกอำเภอ" for n in range(1, 9)]
CEREMONY = ["นายกรัฐมนตรีเป็นประธานพิธีถวายผ้าพระกฐินพระราชทาน ณ วัดประจำจังหวัด",
            "พร้อมด้วยคณะรัฐมนตรีร่วมพิธีทำบุญตักบาตรถวายภัตตาหารแด่พระสงฆ์",
            "ประชาชนร่วมทอดผ้าป่าสามัคคีเพื่อบูรณะอุโบสถและศาลาการเปรียญของวัด",
            "ในพิธีมีการแสดงศิลปวัฒนธรรมพื้นบ้านและการประกวดขบวนแห่เทียนพรรษา"]
PASSING = "ในโอกาสนี้ได้ขอให้ทุกคนร่วมกันป้องกันปัญหายาเสพติดในชุมชน"
WORKERS = [f"นายจ้างต้องพาแรงงานต่างด้าวกลุ่มที่ {n} ไปยื่นเอกสารที่สำนักงานจัดหางานภายในเดือนหน้า" for n in range(1, 9)]
FORMS = [f"เจ้าหน้าที่อธิบายขั้นตอนที่ {n} ของการกรอกแบบฟอร์มและการนัดหมายผ่านเว็บไซต์ให้ผู้มาติดต่อ" for n in range(1, 26)]
PURPOSE = "มาตรการนี้จะช่วยลดปัญหาการค้ามนุษย์ในภาคแรงงานได้อีกทางหนึ่งในระยะยาว"


def _model(bias: float) -> TopicModel:
    """A model whose words and cues say nothing: ``bias`` alone decides every topic."""
    return TopicModel(TOPICS, {"คำ": 0}, np.zeros((1, len(TOPICS))), CUES, np.zeros(len(CUES)), np.ones(len(CUES)),
                      np.zeros(len(CUES)), np.full(len(TOPICS), bias), 0.5, "index-lead", np.zeros(1))


@pytest.fixture()
def contrary(monkeypatch):
    monkeypatch.setattr(topics_module, "topic_model", lambda: _model(-50.0))


def _topics(title: str, paragraphs: list[str]) -> list[str]:
    raw = RawDocument(title=title, text="\n".join(paragraphs), date_hint="2024-01-10", type_hint="news")
    return extract(raw, "release").topics


def _rules(title: str, paragraphs: list[str]) -> set[str]:
    return set(rule_reading("\n".join(paragraphs), title, release=True).kept)


def test_the_holds_are_the_guide_decisions_in_order():
    assert [h.__name__ for h in GUIDE_HOLDS] == ["headline_or_lead", "a_measure_of_its_own", "own_numbered_item",
                                                 "dense_with_topics"]


def test_a_measure_of_its_own_holds_deep_in_a_release_about_something_else(contrary):
    """Clarification 11: a sentence saying who does what about the topic counts, even as the last
    sentence of a long release on the local economy; the contrary model cannot drop it."""
    closing = "ที่ประชุมมีมติให้ปิดจุดผ่านแดนชั่วคราวบ้านหนองเขียวตั้งแต่พรุ่งนี้เป็นต้นไปจนกว่าสถานการณ์จะคลี่คลาย"
    assert "border" in _rules("ผู้ว่าราชการจังหวัดประชุมหัวหน้าส่วนราชการประจำเดือน", [*MEETING, closing])
    assert "border" in _topics("ผู้ว่าราชการจังหวัดประชุมหัวหน้าส่วนราชการประจำเดือน", [*MEETING, closing])


def test_a_topic_the_headline_is_about_holds(contrary):
    title = "ตำรวจจับกุมผู้ค้ายาเสพติดรายใหญ่พร้อมของกลางยาบ้า"
    assert "drugs" in _rules(title, MEETING)
    assert _topics(title, MEETING) == ["drugs"]


def test_a_pair_in_the_lead_holds(contrary):
    lead = "ตำรวจจับกุมผู้ต้องหาที่ใช้แอปพลิเคชันหาคู่หลอกลวงผู้เสียหายให้โอนเงินกว่าสิบราย เพื่อดำเนินคดีตามกฎหมาย"
    assert _topics("ตำรวจภูธรจังหวัดแถลงผลการจับกุม", [lead, *MEETING]) == ["cyber"]
    # The same pair deep in a long body is no lead: the rules drop it, nothing to hold.
    assert _topics("ตำรวจภูธรจังหวัดแถลงผลการจับกุม", [*MEETING, *MEETING, lead]) == []


def test_a_numbered_item_of_its_own_holds(contrary):
    items = ("รัฐมนตรีเน้นย้ำแนวทางสำคัญ ได้แก่ 1) การป้องกันและปราบปรามยาเสพติด ให้นายอำเภอทุกอำเภอตั้งจุดตรวจ"
             "และค้นหาผู้ค้ารายย่อยในหมู่บ้านอย่างต่อเนื่องทุกสัปดาห์ 2) การจัดเก็บขยะในชุมชน ให้ท้องถิ่นจัดถังขยะ"
             "แยกประเภทให้ครบทุกหมู่บ้านภายในสิ้นปีงบประมาณนี้")
    body = [*MEETING, *MEETING, items]
    assert _topics("รัฐมนตรีมอบนโยบายผู้ว่าราชการจังหวัด", body) == ["drugs"]


def test_a_report_dense_with_topics_holds_each_topic_and_a_sparse_release_does_not(contrary):
    title = "กรมการจัดหางานเปิดลงทะเบียนแรงงาน"
    assert _topics(title, [*WORKERS, PURPOSE]) == ["trafficking", "migration"]
    # The same release with two dozen sentences on forms: no report, and its headline is about no topic;
    # the rules keep migration, a model that keeps nothing drops it: there the model decides.
    assert _rules(title, [*WORKERS, *FORMS, PURPOSE]) == {"migration"}
    assert _topics(title, [*WORKERS, *FORMS, PURPOSE]) == []


def test_a_passing_mention_is_the_models_call(contrary, monkeypatch):
    title = "นายกรัฐมนตรีร่วมพิธีทำบุญ"
    assert _rules(title, [*CEREMONY, PASSING]) == {"drugs"}
    assert _topics(title, [*CEREMONY, PASSING]) == []
    monkeypatch.setattr(topics_module, "topic_model", lambda: _model(50.0))
    # A model that keeps every topic: the guide takes out only the actor (ศอ.บต. backing a religious centre).
    satun = "ศอ.บต. ร่วมหารือกับจังหวัดสตูลเรื่องการก่อสร้างศูนย์บริหารกิจการศาสนาให้แล้วเสร็จภายในปีนี้"
    assert set(_topics("ศอ.บต. หารือจังหวัดสตูลสร้างศูนย์กิจการศาสนา", [satun])) == set(TOPICS) - {"southern-unrest"}


def _no_argument_tests(module) -> list:
    return [f for name, f in sorted(vars(module).items())
            if name.startswith("test_") and callable(f) and not inspect.signature(f).parameters]


@pytest.mark.parametrize("test", _no_argument_tests(guide_tests) + _no_argument_tests(pairs_tests),
                         ids=lambda f: f.__name__)
def test_the_guide_tests_pass_with_the_shipped_fit_switched_on(test, monkeypatch):
    shipped = model_from_json(json.loads((resources.files("kb.taxonomy") / MODEL_FILE).read_text(encoding="utf-8")))
    monkeypatch.setattr(topics_module, "topic_model", lambda: shipped)
    test()
