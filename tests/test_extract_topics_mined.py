"""Topic terms mined from the corpus, and repeated lines (issue 13, branch topics4).

A topic's ``mined`` terms (kb/taxonomy/topics.json) were found by
benchmarks/mine_topic_terms.py over the whole ThaiGov file and kept by hand
review (benchmarks/mined_topic_terms.tsv); only extraction reads them, never
the word segmenter's dictionary, so indexes stay valid.  Sentences here are
written for these tests, none copied from a release.
"""
from __future__ import annotations

from kb import analysis, taxonomy
from kb.extract import extract, find_topics
from kb.extract.boilerplate import term_window
from kb.extract.topic_hits import title_term_company, topic_scoring
from kb.models import RawDocument

# analysis.signature() of main at 51dc16a, before any mined term: the dictionary must not move.
MAIN_SIGNATURE = "a3-c1d583bb0ebbc7d9"

# A release mostly about no topic: a provincial meeting on the local economy.
_MEETING = [f"ผู้ว่าราชการจังหวัดมอบแนวทางที่ {n} ด้านการพัฒนาเศรษฐกิจฐานรากและการท่องเที่ยวชุมชนให้ทุกอำเภอ" for n in range(1, 8)]


def _release(title: str, paragraphs: list[str]) -> list[str]:
    raw = RawDocument(title=title, text="\n".join(paragraphs), date_hint="2024-01-10", type_hint="news")
    return extract(raw, "release").topics


def _mined(kind: str) -> list[tuple[str, str]]:
    return [(t["key"], term) for t in taxonomy.topics() for term in t.get("mined", {}).get(kind, ())]


def test_mined_terms_stay_out_of_the_segmenter_dictionary():
    dictionary = set(taxonomy.dictionary_terms())
    listed = {term.strip().rstrip(".") for t in taxonomy.topics() for term in (*t["strong"], *t["weak"])}
    mined = _mined("strong") + _mined("weak")
    assert mined, "topics.json has no mined terms"
    assert not [term for _, term in mined if term in dictionary and term not in listed]
    assert analysis.signature() == MAIN_SIGNATURE


def test_a_mined_strong_term_makes_a_sentence_about_its_topic():
    said = {
        "disaster": "กรมอุตุนิยมวิทยา ประกาศเตือนว่าจะมีฝนตกหนักถึงหนักมากในหลายอำเภอตลอดสัปดาห์นี้",
        "migration": "สำนักงานจัดหางานจังหวัดเร่งตรวจใบอนุญาตทำงานของลูกจ้างในสถานประกอบการทุกแห่งของอำเภอ",
        "international": "ออท. ญี่ปุ่นเข้าพบรัฐมนตรีเพื่อหารือการเพิ่มเที่ยวบินและการลงทุนในเขตพัฒนาพิเศษ",
        "border": "เจ้าหน้าที่ปกครองตรวจความพร้อมของด่านพรมแดนก่อนเปิดให้รถบรรทุกสินค้าผ่านเข้าออกตามปกติ",
    }
    for topic, sentence in said.items():
        assert find_topics(sentence) == [topic], sentence
        # In a release about something else, a paragraph on it with a second sentence still counts.
        assert topic in _release("ผู้ว่าฯ ประชุมกรมการจังหวัดประจำเดือน", [*_MEETING, sentence, sentence + "อีกครั้ง"])
    for topic, term in _mined("strong"):
        assert topic in find_topics(f"ที่ประชุมติดตามเรื่อง{term}ในพื้นที่และสั่งการให้หน่วยงานรายงานผลทุกวัน"), term


def test_mined_terms_obey_the_context_rules():
    # One item of a list of threats, and the backdrop of a list marker: no topic.
    assert find_topics("ให้เฝ้าระวังภัยต่าง ๆ เช่น ยาเสพติด ฝนตกหนัก การค้ามนุษย์ และภัยไซเบอร์") == []
    # A mined term in a passing sentence of a long, sparse release is no subject.
    assert _release("ผู้ว่าฯ ประชุมกรมการจังหวัดประจำเดือน",
                    [*_MEETING, *_MEETING, "ช่วงนี้ฝนตกหนักจึงขอให้ผู้เข้าร่วมงานเดินทางอย่างระมัดระวัง"]) == []


