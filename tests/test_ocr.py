"""OCR of scanned meeting records: real Tesseract on pages rendered here at run time
(scripts/make_scans.py), the deskew, the cache, the repair rules, and the behaviour
when Tesseract or its Thai model is missing."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from indexer import ocr
from indexer.deskew import estimate_skew
from indexer.ocr import NEEDS_OCR, OcrUnavailable, ensure_available, ocr_page
from indexer.ocr_repair import correct_lookalikes, join_split_words, repair_ocr_text
from indexer.readers import image as image_reader
from indexer.readers import pdf as pdf_reader
from kb.models import Failure, RawDocument

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import make_scans  # noqa: E402  (scripts/ is not a package)

KB = [sys.executable, "-m", "kb.cli"]


def _tesseract_tha() -> bool:
    try:
        ensure_available()
    except OcrUnavailable:
        return False
    return True


needs_tesseract = pytest.mark.skipif(not _tesseract_tha(),
                                     reason="tesseract-ocr-tha is not installed (scripts/test.sh installs it)")

#: A short record (one third of a page) keeps each OCR call near one second.
SHORT = "\n".join(make_scans.RECORDS["2567-11-12-nan-border-security-committee"].splitlines()[:3] + [
    "มติที่ประชุม เห็นชอบให้ตั้งจุดตรวจร่วมบริเวณช่องทางธรรมชาติบ้านสบปืน",
    "ผู้บังคับกองร้อยทหารพรานรายงานการลาดตระเวนตามแนวสันปันน้ำ",
])
RARE_PHRASE = "ช่องทางธรรมชาติบ้านสบปืน"


def _cer(expected: str, actual: str) -> float:
    from kb.editdistance import edits

    a, b = "".join(expected.split()), "".join(actual.split())
    return edits(a, b) / max(1, len(a))


def _page(text: str = SHORT, dpi: int = 300) -> Image.Image:
    page = make_scans.render_pages(text, dpi)[0]
    return page.crop((0, 0, page.width, page.height // 3))  # the text sits in the top third


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Each test gets its own OCR cache, so nothing is answered from another test's run."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("KB_OCR_CACHE", raising=False)
    ocr._checked.clear()
    yield
    ocr._checked.clear()


@pytest.fixture()
def counting_tesseract(tmp_path, monkeypatch) -> Path:
    """The real tesseract behind a wrapper on PATH that logs each call (no mock of the OCR)."""
    real = shutil.which("tesseract")
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "bin" / "tesseract"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def _page_calls(log: Path) -> int:
    """Tesseract runs that read a page (the availability check lists languages)."""
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text().splitlines() if "--list-langs" not in line)


# --------------------------------------------------------------------------- OCR


@needs_tesseract
def test_ocr_of_a_rendered_page_recovers_the_text() -> None:
    page = ocr_page(_page())
    assert _cer(SHORT, page.text) <= 0.05, page.text
    assert RARE_PHRASE in page.text
    assert 50 < page.confidence <= 100 and page.words > 10


def test_deskew_finds_the_rotation_of_a_scan() -> None:
    page = _page(dpi=150)
    assert abs(estimate_skew(page)) < 0.3
    for angle in (1.5, -2.0):
        rotated = page.rotate(angle, expand=True, fillcolor=255)
        assert abs(estimate_skew(rotated) + angle) <= 0.3, angle


@needs_tesseract
@pytest.mark.slow
def test_rotated_noisy_page_is_read_after_deskew() -> None:
    scan = make_scans.degrade(_page(), angle=1.5)
    raw = subprocess.run(["tesseract", "-", "-", "-l", "tha+eng"], input=_png(scan), capture_output=True)
    ours = ocr_page(scan).text
    assert _cer(SHORT, ours) <= 0.08, ours
    assert _cer(SHORT, ours) < _cer(SHORT, raw.stdout.decode("utf-8", "replace"))


def _png(image: Image.Image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@needs_tesseract
def test_cache_answers_the_second_read_without_tesseract(counting_tesseract: Path, tmp_path: Path) -> None:
    page = _page()
    first = ocr_page(page)
    assert _page_calls(counting_tesseract) == 1 and not first.cached
    again = ocr_page(page.copy())
    assert _page_calls(counting_tesseract) == 1, "the second read ran tesseract again"
    assert again.cached and again.text == first.text and again.confidence == first.confidence
    folder = tmp_path / "cache" / "kb" / "ocr"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.rglob("*"))
    assert not [f for f in files if f.name.startswith(".tmp-")]
    assert len([f for f in files if f.suffix == ".json"]) == 1


@needs_tesseract
def test_other_settings_or_pixels_are_not_answered_from_the_cache(counting_tesseract: Path) -> None:
    page = _page()
    ocr_page(page)
    ocr_page(page, ocr.OcrSettings(repair=False))
    changed = page.copy()
    changed.putpixel((5, 5), 0)
    ocr_page(changed)
    assert _page_calls(counting_tesseract) == 3


def test_missing_tesseract_gives_the_one_line_and_a_failure(tmp_path, monkeypatch) -> None:
    scan = tmp_path / "scan.png"
    _page(dpi=150).save(scan)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(OcrUnavailable) as raised:
        ensure_available()
    assert str(raised.value) == "needs OCR: install tesseract-ocr-tha"
    [failure] = list(image_reader.read(scan))
    assert isinstance(failure, Failure) and failure.reason == NEEDS_OCR


@needs_tesseract
def test_missing_thai_model_gives_the_same_line(tmp_path, monkeypatch) -> None:
    models = tmp_path / "tessdata"
    models.mkdir()
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.splitlines()[0]
    source = Path(listed.split('"')[1])
    shutil.copy(source / "eng.traineddata", models / "eng.traineddata")  # English only, no tha
    monkeypatch.setenv("TESSDATA_PREFIX", str(models))
    scan = tmp_path / "scan.png"
    _page(dpi=150).save(scan)
    [failure] = list(image_reader.read(scan))
    assert isinstance(failure, Failure) and failure.reason == NEEDS_OCR


def test_unreadable_image_is_a_failure_with_the_reason(tmp_path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png")
    [failure] = list(image_reader.read(bad))
    assert isinstance(failure, Failure) and failure.reason.startswith("not a readable image (")


# --------------------------------------------------------------------------- readers


@needs_tesseract
@pytest.mark.slow
def test_multi_page_tiff_is_read_page_by_page(tmp_path) -> None:
    first, second = _page(SHORT), _page("ระเบียบวาระที่ ๒ เรื่องเพื่อพิจารณา\nมติที่ประชุม เห็นชอบให้ขยายเวลาเปิดด่านพรมแดนห้วยโก๋น")
    path = make_scans.save_tiff([first, second], tmp_path / "minutes.tif")
    [document] = list(image_reader.read(path))
    assert isinstance(document, RawDocument)
    assert document.ocr["pages"] == [1, 2] and 50 < document.ocr["confidence"] <= 100
    assert RARE_PHRASE in document.text and "ห้วยโก๋น" in document.text.replace("โก้น", "โก๋น")
    assert document.title.startswith("รายงานการประชุม")


def _mixed_pdf(path: Path, image: Image.Image) -> Path:
    """Page 1 typed (a text layer), page 2 a scan (an image only)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawString(72, 760, "Typed cover page of the minutes, with a text layer that pypdf reads.")
    pdf.drawString(72, 740, "Provincial security committee, meeting 3/2567, Nan province.")
    pdf.showPage()
    pdf.drawImage(ImageReader(image.convert("L")), 0, 842 - 842 / 3, width=595, height=842 / 3)
    pdf.showPage()
    pdf.save()
    return path


