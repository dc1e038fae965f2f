"""Highlighting as data: match spans, the snippet window, Thai cluster boundaries,
and a window choice whose work grows linearly with the number of matches."""
from __future__ import annotations

import random
from collections.abc import Sequence

from kb.highlight import MAX_SNIPPET_MATCHES, best_window, excerpt, find_spans, highlight_all
from kb.models import Excerpt, Span

THAI_MARKS = {chr(c) for c in range(0x0E31, 0x0E3B) if c not in (0x0E32, 0x0E33)} | {chr(c) for c in range(0x0E47, 0x0E4F)}


class CountingSpans(Sequence):
    """A list of spans that counts how many spans are read (by index, slice or iteration)."""

    def __init__(self, spans: list[Span]):
        self.spans = spans
        self.reads = 0

    def __len__(self) -> int:
        return len(self.spans)

    def __getitem__(self, i):
        item = self.spans[i]
        self.reads += len(item) if isinstance(i, slice) else 1
        return item

    def __iter__(self):
        for sp in self.spans:
            self.reads += 1
            yield sp


def reference_window(spans: list[Span], size: int) -> int:
    """The window choice as specified (and as first written, quadratic): for each
    span, the window opened ``size // 4`` before it holds the spans that end inside."""
    best_key, best_start = None, 0
    for i, sp in enumerate(spans):
        start = max(0, sp.start - size // 4)
        window = [s for s in spans[i:] if s.end <= start + size] or [sp]
        key = (len({s.needle for s in window}), len(window), -start)
        if best_key is None or key > best_key:
            best_key, best_start = key, start
    return best_start


def random_spans(rng: random.Random, n: int) -> list[Span]:
    spans, pos = [], 0
    for _ in range(n):
        pos += rng.randint(1, 120)
        length = rng.choice([1, 3, 8, 40, 300])
        spans.append(Span(pos, pos + length, rng.randint(0, 4)))
        pos += length
    return spans


def test_span_marks_exactly_the_subword_match() -> None:
    text = "ปัญหาการค้ามนุษย์ในพื้นที่"
    spans = find_spans(text, ["ค้ามนุษย์"])
    assert [text[s.start : s.end] for s in spans] == ["ค้ามนุษย์"]


def test_span_never_cuts_a_thai_cluster() -> None:
    # ท and ที่ share the base letter: a mark must not stop before ี่
    text = "ที่ประชุม ท ทุก พี่น้อง"
    spans = find_spans(text, ["ท"])
    assert [text[s.start : s.end] for s in spans] == ["ท"]
    for s in find_spans(text, ["ที่", "พี่", "ประชุม"]):
        assert text[s.start] not in THAI_MARKS
        assert s.end == len(text) or text[s.end] not in THAI_MARKS


def test_span_takes_the_combining_marks_of_its_last_letter() -> None:
    text = "น้ำท่วมใหญ่"
    spans = find_spans(text, ["น้ำท่วม"])
    assert [text[s.start : s.end] for s in spans] == ["น้ำท่วม"]


def test_arabic_digit_needle_marks_thai_digits() -> None:
    text = "ตามแผนความมั่นคงที่ ๓ ของรัฐบาล"
    spans = find_spans(text, ["แผนความมั่นคงที่ 3"])
    assert [text[s.start : s.end] for s in spans] == ["แผนความมั่นคงที่ ๓"]


def test_longer_needle_wins_over_the_word_inside_it() -> None:
    text = "เรื่องการค้ามนุษย์ และค้ามนุษย์"
    spans = find_spans(text, ["ค้า", "การค้ามนุษย์"])
    assert [text[s.start : s.end] for s in spans] == ["การค้ามนุษย์", "ค้า"]


def test_excerpt_pieces_and_html_are_made_from_the_same_spans() -> None:
    ex = Excerpt('a <b> & "ค้า" z', [Span(2, 5), Span(9, 12)])
    assert ex.pieces() == [("a ", False), ("<b>", True), (' & "', False), ("ค้า", True), ('" z', False)]
    assert ex.to_html() == 'a <mark>&lt;b&gt;</mark> &amp; &quot;<mark>ค้า</mark>&quot; z'
    assert Excerpt("x < y").to_html() == "x &lt; y"
    assert Excerpt().pieces() == []


def test_excerpt_html_escapes_document_markup() -> None:
    text = "<script>alert(1)</script> การค้ามนุษย์ชายแดน"
    ex = excerpt(text, ["ค้ามนุษย์"])
    assert "<script>" not in ex.to_html() and "<mark>ค้ามนุษย์</mark>" in ex.to_html()
    assert [ex.text[s.start : s.end] for s in ex.spans] == ["ค้ามนุษย์"]
    whole = highlight_all(text, ["ค้ามนุษย์"])
    assert whole.text == text and whole.to_html().count("<mark>") == 1


def test_snippet_window_prefers_the_passage_with_most_distinct_needles() -> None:
    filler = " ".join(["ข้อความทั่วไป"] * 60)
    text = f"ยาเสพติด {filler} ยาเสพติด ที่ชายแดน {filler}"
    ex = excerpt(text, ["ยาเสพติด", "ชายแดน"])
    marked = [ex.text[s.start : s.end] for s in ex.spans]
    assert "ชายแดน" in marked and "ยาเสพติด" in marked
    assert ex.text.startswith("… ") and ex.text.endswith(" …")
    assert ex.spans[0].start >= len("… ")


def test_snippet_without_match_is_the_opening_of_the_text() -> None:
    text = "บรรทัดแรก\n" + "คำ " * 300
    ex = excerpt(text, ["ไม่มีในเอกสาร"])
    assert ex.spans == [] and ex.text.startswith("บรรทัดแรก")


def test_window_choice_matches_its_specification() -> None:
    rng = random.Random(7)
    for n in (1, 2, 5, 30, 200):
        for _ in range(20):
            spans = random_spans(rng, n)
            assert best_window(spans, 260) == reference_window(spans, 260)


def test_window_choice_reads_each_of_10000_matches_a_bounded_number_of_times() -> None:
    spans = CountingSpans(random_spans(random.Random(3), 10_000))
    best_window(spans, 260)
    assert spans.reads <= 3 * len(spans)  # the quadratic scan read ~50 million


def test_snippet_of_a_text_with_10000_matches_is_bounded() -> None:
    text = " ".join(["กข"] * 10_000)
    spans = find_spans(text, ["ก"])
    assert len(spans) == 10_000
    counted = CountingSpans(spans)
    best_window(counted, 260)
    assert counted.reads <= 3 * len(spans)
    ex = excerpt(text, ["ก"])  # a long text: the best block first, then at most MAX_SNIPPET_MATCHES
    assert 0 < len(ex.spans) <= MAX_SNIPPET_MATCHES
    assert all(ex.text[s.start : s.end] == "ก" for s in ex.spans)
