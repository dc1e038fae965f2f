"""Turning user-supplied parameters (URL query strings, CLI options) into a
validated ``SearchRequest`` — or a ``BadParameter`` that names the parameter
and the reason.  Shared by the web API, the HTML pages and the CLI so that the
three can never disagree about what is valid.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable, Iterable

from kb.thai import thai_digits_to_arabic
from kb.thai.calendar import to_common_era
from kb.models import SECTION_FILTERS, SORTS, SearchRequest
from kb.notices import Notice

MAX_QUERY_CHARS = 1000
MAX_LIMIT = 100
MAX_RESULT_WINDOW = 10_000  # page * limit may not go past this
MAX_VALUES_PER_FACET = 50
# A byte the terminal's encoding could not decode reaches ``sys.argv`` as a lone surrogate
# (``kb search $'ชาย\xe0'``); no encoder accepts one.  The web decodes malformed UTF-8 to
# U+FFFD, so the query becomes the same text the site would search.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadParameter(ValueError):
    """A parameter a user gave is not acceptable; ``param`` names it.

    ``reason`` is Thai text; made as a ``kb.notices.Notice`` it also carries a code and
    parameters, so the English interface can say the same (``web.i18n.notice_text``).
    """

    def __init__(self, param: str, reason: str):
        super().__init__(f"{param}: {reason}")
        self.param = param
        self.reason = reason


def int_in_range(param: str, raw: str, lo: int, hi: int) -> int:
    """A whole number (Thai digits accepted) within ``lo`` … ``hi``."""
    raw = thai_digits_to_arabic(raw.strip())
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise BadParameter(param, Notice("not_integer", f"'{raw[:40]}' ไม่ใช่จำนวนเต็ม", raw=raw[:40]))
    digits = raw.lstrip("+-").lstrip("0")
    # a number too long to convert (or to be in range) is out of range, never "not a number"
    value = int(raw) if len(digits) <= 18 else None
    if value is None or not lo <= value <= hi:
        shown = value if value is not None else raw[:40] + ("…" if len(raw) > 40 else "")
        raise BadParameter(param, Notice("out_of_range", f"ต้องอยู่ระหว่าง {lo} ถึง {hi} (ได้รับ {shown})", lo=lo, hi=hi, got=shown))
    return value


def year_value(param: str, raw: str) -> int:
    """A Gregorian year; a Buddhist-Era year is accepted and converted."""
    year = int_in_range(param, raw, 1, 9999)
    year = to_common_era(year)  # a Buddhist-Era year is accepted and converted
    if not 1900 <= year <= 2100:
        raise BadParameter(param, Notice("bad_year", f"'{raw[:40]}' ไม่ใช่ปีที่เป็นไปได้ (ใช้ปี ค.ศ. หรือ พ.ศ.)", raw=raw[:40]))
    return year


def _date(param: str, raw: str) -> str:
    raw = thai_digits_to_arabic(raw.strip())
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", raw)
    if not m:
        raise BadParameter(param, Notice("bad_date", f"'{raw[:40]}' ไม่ใช่วันที่ (ใช้รูปแบบ YYYY-MM-DD, YYYY-MM หรือ YYYY)", raw=raw[:40]))
    year = int(m.group(1))
    year = to_common_era(year)
    month = int(m.group(2) or (1 if param == "from" else 12))
    day = m.group(3)
    try:
        if day is None:
            if param == "from":
                d = _dt.date(year, month, 1)
            else:
                nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
                d = nxt - _dt.timedelta(days=1)
        else:
            d = _dt.date(year, month, int(day))
    except ValueError:
        raise BadParameter(param, Notice("no_such_date", f"'{raw[:40]}' ไม่ใช่วันที่ที่มีอยู่จริงในปฏิทิน", raw=raw[:40])) from None
    return d.isoformat()


def _known(allowed: list[str]) -> str:
    """The accepted values, listed when there are few enough to read."""
    if len(allowed) > 20:
        return ""
    return " (ค่าที่ใช้ได้: " + ", ".join(allowed) + ")"


def _choices(param: str, values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    allowed_list = list(allowed)
    allowed_set = set(allowed_list)
    out: list[str] = []
    for v in values:
        v = v.strip()
        if not v:
            continue
        if v not in allowed_set:
            known = allowed_list if len(allowed_list) <= 20 else []
            raise BadParameter(param, Notice("unknown_value", f"ไม่รู้จักค่า '{v[:60]}'" + _known(allowed_list), value=v[:60], known=known))
        if v not in out:
            out.append(v)
    return out


def choice_values(param: str, values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """Values each one of ``allowed`` (stripped, blanks skipped, deduplicated)."""
    return _choices(param, values, allowed)


def canonical_values(param: str, values: Iterable[str], canonical: Callable[[str], Any]) -> list[Any]:
    """Each value made canonical by ``canonical`` (which raises ``BadParameter``), deduplicated in order."""
    return list(dict.fromkeys(canonical(v) for v in values))


def search_param_names() -> tuple[str, ...]:
    """Every parameter name ``parse_search`` reads, in the order the API documents them."""
    from kb.facets import names  # the registry validates with this module's helpers

    return ("q", *names(), "from", "to", "sort", "limit", "page", "section")


def parse_search(get: Callable[[str], list[str]]) -> SearchRequest:
    """Build a SearchRequest from a getter of repeated parameters (``request.args.getlist``)."""

    def one(name: str) -> str | None:
        values = [v for v in get(name) if v is not None]
        return values[-1] if values else None

    def many(name: str) -> list[str]:
        values = [v for v in get(name) if v is not None and v.strip()]
        if len(values) > MAX_VALUES_PER_FACET:
            raise BadParameter(name, Notice("too_many_values", f"ระบุได้ไม่เกิน {MAX_VALUES_PER_FACET} ค่า (ได้รับ {len(values)} ค่า)",
                                              most=MAX_VALUES_PER_FACET, got=len(values)))
        return values

    q = one("q") or ""
    if "\x00" in q:
        raise BadParameter("q", Notice("nul", "มีอักขระ NUL ซึ่งใช้ค้นไม่ได้"))
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", Notice("query_too_long", f"คำค้นยาวเกิน {MAX_QUERY_CHARS} ตัวอักษร ({len(q)} ตัวอักษร)",
                                      most=MAX_QUERY_CHARS, got=len(q)))
    q = _LONE_SURROGATE.sub("\ufffd", q)
    from kb.facets import REGISTRY  # the registry validates with this module's helpers

    req = SearchRequest(q=q.strip(), filters={f.name: f.parse(many(f.name)) for f in REGISTRY})
    if (raw := one("from")) and raw.strip():
        req.date_from = _date("from", raw)
    if (raw := one("to")) and raw.strip():
        req.date_to = _date("to", raw)
    if req.date_from and req.date_to and req.date_from > req.date_to:
        raise BadParameter("from", Notice("from_after_to", f"วันเริ่มต้น {req.date_from} อยู่หลังวันสิ้นสุด {req.date_to}",
                                         start=req.date_from, end=req.date_to))
    sort = (one("sort") or "relevance").strip()
    if sort not in SORTS:
        raise BadParameter("sort", Notice("one_of", f"ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: {', '.join(SORTS)}", choices=list(SORTS)))
    req.sort = sort
    if (raw := one("section")) and raw.strip():
        if raw.strip() not in SECTION_FILTERS:
            raise BadParameter("section", Notice("one_of", f"ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: {', '.join(SECTION_FILTERS)}",
                                               choices=list(SECTION_FILTERS)))
        req.section = raw.strip()
    if (raw := one("limit")) and raw.strip():
        req.limit = int_in_range("limit", raw, 1, MAX_LIMIT)
    if (raw := one("page")) and raw.strip():
        req.page = int_in_range("page", raw, 1, MAX_RESULT_WINDOW)
    if req.page * req.limit > MAX_RESULT_WINDOW:
        raise BadParameter("page", Notice("result_window", f"ดูผลลัพธ์ได้ถึงลำดับที่ {MAX_RESULT_WINDOW} เท่านั้น โปรดจำกัดการค้นหาให้แคบลง",
                                         most=MAX_RESULT_WINDOW))
    return req


def parse_mapping(params: dict[str, object]) -> SearchRequest:
    """The same validation for a plain mapping (the CLI's options)."""

    def get(name: str) -> list[str]:
        v = params.get(name)
        if v is None:
            return []
        if isinstance(v, (list, tuple)):
            return [str(x) for x in v]
        return [str(v)]

    return parse_search(get)
