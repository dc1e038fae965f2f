"""Behaviour of the input readers: what survives from each format, and how bad input fails.

Binary, encoding and PDF fixtures are generated here in tmp_path so the repo
holds no opaque files; the hand-written pages live in tests/fixtures/readers.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from indexer.readers import (
    SUFFIXES,
    ReadError,
    decode_text,
    looks_like_thai,
    read,
    reader_for,
    title_from_text,
)
from indexer.readers import html as html_reader
from indexer.readers import jsonl as jsonl_reader
from indexer.readers import pdf as pdf_reader
from indexer.readers import text as text_reader
from kb.models import Failure, RawDocument

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
THAI_FONT_DIR = Path("/usr/share/fonts/truetype/tlwg")
BODY_TH = "เมื่อวันที่ ๑๐ มกราคม ๒๕๖๗ ที่ประชุมหารือเรื่องการป้องกันยาเสพติดตามแนวชายแดน"


def only(items) -> RawDocument | Failure:
    items = list(items)
    assert len(items) == 1, items
    return items[0]


def only_document(items) -> RawDocument:
    item = only(items)
    assert isinstance(item, RawDocument), item
    return item


def only_failure(items) -> Failure:
    item = only(items)
    assert isinstance(item, Failure), item
    return item


# --------------------------------------------------------------------------- dispatch


@pytest.mark.parametrize(
    "name, module",
    [
        ("a.html", html_reader), ("a.HTM", html_reader), ("a.txt", text_reader),
        ("a.md", text_reader), ("a.markdown", text_reader), ("a.pdf", pdf_reader),
        ("a.jsonl", jsonl_reader), ("dump.jsonl.gz", jsonl_reader),
    ],
)
def test_reader_for_picks_the_module_by_suffix(name: str, module) -> None:
    assert reader_for(Path(name)) is module.read


@pytest.mark.parametrize("name", ["a.docx", "a.gz", "noext", "a.json", "a.txt.bak"])
def test_reader_for_returns_none_for_unknown_suffixes(name: str) -> None:
    assert reader_for(Path(name)) is None


def test_read_raises_read_error_for_an_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ReadError, match="unsupported"):
        list(read(path))


def test_suffixes_cover_every_format() -> None:
    assert set(SUFFIXES) == {".html", ".htm", ".txt", ".md", ".markdown", ".pdf", ".jsonl",
                             ".jsonl.gz", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}  # images: OCR (issue 14)


# --------------------------------------------------------------------------- decoding


def test_decode_reads_tis620_without_declaration() -> None:
    assert decode_text(BODY_TH.encode("cp874")) == BODY_TH


def test_decode_prefers_valid_utf8_over_a_wrong_declaration() -> None:
    assert decode_text(BODY_TH.encode("utf-8"), declared="tis-620") == BODY_TH


def test_decode_rejects_latin1_that_is_not_thai() -> None:
    with pytest.raises(ReadError, match="not valid UTF-8 or TIS-620"):
        decode_text("Crème brûlée à la française, déjà vu".encode("latin-1"))


def test_looks_like_thai_tells_thai_from_accented_latin() -> None:
    assert looks_like_thai(BODY_TH)
    assert not looks_like_thai("déjà vu, café")


def test_title_from_text_cuts_a_long_first_line_at_a_space() -> None:
    title = title_from_text("\n\n" + "คำ " * 200)
    assert len(title) <= 201 and title.endswith("…")


# --------------------------------------------------------------------------- HTML


@pytest.fixture(scope="module")
def news_page() -> RawDocument:
    return only_document(html_reader.read(FIXTURES / "news_page.html"))


def test_html_keeps_the_release_body(news_page: RawDocument) -> None:
    assert "เลขาธิการสภาความมั่นคงแห่งชาติ เป็นประธานการประชุม" in news_page.text
    assert "ที่ประชุมหารือเรื่องปัญหายาเสพติดตามแนวชายแดน" in news_page.text
    assert "ข้อเสนอที่สอง" in news_page.text


@pytest.mark.parametrize(
    "chrome",
    ["หน้าแรก", "เกี่ยวกับ สมช.", "แชร์เลย", "Facebook", "Twitter", "พิมพ์", "ข่าวที่เกี่ยวข้อง",
     "ข่าวในแถบข้าง", "ถนนพิษณุโลก", "กรุงเทพมหานคร", "คุกกี้", "ยอมรับ", "เปิดจาวาสคริปต์"],
)
def test_html_drops_page_chrome(news_page: RawDocument, chrome: str) -> None:
    assert chrome not in news_page.text


@pytest.mark.parametrize("code", ["สคริปต์ห้ามติด", "ห้ามปรากฏ", "stealCookies", "onclick",
                                  "document.write", "สไตล์ห้ามติด", "javascript"])
def test_html_never_outputs_scripts_styles_or_event_handlers(news_page: RawDocument,
                                                             code: str) -> None:
    assert code not in news_page.text
    assert code not in news_page.title


def test_html_title_comes_from_the_articles_h1_not_the_logo(news_page: RawDocument) -> None:
    assert news_page.title == "สมช. จัดประชุมติดตามแผนความมั่นคงในพื้นที่ภาคเหนือ"
    assert not news_page.text.startswith(news_page.title)  # not repeated in the text


def test_html_blocks_become_lines(news_page: RawDocument) -> None:
    lines = news_page.text.split("\n")
    assert "ข้อเสนอแรก" in lines and "ข้อเสนอที่สอง" in lines
    assert "กองนโยบายและยุทธศาสตร์ความมั่นคง" in lines  # <br> splits the signature
    assert all(line == line.strip() and "  " not in line for line in lines)


def test_html_url_prefers_canonical_and_date_hint_comes_from_meta(news_page: RawDocument) -> None:
    assert news_page.url == "https://www.nsc.go.th/news/example-1234"
    assert news_page.date_hint == "2023-11-21T09:00:00+07:00"
    assert news_page.type_hint is None
    assert news_page.source == str(FIXTURES / "news_page.html")


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_html_title_falls_back_to_title_element_without_site_suffix(tmp_path: Path) -> None:
    page = ("<html><head><title>ผลการประชุมครั้งที่ 4/2566 - สำนักงานสภาความมั่นคงแห่งชาติ</title>"
            f"</head><body><p>{BODY_TH}</p></body></html>")
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page)))
    assert doc.title == "ผลการประชุมครั้งที่ 4/2566"


def test_html_title_keeps_a_dash_that_is_part_of_a_thai_title(tmp_path: Path) -> None:
    title = "นโยบายและแผนระดับชาติว่าด้วยความมั่นคงแห่งชาติ (พ.ศ. ๒๕๖๖ – ๒๕๗๐)"
    page = f"<html><head><title>{title}</title></head><body><p>{BODY_TH}</p></body></html>"
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page)))
    assert doc.title == title


def test_html_date_hint_from_time_element_and_url_from_og(tmp_path: Path) -> None:
    page = ('<html><head><meta property="og:url" content="https://e.go.th/n/9"></head><body>'
            '<article><time datetime="2024-03-05">5 มี.ค. 67</time>'
            f"<p>{BODY_TH}</p></article></body></html>")
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page)))
    assert doc.date_hint == "2024-03-05"
    assert doc.url == "https://e.go.th/n/9"


def test_html_date_hint_from_an_element_named_date(tmp_path: Path) -> None:
    page = (f'<html><body><div class="content"><span class="news-date">5 มีนาคม 2567</span>'
            f"<p>{BODY_TH}</p></div></body></html>")
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page)))
    assert doc.date_hint == "5 มีนาคม 2567"


def test_html_reads_tis620_declared_in_meta_charset(tmp_path: Path) -> None:
    page = (f'<html><head><meta charset="tis-620"><title>ข่าว</title></head>'
            f"<body><p>{BODY_TH} “อ้างอิง”</p></body></html>")
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page.encode("cp874"))))
    assert BODY_TH in doc.text and "“อ้างอิง”" in doc.text


def test_html_reads_windows874_declared_in_http_equiv(tmp_path: Path) -> None:
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-874">'
            f"</head><body><p>{BODY_TH}</p></body></html>")
    doc = only_document(html_reader.read(write(tmp_path, "a.htm", page.encode("cp874"))))
    assert doc.text == BODY_TH


def test_html_reads_tis620_without_any_declaration(tmp_path: Path) -> None:
    page = f"<html><body><h1>หัวข้อข่าว</h1><p>{BODY_TH}</p></body></html>"
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page.encode("cp874"))))
    assert doc.title == "หัวข้อข่าว" and doc.text == BODY_TH


def test_html_reads_utf8_with_bom(tmp_path: Path) -> None:
    page = "\ufeff" + f"<html><body><p>{BODY_TH}</p></body></html>"
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page.encode("utf-8"))))
    assert doc.text == BODY_TH
    assert "\ufeff" not in doc.title


def test_html_binary_junk_is_a_failure(tmp_path: Path) -> None:
    junk = bytes(range(256)) * 40
    failure = only_failure(html_reader.read(write(tmp_path, "photo.html", junk)))
    assert failure.reason == "binary data, not HTML"
    assert failure.source == str(tmp_path / "photo.html")


def test_html_bytes_in_no_thai_encoding_are_a_failure(tmp_path: Path) -> None:
    page = "<p>Crème brûlée, déjà vu, à la française</p>".encode("latin-1")
    failure = only_failure(html_reader.read(write(tmp_path, "a.html", page)))
    assert failure.reason == "not valid UTF-8 or TIS-620"


def test_html_empty_file_is_a_failure(tmp_path: Path) -> None:
    assert only_failure(html_reader.read(write(tmp_path, "a.html", b""))).reason == "empty file"


def test_html_without_text_is_a_failure(tmp_path: Path) -> None:
    page = "<html><body><nav>เมนู</nav><script>x()</script></body></html>"
    failure = only_failure(html_reader.read(write(tmp_path, "a.html", page)))
    assert "no text" in failure.reason


def test_html_deeply_nested_divs_do_not_crash(tmp_path: Path) -> None:
    depth = 50_000
    page = ("<html><head><title>หน้าลึก</title></head><body>" + "<div>" * depth
            + f"<p>{BODY_TH}</p><script>evil()</script>" + "</div>" * depth + "</body></html>")
    doc = only_document(html_reader.read(write(tmp_path, "deep.html", page)))
    assert doc.text == BODY_TH
    assert doc.title == "หน้าลึก"


def test_html_flat_fallback_strips_tags_and_scripts() -> None:
    page = html_reader._flat_parse(
        "<html><head><title>ข่าว | เว็บไซต์</title></head><body><nav>เมนู</nav>"
        f"<p onclick='x()'>{BODY_TH}</p><script>evil()</script><p>บรรทัดสอง &amp; สาม</p></body>"
    )
    assert page.title == "ข่าว"
    assert page.text == f"{BODY_TH}\nบรรทัดสอง & สาม"


def test_html_hidden_elements_and_comments_are_left_out(tmp_path: Path) -> None:
    page = (f"<html><body><main><p>{BODY_TH}</p><!-- ความเห็นซ่อน -->"
            '<div style="display:none">ข้อความซ่อน</div><p hidden>ซ่อนอีก</p></main></body></html>')
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page)))
    assert doc.text == BODY_TH


def test_html_wrapper_with_a_chrome_word_in_its_class_keeps_the_release(tmp_path: Path) -> None:
    page = (f'<html><body><div class="layout has-sidebar"><p>{BODY_TH}</p>'
            f"<p>{BODY_TH}</p></div></body></html>")
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page)))
    assert doc.text == f"{BODY_TH}\n{BODY_TH}"


def test_html_page_wrapped_in_one_form_keeps_its_text_but_drops_small_forms(tmp_path: Path) -> None:
    page = ('<html><body><form id="aspnetForm" action="x.aspx"><div id="content">'
            f'<p>{BODY_TH}</p><form class="search"><label>ค้นหาเว็บไซต์</label><input></form>'
            "</div></form></body></html>")
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page)))
    assert doc.text == BODY_TH


LEGACY_PAGE = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-874">
<title>สมช. :: สมช. ลงพื้นที่ติดตามสถานการณ์ภัยแล้งในภาคตะวันออกเฉียงเหนือ</title></head>
<body><table class="layout">
<tr><td colspan="2" class="top"><img alt="โลโก้" src="x.jpg"></td></tr>
<tr><td colspan="2" class="menu"><a href="#">หน้าแรก</a> | <a href="#">ติดต่อเรา</a></td></tr>
<tr><td class="left"><div class="boxhead">ข่าวล่าสุด</div>
&raquo; <a href="n?id=1" class="link">ข่าวเก่าในแถบซ้าย</a>
<div class="counter">ผู้เข้าชมเว็บไซต์ 3,415,112 คน</div></td>
<td class="content">
<div class="path"><a href="/">หน้าแรก</a> &raquo; <a href="/news">ข่าวประชาสัมพันธ์</a></div>
<div class="news-title"><b>สมช. ลงพื้นที่ติดตามสถานการณ์ภัยแล้งในภาคตะวันออกเฉียงเหนือ</b></div>
<div class="posted">วันที่โพสต์ 18/04/2567 | อ่าน 812 ครั้ง</div>
<p class="text">เมื่อวันที่ ๑๘ เมษายน ๒๕๖๗ คณะทำงานได้ติดตามการแจกจ่ายน้ำอุปโภคบริโภค</p>
<div class="share">แชร์เลย <a href="#">Facebook</a> | <a href="#" onclick="window.print()">พิมพ์</a></div>
</td></tr>
<tr><td colspan="2" class="footer">ทำเนียบรัฐบาล ถนนพิษณุโลก เขตดุสิต กรุงเทพมหานคร</td></tr>
</table></body></html>"""


