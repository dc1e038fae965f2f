"""The structure of meeting records (kb.meeting): sections and heading fields, measured against
hand labels (tests/labels/meeting_sections.json, written before the rules) and on layouts built here."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kb.extract.meeting import analyze, find_sections, meeting_info

ROOT = Path(__file__).resolve().parent.parent
LABELS = json.loads((ROOT / "tests" / "labels" / "meeting_sections.json").read_text(encoding="utf-8"))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _predicted(text: str) -> set[tuple]:
    return {(s.kind, s.number, _line_of(text, s.start), _line_of(text, max(s.start, s.end - 1)))
            for s in find_sections(text)}


def _scores(split: str | None) -> dict[str, tuple[float, float]]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for record in LABELS["records"]:
        if split and record["split"] != split:
            continue
        text = (ROOT / "corpus" / "meetings" / record["file"]).read_text(encoding="utf-8")
        gold = {tuple(s) for s in record["sections"]}
        predicted = _predicted(text)
        for key in predicted & gold:
            tp[key[0]] += 1
        for key in predicted - gold:
            fp[key[0]] += 1
        for key in gold - predicted:
            fn[key[0]] += 1
    return {kind: (tp[kind] / max(1, tp[kind] + fp[kind]), tp[kind] / max(1, tp[kind] + fn[kind]))
            for kind in set(tp) | set(fn) | set(fp)}


@pytest.mark.parametrize("split", ["tune", "held_out"])
def test_sections_match_hand_labels_per_kind(split: str) -> None:
    scores = _scores(split)
    assert set(scores) == {"heading", "attendance", "agenda", "resolution", "body"}
    for kind, (precision, recall) in scores.items():
        assert precision >= 0.95 and recall >= 0.95, (kind, precision, recall)


def test_meeting_heading_fields_match_labels() -> None:
    labelled = [r for r in LABELS["records"] if "meeting" in r]
    assert labelled
    for record in labelled:
        text = (ROOT / "corpus" / "meetings" / record["file"]).read_text(encoding="utf-8")
        assert meeting_info(text).to_dict() == record["meeting"]


def test_every_bundled_record_has_number_date_place_and_five_agenda_items() -> None:
    for path in sorted((ROOT / "corpus" / "meetings").iterdir()):
        meeting, sections = analyze(path.read_text(encoding="utf-8"))
        assert meeting and meeting["number"] and meeting["date"] and meeting["place"], path.name
        items = [s["number"] for s in sections if s["kind"] == "agenda" and "." not in s["number"]]
        assert items == ["1", "2", "3", "4", "5"], path.name


def test_offsets_point_at_the_markers_in_the_text() -> None:
    text = (ROOT / "corpus" / "meetings" / "2565-03-17-chiangrai-provincial-security-committee.txt").read_text(
        encoding="utf-8")
    sections = find_sections(text)
    for section in sections:
        part = text[section.start:section.end]
        assert part == part.strip() and part
    agenda = next(s for s in sections if s.kind == "agenda" and s.number == "4.1")
    assert text[agenda.start:agenda.end].startswith("๔.๑ การจัดตั้งจุดตรวจ")
    assert agenda.title.startswith("การจัดตั้งจุดตรวจ")
    resolution = next(s for s in sections if s.kind == "resolution" and s.number == "4.1")
    assert text[resolution.start:resolution.end].startswith("มติที่ประชุม เห็นชอบ")


def _minutes(agenda_word: str = "ระเบียบวาระที่", resolution_word: str = "มติที่ประชุม", digits: str = "thai") -> str:
    n = (lambda d: "๐๑๒๓๔๕๖๗๘๙"[d]) if digits == "thai" else str
    return "\n".join([
        f"รายงานการประชุมคณะทำงานเฝ้าระวังไฟป่าจังหวัดแม่ฮ่องสอน ครั้งที่ {n(4)}/{n(2)}{n(5)}{n(6)}{n(8)}",
        f"วันจันทร์ที่ {n(3)} มีนาคม {n(2)}{n(5)}{n(6)}{n(8)} เวลา {n(9)}.{n(0)}{n(0)} น.",
        "ณ ห้องประชุมปางมะผ้า",
        "ผู้มาประชุม",
        "หัวหน้าหน่วยป้องกันไฟป่า",
        f"{agenda_word} {n(1)} เรื่องแจ้งเพื่อทราบ",
        "ประธานแจ้งจำนวนจุดความร้อนสะสม",
        f"{resolution_word} รับทราบ",
        f"{agenda_word} {n(2)} เรื่องเพื่อพิจารณา",
        f"{n(2)}.{n(1)} แนวกันไฟรอบหมู่บ้าน",
        "ที่ประชุมหารือเรื่องงบประมาณ",
        f"{resolution_word} เห็นชอบให้ทำแนวกันไฟเพิ่มสิบกิโลเมตร",
        "ปิดประชุมเวลา ๑๒.๐๐ น.",
    ])


@pytest.mark.parametrize("agenda_word, resolution_word, digits", [
    ("ระเบียบวาระที่", "มติที่ประชุม", "thai"),
    ("ระเบียบวาระที่", "มติที่ประชุม", "arabic"),
    ("ระเบียบ วาระ ที่", "มติ ที่ประชุม", "thai"),  # OCR put spaces inside the keywords
    ("ระเบียบวาระที", "มติทีประชุม", "thai"),  # OCR dropped mai ek
    ("วาระที่", "มติ:", "arabic"),  # shorter wording
    ("Agenda", "มติที่ประชุม", "arabic"),  # English-number agenda items
])
def test_layout_variants_give_the_same_sections(agenda_word: str, resolution_word: str, digits: str) -> None:
    text = _minutes(agenda_word, resolution_word, digits)
    sections = [(s.kind, s.number) for s in find_sections(text)]
    # One resolution after the only sub-item resolves the whole item (the labels' convention).
    assert sections == [("heading", None), ("attendance", None), ("agenda", "1"), ("resolution", "1"),
                        ("agenda", "2"), ("agenda", "2.1"), ("resolution", "2"), ("body", None)]
    meeting = meeting_info(text)
    assert meeting.number == "4/2568" and meeting.date == "2025-03-03"
    assert meeting.committee == "คณะทำงานเฝ้าระวังไฟป่าจังหวัดแม่ฮ่องสอน" and meeting.place == "ห้องประชุมปางมะผ้า"


def test_text_that_is_not_minutes_has_no_sections() -> None:
    text = "ข่าวประชาสัมพันธ์\nสำนักงานสภาความมั่นคงแห่งชาติจัดประชุมเชิงปฏิบัติการ มติคณะรัฐมนตรีเห็นชอบ"
    assert find_sections(text) == []
    assert meeting_info(text) is None
    assert analyze("") == (None, [])


def test_numbered_attendee_list_is_not_taken_for_sub_items() -> None:
    text = _minutes(digits="arabic").replace("หัวหน้าหน่วยป้องกันไฟป่า", "2.1 หัวหน้าหน่วยป้องกันไฟป่า")
    assert [s.number for s in find_sections(text) if s.kind == "agenda"] == ["1", "2", "2.1"]


# ------------------------------------------------------------ other layouts (issue 14)
# Ten records written for this test in layouts the bundled corpus does not use, each labelled
# (kind, number, first line, last line: by the lines' opening words) before the rules were
# changed for them.  The end of a section follows the labels' conventions: an agenda item runs to
# the next item or the closing, a resolution to a blank line or the next marker.

OTHER_LAYOUTS = [
    ("""บันทึกการประชุมคณะทำงานความร่วมมือชายแดนไทย–ลาว ครั้งที่ 3/2567
