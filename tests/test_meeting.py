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
