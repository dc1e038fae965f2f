"""Plain-text and Markdown reader: releases and meeting notes saved as ``.txt``/``.md``.

The first non-empty line is the title (a Markdown ``# heading`` or a setext
heading loses its markers) and is not repeated in the text. A source line
(``ที่มา: URL``, ``ที่มา : URL``, ``Source: URL``) becomes the url and leaves the
text, so the address does not pollute search. An optional front-matter block
(``---`` … ``---`` with simple ``key: value`` lines: title, date, url, type) is
parsed without a YAML dependency, because nothing else in it is ever needed.
Markdown is flattened to the words a reader sees: emphasis markers and link
targets go, list items stay one per line.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from indexer.readers.decoding import read_text_file, title_from_text
from indexer.readers.registry import Budget, ReaderSpec
from kb.models import Failure, RawDocument

READER = ReaderSpec(name="text", suffixes=(".txt", ".md", ".markdown"), seconds=30.0)

_MARKDOWN_SUFFIXES = (".md", ".markdown")
_FRONT_MATTER_KEYS = {"title": "title", "date": "date", "url": "url", "type": "type",
                      "source": "url", "ที่มา": "url", "access": "access"}  # access: issue 17
_SOURCE_LINE = re.compile(
    r"^\s*(?:ที่มา|แหล่งที่มา|source|url)\s*[:：]\s*<?(https?://[^\s>]+)>?\s*$", re.I
)
_ATX_OPENING = re.compile(r"\s{0,3}#{1,6}(?:\s+|$)")
_SETEXT_RULE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_THEMATIC_BREAK = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
# Inline Markdown, each pattern in time linear in the line (a 96 KB line of ``*a `` took
# 89 s, and the reader's time budget is checked only around the parse).  Link and URL
# brackets exclude their own opening bracket, so no attempt scans past the next one;
# emphasis goes through ``_sub_before_last`` with the zero-width pattern of its closer.
_IMAGE = re.compile(r"!\[([^\]\[]*)\]\([^)\]]*\)")
_LINK = re.compile(r"\[([^\]\[]+)\]\([^)\]]*\)")
_REFERENCE_LINK = re.compile(r"\[([^\]\[]+)\]\[[^\]\[]*\]")
_ANGLE_URL = re.compile(r"<(https?://[^<>\s]+)>")
_CODE = re.compile(r"`([^`]+)`")
# (pattern, the zero-width pattern of its closer, the closer's length): ** and __ before * and _
_EMPHASIS = tuple(
    (re.compile(pattern), re.compile(closer), size)
    for pattern, closer, size in (
        (r"\*\*(?=\S)(.+?)(?<=\S)\*\*", r"(?<=\S)(?=\*\*)", 2),
        (r"__(?=\S)(.+?)(?<=\S)__", r"(?<=\S)(?=__)", 2),
        (r"~~(?=\S)(.+?)(?<=\S)~~", r"(?<=\S)(?=~~)", 2),
        (r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"(?<=\S)(?=\*(?![\w*]))", 1),
        (r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", r"(?<=\S)(?=_(?![\w_]))", 1),
    )
)


def read(path: Path, budget: Budget | None = None) -> Iterator[RawDocument | Failure]:
    """Yield the one document of a text or Markdown file, or a Failure saying why not."""
    path = Path(path)
    source = str(path)
    budget = budget or Budget(READER.seconds)
    content = read_text_file(path, "text")
    if isinstance(content, Failure):
        yield content
        return
    budget.check()
    document = parse_text(content, markdown=path.suffix.lower() in _MARKDOWN_SUFFIXES)
    budget.check()
    if document is None:
        yield Failure(source, "empty file")
        return
    document.source = source
    yield document


def parse_text(content: str, markdown: bool = False) -> RawDocument | None:
    """The document in a decoded text, or None when it holds no words at all."""
    content = content.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = content.split("\n")
    meta, lines = _front_matter(lines)
    url = meta.get("url")
    kept: list[str] = []
    for line in lines:
        match = _SOURCE_LINE.match(line)
        if match and url is None:
            url = match.group(1)
            continue
        if match and match.group(1) == url:
            continue
        kept.append(line)
    if markdown:
        kept = _flatten_markdown(kept)
    title, body = _split_title(kept, markdown, meta.get("title"))
    text = _tidy(body)
    if not title and not text:
        return None
    return RawDocument(
        title=title or title_from_text(text),
        text=text,
        url=url,
        date_hint=meta.get("date"),
        type_hint=meta.get("type"),
        access=meta.get("access"),  # access (issue 17)
    )


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Simple ``key: value`` pairs from a leading ``---`` block, and the lines after it."""
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].strip() != "---":
        return {}, lines
    for end in range(start + 1, min(len(lines), start + 60)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, lines
    meta: dict[str, str] = {}
    for line in lines[start + 1 : end]:
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        value = value.strip().strip("\"'").strip()
        if sep and key in _FRONT_MATTER_KEYS and value and _FRONT_MATTER_KEYS[key] not in meta:
            meta[_FRONT_MATTER_KEYS[key]] = value
    if not meta and not all(":" in line or not line.strip() for line in lines[start + 1 : end]):
        return {}, lines  # a leading rule, not front matter
    return meta, lines[end + 1 :]


def _split_title(lines: list[str], markdown: bool, given: str | None) -> tuple[str, list[str]]:
    """The title line (markers removed) and the remaining lines; a front-matter title wins."""
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines):
        return given or "", []
    first = lines[index]
    rest = lines[index + 1 :]
    if markdown:
        heading = _atx_heading(first)
        if heading is not None:
            first = heading
        elif rest and _SETEXT_RULE.match(rest[0]) and first.strip():
            rest = rest[1:]
        first = _inline_markdown(first)
    first = " ".join(first.split())
    if given:
        # The body's own first line is dropped only when it repeats the given title.
        if first == " ".join(given.split()):
            return given, rest
        return given, lines[index:]
    return first, rest


