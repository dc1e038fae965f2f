"""Scanned meeting records as a researcher searches them (QA, ninth session): the page a hit is
on, and the files an archive's scanner makes that must fail alone or be read.

Every scan is rendered here at run time (scripts/make_scans.py, the Debian TLWG fonts);
Tesseract is the real one.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import make_scans  # noqa: E402,F401  (scripts/ is not a package)

# one skip rule and one private OCR cache (autouse) for every OCR test
from test_ocr import needs_tesseract, private_cache  # noqa: E402,F401


# --------------------------------------------------------------------------- repair


def test_a_fragment_a_tone_mark_would_end_is_left_as_read() -> None:
    """An upside-down two-column page read "เว" and '"แน' among its fragments: the look-alike rule
    tried "เว้" (a tone mark added at the end), fell into ``next()`` with nothing to find, and the
    StopIteration failed the whole 7-page record ("cannot render PDF page for OCR (generator
    raised StopIteration)")."""
    from indexer.ocr_repair import correct_lookalikes, repair_ocr_text

    assert correct_lookalikes("เว") == "เว"
    assert correct_lookalikes('"แน') == '"แน'
    assert repair_ocr_text("ระเบียบวาระที่ ๕ เรื่องอื่น ๆ\nเว \"แน ไม่มี") == "ระเบียบวาระที่ ๕ เรื่องอื่น ๆ\nเว \"แน ไม่มี"


# --------------------------------------------------------------------------- the page a hit is on

#: A record scanned as four pages: the heading, a blank page (the back of a sheet), item 1, item 2.
PAGES = [
    "รายงานการประชุมคณะอนุกรรมการประสานงานความมั่นคงชายแดนด้านตะวันออก ครั้งที่ ๒/๒๕๖๖\n"
    "วันพฤหัสบดีที่ ๑๖ มีนาคม ๒๕๖๖ เวลา ๐๙.๓๐ น.\nผู้มาประชุม\n๑. รองเลขาธิการสภาความมั่นคงแห่งชาติ ประธาน",
    "",
    "ระเบียบวาระที่ ๑ เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ\nมีการลักลอบเข้าเมืองผ่านช่องทางธรรมชาติบ้านคลองลึก\n"
    "มติที่ประชุม รับทราบ",
    "ระเบียบวาระที่ ๒ เรื่องเพื่อพิจารณา\nตลาดการค้าชายแดนบ้านผักกาดมีแรงงานไม่มีเอกสาร\n"
    "มติที่ประชุม เห็นชอบให้จัดตั้งศูนย์คัดกรองแรงงานประจำตลาดโรงเกลือ",
]
ON_PAGE_3, ON_PAGE_4 = "ช่องทางธรรมชาติ", "ตลาดโรงเกลือ"


def _strip_of(text: str):
    """The text drawn at 300 dpi, the page cut to the lines (a short page keeps OCR near a second)."""
    page = make_scans.render_pages(text or " ", 300)[0]
    lines = max(1, len(text.splitlines()))
    return page.crop((0, 0, page.width, min(page.height, 300 + 110 * lines)))


@pytest.fixture(scope="module")
def scanned_record(tmp_path_factory):
    """A real index of the four-page scan (an image-only PDF, read by the real Tesseract) and a
    typed record, and the site over it."""
    if not _have_tesseract():
        pytest.skip("tesseract-ocr-tha is not installed (scripts/test.sh installs it)")
    from indexer import pipeline
    from web import create_app

    base = tmp_path_factory.mktemp("scanned-record")
    docs = base / "docs"
    docs.mkdir()
    make_scans.save_image_pdf([_strip_of(text) for text in PAGES], docs / "east-2-2566.pdf", 300)
    (docs / "typed.txt").write_text("รายงานการประชุมคณะทำงาน\nระเบียบวาระที่ ๑ เรื่องเพื่อทราบ\n"
                                    "มติที่ประชุม เห็นชอบให้ตั้งศูนย์ที่ตลาดโรงเกลือ\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_CACHE_HOME", str(base / "cache"))  # this module's own OCR cache
        report = pipeline.run([docs], base / "index", progress=False)
    assert not report.failures, report.failures
    return base / "index", create_app({"INDEX_DIR": str(base / "index")}).test_client()


def _have_tesseract() -> bool:
    from indexer.ocr import OcrUnavailable, ensure_available

    try:
        ensure_available()
    except OcrUnavailable:
        return False
    return True