def test_a_terms_window_is_its_chunk_and_the_two_before_it_on_its_line():
    line = "ตามนโยบายของกระทรวง ในการจัดระเบียบสังคม ปราบปรามผู้มีอิทธิพล และการป้องกันแก้ไขปัญหายาเสพติด ซึ่งที่ผ่านมา"
    whole = f"หัวข้อข่าว\n{line}\nบรรทัดถัดไป"
    start = whole.index("ยาเสพติด")
    window = term_window(whole, start, start + len("ยาเสพติด"))
    assert window == "ในการจัดระเบียบสังคมปราบปรามผู้มีอิทธิพลและการป้องกันแก้ไขปัญหายาเสพติด"
    first = whole.index("หัวข้อ")
    assert term_window(whole, first, first + 3) == "หัวข้อข่าว"  # never past its line


def test_a_topic_the_headline_names_by_a_weak_term_counts_with_one_body_sentence():
    """The guide's "the headline is about it": a headline may name its subject by a
    weak term only (a country, การแพทย์); one body sentence about it then suffices,
    even in a long release mostly about other things, where one sentence is otherwise
    a passing remark."""
    body = "ทั้งสองฝ่ายหารือความร่วมมือระหว่างประเทศด้านการท่องเที่ยวและการค้าตามแนวเส้นทางจักรยานสายนี้"
    title = "ผู้ว่าราชการจังหวัดเปิดกิจกรรมปั่นจักรยานเชื่อมสัมพันธ์ไทย-มาเลเซีย"
    assert _release(title, [*_MEETING, *_MEETING, body]) == ["international"]
    # Without the headline the same sentence is a remark in a sparse release.
    assert _release("ผู้ว่าราชการจังหวัดเปิดกิจกรรมปั่นจักรยานประจำปี", [*_MEETING, *_MEETING, body]) == []
    # A headline term with no body sentence about the topic is not enough.
    assert _release(title, [*_MEETING, *_MEETING]) == []


def test_a_headline_opening_with_an_officials_title_is_no_attendee_line():
    """A short line opening with a role (ผู้ว่าราชการ..., ปลัด...) lists who attended; a
    headline opens that way too ("ผู้ว่าราชการจังหวัด..."), and its terms are its subject."""
    title = "ผู้ว่าราชการจังหวัดนำทีมช่วยเหลือผู้ประสบอุทกภัยในอำเภอริมแม่น้ำ"
    assert _release(title, _MEETING) == ["disaster"]
    # The same words as a body line listing an attendee stay an attendee line.
    assert _release("ประชุมกรมการจังหวัดประจำเดือน", [*_MEETING, title]) == []


def test_a_weak_headline_term_counts_only_when_the_corpus_finds_its_topic_beside_it():
    """kb/taxonomy/title_terms.json: ดิจิทัล in a headline is mostly digital government
    (its releases seldom speak of cyber threats), ไทย-จีน mostly dealings with China."""
    company = {term: share for (topic, term), share in title_term_company().items()}
    least = topic_scoring()["title_weak_min_company"]
    assert company["ดิจิทัล"] < least <= company["ไทย-จีน"]
    body = "ในงานยังมีการบรรยายเรื่องภัยไซเบอร์และการป้องกันการเจาะระบบข้อมูลของหน่วยงานรัฐให้ผู้เข้าร่วมฟัง"
    assert _release("สำนักงานจังหวัดรับรางวัลรัฐบาลดิจิทัลดีเด่นประจำปี", [*_MEETING, *_MEETING, body]) == []
    dealings = "ทั้งสองฝ่ายหารือความร่วมมือระหว่างประเทศด้านการค้าและการท่องเที่ยวระหว่างสองเมือง"
    assert _release("ผู้ว่าราชการจังหวัดต้อนรับคณะเยือนไทย-จีน", [*_MEETING, *_MEETING, dealings]) == ["international"]
