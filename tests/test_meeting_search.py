"""Meeting records searchable by their structure (issue 14): extraction stores the meeting
heading and sections, the committee facet filters, ``?section=`` keeps matches inside one kind
of section, and OCR'd documents are marked.  A small corpus is written here at test time, with
marker words placed in known sections, and indexed with the real pipeline."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer import pipeline
from kb.engine import Index
from kb.extract import extract
from kb.models import RawDocument
from kb.search import Searcher
from kb.models import SearchRequest
from tests.conftest import run_kb
from web import create_app

# zqres: only in a resolution; zqatt: only in the attendance list; zqboth: resolution and attendance;
# zqitem: in agenda item 2's body, never in a resolution
LOEI = """รายงานการประชุมคณะกรรมการความมั่นคงจังหวัดเลย ครั้งที่ ๒/๒๕๖๖
วันพุธที่ ๑๔ มิถุนายน ๒๕๖๖ เวลา ๐๙.๓๐ น.
ณ ห้องประชุมศาลากลางจังหวัดเลย

ผู้มาประชุม
๑. ผู้ว่าราชการจังหวัดเลย ประธาน
๒. ผู้แทนหน่วยzqatt zqboth

เริ่มประชุมเวลา ๐๙.๓๐ น.

ระเบียบวาระที่ ๑ เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ
ประธานแจ้งสถานการณ์ชายแดนด้านแม่น้ำเหือง
มติที่ประชุม รับทราบ

ระเบียบวาระที่ ๒ เรื่องเพื่อพิจารณา
๒.๑ จุดผ่อนปรนการค้า
ฝ่ายเลขานุการเสนอแนวทาง zqitem ต่อที่ประชุม
มติที่ประชุม เห็นชอบให้เปิดจุดผ่อนปรน zqres zqboth ตามที่เสนอ

