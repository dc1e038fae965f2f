"""JSONL reader: one document per line, for crawls and dumps (``.jsonl``, ``.jsonl.gz``).

Each line is an object with a required ``id`` (string or integer) and
``text``, and optional ``title``, ``url``, ``date`` and ``type``. The file is
streamed line by line (a 60,000-release dump never sits in memory whole); a
broken line becomes a Failure named ``<path>:<line>`` and reading goes on. A
truncated ``.gz`` yields what it held, then one Failure.

Crawls of the Thai government site (ThaiGov) begin each text with site chrome,
"รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-<title>", and a lone "พิมพ์" (print button); both
are removed, and so is the first early line that only repeats the title. Their
``date`` field is the *crawl* date, while the text carries the publication
date ("วันจันทร์ที่ 24 สิงหาคม 2563"). Rule: ``date`` is passed as
``date_hint`` only when the text has no Thai date within its first 300
characters; otherwise extraction reads the date from the text.
"""
from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from indexer.readers import title_from_text
from kb.models import Failure, RawDocument
from kb.thai.calendar import MONTHS_ABBR, MONTHS_FULL
from kb.thai.digits import THAI_DIGIT_RANGE

_CHROME_LINE = re.compile(r"^\s*รัฐบาลไทย\s*-\s*ข่าวทำเนียบรัฐบาล\s*-")
_WIDGET_LINES = {"พิมพ์", "แชร์", "แชร์เลย"}
_MONTHS = "|".join([*MONTHS_FULL, *map(re.escape, MONTHS_ABBR)])
_D = f"[0-9{THAI_DIGIT_RANGE}]"  # an Arabic or Thai digit
_THAI_DATE = re.compile(
    rf"{_D}{{1,2}}\s*(?:{_MONTHS})\s*(?:พ\.ศ\.\s*)?{_D}{{2,4}}|{_D}{{1,2}}/{_D}{{1,2}}/{_D}{{4}}"
)
_OPTIONAL_FIELDS = ("title", "url", "date", "type")


def read(path: Path) -> Iterator[RawDocument | Failure]:
    """Yield one document per good line and one Failure per bad line, in file order."""
    path = Path(path)
    source = str(path)
    compressed = path.name.lower().endswith(".gz")
    try:
        handle: IO[bytes] = gzip.open(path, "rb") if compressed else path.open("rb")
    except OSError as err:
        yield Failure(source, f"cannot read file ({err.strerror or err})")
        return
    lineno = 0
    any_line = False
    with handle:
        lines = iter(handle)
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                break
            except EOFError:
                yield Failure(source, f"gzip stream truncated (after line {lineno})")
                return
            except (gzip.BadGzipFile, zlib.error) as err:
                yield Failure(source, f"not a valid gzip file ({err})")
                return
            except OSError as err:
                yield Failure(source, f"cannot read file ({err.strerror or err})")
                return
            lineno += 1
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            any_line = True
            yield parse_line(raw, lineno, source)
    if not any_line:
        yield Failure(source, "empty file")


def parse_line(raw: bytes, lineno: int, source: str) -> RawDocument | Failure:
    """One JSONL line as a document, or a Failure named ``<source>:<lineno>``."""
    where = f"{source}:{lineno}"
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Failure(where, f"line {lineno}: not valid UTF-8")
    try:
        record: Any = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as err:
        reason = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deep"
        return Failure(where, f"line {lineno}: broken JSON ({reason})")
    if not isinstance(record, dict):
        return Failure(where, f"line {lineno}: not a JSON object")
    for name in ("id", "text"):
        if name not in record or record[name] is None:
            return Failure(where, f"line {lineno}: missing field '{name}'")
    doc_id = record["id"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        return Failure(where, f"line {lineno}: field 'id' must be a string or an integer")
    doc_id = str(doc_id).strip()
    if not doc_id:
        return Failure(where, f"line {lineno}: empty field 'id'")
    if not isinstance(record["text"], str):
        return Failure(where, f"line {lineno}: field 'text' must be a string")
    for name in _OPTIONAL_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return Failure(where, f"line {lineno}: field '{name}' must be a string")
    title = " ".join((record.get("title") or "").split())
    text = strip_site_chrome(record["text"], title)
    if not text:
        return Failure(where, f"line {lineno}: empty field 'text'")
    date = (record.get("date") or "").strip() or None
    if date and _THAI_DATE.search(text[:300]):
        date = None
    return RawDocument(
        id=doc_id,
        title=title or title_from_text(text),
        text=text,
        url=(record.get("url") or "").strip() or None,
        date_hint=date,
        type_hint=(record.get("type") or "").strip() or None,
        source=source,
    )


def strip_site_chrome(text: str, title: str = "") -> str:
    """The text without ThaiGov chrome lines, print buttons and an early repeat of the title."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if lines and _CHROME_LINE.match(lines[0]):
        lines = lines[1:]
    out: list[str] = []
    title_seen = False
    for index, line in enumerate(lines):
        if line in _WIDGET_LINES:
            continue
        if title and not title_seen and index < 8 and " ".join(line.split()) == title:
            title_seen = True
            continue
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
