"""Kinds of province and region error found on the fourth training set (issue 13, branch places2).

Provinces: a name inside a person's name (surnames with ณ, surnames and given names after any title), an
art style or a period, the far end of a road named for two places, a company or a kingdom named for a
province, the links to other releases a page ends with; names found again: trap names in a counted list,
a province's abbreviation after จว., misspellings typists make.  Regions: an army area by its commander's
title or abbreviation, จชต, อีสานเหนือ/ใต้, and no region of a foreign state.

Every text here is invented for these tests.
"""
from __future__ import annotations

import pytest

from kb import analysis, taxonomy
from kb.extract import extract, find_provinces, find_regions
from kb.models import RawDocument


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a surname: ณ and a province after a person's title and names
        ("นายสมศักดิ์ ใจงาม ณ หนองคาย ผู้ว่าราชการจังหวัดพังงา เปิดงาน", ["พังงา"]),
        ("โดยมีนางสมศรี ดีงาม ณ สงขลา ประธานแม่บ้านมหาดไทย ร่วมพิธี", []),  # the title glued to โดยมี
        ("พลโท สมชาย ใจดี ณ อยุธยา เจ้ากรมกิจการพลเรือนทหาร", []),
        ("มอบหมายให้นายกิตติ ณระนอง เป็นประธาน", []),
        # ณ as "at": no person before it
        ("การประชุมรัฐมนตรีจะจัดขึ้นระหว่างวันที่ 9 - 11 ธันวาคม ณ เชียงใหม่", ["เชียงใหม่"]),
        ("ผู้ช่วยทูตทหารญี่ปุ่นประจำสถานเอกอัครราชทูต ณ กรุงเทพฯ เข้าพบ", ["กรุงเทพมหานคร"]),
        ("นายกรัฐมนตรีเป็นประธานการประชุม ณ ระนอง", ["ระนอง"]),
        # a surname that ends in a province's name, a given name after a title with a space
        ("นางสมใจ ทองพิจิตร ประธานแม่บ้านมหาดไทยจังหวัดมุกดาหาร", ["มุกดาหาร"]),
        ("ได้รับเกียรติจาก ศ.ดร. สุรินทร์ ใจดี เป็นวิทยากร", []),
        # an office's abbreviation that ends like a title (สนพ., not นพ.)
        ("ผู้ผ่านการฝึกอบรมจาก สนพ.บึงกาฬ ได้งานทำ", ["บึงกาฬ"]),
    ],
)
def test_a_province_in_a_persons_name_is_no_place(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("พระพุทธรูปปางมารวิชัย ศิลปะสุโขทัย ประดิษฐานในวิหาร", []),
        ("ขบวนราชรถศิลปะลำปาง และราชรถศิลปะน่าน", []),
        ("วัดนี้สร้างขึ้นในสมัยอยุธยาตอนปลาย", []),
        ("วัดเก่าแก่ตั้งแต่สมัยกรุงศรีอยุธยา และกรุงสุโขทัย", []),
        # a college named for the province is an office named for it
        ("การแสดงจากวิทยาลัยนาฏศิลปะเชียงใหม่", ["เชียงใหม่"]),
    ],
)
def test_an_art_style_or_a_period_is_no_place(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("โรงงานตั้งอยู่ถนนบางนา – ตราด กม. 16 อำเภอบางพลี จังหวัดสมุทรปราการ", ["สมุทรปราการ"]),
        ("จุดตรวจบนถนนสายพิษณุโลก-อุตรดิตถ์", []),
        ("ทางหลวงหมายเลข 34 ถนนบางนา-ตราด", []),
        # a railway junction named for a road: the segment's far end is a place
        ("รถไฟทางคู่ช่วงชุมทางถนนจิระ - ขอนแก่น", ["ขอนแก่น"]),
    ],
)
def test_a_road_named_for_two_places_is_no_place(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "จำหน่ายผ่านธนาคารกรุงเทพ ธนาคารกรุงศรีอยุธยา และธนาคารกรุงไทย",
        "ผู้บาดเจ็บถูกนำส่งโรงพยาบาลกรุงเทพหาดใหญ่",
        "บริษัท กรุงเทพประกันภัย จำกัด (มหาชน)",
        "ปราสาทนี้อยู่ในจังหวัดอุดรมีชัย ประเทศกัมพูชา",
        "แม่น้ำหลายสายไหลผ่านแอ่งโคราช",
    ],
)
def test_a_company_a_kingdom_or_a_foreign_place_named_for_a_province_is_no_place(text):
    assert find_provinces(text) == []