def test_html_legacy_table_layout_page_in_windows874(tmp_path: Path) -> None:
    doc = only_document(html_reader.read(write(tmp_path, "old.html", LEGACY_PAGE.encode("cp874"))))
    assert doc.title == "สมช. ลงพื้นที่ติดตามสถานการณ์ภัยแล้งในภาคตะวันออกเฉียงเหนือ"
    assert doc.text == ("วันที่โพสต์ 18/04/2567\n"
                        "เมื่อวันที่ ๑๘ เมษายน ๒๕๖๗ คณะทำงานได้ติดตามการแจกจ่ายน้ำอุปโภคบริโภค")
    assert doc.date_hint == "วันที่โพสต์ 18/04/2567"  # the view counter is dropped


def test_html_entry_header_outside_an_article_still_gives_title_and_date(tmp_path: Path) -> None:
    page = ('<html><head><title>หัวข้อข่าวทดสอบยาวพอสมควร | สำนักงานสภาความมั่นคงแห่งชาติ</title></head>'
            '<body><header class="site-header"><h1>สำนักงานสภาความมั่นคงแห่งชาติ</h1></header>'
            '<div class="post"><div class="entry-header"><h1 class="entry-title">หัวข้อข่าวทดสอบยาวพอสมควร</h1>'
            '<div class="entry-meta"><time datetime="2022-01-20">20 มกราคม 2565</time> | เข้าชม 2,051 ครั้ง'
            f'</div></div><div class="entry-content"><p>{BODY_TH}</p></div></div></body></html>')
    doc = only_document(html_reader.read(write(tmp_path, "a.html", page)))
    assert doc.title == "หัวข้อข่าวทดสอบยาวพอสมควร"
    assert doc.date_hint == "2022-01-20"
    assert doc.text.endswith(BODY_TH) and "เข้าชม" not in doc.text
    assert doc.title not in doc.text


