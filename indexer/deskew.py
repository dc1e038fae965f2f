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