def test_the_links_to_other_releases_are_not_the_release():
    text = "ผู้ว่าราชการจังหวัดตาก ตรวจเยี่ยมด่าน\nอัลบั้มภาพ\nข่าวที่เกี่ยวข้อง\nผวจ.ลำปาง เปิดงาน\nภาคใต้เตรียมรับมือฝน"
    assert find_provinces(text) == ["ตาก"]
    assert find_regions(text, ["ตาก"]) == ["west"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ส่งผ้ามากที่สุด ได้แก่ สกลนคร 562 ผืน ร้อยเอ็ด 425 ผืน และเลย 12 ผืน", ["สกลนคร", "ร้อยเอ็ด", "เลย"]),
        ("5 อันดับแรก ได้แก่ ร้อยเอ็ด 29,911 ครั้ง หนองคาย 15,984 ครั้ง", ["ร้อยเอ็ด", "หนองคาย"]),
        ("จิตอาสาร้อยเอ็ด 5 คน", []),  # a count, but no list of provinces
    ],
)
def test_trap_names_in_a_counted_list_are_provinces(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ช่วยเหลือผู้ประสบอุทกภัยในพื้นที่ อ.ปัว จว.น.น.", ["น่าน"]),
        ("เจ้าหน้าที่ตำรวจ กก.สส.ภ.จว.ขก. จับกุมผู้ต้องหา", ["ขอนแก่น"]),
        ("รพ.ค่ายสุรนารี จว.น.ม. และ รพ.ค่ายวชิราวุธ จว.น.ศ.", ["นครราชสีมา", "นครศรีธรรมราช"]),
        ("จ.ส.ต.สมชาย ใจดี", []),  # a rank, not จ. and สตูล's abbreviation
    ],
)
def test_a_provinces_abbreviation_after_jw_is_the_province(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("จังหวัดต้นแบบ ได้แก่ กำเเพงเพชร และขอนเเก่น", ["กำแพงเพชร", "ขอนแก่น"]),
        ("ผู้แทนสำนักงานแรงงานจังหวัดศรีษะเกษ", ["ศรีสะเกษ"]),
        ("ผู้ว่าราชการจังหวัดสุราษฏร์ธานี", ["สุราษฎร์ธานี"]),
        ("กรมควบคุมโรคเผยเเพร่ข้อมูล", []),  # the typed form of an exclude phrase still blocks แพร่
    ],
)
def test_misspelt_names_are_found(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("แม่ทัพภาคที่ 1 สั่งการให้หน่วยในพื้นที่เฝ้าระวัง", ["central"]),
        ("ทภ.4 ส่วนหน้า ให้การสนับสนุน", ["south"]),
        ("ผู้บัญชาการทัพเรือภาคที่ 3 ตรวจเยี่ยม", []),  # a naval area, not the army's north
        ("ความไม่สงบในพื้นที่ 4 จชต.", ["south"]),
        ("จับกุมเจ้าพ่อยาบ้าแห่งแดนอีสานเหนือ", ["northeast"]),
        ("ภาคเหนือของเมียนมา และภาคใต้ของประเทศจีน", []),
        ("ตลาดผลไม้ภาคตะวันออกของจีน และภาคใต้ของไทย", ["south"]),
    ],
)
def test_region_phrases(text, expected):
    assert find_regions(text, []) == expected


def test_a_release_end_to_end():
    raw = RawDocument(
        title="ผู้ว่าฯ พังงา มอบถุงยังชีพผู้ประสบอุทกภัย",
        text="นายสมศักดิ์ ใจงาม ณ หนองคาย ผู้ว่าราชการจังหวัดพังงา มอบถุงยังชีพ ณ อำเภอตะกั่วป่า "
        "ร่วมกับ ทภ.4 และธนาคารกรุงเทพ\nข่าวที่เกี่ยวข้อง\nผวจ.เชียงใหม่ ตรวจเยี่ยม",
        date_hint="2024-01-10",
        type_hint="news",
    )
    doc = extract(raw, "release")
    assert (doc.provinces, doc.regions) == (["พังงา"], ["south"])


def test_new_place_words_stay_out_of_the_segmenter_dictionary():
    """Misspellings and extra region phrases are read by extraction only: the index's analysis is main's."""
    words = set(taxonomy.dictionary_terms())
    extra = [x for r in taxonomy.regions() for x in r.get("extra_phrases", [])]
    extra += [x for p in taxonomy.provinces() for x in p.get("misspellings", [])]
    assert extra and not words & {x.rstrip(".") for x in extra}
    assert analysis.signature().startswith("a3-")
