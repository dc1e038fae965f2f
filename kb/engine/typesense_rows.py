"""The rows one document becomes in a Typesense collection, as the bytes an import sends.

Why a module of its own: these rows are made where the document is analysed,
in the indexer's worker processes (the writer declares the prepared form
``"rows"`` and names this module's ``prepared_rows`` as its
``EngineWriter.prepared_rows``), so the writing process only joins bytes and
imports them (issue 16, branch ``tsidx``).  Encoding the words, ``meta_bytes``
and the JSON of three rows took the writer 1.5–1.8 ms a release; here they run
in parallel, and the writer's ``add`` is a few appends.

The rows are JSON with UTF-8 text (``ensure_ascii=False``): the official
client's ``json.dumps`` escaped every Thai character as ``\\uXXXX``, six bytes
where UTF-8 takes three, and Typesense parses every byte it is sent.  What
Typesense stores is the same either way.  Pure: no ``typesense`` import.
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import json
import pickle
import struct
import zlib
from dataclasses import dataclass

from kb.engine.metadata import meta_bytes
from kb.engine.typesense_terms import encode, encode_text
from kb.models import Document

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _utf8(row: dict) -> bytes:
    """A row as UTF-8 JSON; a text holding a lone surrogate (which UTF-8 cannot carry)
    keeps the escapes the official client would have sent."""
    try:
        return _dumps(row).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(row, separators=(",", ":")).encode("ascii")


def typesense_id(doc_id: str) -> str:
    """The Typesense id of a kb id: a hash, since kb ids hold ``/`` that document URLs cannot."""
    return hashlib.blake2b(doc_id.encode("utf-8"), digest_size=12).hexdigest()


@dataclass(frozen=True)
class TypesenseRows:
    """One document's rows: ``main`` is its row of the main collection without the
    closing brace (the writer adds the batch number ``seq``, known only when it is
    written); ``doc`` and ``scan`` are whole rows of the side collections."""

    kid: str
    main: bytes
    doc: bytes
    scan: bytes

    def main_row(self, seq: int) -> bytes:
        return self.main + b',"seq":%d}' % seq


PACK_LEVEL = 1  # zlib level of packed values: level 6 saves 18 % more bytes for twice the CPU


def prepared_rows(doc: Document, body, title, scan: bytes = b"", *, packed: bool = False) -> TypesenseRows:
    """The rows of ``doc`` from its analysed body and title (``Analysis``, or the
    embedded engine's encoded postings) and its scan form (empty: an index
    without the sub-word layer, whose scan rows hold an empty string); with
    ``packed``, the side values compressed (see the module's docstring)."""
    tsid = typesense_id(doc.id)
    (words, wlen), (title_codes, tlen) = field_codes(body), field_codes(title)
    main = {"id": tsid, "kid": doc.id, "title": title_codes, "words": words,
            "meta": meta_bytes(doc).decode("utf-8"), "wlen": wlen, "tlen": tlen}
    return TypesenseRows(
        kid=doc.id,
        main=_utf8(main)[:-1],
        doc=_utf8({"id": tsid, "doc": _document_value(doc, packed)}),
        scan=_utf8({"id": tsid, "scan": _pack(scan) if packed else scan.decode("latin-1")}),
    )


def packed_rows(doc: Document, body, title, scan: bytes = b"") -> TypesenseRows:
    """``prepared_rows`` for a packed collection (a module-level name, so it pickles to the workers)."""
    return prepared_rows(doc, body, title, scan, packed=True)


def _document_value(doc: Document, packed: bool) -> str:
    text = json.dumps(doc.to_dict(), ensure_ascii=False)
    if not packed:
        return text
    return _pack(text.encode("utf-8", "surrogatepass"))


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, PACK_LEVEL)).decode("ascii") if data else ""


def _unpack(value: str) -> bytes:
    return zlib.decompress(base64.b64decode(value)) if value else b""


def stored_document(value: str, packed: bool) -> dict:
    """The stored document (``Document.to_dict()``) from a ``--doc`` row's value."""
    return json.loads(_unpack(value).decode("utf-8", "surrogatepass") if packed else value)


def scan_bytes(value: str | None, packed: bool) -> bytes:
    """The scan form from a ``--scan`` row's value."""
    return _unpack(value or "") if packed else (value or "").encode("latin-1")


def field_codes(terms) -> tuple[str, int]:
    """A field as Typesense stores it (its words' codes, space-joined, in order) and its
    word count, from an ``Analysis`` or the pipeline's pre-encoded postings: each distinct
    word is encoded once and put at its positions."""
    if hasattr(terms, "words"):
        return encode_text(terms.words), len(terms.words)
    slots = [""] * sum(freq for _term, freq, _weight, _value in terms.items)
    for term, _freq, _weight, value in terms.items:
        code = encode(term.decode("utf-8"))
        for p in _positions(value):
            slots[p] = code
    return " ".join(slots), len(slots)


_POSITIONS: dict[bytes, tuple[int, ...]] = {}  # a short postings value → its positions (they repeat across documents)


def _positions(value: bytes) -> tuple[int, ...]:
    """The positions in one of the embedded engine's postings values (a count, then pickled deltas)."""
    found = _POSITIONS.get(value)
    if found is None:
        found = tuple(itertools.accumulate(pickle.loads(value[struct.calcsize("!I"):])))
        if len(value) < 32 and len(_POSITIONS) < 100_000:
            _POSITIONS[value] = found
    return found
