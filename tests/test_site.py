"""Issue 15 through Flask's test client: the researcher's place travels with every
link, pages say honestly where they are, exports are made for people.

Expectations come from the API on the same index (a total, a facet count), never
from fixed corpus numbers.  The same behaviour in a real browser is in
``tests/test_browser_site.py``.
"""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest





def html_of(client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


def hrefs(html: str, prefix: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html) if unescape(h).startswith(prefix)]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def busy_topic(client, q: str) -> tuple[str, int]:
    """A topic with several matches for ``q`` (enough for two pages of 2)."""
    facets = client.get(f"/api/search?q={q}").get_json()["facets"]["topic"]
    best = max(facets, key=lambda fv: fv["count"])
    assert best["count"] >= 3, facets
    return best["value"], best["count"]


# --- 1. state that travels ----------------------------------------------------------


def test_result_links_carry_query_filters_sort_and_page(client):
    topic, _ = busy_topic(client, "ชายแดน")
    search = f"/?q=ชายแดน&topic={topic}&sort=oldest&limit=2&page=2"
    doc_links = hrefs(html_of(client, search), "/doc/")
    assert doc_links
    for link in doc_links:
        assert query_of(link) == {"q": ["ชายแดน"], "topic": [topic], "sort": ["oldest"], "limit": ["2"], "page": ["2"]}
        assert "#" not in link  # the document opens at its top


def test_back_to_results_returns_to_the_same_page_of_the_same_search(client):
    topic, _ = busy_topic(client, "ชายแดน")
    search = f"/?q=ชายแดน&topic={topic}&sort=oldest&limit=2&page=2"
    doc_link = hrefs(html_of(client, search), "/doc/")[0]
    doc = html_of(client, doc_link)
    back = re.search(r'<p class="breadcrumb"><a href="([^"]+)"', doc).group(1)
    assert query_of(unescape(back)) == query_of(search)
    assert urlsplit(unescape(back)).path == "/"


def test_document_page_counts_matches_and_numbers_each_one(client):
    hit = client.get("/api/search?q=ค้ามนุษย์").get_json()["hits"][0]
    doc = html_of(client, f"/doc/{hit['id']}?q=ค้ามนุษย์")
    marks = re.findall(r'<mark id="([^"]+)" class="match" data-match="(\d+)">', doc)
    assert marks and marks[0][0] == "first-match"
    assert [int(n) for _, n in marks] == list(range(1, len(marks) + 1))
    assert f"ไปยังคำที่พบ ({len(marks)})" in doc
    assert len({ident for ident, _ in marks}) == len(marks)  # ids are unique


def test_document_page_survives_a_stale_remembered_search(client):
    hit = client.get("/api/search?q=ค้ามนุษย์").get_json()["hits"][0]
    doc = html_of(client, f"/doc/{hit['id']}?q=ค้ามนุษย์&plan=999&page=0")
    back = unescape(re.search(r'<p class="breadcrumb"><a href="([^"]+)"', doc).group(1))
    assert query_of(back) == {"q": ["ค้ามนุษย์"]}


# --- 2. honest pages ----------------------------------------------------------------