@pytest.mark.parametrize("raw, clean", [
    ("สมช. :: การประชุมคณะที่ปรึกษา ครั้งที่ 4/2566", "การประชุมคณะที่ปรึกษา ครั้งที่ 4/2566"),
    ("ข่าว | ฝึกซ้อมแผนเผชิญเหตุการก่อการร้าย | สำนักงานสภาความมั่นคงแห่งชาติ",
     "ฝึกซ้อมแผนเผชิญเหตุการก่อการร้าย"),
    ("ฝึกซ้อมแผนเผชิญเหตุ - NSC Thailand", "ฝึกซ้อมแผนเผชิญเหตุ"),
    ("ความร่วมมือไทย - ลาว ด้านชายแดน", "ความร่วมมือไทย - ลาว ด้านชายแดน"),
    ("ฝึกซ้อมแผนเผชิญเหตุ - สำนักงานสภาความมั่นคงแห่งชาติ", "ฝึกซ้อมแผนเผชิญเหตุ"),
])
def test_html_title_cleaning_removes_only_the_site_name(raw: str, clean: str) -> None:
    assert html_reader._clean_title(raw) == clean


# --------------------------------------------------------------------------- text / Markdown


def test_txt_first_line_is_title_and_source_line_becomes_url() -> None:
    doc = only_document(text_reader.read(FIXTURES / "release.txt"))
    assert doc.title == "ศูนย์ติดตามสถานการณ์ภัยพิบัติ รายงานสถานการณ์น้ำท่วม"
    assert doc.url == "https://example.go.th/release/77"
    assert "ที่มา" not in doc.text and "https://" not in doc.text
    assert doc.text.startswith("วันที่ ๓ ตุลาคม ๒๕๖๗")
    assert doc.title not in doc.text


