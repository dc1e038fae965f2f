"""Partner access in a real browser (Playwright + Debian's Chromium, issue 17):
sign in with a token, see the badge and restricted results, sign out and see
them gone; a partner who edits the URL still cannot reach an internal document."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.accessutil import LEVEL_ORDER, build_index, write_corpus
from tests.conftest import run_kb
from tests.test_browser import CHROMIUM, LAUNCH_ARGS, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found on PATH (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from tests.webutil import LiveServer

    root = tmp_path_factory.mktemp("access-browser")
    index = build_index(write_corpus(root / "corpus", LEVEL_ORDER), root / "index").root
    token = run_kb("tokens", "create", "--name", "uni-a", "--access", "partner", "--index", str(index),
                   check_exit=0).stdout.strip()
    server = LiveServer(index, threads=4)
    yield server.url, token
    server.close()


@pytest.fixture()
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
        p = context.new_page()
        problems: list[str] = []
        p.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        yield p
        context.close()
        browser.close()
        assert not problems, problems


def test_sign_in_badge_restricted_results_sign_out(site, page):
    url, token = site
    page.goto(url + "/?q=vexpartnerwolf")
    assert page.locator("#access-badge").get_attribute("data-level") == "public"
    assert "partner-brief-01" not in page.content()

    page.click("#signin-link")
    page.fill("#token", token)
    page.click("#signin-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#access-badge").get_attribute("data-level") == "partner"
    assert "uni-a" in page.locator("#access-badge").inner_text()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["kb_session"]["httpOnly"] and cookies["kb_session"]["sameSite"] == "Strict"

    page.goto(url + "/?q=vexpartnerwolf")
    assert page.locator(".hit").count() == 2
    shot(page, "access-partner-results")

    # editing the URL to an internal document: the same 404 as a missing one
    response = page.goto(url + "/doc/" + quote("internal-brief-09"))
    assert response.status == 404 and "zyginternalowl" not in page.content()
    response = page.goto(url + "/api/documents/internal-brief-09")
    assert response.status == 404
    response = page.goto(url + "/?q=zyginternalowl&province=" + quote("นราธิวาส"))
    assert "internal-brief-09" not in page.content()

    page.goto(url + "/")
    page.click("#signout")
    page.wait_for_load_state()
    assert page.locator("#access-badge").get_attribute("data-level") == "public"
    page.goto(url + "/?q=vexpartnerwolf")
    assert page.locator(".hit").count() == 0
    assert "partner-brief-01" not in page.content()


def test_a_wrong_token_is_refused_on_the_page(site, page):
    url, _ = site
    page.goto(url + "/signin")
    page.fill("#token", "0" * 12 + "." + "A" * 32)
    page.click("#signin-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#signin-error").is_visible()
    assert page.locator("#access-badge").get_attribute("data-level") == "public"
    assert re.search(r"/signin$", page.url)