def test_past_the_last_page_says_so_and_links_the_last_page(client):
    d = client.get("/api/search?q=ยาเสพติด").get_json()
    pages = -(-d["total"] // d["limit"])
    html = html_of(client, "/?q=ยาเสพติด&page=99")
    assert "ไม่พบเอกสาร" not in html
    assert "เลยหน้าสุดท้าย" in html
    last = [h for h in hrefs(html, "/?") if "last-page" in html.split(h.replace("&", "&amp;"))[0][-40:]]
    assert last and query_of(last[0])["page"] == [str(pages)]


def test_page_zero_is_answered_in_thai(client):
    html = html_of(client, "/?q=ยาเสพติด&page=0", status=400)
    message = re.search(r"<p>ค่าของพารามิเตอร์ <code>page</code> ไม่ถูกต้อง: ([^<]+)</p>", html).group(1)
    assert re.search("[\u0e00-\u0e7f]", message) and not re.search("must|between|got", message)


def test_sort_box_shows_the_real_order_of_an_empty_query(client):
    html = html_of(client, "/")
    select = re.search(r'<select id="sort".*?</select>', html, re.S).group(0)
    assert re.search(r"<option [^>]*selected[^>]*>ใหม่ที่สุด</option>", select)  # newest first, as it is
    assert "เกี่ยวข้องที่สุด" not in select  # nothing to be relevant to (the value sent stays the default)
    with_query = re.search(r'<select id="sort".*?</select>', html_of(client, "/?q=ชายแดน"), re.S).group(0)
    assert 'value="relevance" selected' in with_query


def test_range_line_and_page_sizes(client):
    d = client.get("/api/search?q=ยาเสพติด&limit=20&page=1").get_json()
    html = html_of(client, "/?q=ยาเสพติด&limit=20")
    assert f"แสดง 1–{min(20, d['total'])} จาก {d['total']}" in html
    sizes = re.search(r'<select id="limit".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="(\d+)"', sizes) == ["10", "20", "50"]
    assert 'value="20" selected' in sizes
    second = html_of(client, "/?q=ยาเสพติด&limit=10&page=2")
    assert f"แสดง 11–{min(20, d['total'])} จาก {d['total']}" in second


def test_long_tag_lists_fold(client):
    # the national policy PDF carries many tags: at most TAGS_SHOWN show, the rest fold under "+n"
    from web.present import TAGS_SHOWN

    hit = max(client.get("/api/search?limit=100").get_json()["hits"],
              key=lambda h: len(h["plans"]) + len(h["provinces"]) + len(h["topics"]))
    n = len(hit["plans"]) + len(hit["provinces"]) + len(hit["topics"])
    assert n > TAGS_SHOWN
    html = html_of(client, "/?limit=100")
    assert f'<span aria-hidden="true">+{n - TAGS_SHOWN}</span>' in html


# --- 4. exports for people ----------------------------------------------------------


def csv_rows(client, url: str) -> list[list[str]]:
    import csv
    import io

    r = client.get(url)
    assert r.status_code == 200, url
    return list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))


def test_csv_speaks_thai_by_default_with_be_dates_labels_links_and_snippets(client):
    from web.present import thai_date

    api = client.get("/api/search?q=ชายแดน&limit=100").get_json()
    rows = csv_rows(client, "/export.csv?q=ชายแดน")
    header, body = rows[0], rows[1:]
    assert header[:3] == ["รหัสเอกสาร", "ชื่อเอกสาร", "วันที่ (ค.ศ. ISO)"] and all(re.search("[\u0e00-\u0e7f]", h) for h in header[1:])
    col = {name: i for i, name in enumerate(header)}
    assert len(body) == api["total"]
    by_id = {h["id"]: h for h in api["hits"]}
    for row in body:
        hit = by_id.get(row[col["รหัสเอกสาร"]])
        if hit is None:
            continue
        assert row[col["วันที่ (พ.ศ.)"]] == (thai_date(hit["date"]) if hit["date"] else "")
        assert row[col["ประเภทเอกสาร"]] not in ("meeting", "news", "plan")
        assert row[col["หน้าเอกสารในคลัง"]] == f"/doc/{hit['id']}"
        assert row[col["ข้อความที่พบ"]] and "<mark>" not in row[col["ข้อความที่พบ"]]
        assert not re.search(r"\b(north|northeast|south|central)\b", row[col["ภาค"]])


def test_csv_in_english_keeps_codes_for_scripts(client):
    rows = csv_rows(client, "/export.csv?q=ชายแดน&lang=en")
    header = rows[0]
    assert header[:5] == ["id", "title", "date", "type", "url"] and {"date_be", "page_url", "snippet"} <= set(header)
    assert {row[header.index("type")] for row in rows[1:]} <= {"meeting", "news", "plan", "other"}


def test_exports_carry_the_security_region_and_sub_region(client):
    """Issue 15: region4 and the sub-region are columns, last so older columns keep their places;
    Thai labels under Thai headers, the keys under English ones; the same cells in the .xlsx."""
    from kb.facets import facet

    api = client.get("/api/search?q=ตาก&limit=100").get_json()
    thai, en = csv_rows(client, "/export.csv?q=ตาก"), csv_rows(client, "/export.csv?q=ตาก&lang=en")
    assert thai[0][-2:] == [facet("region4").title, facet("subregion").title] and en[0][-2:] == ["region4", "subregion"]
    by_id = {h["id"]: h for h in api["hits"]}
    tak = [r for r in en[1:] if "ตาก" in by_id[r[0]]["provinces"]]
    assert tak and all("north" in r[-2].split(";") and "lower-north" in r[-1].split(";") for r in tak)
    thai_rows = {r[0]: r for r in thai[1:]}
    for row in tak:
        assert "ภาคเหนือ" in thai_rows[row[0]][-2].split(";") and "ภาคเหนือตอนล่าง" in thai_rows[row[0]][-1].split(";")


