"""Render Thai meeting records to page images: the scans of corpus/scans/ and of the OCR tests.

The records below were written for kb (illustrative, not real: roles only, no
names, invented figures). Each is drawn with a Debian TLWG Thai font through
Pillow (with raqm layout when Pillow has it, so marks stack as in print) on
A4 pages at the given dpi; ``degrade`` turns a clean page into a poor scan
(a small rotation, speckle, a little blur). ``python scripts/make_scans.py``
writes the bundled scans: a multi-page TIFF, a PNG, an image-only PDF and a
rotated, noisy PNG. Tests and benchmarks import the functions, so they build
their scans at run time instead of storing binary fixtures.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, features

FONT_DIR = Path("/usr/share/fonts/truetype/tlwg")
FONT = "Norasi.ttf"  # a serif like the body text of printed minutes
POINT_SIZE = 15
#: The fonts the benchmark cycles through, with their sizes (the x-heights differ).
FONTS = (("Norasi.ttf", 15), ("Garuda.ttf", 14), ("Loma.ttf", 15))
A4_INCHES = (8.27, 11.69)
MARGIN_INCHES = 0.8

RECORDS: dict[str, str] = {
    "2567-11-12-nan-border-security-committee": """\
รายงานการประชุมคณะกรรมการความมั่นคงชายแดนจังหวัดน่าน ครั้งที่ ๓/๒๕๖๗
วันอังคารที่ ๑๒ พฤศจิกายน ๒๕๖๗ เวลา ๑๓.๓๐ น.
ณ ห้องประชุมข่วงเมือง ศาลากลางจังหวัดน่าน
ผู้มาประชุม
๑. รองผู้ว่าราชการจังหวัดน่าน ประธานกรรมการ
๒. ผู้บังคับกองร้อยทหารพรานที่ ๓๒๐๔ กรรมการ
๓. ผู้กำกับการตำรวจตระเวนชายแดนที่ ๓๒ กรรมการ
๔. นายอำเภอเฉลิมพระเกียรติ กรรมการ
๕. ปลัดจังหวัดน่าน กรรมการและเลขานุการ
ผู้ไม่มาประชุม
๑. ผู้แทนด่านศุลกากรห้วยโก๋น (ติดราชการ)
เริ่มประชุมเวลา ๑๓.๓๐ น.
ระเบียบวาระที่ ๑ เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ
ประธานแจ้งว่า จุดผ่านแดนถาวรห้วยโก๋นมีผู้สัญจรเพิ่มขึ้นในฤดูเก็บเกี่ยวข้าวโพด
มติที่ประชุม รับทราบ
ระเบียบวาระที่ ๒ เรื่องเพื่อพิจารณา
๒.๑ การลาดตระเวนร่วมตามแนวสันปันน้ำ
ผู้บังคับกองร้อยทหารพรานเสนอให้เพิ่มรอบลาดตระเวนบริเวณดอยภูคาในช่วงหมอกหนา
มติที่ประชุม เห็นชอบให้เพิ่มรอบลาดตระเวนสัปดาห์ละสองครั้ง
๒.๒ ด่านตรวจสัตว์เคลื่อนย้ายข้ามแดน
ที่ประชุมหารือเรื่องการลักลอบนำโคกระบือผ่านช่องทางธรรมชาติบ้านสบปืน
มติที่ประชุม มอบปศุสัตว์อำเภอจัดจุดตรวจร่วมกับฝ่ายปกครอง
ปิดประชุมเวลา ๑๕.๔๐ น.
ผู้จดรายงานการประชุม หัวหน้ากลุ่มงานความมั่นคง ที่ทำการปกครองจังหวัดน่าน
""",
    "2567-12-03-songkhla-fisheries-labour-working-group": """\
รายงานการประชุมคณะทำงานแก้ไขปัญหาแรงงานประมงจังหวัดสงขลา ครั้งที่ ๒/๒๕๖๗
วันอังคารที่ ๓ ธันวาคม ๒๕๖๗ เวลา ๐๙.๐๐ น.
ณ ห้องประชุมศูนย์ควบคุมการแจ้งเข้าออกเรือประมงสงขลา
ผู้มาประชุม
๑. ประมงจังหวัดสงขลา ประธานคณะทำงาน
๒. ผู้แทนจัดหางานจังหวัดสงขลา
๓. ผู้แทนสำนักงานสวัสดิการและคุ้มครองแรงงานจังหวัดสงขลา
๔. ผู้แทนกองทัพเรือภาคที่ ๒
ผู้เข้าร่วมประชุม
ผู้แทนสมาคมประมงสงขลา
ระเบียบวาระที่ ๑ เรื่องเพื่อทราบ
ผลการตรวจเรือประมงพาณิชย์เดือนพฤศจิกายน พบลูกเรือไม่มีเอกสารประจำตัวเจ็ดราย
มติที่ประชุม รับทราบ และให้ติดตามผลการพิสูจน์สัญชาติ
ระเบียบวาระที่ ๒ เรื่องเพื่อพิจารณา
ผู้แทนจัดหางานเสนอให้ตั้งจุดบริการทำบัตรสีชมพูเคลื่อนที่ที่ท่าเทียบเรือแหลมสนอ่อน
มติที่ประชุม เห็นชอบ
ปิดประชุมเวลา ๑๑.๔๕ น.
ผู้จดรายงานการประชุม นักวิชาการประมงชำนาญการ
""",
    "2568-02-18-mukdahan-mekong-river-patrol": """\
