"""Search on the whole ThaiGov corpus, ninth session (docs/newcomer-qa.md): what a Thai user
meets on the first page.  Each defect found there is pinned here on a tiny corpus built at
test time, through the real pipeline and the real ``Searcher`` (nothing mocked).
"""
from __future__ import annotations

import random

import pytest

from kb import taxonomy
from kb.models import SearchRequest
from kb.search import Searcher
from test_search_precision import _index  # a searcher over invented documents (id -> body)


def search(s: Searcher, q: str, limit: int = 50, **filters):
    return s.search(SearchRequest(q=q, limit=limit, filters={k: [v] for k, v in filters.items()}))


def ids(result) -> set[str]:
    return {h.id for h in result.hits}


def _provinces_with_english_names(n: int, seed: int) -> list[str]:
    names = [p["name"] for p in taxonomy.provinces() if p.get("name_en") or p.get("aliases")]
    rng = random.Random(seed)
    return rng.sample(sorted(names), n)


# --- a name's other spellings do not make a keyword query a question ---------------------


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    """Per province: a document with a topic word and the province, one with the province
    only, one with the topic word only."""
    provinces = _provinces_with_english_names(3, 9)
    topics = ["การค้ามนุษย์", "แรงงานต่างด้าว", "หมอกควัน"]
    docs = {}
    for i, (p, t) in enumerate(zip(provinces, topics)):
        docs[f"both{i}"] = f"ผู้ว่าราชการจังหวัด{p} ประชุมเรื่อง{t} กับหน่วยงานที่เกี่ยวข้อง"
        docs[f"place{i}"] = f"ผู้ว่าราชการจังหวัด{p} ประชุมเรื่องการท่องเที่ยวและการเกษตร"
        docs[f"topic{i}"] = f"กระทรวงประชุมเรื่อง{t} กับหน่วยงานที่เกี่ยวข้องทั่วประเทศ"
    return _index(tmp_path_factory, "pairs", docs), list(zip(provinces, topics))


def test_two_keywords_with_a_province_are_not_relaxed_to_either(pairs):
    # ThaiGov: การค้ามนุษย์ ตาก gave 1,777 releases "relaxed", แรงงานต่างด้าว ระนอง 1,765: the
    # province's English name counted as a third query word, so the two keywords were read
    # as a question and any one of them was enough
    s, chosen = pairs
    for i, (p, t) in enumerate(chosen):
        for q in (f"{t} {p}", f"{p} {t}"):
            r = search(s, q)
            assert ids(r) == {f"both{i}.txt"} and not r.relaxed, (q, ids(r), r.notices)


def test_an_abbreviation_is_not_relaxed_to_the_words_of_its_full_name(tmp_path_factory):
    # ThaiGov: สมช. gave 14,759 releases and ปปส. 14,541, "relaxed": the words of their full
    # names (สำนักงาน …) made the abbreviation a question, and สำนักงาน alone was enough
    abbreviations = [g for g in taxonomy.synonyms() if any(f.endswith(".") for f in g)
                     and any(f.startswith("สำนักงาน ") for f in g)]
    assert abbreviations
    group = random.Random(5).choice(abbreviations)
    short = next(f for f in group if f.endswith("."))
    full = max(group, key=len)
    docs = {
        "short": f"ที่ประชุมรับฟังรายงานของ {short} เรื่องแผนงานประจำปี",
        "full": f"ที่ประชุมรับฟังรายงานของ{full} เรื่องแผนงานประจำปี",
    }
    docs.update({f"office{j}": f"สำนักงานจังหวัดจัดกิจกรรมวันเด็ก ครั้งที่ {j}" for j in range(6)})
    s = _index(tmp_path_factory, "abbreviations", docs)
    r = search(s, short)
    assert ids(r) == {"short.txt", "full.txt"} and not r.relaxed, (short, ids(r), r.notices)


# --- a corrected word: the documents holding what was typed are no "relaxed" match ------


