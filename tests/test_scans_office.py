"""Scanned meeting records as an office makes them (QA of issue 14): encrypted and broken PDFs,
pages fed upside down, scanner metadata, agenda titles wrapped onto the next line.

Every input is made here at run time (pages rendered with the Debian TLWG fonts by
scripts/make_scans.py, PDFs written byte by byte); Tesseract is the real one.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import ocr
from indexer.readers import registry
from kb.models import Failure, RawDocument

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import make_scans  # noqa: E402  (scripts/ is not a package)


# one skip rule and one private OCR cache (autouse) for every OCR test
from test_ocr import needs_tesseract, private_cache  # noqa: E402,F401


def kb(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True,
                          timeout=600, env=env, cwd=ROOT)


def aes256_pdf(path: Path) -> Path:
    """A one-page PDF whose trailer declares AES-256 encryption (V 5, R 6) with a user password,
    as ``qpdf --encrypt secret owner 256`` or Acrobat's "password to open" writes it."""
    hexes = {"O": "11" * 48, "U": "22" * 48, "OE": "33" * 32, "UE": "44" * 32, "Perms": "55" * 16}
    encrypt = " ".join(f"/{key} <{value}>" for key, value in hexes.items())
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
               b"<< /Filter /Standard /V 5 /R 6 /Length 256 /P -4 " + encrypt.encode() + b" >>"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = b"<" + b"ab" * 16 + b">"
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [%s %s] >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, file_id, file_id, xref))
    path.write_bytes(bytes(out))
    return path


# --------------------------------------------------------------------------- files that cannot be read


def test_aes_encrypted_pdf_is_a_failure_naming_the_reason(tmp_path: Path) -> None:
    """pypdf tries the empty password while opening an AES-256 file and raised out of the reader."""
    [item] = list(registry.read(aes256_pdf(tmp_path / "minutes-locked.pdf")))
    assert isinstance(item, Failure), item
    assert item.source.endswith("minutes-locked.pdf") and "encrypted" in item.reason


def test_kb_index_goes_on_past_an_aes_encrypted_pdf(tmp_path: Path) -> None:
    """The whole run died with a traceback; now the file fails alone and the others are committed."""
    docs = tmp_path / "docs"
    docs.mkdir()
    aes256_pdf(docs / "locked.pdf")
    (docs / "minutes.txt").write_text("รายงานการประชุมคณะทำงานด้านอุทกภัย\nมติที่ประชุม รับทราบ\n", encoding="utf-8")
    done = kb("index", str(docs), "--index", str(tmp_path / "ix"), "--no-progress")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "locked.pdf: PDF is encrypted" in done.stdout + done.stderr
    assert "added 1" in done.stdout


# --------------------------------------------------------------------------- pages fed the wrong way

#: A few lines of a record (a third of a page keeps each Tesseract run near a second).
RECORD = "\n".join(make_scans.RECORDS["2567-11-12-nan-border-security-committee"].splitlines()[:3] + [
    "มติที่ประชุม เห็นชอบให้ตั้งจุดตรวจร่วมบริเวณช่องทางธรรมชาติบ้านสบปืน",
    "ผู้บังคับกองร้อยทหารพรานรายงานการลาดตระเวนตามแนวสันปันน้ำ",
])
RARE_PHRASE = "ช่องทางธรรมชาติบ้านสบปืน"


