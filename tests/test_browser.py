"""The site in a real browser: Debian's Chromium driven by Playwright against
the real waitress server on a real index of the corpus.

Screenshots land in ``test-artifacts/`` (git-ignored) for a human look.
"""
from __future__ import annotations

import re
import shutil
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.webutil import ARTIFACTS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found on PATH (apt-get install chromium); Playwright cannot download browsers here"),
]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(bundled_server):
    """The app served by waitress on a free local port (the session's live server)."""
    return bundled_server.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    """A fresh desktop page that fails the test on any JS dialog or console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH", accept_downloads=True)
    p = context.new_page()
    problems: list[str] = []
    p.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    p.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    p.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    p.problems = problems
    yield p
    context.close()
    assert not problems, problems


def shot(page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def result_total(page) -> int:
    return int(page.locator(".result-count strong").inner_text())


def test_search_facet_chip_and_paging(server, page):
    page.goto(server + "/")
    everything = result_total(page)
    page.fill("#q", "ชายแดน")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=%E0%B8%8A"))
    total = result_total(page)
    assert 0 < total <= everything
    assert page.locator(".hit").count() == min(10, total)
    assert page.locator(".hit mark").count() > 0
    shot(page, "search-desktop")

    # tick a topic facet: the total becomes that value's count
    link = page.locator(".facet[aria-labelledby=facet-topic] .facet-link").first
    count = int(link.locator(".count").inner_text())
    label = link.locator(".facet-label").inner_text()
    link.click()
    page.wait_for_load_state()
    assert result_total(page) == count <= total
    chip = page.locator("a.chip")
    assert chip.count() == 1 and label in chip.inner_text()
    assert page.locator(".facet-link.is-selected").count() == 1
    shot(page, "search-filtered")

    # remove the chip: back to the query's total
    chip.click()
    page.wait_for_load_state()
    assert result_total(page) == total
    assert page.locator("a.chip").count() == 0

    # page through
    if total > 10:
        first_titles = page.locator(".hit-title").all_inner_texts()
        page.click("a[rel=next]")
        page.wait_for_load_state()
        assert parse_qs(urlsplit(page.url).query)["page"] == ["2"]
        assert set(first_titles).isdisjoint(page.locator(".hit-title").all_inner_texts())
        assert page.locator(".pagination [aria-current=page]").inner_text() == "2"


def test_sort_select_submits_without_a_click(server, page):
    page.goto(server + "/?q=ยาเสพติด")
    page.select_option("#sort", "newest")
    page.wait_for_url(re.compile("sort=newest"))
    assert page.locator("#sort").input_value() == "newest"
    hits = page.locator(".hit").count()
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime')).filter(Boolean)")
    # an empty list would be "sorted" too: every dated hit must be there, and more than one date to order
    assert hits >= 3 and len(dates) == hits, (hits, dates)
    assert len(set(dates)) >= 2, dates
    assert dates == sorted(dates, reverse=True)


def test_province_filter_box_narrows_the_list(server, page):
    page.goto(server + "/")
    box = page.locator("#province-filter")
    assert box.is_visible()
    name = page.locator(".province-group .facet-link").first.get_attribute("data-name")
    box.fill(name)
    visible = page.locator(".province-group li:visible")
    assert visible.count() >= 1
    assert all(name in t for t in visible.all_inner_texts())


def test_document_opens_at_its_top_and_steps_to_the_first_match(server, page):
    # issue 15: the title and metadata stay in view; "ไปยังคำที่พบ (n)" brings the matches
    page.goto(server + "/?q=ค้ามนุษย์")
    page.locator(".hit-title a").first.click()
    page.wait_for_load_state()
    mark = page.locator("#first-match")
    assert mark.count() == 1
    assert page.evaluate("window.scrollY") == 0 and page.locator("table.meta").is_visible()
    page.locator("a.match-step").click()
    page.wait_for_function("() => { const r = document.getElementById('first-match').getBoundingClientRect();"
                           " return r.top >= -2 && r.bottom <= window.innerHeight + 2; }", timeout=3000)
    assert "ค้ามนุษย์" in mark.inner_text()
    assert "สำนักงานสภาความมั่นคงแห่งชาติ" in page.input_value("#citation")
    shot(page, "document")


def test_csv_export_downloads(server, page):
    page.goto(server + "/?q=ชายแดน")
    with page.expect_download() as info:
        page.click("text=CSV")
    download = info.value
    assert download.suggested_filename.startswith("kb-ชายแดน-") and download.suggested_filename.endswith(".csv")
    data = open(download.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "ชายแดน".encode() in data or re.search("[\u0e00-\u0e7f]", data.decode("utf-8-sig"))


def test_xss_query_fires_no_dialog(server, page):
    attack = '<script>alert(1)</script>"><img src=x onerror=alert(2)><svg onload=alert(3)>'
    page.goto(server + "/")
    page.fill("#q", attack)
    page.press("#q", "Enter")
    page.wait_for_load_state()
    assert page.input_value("#q") == attack
    assert "<script>alert(1)</script>" in page.locator(".result-count").inner_text()
    page.goto(server + "/?q=ชายแดน")
    doc_path = page.locator(".hit-title a").first.get_attribute("href").split("?")[0]
    page.goto(server + doc_path + "?q=" + quote(attack))
    assert page.locator("h1").count() == 1
    page.wait_for_timeout(200)
    # the page fixture fails the test if any dialog opened


def test_overview_map_and_charts(server, page):
    page.goto(server + "/stats")
    tiles = page.locator("svg.tile-map a")
    assert tiles.count() == 77
    shot(page, "stats-desktop", full_page=True)
    busiest = max(range(77), key=lambda i: int(re.search(r"(\d+) เอกสาร", tiles.nth(i).locator("title").text_content()).group(1)))
    tiles.nth(busiest).click()
    page.wait_for_load_state()
    assert "province" in parse_qs(urlsplit(page.url).query)
    assert page.locator("a.chip").count() == 1


def test_phone_layout_puts_results_above_facets(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
    p = context.new_page()
    try:
        p.goto(server + "/?q=ชายแดน")
        facets = p.locator(".facets").bounding_box()
        results = p.locator(".results").bounding_box()
        assert results["y"] < facets["y"]  # issue 15: results first in reading order on phones
        assert results["width"] <= 390
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        assert not p.locator(".facets-panel").evaluate("d => d.open")  # folded on phones
        ARTIFACTS.mkdir(exist_ok=True)
        p.screenshot(path=str(ARTIFACTS / "search-phone.png"))
        p.goto(server + "/stats")
        p.screenshot(path=str(ARTIFACTS / "stats-phone.png"), full_page=True)
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_keyboard_reaches_skip_link_and_facets(server, page):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "ข้ามไปยังเนื้อหาหลัก"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.locator(".facet-link").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("a.chip").count() == 1
