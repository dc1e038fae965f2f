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

from indexer.readers.decoding import title_from_text
from indexer.readers.lines import Line, LineLimits, bounded_lines
from indexer.readers.registry import MIB, Budget, ReadError, ReaderSpec, id_problem
from kb.models import Failure, RawDocument
from kb.thai.calendar import MONTHS_ABBR, MONTHS_FULL
from kb.thai.digits import THAI_DIGIT_RANGE

# Reading and parsing only: time the pipeline spends on the records already read
# is not counted (see ``Budget.paused``).
READER = ReaderSpec(name="jsonl", suffixes=(".jsonl", ".jsonl.gz"), bulk=True, max_bytes=None,
                    seconds=600.0)
MAX_LINE_BYTES = LineLimits().line_bytes
MAX_BAD_LINES = 10_000

_CHROME_LINE = re.compile(r"^\s*รัฐบาลไทย\s*-\s*ข่าวทำเนียบรัฐบาล\s*-")
_WIDGET_LINES = {"พิมพ์", "แชร์", "แชร์เลย"}
_MONTHS = "|".join([*MONTHS_FULL, *map(re.escape, MONTHS_ABBR)])
_D = f"[0-9{THAI_DIGIT_RANGE}]"  # an Arabic or Thai digit
_THAI_DATE = re.compile(
    rf"{_D}{{1,2}}\s*(?:{_MONTHS})\s*(?:พ\.ศ\.\s*)?{_D}{{2,4}}|{_D}{{1,2}}/{_D}{{1,2}}/{_D}{{4}}"
)
_OPTIONAL_FIELDS = ("title", "url", "date", "type", "access")  # access: issue 17


def read(path: Path, budget: Budget | None = None) -> Iterator[RawDocument | Failure]:
    """Yield one document per good line and one Failure per bad line, in file order.

    Past ``MAX_BAD_LINES`` broken lines the file is garbage, not a dump with a
    few bad records: reading stops with one Failure saying so.
    """
    path = Path(path)
    source = str(path)
    budget = budget or Budget(READER.seconds)
    try:
        handle: IO[bytes] = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")
    except OSError as err:
        yield Failure(source, f"cannot read file ({err.strerror or err})")
        return
    lines = bounded_lines(handle, budget)
    last, bad, any_line = 0, 0, False
    with handle:
        while True:
            try:
                line = next(lines)
            except StopIteration:
                break
            except ReadError as err:
                yield Failure(source, err.reason)
                return
            except (OSError, EOFError, zlib.error) as err:
                yield Failure(source, _stream_error(err, last))
                return
            any_line, last = True, line.number
            item = parse_line(line, source)
            bad += isinstance(item, Failure)
            with budget.paused():
                yield item
            if bad >= MAX_BAD_LINES:
                yield Failure(source, f"{bad:,} broken lines: stopped reading at line {last:,}")
                return
    if not any_line:
        yield Failure(source, "empty file")


def _stream_error(err: BaseException, last: int) -> str:
    if isinstance(err, EOFError):
        return f"gzip stream truncated (after line {last})"
    if isinstance(err, (gzip.BadGzipFile, zlib.error)):
        return f"not a valid gzip file ({err})"
    return f"cannot read file ({getattr(err, 'strerror', None) or err})"


def parse_line(line: Line, source: str) -> RawDocument | Failure:
    """One JSONL line as a document, or a Failure named ``<source>:<line number>``."""
    lineno = line.number
    where = f"{source}:{lineno}"
    if line.data is None:
        return Failure(where, f"line {lineno}: longer than the {MAX_LINE_BYTES // MIB} MB limit "
                              f"for one record ({line.length:,} bytes)")
    raw = line.data[3:] if lineno == 1 and line.data.startswith(b"\xef\xbb\xbf") else line.data
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Failure(where, f"line {lineno}: not valid UTF-8")
    try:
        record: Any = json.loads(line)
    except (ValueError, RecursionError) as err:
        # ValueError beyond JSONDecodeError: an integer of more than 4,300 digits
        reason = err.msg if isinstance(err, json.JSONDecodeError) else (
            "nested too deep" if isinstance(err, RecursionError) else _short(err))
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
    problem = id_problem(doc_id)
    if problem:
        return Failure(where, f"line {lineno}: field 'id' {problem}")
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
        access=record.get("access"),  # access (issue 17): checked by indexer.changes
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


def _short(err: BaseException) -> str:
    return " ".join(str(err).split())[:80] or type(err).__name__