def test_xlsx_export_holds_the_same_rows_as_text(client):
    import io

    from openpyxl import load_workbook

    r = client.get("/export.xlsx?q=ชายแดน")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "kb-%E0%B8%8A" in r.headers["Content-Disposition"] and ".xlsx" in r.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.data)).active
    cells = [[c.value or "" for c in row] for row in sheet.iter_rows()]
    assert cells == csv_rows(client, "/export.csv?q=ชายแดน")


def test_export_names_carry_query_and_date(client):
    from datetime import date

    from web.sheets import file_stem

    assert file_stem("ชายแดน ตาก", date(2026, 12, 6)) == "kb-ชายแดน-ตาก-2026-12-06"
    assert file_stem("", date(2026, 12, 6)) == "kb-export-2026-12-06"
    assert file_stem('../"\r\nevil', date(2026, 12, 6)) == "kb-evil-2026-12-06"
    disposition = client.get("/export.csv?q=ชายแดน").headers["Content-Disposition"]
    assert date.today().isoformat() in disposition and "%E0%B8%8A%E0%B8%B2%E0%B8%A2" in disposition


# --- 7. bilingual interface ---------------------------------------------------------


def test_english_interface_by_parameter_then_cookie(app):
    client = app.test_client()
    thai = html_of(client, "/?q=ยาเสพติด")
    assert '<html lang="th">' in thai and "ตัวกรอง" in thai and ">English</a>" in thai
    english = client.get("/?q=ยาเสพติด&lang=en")
    assert "kb_lang=en" in english.headers.get("Set-Cookie", "")
    page = english.get_data(as_text=True)
    assert '<html lang="en">' in page and ">Filters<" in page and "Showing 1–" in page and ">ภาษาไทย</a>" in page
    again = html_of(client, "/stats")  # the cookie remembers the choice
    assert '<html lang="en">' in again and "Documents by province" in again
    back = html_of(client, "/?lang=th")
    assert '<html lang="th">' in back and html_of(client, "/").count('<html lang="th">') == 1


def test_english_facet_values_come_from_the_taxonomy_data(app):
    from kb import taxonomy

    client = app.test_client()
    page = html_of(client, "/?lang=en&province=ตาก")
    tak = next(p for p in taxonomy.provinces() if p["name"] == "ตาก")
    assert f"{tak['name_en']} <span" in page or tak["name_en"] in page
    for t in taxonomy.topics():
        assert t["label_en"] in page or t["key"] not in page  # every topic shown is in English
    assert all(r.get("label_en") for r in taxonomy.regions())
    assert all(p.get("short_en") for p in taxonomy.plans())
    assert all(t.get("label_en") for t in taxonomy.doc_types())
    assert all(a.get("label_en") for a in taxonomy.agencies())
    nsc = next(a for a in taxonomy.agencies() if a["abbr"] == "สมช.")
    assert nsc["label_en"] in html_of(client, "/?lang=en&agency=สมช.")


def test_document_page_speaks_english_with_english_dates(app):
    client = app.test_client()
    hit = client.get("/api/search?q=ยาเสพติด&sort=newest").get_json()["hits"][0]
    thai = html_of(client, f"/doc/{hit['id']}?q=ยาเสพติด&lang=th")
    english = html_of(client, f"/doc/{hit['id']}?q=ยาเสพติด&lang=en")
    assert "กลับไปผลการค้น" in thai and "วันที่" in thai
    assert "Back to results" in english and ">Date<" in english and ">Related documents<" in english
    assert "กลับไปผลการค้น" not in english and ">วันที่<" not in english
    y, m, d = (int(x) for x in hit["date"].split("-"))
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    assert f"{d} {months[m - 1]} {y} (B.E. {y + 543})" in english
    assert f"{d} {months[m - 1]} {y}" not in thai
    assert hit["title"] in english  # documents stay Thai