@pytest.mark.parametrize("line", ["ที่มา: https://a.go.th/x", "ที่มา : https://a.go.th/x",
                                  "Source: https://a.go.th/x", "source : <https://a.go.th/x>"])
def test_txt_source_line_variants(tmp_path: Path, line: str) -> None:
    doc = only_document(text_reader.read(write(tmp_path, "a.txt", f"หัวเรื่อง\n{BODY_TH}\n{line}\n")))
    assert doc.url == "https://a.go.th/x"
    assert doc.text == BODY_TH


def test_txt_source_line_without_url_stays_text(tmp_path: Path) -> None:
    doc = only_document(text_reader.read(write(tmp_path, "a.txt", "หัวเรื่อง\nที่มา: กองนโยบาย\n")))
    assert doc.url is None and doc.text == "ที่มา: กองนโยบาย"


def test_txt_front_matter_gives_title_date_url_and_type(tmp_path: Path) -> None:
    content = ("---\ntitle: 'ประชุมสภา'\ndate: 2566-10-04\nurl: https://a.go.th/1\ntype: meeting\n"
               f"---\n{BODY_TH}\n")
    doc = only_document(text_reader.read(write(tmp_path, "a.txt", content)))
    assert (doc.title, doc.date_hint, doc.url, doc.type_hint) == (
        "ประชุมสภา", "2566-10-04", "https://a.go.th/1", "meeting")
    assert doc.text == BODY_TH


