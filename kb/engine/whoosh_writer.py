"""Whoosh's segment writer with less Python per posting: the same files, written faster.

Profiling the process that writes the index during ``kb index`` (4,000 ThaiGov
releases, ~250 postings each) put two thirds of its CPU in Whoosh's per-posting
loops: ``add_document`` hands every posting to ``PostingPool.add`` one call at a
time (type asserts, a size estimate), and at each commit ``FieldWriter.add_postings``
feeds the sorted postings one by one through ``add_posting`` (more asserts,
block statistics, a field-length lookup each), after sorting every posting of
the commit as a tuple.  This writer keeps a commit's postings per field and
term as they arrive (lists of docnums, weights and values), so a commit sorts
only the terms, and each posting list is cut into blocks whose statistics are
computed over the whole block before Whoosh's own ``_write_block`` and
``finish_postings`` encode them.  Merged segments' postings (``add_reader``) and
a commit too large for ``limitmb`` take Whoosh's sorted pool, as before.  The segment files are byte for byte those of
Whoosh's writer (``tests/test_index_speed.py`` compares them).

Only the paths kb's schema uses are rewritten (no boosts, spelling words or
term vectors); anything else goes through Whoosh's code unchanged.

Each segment's postings arrays (``kb.engine.arrays``) are made from the same
postings while they are in memory (``on_postings``), instead of being read
back from the segment files at the end of the run.

A document's stored fields can arrive already encoded (``stored_form``, made in
an indexer worker: the pickle and zlib of every text were a sixth of the writing
process's CPU); they are written to the stored column as they are, the same bytes.
``remove_orphans`` cleans up after a failed commit.
"""
from __future__ import annotations

import pickle
import re
import shutil
import zlib
from array import array
from pathlib import Path
from itertools import groupby
from operator import itemgetter

from whoosh import columns, index, writing
from whoosh.filedb.filestore import FileStorage

from kb.engine.metadata import meta_bytes
from kb.engine.whoosh_codec import Postings, codec, make_schema, perdoc_lengths
from kb.models import Document

# spill to the pool's sorted runs on disk when the postings kept per term reach
# the writer's ``limitmb`` (Whoosh's pool estimates its tuples likewise)
_TERM_POSTING_BYTES = 100  # memory of a posting kept per term (docnum, weight, three list slots), roughly


_INDEX_NAME = "MAIN"  # Whoosh's default index name: its files are MAIN_*, _MAIN_*.toc, MAIN.tmp
_TOC_TEMP = re.compile(r"_MAIN_\d+\.toc\.[0-9.]+")
# the stored fields of kb's schema, in the order Whoosh's writer adds them (sorted names)
_STORED_NAMES = tuple(name for name in sorted(make_schema().names()) if make_schema()[name].stored)
_STORED_LEVEL = 3  # Whoosh's ``CompressedBytesColumn`` level for the stored-fields column


class StoredForm:
    """What the writer stores of a document, made by ``stored_form`` in an indexer worker
    so that the writing process does not pickle and compress every text: ``blob``, its
    stored fields as Whoosh's stored column holds them (the pickled, compressed dict
    ``finish_doc`` would write), and ``meta``, its ``meta_bytes`` (some facets read the text)."""

    __slots__ = ("blob", "meta")

    def __init__(self, blob: bytes, meta: bytes):
        self.blob, self.meta = blob, meta


def stored_form(doc: Document) -> StoredForm:
    """What ``IndexWriter.add`` stores for ``doc`` (its ``to_dict()``, id and source),
    encoded: ``zlib(pickle(dict, 2), 3)``, the bytes of Whoosh's own stored column."""
    values = {"doc": doc.to_dict(), "id": doc.id, "source": doc.source}
    stored = {name: values[name] for name in _STORED_NAMES}
    return StoredForm(zlib.compress(pickle.dumps(stored, 2), _STORED_LEVEL), meta_bytes(doc))