def test_help_and_map_titles_in_english(app):
    client = app.test_client()
    help_en = html_of(client, "/help?lang=en")
    assert ">How to search</h1>" in help_en and "Access: Public" in help_en and "Sign in with a token" in help_en
    assert ">วิธีค้น</h1>" in html_of(client, "/help?lang=th")
    stats = html_of(client, "/stats?lang=en")
    assert re.search(r"<title>Bangkok: \d+ documents</title>", stats)
    assert re.search(r"<title>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d: \d+ documents</title>", stats)
    assert "เอกสาร</title>" not in stats


def test_english_query_words_in_the_english_interface(app):
    client = app.test_client()
    english = client.get("/api/search?q=trafficking&lang=en").get_json()
    thai = client.get("/api/search?q=การค้ามนุษย์").get_json()
    assert english["total"] > 0 and {h["id"] for h in english["hits"]} & {h["id"] for h in thai["hits"]}
    page = html_of(client, "/?lang=en&q=trafficking")
    assert "Showing 1–" in page and english["hits"][0]["id"] in page.replace("<wbr>", "")


def test_every_interface_text_has_an_english_entry():
    from pathlib import Path

    from web.i18n import catalogue

    templates = Path(__file__).resolve().parent.parent / "web" / "templates"
    wrapped = set()
    for name in ("base.html", "search.html", "stats.html", "doc.html", "help.html"):
        wrapped |= set(re.findall(r"""_\(["']([^"']+)["']""", (templates / name).read_text(encoding="utf-8")))
    missing = sorted(wrapped - set(catalogue()))
    assert not missing, missing


# --- 6. regions ---------------------------------------------------------------------


def test_both_region_schemes_are_data_covering_every_province_once():
    from kb import taxonomy

    names = sorted(p["name"] for p in taxonomy.provinces())
    security = taxonomy.region_schemes()["security-4"]["regions"]
    assert sorted(n for r in security for n in r["provinces"]) == names
    north = next(r for r in security if r["key"] == "north")["provinces"]
    assert {"ตาก", "พิษณุโลก"} <= set(north)  # the northern border drug meetings in Tak are northern here
    assert taxonomy.region_of("ตาก") == "west"  # and western in the official scheme the facet follows
    lower = next(s for s in taxonomy.subregions() if s["label"] == "ภาคเหนือตอนล่าง")["provinces"]
    assert {"ตาก", "พิษณุโลก"} <= set(lower)
    assert set(lower) <= set(names)


def test_region_facet_names_its_scheme(client):
    from kb import taxonomy

    scheme = taxonomy.region_schemes()[taxonomy.DEFAULT_REGION_SCHEME]
    assert scheme["label"] in html_of(client, "/?lang=th")
    assert scheme["label_en"] in html_of(client, "/?lang=en")


def test_security_scheme_facet_puts_tak_in_the_north(client):
    from kb import taxonomy

    every = client.get("/api/search?limit=100").get_json()
    tak = [h for h in every["hits"] if "ตาก" in h["provinces"]]
    assert tak and all("west" in h["regions"] for h in tak)  # the official scheme keeps Tak in the West
    north6 = client.get("/api/search?region=north&limit=100").get_json()
    north4 = client.get("/api/search?region4=north&limit=100").get_json()
    ids6, ids4 = {h["id"] for h in north6["hits"]}, {h["id"] for h in north4["hits"]}
    assert {h["id"] for h in tak} <= ids4 and not {h["id"] for h in tak if "north" not in h["regions"]} & ids6
    counts = {v["value"]: v["count"] for v in every["facets"]["region4"]}
    assert set(counts) <= {"north", "northeast", "central", "south"} and counts["north"] == north4["total"]
    html = html_of(client, "/?region4=north")
    assert taxonomy.region_schemes()["security-4"]["label"] in html
    assert "4 security regions" in html_of(client, "/?lang=en")


def test_security_region_values_of_a_document_built_at_test_time():
    from types import SimpleNamespace

    from kb.facets import facet

    region4 = facet("region4")
    assert region4.document_values(SimpleNamespace(provinces=["ตาก"], regions=["west"])) == ["north"]
    # a region the text names (not one of its provinces') folds into the security scheme
    assert region4.document_values(SimpleNamespace(provinces=["ตาก"], regions=["west", "east"])) == ["north", "central"]
    assert region4.document_values(SimpleNamespace(provinces=[], regions=["south"])) == ["south"]

    from kb.params import BadParameter

    with pytest.raises(BadParameter):
        region4.parse(["west"])  # the West is not a region of the security scheme


