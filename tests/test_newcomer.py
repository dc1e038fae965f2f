"""A newcomer's first hour with kb: what following the README and poking at the
site and the API found broken, each defect pinned by a test on the real parts
(the ``kb`` command, the app under waitress on the bundled index).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from urllib.parse import quote

import click
import pytest

from tests.webutil import ROOT


def api_error(server, path: str) -> tuple[int, dict]:
    """GET ``path`` (sent as is) and return the status and the ``error`` object of its JSON body."""
    status, headers, body = server.get(path)
    assert headers["content-type"].startswith("application/json"), (path, status, body[:200])
    assert b"Traceback" not in body
    return status, json.loads(body).get("error", {})


# --- the JSON API with bad parameters: a clear 400/404 naming the parameter ---


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/search?q=%ff%fe", "q"),  # not UTF-8 at all
        ("/api/search?q=%E0%B8", "q"),  # a Thai letter cut in the middle
        ("/api/search?province=%ff", "province"),
        ("/api/search?q=x&plan=%c3", "plan"),
    ],
)
def test_invalid_utf8_percent_escapes_are_a_400_naming_the_parameter(bundled_server, path, param):
    status, error = api_error(bundled_server, path)
    assert status == 400
    assert error["param"] == param
    assert "UTF-8" in error["message"]


def test_invalid_utf8_on_a_page_is_a_400_page_too(bundled_server):
    status, _, body = bundled_server.get("/?q=%ff")
    assert status == 400
    assert "UTF-8" in body.decode()


@pytest.mark.parametrize(
    ("path", "param", "bounds"),
    [
        ("/api/search?q=x&limit=1000000000", "limit", "1 ถึง 100"),
        ("/api/search?q=x&page=99999999999999999999999", "page", "1 ถึง 10000"),
        ("/api/search?q=x&page=" + "9" * 5000, "page", "1 ถึง 10000"),  # past Python's int-parsing limit
    ],
)
def test_a_too_large_number_is_out_of_range_not_not_a_number(bundled_server, path, param, bounds):
    status, error = api_error(bundled_server, path)
    assert status == 400
    assert error["param"] == param
    assert bounds in error["message"]
    assert "ไม่ใช่จำนวนเต็ม" not in error["message"]


@pytest.mark.parametrize(("route", "name"), [("/api/search", "size"), ("/api/search", "provnce"), ("/api/search", "facet"),
                                             ("/stats.json", "size")])
def test_an_unknown_api_parameter_is_a_400_naming_it(bundled_server, route, name):
    status, error = api_error(bundled_server, f"{route}?q=x&{name}=1000000000")
    assert status == 400
    assert error["param"] == name
    assert "limit" in error["message"]  # the accepted ones are listed


def test_known_extra_parameters_and_pages_stay_accepted(bundled_server):
    status, _, _ = bundled_server.get("/api/search?q=x&lang=en")
    assert status == 200
    status, _, _ = bundled_server.get("/?q=x&utm_source=mail")  # a shared link keeps working
    assert status == 200


@pytest.mark.parametrize(
    "path",
    ["/api/documents/no-such-doc", "/api/documents/../../etc/passwd", "/api/documents/%2e%2e/%2e%2e/etc/passwd"],
)
def test_an_unknown_document_is_a_404_naming_the_id(bundled_server, path):
    status, error = api_error(bundled_server, path)
    assert status == 404
    assert error["param"] == "id"


# --- the English interface ---


def test_error_pages_speak_english_in_the_english_interface(bundled_server):
    status, _, body = bundled_server.get("/?page=abc&lang=en")
    text = body.decode()
    assert status == 400
    assert "คำขอไม่ถูกต้อง" not in text and "กลับไปหน้าค้นหา" not in text and "ค่าของพารามิเตอร์" not in text
    assert "Bad request" in text and "page" in text
    status, _, body = bundled_server.get("/doc/no-such-doc?lang=en")
    assert status == 404
    assert "ไม่พบหน้า" not in body.decode()


def test_english_results_title_reads_in_order(bundled_server):
    _, _, body = bundled_server.get("/?q=" + quote("ตาก") + "&lang=en")
    title = re.search(r"<title>(.*?)</title>", body.decode()).group(1)
    assert title == "ตาก — search results · kb"  # the wording of qa_site's test_the_window_title_of_a_search_reads_in_english


# --- the CLI ---


def _commands(group: click.Group, prefix: str = "kb"):
    for name, cmd in group.commands.items():
        yield f"{prefix} {name}", cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, f"{prefix} {name}")


def test_every_command_has_examples_and_every_option_a_help_text():
    from kb.cli import main

    missing_examples, missing_help = [], []
    for name, cmd in _commands(main):
        if "Examples:" not in (cmd.help or ""):
            missing_examples.append(name)
        missing_help += [f"{name} {p.opts[0]}" for p in cmd.params if isinstance(p, click.Option) and not p.help]
    assert not missing_examples and not missing_help, (missing_examples, missing_help)


def _readme_search_lines() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    usage = readme.split("## Using it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [shlex.split(line, comments=True)[2:] for line in usage.splitlines() if line.startswith("kb search")]


def test_the_readme_search_examples_find_documents(bundled_index, kb_runner):
    from kb.cli import search_cmd

    lines = _readme_search_lines() + [shlex.split(line.strip())[2:] for line in search_cmd.help.splitlines() if line.strip().startswith("kb search")]
    assert len(lines) >= 8
    for args in lines:
        args = [a for a in args if a != "--json"]
        run = kb_runner("search", *args, "--index", str(bundled_index), "--json")
        assert run.exit_code == 0, (args, run.stderr)
        assert run.json()["total"] > 0, f"kb search {shlex.join(args)} finds nothing in the bundled corpus"


def test_a_page_past_the_last_says_so(bundled_index, kb_runner):
    run = kb_runner("search", "ตาก", "--limit", "5", "--page", "9", "--index", str(bundled_index))
    assert run.exit_code == 0
    assert not re.search(r"\d+–\d+:", run.stdout)  # no "41–40:"
    assert "หน้าสุดท้าย" in run.stdout and "--page 2" in run.stdout


def test_multi_line_excerpts_stay_indented_under_their_hit(bundled_index, kb_runner):
    run = kb_runner("search", "ตาก", "--limit", "3", "--index", str(bundled_index))
    body = run.stdout.splitlines()[1:]
    stray = [line for line in body if line and not line.startswith("   ") and not re.match(r"\d+\. ", line)]
    assert run.exit_code == 0 and not stray, stray


def test_serve_on_a_busy_port_is_one_line_and_exit_2(bundled_index):
    # exit 2 (a usage error, checked before any build) and "cannot listen on HOST:PORT", as test_cli.py, test_qa_site.py and test_scans_office.py expect
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "kb.cli", "serve", "--index", str(bundled_index), "--port", str(port)],
            capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    assert proc.returncode == 2, proc.stderr[-500:]  # a usage error (click), before any build
    assert "Traceback" not in proc.stderr
    assert f"127.0.0.1:{port}" in proc.stderr and "--port" in proc.stderr


# --- query behaviour ---


def _marks(snippet: str) -> list[str]:
    from kb.thai import thai_digits_to_arabic

    return [" ".join(thai_digits_to_arabic(m).split()) for m in re.findall(r"<mark>(.*?)</mark>", snippet)]


@pytest.mark.parametrize("q", ['"แผนความมั่นคงที่ 1"', '"แผนความมั่นคงที่ ๓"'])
def test_a_quoted_phrase_is_highlighted_whole_never_word_by_word(bundled_server, q):
    result = bundled_server.search(q)
    from kb.thai import thai_digits_to_arabic

    phrase = " ".join(thai_digits_to_arabic(q.strip('"')).split())
    assert result["total"] > 0
    for hit in result["hits"]:
        stray = [m for m in _marks(hit["snippet"]) if m != phrase]
        assert not stray, (hit["id"], stray)  # not "แผนความมั่นคง" alone, not a lone "๑" of an agenda number
    # the long NSPP text holds the phrase: its snippet shows it, not a passage of "แผนความมั่นคงที่ 1x"
    nspp = next(hit for hit in result["hits"] if hit["id"] == "plans/nspp-2566-2570.pdf")
    assert _marks(nspp["snippet"]), nspp["snippet"][:300]


# --- the site's own Content-Security-Policy (style-src 'self') ---


def _section_hit(server) -> dict:
    status, _, body = server.get("/api/search?q=" + quote("มอบ") + "&section=resolution&limit=1")
    return json.loads(body)["hits"][0]


def test_no_page_carries_inline_styles_its_csp_blocks(bundled_server):
    hit = _section_hit(bundled_server)
    paths = ["/", "/?q=" + quote("ภาค"), "/help", "/stats", "/signin", "/?page=abc", "/doc/plans/plan-01.md",
             f"/doc/{quote(hit['id'])}?q={quote('มอบ')}&section=resolution"]
    for path in paths:
        _, headers, body = bundled_server.get(path)
        assert "style-src 'self'" in headers["content-security-policy"]
        inline = re.findall(r"<style|\sstyle=", body.decode())
        assert not inline, (path, inline)  # the browser would refuse them: rules belong in static/style.css


@pytest.mark.browser
def test_a_meeting_record_page_applies_its_outline_styles_under_the_csp(bundled_server):
    from tests.test_browser import CHROMIUM, LAUNCH_ARGS

    if CHROMIUM is None:
        pytest.skip("no Chromium found on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    hit = _section_hit(bundled_server)
    url = f"{bundled_server.url}/doc/{quote(hit['id'])}?q={quote('มอบ')}&section=resolution"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page()  # the CSP enforced, as a visitor's browser does
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(url)
        background = page.locator(".section-match").first.evaluate("e => getComputedStyle(e).backgroundColor")
        browser.close()
    assert not errors, errors
    assert background == "rgb(255, 244, 194)"  # #fff4c2: the matched resolution stands out


# --- the help page (issue 13: spaces, synonyms, corrections and English terms, with examples) ---

HELP_EXAMPLES = {
    "spaces": ["แรงงานต่างด้าวระนอง", "แรงงานต่างด้าว ระนอง"],
    "synonyms": ["น้ำท่วม"],
    "corrections": ["งบประมาน", "ยาเสพติต"],
    "English terms": ["trafficking Tak"],
    "part of a word": ["ค้ามนุษย์"],
    "whole numbers": ['"แผนความมั่นคงที่ 1"'],
}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_help_page_shows_an_example_of_each_rule_in_both_languages(bundled_server, lang):
    _, _, body = bundled_server.get(f"/help?lang={lang}")
    html = body.decode()
    missing = [(rule, q) for rule, examples in HELP_EXAMPLES.items() for q in examples
               if f'href="/?q={quote(q, safe="")}"' not in html.replace("%20", "+").replace("+", "%20")]
    assert not missing, missing


def test_the_help_examples_do_what_the_help_says(bundled_server):
    assert bundled_server.search("งบประมาน")["suggestions"] == ["งบประมาณ"]
    assert bundled_server.search("ยาเสพติต")["suggestions"] == ["ยาเสพติด"]
    joined, spaced = bundled_server.search("แรงงานต่างด้าวระนอง"), bundled_server.search("แรงงานต่างด้าว ระนอง")
    assert [h["id"] for h in joined["hits"]] == [h["id"] for h in spaced["hits"]] and joined["total"] > 0


# --- one document, one page: English and the CLI say it in the singular ---

ONE_DOC = "committee=" + quote("คณะกรรมการความมั่นคงจังหวัดเชียงราย")


def test_the_english_interface_counts_one_document_in_the_singular(bundled_server):
    _, _, body = bundled_server.get(f"/?{ONE_DOC}&lang=en")
    html = body.decode()
    assert "Found <strong>1</strong> document\n" in html or "Found <strong>1</strong> document<" in html, html[html.find("Found"):][:80]
    _, _, body = bundled_server.get(f"/?{ONE_DOC}&page=3&lang=en")
    assert "1 documents" not in body.decode() and "1 pages" not in body.decode()
    _, _, body = bundled_server.get(f"/stats?{ONE_DOC}&lang=en")
    assert not re.search(r"\b1 documents\b", body.decode())


def test_the_cli_counts_one_document_in_the_singular(bundled_index, kb_runner, tmp_path):
    run = kb_runner("search", "", "--committee", "คณะกรรมการความมั่นคงจังหวัดเชียงราย", "--index", str(bundled_index))
    assert run.stdout.startswith("1 document; 1–1:"), run.stdout[:40]
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.txt").write_text("ข่าวหนึ่งฉบับ\n\nเนื้อหาเรื่องชายแดน\n", encoding="utf-8")
    kb_runner("index", str(folder), "--index", str(tmp_path / "ix"), check_exit=0)
    again = kb_runner("index", str(folder), "--index", str(tmp_path / "ix"), check_exit=0)
    assert "(1 document unchanged)" in again.stdout, again.stdout


@pytest.mark.parametrize(
    "query",
    ["page=abc", "limit=1000", "from=March+2024", "from=2024-02-30", "year=1700", "from=2025&to=2024", "sort=best",
     "section=minutes", "topic=weather", "province=Atlantis", "agency=ACME", "month=2024-13", "q=%ff", "page=900&limit=100",
     "plan=" + "&plan=".join(["1"] * 51), "committee=" + "x" * 201],
)
def test_a_bad_parameter_is_explained_in_english_in_the_english_interface(bundled_server, query):
    status, _, body = bundled_server.get(f"/?{query}&lang=en")
    assert status == 400
    reason = re.search(r'<p>The value of the parameter <code>[^<]*</code> is not valid: (.*?)</p>', body.decode(), re.S)
    assert reason and not re.search("[\u0e00-\u0e7f]", reason.group(1)), reason and reason.group(1)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_date_boxes_show_their_whole_placeholder(bundled_server, lang):
    from tests.test_browser import CHROMIUM, LAUNCH_ARGS

    if CHROMIUM is None:
        pytest.skip("no Chromium found on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    measure = """e => { const s = getComputedStyle(e); const c = document.createElement('canvas').getContext('2d');
        c.font = s.font; return [c.measureText(e.placeholder).width,
        e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)]; }"""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{bundled_server.url}/?lang={lang}")
        sizes = {box: page.locator(f"#{box}").evaluate(measure) for box in ("from", "to")}
        browser.close()
    cut = {box: (round(text), round(room)) for box, (text, room) in sizes.items() if text > room}
    assert not cut, cut  # "e.g. 2567 or 202…": the example the box gives is cut off


def test_unquoted_query_words_and_a_leading_exclusion_work_on_the_command_line(bundled_index, kb_runner):
    ix = ("--index", str(bundled_index))

    def total(*args):
        run = kb_runner("search", *args, *ix, "--json")
        assert run.exit_code == 0, (args, run.stderr)
        return run.json()

    assert total("ค้ามนุษย์", "ชายแดน") == total("ค้ามนุษย์ ชายแดน")  # not "Got unexpected extra argument"
    assert total("ชายแดน", "-กัมพูชา") == total("ชายแดน -กัมพูชา")
    alone = total("-กัมพูชา")  # not "No such option '-ก'"
    assert 0 < alone["total"] < total("")["total"]
    typo = kb_runner("search", "ตาก", "--provnce", "ตาก", *ix)
    assert typo.exit_code == 2 and "--provnce" in typo.stderr  # a mistyped option is still refused


def test_every_filter_group_is_titled_in_english_in_the_english_interface(bundled_server):
    _, _, body = bundled_server.get("/?lang=en")
    titles = re.findall(r'<h3 id="facet-(\w+)">(.*?)</h3>', body.decode())
    assert len(titles) >= 8
    thai = [(name, title) for name, title in titles if re.search("[\u0e00-\u0e7f]", title)]
    assert not thai, thai  # the committee group was "คณะกรรมการ/ที่ประชุม"


def test_the_sign_in_page_speaks_english_in_the_english_interface(bundled_server):
    _, _, body = bundled_server.get("/signin?lang=en")
    html = body.decode()
    page = html[html.index('<section class="signin-page">'):html.index("</section>")]
    assert not re.search("[\u0e00-\u0e7f]", page), page[:300]
    assert "Sign in" in re.search(r"<title>(.*?)</title>", html).group(1)


def test_an_empty_result_does_not_list_every_filter_group_as_empty(bundled_server):
    _, _, body = bundled_server.get("/?q=zzzqqq")
    html = body.decode()
    assert "พบ <strong>0</strong>" in html
    assert html.count("ไม่มีค่า") <= 1, html.count("ไม่มีค่า")  # was one "no values" line per group, ten in all
    _, _, body = bundled_server.get("/?q=" + quote("ตาก"))
    assert "ไม่มีค่า" not in body.decode()  # a group with no value for this search is left out, not listed empty


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("ยาเสพติต -กัญชา", "ยาเสพติด -กัญชา"), ('"ยาเสพติต"', '"ยาเสพติด"'), ("ยาเสพติต พ.ศ. 2566", "ยาเสพติด พ.ศ. 2566")],
)
def test_did_you_mean_keeps_the_rest_of_the_query(bundled_server, typed, meant):
    # it was the corrected word alone: following it dropped the exclusion, the quotes, the year
    assert bundled_server.search(typed)["suggestions"] == [meant]


def test_the_json_twins_keep_their_thai_reasons_whatever_the_interface_language(bundled_server):
    # the JSON notices are Thai in every language; its error reasons are too, so a client reads one language
    assert api_error(bundled_server, "/api/search?page=abc&lang=en") == api_error(bundled_server, "/api/search?page=abc")


def test_indexing_files_kb_cannot_read_says_so_instead_of_up_to_date(tmp_path, kb_runner):
    folder = tmp_path / "word"
    folder.mkdir()
    for name in ("a.docx", "b.docx", "c.doc", "notes.txt"):
        (folder / name).write_text("รายงานการประชุม\n\nเนื้อหา\n", encoding="utf-8")
    run = kb_runner("index", str(folder), "--index", str(tmp_path / "ix"))
    assert run.exit_code == 0  # the readable file went in
    assert "skipped 3 files" in run.stderr and ".docx ×2" in run.stderr and ".doc ×1" in run.stderr, run.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    run = kb_runner("index", str(empty), "--index", str(tmp_path / "ix2"))
    assert "no file kb can read" in run.stderr, (run.stdout, run.stderr)


def test_a_corrected_query_is_not_also_offered_as_did_you_mean(bundled_server, bundled_index, kb_runner):
    _, _, body = bundled_server.get("/?q=" + quote("งบประมาน"))
    html = body.decode()
    assert "แสดงผลของ งบประมาณ" in html  # the results already are those of the correction
    assert "หรือคุณหมายถึง" not in html  # so "did you mean งบประมาณ" offered the same page again
    run = kb_runner("search", "งบประมาน", "--index", str(bundled_index))
    assert "แสดงผลของ งบประมาณ" in run.stdout and "did you mean" not in run.stdout
    _, _, body = bundled_server.get("/?q=" + quote('"ยาเสพติต"'))  # quoted: searched as typed, nothing found
    assert "หรือคุณหมายถึง" in body.decode() and 'q=%22ยาเสพติด%22' in body.decode()