def stored_values(writer, doc: Document, stored: StoredForm | None) -> tuple[bytes, object]:
    """The ``meta`` and ``doc`` values of ``add_document`` for ``doc``: the worker's
    stored form where kb's writer takes it, else what Whoosh's own writer stores."""
    if stored is None:
        return meta_bytes(doc), doc.to_dict()
    if isinstance(writer, SegmentWriter) and writer._fast:
        return stored.meta, stored
    return stored.meta, pickle.loads(zlib.decompress(stored.blob))["doc"]


class SegmentWriter(writing.SegmentWriter):
    """``whoosh.writing.SegmentWriter`` with block-at-a-time postings (see the module docstring)."""

    def __init__(self, ix, on_postings=None, postings_fields: tuple[str, ...] = (), **kwargs):
        """``on_postings(segment id, doc count, {field: (postings, lengths)})`` is told, for
        ``postings_fields``, what ``field_postings`` and ``field_lengths`` would read back
        from each segment written (the postings arrays are made from it, not read back)."""
        kwargs.setdefault("codec", codec())
        super().__init__(ix, **kwargs)
        self.on_postings, self.postings_fields = on_postings, postings_fields
        self._terms: dict[str, dict[bytes, tuple[list, list, list]]] = {}  # field → term → postings
        self._terms_size = 0
        self._fast = all(
            not field.separate_spelling() and not field.vector and getattr(field, "field_boost", 1.0) == 1.0
            for _, field in self.schema.items()
        )

    def add_document(self, **fields):
        if not self._fast or any(name.startswith("_") for name in fields):
            return super().add_document(**fields)
        self._check_state()
        schema, perdoc, docnum = self.schema, self.perdocwriter, self.docnum
        encoded = next((v for v in fields.values() if isinstance(v, StoredForm)), None)
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None or isinstance(value, StoredForm):
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    items = value.items if isinstance(value, Postings) else list(field.index(value))
                    length = self._pool_add(name, docnum, items)
                    if not field.scorable:
                        length = 0
                perdoc.add_field(name, field, value if field.stored and encoded is None else None, length)
                column = field.column_type
                if column:
                    perdoc.add_column_value(name, column, field.to_column_value(value))
            if encoded is not None:
                _add_stored(perdoc, encoded.blob)
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _pool_add(self, name: str, docnum: int, items) -> int:
        """One field's postings, kept per term (``_terms``) rather than as the pool's
        tuples, which a commit had to sort and regroup (most of its time); returns
        the field's length (the sum of the frequencies)."""
        if not items:
            return 0
        self.pool.fieldnames.add(name)
        terms = self._terms.setdefault(name, {})
        length = 0
        for tbytes, freq, weight, vbytes in items:
            length += freq
            if type(weight) is not float:
                weight *= 1.0  # Whoosh multiplies by the field boost: an int becomes a float
            entry = terms.get(tbytes)
            if entry is None:
                terms[tbytes] = ([docnum], [weight], [vbytes])
            else:
                entry[0].append(docnum)
                entry[1].append(weight)
                entry[2].append(vbytes)
        self._terms_size += _TERM_POSTING_BYTES * len(items)
        if self._terms_size > self.pool.limit:
            self._terms_to_pool()
            self.pool.save()  # the pool's sorted runs on disk, as Whoosh's writer spills
        return length

    def _terms_to_pool(self) -> None:
        """The postings kept per term as the pool's tuples (for a merge or a spill)."""
        for name, terms in self._terms.items():
            self.pool.current.extend(
                (name, tbytes, d, w, v) for tbytes, (ds, ws, vs) in terms.items() for d, w, v in zip(ds, ws, vs)
            )
        self._terms, self._terms_size = {}, 0

    def _postings(self):
        """(field, [(term bytes, docnums, weights, values)]) in the order Whoosh writes them."""
        pool = self.pool
        if pool.current or pool.runs:  # merged segments' postings (add_reader) or a spill: tuples
            self._terms_to_pool()
            return _grouped(pool.iter_postings())
        terms, self._terms = self._terms, {}
        return ((name, ((t, *terms[name][t]) for t in sorted(terms[name]))) for name in sorted(terms))

    def _flush_segment(self):
        if not self._fast:
            return super()._flush_segment()
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        wanted = self.postings_fields if self.on_postings is not None else ()
        collected = write_postings(self.fieldwriter, self.schema, lengths, self._postings(), wanted)
        self.fieldwriter.close()
        if lengths is not None:
            if wanted:
                found = {f: (collected.get(f, []), perdoc_lengths(lengths, f, self.docnum)) for f in wanted}
                self.on_postings(self.newsegment.segment_id(), self.docnum, found)
            lengths.close()