def test_txt_in_tis620_and_with_bom(tmp_path: Path) -> None:
    tis = only_document(text_reader.read(write(tmp_path, "a.txt",
                                               f"หัวเรื่อง\n{BODY_TH}".encode("cp874"))))
    bom = only_document(text_reader.read(write(tmp_path, "b.txt",
                                               f"\ufeffหัวเรื่อง\r\n{BODY_TH}".encode("utf-8"))))
    assert tis.title == bom.title == "หัวเรื่อง"
    assert tis.text == bom.text == BODY_TH


def test_txt_paragraphs_keep_one_blank_line_and_spaces_collapse(tmp_path: Path) -> None:
    doc = only_document(text_reader.read(write(tmp_path, "a.txt",
                                               "หัว\n\nหนึ่ง   สอง\n\n\n\nสาม\n\n")))
    assert doc.text == "หนึ่ง สอง\n\nสาม"


def test_txt_empty_or_blank_file_is_a_failure(tmp_path: Path) -> None:
    assert only_failure(text_reader.read(write(tmp_path, "a.txt", b""))).reason == "empty file"
    assert only_failure(text_reader.read(write(tmp_path, "b.txt", " \n\n "))).reason == "empty file"


def test_txt_binary_data_is_a_failure(tmp_path: Path) -> None:
    failure = only_failure(text_reader.read(write(tmp_path, "a.txt", b"\x00\x01\x02" * 50)))
    assert failure.reason == "binary data, not text"


def test_markdown_front_matter_and_repeated_heading() -> None:
    doc = only_document(text_reader.read(FIXTURES / "meeting_notes.md"))
    assert doc.title == "บันทึกการประชุมคณะทำงานด้านชายแดน"
    assert (doc.date_hint, doc.type_hint, doc.url) == ("2024-03-05", "meeting",
                                                       "https://example.go.th/meetings/5")
    assert doc.title not in doc.text


def test_markdown_inline_markup_is_flattened() -> None:
    doc = only_document(text_reader.read(FIXTURES / "meeting_notes.md"))
    assert "ที่ประชุมพิจารณา สถานการณ์ชายแดน และ การลักลอบเข้าเมือง ตาม แผนความมั่นคงที่ ๓" in doc.text
    for marker in ("**", "_การ", "](", "`", "#"):
        assert marker not in doc.text
    lines = doc.text.split("\n")
    assert "มติที่ประชุม" in lines
    assert "* ให้หน่วยงานในพื้นที่รายงานผลทุกเดือน" in lines  # list items stay lines


def test_markdown_atx_heading_is_title(tmp_path: Path) -> None:
    doc = only_document(text_reader.read(write(tmp_path, "a.md", f"\n## แผนที่ ๓ ##\n\n{BODY_TH}")))
    assert doc.title == "แผนที่ ๓" and doc.text == BODY_TH