def test_a_correction_is_not_said_to_be_relaxed(tmp_path_factory):
    # ThaiGov: งบประมาน showed "แสดงผลของ งบประมาณ" and also "ไม่พบเอกสารที่มีคำค้นครบทุกคำ…
    # จึงแสดงเอกสารที่มีคำค้นส่วนใหญ่ต่อท้าย" (relaxed: true): the releases holding the
    # misspelling as typed, ranked first, were counted as a relaxed tier
    rng = random.Random(31)
    words = ["สถานการณ์", "ผู้ว่าราชการ", "ยุทธศาสตร์", "ภัยพิบัติ"]
    swaps = {"ณ": "น", "ศ": "ส", "ษ": "ส", "ร": "ล", "ธ": "ท", "ภ": "พ"}
    word = rng.choice(words)
    i = rng.choice([k for k, ch in enumerate(word) if ch in swaps])
    typo = word[:i] + swaps[word[i]] + word[i + 1 :]
    docs = {f"right{j}": f"รายงาน{word}ประจำสัปดาห์ ฉบับที่ {j}" for j in range(6)}
    docs["typo"] = f"รายงาน {typo} ประจำสัปดาห์ ฉบับพิเศษ"
    s = _index(tmp_path_factory, "corrected", docs)
    r = search(s, typo)
    assert any(n == f"แสดงผลของ {word}" for n in r.notices), (typo, r.notices)
    assert ids(r) == {f"right{j}.txt" for j in range(6)} | {"typo.txt"}
    assert r.hits[0].id == "typo.txt"  # what was typed comes first
    assert not r.relaxed and not any(getattr(n, "code", "") == "relaxed" for n in r.notices), (typo, r.notices)


# --- a place name the segmenter cuts into ordinary words is one word to the reader --------


def _cut_names(n: int, seed: int) -> list[tuple[str, list[str]]]:
    from kb.search.parsing import chunk

    out = []
    for name in taxonomy.compound_names():
        words = chunk(name).words
        if len(words) == 2 and all(len(w) >= 2 for w in words) and name.isalpha():
            out.append((name, words))
    return random.Random(seed).sample(sorted(out), n)


def test_a_name_cut_into_words_is_not_split_into_keywords(tmp_path_factory):
    # ThaiGov: แม่สอด gave 386 releases (quoted: 247), marking สอด alone; แม่สาย 924 "relaxed"
    # (quoted: 302); ตากใบ 3,438 (quoted: 88) with ตาก first in the province facet: the name
    # was split like unspaced keywords into แม่ + สอด, each found anywhere
    chosen = _cut_names(3, 41)
    docs = {}
    for i, (name, (a, b)) in enumerate(chosen):
        docs[f"name{i}"] = f"เจ้าหน้าที่ลงพื้นที่อำเภอ{name} เพื่อตรวจสอบสถานการณ์ยาเสพติด"
        for j in range(4):
            docs[f"apart{i}-{j}"] = f"รายงานเรื่อง {a} ประจำเดือน ฉบับที่ {j} และหัวข้อ {b} ของหน่วยงาน"
    s = _index(tmp_path_factory, "names", docs)
    for i, (name, _) in enumerate(chosen):
        r = search(s, name)
        assert ids(r) == {f"name{i}.txt"} and not r.relaxed, (name, ids(r), r.notices)
        # typed together with a keyword, too
        r = search(s, f"ยาเสพติด{name}")
        assert ids(r) == {f"name{i}.txt"} and not r.relaxed, (f"ยาเสพติด{name}", ids(r), r.notices)


# --- partial matches: a facet count is what its filter gives; the notice only with such a hit --


def _names_that_start_with_a_province() -> list[tuple[str, str]]:
    out = []
    for p in taxonomy.provinces():
        out += [(p["name"], x) for x in p.get("exclude", []) if x.startswith(p["name"]) and x != p["name"]]
        out += [(p["name"], x) for x in taxonomy.compound_names() if x.startswith(p["name"]) and x != p["name"]]
    return sorted(set(out))