วันศุกร์ที่ 9 สิงหาคม 2567
สถานที่: ห้องประชุมด่านพรมแดนหนองคาย
Attendees
1. ผู้แทนจังหวัดหนองคาย
2. ผู้แทนแขวงเวียงจันทน์
Agenda 1: Opening remarks
ประธานกล่าวเปิดการประชุม
Resolution: ที่ประชุมรับทราบ

Agenda 2: Cross-border trade
การค้าชายแดนเพิ่มขึ้นร้อยละสิบ
Resolution: ให้จัดทำรายงานเสนอในครั้งถัดไป

ปิดประชุมเวลา 16.00 น.""", [
        ("heading", None, "บันทึกการประชุม", "สถานที่"),
        ("attendance", None, "Attendees", "2. ผู้แทนแขวง"),
        ("agenda", "1", "Agenda 1", "Resolution: ที่ประชุม"),
        ("resolution", "1", "Resolution: ที่ประชุม", "Resolution: ที่ประชุม"),
        ("agenda", "2", "Agenda 2", "Resolution: ให้จัดทำ"),
        ("resolution", "2", "Resolution: ให้จัดทำ", "Resolution: ให้จัดทำ"),
        ("body", None, "ปิดประชุม", "ปิดประชุม"),
    ], {"committee": "คณะทำงานความร่วมมือชายแดนไทย–ลาว", "number": "3/2567", "date": "2024-08-09",
        "place": "ห้องประชุมด่านพรมแดนหนองคาย"}),
    ("""รายงานการประชุมคณะอนุกรรมการเฝ้าระวังโรคระบาดสัตว์จังหวัดมุกดาหาร ครั้งที่ 2/2566
