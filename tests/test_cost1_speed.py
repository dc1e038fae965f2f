"""Speed work on extraction (issue 12, branch cost1) keeps every answer of the code it replaced.

Each fast path is compared with its definition — the plain regex scan or the code it
replaced, kept here — on texts built at test time from the characters the rule cares
about (digits, brackets, periods, spaces, line breaks, Thai and Latin letters), so the
corner cases turn up by the thousand.  ``benchmarks/check_extraction.py`` compares the
whole of extraction, old code against new, on every ThaiGov release.
"""
from __future__ import annotations

import random
import re

import pytest

from kb.extract import lexicon as L
from kb.extract import sentences as S
from kb.extract.topic_hits import topic_scoring


def _text(rng: random.Random, alphabet: list[str], n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, n)))


# --- numbered items: _item_marks is _ITEM_MARK.finditer -----------------------------------

_MARK_ALPHABET = ["1", "2", "9", "12", "(", ")", ".", " ", "  ", "\n", "\t", "ก", "ข่าว", "a", "-", "/", "๑", "٣"]


def test_item_marks_are_finditers_on_random_texts():
    rng = random.Random(12)
    for _ in range(4000):
        text = _text(rng, _MARK_ALPHABET, 40)
        want = [(m.start(), m.end(), m.group(1)) for m in S._ITEM_MARK.finditer(text)]
        got = [(m.start(), m.end(), m.group(1)) for m in S._item_marks(text)]
        assert got == want, text


def test_item_marks_cases():
    for text, starts in [
        ("1) ก 2) ข", [0, 5]),
        ("(1) ก (2) ข", [0, 6]),
        ("1.5 ล้าน 13 ก.พ.", []),  # a decimal, a date
        ("ครั้งที่ 1/2566 2. ข", [16]),
        ("x1. 1.", [4]),  # glued to a letter: no item number
    ]:
        assert [m.start() for m in S._item_marks(text)] == starts, text


# --- line sentences: the chunk-by-chunk version is the one it replaced ----------------------

def _reference_line_sentences(whole, line_start, line_end, cfg, until=None):
    """The code before issue 12's cost1 pass: the line copied, its chunks listed first."""
    min_chars, glue = cfg["sentence_min_chars"], tuple(cfg["sentence_glue"])
    markers, item_chars = tuple(cfg["list_markers"]), cfg["list_item_max_chars"]
    text = whole[line_start:line_end]
    chunks = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    if not chunks:
        return []
    if any(re.search(r"\s", m) for m in markers):
        has_marker = None
    elif any(m in text for m in markers):
        has_marker = [any(m in text[a:b] for m in markers) for a, b in chunks]
    else:
        has_marker = [False] * len(chunks)
    out = []
    start, end = chunks[0]
    in_list = False
    for k in range(1, len(chunks)):
        c_start, c_end = chunks[k]
        if has_marker is None:
            in_list = in_list or any(text.startswith(m, start) or m in text[start:end] for m in markers)
        else:
            in_list = in_list or has_marker[k - 1]
        if (
            end - start >= min_chars
            and not text[end - 1].isdigit()
            and not (text[c_start].isdigit() or text.startswith(glue, c_start))
            and not (in_list and (c_end - c_start <= item_chars or S._ENUMERATOR.fullmatch(text, *chunks[k - 1])))
        ):
            out.append((line_start + start, line_start + end))
            if until is not None and line_start + end > until:
                return out
            start, in_list = c_start, False
        end = c_end
    out.append((line_start + start, line_start + end))
    return out


_SENTENCE_WORDS = ["การ", "ยาเสพติด", "ชายแดน", "และ", "หรือ", "เช่น", "ได้แก่", "(3)", "3)", "12", "1", " ", " ", " ",
                   "\n", "ซึ่ง", "ประชุม", "ที่", "แผนความมั่นคงที่", "ก", "ข่าว"]