def test_markdown_setext_heading_is_title(tmp_path: Path) -> None:
    content = f"แผนความมั่นคง\n=============\n\n{BODY_TH}\n\nส่วนที่สอง\n----------\nเนื้อหา"
    doc = only_document(text_reader.read(write(tmp_path, "a.md", content)))
    assert doc.title == "แผนความมั่นคง"
    assert doc.text == f"{BODY_TH}\n\nส่วนที่สอง\nเนื้อหา"


def test_markdown_keeps_snake_case_and_bullets(tmp_path: Path) -> None:
    doc = only_document(text_reader.read(write(tmp_path, "a.md",
                                               "หัว\n\n- file_name_here\n* *เน้น* คำ\n")))
    assert doc.text == "- file_name_here\n* เน้น คำ"


# --------------------------------------------------------------------------- JSONL


def write_jsonl(path: Path, lines: list[str | dict]) -> Path:
    body = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(body + "\n")
    else:
        path.write_text(body + "\n", encoding="utf-8")
    return path


def test_jsonl_good_records_become_documents(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [
        {"id": 7, "title": "ข่าวหนึ่ง", "text": "เนื้อข่าวไม่มีวันที่", "url": "https://a/1",
         "date": "2024-01-10",
         "type": "news"},
        "",
        {"id": "x-2", "text": f"บรรทัดแรกเป็นชื่อ\n{BODY_TH}"},
    ])
    first, second = list(jsonl_reader.read(path))
    assert (first.id, first.title, first.url, first.date_hint, first.type_hint) == (
        "7", "ข่าวหนึ่ง", "https://a/1", "2024-01-10", "news")
    assert second.id == "x-2" and second.title == "บรรทัดแรกเป็นชื่อ" and second.date_hint is None
    assert first.source == second.source == str(path)


def test_jsonl_bad_lines_fail_alone_and_reading_goes_on(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [
        {"id": 1, "text": "หนึ่ง"},
        '{"id": 2, "text": "ขาด',
        "[1, 2]",
        {"id": 4},
        {"text": "ไม่มีรหัส"},
        {"id": 6, "text": 42},
        {"id": True, "text": "รหัสผิดชนิด"},
        {"id": 8, "text": "ชื่อผิดชนิด", "title": ["x"]},
        {"id": 9, "text": "   "},
        {"id": 10, "text": "สิบ"},
    ])
    results = list(jsonl_reader.read(path))
    assert [r.id for r in results if isinstance(r, RawDocument)] == ["1", "10"]
    failures = {f.source: f.reason for f in results if isinstance(f, Failure)}
    assert failures == {
        f"{path}:2": failures[f"{path}:2"],
        f"{path}:3": "line 3: not a JSON object",
        f"{path}:4": "line 4: missing field 'text'",
        f"{path}:5": "line 5: missing field 'id'",
        f"{path}:6": "line 6: field 'text' must be a string",
        f"{path}:7": "line 7: field 'id' must be a string or an integer",
        f"{path}:8": "line 8: field 'title' must be a string",
        f"{path}:9": "line 9: empty field 'text'",
    }
    assert failures[f"{path}:2"].startswith("line 2: broken JSON")


def test_jsonl_invalid_utf8_fails_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": 1, "text": "\xff\xfe"}\n{"id": 2, "text": "ok"}\n')
    bad, good = list(jsonl_reader.read(path))
    assert bad == Failure(f"{path}:1", "line 1: not valid UTF-8")
    assert good.id == "2"


def test_jsonl_gz_is_read(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl.gz", [{"id": i, "text": f"ข้อความ {i}"} for i in range(5)])
    assert [d.id for d in read(path)] == ["0", "1", "2", "3", "4"]


def test_jsonl_truncated_gz_yields_what_it_read_then_a_failure(tmp_path: Path) -> None:
    full = write_jsonl(tmp_path / "full.jsonl.gz",
                       [{"id": i, "text": f"{BODY_TH} {i} " + "ก" * (i % 97)} for i in range(3000)])
    data = full.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    results = list(jsonl_reader.read(cut))
    documents = [r for r in results if isinstance(r, RawDocument)]
    assert 0 < len(documents) < 3000
    assert [d.id for d in documents] == [str(i) for i in range(len(documents))]
    assert isinstance(results[-1], Failure)
    assert results[-1].reason.startswith("gzip stream truncated")


def test_jsonl_not_gzip_data_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(b"this is not gzip at all")
    assert "gzip" in only_failure(jsonl_reader.read(path)).reason


def test_jsonl_empty_file_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"\n\n")
    assert only_failure(jsonl_reader.read(path)).reason == "empty file"