วันอังคารที่ 4 เมษายน 2566 ณ ห้องประชุมสำนักงานปศุสัตว์จังหวัด
ผู้มาประชุม
ปศุสัตว์จังหวัดมุกดาหาร
ผู้ไม่มาประชุม
นายอำเภอดอนตาล (ติดราชการ)
วาระที่ 1 เรื่องแจ้งเพื่อทราบ
ประธานแจ้งสถานการณ์โรคลัมปีสกินในพื้นที่ ที่ประชุมมีมติรับทราบและให้เฝ้าระวังต่อเนื่อง
วาระที่ 2 การควบคุมการเคลื่อนย้ายสัตว์
ด่านกักกันสัตว์รายงานการตรวจโค 300 ตัว ที่ประชุมพิจารณาแล้วมีมติให้ตั้งจุดตรวจเพิ่มอีก 2 จุด
วาระที่ 3 เรื่องอื่น ๆ
ไม่มี
ปิดประชุมเวลา 15.30 น.""", [
        ("heading", None, "รายงานการประชุม", "วันอังคาร"),
        ("attendance", None, "ผู้มาประชุม", "ปศุสัตว์จังหวัด"),
        ("attendance", None, "ผู้ไม่มาประชุม", "นายอำเภอดอนตาล"),
        ("agenda", "1", "วาระที่ 1", "ประธานแจ้ง"),
        ("resolution", "1", "ประธานแจ้ง", "ประธานแจ้ง"),
        ("agenda", "2", "วาระที่ 2", "ด่านกักกัน"),
        ("resolution", "2", "ด่านกักกัน", "ด่านกักกัน"),
        ("agenda", "3", "วาระที่ 3", "ไม่มี"),
        ("body", None, "ปิดประชุม", "ปิดประชุม"),
    ], {"committee": "คณะอนุกรรมการเฝ้าระวังโรคระบาดสัตว์จังหวัดมุกดาหาร", "number": "2/2566",
        "date": "2023-04-04", "place": "ห้องประชุมสำนักงานปศุสัตว์จังหวัด"}),
    ("""รายงานการประชุมศูนย์ปฏิบัติการป้องกันอาชญากรรมทางทะเลจังหวัดสตูล ครั้งที่ ๑/๒๕๖๗
วันพุธที่ ๑๐ มกราคม ๒๕๖๗
ณ ท่าเรือตำมะลัง
ผู้เข้าประชุม
๑. ผู้บังคับการเรือ
๒. เจ้าท่าภูมิภาคสาขาสตูล
ระเบียบวาระที่ ๑ เรื่องแจ้งให้ทราบ
มติที่ประชุม รับทราบ
ระเบียบวาระที่ ๒ เรื่องเพื่อพิจารณา
วาระที่ ๒.๑ การลาดตระเวนร่วม
มติที่ประชุม เห็นชอบแผนลาดตระเวน
วาระที่ ๒.๒ เรือประมงผิดกฎหมาย
มติที่ประชุม มอบประมงจังหวัดตรวจสอบ
ปิดประชุมเวลา ๑๒.๐๐ น.
ผู้จดรายงานการประชุม นางสาวสมใจ ใจดี""", [
        ("heading", None, "รายงานการประชุม", "ณ ท่าเรือ"),
        ("attendance", None, "ผู้เข้าประชุม", "๒. เจ้าท่า"),
        ("agenda", "1", "ระเบียบวาระที่ ๑", "มติที่ประชุม รับทราบ"),
        ("resolution", "1", "มติที่ประชุม รับทราบ", "มติที่ประชุม รับทราบ"),
        ("agenda", "2", "ระเบียบวาระที่ ๒", "มติที่ประชุม มอบ"),
        ("agenda", "2.1", "วาระที่ ๒.๑", "มติที่ประชุม เห็นชอบแผน"),
        ("resolution", "2.1", "มติที่ประชุม เห็นชอบแผน", "มติที่ประชุม เห็นชอบแผน"),
        ("agenda", "2.2", "วาระที่ ๒.๒", "มติที่ประชุม มอบ"),
        ("resolution", "2.2", "มติที่ประชุม มอบ", "มติที่ประชุม มอบ"),
        ("body", None, "ปิดประชุม", "ปิดประชุม"),
        ("body", None, "ผู้จดรายงาน", "ผู้จดรายงาน"),
    ], {"committee": "ศูนย์ปฏิบัติการป้องกันอาชญากรรมทางทะเลจังหวัดสตูล", "number": "1/2567",
        "date": "2024-01-10", "place": "ท่าเรือตำมะลัง"}),
    ("""# สรุปผลการประชุมคณะทำงานด้านความมั่นคงไซเบอร์ภาคการเงิน ครั้งที่ 5 ประจำปี 2567
