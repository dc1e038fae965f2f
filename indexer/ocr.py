"""OCR of page images: scanned meeting records become searchable text.

Older Thai government records often exist only as scans (a PDF of page
images, or TIFF/PNG files). This module turns one page image at a time into
repaired Thai text with Tesseract's ``tha+eng`` models, through the
``tesseract`` command (one process per page, so a per-page time limit is a
plain subprocess timeout and a stuck page cannot hold a worker; see
docs/dependencies.md for why not pytesseract).

Steps per page: grayscale → deskew (projection-profile search, ``indexer.deskew``)
→ binarize (Otsu, only when the paper is not white) → Tesseract ``--psm 4``
(text + TSV: word boxes and the mean word confidence) → Thai digits read again
glyph by glyph (``indexer.ocr_digits``) → Thai artefact repair
(``indexer.ocr_repair``). The result is cached under the
user's cache directory keyed by the sha256 of the page image and the OCR
settings, so a rerun or a ``--full`` rebuild never OCRs the same page again.

Where Tesseract or its Thai model is missing, ``OcrUnavailable`` is raised with
exactly the message ``needs OCR: install tesseract-ocr-tha``; readers turn it
into a Failure so the file is read again on a later run.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.ocr_digits import WordBox, reread_numbers

if TYPE_CHECKING:  # Pillow is imported lazily: a run over text files never loads it
    from PIL.Image import Image

NEEDS_OCR = "needs OCR: install tesseract-ocr-tha"
#: The Python side of OCR (Pillow, pypdfium2) is the optional ``ocr`` extra: ``kb serve`` runs without it.
NEEDS_OCR_PACKAGES = "needs OCR: install kb[ocr] (pillow, pypdfium2) and tesseract-ocr-tha"

#: Bumped when preprocessing or repair changes, so cached pages are OCR'd again.
PIPELINE_VERSION = "ocr-13"


class OcrUnavailable(Exception):
    """Tesseract or its Thai model is not installed; the message is ``NEEDS_OCR``."""

    def __init__(self) -> None:
        super().__init__(NEEDS_OCR)


class OcrError(Exception):
    """One page could not be OCR'd (time limit, a Tesseract crash); ``str()`` is the reason."""


@dataclass(frozen=True)
class OcrSettings:
    """How pages are read; every field is part of the cache key."""

    languages: str = "tha+eng"
    page_seg_mode: int = 4  # one column of lines: CER 1.2 % vs 2.0 % (psm 3), 1.4 % vs 5.4 % degraded
    page_timeout: float = 120.0  # seconds for one page; a 300-dpi A4 page takes 2–6 s
    deskew: bool = True
    binarize: bool = True  # as needed: only pages whose paper is not white
    repair: bool = True
    digits: bool = True  # read Thai digits again glyph by glyph (indexer.ocr_digits)
    #: A page read with less mean confidence than this may be upside down or sideways (fed the
    #: wrong way into the scanner): Tesseract's orientation detection is asked, and the page is
    #: read again turned when it says so (measured: upright pages 86–95, upside down 64).
    orient_below: float = 80.0

    def key(self) -> str:
        return json.dumps({**asdict(self), "page_timeout": None, "v": PIPELINE_VERSION}, sort_keys=True)


@dataclass
class OcrPage:
    """The text of one page image and Tesseract's mean word confidence (0–100)."""

    text: str
    confidence: float
    words: int = 0
    cached: bool = False


@dataclass
class OcrSummary:
    """What a reader records about a document read by OCR (``RawDocument.ocr``)."""

    pages: list[int] = field(default_factory=list)  # 1-based numbers of the OCR'd pages
    confidences: list[float] = field(default_factory=list)
    words: list[int] = field(default_factory=list)

    def add(self, number: int, page: OcrPage) -> None:
        self.pages.append(number)
        self.confidences.append(page.confidence)
        self.words.append(page.words)

    def as_dict(self) -> dict | None:
        """``{"pages": [...], "confidence": mean}`` weighted by words, or None when nothing was OCR'd."""
        if not self.pages:
            return None
        total = sum(self.words)
        if total:
            mean = sum(c * w for c, w in zip(self.confidences, self.words)) / total
        else:
            mean = 0.0
        return {"pages": list(self.pages), "confidence": round(mean, 1)}


# --------------------------------------------------------------------------- Tesseract


def _tesseract_env() -> dict[str, str]:
    env = dict(os.environ)
    # Tesseract's OpenMP threads fight the indexing worker pool for the same cores.
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


_checked: dict[tuple[str, str], bool] = {}


def ensure_available(settings: OcrSettings | None = None) -> None:
    """Raise ``OcrUnavailable`` unless ``tesseract`` and every model in the settings exist.

    The answer is remembered per (PATH, TESSDATA_PREFIX), so tests that change
    either see the truth and a normal run asks Tesseract once.
    """
    settings = settings or OcrSettings()
    where = (os.environ.get("PATH", ""), os.environ.get("TESSDATA_PREFIX", ""))
    if where not in _checked:
        _checked[where] = _models_installed(settings.languages)
    if not _checked[where]:
        raise OcrUnavailable()


