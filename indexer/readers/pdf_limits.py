"""How much page content the PDF reader agrees to parse, measured before pypdf parses it.

pypdf turns a page's content stream into operations in pure Python (about 2 s
per MB). A 16 KB file can hold 2,000 pages that each point at the same few MB
of no-op operators, so the size of what a page would make pypdf parse (its
content streams and the form XObjects it draws) is measured first, with
decompression cut off at the limit, and a page over it is skipped.
"""
from __future__ import annotations

import zlib

MAX_PAGE_CONTENT_BYTES = 1024 * 1024
_MAX_FORMS = 200  # form XObjects looked at per page (nested forms included)


class PageContentTooLarge(Exception):
    """A page whose content streams exceed ``MAX_PAGE_CONTENT_BYTES`` once decoded."""


def check_page_content(page, measured: dict[object, int]) -> None:
    """Raise ``PageContentTooLarge`` when the page's content would be too much to parse.

    ``measured`` remembers the decoded size of each stream by object number, so
    pages sharing one stream cost one measurement.
    """
    total = 0
    for stream in _streams(page):
        total += _decoded_size(stream, measured)
        if total > MAX_PAGE_CONTENT_BYTES:
            raise PageContentTooLarge(
                f"page content over the {MAX_PAGE_CONTENT_BYTES // (1024 * 1024)} MB limit"
            )


def _streams(page) -> list:
    """The page's content streams and the form XObjects it may draw, each once."""
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    found = list(contents) if isinstance(contents, list) else ([contents] if contents else [])
    seen: set[int] = set()
    pending = [page.get("/Resources")]
    while pending and len(seen) < _MAX_FORMS:
        resources = pending.pop()
        resources = resources.get_object() if resources is not None else None
        xobjects = resources.get("/XObject") if hasattr(resources, "get") else None
        xobjects = xobjects.get_object() if xobjects is not None else None
        for ref in (xobjects.values() if hasattr(xobjects, "values") else ()):
            form = ref.get_object()
            if id(form) in seen or not hasattr(form, "get") or form.get("/Subtype") != "/Form":
                continue
            seen.add(id(form))
            found.append(form)
            pending.append(form.get("/Resources"))
    return found


def _decoded_size(stream, measured: dict[object, int]) -> int:
    """The decoded length of one stream, or a number over the limit as soon as that is known."""
    limit = MAX_PAGE_CONTENT_BYTES + 1
    ref = stream if hasattr(stream, "idnum") else getattr(stream, "indirect_reference", None)
    key = (ref.idnum, ref.generation) if ref is not None else None
    if key is not None and key in measured:
        return measured[key]
    stream = stream.get_object()
    filters = stream.get("/Filter")
    filters = list(filters) if isinstance(filters, list) else ([filters] if filters else [])
    # The still-encoded bytes: pypdf keeps them in ``_data`` until decoded.
    raw = getattr(stream, "_data", b"") or b""
    if not filters:
        size = len(raw)
    elif filters == ["/FlateDecode"]:
        try:
            size = len(zlib.decompressobj().decompress(raw, limit))
        except zlib.error:
            size = 0  # pypdf reports the broken stream when it parses the page
    else:
        size = len(stream.get_data())
    if key is not None:
        measured[key] = size
    return size
