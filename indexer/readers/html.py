"""HTML reader: the main content of a web page, without its chrome.

News pages of Thai agencies wrap a release in menus, breadcrumbs, share
widgets ("แชร์เลย", Facebook/Line buttons, "พิมพ์"), related-news lists and a
footer with the agency's address (a footer that names ถนนพิษณุโลก and
กรุงเทพมหานคร would otherwise make every page "about" Bangkok). This reader
keeps the release itself: it drops non-content elements, picks the main
container, and turns block elements into line breaks.

Parsing goes through BeautifulSoup with the lxml parser and every walk over
the tree is iterative, so a page of 100,000 nested ``<div>`` cannot hit
Python's recursion limit; if anything still recurses too deep, a flat
tag-stripping fallback keeps the text instead of failing the page.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from indexer.readers.html_meta import declared_access, declared_charset as _declared_charset
from indexer.readers.decoding import read_text_file, title_from_text
from indexer.readers.html_flat import strip_tags
from indexer.readers.registry import Budget, ReaderSpec
from kb.models import Failure, RawDocument

READER = ReaderSpec(name="html", suffixes=(".html", ".htm"), seconds=60.0)

# Elements whose content is never text of the release.
_JUNK_TAGS = (
    "script", "style", "noscript", "template", "iframe", "svg", "math", "object",
    "embed", "canvas", "button", "select", "textarea", "input", "video", "audio", "map",
    "dialog", "link", "meta",
)
# Page chrome by element name; <header> only outside an article (an article's own
# header holds its title and date). <form> is chrome too (search boxes, comment
# forms), but ASP.NET sites wrap the whole page in one, so forms get the size guard.
_CHROME_TAGS = {"nav", "footer", "aside", "menu"}
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu",
                 "menubar", "toolbar", "dialog", "alertdialog"}
# Word roots in id/class names that mark chrome ("navbar", "share-buttons",
# "site-footer", "cookie-banner", "related-news", ...).
_CHROME_WORDS = ("nav", "menu", "breadcrumb", "share", "sharing", "social", "footer",
                 "header", "sidebar", "cookie", "banner", "related", "masthead", "topbar",
                 "skip", "advert", "popup", "modal", "toolbar", "print", "pagination", "pager",
                 "crumbs", "counter")
# Short words that only count as a whole id/class word ("path", not "pathology").
_CHROME_EXACT = {"path", "bc", "tags", "back", "top"}
_HEADERISH_WORDS = ("header", "masthead")
_CONTENT_WORDS = ("content", "article", "main", "entry", "post", "story", "body", "detail",
                  "news")
_BLOCK_TAGS = {
    "address", "article", "blockquote", "body", "br", "caption", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "html", "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul", "center", "footer", "nav", "aside",
}
# Lines that are share/print widgets even when the page marks them up anonymously.
_WIDGET_LINES = {
    "แชร์เลย", "แชร์", "แชร์ข่าว", "แบ่งปัน", "พิมพ์", "พิมพ์หน้านี้", "พิมพ์ข่าว", "facebook",
    "line", "twitter", "x", "tweet", "share", "print", "email", "อีเมล", "คัดลอกลิงก์",
    "copy link", "กลับด้านบน", "back to top", "อ่านต่อ", "read more", "ย้อนกลับ", "กลับ",
    "กลับหน้าหลัก", "back",
}
# View counters next to the date ("| อ่าน 872 ครั้ง", "เข้าชม 2,051 ครั้ง").
_VIEW_COUNTER = re.compile(r"\s*\|?\s*(?:ผู้เข้าชม|เข้าชม|อ่าน|views?)\s*:?\s*[0-9๐-๙,]+\s*(?:ครั้ง|คน)?",
                           re.I)
# A breadcrumb trail left in the text ("หน้าแรก » ข่าวประชาสัมพันธ์").
_BREADCRUMB_LINE = re.compile(r"^(?:หน้าแรก|หน้าหลัก|home)\s*[»>›/|]", re.I)
_DASH_SEPARATORS = (" - ", " – ", " — ")
_SITE_WORDS = ("สำนักงาน", "สภาความมั่นคง", "สมช", "รัฐบาล", "กระทรวง", "กรม", "เว็บไซต์",
               "website", "official", ".go.th", "nsc", "thaigov")
_DATE_WORD = re.compile(r"(?<![a-z])(date|time|publish|posted)", re.I)
_SPACES = re.compile(r"[ \t\f\v\r\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def read(path: Path, budget: Budget | None = None) -> Iterator[RawDocument | Failure]:
    """Yield the one document of an HTML page, or a Failure saying why there is none."""
    path = Path(path)
    source = str(path)
    budget = budget or Budget(READER.seconds)
    markup = read_text_file(path, "HTML", _declared_charset)
    if isinstance(markup, Failure):
        yield markup
        return
    budget.check()
    try:
        page = _parse(markup)
    except RecursionError:
        page = _flat_parse(markup)
    budget.check()
    if not page.text:
        yield Failure(source, "no text in the page's main content")
        return
    yield RawDocument(
        title=page.title or title_from_text(page.text),
        text=page.text,
        url=page.url,
        date_hint=page.date_hint,
        type_hint=None,
        source=source,
        access=declared_access(markup),  # access (issue 17)
    )


class _Page:
    def __init__(self, title: str, text: str, url: str | None, date_hint: str | None) -> None:
        self.title, self.text, self.url, self.date_hint = title, text, url, date_hint


# --------------------------------------------------------------------------- parsing


def _parse(markup: str) -> _Page:
    soup = BeautifulSoup(markup, "lxml")
    url = _canonical_url(soup)
    meta_date = _meta_date(soup)
    head_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.head is not None:
        soup.head.decompose()
    for tag in soup.find_all(_JUNK_TAGS):
        if not tag.decomposed:
            tag.decompose()
    for node in soup.find_all(string=lambda s: isinstance(s, PreformattedString)):
        node.extract()  # comments, CDATA, processing instructions, doctype

    body = soup.body or soup
    dropped = _chrome_elements(body)
    container = _main_container(body, dropped)
    title_el = _title_element(container, dropped) or _title_like_h1(body, dropped, head_title)
    title = title_el.get_text(" ", strip=True) if title_el is not None else ""
    date_hint = _time_date(container, dropped) or meta_date or _time_date(body, dropped)
    date_hint = date_hint or _class_date(container, dropped) or _class_date(body, dropped)
    if date_hint:
        date_hint = _VIEW_COUNTER.sub("", date_hint).strip(" |") or None
    skip = set(dropped)
    if title_el is not None:
        skip.add(id(title_el))
    text = _text_of(container, skip)
    title = _clean_title(title or head_title)
    first, _, rest = text.partition("\n")
    if title and first == title:
        text = rest  # the heading is the title; it is not repeated in the text
    return _Page(title, text, url, date_hint)


def _attr_text(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def _words(tag: Tag) -> list[str]:
    """The words of an element's id and class ("siteFooter main_nav" → site, footer, main, nav)."""
    raw = _attr_text(tag, "id") + " " + _attr_text(tag, "class")
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw)
    return [w for w in re.split(r"[^a-z0-9]+", raw.lower()) if w]


