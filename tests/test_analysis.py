"""The one analysis pipeline: normalization, words, scan forms, offsets."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kb import analysis
from kb.thai import dictionary, segmenter
from kb.textscan import TextScan


def test_thai_digits_become_arabic():
    assert analysis.normalize("แผนความมั่นคงที่ ๓ ปี ๒๕๖๗") == "แผนความมั่นคงที่ 3 ปี 2567"


def test_abbreviation_periods_are_dropped_so_both_spellings_agree():
    assert analysis.normalize("สมช.") == analysis.normalize("สมช")
    assert analysis.normalize("กอ.รมน.") == "กอรมน"
    assert analysis.normalize("ราคา 3.50 บาท") == "ราคา 3.50 บาท"  # decimals keep their point


def test_zero_width_and_latin_case_fold():
    assert analysis.normalize("ความ\u200bมั่นคง ASEAN") == "ความมั่นคง asean"


def test_split_sara_am_and_misordered_marks_are_repaired():
    assert analysis.normalize("ทํา") == "ทำ"  # nikhahit + sara aa
    assert analysis.normalize("ที่") == analysis.normalize("ท\u0e48\u0e35")  # tone typed before the vowel
    assert analysis.normalize("กี่่") == "กี่"  # doubled tone mark
    assert analysis.normalize("เเล้ว") == "แล้ว"  # two sara e for sara ae


def test_words_keep_domain_terms_whole():
    words = analysis.words("การประชุม สมช. ที่จังหวัดอุดรธานี")
    assert "สมช" in words
    assert "อุดรธานี" in words


def test_words_split_thai_and_latin_runs_and_drop_punctuation():
    words = analysis.words("ประชุม ASEAN (ครั้งที่ ๒)")
    assert "asean" in words and "2" in words
    assert "(" not in words and ")" not in words


def test_analysis_signature_follows_the_dictionary_content():
    base = "ก\nข\n"
    one = dictionary.word_list(base, ["สมช", "ศรชล"])
    assert dictionary.word_list(base, ["ศรชล", "สมช", "สมช"]).signature == one.signature  # equal content
    assert dictionary.word_list(base, ["สมช", "ศรชล", "กอรมน"]).signature != one.signature  # a term added
    assert dictionary.word_list(base + "ค\n", ["สมช", "ศรชล"]).signature != one.signature  # base words changed
    # the index records the signature of the dictionary actually loaded
    assert analysis.signature() == "a3-" + segmenter.current_word_list().signature


def test_scan_form_is_one_byte_per_thai_character_and_collapses_space():
    form = analysis.scan_form("ความมั่นคง \n\n ชายแดน")
    assert form == "ความมั่นคง ชายแดน".encode("cp874")


def test_scan_form_marks_characters_tis620_lacks():
    assert b"\x1a" in analysis.scan_form("ประชุม 中文")


def test_textscan_finds_substrings_across_word_boundaries():
    scan = TextScan([(0, analysis.scan_form("การค้ามนุษย์ในพื้นที่ชายแดน")), (1, analysis.scan_form("การค้าชายแดน"))])
    assert scan.counts(analysis.scan_form("ค้ามนุษย์")) == {0: 1}
    assert scan.counts(analysis.scan_form("ค้า")) == {0: 1, 1: 1}


def test_textscan_respects_cluster_boundaries():
    scan = TextScan([(0, analysis.scan_form("เกาะ กี่ครั้ง"))])
    assert scan.counts(analysis.scan_form("กา")) == {}  # inside เกา: not a cluster boundary
    assert scan.counts(analysis.scan_form("กี")) == {}  # กี่ has a tone mark after กี


THAI_TEXT = st.text(
    alphabet=st.sampled_from(list("กขคงจฉชซดตถทนบปผพฟมยรลวสหอฮะัาำิีึืุูเแโใไ่้๊๋็์ๆฯ๐๑๒๓๔๕ .\n\u200bABCxyz0123")),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(THAI_TEXT)
def test_offsets_variant_gives_the_same_text_and_valid_offsets(text):
    norm, offsets = analysis.normalize_with_offsets(text)
    assert norm == analysis.normalize(text)
    assert len(offsets) == len(norm)
    assert all(0 <= o < len(text) for o in offsets)


@settings(max_examples=200, deadline=None)
@given(THAI_TEXT)
def test_normalize_is_idempotent(text):
    once = analysis.normalize(text)
    assert analysis.normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(THAI_TEXT, min_size=1, max_size=4), st.integers(0, 3), st.integers(1, 6), st.integers(0, 2))
def test_textscan_search_paths_agree(texts, which, width, shift):
    # Three ways to find a needle must give exactly the same occurrences: the
    # pair index (the usual one), the C library's memmem (while the pair
    # index is being built) and bytes.find (where there is no memmem).
    import kb.scan_pairs as scan_pairs
    import kb.textscan as textscan

    forms = [(i, analysis.scan_form(t)) for i, t in enumerate(texts)]
    source = forms[which % len(forms)][1]
    start = len(source) // 3 + shift
    needle = source[start : start + width]
    with_pairs = TextScan(forms)
    with_pairs.index_pairs(background=False)
    with_memmem = TextScan(forms, pair_index=False)
    with_find = TextScan(forms, pair_index=False)
    with_find._address = None
    expected = with_find.positions(needle)
    assert with_memmem.positions(needle) == expected
    assert with_pairs.positions(needle) == expected
    chunk = scan_pairs.PAIR_CHUNK
    scan_pairs.PAIR_CHUNK = 7  # the pair index built a few positions at a time
    try:
        in_slices = TextScan(forms)
        in_slices.index_pairs(background=False)
    finally:
        scan_pairs.PAIR_CHUNK = chunk
    assert in_slices.positions(needle) == expected
    if textscan._MEMMEM is not None:
        assert with_memmem._address is not None
    if needle and len(needle) >= 2 and b"\x00" not in needle and needle[0] not in textscan._MARKS:
        # brute force: every cluster-aligned occurrence, document by document
        brute = {}
        for d, form in forms:
            for i in range(len(form) - len(needle) + 1):
                if form[i : i + len(needle)] != needle:
                    continue
                if i and form[i - 1] in textscan._LEADING:
                    continue
                if i + len(needle) < len(form) and form[i + len(needle)] in textscan._MARKS:
                    continue
                if textscan._number_cut(form, i, needle):  # never inside a longer number (issue 13)
                    continue
                brute.setdefault(d, []).append(i)
        assert expected == brute


def test_pair_index_is_built_once_scanning_has_cost_enough(monkeypatch):
    import kb.textscan as textscan

    monkeypatch.setattr(textscan, "PAIRS_AT_ONCE", 0)  # a collection too large to index at once
    form = analysis.scan_form("การค้ามนุษย์ในพื้นที่ชายแดน ")
    scan = TextScan([(d, form * 40) for d in range(50)])
    needle = analysis.scan_form("ค้ามนุษย์")
    monkeypatch.setattr(textscan, "PAIR_BUILD_SECONDS_PER_BYTE", 1.0)  # a build "costs" far more than a scan
    scanned = scan.positions(needle)
    assert scan.pairs is None and not scan._pairs_started
    monkeypatch.setattr(textscan, "PAIR_BUILD_SECONDS_PER_BYTE", 1e-12)  # now scanning has cost more
    assert scan.positions(needle) == scanned
    assert scan._pairs_started and scan.wait_for_pairs(timeout=60)
    assert scan.positions(needle) == scanned


def test_pair_index_is_built_in_the_background_for_a_large_collection(monkeypatch):
    import kb.textscan as textscan

    monkeypatch.setattr(textscan, "PAIRS_AT_ONCE", 0)
    form = analysis.scan_form("การค้ามนุษย์ในพื้นที่ชายแดน ")
    scan = TextScan([(d, form * 40) for d in range(50)])
    scan.index_pairs(background=True)
    assert scan.wait_for_pairs(timeout=60)
    assert scan.positions(analysis.scan_form("ค้ามนุษย์"))[7] == [i * len(form) + 3 for i in range(40)]