@pytest.mark.parametrize("variant", ["data", "spaced marker", "short sentences"])
def test_line_sentences_are_the_replaced_code(variant):
    cfg = dict(topic_scoring())
    if variant == "spaced marker":  # a list marker with a space takes the slow test
        cfg["list_markers"] = [*cfg["list_markers"], "เช่น การ"]
    elif variant == "short sentences":
        cfg.update(sentence_min_chars=6, list_item_max_chars=4, sentence_glue=["และ", "ที่ได้"], list_markers=["ที่"])
    rng = random.Random(variant)
    for _ in range(1500):
        whole = _text(rng, _SENTENCE_WORDS, 60)
        lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", whole)] or [(0, 0)]
        a, b = rng.choice(lines)
        until = rng.choice([None, a, (a + b) // 2, b])
        want = _reference_line_sentences(whole, a, b, cfg, until)
        assert S.line_sentences(whole, a, b, cfg, until) == want, (whole, a, b, until)


# --- keys_may_hold: never False where a part's key holds a word ------------------------------

def test_keys_may_hold_never_misses_a_key():
    words = ["ร่วมกับแผน", "คู่กับ"]
    rng = random.Random(7)
    alphabet = ["ร่วม", "กับ", "แผน", "คู่", " ", "\n", "\u00a0", "ก", "A", "x"]
    seen = 0
    for _ in range(4000):
        text = _text(rng, alphabet, 14)
        a = rng.randint(0, len(text))
        b = rng.randint(a, len(text))
        if any(w in L.key(text[a:b]) for w in words):
            seen += 1
            assert L.keys_may_hold(text, words), (text, a, b)
    assert seen > 20  # the property was put to the test
    assert not L.keys_may_hold("แผนงานร่วม กับ", words)


def test_keys_may_hold_answers_true_for_a_word_not_all_thai():
    assert L.keys_may_hold("nothing here", ["MOU"])  # Latin letters have case: no shortcut
    assert L.keys_may_hold("nothing here", ["แผน ที่"])  # a space: no shortcut


# --- Latin starts: shared run starts are each lexicon's own scan --------------------------

def _reference_latin_starts(text: str, first: frozenset[str]) -> list[int]:
    """The scan per lexicon before cost1: a first letter that no letter (or, when a term
    begins with a digit, no letter or digit) precedes."""
    digits = any(c.isdigit() for c in first)
    run = "A-Za-z0-9" if digits else "A-Za-z"
    chars = "".join(sorted(c for c in first if c.isascii() and c.isalnum() and (digits or not c.isdigit())))
    if not chars:
        return []
    return [m.start() for m in re.finditer(f"[{re.escape(chars)}](?<![{run}].)", text)]


def test_latin_starts_are_each_lexicons_scan():
    rng = random.Random(3)
    alphabet = ["a", "B", "co", "Fb", "9", "19", " ", ".", "-", "ก", "é", "K", "\n", "MOU"]
    firsts = [frozenset("aA"), frozenset("bBfF"), frozenset("1"), frozenset("9mM"), frozenset(), frozenset("é")]
    for _ in range(2000):
        text = _text(rng, alphabet, 30)
        for first in rng.sample(firsts, 3):  # several lexicons on one text share its runs
            digits, chars = L._latin_first(first)
            assert L._latin_starts(text, digits, chars) == _reference_latin_starts(text, first), (text, first)


def test_match_is_a_value():
    m = L.Match(1, 3, "x")
    assert (m.start, m.end, m.value) == (1, 3, "x")
    assert m == L.Match(1, 3, "x") and hash(m) == hash(L.Match(1, 3, "x"))
    assert m in {L.Match(1, 3, "x")}
    with pytest.raises(AttributeError):
        m.start = 2


def test_fast_init_keeps_a_frozen_dataclass():
    import dataclasses

    from kb.extract.topic_hits import TopicHit

    h = TopicHit(1, 4, "drugs", True, "ยาเสพติด")
    assert h == TopicHit(start=1, end=4, topic="drugs", strong=True, term="ยาเสพติด", paired=False)
    assert hash(h) == hash(TopicHit(1, 4, "drugs", True, "ยาเสพติด"))
    assert (h.paired, h.measured, h.deed) == (False, False, False)  # the defaults
    assert dataclasses.replace(h, strong=False).strong is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.strong = False
    with pytest.raises(TypeError):
        TopicHit(1, 4, "drugs")  # the required fields stay required

    @L.fast_init
    @dataclasses.dataclass(frozen=True)
    class Listed:
        items: list = dataclasses.field(default_factory=list)

    assert Listed().items == [] and Listed().items is not Listed().items  # a factory: left to dataclass


def test_runs_of_other_subjects_are_the_one_pattern_they_were():
    from kb.extract import topic_hits as H

    words = topic_scoring()["run_companions"]
    alternation = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    joiner = r"[\s,]*(?:และ|หรือ|รวมถึง)?[\s,]*(?:การ)?"
    one = re.compile(f"(?:{alternation}){joiner}$|^{joiner}(?:{alternation})")  # the pattern before cost1
    reach = topic_scoring()["run_reach"]
    rng = random.Random(5)
    alphabet = [*words[:6], "และ", "หรือ", "การ", " ", ",", "\n", "ยาเสพติด", "ก", "ข่าว"]
    found = 0
    for _ in range(3000):
        whole = _text(rng, alphabet, 16)
        start = rng.randint(0, len(whole))
        end = rng.randint(start, len(whole))
        want = bool(one.search(whole[max(0, start - reach) : start]) or one.search(whole[end : end + reach]))
        found += want
        assert H._in_a_run_of_other_subjects(whole, start, end) == want, (whole, start, end)
    assert 100 < found < 2900  # both answers were put to the test


def test_route_dash_is_the_dash_pattern():
    from kb.extract import places as P

    rng = random.Random(9)
    alphabet = ["ถนน", "บางนา", "-", "–", "—", " ", "  ", "\n", "\t", "\u00a0", "ก", "x"]
    for _ in range(5000):
        head = _text(rng, alphabet, 10)
        m = P._DASH.search(head)
        assert P._route_dash(head) == (m.start() if m else None), repr(head)