**วันที่** 20 พฤศจิกายน 2567
**สถานที่** ห้องประชุมธนาคารแห่งประเทศไทย

## ผู้มาประชุม
- ผู้แทนธนาคารแห่งประเทศไทย
- ผู้แทนสำนักงานคณะกรรมการการรักษาความมั่นคงปลอดภัยไซเบอร์แห่งชาติ

## Agenda item 1 เรื่องที่ประธานแจ้ง
ประธานแจ้งเหตุการณ์หลอกลวงทางออนไลน์
**มติที่ประชุม** รับทราบ

## Agenda item 2 แนวทางแจ้งเตือนภัย
ที่ประชุมหารือการแจ้งเตือนผ่านแอปพลิเคชัน
**มติที่ประชุม** เห็นชอบให้ทดลองใช้สามเดือน""", [
        ("heading", None, "# สรุปผล", "**สถานที่**"),
        ("attendance", None, "## ผู้มาประชุม", "- ผู้แทนสำนักงาน"),
        ("agenda", "1", "## Agenda item 1", "**มติที่ประชุม** รับทราบ"),
        ("resolution", "1", "**มติที่ประชุม** รับทราบ", "**มติที่ประชุม** รับทราบ"),
        ("agenda", "2", "## Agenda item 2", "**มติที่ประชุม** เห็นชอบ"),
        ("resolution", "2", "**มติที่ประชุม** เห็นชอบ", "**มติที่ประชุม** เห็นชอบ"),
    ], {"committee": "คณะทำงานด้านความมั่นคงไซเบอร์ภาคการเงิน", "number": "5/2567", "date": "2024-11-20",
        "place": "ห้องประชุมธนาคารแห่งประเทศไทย"}),
    ("""รายงานการประชุมคณะกรรมการป้องกันและแก้ไขปัญหาหมอกควันจังหวัดลำปาง ครั้งที่ 1/2568
วันจันทร์ที่ 13 มกราคม 2568 เวลา 13.30 น. ณ ห้องประชุมศาลากลางจังหวัดลำปาง

ผู้มาประชุม
1. ผู้ว่าราชการจังหวัดลำปาง
2. ผู้อำนวยการสำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัด

เริ่มประชุมเวลา 13.30 น.

เรื่องที่ 1 สถานการณ์จุดความร้อน
จุดความร้อนสะสม 120 จุด
มติที่ประชุม รับทราบ

เรื่องที่ 2 มาตรการห้ามเผา
ที่ประชุมเห็นควรประกาศห้ามเผาในที่โล่งตั้งแต่ 1 กุมภาพันธ์
มติที่ประชุม เห็นชอบ

ปิดประชุมเวลา 16.00 น.""", [
        ("heading", None, "รายงานการประชุม", "วันจันทร์"),
        ("attendance", None, "ผู้มาประชุม", "2. ผู้อำนวยการ"),
        ("body", None, "เริ่มประชุม", "เริ่มประชุม"),
        ("agenda", "1", "เรื่องที่ 1", "มติที่ประชุม รับทราบ"),
        ("resolution", "1", "มติที่ประชุม รับทราบ", "มติที่ประชุม รับทราบ"),
        ("agenda", "2", "เรื่องที่ 2", "มติที่ประชุม เห็นชอบ"),
        ("resolution", "2", "มติที่ประชุม เห็นชอบ", "มติที่ประชุม เห็นชอบ"),
        ("body", None, "ปิดประชุม", "ปิดประชุม"),
    ], {"committee": "คณะกรรมการป้องกันและแก้ไขปัญหาหมอกควันจังหวัดลำปาง", "number": "1/2568",
        "date": "2025-01-13", "place": "ห้องประชุมศาลากลางจังหวัดลำปาง"}),
    ("""รายงานการประชุมคณะทำงานบริหารจัดการผู้หนีภัยการสู้รบจังหวัดแม่ฮ่องสอน ครั้งที่ 2/2567