def _has_word(words: list[str], roots: tuple[str, ...]) -> bool:
    return any(w.startswith(root) for w in words for root in roots)


def _is_hidden(tag: Tag) -> bool:
    return (
        tag.has_attr("hidden")
        or _attr_text(tag, "aria-hidden").lower() == "true"
        or bool(_HIDDEN_STYLE.search(_attr_text(tag, "style")))
    )


class _Span:
    """Where an element sits in document order, and how much text and link text it holds
    (``shown``: the length of its ``get_text(" ", strip=True)``, plus one)."""

    __slots__ = ("start", "end", "text", "links", "shown")

    def __init__(self, start: int) -> None:
        self.start, self.end, self.text, self.links, self.shown = start, start, 0, 0, 0

    def contains(self, other: _Span) -> bool:
        return self.start < other.start and other.end <= self.end


def _measure(root: Tag, skip: set[int]) -> dict[int, _Span]:
    """Text size of every element in one linear pass (skipped subtrees count as empty).

    A subtree is a contiguous run of the document order, so a stack of open
    elements gives each element's span and running totals give its text
    length; asking ``get_text()`` of each element instead would be quadratic
    on a page of nested wrappers.
    """
    spans: dict[int, _Span] = {}
    # (element, span, text total at open, link total at open, skipped, inside a link, shown at open)
    stack: list[tuple[Tag, _Span, int, int, bool, bool, int]] = []
    text_total = link_total = position = shown_total = 0

    def close(entry: tuple[Tag, _Span, int, int, bool, bool, int]) -> None:
        _, span, text_before, link_before, _, _, shown_before = entry
        span.end = position
        span.text = text_total - text_before
        span.links = link_total - link_before
        span.shown = shown_total - shown_before

    root_span = _Span(0)
    spans[id(root)] = root_span
    stack.append((root, root_span, 0, 0, id(root) in skip, root.name == "a", 0))
    for node in root.descendants:
        position += 1
        parent = node.parent
        while stack and stack[-1][0] is not parent:
            close(stack.pop())
        if not stack:
            break
        _, _, _, _, parent_skipped, parent_in_link, _ = stack[-1]
        if isinstance(node, Tag):
            span = _Span(position)
            spans[id(node)] = span
            stack.append((node, span, text_total, link_total, parent_skipped or id(node) in skip,
                          parent_in_link or node.name == "a", shown_total))
        elif not parent_skipped and not isinstance(node, PreformattedString):
            size = len(node) - sum(1 for c in node if c.isspace())
            text_total += size
            if parent_in_link:
                link_total += size
            if type(node) is NavigableString and size:  # what get_text(" ", strip=True) joins
                shown_total += len(node.strip()) + 1
    position += 1
    while stack:
        close(stack.pop())
    return spans