@pytest.fixture(scope="module")
def inside(tmp_path_factory):
    """Six documents holding a province name as a word, three holding it only inside a longer
    name and naming another province."""
    province, longer = random.Random(43).choice(_names_that_start_with_a_province())
    other = next(p["name"] for p in taxonomy.provinces()
                 if p["name"] not in (province, longer) and province not in p["name"] and len(p["name"]) > 4)
    docs = {f"word{j}": f"การประชุมที่จังหวัด{province} ครั้งที่ {j} เรื่องการเตรียมรับมือภัยพิบัติ" for j in range(6)}
    docs.update({f"inside{j}": f"รายงานเรื่อง {longer} ฉบับที่ {j} ของจังหวัด{other}" for j in range(3)})
    return _index(tmp_path_factory, "inside", docs), province, longer, other


def test_a_facet_count_is_what_its_filter_gives_with_partial_matches(inside):
    # the bundled corpus: ตาก listed no นราธิวาส in its province facet (the ตากใบ records are
    # only partial matches, not counted), yet ?province=นราธิวาส gave 4 of them: a filter that
    # left fewer than 5 word matches brought the partial matches back
    s, province, longer, other = inside
    r = search(s, province)
    assert ids(r) == {f"word{j}.txt" for j in range(6)}, (province, longer, ids(r))
    counts = {v.value: v.count for v in r.facets["province"]}
    filtered = search(s, province, province=other)
    assert filtered.total == counts.get(other, 0), (province, longer, other, filtered.total, counts.get(other))


def test_no_partial_notice_when_no_partial_match_is_shown(tmp_path_factory):
    # ThaiGov: ตาก with plan=1 listed two word matches, no partial one, under "พบคำค้นเป็นคำเต็ม
    # ในเอกสารไม่มาก จึงแสดงเอกสารที่พบเป็นส่วนหนึ่งของคำอื่นต่อท้าย"
    province, longer = random.Random(47).choice(_names_that_start_with_a_province())
    other = next(p["name"] for p in taxonomy.provinces()
                 if p["name"] not in (province, longer) and province not in p["name"] and len(p["name"]) > 4)
    docs = {"word": f"การประชุมที่จังหวัด{province} เรื่องการเตรียมรับมือภัยพิบัติ จังหวัด{other}"}
    docs.update({f"inside{j}": f"รายงานเรื่อง {longer} ฉบับที่ {j}" for j in range(3)})
    s = _index(tmp_path_factory, "notice", docs)
    assert any(h.partial for h in search(s, province).hits)  # few word matches: partial ones shown
    r = search(s, province, province=other)
    assert ids(r) == {"word.txt"}, (province, longer, ids(r))
    assert not any(getattr(n, "code", "") == "partial" for n in r.notices), r.notices


# --- a name's spelling in the other script counts less than what was typed ----------------


def test_a_thai_province_name_ranks_thai_documents_before_english_ones(tmp_path_factory):
    # ThaiGov: ระนอง put 9 English releases ("The cabinet met on …", Ranong) in its first ten,
    # แพร่ 8, เลย 7, ตราด 5: the English name, rarer, outscored the Thai one typed
    chosen = [p for p in taxonomy.provinces() if p.get("name_en") and " " not in p["name_en"]]
    chosen = random.Random(53).sample(sorted(chosen, key=lambda p: p["name"]), 2)
    docs = {}
    for i, p in enumerate(chosen):
        for j in range(3):
            docs[f"th{i}-{j}"] = f"ผู้ว่าราชการจังหวัด{p['name']} ประชุมหน่วยงานเรื่องการท่องเที่ยว ครั้งที่ {j}"
        en = p["name_en"]
        for j in range(3):
            docs[f"en{i}-{j}"] = (f"The governor of {en} met officials in {en} on trade; {en} port and the {en} "
                                  f"border market were discussed, meeting number {j}.")
    for j in range(20):  # English releases about other things: English names are rare words
        docs[f"other{j}"] = f"The cabinet approved the budget for schools and hospitals, item {j}."
    s = _index(tmp_path_factory, "scripts", docs)
    for i, p in enumerate(chosen):
        r = search(s, p["name"])
        assert [h.id[:3] for h in r.hits[:3]] == [f"th{i}"] * 3, (p["name"], [h.id for h in r.hits])
        r = search(s, p["name_en"])
        assert [h.id[:3] for h in r.hits[:3]] == [f"en{i}"] * 3, (p["name_en"], [h.id for h in r.hits])