def test_a_hit_in_a_scan_names_its_page_in_json_and_html(scanned_record) -> None:
    """Hits in a multi-page scan did not say which page they were on: a researcher could not go
    back to the paper. The JSON hit carries ``page``; the result line links to that page."""
    _, client = scanned_record
    hits = {h["id"]: h for h in client.get(f"/api/search?q={ON_PAGE_4}").get_json()["hits"]}
    assert hits["east-2-2566.pdf"]["page"] == 4
    assert "page" not in hits["typed.txt"]  # a typed record has no pages to name
    assert client.get(f"/api/search?q={ON_PAGE_3}").get_json()["hits"][0]["page"] == 3
    html = client.get(f"/?q={ON_PAGE_4}").get_data(as_text=True)
    assert 'class="hit-page"' in html and "หน้า 4</a>" in html
    link = html.split('class="hit-page" href="')[1].split('"')[0]
    assert link.startswith("/doc/east-2-2566.pdf?") and link.endswith("#page-4")


def test_the_document_page_marks_each_page_of_a_scan(scanned_record) -> None:
    _, client = scanned_record
    page = client.get(f"/doc/east-2-2566.pdf?q={ON_PAGE_4}").get_data(as_text=True)
    for n in (1, 2, 3, 4):
        assert f'id="page-{n}"' in page and f'data-page="หน้า {n}"' in page
    marks = [page.index(f'id="page-{n}"') for n in (1, 2, 3, 4)]
    assert marks == sorted(marks)
    assert marks[3] < page.index('id="first-match"')  # the match sits after the mark of page 4
    assert 'id="page-2"' not in client.get(f"/doc/typed.txt?q={ON_PAGE_4}").get_data(as_text=True)
    english = client.get("/doc/east-2-2566.pdf?lang=en").get_data(as_text=True)
    assert 'data-page="Page 3"' in english


def test_a_section_search_names_the_page_of_the_resolution(scanned_record) -> None:
    index_dir, client = scanned_record
    hit = client.get(f"/api/search?q={ON_PAGE_4}&section=resolution").get_json()["hits"][0]
    assert hit["id"] == "east-2-2566.pdf" and hit["section"]["number"] == "2" and hit["page"] == 4
    resolutions = client.get("/api/search?section=resolution").get_json()["hits"]
    assert {h["id"]: h.get("page") for h in resolutions}["east-2-2566.pdf"] == 3  # the first resolution
    from click.testing import CliRunner

    from kb.cli import main

    out = CliRunner().invoke(main, ["search", ON_PAGE_4, "--index", str(index_dir)]).output
    assert "east-2-2566.pdf · หน้า 4 ·" in out
    doc = client.get("/api/documents/east-2-2566.pdf").get_json()
    assert len(doc["pages"]) == 4 and ON_PAGE_4 in doc["text"][doc["pages"][3]:]


def test_page_starts_survive_the_readers_cleaning() -> None:
    """A control character removed at the reader boundary must not shift the pages after it."""
    from indexer.readers.registry import clean_document, join_pages
    from kb.models import RawDocument, page_at

    text, starts = join_pages(["หน้าแรก\x07มีอักขระควบคุม", None, "", "หน้าสี่ คำค้น"])
    assert starts == [0, len("หน้าแรก\x07มีอักขระควบคุม"), len("หน้าแรก\x07มีอักขระควบคุม"), text.index("หน้าสี่")]
    clean = clean_document(RawDocument(title="t", text=text, pages=starts))
    assert clean.text[clean.pages[3]:] == "หน้าสี่ คำค้น"
    assert page_at(clean.pages, clean.text.index("คำค้น")) == 4 and page_at(clean.pages, 0) == 1
    assert page_at([0], 5) is None and page_at(clean.pages, None) is None


# --------------------------------------------------------------------------- a long scan


