"""The site as a researcher uses it, after many sessions of engine work (QA of issues 4 and 15).

Each test here was written for a defect seen in a real browser on the bundled corpus and
failed on the code before its fix.  Expectations come from the API on the same index.
"""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest


def html_of(client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


def search_form_fields(html: str) -> list[tuple[str, str]]:
    """What the search form sends as it stands: its inputs and each select's selected option."""
    form = re.search(r'<form class="search-form".*?</form>', html, re.S).group(0)
    fields: list[tuple[str, str]] = []
    for tag in re.finditer(r"<input\b[^>]*>|<select\b.*?</select>", form, re.S):
        text = tag.group(0)
        name = re.search(r'name="([^"]+)"', text)
        if not name:
            continue
        if text.startswith("<select"):
            options = re.findall(r'<option value="([^"]*)"( selected)?', text)
            chosen = [v for v, sel in options if sel] or [options[0][0]]
            fields.append((name.group(1), unescape(chosen[0])))
        else:
            value = re.search(r'value="([^"]*)"', text)
            fields.append((name.group(1), unescape(value.group(1)) if value else ""))
    return fields


def ids_of(client, url: str) -> list[str]:
    return [h["id"] for h in client.get(url).get_json()["hits"]]


# --- the sort box of the front page ----------------------------------------------------


def test_a_query_typed_on_the_front_page_is_ranked_by_relevance(client):
    """The front page (no query) shows its real order, newest first; typing a query there and
    pressing Enter must still rank by relevance, not send ``sort=newest`` along."""
    fields = [(k, "ยาเสพติด" if k == "q" else v) for k, v in search_form_fields(html_of(client, "/"))]
    sent = dict(fields)
    assert sent.get("sort", "relevance") == "relevance", fields
    relevance = ids_of(client, "/api/search?" + urlencode({"q": "ยาเสพติด"}))
    assert ids_of(client, "/api/search?" + urlencode(fields)) == relevance
    assert relevance != ids_of(client, "/api/search?" + urlencode({"q": "ยาเสพติด", "sort": "newest"}))


def test_the_front_page_sort_box_still_shows_newest_first(client):
    html = html_of(client, "/")
    select = re.search(r'<select id="sort".*?</select>', html, re.S).group(0)
    selected = re.search(r"<option [^>]*selected[^>]*>([^<]+)</option>", select).group(1)
    assert selected == "ใหม่ที่สุด"
    assert "เกี่ยวข้องที่สุด" not in select  # nothing to be relevant to


def test_an_explicit_order_chosen_without_a_query_is_kept_when_one_is_typed(client):
    for order in ("newest", "oldest"):
        sent = dict(search_form_fields(html_of(client, f"/?sort={order}")))
        assert sent["sort"] == order


# --- English interface: error pages and sign-in ----------------------------------------

THAI = re.compile("[\u0e00-\u0e7f]+")


def thai_shown(html: str) -> list[str]:
    """Thai text a reader of the English interface sees: the page without its language switch
    (the one element marked ``lang="th"``)."""
    html = re.sub(r'<a [^>]*lang="th"[^>]*>.*?</a>', "", html, flags=re.S)
    return THAI.findall(re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S))


@pytest.mark.parametrize("url,status", [
    ("/?q=x&page=abc", 400),
    ("/?q=x&page=0", 400),
    ("/?q=x&page=5000&limit=50", 400),
    ("/?limit=many", 400),
    ("/?province=Atlantis", 400),
    ("/?agency=XYZ", 400),
    ("/?topic=nothing", 400),
    ("/?plan=99", 400),
    ("/?year=abc", 400),
    ("/?month=2568-13", 400),
    ("/?from=2568-02-30", 400),
    ("/?from=yesterday", 400),
    ("/?from=2568-05-01&to=2568-01-01", 400),
    ("/?sort=alphabetical", 400),
    ("/?section=minutes", 400),
    ("/?q=x&q=%00", 400),
    ("/doc/no/such/document", 404),
    ("/stats?type=memo", 400),
])
def test_error_pages_speak_english_in_the_english_interface(client, url, status):
    html = html_of(client, url + "&lang=en" if "?" in url else url + "?lang=en", status=status)
    assert '<html lang="en">' in html
    assert not thai_shown(html), thai_shown(html)
    assert "(%d)" % status in html