def _flatten_markdown(lines: list[str]) -> list[str]:
    """Markdown lines as plain lines: no emphasis, link targets, fences or rules.

    The first text line and a setext underline right below it stay as they are:
    ``_split_title`` reads the title from them.
    """
    out: list[str] = []
    in_fence = False
    seen_text = 0
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            out.append(line)
            seen_text += bool(line.strip())
            continue
        if _SETEXT_RULE.match(line) and i > 0 and lines[i - 1].strip():
            if seen_text == 1 and out and out[-1].strip():
                out.append(line)
            continue
        if _THEMATIC_BREAK.match(line) or _REFERENCE_DEF.match(line):
            out.append("")
            continue
        if not line.strip():
            out.append(line)
            continue
        seen_text += 1
        if seen_text == 1:
            out.append(line)
            continue
        heading = _atx_heading(line)
        if heading is not None:
            line = heading
        line = re.sub(r"^(\s*)(?:>\s?)+", r"\1", line)  # block quotes
        out.append(_inline_markdown(line))
    return out


def _atx_heading(line: str) -> str | None:
    """The text of an ATX heading (``## Title ##`` → ``Title``), or None for another line.

    Done with string methods: the single regex it replaces backtracked over every run of
    spaces (a 16,000-space heading took 7 s)."""
    opening = _ATX_OPENING.match(line)
    if opening is None:
        return None
    text = line[opening.end():].rstrip()
    unclosed = text.rstrip("#")
    if unclosed != text and unclosed[-1:].isspace():  # a closing run of #, after a space
        text = unclosed.rstrip()
    return text


def _inline_markdown(line: str) -> str:
    """Remove inline Markdown: images/links keep their text, emphasis and code lose markers."""
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _REFERENCE_LINK.sub(r"\1", line)
    line = _ANGLE_URL.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    # Bullets ("* item") are not emphasis: protect a leading list marker.
    bullet = re.match(r"^(\s*[*+-]\s+)", line)
    prefix, rest = (bullet.group(1), line[bullet.end():]) if bullet else ("", line)
    for pattern, closer, size in _EMPHASIS:
        rest = _sub_before_last(pattern, closer, size, rest)
    return prefix + rest


def _sub_before_last(pattern: re.Pattern, closer: re.Pattern, size: int, text: str) -> str:
    """``pattern.sub(r"\\1", text)`` in linear time.

    Every match ends with a closer, so nothing after the last closer can match: the text
    is cut there.  In what is left, an attempt either finds its closer (and the text it
    scanned is consumed) or starts within a closer's length of the cut; no attempt scans
    the rest of a long line in vain, once per opening marker.
    """
    last = None
    for last in closer.finditer(text):
        pass
    if last is None:
        return text
    cut = last.start() + size
    return pattern.sub(r"\1", text[:cut]) + text[cut:]


def _tidy(lines: list[str]) -> str:
    """Collapse runs of spaces and of blank lines; paragraphs stay apart by one blank line."""
    out: list[str] = []
    for line in lines:
        line = re.sub(r"[ \t\u00a0\f\v]+", " ", line).strip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