def _add_stored(perdoc, blob: bytes) -> None:
    """The stored-fields column's value for the current document, already pickled and
    compressed: what ``PickleColumn`` and ``CompressedBytesColumn`` would hand on."""
    if not perdoc._has_column("_stored"):
        perdoc._create_column("_stored", _STORED_COLUMN)
    writer = perdoc._get_column("_stored")._child  # PickleColumn's → CompressedBytesColumn's writer
    columns.VarBytesColumn.Writer.add(writer, perdoc._docnum, blob)


_STORED_COLUMN = columns.PickleColumn(columns.CompressedBytesColumn())


def _grouped(postings):
    """Sorted (field, term bytes, docnum, weight, value) tuples → ``write_postings``' input."""
    for fieldname, field_posts in groupby(postings, key=itemgetter(0)):
        # no spelling words (docnum -1) among them: kb's schema has no spelling field
        yield fieldname, ((tbytes, *list(zip(*posts))[2:]) for tbytes, posts in groupby(field_posts, key=itemgetter(1)))


def write_postings(fieldwriter, schema, lengths, fields, collect=()) -> dict[str, list]:
    """``FieldWriter.add_postings`` a posting list at a time: (field, terms) in
    order, each term (bytes, docnums, weights, values) → the field writer.
    Returns, for the fields in ``collect``, each term's (bytes, docnums, weights)."""
    collected: dict[str, list] = {}
    for fieldname, terms in fields:
        fieldwriter.start_field(fieldname, schema[fieldname])
        writer = fieldwriter._postwriter
        table = _length_table(lengths, fieldname)
        limit = writer._blocklimit
        keep = collected.setdefault(fieldname, []).append if fieldname in collect else None
        for tbytes, ids, weights, values in terms:
            fieldwriter.start_term(tbytes)
            for start in range(0, len(ids), limit):
                end = start + limit
                _fill_block(writer, ids[start:end], weights[start:end], values[start:end], table)
                if end < len(ids):
                    writer._write_block()  # the last block stays for finish_term (inlined or last=True)
            fieldwriter.finish_term()
            if keep is not None:
                keep((tbytes, ids, weights))
        fieldwriter.finish_field()
    return collected


def _length_table(lengths, fieldname: str) -> list | None:
    """Docnum → the field length ``add_postings`` would look up (None: none stored)."""
    if lengths is None:
        return None
    lengths.doc_field_length(0, fieldname)  # kb's per-document reader reads the column into a table
    return lengths.__dict__.get("_length_tables", {}).get(fieldname)


def _fill_block(writer, ids, weights, values, table: list | None) -> None:
    """Set a postings writer's buffered block to these postings, as ``add_posting`` one by one would."""
    writer._ids = array("I", ids)
    writer._weights = array("f", weights)
    writer._values = [v for v in values if v]
    top = max(weights)
    writer._maxweight = top if top > 0 else 0
    found = list(filter(None, map(table.__getitem__, ids))) if table is not None else []
    writer._minlength = min(found) if found else None
    writer._maxlength = max(found) if found else 0


def remove_orphans(gen: Path) -> None:
    """Files of a failed commit: segments the last TOC does not list, TOC temp files,
    Whoosh's temporary posting pool.  Never raises."""
    try:
        storage = FileStorage(str(gen))
        toc = index.TOC.read(storage, _INDEX_NAME)
        index.clean_files(storage, _INDEX_NAME, toc.generation, toc.segments)
        for entry in gen.iterdir():
            if _TOC_TEMP.fullmatch(entry.name):
                entry.unlink(missing_ok=True)
        shutil.rmtree(gen / f"{_INDEX_NAME}.tmp", ignore_errors=True)
    except Exception:  # clean-up is best effort: the next writer's leftovers pass retries
        pass
