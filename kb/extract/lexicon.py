"""The matching engine every field extractor shares: lexicons of (surface → value).

A field's vocabulary (province names and aliases, region phrases, topic terms,
agency names, plan titles) is matched as one leftmost-longest alternation that
also holds its *blockers*: longer phrases that contain a name but mean
something else (เผยแพร่ contains แพร่, น่านน้ำ contains น่าน).  A blocker
consumes its text, so the shorter name inside it is never seen.  This module
knows nothing about any field; the helpers below it (whole words, the text
around a match, list separators) are the context tests the fields share.
"""
from __future__ import annotations

import dataclasses
import re
import threading
import weakref
from functools import lru_cache
from typing import Callable, Iterable, Iterator, NamedTuple

from kb.thai.script import THAI_BLOCK
from kb.thai.segmenter import word_boundaries

try:  # the starts of Thai matches in one pass in C (issue 12); without it, the regex's own scan
    import ahocorasick
except ImportError:  # pragma: no cover - a dependency; kept optional so an old environment still runs
    ahocorasick = None

THAI_CHAR = re.compile(f"[{THAI_BLOCK}]")


def fast_init(cls: type) -> type:
    """A frozen dataclass with an ``__init__`` that writes its fields straight into the new
    instance's ``__dict__``: the generated one calls ``object.__setattr__`` once per field, and
    extraction makes a dozen topic hits of eight fields per release (2 % of its CPU, issue 12).
    Equality, hashing, ``replace`` and the frozen guard are the dataclass's own; a class this
    does not fit (slots, ``__post_init__``, keyword-only or factory fields) keeps its ``__init__``."""
    fields = dataclasses.fields(cls)
    if "__slots__" in cls.__dict__ or hasattr(cls, "__post_init__") or any(
        not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING for f in fields
    ):
        return cls
    defaults = {f"_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    params = ", ".join(f.name + (f"=_{f.name}" if f"_{f.name}" in defaults else "") for f in fields)
    body = "".join(f"\n    d[{f.name!r}] = {f.name}" for f in fields)
    namespace: dict = {}
    exec(f"def __init__(self, {params}):\n    d = self.__dict__{body}\n", defaults, namespace)
    namespace["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = namespace["__init__"]
    return cls


class Match(NamedTuple):
    """A lexicon's match: [start, end) and its value.  A tuple: extraction makes tens of
    them per release, and a frozen dataclass's ``__init__`` cost three times as much."""

    start: int
    end: int
    value: str


def key(surface: str) -> str:
    """A surface without its whitespace, lower-cased (str.split's whitespace is re's \\s)."""
    global _last_key
    last = _last_key
    if last[0] == surface:
        return last[1]
    folded = "".join(surface.split()).lower()
    _last_key = (surface, folded)
    return folded


# The last key made: rules test one sentence against each of their markers in turn,
# asking for its key once per marker (a tenth of extraction's CPU went to remaking it).
# A tuple replaced whole, so threads may share it.
_last_key: tuple[str, str] = ("", "")


def keys_may_hold(text: str, words: Iterable[str]) -> bool:
    """False only if the ``key`` of no part of ``text`` holds one of ``words``: a test run
    once per text that spares a rule asking every sentence's key (issue 12).

    A Thai word is in a part's key only where its letters stand in the text with nothing but
    whitespace between them (Thai letters have no case, and no other letter lower-cases to one),
    so one search over the text answers for every part; with a word not all Thai, True.
    """
    patterns = _spaced_words(tuple(words))
    return patterns is None or any(p.search(text) for p in patterns)


def keys_hold(text: str, words: Iterable[str]) -> bool:
    """True if the ``key`` of ``text`` holds one of ``words`` (each a key): for Thai words one
    search per word over the text, as ``keys_may_hold``; else the keys compared."""
    words = tuple(words)
    patterns = _spaced_words(words)
    if patterns is not None:
        return any(p.search(text) for p in patterns)
    compact = key(text)
    return any(w in compact for w in words)


@lru_cache(maxsize=64)
def _spaced_words(words: tuple[str, ...]) -> tuple[re.Pattern[str], ...] | None:
    """A pattern per word (each opens with a letter that re skips to in C; one alternation
    of them all tried every offset that opens any, half again as slow)."""
    if not words or not all(_THAI_WORD.fullmatch(w) for w in words):
        return None
    return tuple(re.compile(r"\s*".join(map(re.escape, w))) for w in words)


_THAI_WORD = re.compile(f"[{THAI_BLOCK}]+")


def latin_pattern(term: str) -> str:
    """Regex for a term written in Latin letters: any whitespace where it has a
    space, word boundaries around it (Thai words have none, Latin ones do)."""
    body = r"\s*".join(re.escape(p) for p in term.split())
    if re.match(r"[A-Za-z0-9]", term):
        body = r"(?<![A-Za-z0-9])" + body
    if re.search(r"[A-Za-z0-9]$", term):
        body = body + r"(?![A-Za-z0-9])"
    return body


def trie_pattern(terms: Iterable[str]) -> str:
    """One regex for many Thai terms, factored as a trie.

    Python's ``re`` tries alternatives one by one at every position; a trie makes
    that one walk per position, which is what keeps matching hundreds of terms
    over a long release cheap.  A term may end where a longer one goes on; the
    longer branch is tried first, so the longest term wins.  A space in a term
    matches any (or no) whitespace.
    """
    trie: dict = {}
    for term in terms:
        node = trie
        for atom in re.findall(r"\s+|.", term.strip()):
            node = node.setdefault(r"\s*" if atom.isspace() else re.escape(atom), {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [atom + build(child) for atom, child in sorted(node.items()) if atom]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class _Search:
    """``pattern.search(text, pos)`` for increasing ``pos``, trying ``pattern.match``
    only at ``starts``: sorted offsets that include every offset where a match can
    start.  Each offset is tried at most once."""

    __slots__ = ("_pattern", "_text", "_starts", "_next")

    def __init__(self, pattern: re.Pattern[str], text: str, starts: list[int]):
        self._pattern, self._text, self._starts, self._next = pattern, text, starts, 0

    def search(self, pos: int) -> re.Match[str] | None:
        starts, i, n = self._starts, self._next, len(self._starts)
        while i < n:
            start = starts[i]
            i += 1
            if start >= pos:
                m = self._pattern.match(self._text, start)
                if m:
                    self._next = i
                    return m
        self._next = i
        return None


def first_chunk(term: str) -> str:
    """A term's text up to its first whitespace: literal wherever the term matches
    (its ``trie_pattern`` branch starts with these characters, not with ``\\s*``)."""
    return term.strip().split(None, 1)[0]


class _Starts:
    """Offsets where a Thai term of a lexicon can start in a text: where the first
    chunk of one of its terms occurs (``first_chunk``), found by an Aho-Corasick
    pass.  Re's own scan tries the trie at every offset whose letter begins a
    term, which in Thai text is most of them (a third of extraction's CPU).
    The pass is shared by every lexicon (``_SharedStarts``)."""

    __slots__ = ("_slot", "__weakref__")

    def __init__(self, terms: Iterable[str]):
        self._slot = _SHARED.register({first_chunk(t) for t in terms})
        weakref.finalize(self, _SHARED.unregister, self._slot)

    def __call__(self, text: str) -> list[int]:
        return _SHARED.starts(self._slot, text)


class _SharedStarts:
    """One Aho-Corasick pass over a text for the first chunks of every lexicon.

    Extraction runs half a dozen lexicons (provinces, plans, agencies, topics
    and their blockers …) over the same text; a pass per lexicon cost as much
    again as all their matching (issue 12).  Here one automaton holds every
    lexicon's chunks, each chunk naming the lexicons ("slots") it belongs to;
    the starts of the last text passed are kept per slot, so each lexicon gets
    exactly the offsets its own automaton would have found.  The state is
    replaced, never changed in place, so threads may share it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: dict[int, frozenset[str]] = {}  # slot -> its first chunks
        self._next_slot = 0
        self._state: tuple[int, object] = (0, None)  # (generation, automaton or None until needed)
        self._last: tuple[int, str, dict[int, set[int]]] = (-1, "", {})  # (generation, text, starts by slot)

    def register(self, chunks: set[str]) -> int:
        with self._lock:
            slot, self._next_slot = self._next_slot, self._next_slot + 1
            self._chunks[slot] = frozenset(chunks)
            self._state = (self._state[0] + 1, None)
        return slot

    def unregister(self, slot: int) -> None:
        with self._lock:
            if self._chunks.pop(slot, None) is not None:
                self._state = (self._state[0] + 1, None)

    def _automaton(self) -> tuple[int, object]:
        state = self._state
        if state[1] is None:
            with self._lock:
                if self._state[1] is None:
                    slots: dict[str, list[int]] = {}
                    for slot, chunks in self._chunks.items():
                        for chunk in chunks:
                            slots.setdefault(chunk, []).append(slot)
                    automaton = ahocorasick.Automaton()
                    for chunk, owners in slots.items():
                        automaton.add_word(chunk, (len(chunk) - 1, tuple(owners)))
                    automaton.make_automaton()
                    self._state = (self._state[0], automaton)
                state = self._state
        return state

    def starts(self, slot: int, text: str) -> list[int]:
        generation, cached, found = self._last
        if generation != self._state[0] or cached != text:
            generation, automaton = self._automaton()
            found = {}
            for end, (back, owners) in automaton.iter(text):
                for owner in owners:
                    got = found.get(owner)
                    if got is None:
                        found[owner] = got = set()
                    got.add(end - back)
            self._last = (generation, text, found)
        return sorted(found.get(slot, ()))


_SHARED = _SharedStarts()


class _LetterSearch:
    """``_Search`` with, at each start, the pattern of the terms beginning with its letter
    (the starts from an iterator)."""

    __slots__ = ("_by_letter", "_text", "_starts")

    def __init__(self, by_letter: dict[str, re.Pattern[str]], text: str, starts: Iterator[int]):
        self._by_letter, self._text, self._starts = by_letter, text, starts

    def search(self, pos: int) -> re.Match[str] | None:
        text, by_letter = self._text, self._by_letter
        for start in self._starts:
            if start >= pos:
                pattern = by_letter.get(text[start].lower())
                m = pattern.match(text, start) if pattern is not None else None
                if m:
                    return m
        return None


class _Scan:
    """``pattern.search`` with ``_Search``'s interface (no Aho-Corasick)."""

    __slots__ = ("_pattern", "_text")

    def __init__(self, pattern: re.Pattern[str], text: str):
        self._pattern, self._text = pattern, text

    def search(self, pos: int) -> re.Match[str] | None:
        return self._pattern.search(self._text, pos)


class Lexicon:
    """A leftmost-longest matcher over (surface → value) pairs.

    A surface mapped to ``None`` is a blocker: it is matched (so it consumes its
    text) but never reported.

    The matches are those of one regex alternation ("thai trie|latin terms")
    scanned over the text; how they are found is about speed only.  The Thai
    and Latin surfaces are two patterns, searched side by side and merged as
    the alternation would be (the Thai one wins a tie).  Alone, the Thai trie
    starts with a set of first letters that ``re`` skips to in C (one Latin
    alternative in the same pattern made it try a full match at every offset,
    three times slower); the Latin pattern is tried only where a run of ASCII
    letters or digits starts, as a Latin term must.
    """

    _MEMO_MAX = 4096

    def __init__(self, entries: Iterable[tuple[str, str | None]]):
        entries = list(entries)
        self._values: dict[str, str | None] = {}
        for surface, value in entries:
            surface = surface.strip()
            if surface:
                # A real value wins over a blocker of the same spelling.
                if self._values.get(key(surface)) is None:
                    self._values[key(surface)] = value
        surfaces = {surface.strip() for surface, _ in entries if surface.strip()}
        latin = sorted((s for s in surfaces if s.isascii()), key=lambda s: (-len(s), s))
        thai = sorted(s for s in surfaces if not s.isascii())
        self._thai = re.compile(trie_pattern(thai)) if thai else None
        # A one-letter first chunk (a title spelled letter by letter, any spacing) starts
        # wherever that letter is: re's own first-letter scan is as good, and cheaper.
        chunky = bool(thai) and min(len(first_chunk(t)) for t in thai) > 1
        self._thai_starts = _Starts(thai) if chunky and ahocorasick is not None else None
        self._latin = None
        if latin:
            # The lookahead lets the Latin alternatives fail at once on Thai text.
            self._latin = re.compile("(?=[A-Za-z0-9])(?i:" + "|".join(latin_pattern(s) for s in latin) + ")")
        # The same alternation cut by first letter: at an (ASCII) start only the terms
        # beginning with its letter can match, so trying just those, in the same order,
        # finds the same match without failing through every other term first.
        by_letter: dict[str, list[str]] = {}
        for surface in latin:
            by_letter.setdefault(surface[0].lower(), []).append(surface)
        self._latin_by_letter = {
            c: re.compile("(?=[A-Za-z0-9])(?i:" + "|".join(latin_pattern(s) for s in terms) + ")")
            for c, terms in by_letter.items()
        }
        # First characters a Latin match can start with, in both cases (ASCII
        # only: the lookahead demands it).
        self._latin_digits, self._latin_first = _latin_first(frozenset(c for s in latin for c in (s[0].lower(), s[0].upper())))
        self._memo: dict[str, str | None] = {}

    def _value(self, surface: str) -> str | None:
        value = self._memo.get(surface, _MISSING)
        if value is _MISSING:
            value = self._values.get(key(surface))
            if len(self._memo) < self._MEMO_MAX:
                self._memo[surface] = value
        return value

    def _latin_search(self, text: str) -> _LetterSearch:
        return _LetterSearch(self._latin_by_letter, text, iter(_latin_starts(text, self._latin_digits, self._latin_first)))

    def _thai_search(self, text: str) -> _Search | _Scan:
        if self._thai_starts is None:
            return _Scan(self._thai, text)
        return _Search(self._thai, text, self._thai_starts(text))

    def _raw_matches(self, text: str) -> Iterator[re.Match[str]]:
        if self._thai is None and self._latin is None:
            return
        one = self._thai_search(text) if self._latin is None else self._latin_search(text) if self._thai is None else None
        if one is not None:
            m = one.search(0)
            while m:
                yield m
                m = one.search(m.end())
            return
        # The leftmost match wins, the Thai one on a tie; after a match, a
        # search whose next match began inside it is redone from its end.
        thai, latin = self._thai_search(text), self._latin_search(text)
        t, l = thai.search(0), latin.search(0)
        while t or l:
            m = t if t and (l is None or t.start() <= l.start()) else l
            yield m
            pos = m.end()
            if t is not None and (t is m or t.start() < pos):
                t = thai.search(pos)
            if l is not None and (l is m or l.start() < pos):
                l = latin.search(pos)

    def find(self, text: str) -> Iterator[Match]:
        for m in self._raw_matches(text):
            value = self._value(m.group())
            if value is not None:
                yield Match(m.start(), m.end(), value)


_MISSING = object()


def _latin_first(first: frozenset[str]) -> tuple[bool, frozenset[str]]:
    """Whether a Latin term begins with a digit, and the characters a Latin match can start
    with: the ASCII letters and digits of ``first``, less the digits when no term begins with one."""
    digits = any(c.isdigit() for c in first)
    return digits, frozenset(c for c in first if c.isascii() and c.isalnum() and (digits or not c.isdigit()))


def _latin_starts(text: str, digits: bool, first: frozenset[str]) -> list[int]:
    """Where a Latin match can start: at a letter or digit of ``first`` that no ASCII letter
    or digit precedes (the lookbehind of ``latin_pattern``); when no term begins with a digit,
    at a letter of ``first`` that no letter precedes (a start of a run of letters).

    The starts of the runs are found once per text and shared by every lexicon (a scan per
    lexicon cost 6-8 % of extraction, issue 12); the last text's are kept, replaced whole,
    so threads may share them."""
    global _last_runs
    runs = _last_runs
    if runs[0] is not text and runs[0] != text:
        runs = (text, None, None)
    starts = runs[2] if digits else runs[1]
    if starts is None:
        starts = [m.start() for m in (_ALNUM_RUN if digits else _ALPHA_RUN).finditer(text)]
        runs = (text, runs[1], starts) if digits else (text, starts, runs[2])
        _last_runs = runs
    return [p for p in starts if text[p] in first]


_ALPHA_RUN = re.compile("[A-Za-z]+")
_ALNUM_RUN = re.compile("[A-Za-z0-9]+")
# (text, starts of its runs of letters, of letters and digits): None until asked for
_last_runs: tuple[str, list[int] | None, list[int] | None] = ("", [], [])


SPACE = re.compile(r"\s")
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def _chunk_boundaries(chunk: str) -> frozenset[int] | None:
    """Word boundaries inside one space-free chunk, as the index cuts words (None
    if the words do not reassemble it, in which case callers accept the match)."""
    return word_boundaries(chunk)


def is_whole_word(text: str, start: int, end: int) -> bool:
    """True if [start, end) starts and ends on word boundaries of the index's segmenter.

    Only the whitespace-delimited chunk around the match is segmented: whitespace
    is always a word boundary, so the answer is the same as segmenting the whole
    text, at a fraction of the cost (segmentation was half of extraction time).
    """
    if not THAI_CHAR.match(text[start:end] or " "):
        return True  # Latin names are already bounded by the regex
    left = start
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    m = SPACE.search(text, end)
    right = m.start() if m else len(text)
    bounds = _chunk_boundaries(text[left:right])
    return bounds is None or (start - left in bounds and end - left in bounds)


def text_before(text: str, start: int, width: int = 24) -> str:
    """The text just before an offset, with at most one run of spaces removed at its end."""
    return text[max(0, start - width) : start].rstrip()


def text_after(text: str, end: int, width: int = 24) -> str:
    """The text just after an offset, without the spaces at its start."""
    return text[end : end + width].lstrip()


def is_separator_gap(gap: str, separators: list[str]) -> bool:
    """True if the text between two names only joins them in a list (commas, และ ...)."""
    rest = _WHITESPACE.sub("", gap)
    longest_first = sorted(separators, key=len, reverse=True) if rest else ()
    while rest:
        for sep in longest_first:
            if rest.startswith(sep):
                rest = rest[len(sep) :]
                break
        else:
            return False
    return True


def accept_listed(matches: list[Match], accepted: list[bool], joined: Callable[[Match, Match], bool]) -> None:
    """Accept, in place, a match next to an accepted one when ``joined(left, right)``
    says only a list separates them; repeated so that a list chains through the
    matches accepted this way ("หนองคาย เลย และบึงกาฬ")."""
    changed = True
    while changed:
        changed = False
        for i, m in enumerate(matches):
            if accepted[i]:
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(matches) and accepted[j]:
                    left, right = (matches[j], m) if j < i else (m, matches[j])
                    if joined(left, right):
                        accepted[i] = changed = True
                        break
