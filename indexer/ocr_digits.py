"""Second reading of Thai digits, which Tesseract's Thai model reads worst.

Measured on rendered minutes: ``tha`` reads ๖ ๗ ๘ ๙ as ๒ ๓ ๕ or drops them
(๒๕๖๗ → ๒๕๒๕, ๐๙.๓๐ → ๐๕.๓๐), whatever the font, dpi or character whitelist.
Dates, meeting numbers and times — what a researcher searches by — are exactly
those digits. So the words Tesseract returns as numbers (from its TSV boxes)
are read again here: the word image is cut into glyphs at blank columns and
each glyph is matched against the ten Thai digits drawn with the Debian TLWG
fonts (Laksaman is metric-compatible with TH Sarabun, the font of Thai
government documents). A word is replaced only when every glyph matches a
digit or separator clearly; otherwise Tesseract's reading stays.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL.Image import Image

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
FONT_DIR = Path("/usr/share/fonts/truetype/tlwg")
TEMPLATE_FONTS = ("Laksaman.ttf", "Garuda.ttf", "Loma.ttf", "Norasi.ttf", "Kinnari.ttf", "Sawasdee.ttf",
                  "TlwgTypo.ttf", "Umpush.ttf", "Waree.ttf")
_SIZE = (16, 20)  # width, height every glyph is scaled to before matching
_MIN_SCORE = 0.55  # correlation below which a glyph is "not clearly a digit"
_NUMERIC = re.compile(r"[๐-๙0-9/.:,\-]")
_SEPARATORS = "/.:,-"


@dataclass
class WordBox:
    """One word of Tesseract's TSV: its text and box on the page image."""

    text: str
    left: int
    top: int
    width: int
    height: int
    line: tuple = ()  # (block, paragraph, line) numbers: words of one printed line share it


def looks_numeric(word: str) -> bool:
    """A word Tesseract read as (mostly) Thai digits: a date, a meeting number, a time."""
    if not re.search("[๐-๙]", word):
        return False
    return sum(1 for c in word if _NUMERIC.match(c)) >= 0.6 * len(word)


@cache
def _templates() -> tuple[list[str], np.ndarray]:
    """(labels, unit vectors) of every Thai digit in every installed template font."""
    from PIL import Image as PILImage, ImageDraw, ImageFont

    labels, vectors = [], []
    for name in TEMPLATE_FONTS:
        path = FONT_DIR / name
        if not path.exists():
            continue
        face = ImageFont.truetype(str(path), 64)
        for digit in THAI_DIGITS + "/":
            canvas = PILImage.new("L", (128, 128), 255)
            ImageDraw.Draw(canvas).text((20, 20), digit, font=face, fill=0)
            ink = np.asarray(canvas) < 128
            glyph = _normalise(ink)
            if glyph is not None:
                labels.append(digit)
                vectors.append(glyph)
    return labels, np.array(vectors)


def _normalise(ink: np.ndarray) -> np.ndarray | None:
    """The glyph's tight box scaled to _SIZE, as a zero-mean unit vector (None when empty)."""
    from PIL import Image as PILImage

    rows, cols = np.nonzero(ink)
    if rows.size == 0:
        return None
    box = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    scaled = PILImage.fromarray((box * 255).astype(np.uint8)).resize(_SIZE, PILImage.Resampling.BILINEAR)
    vector = np.asarray(scaled, dtype=np.float64).ravel()
    vector -= vector.mean()
    norm = np.linalg.norm(vector)
    return vector / norm if norm else None