@needs_tesseract
def test_the_ocr_progress_counts_the_pages_of_a_scan_while_it_is_read(tmp_path) -> None:
    """A 100-page scan showed "OCR: 0page" for seven minutes and then "100page" at once: the bar
    counted a document's pages only when the whole document came back from its worker. The
    workers now count each page as they read it, and the bar moves while the scan is read.
    (``kb index`` in its own process: the pool is forked only from a single-threaded one.)"""
    import os
    import subprocess

    docs = tmp_path / "docs"
    docs.mkdir()
    make_scans.save_image_pdf([_strip_of(text) for text in PAGES if text], docs / "east.pdf", 300)
    done = subprocess.run([sys.executable, "-m", "kb.cli", "index", str(docs), "--index", str(tmp_path / "ix"),
                           "--progress"], capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and "added 1" in done.stdout, done.stdout + done.stderr
    shown = {int(n) for n in re.findall(r"OCR: (\d+)page", done.stderr)}
    assert max(shown) == 3
    assert shown & {1, 2}, shown  # the bar showed a page count before the last page was read


_BARS_THEN_POOL = """
import threading
from pathlib import Path
from indexer.prepare import Preparer, PrepareTask
from indexer.report import Progress
from kb.models import RawDocument
bars = Progress(None, True, unit="page", desc="OCR"), Progress(3, True)
scan = PrepareTask(RawDocument(title="", text="", source="a.png"), "a.png", "h", True, Path("a.png"))
print(threading.active_count(), Preparer(2)._use_pool(1, [scan]))
"""


def test_a_run_with_progress_bars_still_reads_scans_in_the_worker_pool() -> None:
    """tqdm starts a monitor thread with its first bar, and the pool is forked only from a
    single-threaded process: on a terminal (bars on) every run read its scans in the writing
    process, one page after another on one core, and never used the pool for text either."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", _BARS_THEN_POOL], capture_output=True, text=True, cwd=ROOT,
                         check=True)
    assert out.stdout.split() == ["1", "True"], out.stdout + out.stderr


# --------------------------------------------------------------------------- files that fail, in one line


@needs_tesseract
def test_a_scan_with_no_text_on_it_says_ocr_found_none(tmp_path) -> None:
    """An image-only PDF of blank pages failed as "PDF has no text layer (scanned?)": the researcher
    was asked whether it is a scan after it had been read as one. It now fails as an image does."""
    from PIL import Image

    from indexer.readers import registry
    from kb.models import Failure

    blank = Image.new("L", (1240, 400), 255)
    path = make_scans.save_image_pdf([blank, blank.copy()], tmp_path / "blank-scan.pdf", 150)
    [item] = list(registry.read(path))
    assert isinstance(item, Failure) and item.reason == "no text found by OCR"


@needs_tesseract
def test_a_multi_page_tiff_cut_short_fails_in_one_line_naming_the_page(tmp_path, capfd) -> None:
    """A TIFF truncated after its first page failed as "could not read the file (TypeError: Missing
    dimensions)", with Pillow's "UserWarning: Corrupt EXIF data" on stderr beside it."""
    from indexer.readers import registry
    from kb.models import Failure

    whole = make_scans.save_tiff([_strip_of(PAGES[0]), _strip_of(PAGES[2])], tmp_path / "whole.tif")
    data = whole.read_bytes()
    cut = tmp_path / "minutes.tif"
    cut.write_bytes(data[: len(data) - len(data) // 20])  # the second page's directory cut off
    [item] = list(registry.read(cut))
    assert isinstance(item, Failure), item
    assert item.reason == "not a readable image (page 2: Missing dimensions)"
    assert "Warning" not in capfd.readouterr().err


# --------------------------------------------------------------------------- specks glued to a line


def test_a_speck_glued_before_an_agenda_line_is_dropped_and_the_record_recognised() -> None:
    """On a skewed 150-dpi JPEG Tesseract read ".ระเบียบวาระที ๑ รายงานเหตุการณ์" (a speck glued to
    the line): the agenda item was not recognised, so the record had no sections and no committee,
    and a section search or the committee filter never found it."""
    from indexer.ocr_repair import repair_ocr_text
    from kb.extract.meeting import analyze

    read = ("รายงานการประชุมคณะทำงานเฝ้าระวังภัยคุกคามทางไซเบอร์ ครั้งที่ ๔/๒๕๖๗\n"
            ".ระเบียบวาระที ๑ รายงานเหตุการณ์\nศูนย์ประสานการรักษาความมั่นคงปลอดภัยรายงานการโจมตี\n"
            "'มติที่ประชุม ให้เร่งจัดทำแผนรับมือเหตุการณ์ทางไซเบอร์")
    repaired = repair_ocr_text(read)
    assert repaired.split("\n")[1] == "ระเบียบวาระที ๑ รายงานเหตุการณ์"
    assert repaired.split("\n")[3].startswith("มติที่ประชุม")
    meeting, sections = analyze(repaired)
    assert meeting and meeting["committee"] == "คณะทำงานเฝ้าระวังภัยคุกคามทางไซเบอร์"
    assert {(s["kind"], s["number"]) for s in sections} >= {("agenda", "1"), ("resolution", "1")}
    assert repair_ocr_text("๑. ผู้แทนกรมการปกครอง\n...และอื่น ๆ") == "๑. ผู้แทนกรมการปกครอง\n...และอื่น ๆ"


# --------------------------------------------------------------------------- two columns

LEFT = ("ระเบียบวาระที่ ๔ เรื่องเพื่อทราบ\nกองกำลังบูรพารายงานผลการปฏิบัติงาน สกัดกั้นการลักลอบขนไม้พะยูง"
        " ตามแนวเทือกเขาบรรทัด")
RIGHT = "มติที่ประชุม รับทราบ และให้ประสานกรมป่าไม้\nระเบียบวาระที่ ๕ เรื่องอื่น ๆ\nไม่มี\nปิดประชุมเวลา ๑๒.๑๕ น."


def _two_columns(left: str, right: str, dpi: int = 300):
    """An A4-wide strip set in two columns with a gutter between them, as some minutes are typed."""
    from PIL import Image, ImageDraw

    face = make_scans.font(dpi, "Norasi.ttf", 13)
    width, margin, gutter = round(8.27 * dpi), round(0.8 * dpi), round(0.25 * dpi)
    column = (width - 2 * margin - gutter) // 2
    step = round(face.size * 1.7)
    lines = [[piece for line in text.splitlines() for piece in make_scans._wrap(line, face, column)]
             for text in (left, right)]
    page = Image.new("L", (width, 2 * margin + step * max(map(len, lines))), 255)
    draw = ImageDraw.Draw(page)
    for x, column_lines in ((margin, lines[0]), (margin + column + gutter, lines[1])):
        for n, line in enumerate(column_lines):
            draw.text((x, margin + n * step), line, font=face, fill=0)
    return page


def test_a_two_column_page_is_cut_at_its_gutter_and_one_column_pages_never_are() -> None:
    from indexer.deskew import column_cut

    page = _two_columns(LEFT, RIGHT)
    cut = column_cut(page)
    assert cut is not None and page.width * 0.4 < cut < page.width * 0.6
    for name, text in make_scans.RECORDS.items():  # whole records on A4, one column
        for single in make_scans.render_pages(text, 150):
            assert column_cut(single) is None, name
    assert column_cut(make_scans.degrade(make_scans.render_pages(PAGES[0], 150)[0])) is None


@needs_tesseract
@pytest.mark.slow  # two Tesseract runs: 3-8 s
def test_a_two_column_page_is_read_column_by_column() -> None:
    """Tesseract's one-column mode read a two-column page line across line: "ระเบียบวาระที่ ๔
    เรื่องเพื่อทราบ มติที่ประชุม รับทราบ" became item 4's title, item 5 was lost inside a line, and a
    search for the resolution's words in resolutions found nothing."""
    from indexer.ocr import ocr_page
    from kb.extract.meeting import analyze

    text = ocr_page(_two_columns(LEFT, RIGHT)).text
    lines = text.splitlines()
    assert lines[0].startswith("ระเบียบวาระที") and "มติ" not in lines[0], text
    _, sections = analyze("รายงานการประชุมคณะอนุกรรมการ ครั้งที่ ๒/๒๕๖๖\n" + text)
    kinds = {(s["kind"], s["number"]) for s in sections}
    assert {("agenda", "4"), ("resolution", "4"), ("agenda", "5")} <= kinds, (kinds, text)
    resolution = next(s for s in sections if s["kind"] == "resolution")
    assert "ประสานกรมป่าไม้" in resolution["title"]


# --------------------------------------------------------------------------- the passage of a long scan


def test_the_passage_of_a_long_scan_is_where_its_thai_digits_match() -> None:
    """A 100-page scan searched for "คำเฉพาะหน้าที่๐๗๓" (page 73) showed page 25's "คำเฉพาะหน้าที่๐๒๕",
    so the hit said "หน้า 25": the query's digits are folded to Arabic, the passage of a long text
    was chosen among its 3,000-character blocks by the needles found in the text as it is, and only
    the words (no digits) were found there; the fold that finds "073" in "๐๗๓" was never tried."""
    from kb import highlight
    from kb.models import page_at

    digits = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
    pages = [f"ระเบียบวาระที่ {n}.1 รายงานสถานการณ์ชายแดน มติที่ประชุม รับทราบ และให้เพิ่มการลาดตระเวนร่วม "
             f"คำเฉพาะหน้าที่{n:03d} ".translate(digits) * 3 for n in range(1, 101)]
    starts = [sum(len(p) for p in pages[:n]) for n in range(100)]
    text = "".join(pages)
    excerpt = highlight.excerpt(text, ["คำเฉพาะหน้าที่073", "คำ", "เฉพาะ", "หน้าที่", "073"])
    assert "<mark>คำเฉพาะหน้าที่๐๗๓</mark>" in excerpt.to_html(), excerpt.text
    assert page_at(starts, excerpt.at) == 73
