"""Page clean-up before OCR: straighten a slightly rotated scan and binarize it.

Tesseract's line finder tolerates little skew; a page fed through a scanner
1–2° off loses words at line ends and merges lines (measured in
benchmarks/bench_ocr.py). The angle is found by a projection-profile search:
text lines of a straight page give a row-sum profile with sharp peaks and
valleys, so the angle whose rotated page has the most "peaky" profile (the
largest sum of squared differences between neighbouring rows) is the skew.
numpy and Pillow only; no OpenCV.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL.Image import Image

#: The search covers scans up to this many degrees off; beyond it a page is "rotated", not skewed.
MAX_SKEW = 5.0
#: Smaller angles are left alone: rotating costs a resample that blurs thin Thai marks.
MIN_CORRECTION = 0.3
_WORK_WIDTH = 1000  # pixels; the angle is searched on a reduced copy


def otsu_threshold(gray: np.ndarray) -> int:
    """The grey level that best separates ink from paper (Otsu's method)."""
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    weight_dark = np.cumsum(histogram)
    weight_light = total - weight_dark
    mass_dark = np.cumsum(histogram * levels)
    mean_dark = mass_dark / np.maximum(weight_dark, 1)
    mean_light = (mass_dark[-1] - mass_dark) / np.maximum(weight_light, 1)
    between = weight_dark * weight_light * (mean_dark - mean_light) ** 2
    return int(np.argmax(between))


def needs_binarizing(page: Image) -> bool:
    """Whether the paper is not white (grey, yellowed, shadowed): then Tesseract's own
    thresholding loses faint marks and ours helps. On white paper, measured in
    benchmarks/bench_ocr.py, an extra Otsu pass costs more than it gains (CER 2.5 %
    vs 2.3 % over all conditions, 7.2 % vs 4.3 % on a speckled 150-dpi page)."""
    gray = np.asarray(page.convert("L"))
    return float(np.median(gray)) < 200


def binarize(page: Image) -> Image:
    """Black ink on white paper (mode "L", values 0/255); speckle of a noisy scan falls away."""
    from PIL import Image as PILImage

    gray = np.asarray(page.convert("L"))
    threshold = otsu_threshold(gray)
    return PILImage.fromarray(np.where(gray > threshold, 255, 0).astype(np.uint8), mode="L")


def _profile_score(mask: Image, angle: float) -> float:
    rotated = np.asarray(mask.rotate(angle, resample=0, expand=False, fillcolor=0), dtype=np.float64)
    rows = rotated.sum(axis=1)
    return float(np.sum(np.diff(rows) ** 2))


def estimate_skew(page: Image) -> float:
    """The angle (degrees, counter-clockwise positive as in ``Image.rotate``) that straightens the page."""
    from PIL import Image as PILImage

    gray = page.convert("L")
    if gray.width > _WORK_WIDTH:
        gray = gray.resize((_WORK_WIDTH, max(1, round(gray.height * _WORK_WIDTH / gray.width))),
                           PILImage.Resampling.BILINEAR)
    pixels = np.asarray(gray)
    ink = (pixels <= otsu_threshold(pixels)).astype(np.uint8) * 255
    if ink.mean() < 0.5:  # an empty page has no lines to straighten
        return 0.0
    mask = PILImage.fromarray(ink, mode="L")
    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=lambda a: _profile_score(mask, a))
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    return round(float(max(fine, key=lambda a: _profile_score(mask, a))), 2)


def deskew(page: Image) -> Image:
    """The page rotated straight (white fill at the corners), or the page itself when straight enough."""
    from PIL import Image as PILImage

    angle = estimate_skew(page)
    if abs(angle) < MIN_CORRECTION:
        return page
    gray = page.convert("L")
    return gray.rotate(angle, resample=PILImage.Resampling.BICUBIC, expand=True, fillcolor=255)


#: A page is read as two columns only when a white gutter this wide (a share of the text's width)
#: runs the whole height of the text between 30 % and 70 % of its width, with at least a fifth of
#: the ink on each side: Tesseract's one-column mode (``--psm 4``) reads such a page across both
#: columns, line by line, and mixes them into nonsense.
MIN_GUTTER = 0.03
_NOISE = 0.005  # ink in a gutter column up to this share of the text's height is speckle


def column_cut(page: Image) -> int | None:
    """Where to cut a two-column page into its columns (an x in pixels), or None."""
    ink = np.asarray(page.convert("L")) < 128
    per_column = ink.sum(axis=0)
    inked = np.flatnonzero(per_column)
    rows = np.flatnonzero(ink.sum(axis=1))
    if len(inked) < 2 or len(rows) < 2:
        return None
    left, right = int(inked[0]), int(inked[-1])
    width, height = right - left, int(rows[-1] - rows[0])
    if width < page.width * 0.4:
        return None
    blank = per_column <= max(1, int(height * _NOISE))
    lo, hi = left + int(width * 0.3), left + int(width * 0.7)
    best_start, best_length, start = 0, 0, None
    for x in range(lo, hi + 1):
        if x < hi and blank[x]:
            start = x if start is None else start
        elif start is not None:
            if x - start > best_length:
                best_start, best_length = start, x - start
            start = None
    if best_length < width * MIN_GUTTER:
        return None
    cut = best_start + best_length // 2
    total = float(per_column.sum())
    if min(per_column[:cut].sum(), per_column[cut:].sum()) < 0.2 * total:
        return None
    return cut