วันที่ 5 มิถุนายน 2567
ณ ที่ว่าการอำเภอขุนยวม
ผู้มาประชุม
นายอำเภอขุนยวม
ระเบียบวาระที่ 1 สถานการณ์ผู้หนีภัย
มีผู้หนีภัยเข้ามาในพื้นที่ 450 คน
มติที่ประชุม
1. ให้จัดพื้นที่พักพิงชั่วคราว
2. ให้สาธารณสุขอำเภอตรวจคัดกรองโรค
ระเบียบวาระที่ 2 เรื่องอื่น ๆ
ไม่มี
ปิดประชุมเวลา 12.00 น.""", [
        ("heading", None, "รายงานการประชุม", "ณ ที่ว่าการ"),
        ("attendance", None, "ผู้มาประชุม", "นายอำเภอขุนยวม"),
        ("agenda", "1", "ระเบียบวาระที่ 1", "2. ให้สาธารณสุข"),
        ("resolution", "1", "มติที่ประชุม", "2. ให้สาธารณสุข"),
        ("agenda", "2", "ระเบียบวาระที่ 2", "ไม่มี"),
        ("body", None, "ปิดประชุม", "ปิดประชุม"),
    ], None),
    ("""รายงานการประชุมคณะกรรมการชายแดนส่วนภูมิภาคไทย–มาเลเซีย ครั้งที่ 4/2566
วันพฤหัสบดีที่ 7 ธันวาคม 2566
ณ โรงแรมในอำเภอหาดใหญ่
ผู้มาประชุม
แม่ทัพภาคที่ 4
ผู้เข้าร่วมประชุม
ผู้แทนกงสุลใหญ่มาเลเซีย ณ จังหวัดสงขลา
ระเบียบวาระที่ 1 : เรื่องแจ้งเพื่อทราบ
ที่ประชุมมีมติรับทราบ
ระเบียบวาระที่ 2 : เรื่องเพื่อพิจารณา
2.1) การลักลอบขนสินค้าเกษตร
ที่ประชุมมีมติให้ตั้งชุดปฏิบัติการร่วม
2.2) การข้ามแดนของแรงงาน
ที่ประชุมมีมติให้ใช้บัตรผ่านแดนแบบดิจิทัล
ปิดประชุมเวลา 17.00 น.""", [
        ("heading", None, "รายงานการประชุม", "ณ โรงแรม"),
        ("attendance", None, "ผู้มาประชุม", "แม่ทัพภาค"),
        ("attendance", None, "ผู้เข้าร่วมประชุม", "ผู้แทนกงสุล"),
        ("agenda", "1", "ระเบียบวาระที่ 1", "ที่ประชุมมีมติรับทราบ"),
        ("resolution", "1", "ที่ประชุมมีมติรับทราบ", "ที่ประชุมมีมติรับทราบ"),
        ("agenda", "2", "ระเบียบวาระที่ 2", "ที่ประชุมมีมติให้ใช้"),
        ("agenda", "2.1", "2.1)", "ที่ประชุมมีมติให้ตั้ง"),
        ("resolution", "2.1", "ที่ประชุมมีมติให้ตั้ง", "ที่ประชุมมีมติให้ตั้ง"),
        ("agenda", "2.2", "2.2)", "ที่ประชุมมีมติให้ใช้"),
        ("resolution", "2.2", "ที่ประชุมมีมติให้ใช้", "ที่ประชุมมีมติให้ใช้"),
        ("body", None, "ปิดประชุม", "ปิดประชุม"),
    ], {"committee": "คณะกรรมการชายแดนส่วนภูมิภาคไทย–มาเลเซีย", "number": "4/2566", "date": "2023-12-07",
        "place": "โรงแรมในอำเภอหาดใหญ่"}),
    ("""Minutes of the Joint Working Group on Border Security, Meeting No. 2/2567