ปิดประชุมเวลา ๑๒.๐๐ น.
ผู้จดรายงานการประชุม
"""

NEWS = "ข่าวการประชุมชายแดน\n\nวันที่ 3 มกราคม 2567 มีการกล่าวถึง zqres และ zqatt ในข่าวทั่วไป\n"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("meetings") / "corpus"
    folder.mkdir()
    (folder / "loei.txt").write_text(LOEI, encoding="utf-8")
    (folder / "news.txt").write_text(NEWS, encoding="utf-8")
    out = folder.parent / "index"
    report = pipeline.run([folder], out, progress=False)
    assert not report.failures and report.added == 2
    return out


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app({"INDEX_DIR": str(index_dir)}).test_client()


def api(client, query: str) -> dict:
    r = client.get(f"/api/search?{query}")
    assert r.status_code == 200, r.data[:300]
    return r.get_json()


# ------------------------------------------------------------ extraction


def test_extract_carries_the_readers_ocr_summary():
    # failed before: extract() built the Document without RawDocument.ocr
    raw = RawDocument(title="สแกน", text="ข้อความจากภาพ", ocr={"pages": [1, 2], "confidence": 88.5})
    assert extract(raw, "scan.png").ocr == {"pages": [1, 2], "confidence": 88.5}
    assert extract(RawDocument(title="t", text="ข้อความ"), "t").ocr is None


def test_extract_reads_heading_from_the_title_and_offsets_into_the_text():
    title, _, text = LOEI.partition("\n")  # the text reader takes the first line as the title
    doc = extract(RawDocument(title=title, text=text), "loei.txt")
    assert doc.meeting == {"committee": "คณะกรรมการความมั่นคงจังหวัดเลย", "number": "2/2566",
                           "date": "2023-06-14", "place": "ห้องประชุมศาลากลางจังหวัดเลย"}
    by_kind = {}
    for s in doc.sections:
        by_kind.setdefault(s["kind"], []).append(s)
        assert 0 <= s["start"] < s["end"] <= len(doc.text)
    # the one resolution after item 2's last sub-item resolves the whole item
    resolution = [s for s in by_kind["resolution"] if s["number"] == "2"][0]
    assert doc.text[resolution["start"]:resolution["end"]].startswith("มติที่ประชุม เห็นชอบ")
    attendance = by_kind["attendance"][0]
    assert "zqatt" in doc.text[attendance["start"]:attendance["end"]]


def test_a_text_without_agenda_items_has_no_sections():
    doc = extract(RawDocument(title="ข่าว", text=NEWS), "news.txt")
    assert doc.meeting is None and doc.sections == []


def test_committee_names_are_spelt_one_way():
    from kb.extract.meeting import normalize_committee

    assert normalize_committee("คณะกรรมการ ความมั่นคง จังหวัดเชียงราย") == "คณะกรรมการความมั่นคงจังหวัดเชียงราย"
    assert normalize_committee("ศรชล.ภาค ๓") == normalize_committee("ศรชล.ภาค 3")
    assert normalize_committee("ไทย - เมียนมา") == "ไทย–เมียนมา"


# ------------------------------------------------------------ API and CLI


def test_document_json_has_meeting_and_sections(client):
    d = client.get("/api/documents/loei.txt").get_json()
    assert d["meeting"]["committee"] == "คณะกรรมการความมั่นคงจังหวัดเลย"
    assert {s["kind"] for s in d["sections"]} >= {"heading", "attendance", "agenda", "resolution"}
    assert set(d["sections"][0]) == {"kind", "number", "title", "start", "end"}
    news = client.get("/api/documents/news.txt").get_json()
    assert news["meeting"] is None and news["sections"] == [] and news["ocr"] is None


def test_committee_facet_filters_and_accepts_loose_spellings(client):
    everything = api(client, "")
    assert {v["value"]: v["count"] for v in everything["facets"]["committee"]} == {
        "คณะกรรมการความมั่นคงจังหวัดเลย": 1}
    loose = api(client, "committee=คณะกรรมการความมั่นคง%20จังหวัดเลย")
    assert [h["id"] for h in loose["hits"]] == ["loei.txt"]
    assert api(client, "committee=คณะกรรมการอื่น")["total"] == 0
    page = client.get("/?committee=คณะกรรมการความมั่นคงจังหวัดเลย").get_data(as_text=True)
    assert 'id="facet-committee"' in page
    r = client.get("/api/search?committee=" + "ก" * 300)
    assert r.status_code == 400 and r.get_json()["error"]["param"] == "committee"


@pytest.mark.parametrize("word, kind, expected", [
    ("zqres", "resolution", ["loei.txt"]),
    ("zqatt", "resolution", []),
    ("zqitem", "resolution", []),
    ("zqitem", "agenda", ["loei.txt"]),
    ("zqatt", "attendance", ["loei.txt"]),
    ("zqres", "attendance", []),
])
def test_section_keeps_matches_inside_that_kind(client, word, kind, expected):
    answer = api(client, f"q={word}&section={kind}")
    assert [h["id"] for h in answer["hits"]] == expected and answer["total"] == len(expected)
    assert api(client, f"q={word}")["total"] >= 1  # the word is there, outside the section


def test_a_hit_carries_the_section_of_its_best_passage(client):
    hit = api(client, "q=zqboth&section=resolution")["hits"][0]
    assert hit["section"]["kind"] == "resolution" and hit["section"]["number"] == "2"
    assert "<mark>zqboth</mark>" in hit["snippet"] and "zqatt" not in hit["snippet"]
    attendance = api(client, "q=zqboth&section=attendance")["hits"][0]
    assert attendance["section"] == {"kind": "attendance", "number": None, "title": "ผู้มาประชุม"}


def test_other_json_is_unchanged_without_section(client):
    for hit in api(client, "q=zqres")["hits"]:
        assert "section" not in hit and "ocr" not in hit


def test_bad_section_is_a_clear_error(client):
    r = client.get("/api/search?q=x&section=minutes")
    assert r.status_code == 400 and r.get_json()["error"]["param"] == "section"
    out = run_kb("search", "x", "--section", "minutes")
    assert out.exit_code == 2 and "section" in out.stderr.lower() and "Traceback" not in out.stderr


def test_kb_search_section_and_committee(index_dir):
    out = run_kb("search", "zqres", "--section", "resolution", "--index", str(index_dir), "--json")
    assert [h["section"]["kind"] for h in out.json()["hits"]] == ["resolution"]
    none = run_kb("search", "zqatt", "--section", "resolution", "--index", str(index_dir), "--json")
    assert none.json()["total"] == 0
    text = run_kb("search", "zqres", "--section", "resolution", "--index", str(index_dir))
    assert "[resolution 2]" in text.stdout
    committee = run_kb("search", "", "--committee", "คณะกรรมการความมั่นคงจังหวัดเลย", "--index", str(index_dir), "--json")
    assert [h["id"] for h in committee.json()["hits"]] == ["loei.txt"]


def test_searcher_section_request_directly(index_dir):
    result = Searcher(Index(index_dir)).search(SearchRequest(q="zqres", section="resolution"))
    assert result.total == 1 and result.hits[0].anchor == "sec-2"


# ------------------------------------------------------------ pages


def test_search_page_links_the_hit_to_its_section(client):
    page = client.get("/?q=zqres&section=resolution").get_data(as_text=True)
    assert 'class="hit-section"' in page and "#sec-2\"" in page and "section=resolution" in page
    assert "เฉพาะส่วน" in page and "มติที่ประชุม" in page  # a chip to leave the section search


def test_document_page_outline_anchors_and_matched_section(client):
    page = client.get("/doc/loei.txt?q=zqres&section=resolution").get_data(as_text=True)
    assert 'class="outline"' in page and 'href="#sec-2-1"' in page and 'id="sec-2-1"' in page  # sub-item
    assert 'id="sec-1"' in page and 'id="sec-2"' in page
    assert 'class="is-matched"' in page and 'class="section-match"' in page
    assert '<mark id="first-match" class="match" data-match="1">zqres</mark>' in page
    assert "เห็นชอบให้เปิดจุดผ่อนปรน" in page  # the resolution in the outline
    plain = client.get("/doc/news.txt?q=zqres").get_data(as_text=True)
    assert 'class="outline"' not in plain and "อ่านด้วย OCR" not in plain


def test_document_page_escapes_section_text(tmp_path):
    hostile = LOEI.replace("zqitem", "<script>alert(1)</script>")
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "h.txt").write_text(hostile, encoding="utf-8")
    pipeline.run([folder], tmp_path / "i", progress=False)
    c = create_app({"INDEX_DIR": str(tmp_path / "i")}).test_client()
    page = c.get("/doc/h.txt?q=script&section=agenda").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&gt;alert(1)&lt;/" in page  # marks cut the escaped tag


# ------------------------------------------------------------ OCR'd documents


@pytest.fixture(scope="module")
def scan_client(tmp_path_factory):
    import shutil

    if shutil.which("tesseract") is None:
        pytest.skip("needs tesseract-ocr-tha")
    folder = tmp_path_factory.mktemp("scans") / "corpus"
    folder.mkdir()
    scan = next((Path(__file__).resolve().parent.parent / "corpus" / "scans").glob("*.png"))
    shutil.copy(scan, folder / scan.name)
    (folder / "news.txt").write_text(NEWS, encoding="utf-8")
    out = folder.parent / "index"
    report = pipeline.run([folder], out, progress=False)
    assert not report.failures, report.failures
    return create_app({"INDEX_DIR": str(out)}).test_client(), scan.name


def test_ocr_hits_are_marked_in_api_pages_and_document(scan_client):
    client, name = scan_client
    hits = api(client, "limit=10")["hits"]
    marked = {h["id"]: h.get("ocr") for h in hits}
    assert marked == {name: True, "news.txt": None}  # "ocr" only on the OCR'd document
    doc = client.get(f"/api/documents/{name}").get_json()
    assert doc["ocr"]["pages"] == [1] and 0 < doc["ocr"]["confidence"] <= 100
    page = client.get(f"/doc/{name}").get_data(as_text=True)
    assert "อ่านด้วย OCR" in page and "ความเชื่อมั่นเฉลี่ย" in page
    results = client.get("/").get_data(as_text=True)
    assert results.count('class="tag tag-ocr"') == 1


# ------------------------------------------------------------ OCR in the worker pool


def test_the_planner_does_not_read_files_that_may_need_ocr(tmp_path):
    from indexer.changes import ChangePlanner
    from indexer.discover import discover
    from indexer.report import Report

    (tmp_path / "broken.png").write_bytes(b"not an image at all")
    report = Report()
    planner = ChangePlanner({}, report, max_text_chars=1000)
    changes = [c for sf in discover([tmp_path]).files for c in planner.changes_in(sf)]
    assert [(c.doc_id, c.path.name, c.raw.text) for c in changes] == [("broken.png", "broken.png", "")]
    assert report.failures == []  # nothing was read yet: the worker reads it


def test_a_worker_read_failure_is_reported_and_not_remembered(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "broken.png").write_bytes(b"not an image at all")
    (folder / "news.txt").write_text(NEWS, encoding="utf-8")
    report = pipeline.run([folder], tmp_path / "i", progress=False, procs=2)
    assert report.added == 1 and [f.source for f in report.failures] == [str(folder / "broken.png")]
    assert "not a readable image" in report.failures[0].reason
    again = pipeline.run([folder], tmp_path / "i", progress=False, procs=2)
    assert again.failed == 1 and again.unchanged == 1  # read again, not taken as unchanged


_POOL_CHOICE = """
from pathlib import Path
from indexer.prepare import Preparer, PrepareTask
from kb.models import RawDocument
raw = RawDocument(title="", text="", source="a.png")
scan, text = PrepareTask(raw, "a.png", "h", True, Path("a.png")), PrepareTask(raw, "a.txt", "h", True)
print(Preparer(2)._use_pool(1, [scan]), Preparer(2)._use_pool(1, [text]), Preparer(1)._use_pool(1, [scan]))
"""


def test_files_to_read_go_to_the_pool_from_the_first_batch():
    import subprocess
    import sys

    # in a fresh process: forking (the pool) is only chosen from a single-threaded one, and this
    # test process may run a live server thread
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", _POOL_CHOICE], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.split() == ["True", "False", "False"]


def test_a_scan_is_read_in_a_worker_and_progress_counts_its_pages(tmp_path, capsys):
    import shutil

    if shutil.which("tesseract") is None:
        pytest.skip("needs tesseract-ocr-tha")
    folder = tmp_path / "c"
    folder.mkdir()
    scan = next((Path(__file__).resolve().parent.parent / "corpus" / "scans").glob("*.tif"))
    shutil.copy(scan, folder / scan.name)
    report = pipeline.run([folder], tmp_path / "i", progress=True, procs=2)
    assert report.added == 1 and not report.failures
    doc = Index(tmp_path / "i").document(scan.name)
    assert doc.ocr and doc.ocr["pages"]
    err = capsys.readouterr().err
    assert "OCR" in err and f"{len(doc.ocr['pages'])}page" in err.replace(" ", "").replace("/", "")