def test_jsonl_is_streamed_not_loaded_whole(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "big.jsonl.gz",
                       [{"id": i, "text": "ข่าว"} for i in range(60_000)])
    stream = jsonl_reader.read(path)
    assert next(stream).id == "0"  # first record before the rest is read
    assert sum(1 for _ in stream) == 59_999


def test_jsonl_thaigov_chrome_is_stripped_and_crawl_date_dropped(tmp_path: Path) -> None:
    title = "นายกฯ ประชุมติดตามสถานการณ์ชายแดน"
    text = (f"รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-{title}\n\n\nวันจันทร์ที่ 24 สิงหาคม 2563\nพิมพ์\n"
            f"{title}\n{BODY_TH}")
    path = write_jsonl(tmp_path / "gov.jsonl", [
        {"id": "g1", "date": "2020-09-17", "category": "ความมั่นคง", "title": title, "text": text},
    ])
    doc = only_document(jsonl_reader.read(path))
    assert doc.text == f"วันจันทร์ที่ 24 สิงหาคม 2563\n{BODY_TH}"
    assert doc.date_hint is None  # the text has its own date; the field is the crawl date


def test_jsonl_date_field_is_a_hint_when_the_text_has_no_date(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": 1, "date": "2020-09-17", "text": "ไม่มีวันที่"}])
    assert only_document(jsonl_reader.read(path)).date_hint == "2020-09-17"


# --------------------------------------------------------------------------- PDF


def make_pdf(path: Path, pages: list[str], title: str | None = None, font: Path | None = None) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    face = "Helvetica"
    if font is not None:
        face = font.stem
        pdfmetrics.registerFont(TTFont(face, str(font)))
    pdf = canvas.Canvas(str(path))
    if title:
        pdf.setTitle(title)
    for page in pages:
        pdf.setFont(face, 14)
        for row, line in enumerate(page.split("\n")):
            pdf.drawString(72, 760 - 20 * row, line)
        pdf.showPage()
    pdf.save()
    return path


def thai_font() -> Path:
    for name in ("Garuda.ttf", "Loma.ttf", "Norasi.ttf", "Kinnari.ttf"):
        if (THAI_FONT_DIR / name).exists():
            return THAI_FONT_DIR / name
    pytest.skip("no Thai TTF font (fonts-thai-tlwg) under /usr/share/fonts: Thai PDF case skipped")


def test_pdf_pages_are_joined_and_title_is_first_line(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "plan.pdf", ["Security Plan Three\nborder areas", "Second page"])
    doc = only_document(pdf_reader.read(path))
    assert doc.title == "Security Plan Three"
    assert doc.text == "Security Plan Three\nborder areas\n\nSecond page"
    assert doc.source == str(path)


def test_pdf_title_from_metadata(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "plan.pdf", ["Body text"], title="National Security Plan 3")
    assert only_document(pdf_reader.read(path)).title == "National Security Plan 3"


def test_pdf_placeholder_metadata_title_is_ignored(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "plan.pdf", ["Real heading\nbody"], title="Microsoft Word - plan3.docx")
    assert only_document(pdf_reader.read(path)).title == "Real heading"


def test_pdf_thai_text_is_extracted_in_order(tmp_path: Path) -> None:
    font = thai_font()
    line = "แผนความมั่นคงที่ ๓ น้ำท่วม ทำให้ ผู้ใหญ่ ที่ดิน"
    path = make_pdf(tmp_path / "th.pdf", [line], title="แผนความมั่นคง", font=font)
    doc = only_document(pdf_reader.read(path))
    assert doc.title == "แผนความมั่นคง"
    assert doc.text == line


def test_pdf_encrypted_with_a_password_is_a_failure(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", ["Secret plan"])
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt("s3cret", algorithm="RC4-128")
    writer.write(str(tmp_path / "locked.pdf"))
    assert only_failure(pdf_reader.read(tmp_path / "locked.pdf")).reason == "PDF is encrypted"


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", ["Open plan"])
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt("", owner_password="owner", algorithm="RC4-128")
    writer.write(str(tmp_path / "protected.pdf"))
    assert only_document(pdf_reader.read(tmp_path / "protected.pdf")).text == "Open plan"


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9])
def test_pdf_truncated_is_a_failure(tmp_path: Path, fraction: float) -> None:
    data = make_pdf(tmp_path / "full.pdf", ["Some plan text", "More"]).read_bytes()
    path = write(tmp_path, "cut.pdf", data[: int(len(data) * fraction)])
    assert only_failure(pdf_reader.read(path)).reason.startswith("not a readable PDF (")