def _chrome_elements(body: Tag) -> set[int]:
    """ids of the elements to leave out, their descendants included.

    One pass in document order; ``in_article`` is inherited from the parent so
    no element walks its ancestors (that would be quadratic on deep pages).
    """
    dropped: set[int] = set()
    in_article: dict[int, bool] = {id(body): body.name in ("article", "main")}
    spans: dict[int, _Span] | None = None
    for tag in body.descendants:
        if not isinstance(tag, Tag):
            continue
        parent_id = id(tag.parent)
        if parent_id in dropped:
            dropped.add(id(tag))
            continue
        inside = in_article.get(parent_id, False)
        role = _attr_text(tag, "role").lower()
        in_article[id(tag)] = inside or tag.name in ("article", "main") or role == "main"
        if _is_hidden(tag) or tag.name in _CHROME_TAGS or (tag.name == "header" and not inside):
            dropped.add(id(tag))
            continue
        words = _words(tag)
        chrome_role = role in _CHROME_ROLES and not (inside and role == "banner")
        # "entry-header" or a header inside an article is the release's own heading.
        article_header = (inside or _has_word(words, _CONTENT_WORDS)) and _has_word(
            words, _HEADERISH_WORDS) and not _has_word(
                [w for w in words if not w.startswith(_HEADERISH_WORDS)], _CHROME_WORDS)
        chrome_words = (_has_word(words, _CHROME_WORDS)
                        or bool(_CHROME_EXACT.intersection(words))) and not article_header
        if not (chrome_role or chrome_words or tag.name == "form"):
            continue
        if spans is None:
            spans = _measure(body, set())
        # A class such as "has-sidebar" on a wrapper of the whole release must not
        # cost us the release: big link-poor elements stay.
        span = spans[id(tag)]
        if span.text > 0.5 * spans[id(body)].text and span.links < 0.5 * span.text:
            continue
        dropped.add(id(tag))
    return dropped


def _main_container(body: Tag, dropped: set[int]) -> Tag:
    """The element holding the release: <main>/<article>/role=main, else a content-named one."""
    semantic: list[Tag] = []
    named: list[Tag] = []
    for tag in body.descendants:
        if not isinstance(tag, Tag) or id(tag) in dropped:
            continue
        if tag.name in ("main", "article") or _attr_text(tag, "role").lower() == "main":
            semantic.append(tag)
        elif tag.name not in ("html", "body") and _has_word(_words(tag), _CONTENT_WORDS):
            named.append(tag)
    if not semantic and not named:
        return body
    spans = _measure(body, dropped)
    for group in (semantic, named):
        best = _best_candidate(group, spans)
        if best is not None:
            return best
    return body


