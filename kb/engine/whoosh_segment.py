"""Whoosh's segment writer with less Python per posting: the same files, written faster.

Profiling the process that writes the index during ``kb index`` (4,000 ThaiGov
releases, ~250 postings each) put two thirds of its CPU in Whoosh's per-posting
loops: ``add_document`` hands every posting to ``PostingPool.add`` one call at a
time (type asserts, a size estimate), and at each commit ``FieldWriter.add_postings``
feeds the sorted postings one by one through ``add_posting`` (more asserts,
block statistics, a field-length lookup each).  This writer does the same work
a document, a term or a block at a time: postings enter the pool as one list
per field, and each posting list is cut into blocks whose statistics are
computed over the whole block before Whoosh's own ``_write_block`` and
``finish_postings`` encode them.  The segment files are byte for byte those of
Whoosh's writer (``tests/test_index_speed.py`` compares them).

Only the paths kb's schema uses are rewritten (no boosts, spelling words or
term vectors); anything else goes through Whoosh's code unchanged.
"""
from __future__ import annotations

from array import array
from itertools import groupby
from operator import itemgetter

from whoosh import writing

from kb.engine.whoosh_codec import Postings, codec

# PostingPool.add's estimate of an item's memory, less its variable parts
# (tuple, field name, text, docnum, weight, value): kept so that the pool
# spills to disk at the same point
_ITEM_OVERHEAD = 28 + 4 * 5 + 21 + 26 + 18 + 16 + 21


class SegmentWriter(writing.SegmentWriter):
    """``whoosh.writing.SegmentWriter`` with block-at-a-time postings (see the module docstring)."""

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", codec())
        super().__init__(ix, **kwargs)
        self._fast = all(
            not field.separate_spelling() and not field.vector and getattr(field, "field_boost", 1.0) == 1.0
            for _, field in self.schema.items()
        )

    def add_document(self, **fields):
        if not self._fast or any(name.startswith("_") for name in fields):
            return super().add_document(**fields)
        self._check_state()
        schema, perdoc, docnum = self.schema, self.perdocwriter, self.docnum
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    items = value.items if isinstance(value, Postings) else list(field.index(value))
                    if field.scorable:
                        length = sum(item[1] for item in items)
                    self._pool_add(name, docnum, items)
                perdoc.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdoc.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _pool_add(self, name: str, docnum: int, items) -> None:
        """One field's postings into the pool (``PostingPool.add`` for each, in one go)."""
        if not items:
            return
        pool = self.pool
        pool.fieldnames.add(name)
        # ``weight * 1.0``: Whoosh multiplies by the field boost, which makes an int weight a float
        posts = [(name, tbytes, docnum, weight * 1.0, vbytes) for tbytes, _, weight, vbytes in items]
        size = (_ITEM_OVERHEAD + len(name)) * len(posts)
        size += sum(2 * len(p[1]) + len(p[4] or b"") for p in posts)
        if pool.currentsize + size > pool.limit:
            pool.save()  # Whoosh spills between two postings; the runs merge into the same order
        pool.currentsize += size
        pool.current.extend(posts)

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        write_postings(self.fieldwriter, self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()


def write_postings(fieldwriter, schema, lengths, postings) -> None:
    """``FieldWriter.add_postings`` a posting list at a time: sorted
    (field, term bytes, docnum, weight, value) tuples → the field writer."""
    for fieldname, field_posts in groupby(postings, key=itemgetter(0)):
        fieldwriter.start_field(fieldname, schema[fieldname])
        writer = fieldwriter._postwriter
        table = _length_table(lengths, fieldname)
        limit = writer._blocklimit
        for tbytes, term_posts in groupby(field_posts, key=itemgetter(1)):
            posts = [p for p in term_posts if p[2] != -1]  # -1: a spelling word, not a posting
            if not posts:
                continue
            fieldwriter.start_term(tbytes)
            for start in range(0, len(posts), limit):
                _fill_block(writer, posts[start : start + limit], table)
                if start + limit < len(posts):
                    writer._write_block()  # the last block stays for finish_term (inlined or last=True)
            fieldwriter.finish_term()
        fieldwriter.finish_field()


def _length_table(lengths, fieldname: str) -> list | None:
    """Docnum → the field length ``add_postings`` would look up (None: none stored)."""
    if lengths is None:
        return None
    lengths.doc_field_length(0, fieldname)  # kb's per-document reader reads the column into a table
    return lengths.__dict__.get("_length_tables", {}).get(fieldname)


def _fill_block(writer, posts: list[tuple], table: list | None) -> None:
    """Set a postings writer's buffered block to ``posts``, as ``add_posting`` one by one would."""
    ids = [p[2] for p in posts]
    weights = [p[3] for p in posts]
    writer._ids = array("I", ids)
    writer._weights = array("f", weights)
    writer._values = [p[4] for p in posts if p[4]]
    top = max(weights)
    writer._maxweight = top if top > 0 else 0
    found = [n for n in (table[d] for d in ids) if n] if table is not None else []
    writer._minlength = min(found) if found else None
    writer._maxlength = max(found) if found else 0