Date: 14 March 2024
Venue: Sa Kaeo Provincial Hall
Present
1. Governor of Sa Kaeo
2. Governor of Banteay Meanchey
Absent
1. Representative of the Immigration Bureau
Agenda 1. Matters for information
The chair informed the meeting of the situation at the border.
Resolution: The meeting acknowledged.
Agenda 2. Matters for consideration
2.1 Joint patrols
Resolution: The meeting agreed to monthly joint patrols.
2.2 Border markets
Resolution: The meeting asked both sides to report next time.
Meeting adjourned at 12.00.""", [
        ("heading", None, "Minutes of", "Venue"),
        ("attendance", None, "Present", "2. Governor of Banteay"),
        ("attendance", None, "Absent", "1. Representative"),
        ("agenda", "1", "Agenda 1", "Resolution: The meeting acknowledged"),
        ("resolution", "1", "Resolution: The meeting acknowledged", "Resolution: The meeting acknowledged"),
        ("agenda", "2", "Agenda 2", "Resolution: The meeting asked"),
        ("agenda", "2.1", "2.1 Joint", "Resolution: The meeting agreed"),
        ("resolution", "2.1", "Resolution: The meeting agreed", "Resolution: The meeting agreed"),
        ("agenda", "2.2", "2.2 Border", "Resolution: The meeting asked"),
        ("resolution", "2.2", "Resolution: The meeting asked", "Resolution: The meeting asked"),
        ("body", None, "Meeting adjourned", "Meeting adjourned"),
    ], None),
    ("""รายงาน การประชุม คณะกรรมการ ความมั่นคง จังหวัด นราธิวาส ครั้ง ที่ ๓/๒๕๖๗
วันอังคาร ที่ ๒๐ สิงหาคม ๒๕๖๗
ณ ห้องประชุม ศาลากลาง จังหวัด นราธิวาส
ผู้มา ประชุม
ผู้ว่าราชการ จังหวัด นราธิวาส
ระเบียบ วาระ ที่ ๑ เรื่อง แจ้ง เพื่อ ทราบ
มติ ที่ ประชุม รับทราบ
ระเบียบ วาระ ที่ ๒ การ เฝ้าระวัง เหตุ ความ ไม่สงบ
มติ ที่ ประชุม ให้ เพิ่ม จุด ตรวจ
ปิด ประชุม เวลา ๑๒.๐๐ น.""", [
        ("heading", None, "รายงาน การประชุม", "ณ ห้องประชุม"),
        ("attendance", None, "ผู้มา ประชุม", "ผู้ว่าราชการ"),
        ("agenda", "1", "ระเบียบ วาระ ที่ ๑", "มติ ที่ ประชุม รับทราบ"),
        ("resolution", "1", "มติ ที่ ประชุม รับทราบ", "มติ ที่ ประชุม รับทราบ"),
        ("agenda", "2", "ระเบียบ วาระ ที่ ๒", "มติ ที่ ประชุม ให้"),
        ("resolution", "2", "มติ ที่ ประชุม ให้", "มติ ที่ ประชุม ให้"),
        ("body", None, "ปิด ประชุม", "ปิด ประชุม"),
    ], {"committee": "คณะกรรมการความมั่นคงจังหวัดนราธิวาส", "number": "3/2567", "date": "2024-08-20",
        "place": "ห้องประชุม ศาลากลาง จังหวัด นราธิวาส"}),
    ("""รายงานการประชุมหารือแนวทางรับมือโรคไข้หวัดนกช่องทางท่าอากาศยานเชียงใหม่ ครั้งที่ 1/2568