def test_region_words_in_a_query_filter_in_the_security_scheme(client):
    from kb.search.parsing import parse

    tak = {h["id"] for h in client.get("/api/search?q=ยาเสพติด&province=ตาก&limit=100").get_json()["hits"]}
    asked = client.get("/api/search?q=ยาเสพติด ภาคเหนือ&limit=100").get_json()
    assert tak and tak <= {h["id"] for h in asked["hits"]}  # Mae Sot's drug meetings are northern
    assert any("กรองตามภาค" in n for n in asked["notices"])
    same = client.get("/api/search?q=ยาเสพติด&region4=north&limit=100").get_json()
    assert [h["id"] for h in same["hits"]] == [h["id"] for h in asked["hits"]]
    assert parse("ยาเสพติด ภาคเหนือ").regions == ["north"]
    # quoted, East/West (not security regions) and long questions keep the words
    for q in ('"ภาคเหนือ"', "ภาคตะวันออก", "ภาคเหนือ มี การ ประชุม เรื่อง ใด บ้าง"):
        assert parse(q).regions == [] and parse(q).clauses, q


def test_sub_region_words_in_a_query_filter_by_the_sub_region_facet(client):
    """Issue 15: ภาคเหนือตอนล่าง in a short query is the subregion filter, as ภาคเหนือ is region4."""
    from kb import taxonomy
    from kb.search.parsing import parse

    assert (parse("ยาเสพติด ภาคเหนือตอนล่าง").subregions, parse("ยาเสพติด ภาคเหนือตอนล่าง").regions) == (["lower-north"], [])
    assert parse("อีสานตอนบน").subregions == ["upper-northeast"]
    assert parse('"ภาคเหนือตอนล่าง"').subregions == [] and parse('"ภาคเหนือตอนล่าง"').clauses
    asked = client.get("/api/search?q=ยาเสพติด ภาคเหนือตอนล่าง&limit=100").get_json()
    assert any("ภาคย่อย" in n for n in asked["notices"])
    same = client.get("/api/search?q=ยาเสพติด&subregion=lower-north&limit=100").get_json()
    assert asked["hits"] and [h["id"] for h in same["hits"]] == [h["id"] for h in asked["hits"]]
    lower = set(next(s for s in taxonomy.subregions() if s["key"] == "lower-north")["provinces"])
    every = client.get("/api/search?q=ยาเสพติด&limit=100").get_json()["hits"]
    by_province = {h["id"] for h in every if lower & set(h["provinces"])}
    assert by_province <= {h["id"] for h in asked["hits"]}  # Tak's and Phitsanulok's drug documents
    counts = {v["value"]: v["count"] for v in asked["facets"]["subregion"]}
    assert counts["lower-north"] == asked["total"]


def test_every_province_is_in_one_sub_region_inside_its_security_region():
    from kb import taxonomy

    subs = taxonomy.subregions()
    names = [p for s in subs for p in s["provinces"]]
    assert sorted(names) == sorted(p["name"] for p in taxonomy.provinces())  # each province exactly once
    security = taxonomy.security_region_by_province()
    assert all(security[p] == s["region4"] for s in subs for p in s["provinces"])
    assert {"ภาคเหนือตอนบน", "ภาคเหนือตอนล่าง", "ภาคตะวันออกเฉียงเหนือตอนบน", "ภาคตะวันออกเฉียงเหนือตอนล่าง",
            "ภาคใต้ตอนบน", "ภาคใต้ตอนล่าง", "ภาคกลางตอนบน", "ภาคกลางตอนล่าง"} <= {s["label"] for s in subs}
    assert all(s.get("label_en") for s in subs)


# --- 5. the overview follows the search ---------------------------------------------


