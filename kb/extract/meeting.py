"""The structure of a Thai meeting record (รายงานการประชุม): heading, attendance,
agenda items, resolutions, closing.

Researchers ask structured questions of minutes — what did the committee
*resolve* about border crossings, under which agenda item, who attended — so a
record is cut into sections with character offsets into its text. Pure
functions over the text (no index, no I/O); the extraction step stores the
result (``Document.meeting``, ``Document.sections``) and search filters on
it (``kb.search.sections``, issue 14).

Thai minutes share one skeleton: a title line "รายงานการประชุม<committee>
ครั้งที่ ๑/๒๕๖๕", the date and the place (ณ …); ผู้มาประชุม / ผู้ไม่มาประชุม /
ผู้เข้าร่วมประชุม lists; เริ่มประชุมเวลา; ระเบียบวาระที่ ๑–๕ with sub-items
๓.๑, ๓.๒ and มติที่ประชุม after an item or sub-item; ปิดประชุมเวลา and the
recorder. Lines are recognised on a key with markdown and spaces removed and
Thai digits read as Arabic, so Markdown records and OCR output ("ระเบียบ วาระ",
"ที" for "ที่") are read alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kb.extract.dates import parse_date

SECTION_KINDS = ("heading", "attendance", "agenda", "resolution", "body")
ATTENDANCE_LABELS = ("ผู้มาประชุม", "ผู้ไม่มาประชุม", "ผู้เข้าร่วมประชุม", "ผู้เข้าประชุม", "ผู้ลาประชุม", "ผู้ขาดประชุม",
                     "รายชื่อผู้มาประชุม", "รายชื่อผู้เข้าประชุม", "attendees", "present", "absent", "inattendance")
RECORDER = "ผู้จดรายงานการประชุม"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_HAS_THAI_DIGIT = re.compile("[๐-๙]")
_MARKUP = re.compile(r"^\s*(?:#+\s*|[-*•]\s+)?(?:\*\*)?")
# "ระเบียบวาระที่ 3", "วาระที่ 3.1" (a sub-item), "เรื่องที่ 3", "Agenda item 3"; on the line's key
_AGENDA = re.compile(r"^(?:(?:ระเบียบ)?วาระ(?:ที่|ที)?|เรื่องที่(?=\d)|agenda(?:item)?)(\d+(?:\.\d+)?)(?!\d)", re.I)
_AGENDA_PREFIX = r"^(?:(?:ระเบียบ\s*)?วาระ\s*(?:ที่|ที)?|เรื่อง\s*ที่|agenda\s*(?:item)?)\s*[0-9๐-๙]+(?:\s*\.\s*[0-9๐-๙]+)?"
# a resolution recorded inside a paragraph: "… ที่ประชุมพิจารณาแล้วมีมติให้ …"
_INLINE_RESOLUTION = re.compile(r"ที่ประชุม\S{0,16}?มีมติ|มติที่ประชุม")
_TITLE_PREFIX = re.compile(r"^(?:รายงาน|บันทึก|สรุปผล)\s*การ\s*ประชุม\s*|^minutes\s+of\s+(?:the\s+)?", re.I)
_SUB_ITEM = re.compile(r"^(\d+)\.(\d+)(?!\d)[.)]?")
_RESOLUTION = re.compile(r"^(?:มติที่ประชุม|มติที่ประชุ|มติทีประชุม|มติ:|มติ\b|ที่ประชุมมีมติ|resolution:?)", re.I)
_NUMBER = re.compile(r"ครั้?ง\s*ที่?\s*(\d+)\s*(?:/|ประจำปี\s*(?:พ\.\s*ศ\.)?)\s*(\d{4})")
_INLINE_PLACE = re.compile(r"\sณ\s+(.+)$")
_PLACE = re.compile(r"^(?:ณ\s+|\**สถานที่\**\s*:?\s*\**:?\s*)")


@dataclass
class Section:
    """One part of a meeting record; ``start``/``end`` are character offsets into the text."""

    kind: str
    number: str | None
    title: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "number": self.number, "title": self.title,
                "start": self.start, "end": self.end}


@dataclass
class MeetingInfo:
    """What the heading says: which committee met, which meeting, when and where."""

    committee: str | None
    number: str | None  # "1/2565": meeting number / Buddhist-era year, Arabic digits
    date: str | None  # ISO, Gregorian
    place: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"committee": self.committee, "number": self.number, "date": self.date, "place": self.place}


@dataclass
class _Line:
    number: int  # 0-based
    start: int
    end: int
    text: str  # without markdown decoration
    key: str  # without spaces, Arabic digits, for recognising markers
    raw: str  # as in the text


def _lines(text: str) -> list[_Line]:
    out, offset = [], 0
    for number, raw in enumerate(text.split("\n")):
        plain = _MARKUP.sub("", raw).replace("**", "").strip()
        key = "".join(plain.split())
        if _HAS_THAI_DIGIT.search(key):  # translate walks every character through a dict: most lines have none
            key = key.translate(_THAI_DIGITS)
        out.append(_Line(number, offset, offset + len(raw.rstrip()), plain, key, raw))
        offset += len(raw) + 1
    return out


def _marker(line: _Line, item: str | None) -> tuple[str, str | None, str] | None:
    """(marker, number, title) when the line opens a part of the record; ``item`` is the open agenda item."""
    key = line.key
    if not key:
        return None
    agenda = _AGENDA.match(key)
    if agenda:
        number = agenda.group(1)
        title = _title_after(line.text, _AGENDA_PREFIX)
        if "." not in number:
            return "agenda", number, title
        if item is not None and number.split(".")[0] == item.split(".")[0]:
            return "sub", number, title
    sub = _SUB_ITEM.match(key)
    if sub and item is not None and sub.group(1) == item.split(".")[0]:
        return "sub", f"{sub.group(1)}.{sub.group(2)}", _title_after(line.text, r"^[0-9๐-๙]+\s*\.\s*[0-9๐-๙]+")
    if _RESOLUTION.match(key):
        return "resolution", None, line.text
    folded = key.lower()
    for label in ATTENDANCE_LABELS:
        if (folded.rstrip(":") == label) if label.isascii() else (key.startswith(label) and len(key) <= len(label) + 20):
            return "attendance", None, line.text.rstrip(" :") if label.isascii() else label
    if key.startswith("เริ่มประชุม"):
        return "opening", None, "เริ่มประชุม"
    if key.startswith("ปิดประชุม") or folded.startswith(("meetingadjourned", "adjourned", "meetingclosed")):
        return "closing", None, "ปิดประชุม"
    return None


def _title_after(text: str, prefix: str) -> str:
    return re.sub(prefix, "", text, count=1, flags=re.I).strip(" .:)-–—")


def find_sections(text: str) -> list[Section]:
    """The sections of a meeting record in text order (agenda items contain their sub-items and
    resolutions); an empty list when the text does not look like minutes."""
    lines = _lines(text)
    marks = _collect_marks(lines)
    if not any(mark[1] == "agenda" for mark in marks):
        return []
    sections: list[Section] = []
    first = marks[0][0]
    heading_end = _last_filled(lines, 0, first - 1)
    if heading_end is not None:
        title = next((line.text for line in lines if line.text), "")
        sections.append(Section("heading", None, title, 0, lines[heading_end].end))
    for index, (at, kind, number, title, start) in enumerate(marks):
        end_line = _section_end(lines, marks, index)
        sections.append(Section(_KIND[kind], number, title, start, lines[end_line].end))
    _assign_item_resolutions(sections, text)
    return _with_recorder(sections, lines, marks)


_KIND = {"agenda": "agenda", "sub": "agenda", "resolution": "resolution", "attendance": "attendance",
         "opening": "body", "closing": "body"}


def _inline_resolution(line: _Line) -> tuple[int, str] | None:
    """(offset, title) of a resolution that starts inside the line's paragraph ("ตามมติที่ประชุม…",
    a reference to an earlier resolution, is not one)."""
    for found in _INLINE_RESOLUTION.finditer(line.raw):
        if not line.raw[:found.start()].rstrip().endswith("ตาม"):
            return line.start + found.start(), line.raw[found.start():].strip()
    return None


def _collect_marks(lines: list[_Line]) -> list[tuple[int, str, str | None, str, int]]:
    """(line, marker, number, title, start offset) for every line that opens a part; a resolution
    takes the number of the item or sub-item it follows."""
    marks = []
    item: str | None = None
    current: str | None = None  # item or sub-item number
    for line in lines:
        found = _marker(line, item)
        start = line.start
        if found is None and current is not None and (inline := _inline_resolution(line)):
            start, title = inline
            found = ("resolution", None, title)
        if found is None:
            continue
        kind, number, title = found
        title = _wrapped_title(lines, line, kind, title, item)
        if kind == "agenda" and number == "0":  # OCR reads ๑ as ๐; items count from 1
            number = str(int(item.split(".")[0]) + 1) if item else "1"
        if kind == "agenda":
            item = current = number
        elif kind == "sub":
            current = number
        elif kind == "resolution":
            if current is None:
                continue  # "มติ" before any agenda item is prose, not a resolution
            number = current
        elif kind == "closing":
            item = current = None
        marks.append((line.number, kind, number, title, start))
    return marks


def _wrapped_title(lines: list[_Line], line: _Line, kind: str, title: str, item: str | None) -> str:
    """The title of an item or resolution whose words went on to the next line (a narrow column,
    a two-column scan: "ระเบียบวาระที่ ๑" / "เรื่องที่ประธานแจ้ง…", "มติที่ประชุม" / "เห็นชอบ…")."""
    bare = not title if kind in ("agenda", "sub") else kind == "resolution" and _RESOLUTION.fullmatch(line.key)
    following = lines[line.number + 1] if line.number + 1 < len(lines) else None
    if not bare or following is None or not following.key or _marker(following, item) is not None:
        return title
    return f"{title} {following.text}".strip()


_ENDS = {  # which following markers close a section of each kind
    "agenda": {"agenda", "closing"},
    "sub": {"agenda", "sub", "closing"},
    "attendance": {"agenda", "attendance", "opening", "closing"},
    "resolution": {"agenda", "sub", "resolution", "closing", "blank"},
    "opening": {"agenda", "sub", "attendance", "opening", "closing", "blank"},
    "closing": {"agenda", "closing", "blank"},
}


def _section_end(lines: list[_Line], marks: list, index: int) -> int:
    at, kind = marks[index][0], marks[index][1]
    stop = len(lines)
    for later in marks[index + 1:]:
        if later[1] in _ENDS[kind]:
            stop = later[0]
            break
    if "blank" in _ENDS[kind]:
        blank = next((n for n in range(at + 1, stop) if not lines[n].key), stop)
        stop = min(stop, blank)
    if kind in ("agenda", "closing"):  # the recorder's line closes the last item and the closing
        stop = min(stop, _recorder_line(lines, at) or stop)
    last = _last_filled(lines, at, stop - 1)
    return at if last is None else last


def _last_filled(lines: list[_Line], first: int, last: int) -> int | None:
    for n in range(last, first - 1, -1):
        if lines[n].key:
            return n
    return None


def _recorder_line(lines: list[_Line], after: int) -> int | None:
    for line in lines[after + 1:]:
        if RECORDER in line.key:
            return line.number
    return None


def _assign_item_resolutions(sections: list[Section], text: str) -> None:
    """A resolution after the last sub-item resolves the whole item when no sub-item has a
    resolution of its own (the record notes all sub-items, then resolves once)."""
    for item in (s for s in sections if s.kind == "agenda" and s.number and "." not in s.number):
        subs = [s for s in sections if s.kind == "agenda" and s.number and s.number.startswith(item.number + ".")
                and item.start <= s.start < item.end]
        if not subs:
            continue
        resolutions = [s for s in sections if s.kind == "resolution" and item.start <= s.start < item.end]
        own = [r for r in resolutions if r.number and r.number != subs[-1].number]
        last = subs[-1]
        trailing = [r for r in resolutions if r.number == last.number]
        if own or len(trailing) != 1:
            continue
        resolution = trailing[0]
        resolution.number = item.number
        if resolution.start > last.start:
            last.end = max(last.start, len(text[:resolution.start].rstrip()))


def _with_recorder(sections: list[Section], lines: list[_Line], marks: list) -> list[Section]:
    """Add the closing part after the last mark (recorder, reviewer) as a body section."""
    last_end = max(s.end for s in sections)
    tail = [line for line in lines if line.start > last_end and line.key]
    if tail:
        sections.append(Section("body", None, RECORDER, tail[0].start, tail[-1].end))
    sections.sort(key=lambda s: (s.start, -s.end))
    return sections


def meeting_info(text: str, sections: list[Section] | None = None) -> MeetingInfo | None:
    """Committee, meeting number, date and place from the heading, or None for a text that is not minutes."""
    sections = find_sections(text) if sections is None else sections
    heading = next((s for s in sections if s.kind == "heading"), None)
    if heading is None:
        return None
    block = text[heading.start:heading.end]
    heading_lines = [line for line in _lines(block) if line.text]
    title = heading_lines[0].text if heading_lines else ""
    number = _NUMBER.search(title.translate(_THAI_DIGITS)) or _NUMBER.search(block.translate(_THAI_DIGITS))
    committee = _TITLE_PREFIX.sub("", title)
    # "ครั้งที่ ๒/๒๕๖๗", also at the end of the line (OCR: the number on the next line, ครังที่)
    committee = normalize_committee(re.split(r"\s*ครั้?ง\s*ที่?\s*(?:[0-9๐-๙]|$)", committee)[0])
    place = next((_PLACE.sub("", line.text).strip() for line in heading_lines[1:] if _PLACE.match(line.text)), None)
    if place is None:  # "วันพุธที่ … เวลา ๐๙.๓๐ น. ณ ห้องประชุม…" on one line
        inline = (_INLINE_PLACE.search(line.text) for line in heading_lines[1:])
        place = next((m.group(1).strip(" *") for m in inline if m), None)
    rest = "\n".join(line.text for line in heading_lines[1:] if not _PLACE.match(line.text))
    return MeetingInfo(committee=committee, number=f"{int(number.group(1))}/{number.group(2)}" if number else None,
                       date=_date(rest) or _date(block), place=place or None)


_BETWEEN_THAI = re.compile(r"(?<=[\u0e00-\u0e7f])\s+(?=[\u0e00-\u0e7f])")
_DASHES = re.compile(r"\s*[-‐‑–—]\s*")


def normalize_committee(name: str) -> str | None:
    """The one spelling of a committee's name (the ``committee`` facet's value): Arabic digits,
    no spaces between Thai letters (OCR inserts them, typists vary), one kind of dash."""
    name = _BETWEEN_THAI.sub("", name.replace("*", "").translate(_THAI_DIGITS))
    name = _DASHES.sub("–", " ".join(name.split()))
    return name.strip(" .:–") or None


def _date(text: str) -> str | None:
    return parse_date(text) if text.strip() else None


def analyze_record(title: str, text: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """``analyze`` for a document whose reader took the first line as its title and left it out
    of the text: the heading is read with the title, offsets stay offsets into ``text``."""
    first_line = text.lstrip().split("\n", 1)[0]
    if not _TITLE_PREFIX.match(title.strip()) or _TITLE_PREFIX.match(first_line) or text.startswith(title):
        return analyze(text)  # the title is no heading (a file name), or the text has its own
    lead = len(title) + 1
    meeting, sections = analyze(f"{title}\n{text}")
    for section in sections:
        section["start"], section["end"] = max(0, section["start"] - lead), max(0, section["end"] - lead)
    return meeting, [s for s in sections if s["end"] > s["start"]]


def looks_like_minutes(text: str) -> bool:
    """A cheap test before ``analyze``: minutes always name agenda items."""
    return "วาระ" in text or "agenda" in text.lower()


def analyze(text: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The issue-14 contract: ``meeting`` dict (or None) and the ``sections`` list of dicts."""
    sections = find_sections(text)
    info = meeting_info(text, sections)
    return (info.to_dict() if info else None), [s.to_dict() for s in sections]