def _glyphs(ink: np.ndarray) -> list[np.ndarray]:
    """The word image cut at blank columns, each piece trimmed to its ink."""
    filled = ink.any(axis=0)
    pieces, start = [], None
    for x, on in enumerate(list(filled) + [False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            pieces.append(ink[:, start:x])
            start = None
    return pieces


def read_digits(page_ink: np.ndarray, box: WordBox) -> str | None:
    """The number inside ``box`` read glyph by glyph, or None when any glyph is unclear."""
    word = page_ink[box.top:box.top + box.height, box.left:box.left + box.width]
    glyphs = [g for g in _glyphs(word) if g.any()]
    if not glyphs:
        return None
    heights = [int(np.ptp(np.nonzero(g.any(axis=1))[0])) + 1 for g in glyphs]
    tall = max(heights)
    labels, vectors = _templates()
    out = []
    for glyph, height in zip(glyphs, heights):
        if glyph.sum() < (0.08 * tall) ** 2:
            continue  # a speck of scanner noise, smaller than any full stop
        if height < 0.35 * tall:  # a full stop between digits: small, and on the baseline
            rows = np.nonzero(glyph.any(axis=1))[0]
            on_baseline = rows.min() > 0.5 * glyph.shape[0]
            out.append("." if glyph.shape[1] < 0.5 * tall and on_baseline else None)
        elif glyph.shape[1] > 1.3 * tall:
            return None  # touching glyphs: cannot be cut at a blank column
        else:
            vector = _normalise(glyph)
            scores = vectors @ vector if vector is not None else np.array([0.0])
            best = int(np.argmax(scores))
            out.append(labels[best] if scores[best] >= _MIN_SCORE else None)
        if out[-1] is None:
            return None
    return "".join(out)


#: Latin letters Tesseract gives for a Thai day of the month ("วันศุกร์ที่ od ธันวาคม" for ๑๖).
_LATIN_LOOKALIKE = re.compile(r"^[A-Za-z0-9«»]{1,3}$")
_TONE_MARKS = re.compile("[\u0e48-\u0e4b]")


def _before_a_month(boxes: list[WordBox], index: int) -> bool:
    """Whether the words after ``boxes[index]`` on its line begin a Thai month name (tone marks,
    which OCR adds and drops, left out of the comparison)."""
    from kb.thai import MONTHS_FULL

    line = boxes[index].line
    after = _TONE_MARKS.sub("", "".join(b.text for b in boxes[index + 1:index + 8] if b.line == line))
    return len(after) >= 3 and any(after.startswith(_TONE_MARKS.sub("", month)[:3]) for month in MONTHS_FULL)


def _numeric_runs(boxes: list[WordBox]) -> list[list[WordBox]]:
    """Neighbouring numeric boxes of one line: Tesseract boxes Thai text piece by piece. A short
    Latin word just before a month name is a day read as letters and is read again too."""
    runs: list[list[WordBox]] = []
    for index, box in enumerate(boxes):
        numeric = bool(box.text) and all(_NUMERIC.match(c) for c in box.text)
        if not numeric and _LATIN_LOOKALIKE.match(box.text) and _before_a_month(boxes, index):
            runs.append([box])
            runs.append([])
            continue
        if not numeric:
            runs.append([])
            continue
        last = runs[-1] if runs else []
        if last and last[-1].line == box.line and box.left - (last[-1].left + last[-1].width) < box.height:
            last.append(box)
        else:
            runs.append([box])
    return [run for run in runs if run and (any(c in THAI_DIGITS for b in run for c in b.text)
                                            or _LATIN_LOOKALIKE.match(run[0].text))]


def _grown(ink: np.ndarray, run: list[WordBox]) -> WordBox:
    """The union box of a run, widened by at most one glyph over ink that touches it
    (a digit Tesseract dropped: ๒๕๖๗ read as ๒๕๒)."""
    usual = sorted(b.height for b in run)[len(run) // 2]
    kept = [b for b in run if b.height <= 1.5 * usual] or run  # one tall box must not stretch the line
    top = min(b.top for b in kept)
    bottom = max(b.top + b.height for b in kept)
    left = min(b.left for b in run)
    right = max(b.left + b.width for b in run)
    height = max(1, bottom - top)
    columns = ink[top:bottom].any(axis=0)
    reach = round(1.2 * height)  # about one digit
    gap = max(2, height // 5)  # blank columns that end a number (a space is wider)
    for step in (-1, 1):
        x = left - 1 if step < 0 else right
        blank, edge = 0, None
        while 0 <= x < columns.size and blank < gap and abs(x - (left if step < 0 else right)) <= reach:
            if columns[x]:
                blank, edge = 0, x
            else:
                blank += 1
            x += step
        if edge is not None and blank >= gap:  # only a glyph that ends before the next gap
            left, right = (min(left, edge), right) if step < 0 else (left, max(right, edge + 1))
    return WordBox("".join(b.text for b in run), left, top, right - left, bottom - top, run[0].line)


def reread_numbers(page: Image, text: str, boxes: list[WordBox]) -> str:
    """``text`` with each number Tesseract read replaced by its glyph-by-glyph reading.

    Numbers are replaced in reading order from a moving cursor, so one that
    appears twice is corrected where Tesseract put it; a number whose glyphs are
    not all clear is left as Tesseract read it.
    """
    ink = np.asarray(page.convert("L")) < 128
    cursor = 0
    for run in _numeric_runs(boxes):
        box = _grown(ink, run)
        at = text.find(box.text, cursor)
        if at < 0:
            continue
        reading = read_digits(ink, box)
        if reading and reading != box.text:
            text = text[:at] + reading + text[at + len(box.text):]
            cursor = at + len(reading)
        else:
            cursor = at + len(box.text)
    return text