def test_overview_and_its_json_twin_follow_the_search(client):
    api = client.get("/api/search?q=ยาเสพติด&limit=100").get_json()
    twin = client.get("/stats.json?q=ยาเสพติด").get_json()
    assert twin["documents"] == api["total"] and twin["facets"] == api["facets"]
    months = {}
    for hit in api["hits"]:
        if hit["date"]:
            months[hit["date"][:7]] = months.get(hit["date"][:7], 0) + 1
    assert {m["month"]: m["count"] for m in twin["months"]} == months
    html = html_of(client, "/stats?q=ยาเสพติด")
    tiles = [h for h in hrefs(html, "/?") if "province=" in h]
    assert tiles and all(query_of(h)["q"] == ["ยาเสพติด"] for h in tiles)  # a click adds a filter, keeps the query
    months_links = [h for h in hrefs(html, "/?") if "month=" in h]
    assert months_links and all(query_of(h)["q"] == ["ยาเสพติด"] for h in months_links)
    assert {query_of(h)["month"][0] for h in months_links} >= months.keys()  # a bar adds a month filter
    whole = client.get("/stats.json").get_json()
    assert whole["documents"] == client.get("/api/stats").get_json()["documents"]


def test_the_timeline_is_the_month_facet_counted_like_every_facet(client):
    """Issue 15: months are a registry facet; /stats's timeline and its twin read it, and a chosen
    month keeps its neighbours' counts (counted as if its own selection were removed)."""
    from kb.facets import facet
    from web.i18n import MONTHS_EN

    every = client.get("/api/search?limit=100").get_json()
    by_month = {v["value"]: v["count"] for v in every["facets"]["month"]}
    assert sum(by_month.values()) == sum(1 for h in every["hits"] if h["date"])
    busiest = max(by_month, key=by_month.get)
    chosen = client.get(f"/api/search?month={busiest}&limit=100").get_json()
    assert chosen["total"] == by_month[busiest] and all(h["date"].startswith(busiest) for h in chosen["hits"])
    assert {v["value"]: v["count"] for v in chosen["facets"]["month"]} == by_month  # neighbours stay
    twin = client.get(f"/stats.json?month={busiest}").get_json()
    assert {m["month"]: m["count"] for m in twin["months"]} == by_month
    be = f"{int(busiest[:4]) + 543}{busiest[4:]}"  # B.E. months are accepted
    assert client.get(f"/api/search?month={be}").get_json()["total"] == by_month[busiest]
    assert client.get("/api/search?month=2568-13").status_code == 400
    html = html_of(client, f"/?month={busiest}")
    assert facet("month").label(busiest) in html  # the chip: มี.ค. 2568
    en = html_of(client, f"/?month={busiest}&lang=en")
    assert f"{MONTHS_EN[int(busiest[5:]) - 1]} {busiest[:4]}" in en


# --- search notices in both languages (issue 15) ------------------------------------------

THAI = re.compile("[\u0e00-\u0e7f]")


def notices_of(html: str) -> list[str]:
    return [unescape(n) for n in re.findall(r'<p class="notice" role="status">(.*?)</p>', html, re.S)]


@pytest.mark.parametrize("q,english", [
    ("น้ำท่วม พ.ศ. 2567", "Filtered by year: 2024 (B.E. 2567)."),
    ("ยาเสพติด ภาคเหนือ", "Filtered by region (4 security regions): North."),
    ("ยาเสพติด ภาคเหนือตอนล่าง", "Filtered by sub-region: Lower North."),
    ("ยาเสพติต", "Showing results for ยาเสพติด."),
    ("!!!", "The query has no letters or digits to search for"),
])
def test_search_notices_speak_the_interface_language(client, q, english):
    thai = client.get(f"/api/search?q={q}&lang=en").get_json()["notices"]
    assert thai and all(THAI.search(n) for n in thai)  # the JSON keeps its Thai notices
    shown = notices_of(html_of(client, f"/?q={q}&lang=en"))
    assert any(n.startswith(english) for n in shown), shown
    assert not [n for n in shown if THAI.search(n.replace("ยาเสพติด", ""))], shown  # only the corrected word stays Thai
    assert notices_of(html_of(client, f"/?q={q}&lang=th")) == thai


def test_every_notice_the_searcher_makes_has_a_code_with_english(client):
    """Each ``Notice("code", …)`` in kb/ has English; a plain string notice would stay Thai, so none is left."""
    from pathlib import Path

    from web.i18n import NOTICES_EN

    root = Path(__file__).resolve().parent.parent / "kb"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    codes = set(re.findall(r'Notice\(\s*"([a-z_]+)"', source))
    assert codes and codes <= set(NOTICES_EN), codes - set(NOTICES_EN)
    assert not re.findall(r'notices\.append\(f?"', source)  # every notice is made as a Notice


