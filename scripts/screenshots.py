"""Regenerate ``docs/screenshots/``: the main pages at 1400 px and 390 px, in Thai and English.

Run from the repository root after ``scripts/test.sh`` has set up the venv::

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

It indexes the bundled corpus into a temporary folder (the same index the tests
use), serves it with waitress on a free local port and drives Debian's Chromium
through Playwright.  Nothing is downloaded.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIDTHS = {"desktop": (1400, 900), "phone": (390, 844)}
LANGS = ("th", "en")
PAGES = {
    "search": "/?q=" + quote("ยาเสพติด"),
    "filtered": "/?q=" + quote("ชายแดน") + "&topic=border&sort=newest",
    "stats": "/stats?q=" + quote("ยาเสพติด"),
    "subregion": "/?q=" + quote("ยาเสพติด ภาคเหนือตอนล่าง"),  # a query word as a filter: its chip and notice
    "help": "/help",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNG files")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("screenshots: no chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from tests.webutil import LiveServer, corpus_index

    args.out.mkdir(parents=True, exist_ok=True)
    server = LiveServer(corpus_index())
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
            for width_name, (width, height) in WIDTHS.items():
                for lang in LANGS:
                    shoot(browser, server.url, args.out, width_name, width, height, lang)
            browser.close()
    finally:
        server.close()
    return 0


def shoot(browser, base: str, out: Path, width_name: str, width: int, height: int, lang: str) -> None:
    """Every page of ``PAGES`` and one document page, at one width in one language."""
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 700,
                                  device_scale_factor=1, locale="th-TH" if lang == "th" else "en-GB")
    page = context.new_page()
    for name, path in PAGES.items():
        sep = "&" if "?" in path else "?"
        page.goto(f"{base}{path}{sep}lang={lang}")
        target = out / f"{name}-{width_name}-{lang}.png"
        page.screenshot(path=str(target), full_page=name == "stats")  # the overview is the one page whose whole length matters
        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    page.goto(f"{base}{PAGES['search']}&lang={lang}")
    page.locator(".hit-title a").first.click()
    page.wait_for_load_state()
    target = out / f"document-{width_name}-{lang}.png"
    page.screenshot(path=str(target))
    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    context.close()


if __name__ == "__main__":
    raise SystemExit(main())