# --- what is marked in a snippet -----------------------------------------------------------


def _marked(hit) -> list[str]:
    return [t for t, m in hit.excerpt.pieces() if m]


def test_an_english_province_name_marks_the_thai_name_it_found(tmp_path_factory):
    # ThaiGov: Tak listed the Thai releases about ตาก with nothing marked in their snippets
    # (a short name: ตาก, น่าน, เลย, ตรัง …)
    from kb import analysis

    chosen = [p for p in taxonomy.provinces()
              if p.get("name_en") and " " not in p["name_en"] and len(analysis.units(p["name"])) < 4]
    chosen = random.Random(59).sample(sorted(chosen, key=lambda p: p["name"]), 3)
    docs = {f"th{i}": f"ผู้ว่าราชการจังหวัด{p['name']} ประชุมหน่วยงานเรื่องการท่องเที่ยว" for i, p in enumerate(chosen)}
    s = _index(tmp_path_factory, "english-marks", docs)
    for i, p in enumerate(chosen):
        r = search(s, p["name_en"])
        assert r.hits and r.hits[0].id == f"th{i}.txt", (p["name_en"], ids(r))
        assert p["name"] in _marked(r.hits[0]), (p["name_en"], _marked(r.hits[0]))


def test_an_abbreviation_does_not_mark_the_words_of_its_full_name_alone(tmp_path_factory):
    # ThaiGov: ปปส. marked every สำนักงาน of a release (a word of the alias "สำนักงาน ปปส")
    docs = {"doc": "สำนักงานจังหวัดร่วมกับ สำนักงาน ป.ป.ส. ภาค 5 จัดกิจกรรม และสำนักงานเขตพื้นที่การศึกษาเข้าร่วม"}
    s = _index(tmp_path_factory, "alias-marks", docs)
    r = search(s, "ปปส.")
    assert r.hits, r.notices
    marked = _marked(r.hits[0])
    assert marked and "สำนักงาน" not in marked, marked


def test_an_english_word_is_not_marked_inside_a_longer_one(tmp_path_factory):
    # ThaiGov: Tak marked "<mark>tak</mark>e part in WHO's …" (a Latin word is never matched in part)
    chosen = [p for p in taxonomy.provinces() if p.get("name_en") and " " not in p["name_en"]]
    p = random.Random(61).choice(sorted(chosen, key=lambda p: p["name"]))
    en = p["name_en"]
    docs = {"en": f"Officials {en.lower()}ed part in {en}ville talks; {en}ese and Pre{en.lower()} came; later {en} hosted the meeting."}
    s = _index(tmp_path_factory, "latin-marks", docs)
    r = search(s, en)
    assert r.hits, en
    assert [t.lower() for t in _marked(r.hits[0])] == [en.lower()], (en, _marked(r.hits[0]), r.hits[0].excerpt.text)


def test_a_number_glued_to_a_keyword_does_not_make_a_question(tmp_path_factory):
    # ThaiGov: โควิด-19 ภูเก็ต gave 19,553 releases "relaxed" (โควิด, 19, ภูเก็ต: three words, so a
    # question, and any one of them enough); ข้อ 3.1 5,001; ฝุ่น PM2.5 1,164
    rng = random.Random(67)
    provinces = _provinces_with_english_names(2, 71)
    words = rng.sample(["แผนงาน", "โครงการ", "มาตรการ", "ระยะ"], 2)
    docs, queries = {}, []
    for i, (p, w) in enumerate(zip(provinces, words)):
        n = rng.randrange(2, 99)
        term = f"{w}-{n}"
        queries.append((f"{term} {p}", i))
        docs[f"both{i}"] = f"จังหวัด{p} เร่งรัด{term} ตามข้อสั่งการ"
        docs[f"place{i}"] = f"จังหวัด{p} จัดงานประจำปีตามข้อสั่งการ"
        docs[f"term{i}"] = f"กระทรวงเร่งรัด{term} ทั่วประเทศ"
        docs[f"word{i}"] = f"กระทรวงเร่งรัด{w}ทั่วประเทศ ครั้งที่ {n + 1}"
    s = _index(tmp_path_factory, "glued", docs)
    for q, i in queries:
        r = search(s, q)
        assert ids(r) == {f"both{i}.txt"} and not r.relaxed, (q, ids(r), r.notices)