def test_a_notice_is_its_thai_text_and_keeps_its_code_when_copied():
    import copy
    import json
    import pickle

    from kb.notices import Notice

    n = Notice("year_filter", "กรองตามปี พ.ศ. 2567", years=[2024])
    assert n == "กรองตามปี พ.ศ. 2567" and json.dumps([n], ensure_ascii=False) == '["กรองตามปี พ.ศ. 2567"]'
    for again in (copy.deepcopy(n), pickle.loads(pickle.dumps(n))):
        assert (again, again.code, again.params) == (n, "year_filter", {"years": [2024]})


def test_partial_matches_are_explained_in_english_in_english(client):
    q = "ตรัง"  # one document holds it only inside another word in the bundled corpus
    assert any(h.get("partial") for h in client.get(f"/api/search?q={q}&limit=100").get_json()["hits"])
    thai, en = html_of(client, f"/?q={q}&limit=50"), html_of(client, f"/?q={q}&limit=50&lang=en")
    assert "พบเป็นส่วนหนึ่งของคำอื่น" in thai and "พบเป็นส่วนหนึ่งของคำอื่น" not in en
    assert "found as part of another word" in en and any(n.startswith("Few documents hold the query") for n in notices_of(en))


# --- chips that came from query words (issue 15) -------------------------------------------


def chip_links(html: str) -> dict[str, str]:
    """Each filter chip's label → its removal link."""
    found = re.findall(r'<a class="chip" href="([^"]+)"[^>]*>\s*<span class="chip-facet">[^<]*</span>\s*([^<]*?)\s*<span', html)
    return {unescape(label): unescape(href) for href, label in found}


@pytest.mark.parametrize("q,label,word", [
    ("ยาเสพติด ภาคเหนือ", "ภาคเหนือ", "ภาคเหนือ"),
    ("ยาเสพติด ภาคเหนือตอนล่าง", "ภาคเหนือตอนล่าง", "ภาคเหนือตอนล่าง"),
    ("น้ำท่วม พ.ศ. 2567", "2567", "2567"),
])
def test_removing_a_chip_that_came_from_the_query_keeps_it_removed(client, q, label, word):
    chips = chip_links(html_of(client, f"/?q={q}"))
    assert label in chips, chips
    after = html_of(client, chips[label])
    assert label not in chip_links(after), chip_links(after)  # the filter does not come back
    removed_q = query_of(chips[label])["q"][0]
    assert f'"{word}' in removed_q or f'{word}"' in removed_q  # the word is now searched as text
    assert not [n for n in notices_of(after) if n.startswith("กรองตาม")]
    # the other chips of the search survive the removal
    both = chip_links(html_of(client, "/?q=ยาเสพติด ภาคเหนือ พ.ศ. 2567"))
    if label in both:
        rest = chip_links(html_of(client, both[label]))
        assert set(rest) == set(both) - {label}, (rest, both)


def test_api_stats_months_are_the_month_facet_and_agree_with_the_index(client, app):
    from kb.search import months

    from web import catalog

    data = client.get("/api/stats").get_json()
    with app.app_context():
        counted = [{"month": m, "count": n} for m, n in months(catalog().index)]
    assert data["months"] == counted  # the facet machinery and a direct count agree
    assert {v["value"] for v in data["facets"]["month"]} == {m["month"] for m in counted}


def test_sub_region_values_of_a_document_built_at_test_time():
    from types import SimpleNamespace

    from kb.facets import facet

    sub = facet("subregion")
    assert sub.document_values(SimpleNamespace(provinces=["ตาก", "ยะลา"], title="", text="")) == ["lower-north", "lower-south"]
    # a sub-region the text names counts without a province of it
    named = SimpleNamespace(provinces=[], title="แผนพัฒนา", text="พื้นที่ภาคตะวันออกเฉียงเหนือตอนบน และอีสานตอนล่าง")
    assert sub.document_values(named) == ["upper-northeast", "lower-northeast"]
    assert sub.document_values(SimpleNamespace(provinces=[], title="ภาคเหนือ", text="")) == []  # a whole region is not one
