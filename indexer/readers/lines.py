"""Lines of a possibly huge, possibly compressed file, read in bounded chunks.

``readline()`` would hold a 200 MB single-line record (or a 1 GB line that a
1 MB ``.jsonl.gz`` expands to) in memory before anyone could look at its
length. Here the file is read in chunks of ``CHUNK_BYTES``; a line longer than
the limit is skipped up to the next newline without being kept, and is still
reported by number. The bytes read (after decompression) and the blank lines
count against the file's limits, and the reader's time budget is checked at
every chunk.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from indexer.readers.registry import MIB, Budget, ReadError

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class LineLimits:
    """Per-file limits of a line-oriented bulk file (bytes after decompression)."""

    line_bytes: int = 16 * MIB
    file_bytes: int = 4 * 1024 * MIB
    blank_lines: int = 100_000


@dataclass(frozen=True)
class Line:
    """One line: its 1-based number, its bytes without the newline (None when over the
    line limit, then ``length`` says how long it was)."""

    number: int
    data: bytes | None
    length: int


class _LineSplitter:
    """The state of one pass over the file: the line being assembled, or being skipped."""

    def __init__(self, limits: LineLimits) -> None:
        self.limits = limits
        self.number = 0
        self.blanks = 0
        self.pending = bytearray()
        self.skipped: int | None = None  # length so far of a line too long to keep

    def feed(self, piece: bytes) -> None:
        """Part of a line whose end is not read yet."""
        if self.skipped is not None:
            self.skipped += len(piece)
            return
        self.pending += piece
        if len(self.pending) > self.limits.line_bytes:
            self.skipped = len(self.pending)
            self.pending = bytearray()

    def end(self, piece: bytes) -> Line | None:
        """The line that ``piece`` completes, or None for a blank line."""
        self.number += 1
        if self.skipped is not None:
            line = Line(self.number, None, self.skipped + len(piece))
            self.skipped = None
            return line
        data = bytes(self.pending) + piece if self.pending else piece
        self.pending = bytearray()
        if len(data) > self.limits.line_bytes:
            return Line(self.number, None, len(data))
        if not data.strip():
            self.blanks += 1
            if self.blanks > self.limits.blank_lines:
                raise ReadError(f"more than {self.limits.blank_lines:,} blank lines "
                                f"(stopped at line {self.number:,})")
            return None
        return Line(self.number, data, len(data))

    def unfinished(self) -> bool:
        return bool(self.pending) or self.skipped is not None


def bounded_lines(handle: IO[bytes], budget: Budget, limits: LineLimits = LineLimits()
                  ) -> Iterator[Line]:
    """Yield the non-blank lines of ``handle``; raise ``ReadError`` past the file's limits.

    Errors of the underlying stream (a truncated gzip member) pass through to the
    caller, after the lines read before them.
    """
    splitter = _LineSplitter(limits)
    total = 0
    while chunk := handle.read(CHUNK_BYTES):
        total += len(chunk)
        if total > limits.file_bytes:
            raise ReadError(f"more than {limits.file_bytes // MIB:,} MB of data "
                            f"(stopped at line {splitter.number:,})")
        budget.check()
        start = 0
        while (newline := chunk.find(b"\n", start)) >= 0:
            line = splitter.end(chunk[start:newline])
            start = newline + 1
            if line is not None:
                yield line
        splitter.feed(chunk[start:])
    if splitter.unfinished():
        line = splitter.end(b"")
        if line is not None:
            yield line