def test_error_pages_stay_thai_in_the_thai_interface(client):
    html = unescape(html_of(client, "/?province=Atlantis", status=400))
    assert "<p>ค่าของพารามิเตอร์ <code>province</code> ไม่ถูกต้อง: ไม่รู้จักจังหวัด 'Atlantis'</p>" in html
    assert "กลับไปหน้าค้นหา" in html
    english = unescape(html_of(client, "/?province=Atlantis&lang=en", status=400))
    assert "<p>The value of the parameter <code>province</code> is not valid: unknown province 'Atlantis'</p>" in english


def test_the_json_error_of_a_bad_parameter_is_unchanged_by_the_interface_language(client):
    thai = client.get("/api/search?page=abc").get_json()
    assert client.get("/api/search?page=abc&lang=en").get_json() == thai
    assert thai["error"]["param"] == "page" and THAI.search(thai["error"]["message"])


def test_the_sign_in_page_speaks_english_in_the_english_interface(client):
    html = html_of(client, "/signin?lang=en")
    assert not thai_shown(html), thai_shown(html)
    wrong = client.post("/signin?lang=en", data={"token": "kb_wrong", "csrf_token": "x"})
    assert wrong.status_code in (400, 401)
    assert not thai_shown(wrong.get_data(as_text=True)), thai_shown(wrong.get_data(as_text=True))


def test_every_interface_text_of_every_template_has_an_english_entry():
    from pathlib import Path

    from web.i18n import catalogue

    wrapped = set()
    for template in (Path(__file__).resolve().parent.parent / "web" / "templates").glob("*.html"):
        wrapped |= set(re.findall(r"""_\(["']([^"']+)["']""", template.read_text(encoding="utf-8")))
    missing = sorted(wrapped - set(catalogue()))
    assert not missing, missing