def _best_candidate(candidates: list[Tag], spans: dict[int, _Span]) -> Tag | None:
    """The candidate with the most text; a tighter one inside it wins if it holds most of it."""
    sized = [tag for tag in candidates if spans[id(tag)].text >= 20]
    if not sized:
        return None
    sized.sort(key=lambda tag: -spans[id(tag)].text)
    best = sized[0]
    best_size = spans[id(best)].text
    for tag in sized[1:]:
        span = spans[id(tag)]
        if span.text >= 0.7 * best_size and spans[id(best)].contains(span):
            best = tag
    return best


def _outside_chrome(tag: Tag, dropped: set[int]) -> bool:
    # ``dropped`` already holds every descendant of a dropped element.
    return id(tag) not in dropped


def _title_element(container: Tag, dropped: set[int]) -> Tag | None:
    """The release's heading: an <h1>, else a short element whose class says title/headline."""
    for h1 in container.find_all("h1"):
        if h1.get_text(strip=True) and _outside_chrome(h1, dropped):
            return h1
    spans: dict[int, _Span] | None = None
    for tag in container.find_all(True):
        if id(tag) in dropped or not _has_word(_words(tag), ("title", "headline")):
            continue
        if tag.interesting_string_types == Tag.MAIN_CONTENT_STRING_TYPES:
            # its text's length, measured in one pass: asking each of 20,000 nested
            # class="title" wrappers for its text took 168 s for a 500 KB page
            spans = spans or _measure(container, set())
            if not 0 < spans[id(tag)].shown - 1 <= 300:
                continue
        text = tag.get_text(" ", strip=True)
        if text and len(text) <= 300:
            return tag
    return None


def _title_like_h1(body: Tag, dropped: set[int], head_title: str) -> Tag | None:
    """An <h1> outside the main container that repeats the page title (not the site's logo)."""
    for h1 in body.find_all("h1"):
        text = " ".join(h1.get_text(" ", strip=True).split())
        if id(h1) not in dropped and len(text) >= 15 and text in " ".join(head_title.split()):
            return h1
    return None


def _time_date(scope: Tag, dropped: set[int]) -> str | None:
    for time in scope.find_all("time"):
        if not _outside_chrome(time, dropped):
            continue
        value = _attr_text(time, "datetime").strip() or time.get_text(" ", strip=True)
        if value:
            return value
    return None


def _meta_date(soup: BeautifulSoup) -> str | None:
    wanted = ("article:published_time", "date", "dc.date", "dc.date.issued", "dcterms.date",
              "publishdate", "pubdate", "og:published_time", "datepublished")
    found: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        key = (_attr_text(meta, "property") or _attr_text(meta, "name")
               or _attr_text(meta, "itemprop")).strip().lower()
        content = _attr_text(meta, "content").strip()
        if key in wanted and content and key not in found:
            found[key] = content
    for key in wanted:
        if key in found:
            return found[key]
    return None


def _class_date(scope: Tag, dropped: set[int]) -> str | None:
    for tag in scope.find_all(True):
        if id(tag) in dropped or not _DATE_WORD.search(
            _attr_text(tag, "id") + " " + _attr_text(tag, "class")
        ):
            continue
        value = " ".join(tag.get_text(" ", strip=True).split())
        if value and len(value) <= 100 and _outside_chrome(tag, dropped):
            return value
    return None


def _canonical_url(soup: BeautifulSoup) -> str | None:
    for link in soup.find_all("link"):
        rel = link.get("rel") or []
        rels = rel if isinstance(rel, list) else rel.split()
        if "canonical" in [r.lower() for r in rels] and _attr_text(link, "href").strip():
            return _attr_text(link, "href").strip()
    for meta in soup.find_all("meta"):
        if _attr_text(meta, "property").lower() == "og:url" and _attr_text(meta, "content").strip():
            return _attr_text(meta, "content").strip()
    return None