def test_pdf_not_a_pdf_and_empty_are_failures(tmp_path: Path) -> None:
    assert only_failure(pdf_reader.read(write(tmp_path, "a.pdf", b"<html>no</html>"))).reason == (
        "not a readable PDF (no PDF header)")
    assert only_failure(pdf_reader.read(write(tmp_path, "b.pdf", b""))).reason == "empty file"


def test_pdf_without_text_layer_is_a_failure(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 200, 200, fill=1)  # a drawing, no text: like a scan
    pdf.showPage()
    pdf.save()
    assert only_failure(pdf_reader.read(path)).reason == "PDF has no text layer (scanned?)"


# Thai extraction fix-ups, one behaviour each.

def test_sara_am_split_into_nikhahit_and_sara_aa_is_joined() -> None:
    assert pdf_reader.join_sara_am("ท\u0e4d\u0e32งาน") == "ทำงาน"
    assert pdf_reader.join_sara_am("ท\u0e4d า") == "ทำ"


def test_sara_am_with_tone_mark_in_either_order_is_joined() -> None:
    assert pdf_reader.join_sara_am("น\u0e49\u0e4d\u0e32") == "น้ำ"
    assert pdf_reader.join_sara_am("น\u0e4d\u0e49\u0e32") == "น้ำ"


def test_tone_mark_before_upper_vowel_is_reordered() -> None:
    assert pdf_reader.reorder_tone_marks("ท\u0e48\u0e35") == "ที่"
    assert pdf_reader.reorder_tone_marks("ผ\u0e49\u0e39") == "ผู้"
    assert pdf_reader.reorder_tone_marks("ที่ ผู้") == "ที่ ผู้"  # correct text unchanged


def test_duplicated_marks_are_collapsed() -> None:
    assert pdf_reader.remove_duplicate_marks("ก\u0e48\u0e48า") == "ก่า"
    assert pdf_reader.remove_duplicate_marks("ท\u0e35\u0e35\u0e48") == "ที่"


def test_space_before_combining_marks_is_removed() -> None:
    assert pdf_reader.remove_space_before_marks("ค ว า ม ม ั ่น") == "ค ว า ม มั่น"
    assert pdf_reader.remove_space_before_marks("ท ำ งาน") == "ทำ งาน"
    assert pdf_reader.remove_space_before_marks("ก\nั") == "ก\nั"  # line breaks are not spaces


def test_thai_private_use_glyphs_are_mapped_back() -> None:
    assert pdf_reader.map_private_use("ท\uf702\uf70a") == "ที่"


def test_fix_thai_marks_combines_all_fix_ups() -> None:
    broken = "แผนความม ั\u0e48นคง ท\u0e48\u0e35 น\u0e4d\u0e49\u0e32 ก\u0e48\u0e48"
    assert pdf_reader.fix_thai_marks(broken) == "แผนความมั่นคง ที่ น้ำ ก่"
    correct = "ความมั่นคงแห่งชาติ น้ำ ทำ ที่ ผู้ใหญ่ กั้น"
    assert pdf_reader.fix_thai_marks(correct) == correct


THAIGOV_SECURITY = Path("/work/shared/data/thaigov/thaigov_v2_security_category.jsonl.gz")


@pytest.mark.skipif(not THAIGOV_SECURITY.exists(), reason="shared ThaiGov dump not available")
def test_jsonl_real_thaigov_records_lose_chrome_and_keep_their_date_line() -> None:
    from itertools import islice

    documents = list(islice(jsonl_reader.read(THAIGOV_SECURITY), 300))
    assert all(isinstance(d, RawDocument) for d in documents)
    for doc in documents:
        assert not doc.text.startswith("รัฐบาลไทย-")
        assert "\nพิมพ์\n" not in f"\n{doc.text}\n"
        assert doc.title and doc.id and doc.url
    with_date_line = [d for d in documents if jsonl_reader._THAI_DATE.search(d.text[:300])]
    assert len(with_date_line) > 250
    assert all(d.date_hint is None for d in with_date_line)
