"""The access tests' corpus, written at test time: public, partner and internal
documents, each restricted one holding unique canary words, a province, a
month and a type that no visible document has, and a public document that is
a near-twin of a partner one (for related documents).

``write_corpus(folder, levels, declare)`` writes the documents of ``levels``;
with ``declare=False`` no access level is written at all, which makes the
*reference* corpus: indexed alone, it is exactly what a caller at that level
may see, so every answer of the restricted server must equal its answer.
"""
from __future__ import annotations

import json
from pathlib import Path

from kb.engine import SearchIndex, open_index
from indexer import pipeline

PARTNER_CANARIES = ("vexpartnerwolf", "กระเรียนม่วงเรืองแสง")
INTERNAL_CANARIES = ("zyginternalowl", "ปลาวาฬทองคำสลัว")
PARTNER_IDS = ("partner-brief-01", "notes/partner-meeting.md")
INTERNAL_IDS = ("internal-brief-09", "pages/internal-memo.html")

_BORDER = "การประชุมคณะทำงานด้านความมั่นคงชายแดนเพื่อป้องกันการค้ามนุษย์และยาเสพติด หน่วยงานในพื้นที่รายงานสถานการณ์และแนวทางความร่วมมือ"

PUBLIC_RECORDS = [
    {"id": "public-tak-01", "title": "ข่าวการประชุมชายแดนจังหวัดตาก",
     "text": f"วันที่ 5 มีนาคม 2567 ที่จังหวัดตาก {_BORDER} มีผู้แทนจากหลายหน่วยงานเข้าร่วม"},
    {"id": "public-cm-02", "title": "ข่าวการฝึกซ้อมรับมืออุทกภัยจังหวัดเชียงใหม่",
     "text": "วันที่ 12 มกราคม 2566 จังหวัดเชียงใหม่ฝึกซ้อมแผนป้องกันและบรรเทาสาธารณภัยน้ำท่วม"},
    {"id": "public-twin", "title": "บันทึกสรุปการประชุมความร่วมมือชายแดนจังหวัดตาก",
     "text": f"วันที่ 20 มีนาคม 2567 ที่จังหวัดตาก {_BORDER} ที่ประชุมเห็นชอบแนวทางลาดตระเวนร่วมตามแนวชายแดน"},
    {"id": "public-cyber", "title": "ประกาศเฝ้าระวังภัยไซเบอร์",
     "text": "วันที่ 3 กันยายน 2565 สำนักงานสภาความมั่นคงแห่งชาติแจ้งเตือนภัยหลอกลวงทางออนไลน์"},
]
PARTNER_RECORD = {
    "id": "partner-brief-01", "title": "บันทึกการประชุมภาคีมหาวิทยาลัย vexpartnerwolf",
    "text": f"วันที่ 20 มีนาคม 2567 ที่จังหวัดตาก {_BORDER} ที่ประชุมเห็นชอบแนวทางลาดตระเวนร่วมตามแนวชายแดน "
            "รหัสโครงการ vexpartnerwolf นกกระเรียนม่วงเรืองแสง ประสานงานกับจังหวัดแม่ฮ่องสอน",
    "access": "partner",
}
INTERNAL_RECORD = {
    "id": "internal-brief-09", "title": "เอกสารบรรยายสรุปภายใน zyginternalowl",
    "text": "วันที่ 7 กุมภาพันธ์ 2562 ที่จังหวัดนราธิวาส สรุปสถานการณ์ความไม่สงบ รหัส zyginternalowl ปลาวาฬทองคำสลัว",
    "access": "internal",
}
PARTNER_MD = """---
title: รายงานการประชุมภาคีเครือข่ายเรื่องแรงงานข้ามชาติ
date: 2561-08-15
access: partner
---
วันที่ 15 สิงหาคม 2561 ที่จังหวัดระนอง ภาคีเครือข่ายทบทวนข้อมูลแรงงานข้ามชาติ กระเรียนม่วงเรืองแสง vexpartnerwolf
"""
INTERNAL_HTML = """<!doctype html><html><head><meta charset="utf-8">
<meta content="internal" name="kb-access"><title>บันทึกภายในเรื่องการข่าว</title></head>
<body><article><h1>บันทึกภายในเรื่องการข่าว</h1>
<p>วันที่ 1 ธันวาคม 2560 ที่จังหวัดสตูล ฝ่ายการข่าวสรุปข้อมูลลับ ปลาวาฬทองคำสลัว zyginternalowl</p></article></body></html>
"""
LEVEL_ORDER = ("public", "partner", "internal")