def _text_of(container: Tag, skip: set[int]) -> str:
    """The visible text, one line per block element, without the skipped subtrees.

    Strings are grouped by their nearest block ancestor: when it changes, a new
    line starts. That ancestor is inherited down the walk (a dict by element
    id), so the cost stays linear however deep the page is.
    """
    block_of: dict[int, int] = {id(container): id(container)}
    pre_of: dict[int, bool] = {id(container): container.name == "pre"}
    skipped: set[int] = set()
    parts: list[str] = []
    current_block = id(container)
    for node in container.descendants:
        parent_id = id(node.parent)
        if parent_id in skipped:
            skipped.add(id(node))
            continue
        if isinstance(node, Tag):
            if id(node) in skip:
                skipped.add(id(node))
                continue
            block_of[id(node)] = id(node) if node.name in _BLOCK_TAGS else block_of[parent_id]
            pre_of[id(node)] = pre_of[parent_id] or node.name == "pre"
            if node.name in ("br", "hr"):
                parts.append("\n")
            continue
        if not isinstance(node, NavigableString) or isinstance(node, PreformattedString):
            continue
        block = block_of.get(parent_id, current_block)
        if block != current_block:
            parts.append("\n")
            current_block = block
        text = str(node)
        parts.append(text if pre_of.get(parent_id) else re.sub(r"\s+", " ", text))
    return _tidy("".join(parts))


def _tidy(text: str) -> str:
    """Collapse spaces, drop empty and widget lines, keep one line per paragraph."""
    lines = []
    for line in text.replace("\ufeff", "").splitlines():
        line = _VIEW_COUNTER.sub("", _SPACES.sub(" ", line)).strip()
        if line and line.lower() not in _WIDGET_LINES and not _BREADCRUMB_LINE.match(line):
            lines.append(line)
    return "\n".join(lines)


def _clean_title(title: str) -> str:
    """Drop the site name from a page title, never a part of the title itself.

    Pipes and double colons only ever separate page from site ("สมช. :: <title>",
    "<title> | สำนักงานสภาความมั่นคงแห่งชาติ"): the longest segment is the
    title. A dash may be part of a Thai title ("พ.ศ. ๒๕๖๖ – ๒๕๗๐"), so a
    dash-separated end is only cut when it names a site, or has no digits,
    leaves brackets balanced and is the shorter side.
    """
    title = " ".join(title.split())
    segments = [s.strip() for s in re.split(r"\s+(?:\|\|?|::|»)\s+", title) if s.strip()]
    if len(segments) > 1:
        named = [seg for seg in segments if not any(w in seg.lower() for w in _SITE_WORDS)]
        title = max(named or segments, key=len)
    for _ in range(3):
        cut = None
        for sep in _DASH_SEPARATORS:
            at = title.rfind(sep)
            if at > 0 and (cut is None or at > cut[0]):
                cut = (at, sep)
        if cut is None:
            break
        at, sep = cut
        head, tail = title[:at].strip(), title[at + len(sep):].strip()
        if head and _is_site_suffix(head, tail):
            title = head
            continue
        first = min((title.find(s), s) for s in _DASH_SEPARATORS if title.find(s) > 0)
        head, tail = title[: first[0]].strip(), title[first[0] + len(first[1]):].strip()
        if tail and any(w in head.lower() for w in _SITE_WORDS) and len(head) <= 40 < len(tail):
            title = tail
            continue
        break
    return title


def _is_site_suffix(head: str, tail: str) -> bool:
    """Whether the end after a dash is a site name: it names one, or is Latin after a Thai title."""
    if any(w in tail.lower() for w in _SITE_WORDS):
        return True
    thai_head = bool(re.search(r"[\u0e01-\u0e5b]", head))
    latin_tail = not re.search(r"[\u0e00-\u0e7f0-9]", tail) and head.count("(") == head.count(")")
    return thai_head and latin_tail and len(tail) <= 60


def _flat_parse(markup: str) -> _Page:
    """The page by tag stripping, for pages too deep for any tree walk."""
    title, body = strip_tags(markup, _BLOCK_TAGS)
    return _Page(_clean_title(title), _tidy(body), None, None)
