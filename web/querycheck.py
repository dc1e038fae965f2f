"""The query string as it was sent, checked before any route reads it.

Werkzeug keeps bytes that are not UTF-8 as ``%XX`` text (``?q=%ff`` reads as the
three letters ``%FF``), so a broken link would quietly search for, or fail to
recognize, something the visitor never typed.  Every name and value must be
UTF-8: otherwise the answer is a 400 naming the parameter, page or JSON alike.

The JSON search API also refuses names it does not know (``size=`` for ``limit=``,
a misspelt facet), which it would otherwise ignore; the HTML pages keep ignoring
them, so a shared link with tracking parameters still opens.
"""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

from kb.notices import Notice
from kb.params import BadParameter, search_param_names

# what a route reads besides the search itself: the interface language, a partner's feed key
EXTRA_PARAMS = ("lang", "key")


def _unquoted(raw: bytes) -> bytes:
    return unquote_to_bytes(raw.replace(b"+", b" "))


def check_utf8(query_string: bytes) -> None:
    """Raise ``BadParameter`` for the first name or value that is not UTF-8 once unquoted."""
    for pair in query_string.split(b"&"):
        raw_name, _, raw_value = pair.partition(b"=")
        name = _unquoted(raw_name)
        for part in (name, _unquoted(raw_value)):
            try:
                part.decode("utf-8")
            except UnicodeDecodeError:
                raise BadParameter(
                    name.decode("utf-8", "replace"),
                    Notice("not_utf8", "ไม่ใช่ข้อความ UTF-8 ที่ถูกต้อง (ลิงก์มีรหัส %XX ที่ถอดเป็นอักษรไม่ได้ หรือถูกตัดกลางตัวอักษร)"),
                ) from None


def check_known(names, known=search_param_names) -> None:
    """Raise ``BadParameter`` for the first name that is neither a search parameter nor an extra one."""
    allowed = (*known(), *EXTRA_PARAMS)
    for name in names:
        if name not in allowed:
            raise BadParameter(name, Notice("unknown_param", f"ไม่รู้จักพารามิเตอร์ '{name[:60]}' (ที่ใช้ได้: {', '.join(allowed)})",
                                            name=name[:60], allowed=list(allowed)))


def check_no_search(names) -> None:
    """``/api/stats`` counts the whole collection: a search parameter there is a 400 pointing
    to ``/stats.json`` (which counts the search), not whole-collection counts taken for the search's."""
    for name in names:
        if name not in EXTRA_PARAMS:
            raise BadParameter(name, Notice(
                "stats_whole_collection",
                f"/api/stats นับเอกสารทั้งคลังและไม่รับพารามิเตอร์ '{name[:60]}' จำนวนตามการค้นหาอยู่ที่ /stats.json?q=…",
                name=name[:60]))