def _third_of_a_page():
    page = make_scans.render_pages(RECORD, 300)[0]
    return page.crop((0, 0, page.width, page.height // 3))


@needs_tesseract
@pytest.mark.parametrize("turn", [180, 90])
def test_page_scanned_upside_down_or_sideways_is_read_upright(tmp_path: Path, turn: int) -> None:
    """Read as it lay, an upside-down page gave garbage (mean confidence 64) and the record was lost."""
    path = tmp_path / "scan.png"
    make_scans.save_png(_third_of_a_page().rotate(turn, expand=True), path)
    [document] = list(registry.read(path))
    assert isinstance(document, RawDocument), document
    assert RARE_PHRASE in document.text, document.text[:300]
    assert document.title.startswith("รายงานการประชุม")


# --------------------------------------------------------------------------- what the scanner writes


@needs_tesseract
def test_scan_to_pdf_titled_with_its_file_name_takes_the_records_first_line(tmp_path: Path) -> None:
    """Scan-to-PDF tools (Pillow, img2pdf, office copiers) put the file name in the PDF's Title; the
    record was then listed as "2568-02-18-mukdahan-…" instead of by its heading."""
    path = make_scans.save_image_pdf([_third_of_a_page()], tmp_path / "2567-11-12-nan-scan.pdf", 300)
    [document] = list(registry.read(path))
    assert isinstance(document, RawDocument), document
    assert document.title.startswith("รายงานการประชุม"), document.title


def test_scanner_placeholder_titles_are_not_titles() -> None:
    from indexer.readers.pdf import _usable_title

    assert _usable_title("2567-11-12-nan-scan", Path("/x/2567-11-12-nan-scan.pdf")) == ""
    assert _usable_title("SCAN_0001") == "" and _usable_title("IMG_0042") == ""
    assert _usable_title("นโยบายและแผนระดับชาติว่าด้วยความมั่นคงแห่งชาติ", Path("nspp.pdf")).startswith("นโยบาย")


# --------------------------------------------------------------------------- specks and narrow columns


def test_specks_read_as_punctuation_at_line_edges_are_dropped() -> None:
    """". รายงานการประชุม…" (a speck before the heading) became the title and, with the prefix not
    recognised, the committee facet value "รายงานการประชุมคณะ…"."""
    from indexer.ocr_repair import repair_ocr_text
    from kb.extract.meeting import analyze

    read = ". รายงานการประชุมคณะอนุกรรมการป้องกันการค้ามนุษย์จังหวัดสระแก้ว\nครั้งที่ ๔/๒๕๖๖\n" \
           "ผู้มาประชุม |\n' มติที่ประชุม รับทราบ\n- ผู้แทนกองกำลังบูรพา\n(๑) ข้อเสนอ"
    repaired = repair_ocr_text(read)
    assert repaired.split("\n") == ["รายงานการประชุมคณะอนุกรรมการป้องกันการค้ามนุษย์จังหวัดสระแก้ว", "ครั้งที่ ๔/๒๕๖๖",
                                    "ผู้มาประชุม", "มติที่ประชุม รับทราบ", "- ผู้แทนกองกำลังบูรพา", "(๑) ข้อเสนอ"]
    meeting, _ = analyze(repaired + "\nระเบียบวาระที่ ๑ เรื่องแจ้งเพื่อทราบ\nมติที่ประชุม รับทราบ")
    assert meeting["committee"] == "คณะอนุกรรมการป้องกันการค้ามนุษย์จังหวัดสระแก้ว"


def test_item_and_resolution_titles_wrapped_onto_the_next_line_are_kept() -> None:
    """A two-column scan puts "ระเบียบวาระที่ ๑" and its title on two lines; the outline and the hit's
    section showed an empty title, and a resolution only "มติที่ประชุม"."""
    from kb.extract.meeting import analyze

    text = ("รายงานการประชุมคณะกรรมการรักษาความสงบเรียบร้อยชายฝั่งจังหวัดตราด ครั้งที่ ๗/๒๕๖๕\n"
            "ระเบียบวาระที่ ๑\nเรื่องที่ประธานแจ้งให้ที่ประชุมทราบ\nประธานแจ้งว่าพบเรือประมงต่างชาติ\n"
            "มติที่ประชุม รับทราบ\nระเบียบวาระที่ ๒ เรื่องเพื่อพิจารณา\n๒.๑\nการลักลอบขนน้ำมันเถื่อนทางทะเล\n"
            "ผู้กำกับการตำรวจน้ำรายงาน\nมติที่ประชุม\nเห็นชอบให้ตั้งจุดสกัดร่วมที่ปากน้ำเกาะกูด\n"
            "๒.๒ ความปลอดภัยนักท่องเที่ยวเกาะหมาก\nมติที่ประชุม\nมอบท่องเที่ยวและกีฬาจังหวัดจัดทำแผนเผชิญเหตุ\n"
            "ระเบียบวาระที่ ๓\nมติที่ประชุม รับทราบ\nปิดประชุมเวลา ๑๖.๐๕ น.")
    _, sections = analyze(text)
    titles = {(s["kind"], s["number"]): s["title"] for s in sections}
    assert titles[("agenda", "1")] == "เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ"
    assert titles[("agenda", "2.1")] == "การลักลอบขนน้ำมันเถื่อนทางทะเล"
    assert titles[("resolution", "2.1")] == "มติที่ประชุม เห็นชอบให้ตั้งจุดสกัดร่วมที่ปากน้ำเกาะกูด"
    assert titles[("resolution", "2.2")] == "มติที่ประชุม มอบท่องเที่ยวและกีฬาจังหวัดจัดทำแผนเผชิญเหตุ"
    assert titles[("agenda", "3")] == ""  # the next line is a resolution, not the item's title


# --------------------------------------------------------------------------- huge images


@needs_tesseract
def test_all_pages_stitched_into_one_tall_image_are_read(tmp_path: Path) -> None:
    """A record saved as one tall image (34,000 px high, 84 Mpx) failed: Tesseract refuses a side over
    32,767 px ("Image too large"). Pages over the OCR size are now reduced first (they also took
    26 s and 986 MB for a 192-Mpx page, 3 s and 339 MB now)."""
    from PIL import Image

    top = _third_of_a_page()
    tall = Image.new("L", (top.width, 34_000), 255)
    tall.paste(top, (0, 0))
    path = tmp_path / "stitched.png"
    make_scans.save_png(tall, path)
    [document] = list(registry.read(path))
    assert isinstance(document, RawDocument), document
    assert RARE_PHRASE in document.text
    assert ocr.within_ocr_size(tall).height <= ocr.MAX_OCR_SIDE
    assert ocr.within_ocr_size(top) is top  # an ordinary page is read as it is


def test_decompression_bomb_is_refused_in_plain_words(tmp_path: Path) -> None:
    """The reason was Pillow's message cut at 80 characters: "… exceeds limit of 400000000 pixels,
    could be decomp" (and the limit it named was not kb's)."""
    from PIL import Image

    path = tmp_path / "bomb.png"
    Image.new("1", (15_000, 14_000), 1).save(path)  # 210 Mpx in 40 KB (Pillow only warns below 400 Mpx)
    [item] = list(registry.read(path))
    assert isinstance(item, Failure)
    assert item.reason == "image too large to read (over 200 million pixels a page)"


def test_pdf_protected_against_editing_with_aes_256_is_read(tmp_path: Path) -> None:
    """Acrobat's default protection: AES-256, no password to open. Needs the 'cryptography'
    dependency; before it, the file failed ("PDF is encrypted (AES; …)")."""
    pytest.importorskip("cryptography", reason="the 'cryptography' dependency is not installed in this venv")
    from pypdf import PdfWriter
    from reportlab.pdfgen import canvas

    plain = tmp_path / "plain.pdf"
    pdf = canvas.Canvas(str(plain))
    pdf.drawString(72, 720, "Minutes of the provincial security committee, meeting 2/2567, protected against editing.")
    pdf.save()
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    writer.write(tmp_path / "protected.pdf")
    [document] = list(registry.read(tmp_path / "protected.pdf"))
    assert isinstance(document, RawDocument), document
    assert "protected against editing" in document.text


# --------------------------------------------------------------------------- dates read as letters


def test_day_of_the_month_read_as_latin_letters_is_read_again_as_thai_digits() -> None:
    """On a 200-dpi two-column scan Tesseract read "วันศุกร์ที่ ๑๖ ธันวาคม" as "… od ธั้นวาคม": the
    record lost its date (and the year facet its B.E. year). The word before a month name is now
    read again glyph by glyph like any number (the boxes are Tesseract's, with the text it gave)."""
    from PIL import Image, ImageDraw

    from indexer.ocr_digits import WordBox, reread_numbers

    face = make_scans.font(300)
    prefix, day = "วันศุกร์ที่ ", "๑๖"
    page = Image.new("L", (1600, 200), 255)
    ImageDraw.Draw(page).text((40, 40), f"{prefix}{day} ธันวาคม ๒๕๖๕", font=face, fill=0)
    bbox = ImageDraw.Draw(page).textbbox((40 + face.getlength(prefix), 40), day, font=face)
    left, top, right, bottom = (round(v) for v in bbox)
    line = ("1", "1", "1")
    boxes = [WordBox("วันศุกร์ที่", 40, top, round(face.getlength(prefix)) - 10, bottom - top, line),
             WordBox("od", left, top, right - left, bottom - top, line),
             *[WordBox(c, right + 20 + 10 * i, top, 10, bottom - top, line) for i, c in enumerate("ธั้นวาคม")]]
    assert reread_numbers(page, "วันศุกร์ที่ od ธั้นวาคม ๒๕๖๕", boxes) == "วันศุกร์ที่ ๑๖ ธั้นวาคม ๒๕๖๕"
    # a Latin word that is not before a month stays as read
    assert reread_numbers(page, "วันศุกร์ที่ od", boxes[:2]) == "วันศุกร์ที่ od"


def test_a_speck_read_as_a_tone_mark_is_dropped_inside_a_long_word_only() -> None:
    from indexer.ocr_repair import repair_ocr_text

    assert repair_ocr_text("วันศุกร์ที่ ๑๖ ธั้นวาคม ๒๕๖๕") == "วันศุกร์ที่ ๑๖ ธันวาคม ๒๕๖๕"
    assert repair_ocr_text("ช่องทางภูดู่ อำเภอบ้านโคก") == "ช่องทางภูดู่ อำเภอบ้านโคก"  # a real place name


def test_tone_marks_dropped_by_ocr_are_put_back_inside_long_words() -> None:
    """Thin tone marks vanish from 200-dpi 1-bit scans: "คณะกรรมการความมันคงจังหวัดหนองคาย" was not
    found by "ความมั่นคง" and made a second committee facet value."""
    from indexer.ocr_repair import repair_ocr_text

    assert repair_ocr_text("รายงานการประชุมคณะกรรมการความมันคงจังหวัดหนองคาย") == \
        "รายงานการประชุมคณะกรรมการความมั่นคงจังหวัดหนองคาย"
    assert repair_ocr_text("การสกัดกั้นยาเสพติดทางแม่นำโขง") == "การสกัดกั้นยาเสพติดทางแม่น้ำโขง"
    # short words stay as read: "แผน" is not "แผ่น", "นำ" is not "น้ำ"
    assert repair_ocr_text("จัดทำแผนตรวจร่วม และให้นำข้อมูลไปเชื่อม") == "จัดทำแผนตรวจร่วม และให้นำข้อมูลไปเชื่อม"


def test_kb_index_help_names_the_scan_formats() -> None:
    """`kb index --help` listed only text formats, so a researcher could not tell scans are read."""
    from click.testing import CliRunner

    from kb.cli import main

    text = " ".join(CliRunner().invoke(main, ["index", "--help"]).output.split())
    assert "PNG, JPG, TIFF" in text and "OCR" in text


def test_kb_serve_on_a_port_in_use_says_so_in_one_line(tmp_path: Path) -> None:
    """A researcher starting a second server got waitress's traceback ending in 'Address already in use'."""
    import socket

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "minutes.txt").write_text("รายงานการประชุมคณะทำงานด้านอุทกภัย\nมติที่ประชุม รับทราบ\n", encoding="utf-8")
    assert kb("index", str(docs), "--index", str(tmp_path / "ix"), "--no-progress").returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = kb("serve", "--index", str(tmp_path / "ix"), "--port", str(port))
    assert done.returncode == 2, done.stderr  # a usage error (click), as `kb serve` refuses a bad --port
    assert "Traceback" not in done.stderr
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
