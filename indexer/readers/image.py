"""Image reader: scanned pages (.png, .jpg/.jpeg, .tif/.tiff with any number of pages) read by OCR.

Each frame of the file is one page; pages are OCR'd one at a time (only one
decoded page is held in memory) through ``indexer.ocr``. The document records
which pages were OCR'd and their mean confidence in ``RawDocument.ocr``.
A file that cannot be decoded, or that needs OCR where Tesseract is missing,
becomes a Failure with the reason, so it is read again on a later run.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

from indexer.ocr import NEEDS_OCR_PACKAGES, OcrError, OcrSummary, OcrUnavailable, ocr_page
from indexer.readers.decoding import title_from_text
from indexer.readers.registry import MAX_PDF_BYTES, Budget, ReaderSpec, join_pages
from kb.models import Failure, RawDocument

SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
# OCR costs seconds a page (each page also has its own limit in indexer.ocr).
READER = ReaderSpec(name="image", suffixes=SUFFIXES, max_bytes=MAX_PDF_BYTES, seconds=1800.0)
#: A 600-dpi A3 page is ~70 Mpx; anything far beyond is a decompression bomb, not a scan.
MAX_PIXELS = 200_000_000


def read(path: Path, budget: Budget | None = None) -> Iterator[RawDocument | Failure]:
    """Yield the one document of an image file (all its pages), or a Failure saying why not."""
    path = Path(path)
    source = str(path)
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        yield Failure(source, NEEDS_OCR_PACKAGES)
        return
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    summary = OcrSummary()
    texts: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's warnings ("Corrupt EXIF data") on stderr: the Failure says it
            _read_frames(path, budget, summary, texts)
    except OcrUnavailable as err:
        yield Failure(source, str(err))
        return
    except OcrError as err:
        yield Failure(source, f"OCR failed on page {len(texts) + 1} ({err})")
        return
    except Image.DecompressionBombError:
        yield Failure(source, f"image too large to read (over {MAX_PIXELS // 1_000_000} million pixels a page)")
        return
    except UnidentifiedImageError as err:
        yield Failure(source, f"not a readable image ({_short(err)})")
        return
    except (OSError, ValueError, SyntaxError, EOFError, TypeError) as err:  # TypeError: a broken TIFF page
        where = f"page {len(texts) + 1}: " if texts else ""
        yield Failure(source, f"not a readable image ({where}{_short(err)})")
        return
    text, starts = join_pages(texts)
    if not text.strip():
        yield Failure(source, "no text found by OCR")
        return
    yield RawDocument(title=title_from_text(text), text=text, source=source, ocr=summary.as_dict(), pages=starts)


def _read_frames(path: Path, budget: Budget | None, summary: OcrSummary, texts: list[str]) -> None:
    """OCR each frame (page) of the image file in turn, adding its text to ``texts``."""
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if budget is not None:
                budget.check()
            if frame.width * frame.height > MAX_PIXELS:  # Pillow itself refuses only twice that
                raise Image.DecompressionBombError(f"{frame.width}x{frame.height}")
            page = ocr_page(frame)
            summary.add(number, page)
            texts.append(page.text)


def _short(err: BaseException) -> str:
    message = " ".join(str(err).replace(str(Path.cwd()), "").split()) or type(err).__name__
    return message[:80]
