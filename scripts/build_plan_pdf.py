"""Build ``corpus/plans/nspp-2566-2570.pdf`` from the 17 plan Markdown files.

Why this exists: the bundled corpus needs one real PDF with Thai text so the PDF
reader (and its fixes for sara am / tone-mark order) is exercised end to end on
a document we wrote ourselves. The Markdown files stay the source of truth; this
script renders them to simple HTML and prints that with headless Chromium, which
shapes Thai correctly with the TLWG fonts (``apt-get install chromium
fonts-thai-tlwg``). The ``<title>`` element becomes the PDF's metadata title.

Usage::

    python scripts/build_plan_pdf.py            # writes corpus/plans/nspp-2566-2570.pdf
    python scripts/build_plan_pdf.py --html x.html   # also keep the intermediate HTML
"""
from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = ROOT / "corpus" / "plans"
OUTPUT = PLANS_DIR / "nspp-2566-2570.pdf"

TITLE = "นโยบายและแผนระดับชาติว่าด้วยความมั่นคงแห่งชาติ (พ.ศ. ๒๕๖๖ – ๒๕๗๐)"
# The cabinet approved the policy on 4 October 2022; the front page carries that
# date first so date extraction finds it before any other date in the file.
FRONT_PAGE = f"""
<section class="front">
  <h1>{TITLE}</h1>
  <p class="date">ประกาศ ณ วันที่ ๔ ตุลาคม ๒๕๖๕</p>
  <p>ประกอบด้วยนโยบายและแผนความมั่นคง ๑๗ แผน แบ่งเป็นหมวดประเด็นความมั่นคง ๑๓ แผน
  และหมวดประเด็นศักยภาพความมั่นคง ๔ แผน เอกสารฉบับนี้รวบรวมสาระของแต่ละแผน
  ได้แก่ ความเป็นมาและสภาพปัญหา วัตถุประสงค์ เป้าหมายและตัวชี้วัด กลยุทธ์
  และหน่วยงานรับผิดชอบ</p>
  <p class="note">เอกสารประกอบชุดข้อมูลตัวอย่างของโครงการ kb เรียบเรียงจากข้อเท็จจริงสาธารณะ
  มิใช่เอกสารราชการฉบับจริง</p>
</section>
"""

CSS = """
@page { size: A4; margin: 22mm 20mm; }
body { font-family: 'Laksaman', 'Sarabun', 'Garuda', 'Loma', sans-serif;
       font-size: 15pt; line-height: 1.5;
       /* TLWG fonts move tone marks to glyph variants that have no Unicode
          mapping, so a PDF text extractor loses about half of them; without
          'ccmp' the marks keep their code points and still render legibly. */
       font-feature-settings: "ccmp" 0; }
h1 { font-size: 21pt; margin: 0 0 10pt; }
h2 { font-size: 17pt; margin: 14pt 0 4pt; }
h3 { font-size: 15pt; margin: 10pt 0 4pt; }
p, li { margin: 0 0 5pt; }
.front { text-align: center; padding-top: 70mm; page-break-after: always; }
.front .date { font-size: 17pt; }
.front .note { font-size: 12pt; color: #555; margin-top: 40mm; }
.plan { page-break-before: always; }
"""

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ORDERED = re.compile(r"^\d+\.\s+")


def inline(text: str) -> str:
    """Escape text and render the only inline markup the plan files use: **bold**."""
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))


def markdown_to_html(markdown: str) -> str:
    """Convert the small Markdown subset of the plan files (headings, paragraphs,
    bullet and numbered lists, bold) to HTML.

    A full Markdown library would be one more dependency for five constructs.
    """
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def close_paragraph() -> None:
        if paragraph:
            out.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            close_paragraph()
            close_list()
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            close_paragraph()
            close_list()
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            continue
        if line.startswith(("- ", "* ")) or _ORDERED.match(line):
            close_paragraph()
            tag = "ul" if line[0] in "-*" else "ol"
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            item = line[2:] if tag == "ul" else _ORDERED.sub("", line)
            out.append(f"<li>{inline(item)}</li>")
            continue
        close_list()
        paragraph.append(line)
    close_paragraph()
    close_list()
    return "\n".join(out)


def plan_files(plans_dir: Path = PLANS_DIR) -> list[Path]:
    """The 17 plan documents in plan order; fails loudly if one is missing."""
    files = [plans_dir / f"plan-{n:02d}.md" for n in range(1, 18)]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"missing plan files: {', '.join(missing)}")
    return files


def build_html(plans_dir: Path = PLANS_DIR) -> str:
    """The whole policy as one HTML document: front page, then one section per plan."""
    sections = [
        f'<section class="plan">\n{markdown_to_html(f.read_text(encoding="utf-8"))}\n</section>'
        for f in plan_files(plans_dir)
    ]
    return (
        '<!DOCTYPE html>\n<html lang="th">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{TITLE}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{FRONT_PAGE}\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def find_chromium() -> str:
    """Locate a Chromium binary; the PDF cannot be built without one."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("Chromium not found: apt-get install -y chromium fonts-thai-tlwg")


def print_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print an HTML file to PDF with headless Chromium (no header/footer chrome)."""
    with tempfile.TemporaryDirectory(prefix="kb-chromium-") as profile:
        cmd = [
            find_chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium did not write {pdf_path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="PDF to write")
    parser.add_argument("--html", type=Path, help="also keep the intermediate HTML here")
    args = parser.parse_args(argv)

    document = build_html()
    with tempfile.TemporaryDirectory(prefix="kb-plan-pdf-") as tmp:
        html_path = args.html or Path(tmp) / "nspp.html"
        html_path.write_text(document, encoding="utf-8")
        print_pdf(html_path, args.output)
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
