"""Lexicons sharing one Aho-Corasick pass per text (issue 12, branch ``floor``) still find
exactly the matches of their definition.

Extraction runs several lexicons over the same text; their starts now come from one
automaton holding every lexicon's first chunks, kept for the last text.  These tests
run every real lexicon over the same texts in shuffled orders, add a lexicon after a
text was scanned, and drop one, comparing with each lexicon's plain alternation.
"""
from __future__ import annotations

import gc
import random

from kb.extract import lexicon as L
from test_speed2_lexicon import LEXICONS, noisy_text, reference, surfaces


def test_every_lexicon_on_the_same_text_in_any_order():
    lexicons = {name: make() for name, make in LEXICONS.items()}
    refs = {name: reference(lex) for name, lex in lexicons.items()}
    words = [w for lex in lexicons.values() for w in surfaces(lex)]
    rng = random.Random("floor-shared")
    checked = 0
    for _ in range(300):
        text = noisy_text(rng, words)
        for name in rng.sample(sorted(lexicons), len(lexicons)) * 2:  # each twice: the kept starts reused
            want = [(m.start(), m.end()) for m in refs[name].finditer(text)]
            assert [(m.start(), m.end()) for m in lexicons[name]._raw_matches(text)] == want, (name, text)
            checked += len(want)
    assert checked > 1000


def test_a_lexicon_made_after_a_text_was_scanned_finds_its_terms_in_it():
    first = L.Lexicon([("ทดสอบหนึ่ง", "one")])
    text = "ข่าว ทดสอบหนึ่ง และ คำใหม่สอง"
    assert [m.value for m in first.find(text)] == ["one"]
    later = L.Lexicon([("คำใหม่สอง", "two")])  # its chunk was in no automaton when the text was scanned
    assert [m.value for m in later.find(text)] == ["two"]
    assert [m.value for m in first.find(text)] == ["one"]


def test_a_dropped_lexicon_leaves_the_shared_automaton():
    lex = L.Lexicon([("คำที่จะหายไป", "gone")])
    assert [m.value for m in lex.find("มี คำที่จะหายไป")] == ["gone"]
    slot = lex._thai_starts._slot
    del lex
    gc.collect()
    assert slot not in L._SHARED._chunks
    kept = L.Lexicon([("คำที่อยู่", "kept")])
    assert [m.value for m in kept.find("มี คำที่จะหายไป และ คำที่อยู่")] == ["kept"]


def test_latin_terms_by_first_letter_keep_the_alternation_order():
    lex = L.Lexicon([("Bangkok", "bkk"), ("Bangkok Metropolis", "bma"), ("bang", "b"), ("Chiang Mai", "cm")])
    text = "from BANGKOK  metropolis, bangkok, Bang and chiang\nmai; xbang Bangkoks"
    want = [(m.start(), m.end()) for m in reference(lex).finditer(text)]
    assert [(m.start, m.end, m.value) for m in lex.find(text)] == [
        (s, e, lex._values[L.key(text[s:e])]) for s, e in want]
    assert [m.value for m in lex.find(text)] == ["bma", "bkk", "b", "cm"]


def test_key_gives_each_surface_its_own_key():
    assert L.key("Chiang  Mai") == "chiangmai"
    assert L.key("Chiang  Mai") == "chiangmai"  # the remembered one
    assert L.key("ภาค ใต้") == "ภาคใต้"
    assert L.key("") == ""
    assert L.key("Chiang  Mai\n") == "chiangmai"