def _models_installed(languages: str) -> bool:
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30,
                             env=_tesseract_env())
    except (OSError, subprocess.SubprocessError):
        return False
    installed = {line.strip() for line in (out.stdout + out.stderr).splitlines()[1:]}
    return out.returncode == 0 and all(lang in installed for lang in languages.split("+"))


def run_tesseract(png: bytes, settings: OcrSettings) -> tuple[str, list[tuple[WordBox, float]]]:
    """(plain text, [(word box, confidence)]) of one PNG page image, in one Tesseract process."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise OcrUnavailable()
    with tempfile.TemporaryDirectory(prefix="kb-ocr-") as tmp:
        image = Path(tmp) / "page.png"
        image.write_bytes(png)
        base = Path(tmp) / "out"
        command = [exe, str(image), str(base), "-l", settings.languages,
                   "--psm", str(settings.page_seg_mode), "txt", "tsv"]
        try:
            done = subprocess.run(command, capture_output=True, timeout=settings.page_timeout,
                                  env=_tesseract_env())
        except subprocess.TimeoutExpired:
            raise OcrError(f"OCR took longer than {settings.page_timeout:g} s for one page") from None
        except OSError as err:
            raise OcrError(f"cannot run tesseract ({err.strerror or err})") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace")
            if "Failed loading language" in message or "Error opening data file" in message:
                raise OcrUnavailable()
            last = " ".join(message.split())[-120:] or f"exit code {done.returncode}"
            raise OcrError(f"tesseract failed ({last})")
        text = base.with_suffix(".txt").read_text(encoding="utf-8", errors="replace")
        words = _tsv_words(base.with_suffix(".tsv").read_text(encoding="utf-8", errors="replace"))
    return text, words


def _tsv_words(tsv: str) -> list[tuple[WordBox, float]]:
    """The recognised words (level 5 rows with text), their boxes and confidences."""
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        try:
            confidence = float(row.get("conf") or -1)
            box = WordBox(text, int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]),
                          (row["block_num"], row["par_num"], row["line_num"]))
        except (ValueError, KeyError, TypeError):
            continue
        if row.get("level") == "5" and text and confidence >= 0:
            words.append((box, confidence))
    return words


# --------------------------------------------------------------------------- pages


def ocr_page(image: Image, settings: OcrSettings | None = None, cache: OcrCache | None = None) -> OcrPage:
    """OCR one page image (any Pillow mode), from the cache when this page was read before."""
    from indexer.deskew import binarize, deskew, needs_binarizing

    settings = settings or OcrSettings()
    cache = cache if cache is not None else OcrCache.default()
    image = within_ocr_size(image)  # first: the key's copy of the pixels is then small too
    key = page_key(image, settings)
    hit = cache.get(key)
    if hit is not None:
        _count_page()
        return hit
    ensure_available(settings)
    page = image.convert("L")
    if settings.deskew:
        page = deskew(page)
    if settings.binarize and needs_binarizing(page):
        page = binarize(page)
    result = _read_columns(page, settings)
    if result.confidence < settings.orient_below:
        turn = orientation(page, settings)
        if turn:
            turned = _read_columns(page.rotate(turn, expand=True), settings)
            if turned.confidence > result.confidence:
                result = turned
    cache.put(key, result)
    _count_page()
    return result


#: Pages are read at most this size: an A3 page at 400 dpi or an A4 page at 600 dpi. A bigger image
#: (a poster-size scan, a 9000 x 12700 photo) is reduced first, so deskew, binarization and
#: Tesseract never hold hundreds of megabytes or run for minutes on one page (QA: a 192-Mpx
#: page took 26 s and 986 MB before; Tesseract reads 300-400 dpi best anyway).
MAX_OCR_PIXELS = 36_000_000
#: Tesseract refuses an image wider or taller than this ("Image too large"): all pages of a record
#: stitched into one tall image, a fax roll.
MAX_OCR_SIDE = 32_767


#: Pages OCR'd so far by this process and the workers it forks (shared memory), so that the
#: indexing run's progress counts the pages of a long scan as they are read, not when it ends.
_pages_read = None


def pages_read() -> int:
    """How many pages ``ocr_page`` has read (or found in the cache) in this process and its
    workers, counted from the first call; call it once before the worker pool forks."""
    global _pages_read
    if _pages_read is None:
        import multiprocessing

        _pages_read = multiprocessing.get_context("fork").Value("q", 0)
    return _pages_read.value


def _count_page() -> None:
    if _pages_read is not None:
        with _pages_read.get_lock():
            _pages_read.value += 1


def within_ocr_size(image: Image) -> Image:
    """The image reduced by a whole factor (a box filter: fast, and fair to thin Thai marks) so that
    it has at most ``MAX_OCR_PIXELS``; the image itself when it is no bigger."""
    pixels = image.width * image.height
    if pixels <= MAX_OCR_PIXELS and max(image.size) <= MAX_OCR_SIDE:
        return image
    factor = max(math.ceil(math.sqrt(pixels / MAX_OCR_PIXELS)), math.ceil(max(image.size) / MAX_OCR_SIDE))
    if image.mode not in ("L", "RGB", "RGBA", "LA"):  # 1-bit and palette pages reduce as grey
        image = image.convert("L")
    return image.reduce(factor)


def _read_columns(page: Image, settings: OcrSettings) -> OcrPage:
    """A page of two columns (a white gutter down its middle) read column by column, left first;
    any other page read whole."""
    from indexer.deskew import column_cut

    cut = column_cut(page)
    if cut is None:
        return _read_page(page, settings)
    halves = ((0, 0, cut, page.height), (cut, 0, page.width, page.height))
    reads = [_read_page(page.crop(box), settings) for box in halves]
    words = sum(r.words for r in reads)
    confidence = sum(r.confidence * r.words for r in reads) / words if words else 0.0
    return OcrPage(text="\n".join(r.text for r in reads if r.text), confidence=round(confidence, 1), words=words)


def _read_page(page: Image, settings: OcrSettings) -> OcrPage:
    """Tesseract on a prepared page, then the Thai digits read again and the text repaired."""
    raw_text, words = run_tesseract(_png_bytes(page), settings)
    text = raw_text
    if settings.digits:
        text = reread_numbers(page, text, [box for box, _ in words])
    if settings.repair:
        from indexer.ocr_repair import repair_ocr_text

        text = repair_ocr_text(text)
    confidence = sum(c for _, c in words) / len(words) if words else 0.0
    return OcrPage(text=tidy(text), confidence=round(confidence, 1), words=len(words))


def _png_bytes(page: Image) -> bytes:
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    return buffer.getvalue()


_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.M)
_ORIENTATION_CONFIDENCE = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.M)
#: Tesseract's orientation confidence below which its answer is a guess (blank or sparse pages).
MIN_ORIENTATION_CONFIDENCE = 2.0


def orientation(page: Image, settings: OcrSettings) -> int:
    """Degrees (90, 180, 270; counter-clockwise, as ``Image.rotate`` takes them) that set the page
    upright, by Tesseract's orientation detection (``--psm 0``); 0 when it is upright, when the
    detection is unsure, or when it cannot run (no ``osd`` model): the page is then read as it is."""
    exe = shutil.which("tesseract")
    if exe is None:
        return 0
    with tempfile.TemporaryDirectory(prefix="kb-osd-") as tmp:
        image = Path(tmp) / "page.png"
        image.write_bytes(_png_bytes(page))
        try:
            done = subprocess.run([exe, str(image), "stdout", "--psm", "0"], capture_output=True,
                                  timeout=settings.page_timeout, env=_tesseract_env())
        except (OSError, subprocess.SubprocessError):
            return 0
    report = done.stdout.decode("utf-8", "replace")
    turn, sure = _ROTATE.search(report), _ORIENTATION_CONFIDENCE.search(report)
    if done.returncode != 0 or turn is None or sure is None or float(sure.group(1)) < MIN_ORIENTATION_CONFIDENCE:
        return 0
    return (360 - int(turn.group(1))) % 360  # Tesseract says clockwise; Pillow turns counter-clockwise


def tidy(text: str) -> str:
    """One printed line per line: Tesseract puts a blank line after most lines of a
    record (it takes each as a paragraph), which says nothing about the layout."""
    lines = (" ".join(line.split()) for line in text.replace("\f", "\n").splitlines())
    return "\n".join(line for line in lines if line)


def page_key(image: Image, settings: OcrSettings) -> str:
    """sha256 of the rendered page (mode, size, pixels) and the OCR settings."""
    digest = hashlib.sha256()
    digest.update(f"{image.mode}:{image.size[0]}x{image.size[1]}:".encode())
    digest.update(image.tobytes())
    digest.update(settings.key().encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- cache


class OcrCache:
    """OCR results on disk, one small JSON file per page, in a private (0700) folder.

    Writes go to a temporary file in the same folder and are renamed into place,
    so two workers OCR-ing the same page, or a killed run, never leave a torn file.
    A cache that cannot be written (read-only home) only costs speed.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls) -> OcrCache:
        if os.environ.get("KB_OCR_CACHE") == "off":
            return cls(None)
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return cls(Path(base) / "kb" / "ocr")

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> OcrPage | None:
        if self.folder is None:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            page = OcrPage(text=str(data["text"]), confidence=float(data["confidence"]),
                           words=int(data.get("words", 0)), cached=True)
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return page

    def put(self, key: str, page: OcrPage) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        tmp = None
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.folder, 0o700)  # mkdir's mode is masked by the umask
            path.parent.mkdir(mode=0o700, exist_ok=True)
            data = json.dumps({"text": page.text, "confidence": page.confidence, "words": page.words},
                              ensure_ascii=False)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
