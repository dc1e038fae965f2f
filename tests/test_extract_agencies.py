"""Agency abbreviations inside longer abbreviations (issue 13, item 7; brief extract5).

Thai has no spaces: ปภ. glued to the letters before it is either inside another
agency's abbreviation (กปภ., the Provincial Waterworks Authority) or after a word
(ร่วมกับปภ.จังหวัด, จากปภ.).  The sentences are invented, none from a release.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb import taxonomy
from kb.extract.agencies import find_agencies

DATA = Path(__file__).resolve().parent.parent / "kb" / "taxonomy" / "agency_longer_abbreviations.json"


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("การประปาส่วนภูมิภาค (กปภ.) เร่งแจกจ่ายน้ำให้หมู่บ้านที่ขาดแคลน", "ปภ."),
        ("อำเภอประสานงานร่วมกับกปภ.สาขาในพื้นที่เพื่อซ่อมท่อ", "ปภ."),
        ("รถบรรทุกน้ำรับน้ำดิบจากกปภ.ไปแจกจ่าย", "ปภ."),
        ("กำลังพลจาก มทบ.15 ลงพื้นที่ช่วยขนย้ายสิ่งของ", "ทบ."),
        ("กำลังพลร่วมกับมทบ.15 ลงพื้นที่ช่วยขนย้ายสิ่งของ", "ทบ."),
        ("นักศึกษา มทร. อาสาซ่อมแซมบ้านเรือน", "ทร."),
        ("อาสาสมัครสาธารณสุขประจำ ศสมช. ตรวจคัดกรองผู้สูงอายุ", "สมช."),
        ("ผู้แทน สพม. เขต 3 ชี้แจงการสอบ", "พม."),
    ],
)
def test_an_abbreviation_inside_a_longer_abbreviation_is_not_the_agency(text, absent):
    assert absent not in find_agencies(text)


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("เจ้าหน้าที่อำเภอร่วมกับปภ.จังหวัดอพยพประชาชน", "ปภ."),
        ("ชาวบ้านได้รับถุงยังชีพจากปภ.เขต 4 เมื่อเช้านี้", "ปภ."),
        ("ขอขอบคุณทบ.ที่ส่งกำลังพลมาช่วย", "ทบ."),
        ("ปมท. สั่งการให้ผู้ว่าราชการจังหวัดเฝ้าระวัง", "มท."),
        ("กรมป้องกันและบรรเทาสาธารณภัย (ปภ.) แจ้งเตือน", "ปภ."),
    ],
)
def test_an_abbreviation_after_a_word_is_still_the_agency(text, agency):
    assert agency in find_agencies(text)


def test_the_mined_forms_each_end_in_an_agency_and_name_none():
    surfaces = {s for a in taxonomy.agencies() for s in [a["abbr"], *a["aliases"]]}
    data = json.loads(DATA.read_text(encoding="utf-8"))
    assert data["forms"] == taxonomy.agency_longer_abbreviations()
    assert len(data["forms"]) >= 10
    for form in data["forms"]:
        assert form not in surfaces and form not in data["heads_kept"], form
        assert any(form.endswith(s) and len(form) > len(s) for s in surfaces), form
        assert find_agencies(f"ผู้แทน {form} เข้าร่วมประชุม") == [], form


def test_the_mined_forms_do_not_change_the_segmenters_dictionary():
    """Blocking forms are not words of the index: the dictionary signature stays."""
    terms = set(taxonomy.dictionary_terms())
    assert not {f.rstrip(".") for f in taxonomy.agency_longer_abbreviations()} & terms
