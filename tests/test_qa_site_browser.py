"""QA of issues 4 and 15 in a real browser (Debian Chromium through Playwright, the real
waitress server on the bundled corpus), at 1400 and 390 px, with and without JavaScript.

Each test was written for a defect found by using the site and failed on the code before its fix.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.test_browser import CHROMIUM, browser, server  # noqa: F401 - shared fixtures
from tests.test_browser_site import view  # noqa: F401 - the width × JavaScript matrix

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found on PATH (apt-get install chromium)"),
]


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_query_typed_on_the_front_page_is_ranked_by_relevance(view, server):  # noqa: F811
    view.goto(server + "/")
    view.fill("#q", "ยาเสพติด")
    view.press("#q", "Enter")
    view.wait_for_url(re.compile("q="))
    assert params(view.url).get("sort", ["relevance"]) == ["relevance"]
    assert view.locator("#sort option:checked").inner_text() == "เกี่ยวข้องที่สุด"
    expected = [h["id"] for h in view.request.get(server + "/api/search?q=" + quote("ยาเสพติด")).json()["hits"]]
    shown = [urlsplit(a).path.removeprefix("/doc/") for a in view.locator(".hit-title a").evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    assert [s.replace("%20", " ") for s in shown] == expected


def test_a_meeting_record_page_obeys_the_content_security_policy(browser, server):  # noqa: F811
    """With the policy enforced (no ``bypass_csp``): no violation, and the outline's own styles apply."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    hits = page.request.get(server + "/api/search?type=meeting&limit=50").json()["hits"]
    doc_id = next(h["id"] for h in hits if page.request.get(server + "/api/documents/" + quote(h["id"])).json().get("sections"))
    page.goto(server + "/doc/" + quote(doc_id) + "?q=" + quote("ยาเสพติด"))
    padding = page.evaluate("getComputedStyle(document.querySelector('.outline-items')).paddingLeft")
    context.close()
    assert not errors, errors
    assert padding != "40px"  # the browser's default list indent: the outline's rule did not apply


def test_back_to_results_lands_on_the_result_that_was_opened(view, server):  # noqa: F811
    search = server + "/?q=" + quote("ยาเสพติด") + "&sort=oldest&page=2"
    view.goto(search)
    opened = view.locator(".hit").nth(7)
    title = opened.locator(".hit-title a").inner_text()
    opened.locator(".hit-title a").click()
    view.wait_for_url(re.compile("/doc/"))
    view.locator(".breadcrumb a").click()
    view.wait_for_url(re.compile(r"page=2"))
    assert params(view.url) == params(search)
    back = view.locator(".hit").nth(7)
    assert back.locator(".hit-title a").inner_text() == title
    box, height = back.bounding_box(), view.viewport_size["height"]
    assert view.evaluate("scrollY") > 0 and 0 <= box["y"] < height, (box, height)


AXE_SCRIPT = """async () => {
    const r = await axe.run(document, {resultTypes: ['violations']});
    return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""
QA_AXE_PAGES = ("/signin?lang=en", "/?q=" + quote("ยาเสพดิด"),
                "/doc/meetings/2566-11-28-phitsanulok-nspp-lower-north-follow-up.txt?section=resolution&q=" + quote("ประชุม"))
ERROR_PAGES = ("/?q=x&page=abc&lang=en", "/doc/no/such?lang=en")


def axe_or_skip():
    from tests.test_browser_site import AXE

    if not AXE.exists():
        pytest.skip("axe-core not installed: scripts/test.sh runs `npm install --prefix .cache/npm axe-core@4`")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", QA_AXE_PAGES)
def test_axe_on_the_pages_this_qa_changed(view, server, path):  # noqa: F811
    axe = axe_or_skip()
    if not view.js:
        pytest.skip("axe runs as a script in the page")
    view.goto(server + path)
    view.add_script_tag(content=axe)
    found = view.evaluate(AXE_SCRIPT)
    assert not found, (path, found)


@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("path", ERROR_PAGES)
def test_axe_on_the_english_error_pages(browser, server, path, width):  # noqa: F811
    axe = axe_or_skip()
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="th-TH", bypass_csp=True)
    page = context.new_page()
    response = page.goto(server + path)
    assert response.status in (400, 404)
    page.add_script_tag(content=axe)
    found = page.evaluate(AXE_SCRIPT)
    context.close()
    assert not found, (path, found)


MARKER_JS = """() => [...document.querySelectorAll('.facets-panel > summary, .facet-more > summary')]
    .filter(s => s.offsetParent !== null)
    .map(s => [s.textContent.trim().slice(0, 24), getComputedStyle(s).display,
               getComputedStyle(s, '::before').content, getComputedStyle(s, '::marker').content])
    .filter(([, display, before]) => display !== 'list-item' && (before === 'none' || before === 'normal'))"""


def test_what_unfolds_says_so_on_a_phone(view, server):  # noqa: F811
    """A phone's filter panel and its "อื่น ๆ อีก n รายการ" lists are <details>: the 44 px rule made
    their summaries flex boxes, which drops the disclosure triangle, so nothing said they open."""
    view.goto(server + "/?q=" + quote("ชายแดน"))
    if view.width < 700:
        view.click(".facets-panel > summary")
    unmarked = view.evaluate(MARKER_JS)
    assert not unmarked, unmarked


def test_a_search_from_the_form_has_a_clean_shareable_url(view, server):  # noqa: F811
    """Empty date boxes are not sent: the address to copy is /?q=…&sort=…&limit=…, not …&from=&to=."""
    if not view.js:
        pytest.skip("without JavaScript the browser sends every field of the form")
    view.goto(server + "/?q=" + quote("ชายแดน"))
    view.fill("#q", "ยาเสพติด")
    view.press("#q", "Enter")
    view.wait_for_url(re.compile("q=%E0%B8%A2"))
    sent = urlsplit(view.url).query.split("&")
    assert not [p for p in sent if p.endswith("=")], sent


def test_the_desktop_filter_heading_is_no_tab_stop(view, server):  # noqa: F811
    """On a wide screen the filter panel's summary is only a heading (it cannot close): after
    "ข้ามไปยังตัวกรอง" the next Tab must reach the first filter, not a control that does nothing."""
    if view.width < 700 or not view.js:
        pytest.skip("the summary is a real control on phones, and without JavaScript")
    view.goto(server + "/?q=" + quote("ชายแดน"))
    view.locator('a.skip-link[href="#filters"]').focus()
    view.keyboard.press("Enter")
    view.keyboard.press("Tab")
    assert view.evaluate("document.activeElement.classList.contains('facet-link')"), view.evaluate("document.activeElement.outerHTML.slice(0, 80)")


def test_changing_the_order_keeps_the_url_clean_too(view, server):  # noqa: F811
    if not view.js:
        pytest.skip("the order box submits itself only with JavaScript")
    view.goto(server + "/?q=" + quote("ชายแดน"))
    view.select_option("#sort", "oldest")
    view.wait_for_url(re.compile("sort=oldest"))
    sent = urlsplit(view.url).query.split("&")
    assert not [p for p in sent if p.endswith("=")], sent