def test_every_reason_for_refusing_a_parameter_is_a_notice_with_english():
    """A ``BadParameter`` reason written as a plain string would show in Thai on the English error page."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "kb"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    plain = re.findall(r"""raise BadParameter\([^,]+,\s*(?:f?["']|self\.unknown)""", source)
    assert not plain, plain


# --- Content-Security-Policy: no inline style anywhere ----------------------------------


def meeting_record_with_outline(client) -> str:
    hits = client.get("/api/search?type=meeting&limit=50").get_json()["hits"]
    for hit in hits:
        doc = client.get(f"/api/documents/{hit['id']}").get_json()
        if doc.get("sections"):
            return hit["id"]
    pytest.fail("no meeting record with sections in the bundled corpus")


def test_no_page_carries_an_inline_style_the_policy_would_block(client):
    """``style-src 'self'`` blocks every ``<style>`` element and ``style=`` attribute: a meeting
    record's outline styles were inline, so Chromium refused them (a console error) and they never applied."""
    doc_id = meeting_record_with_outline(client)
    assert "'unsafe-inline'" not in client.get("/").headers["Content-Security-Policy"]
    for url in ("/", "/?q=ยาเสพติด", "/stats", "/help", f"/doc/{doc_id}", f"/doc/{doc_id}?q=ยาเสพติด&section=resolution"):
        html = html_of(client, url)
        assert "<style" not in html and " style=" not in html, url


# --- English interface: the last Thai labels --------------------------------------------


def test_the_committee_facet_and_the_section_chip_are_english_in_english(client):
    html = html_of(client, "/?lang=en&type=meeting&section=resolution")
    committee = re.search(r'<h3 id="facet-committee">([^<]+)</h3>', html).group(1)
    assert not THAI.search(committee), committee
    chips = re.search(r'<div class="chips".*?</div>', html, re.S).group(0)
    assert not thai_shown(chips), thai_shown(chips)


def test_the_window_title_of_a_search_reads_in_english(client):
    title = unescape(re.search(r"<title>([^<]+)</title>", html_of(client, "/?q=ยาเสพติด&lang=en")).group(1))
    assert title.startswith("ยาเสพติด — ") and not THAI.search(title.removeprefix("ยาเสพติด")), title
    assert "Results for ·" not in title
    thai = unescape(re.search(r"<title>([^<]+)</title>", html_of(client, "/?q=ยาเสพติด&lang=th")).group(1))
    assert thai.startswith("ยาเสพติด — ผลการค้น")


def test_the_english_timeline_labels_its_years_as_its_bars_do(client):
    """The bars' titles say "Jan 2025" in English: the axis under them must count the same years."""
    html = html_of(client, "/stats?lang=en")
    svg = re.search(r'<svg class="timeline-chart".*?</svg>', html, re.S).group(0)
    bar_years = {int(y) for y in re.findall(r"<title>[A-Z][a-z]{2} (\d{4}):", svg)}
    ticks = [int(t) for t in re.findall(r'font-size="11" fill="#333">(\d{4})</text>', svg)]
    assert ticks and set(ticks) <= bar_years, (ticks, sorted(bar_years))
    thai = re.search(r'<svg class="timeline-chart".*?</svg>', html_of(client, "/stats?lang=th"), re.S).group(0)
    assert [int(t) for t in re.findall(r'font-size="11" fill="#333">(\d{4})</text>', thai)] == [t + 543 for t in ticks]


def test_the_copy_button_says_copied_in_the_interface_language(client):
    doc_id = client.get("/api/search?q=ยาเสพติด").get_json()["hits"][0]["id"]
    for lang, done in (("en", "Copied"), ("th", "คัดลอกแล้ว")):
        html = html_of(client, f"/doc/{doc_id}?lang={lang}")
        button = re.search(r'<button [^>]*class="js-copy"[^>]*>', html).group(0)
        assert f'data-done="{done}"' in button, button


# --- keeping one's place ---------------------------------------------------------------


def test_back_to_results_returns_to_the_result_that_was_opened(client):
    """"‹ กลับไปผลการค้น" leads to the same page of results *at the result the reader opened*,
    not at the top of the page."""
    search = "/?q=ยาเสพติด&sort=oldest&limit=5&page=2"
    page = html_of(client, search)
    links = [unescape(h) for h in re.findall(r'<h2 class="hit-title"><a href="([^"]+)"', page)]
    opened = links[3]
    back = unescape(re.search(r'<p class="breadcrumb"><a href="([^"]+)"', html_of(client, opened)).group(1))
    path, _, fragment = back.partition("#")
    assert parse_qs(urlsplit(path).query) == parse_qs(urlsplit(search).query), back
    ids = [unescape(i) for i in re.findall(r'<li class="hit" id="([^"]+)"', page)]
    assert fragment and unquote(fragment) == ids[3], (fragment, ids)


def test_a_meeting_section_link_keeps_the_whole_search(client):
    """A result's "มติ 2 …" link opens the document at that section *and* remembers the search
    (filters, sort, page) for "back to results", as the title link does."""
    search = "/?q=ประชุม&type=meeting&section=resolution&sort=oldest&limit=2&page=2"
    page = html_of(client, search)
    sections = [unescape(h) for h in re.findall(r'<a class="hit-section" href="([^"]+)"', page)]
    assert sections, "no section links on the page"
    for link in sections:
        query = link.split("?", 1)[1].split("#")[0]
        for pair in ("type=meeting", "section=resolution", "sort=oldest", "limit=2", "page=2"):
            assert pair in query.split("&"), (pair, link)


def test_a_related_document_remembers_the_search_for_back_to_results(client):
    """Following "เอกสารที่เกี่ยวข้อง" from a document must not lose the reader's search: its
    "back to results" still leads to the same results page."""
    search = "/?q=ยาเสพติด&type=meeting&sort=oldest&limit=2&page=2"
    first = unescape(re.search(r'<h2 class="hit-title"><a href="([^"]+)"', html_of(client, search)).group(1))
    doc = html_of(client, first)
    related = re.search(r'<section class="related".*?</section>', doc, re.S).group(0)
    links = [unescape(h) for h in re.findall(r'href="(/doc/[^"]+)"', related)]
    assert links, "no related documents"
    for link in links:
        back = unescape(re.search(r'<p class="breadcrumb"><a href="([^"#]+)', html_of(client, link)).group(1))
        assert parse_qs(urlsplit(back).query) == parse_qs(urlsplit(search).query), (link, back)


# --- kb serve on a port already taken ---------------------------------------------------


def test_serve_on_a_busy_port_says_so_without_a_traceback(bundled_index):
    """Another program (or a second ``kb serve``) holds the port: one clear line naming the
    address and the reason, exit status 1, and no "http://…  Ctrl+C to stop" promise before it."""
    import os
    import socket
    import subprocess
    import sys

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        run = subprocess.run([sys.executable, "-m", "kb.cli", "serve", "--index", str(bundled_index), "--port", str(port)],
                             capture_output=True, text=True, timeout=300, env=env)
    finally:
        holder.close()
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert f"127.0.0.1:{port}" in run.stderr and "Ctrl+C" not in run.stderr, run.stderr


# --- the help page: the same examples in both languages, and they do what they say ------


def help_queries(client, lang: str) -> list[str]:
    from urllib.parse import parse_qs as qs

    html = html_of(client, f"/help?lang={lang}")
    return [qs(urlsplit(unescape(h)).query)["q"][0] for h in re.findall(r'href="(/\?q=[^"]+)"', html)]


def test_the_english_help_gives_every_example_the_thai_help_gives(client):
    """Spacing, synonyms, corrections, parts of words, numbers: a reader of the English help
    gets the same worked examples as a reader of the Thai one."""
    thai, english = help_queries(client, "th"), help_queries(client, "en")
    missing = [q for q in thai if q not in english]
    assert not missing, missing


def test_the_help_examples_do_what_the_help_says(client):
    def api(q: str) -> dict:
        return client.get("/api/search?" + urlencode({"q": q})).get_json()

    for q in set(help_queries(client, "th")) | set(help_queries(client, "en")):
        assert api(q)["total"] > 0, q
    assert api("แรงงานต่างด้าวระนอง")["total"] == api("แรงงานต่างด้าว ระนอง")["total"]  # spaces or not
    for typo, meant in (("งบประมาน", "งบประมาณ"), ("ยาเสพติต", "ยาเสพติด")):  # corrections
        assert api(typo)["suggestions"][:1] == [meant], typo


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_help_names_every_filter_of_the_sidebar(client, lang):
    """Every sidebar group (and the date range) is explained on the help page of each language."""
    from kb.facets import sidebar
    from web.i18n import FACET_TITLES_EN

    html = html_of(client, f"/help?lang={lang}")
    body = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", re.search(r"<article.*?</article>", html, re.S).group(0))))
    if lang == "en":
        names = {f.name: FACET_TITLES_EN[f.name].split(" (")[0].lower() for f in sidebar()} | {"date": "date range"}
        body = body.lower()
    else:
        names = {f.name: f.title.split(" (")[0] for f in sidebar()} | {"date": "ช่วงวันที่"}
    missing = {k: v for k, v in names.items() if v not in body}
    assert not missing, missing


def test_one_document_is_not_one_documents_in_english(client):
    busiest = max(client.get("/api/search?limit=1").get_json()["facets"]["month"], key=lambda fv: fv["count"])
    one = next(fv for fv in client.get("/api/search?limit=1").get_json()["facets"]["province"] if fv["count"] == 1)
    search = html_of(client, "/?lang=en&" + urlencode({"province": one["value"]}))
    assert re.search(r"Found <strong>1</strong> document\b(?!s)", search), re.search(r"Found.{0,40}", search).group(0)
    stats = html_of(client, "/stats?lang=en&" + urlencode({"province": one["value"]}))
    assert ": 1 documents<" not in stats and ": 1 document<" in stats
    assert f": {busiest['count']} documents<" in html_of(client, "/stats?lang=en")
    assert "พบ <strong>1</strong> เอกสาร" in html_of(client, "/?lang=th&" + urlencode({"province": one["value"]}))


# --- a corrected query: no "did you mean" the page already shows; a way back to what was typed


@pytest.mark.parametrize("q,typed", [("ยาเสพดิด", "ยาเสพดิด"), ("งบประมาน", "งบประมาน"), ("ยาเสพดิด ชายแดน", "ยาเสพดิด")])
def test_a_corrected_search_offers_what_was_typed_not_what_it_shows(client, q, typed):
    api = client.get("/api/search?" + urlencode({"q": q})).get_json()
    assert any("แสดงผลของ" in n for n in api["notices"]), api["notices"]
    html = html_of(client, "/?" + urlencode({"q": q}))
    for s in api["suggestions"]:  # "หรือคุณหมายถึง X" for the X already shown is no suggestion
        shown = client.get("/api/search?" + urlencode({"q": s})).get_json()
        if [h["id"] for h in shown["hits"]] == [h["id"] for h in api["hits"]]:
            assert "หรือคุณหมายถึง" not in html, s
    link = re.search(r'<p class="suggestions">[^<]*<a href="([^"]+)"', html)
    assert link, "no link to search for what was typed"
    literal = parse_qs(urlsplit(unescape(link.group(1))).query)["q"][0]
    assert f'"{typed}"' in literal
    again = client.get("/api/search?" + urlencode({"q": literal})).get_json()
    assert not any("แสดงผลของ" in n for n in again["notices"])  # searched as typed this time


# --- exports in the interface language ---------------------------------------------------


def export_link(html: str, ext: str) -> str:
    return unescape(re.search(rf'href="(/export\.{ext}[^"]*)"', html).group(1))


def test_the_english_interface_exports_english_spreadsheets(client):
    """A partner who chose English (remembered by the cookie, so no ``lang`` in the page URL)
    and presses "CSV" or "Excel" gets English headers, as ``?lang=en`` gives."""
    from io import BytesIO

    from openpyxl import load_workbook

    html_of(client, "/?lang=en")  # the choice, then pages without the parameter
    page = html_of(client, "/?q=ตาก")
    csv_head = client.get(export_link(page, "csv")).get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert csv_head.startswith("id,") and not THAI.search(csv_head), csv_head
    sheet = load_workbook(BytesIO(client.get(export_link(page, "xlsx")).data)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert not any(THAI.search(str(h)) for h in header), header
    thai_page = html_of(client, "/?q=ตาก&lang=th")
    thai_head = client.get(export_link(thai_page, "csv")).get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert thai_head.startswith("รหัสเอกสาร,"), thai_head


def test_removing_a_chip_on_the_overview_stays_on_the_overview(client):
    html = html_of(client, "/stats?q=ยาเสพติด&type=meeting&year=2024")
    chips = [unescape(h) for h in re.findall(r'<a class="chip" href="([^"]+)"', html)]
    assert len(chips) == 2
    for link in chips:
        assert urlsplit(link).path == "/stats", link
        assert parse_qs(urlsplit(link).query)["q"] == ["ยาเสพติด"]
    html_of(client, chips[0])
    search = html_of(client, "/?q=ยาเสพติด&type=meeting")
    assert all(urlsplit(unescape(h)).path == "/" for h in re.findall(r'<a class="chip" href="([^"]+)"', search))


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_bad_date_typed_in_the_form_keeps_the_rest_of_the_search(client, lang):
    """The date boxes take free text: a slip (2567-13) must not throw the reader's query and
    filters away; the 400 page links to the same search without the refused value."""
    html = html_of(client, f"/?q=ยาเสพติด&type=meeting&from=2567-13&to=&sort=oldest&lang={lang}", status=400)
    links = [unescape(h) for h in re.findall(r'<a class="retry" href="([^"]+)"', html)]
    assert len(links) == 1, links
    query = parse_qs(urlsplit(links[0]).query)
    assert urlsplit(links[0]).path == "/" and "from" not in query
    assert query["q"] == ["ยาเสพติด"] and query["type"] == ["meeting"] and query["sort"] == ["oldest"]
    html_of(client, links[0])  # and it answers
    stats = html_of(client, f"/stats?q=ยาเสพติด&month=2568-13&lang={lang}", status=400)
    assert urlsplit(unescape(re.search(r'<a class="retry" href="([^"]+)"', stats).group(1))).path == "/stats"


def test_a_missing_document_page_links_nowhere_it_came_from(client):
    html = html_of(client, "/doc/no/such/document?page=abc", status=404)
    assert 'class="retry"' not in html and "no/such/document" not in html