รายงานการประชุมศูนย์ประสานงานลาดตระเวนลำน้ำโขงจังหวัดมุกดาหาร ครั้งที่ ๑/๒๕๖๘
วันอังคารที่ ๑๘ กุมภาพันธ์ ๒๕๖๘ เวลา ๑๐.๐๐ น.
ณ ห้องประชุมหน่วยเรือลาดตระเวนมุกดาหาร
ผู้มาประชุม
๑. ผู้บังคับหน่วยเรือลาดตระเวนมุกดาหาร ประธาน
๒. ผู้แทนตำรวจน้ำมุกดาหาร
๓. ผู้แทนด่านตรวจคนเข้าเมืองสะพานมิตรภาพแห่งที่ ๒
ระเบียบวาระที่ ๑ สถานการณ์ในลำน้ำโขง
ระดับน้ำโขงต่ำกว่าปกติ เกิดสันดอนทรายกลางลำน้ำหน้าวัดศรีมงคล ทำให้เรือลาดตระเวนแล่นได้เฉพาะกลางวัน
มติที่ประชุม รับทราบ
ระเบียบวาระที่ ๒ การป้องกันการลักลอบขนยาเสพติดทางเรือ
ที่ประชุมเห็นควรติดตั้งกล้องตรวจการณ์กลางคืนที่ท่าเรือบ้านบางทรายใหญ่
มติที่ประชุม เห็นชอบ และให้รายงานผลในการประชุมครั้งต่อไป
ปิดประชุมเวลา ๑๑.๓๐ น.
ผู้จดรายงานการประชุม เจ้าหน้าที่ประสานงานศูนย์
""",
}


def font(dpi: int, name: str = FONT, points: float = POINT_SIZE) -> ImageFont.FreeTypeFont:
    """The Thai font at ``points`` for a page of ``dpi``; raqm layout when Pillow has it."""
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(FONT_DIR / name), round(points * dpi / 72), layout_engine=engine)


def _wrap(line: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break a line at spaces (Thai puts spaces between phrases) to fit ``width`` pixels."""
    out: list[str] = []
    current = ""
    for word in line.split(" "):
        trial = f"{current} {word}".strip()
        if current and face.getlength(trial) > width:
            out.append(current)
            current = word
        else:
            current = trial
    out.append(current)
    return out


def render_pages(text: str, dpi: int = 300, name: str = FONT, points: float = POINT_SIZE) -> list[Image.Image]:
    """The record as A4 grayscale pages (black text on white) at ``dpi``."""
    face = font(dpi, name, points)
    width, height = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
    margin = round(MARGIN_INCHES * dpi)
    step = round(face.size * 1.7)
    lines = [piece for line in text.splitlines() for piece in _wrap(line, face, width - 2 * margin)]
    pages: list[Image.Image] = []
    page = draw = None
    y = height
    for line in lines:
        if y + step > height - margin:
            page = Image.new("L", (width, height), 255)
            draw = ImageDraw.Draw(page)
            pages.append(page)
            y = margin
        draw.text((margin, y), line, font=face, fill=0)
        y += step
    return pages


def degrade(page: Image.Image, angle: float = 1.5, noise: float = 0.02, seed: int = 14) -> Image.Image:
    """A poor scan of a clean page: rotated by ``angle`` degrees, speckled, slightly blurred."""
    rng = random.Random(seed)
    scan = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    scan = scan.filter(ImageFilter.GaussianBlur(0.6))
    pixels = scan.load()
    for _ in range(int(scan.width * scan.height * noise / 10)):
        x, y = rng.randrange(scan.width), rng.randrange(scan.height)
        pixels[x, y] = 0 if rng.random() < 0.5 else 255
    return scan


def to_bilevel(page: Image.Image) -> Image.Image:
    """1-bit page (what office scanners store); keeps the bundled files small."""
    # A high threshold keeps the thin strokes of Thai tone marks that 1-bit storage would drop.
    return page.convert("L").point(lambda v: 255 if v > 200 else 0).convert("1")


def save_tiff(pages: list[Image.Image], path: Path) -> Path:
    """Multi-page 1-bit TIFF with CCITT group 4 compression."""
    first, *rest = [to_bilevel(p) for p in pages]
    first.save(path, format="TIFF", compression="group4", save_all=True, append_images=rest)
    return path


def save_png(page: Image.Image, path: Path, bilevel: bool = True) -> Path:
    (to_bilevel(page) if bilevel else page.convert("L")).save(path, format="PNG", optimize=True)
    return path


def save_image_pdf(pages: list[Image.Image], path: Path, dpi: int) -> Path:
    """A PDF of page images only, no text layer: what a scanner's "scan to PDF" makes."""
    first, *rest = [to_bilevel(p) for p in pages]
    first.save(path, format="PDF", resolution=dpi, save_all=True, append_images=rest)
    return path


def write_corpus(folder: Path, dpi: int = 300) -> list[Path]:
    """The bundled scans: one record per container format, one of them rotated and noisy."""
    folder.mkdir(parents=True, exist_ok=True)
    names = list(RECORDS)
    written = [
        save_tiff(render_pages(RECORDS[names[0]], dpi), folder / f"{names[0]}.tif"),
        save_png(degrade(render_pages(RECORDS[names[1]], dpi)[0]), folder / f"{names[1]}.png"),
        save_image_pdf(render_pages(RECORDS[names[2]], dpi), folder / f"{names[2]}.pdf", dpi),
    ]
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "corpus" / "scans"
    for written in write_corpus(target):
        print(f"{written} {written.stat().st_size:,} bytes")