@needs_tesseract
def test_mixed_pdf_ocrs_only_the_image_page(tmp_path, counting_tesseract: Path) -> None:
    path = _mixed_pdf(tmp_path / "mixed.pdf", _page())
    [document] = list(pdf_reader.read(path))
    assert isinstance(document, RawDocument)
    assert document.ocr["pages"] == [2]
    assert "Typed cover page" in document.text and RARE_PHRASE in document.text
    assert _page_calls(counting_tesseract) == 1


def test_text_pdf_is_not_ocrd(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # OCR would fail loudly if tried
    from reportlab.pdfgen import canvas

    path = tmp_path / "typed.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "A typed page of the National Security Policy with plenty of letters on it.")
    pdf.save()
    [document] = list(pdf_reader.read(path))
    assert isinstance(document, RawDocument) and document.ocr is None


# --------------------------------------------------------------------------- repair


def test_split_thai_word_is_joined_but_real_phrase_breaks_stay() -> None:
    assert join_split_words("ที่ประชุม เห็นช อบ ให้จัดตั้ง") == "ที่ประชุม เห็นชอบ ให้จัดตั้ง"
    assert join_split_words("ความมั่นคง แห่งชาติ") == "ความมั่นคง แห่งชาติ"
    assert join_split_words("เรื่องอื่น ๆ") == "เรื่องอื่น ๆ"
    assert join_split_words("ครั้งที่ ๓/๒๕๖๗ ณ ห้องประชุม") == "ครั้งที่ ๓/๒๕๖๗ ณ ห้องประชุม"


def test_lookalike_is_swapped_only_when_that_makes_the_text_known() -> None:
    assert correct_lookalikes("สำนักงานตำรวจแห่งชาต") == "สำนักงานตำรวจแห่งชาต"  # no single swap helps
    assert correct_lookalikes("รายงานผลการปฏืบัติงาน") == "รายงานผลการปฏิบัติงาน"
    assert correct_lookalikes("ผู้ว่าราชการจังหวัด") == "ผู้ว่าราชการจังหวัด"


def test_ocr_repair_fixes_sara_am_and_leaves_correct_records_alone() -> None:
    assert repair_ocr_text("ส\u0e4d\u0e32นักงาน") == "สำนักงาน"
    for record in sorted((ROOT / "corpus" / "meetings").iterdir()):  # 1,270 correct lines
        lines = [" ".join(line.split()) for line in record.read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if len(line) > 2]
        assert [repair_ocr_text(line) for line in lines] == lines, record.name


def test_sara_aa_read_for_sara_am_is_repaired_inside_a_compound() -> None:
    assert repair_ocr_text("สถานการณ์ในลำน้าโขง") == "สถานการณ์ในลำน้ำโขง"
    assert repair_ocr_text("ผู้แทนตำรวจน้ามุกดาหาร") == "ผู้แทนตำรวจน้ำมุกดาหาร"


# --------------------------------------------------------------------------- end to end


def _kb(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*KB, *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


@needs_tesseract
@pytest.mark.slow
def test_kb_index_makes_a_scan_searchable_and_retries_it_once_tesseract_is_back(tmp_path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("รายงานการประชุมคณะทำงานด้านอุทกภัย\nที่ประชุมรับทราบสถานการณ์น้ำในลุ่มน้ำยม\n",
                                encoding="utf-8")
    (docs / "b.md").write_text("# ข่าวการฝึกซ้อม\nจังหวัดอุบลราชธานีฝึกซ้อมแผนป้องกันน้ำท่วม\n", encoding="utf-8")
    _page().save(docs / "scan.png")
    ix = str(tmp_path / "ix")
    no_ocr = {"PATH": str(Path(sys.executable).parent)}
    first = _kb("index", str(docs), "--index", ix, "--no-progress", env=no_ocr)
    assert first.returncode == 1
    assert f"scan.png: {NEEDS_OCR}" in first.stdout + first.stderr
    assert "added 2" in first.stdout
    second = _kb("index", str(docs), "--index", ix, "--no-progress")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "added 1" in second.stdout and "unchanged 2" in second.stdout
    found = _kb("search", RARE_PHRASE, "--index", ix, "--json")
    hits = json.loads(found.stdout)["hits"]
    assert hits and hits[0]["id"] == "scan.png"


# --------------------------------------------------------------------------- digits and speckle


@needs_tesseract
def test_thai_digits_of_a_date_survive_ocr() -> None:
    """Tesseract's tha model reads ๒๕๖๗ as ๒๕๒๕; the glyph-by-glyph second reading fixes it."""
    text = "วันอังคารที่ ๑๒ พฤศจิกายน ๒๕๖๗ เวลา ๐๙.๓๐ น.\nณ ห้องประชุมข่วงเมือง ศาลากลางจังหวัดน่าน"
    page = _page(text)
    assert "๒๕๖๗" in ocr_page(page).text
    assert "๒๕๖๗" not in ocr_page(page, ocr.OcrSettings(digits=False)).text  # what it fixes


def test_speckle_lines_are_dropped_and_short_real_lines_kept() -> None:
    assert repair_ocr_text("ผู้มาประชุม\na ย ey 6 ย\n9\nไม่มี\nมติที่ประชุม รับทราบ") == (
        "ผู้มาประชุม\nไม่มี\nมติที่ประชุม รับทราบ")