วันที่ 3 กุมภาพันธ์ 2568 ณ ห้องประชุมด่านควบคุมโรค
วาระที่ 1. สถานการณ์โรค
กรมควบคุมโรครายงานผู้ป่วยในประเทศเพื่อนบ้าน
มติ:
รับทราบและให้ติดตามทุกสัปดาห์
วาระที่ 2. มาตรการคัดกรอง
มติ: ให้ติดตั้งเครื่องวัดอุณหภูมิเพิ่ม 4 เครื่อง
ปิดประชุมเวลา 11.00 น.""", [
        ("heading", None, "รายงานการประชุม", "วันที่ 3"),
        ("agenda", "1", "วาระที่ 1", "รับทราบและให้"),
        ("resolution", "1", "มติ:", "รับทราบและให้"),
        ("agenda", "2", "วาระที่ 2", "มติ: ให้ติดตั้ง"),
        ("resolution", "2", "มติ: ให้ติดตั้ง", "มติ: ให้ติดตั้ง"),
        ("body", None, "ปิดประชุม", "ปิดประชุม"),
    ], None),
]


def _labelled(text: str, labels: list[tuple]) -> set[tuple]:
    """(kind, number, first line, last line) of each label, lines found by their opening words
    (a start searched from the previous label's start, an end from its own start)."""
    lines = [line.strip() for line in text.split("\n")]
    out, after = set(), 0
    for kind, number, first, last in labels:
        start = next(n for n in range(after, len(lines)) if lines[n].startswith(first))
        end = next(n for n in range(start, len(lines)) if lines[n].startswith(last))
        out.add((kind, number, start + 1, end + 1))
        after = start
    return out


def test_other_layouts_precision_and_recall_per_kind() -> None:
    tp, fp, fn = Counter(), Counter(), Counter()
    for text, labels, _ in OTHER_LAYOUTS:
        gold, predicted = _labelled(text, labels), _predicted(text)
        for key in predicted & gold:
            tp[key[0]] += 1
        for key in predicted - gold:
            fp[key[0]] += 1
        for key in gold - predicted:
            fn[key[0]] += 1
    for kind in set(tp) | set(fp) | set(fn):
        precision, recall = tp[kind] / max(1, tp[kind] + fp[kind]), tp[kind] / max(1, tp[kind] + fn[kind])
        assert precision >= 0.95 and recall >= 0.95, (kind, precision, recall, fp, fn)


@pytest.mark.parametrize("index", range(len(OTHER_LAYOUTS)))
def test_other_layout_sections(index: int) -> None:
    text, labels, _ = OTHER_LAYOUTS[index]
    assert sorted(_predicted(text), key=lambda k: (k[2], -k[3])) == sorted(
        _labelled(text, labels), key=lambda k: (k[2], -k[3]))


@pytest.mark.parametrize("index", [i for i, r in enumerate(OTHER_LAYOUTS) if r[2]])
def test_other_layout_heading_fields(index: int) -> None:
    text, _, meeting = OTHER_LAYOUTS[index]
    assert meeting_info(text).to_dict() == meeting


def test_a_resolution_inside_a_paragraph_starts_at_its_words() -> None:
    text = OTHER_LAYOUTS[1][0]
    resolution = next(s for s in find_sections(text) if s.kind == "resolution" and s.number == "1")
    assert text[resolution.start:resolution.end].startswith("ที่ประชุมมีมติรับทราบ")


def test_ocr_heading_with_the_number_on_the_next_line() -> None:
    # as Tesseract read the bundled Songkhla and Mukdahan scans: ครั้งที่ / ครังที่ ending the title line
    for word in ("ครั้งที่", "ครังที่"):
        text = _minutes().replace("ครั้งที่ ๔/", f"{word}\n๔/")
        meeting = meeting_info(text)
        assert meeting.committee == "คณะทำงานเฝ้าระวังไฟป่าจังหวัดแม่ฮ่องสอน" and meeting.number == "4/2568"


def test_a_file_name_title_is_not_read_as_the_heading() -> None:
    from kb.extract.meeting import analyze_record

    text = _minutes()
    meeting, sections = analyze_record("2568-03-03-maehongson-fire", text)
    assert meeting["committee"] == "คณะทำงานเฝ้าระวังไฟป่าจังหวัดแม่ฮ่องสอน"
    title, _, rest = text.partition("\n")
    meeting, sections = analyze_record(title, rest)  # the reader took the heading's first line as the title
    assert meeting["committee"] == "คณะทำงานเฝ้าระวังไฟป่าจังหวัดแม่ฮ่องสอน" and meeting["number"] == "4/2568"
    assert all(0 <= s["start"] < s["end"] <= len(rest) for s in sections)


def test_an_agenda_item_ocr_read_as_zero_takes_its_place() -> None:
    # Tesseract read ระเบียบวาระที่ ๑ as ๐ on the bundled Songkhla scan
    text = _minutes().replace("ระเบียบวาระที่ ๑", "ระเบียบวาระที่ ๐")
    assert [s.number for s in find_sections(text) if s.kind == "agenda"] == ["1", "2", "2.1"]