def write_corpus(folder: Path, levels: tuple[str, ...], declare: bool = True) -> Path:
    """The documents of ``levels`` in ``folder`` (JSONL, Markdown, HTML); ``declare=False`` drops their levels."""
    folder.mkdir(parents=True, exist_ok=True)
    records = list(PUBLIC_RECORDS)
    if "partner" in levels:
        records.append(PARTNER_RECORD)
    if "internal" in levels:
        records.append(INTERNAL_RECORD)
    lines = [json.dumps({k: v for k, v in r.items() if declare or k != "access"}, ensure_ascii=False) for r in records]
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if "partner" in levels:
        md = PARTNER_MD if declare else PARTNER_MD.replace("access: partner\n", "")
        (folder / "notes").mkdir(exist_ok=True)
        (folder / "notes" / "partner-meeting.md").write_text(md, encoding="utf-8")
    if "internal" in levels:
        html = INTERNAL_HTML if declare else INTERNAL_HTML.replace('<meta content="internal" name="kb-access">', "")
        (folder / "pages").mkdir(exist_ok=True)
        (folder / "pages" / "internal-memo.html").write_text(html, encoding="utf-8")
    return folder


def build_index(corpus: Path, index_dir: Path, **options) -> SearchIndex:
    """``corpus`` indexed by the real pipeline (into the cluster when ``engine=`` names one)."""
    report = pipeline.run([corpus], index_dir, progress=False, procs=1, **options)
    assert not report.failures, report.failures
    return open_index(index_dir, options.get("engine"))


def visible_levels(level: str) -> tuple[str, ...]:
    return LEVEL_ORDER[: LEVEL_ORDER.index(level) + 1]


def forbidden_strings(level: str) -> list[str]:
    """Canaries, ids and title words of every document above ``level``."""
    out: list[str] = []
    if level == "public":
        out += [*PARTNER_CANARIES, *PARTNER_IDS, "ภาคีมหาวิทยาลัย", "ภาคีเครือข่ายทบทวน"]
    if level in ("public", "partner"):
        out += [*INTERNAL_CANARIES, *INTERNAL_IDS, "บรรยายสรุปภายใน", "ฝ่ายการข่าวสรุป"]
    return out


# --- frequency canaries (tests/test_access_channels.py) -------------------------------------
# Hidden (internal) documents that hold *visible* words many times: the index vocabulary and its document
# frequencies are a side channel.  The corrector's candidates (did you mean, typo correction) and
# BM25's idf must be counted over the visible documents alone.
_DAY = "วันที่ {} มีนาคม 2567 ที่จังหวัดตาก รายงานผลการลาดตระเวน"
FREQ_PUBLIC = [
    {"id": "f-zorbay-1", "title": "ประกาศหนึ่ง", "text": f"{_DAY.format(1)} zorbay qelmof นกเงือกทองหลวง"},
    {"id": "f-zorbay-2", "title": "ประกาศสอง", "text": f"{_DAY.format(2)} zorbay qelmof นกเงือกทองหลวง"},
    {"id": "f-zorbaq", "title": "ประกาศสาม", "text": f"{_DAY.format(3)} zorbaq qelmof"},
    {"id": "f-qelmo", "title": "ประกาศสี่", "text": f"{_DAY.format(4)} qelmoa qelmob qelmoc qelmod qelmoe"},
    {"id": "f-gamma", "title": "ประกาศห้า", "text": f"{_DAY.format(5)} gammaword gammaword เสือดาวหิมะ เสือดาวหิมะ"},
    {"id": "f-delta", "title": "ประกาศหก", "text": f"{_DAY.format(6)} deltaword ช้างเผือกน้อย"},
    {"id": "f-flood", "title": "ประกาศเจ็ด", "text": f"{_DAY.format(13)} น้ำท่วมหนักในหมู่บ้าน อุทกภัย"},
    {"id": "f-flood-2", "title": "ประกาศแปด", "text": f"{_DAY.format(14)} น้ำท่วมขังถนนสายหลัก"},
]
FREQ_HIDDEN = [
    {"id": f"f-internal-{i}", "title": f"บันทึกภายใน {i}", "access": "internal",
     "text": f"{_DAY.format(7 + i)} zorbaq qelmoa qelmob qelmoc qelmod qelmoe gammaword gammaword เสือดาวหิมะ อุทกภัย อุทกภัย"}
    for i in range(4)
] + [{"id": "f-partner", "title": "บันทึกภาคีเครือข่าย", "access": "partner", "text": f"{_DAY.format(12)} ภาคีเครือข่าย"}]


def write_frequency_corpus(folder: Path, levels: tuple[str, ...], declare: bool = True) -> Path:
    """The frequency canaries of ``levels`` (``declare=False``: no levels written, the reference)."""
    folder.mkdir(parents=True, exist_ok=True)
    records = FREQ_PUBLIC + [r for r in FREQ_HIDDEN if r["access"] in levels]
    lines = [json.dumps({k: v for k, v in r.items() if declare or k != "access"}, ensure_ascii=False) for r in records]
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