def test_a_thai_name_marks_the_english_name_it_found(tmp_path_factory):
    # ThaiGov: สมช. listed "PM: Appointment of NSC Secretary-General postponed …" with nothing marked
    groups = [g for g in taxonomy.synonyms() if g[0].endswith(".") and any(f.isascii() and f.isupper() for f in g)]
    group = random.Random(73).choice(groups)
    short, english = group[0], next(f for f in group if f.isascii() and f.isupper())
    docs = {"en": f"The {english} met on Monday; the {english} secretary-general briefed reporters."}
    s = _index(tmp_path_factory, "thai-marks", docs)
    r = search(s, short)
    assert r.hits and english in _marked(r.hits[0]), (short, english, [_marked(h) for h in r.hits])


def test_a_question_does_not_mark_its_function_words(tmp_path_factory):
    # ThaiGov: ไฟป่าหมอกควันมีสาเหตุจากอะไร marked every จาก of the snippet, มาตรการป้องกันการค้า
    # มนุษย์ในภาคประมงมีอะไรบ้าง every ใน
    from kb.search.parsing import stopwords

    docs = {
        "fire": "สาเหตุของไฟป่ามาจากการเผาในที่โล่ง และหมอกควันจากประเทศเพื่อนบ้านที่มีในช่วงฤดูแล้ง",
        "fish": "มาตรการป้องกันการค้ามนุษย์ในภาคประมงได้แก่การตรวจเรือและแรงงานในท่าเรือ",
    }
    s = _index(tmp_path_factory, "function-marks", docs)
    for q, doc in (("ไฟป่าหมอกควันมีสาเหตุจากอะไร", "fire.txt"), ("มาตรการป้องกันการค้ามนุษย์ในภาคประมงมีอะไรบ้าง", "fish.txt")):
        r = search(s, q)
        assert r.hits and r.hits[0].id == doc, (q, ids(r))
        marked = _marked(r.hits[0])
        assert marked and not [t for t in marked if t in stopwords()], (q, marked)


def test_a_province_name_inside_common_words_still_ranks_thai_documents_first(tmp_path_factory):
    # ThaiGov: แพร่ put 8 English releases (Phrae) in its first ten: its weight was taken from
    # every occurrence, most of them inside เผยแพร่, so even at half weight the English name won
    traps = [(p, x) for p in taxonomy.provinces() if p.get("name_en") and " " not in p["name_en"]
             for x in p.get("exclude", []) if p["name"] in x and x != p["name"]]
    p, trap = random.Random(79).choice(sorted(traps, key=lambda t: (t[0]["name"], t[1])))
    docs = {f"trap{j}": f"กรมประชาสัมพันธ์{trap}ข่าวสารประจำวัน ฉบับที่ {j}" for j in range(40)}
    for j in range(3):
        docs[f"th{j}"] = f"ผู้ว่าราชการจังหวัด{p['name']} ประชุมหน่วยงานเรื่องการท่องเที่ยว ครั้งที่ {j}"
        en = p["name_en"]
        docs[f"en{j}"] = f"The governor of {en} met officials in {en}; {en} port and the {en} market, meeting {j}."
    s = _index(tmp_path_factory, "trap-scripts", docs)
    r = search(s, p["name"])
    assert [h.id[:2] for h in r.hits[:3]] == ["th"] * 3, (p["name"], trap, [h.id for h in r.hits])
