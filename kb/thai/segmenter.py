"""The one Thai word segmenter: nlpo3 (Rust newmm) with PyThaiNLP's words plus our domain terms.

Indexing, queries and metadata extraction all cut Thai text into words here,
with the same dictionary, so "is this a whole word" means the same thing when
a document is indexed, when it is searched and when its provinces are read.
This is the only module that imports a PyThaiNLP/nlpo3 tokenizer; the
dictionary is loaded on first use, not at import.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from nlpo3 import load_dict as _nlpo3_load_dict
from nlpo3 import segment as _nlpo3_segment

from kb.thai import dictionary as _dictionary_file
from kb.thai.normalize import normalize
from kb.thai.script import RUN_PATTERN, THAI_RUN_CLASS

_THAI_RUN = re.compile(f"[{THAI_RUN_CLASS}]+")


@dataclass(frozen=True)
class Dictionary:
    """A word list loaded into nlpo3: its nlpo3 name and its signature."""

    name: str
    signature: str


def base_words() -> str:
    """PyThaiNLP's Thai word list (words_th.txt), one word a line."""
    return files("pythainlp.corpus").joinpath("words_th.txt").read_text(encoding="utf-8")


def domain_terms() -> list[str]:
    """The taxonomy's names and terms, normalized, that are one Thai or one Latin run."""
    from kb import taxonomy  # data, loaded on first use

    terms = (normalize(t) for t in taxonomy.dictionary_terms() if t.strip())
    return [t for t in terms if RUN_PATTERN.fullmatch(t)]


@cache
def known_words() -> frozenset[str]:
    """Every word of the segmenter's dictionary (PyThaiNLP's list plus the domain terms)."""
    return frozenset(w for w in base_words().splitlines() if w) | frozenset(domain_terms())


def current_word_list() -> _dictionary_file.WordList:
    return _dictionary_file.word_list(base_words(), domain_terms())


def _load() -> Dictionary:
    words = current_word_list()
    name = f"kb-{words.signature}"
    with _dictionary_file.dictionary_file(words) as path:
        message, ok = _nlpo3_load_dict(str(path), name)
    if not ok and "exist" not in message.lower():
        raise RuntimeError(f"nlpo3 could not load the dictionary {path}: {message}")
    return Dictionary(name, words.signature)


_lock = threading.Lock()
_loaded: Dictionary | None = None


def dictionary() -> Dictionary:
    """Load the word list into nlpo3 once per process (thread-safe).

    Its signature changes when the dictionary does; the index records it, so
    an index built with another dictionary is rebuilt instead of silently
    disagreeing with queries.
    """
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load()
    return _loaded


def segment(thai_run: str) -> list[str]:
    """Thai words of one run, by nlpo3 (same tokens as PyThaiNLP newmm, ~10× faster).

    Called once per Thai run (a hundred times per news release), so it calls
    nlpo3 directly rather than through PyThaiNLP's wrapper.  Runs are
    segmented one by one: nlpo3 does not treat a space as a hard word
    boundary, so a joined text can yield tokens that span two runs.
    """
    return list(segment_run(thai_run))


# Short runs recur across releases (names, titles, set phrases: over half of a
# ThaiGov release's runs were seen before in the same corpus), and a run's words
# depend on the run and the dictionary alone, so they are kept.  Bounded: at
# ``_MEMO_RUNS`` short runs the memo starts over, so the runs that keep
# recurring are the ones it holds (about 12 MB per process when full).
_MEMO_RUNS = 20_000
_MEMO_LONGEST = 40  # characters; longer runs rarely recur
_memo: dict[str, tuple[str, ...]] = {}


def segment_run(thai_run: str) -> tuple[str, ...]:
    """``segment`` as a tuple, remembered for short runs (the indexer's path: no copy)."""
    words = _memo.get(thai_run)
    if words is None:
        loaded = dictionary()
        words = tuple(_nlpo3_segment(thai_run, loaded.name, True, False))
        if len(thai_run) <= _MEMO_LONGEST:
            if len(_memo) >= _MEMO_RUNS:
                _memo.clear()
            _memo[thai_run] = words
    return words


def word_boundaries(chunk: str) -> frozenset[int] | None:
    """Offsets in ``chunk`` where a word may start or end, as the index cuts words.

    Every offset outside a Thai run is a boundary (the index splits runs of
    other characters away from Thai ones); inside a Thai run, the boundaries
    are those of ``segment``.  None if the words do not reassemble a run.
    """
    inside: set[int] = set()
    bounds: set[int] = set()
    for m in _THAI_RUN.finditer(chunk):
        words = segment(m.group())
        if "".join(words) != m.group():
            return None
        inside.update(range(m.start() + 1, m.end()))
        pos = m.start()
        for word in words:
            pos += len(word)
            bounds.add(pos)
    return frozenset(bounds | (set(range(len(chunk) + 1)) - inside))


@cache
def pythainlp_stopwords() -> frozenset[str]:
    """PyThaiNLP's Thai function words, as written (not normalized)."""
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords())
