"""Step 1 of a run: which files the paths given to ``kb index`` stand for.

A folder is walked in a stable (sorted) order; hidden entries and the globs of
its ``.kbignore`` are skipped.  Symbolic links are followed only while they
stay inside the folder, unless ``follow_links`` is set (``kb index
--follow-links``): a link to ``/`` must not index the whole disk.  Either way a
folder is visited once: links to folders are walked after every real folder, so
a document keeps its real path as its id, and a link back to a folder already
read (a loop such as ``sub/loop -> ..``, or a second way in) is skipped with a
note, never walked again and never a failure (no document is broken by it).
A file given by name is taken as it is, with its folder as the id root.

Ids follow the files already indexed: when a folder (or a file) given now holds
files the index has under a longer id — the operator indexed ``docs`` and now
gives ``docs/meetings`` — their id root is kept (``meetings/a.txt`` stays
``meetings/a.txt``, and so does a new file beside it), so URLs do not change with
the folder named on the command line.
"""
from __future__ import annotations

import fnmatch
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from kb.engine.generations import is_marked
from kb.models import Failure
from indexer import readers
from indexer.ids import source_of

IGNORE_FILE = ".kbignore"


@dataclass(frozen=True)
class SourceFile:
    """One file to read; its id (for a single-document file) is its path below ``root``."""

    path: Path  # as found (may be a symlink)
    root: Path  # the folder given to `kb index` (ids are relative to it)

    @property
    def doc_id(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @property
    def source(self) -> str:
        return source_of(self.path)


@dataclass
class Discovery:
    """The files found, the folders walked (their documents may be deleted), what went wrong."""

    files: list[SourceFile] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    links_outside: list[str] = field(default_factory=list)
    links_revisiting: list[str] = field(default_factory=list)  # links to a folder already read (loops)
    unread: Counter = field(default_factory=Counter)  # files of a folder no reader takes, by suffix
    empty_roots: list[Path] = field(default_factory=list)  # folders given that hold no entry at all

    def notes(self) -> list[str]:
        notes = []
        if self.links_outside:
            notes.append(
                f"skipped {len(self.links_outside)} symbolic link(s) leading outside the indexed folder "
                f"({_shown(self.links_outside)}); use --follow-links to index them"
            )
        if self.links_revisiting:
            n = len(self.links_revisiting)
            notes.append(
                f"skipped {n} symbolic link{'s' if n > 1 else ''} to a folder already read "
                f"(a symlink loop, or a second way to the same folder): {_shown(self.links_revisiting)}"
            )
        if self.unread:  # a folder of .docx files must not look "up to date"
            kinds = ", ".join(f"{suffix} ×{n}" for suffix, n in self.unread.most_common(6))
            n = sum(self.unread.values())
            notes.append(f"skipped {n} file{'s' if n > 1 else ''} of a type kb cannot read ({kinds}); "
                         f"it reads {' '.join(readers.SUFFIXES)}")
        if self.roots and not self.files and not self.failures:
            notes.append(f"no file kb can read in {', '.join(map(str, self.roots))}")
        return notes


def _shown(sources: list[str]) -> str:
    return ", ".join(sources[:3]) + (" …" if len(sources) > 3 else "")


def indexed_roots(existing: dict) -> dict[str, str]:
    """source → the folder its id is relative to, for the single-document files of an index
    (``existing``: id → ``IndexedDoc``; a bulk file's records have ids of their own)."""
    roots = {}
    for doc_id, meta in existing.items():
        source = meta.source
        if source.endswith("/" + doc_id) and not readers.is_bulk(Path(source)):
            roots[source] = source[: -len(doc_id) - 1] or "/"
    return roots


def _id_root(folder: Path, indexed: dict[str, str]) -> Path:
    """``folder``, unless every indexed file under it has its id below one folder holding it."""
    prefix = str(folder).rstrip("/") + "/"
    held = {root for source, root in indexed.items() if source.startswith(prefix)}
    if len(held) == 1 and folder.is_relative_to(root := Path(next(iter(held)))):
        return root
    return folder


def _outermost(paths: list[Path]) -> list[Path]:
    """The paths given, less those a folder also given already holds (and repeats): each file
    is read once, under the outer folder's id (``kb index docs/meetings docs``)."""
    folders = {p.resolve() for p in paths if p.is_dir()}
    kept, seen = [], set()
    for p in paths:
        real = p.resolve() if p.exists() else p
        if real in seen or any(real != f and real.is_relative_to(f) for f in folders):
            continue
        seen.add(real)
        kept.append(p)
    return kept


def discover(paths: list[Path], *, follow_links: bool = False, indexed: dict[str, str] | None = None) -> Discovery:
    """Step 1: the supported files under ``paths``, in a stable order (``indexed``: the
    id roots of the files already in the index, from ``indexed_roots``)."""
    found = Discovery()
    indexed = indexed or {}
    for p in _outermost(list(map(Path, paths))):
        if p.is_dir():
            root = p.resolve()
            found.roots.append(root)
            if _is_empty(root):  # a mount point whose disk is not mounted looks like this
                found.empty_roots.append(root)
            found.files.extend(_Walk(root, found, follow_links, _id_root(root, indexed)).files())
        elif p.exists():
            if readers.reader_for(p) is None:
                found.failures.append(
                    Failure(source_of(p), f"unsupported file type '{p.suffix}' (use {', '.join(readers.SUFFIXES)})")
                )
            else:
                path = p.resolve()
                held = indexed.get(source_of(path))
                root = Path(held) if held and path.is_relative_to(held) else path.parent
                found.files.append(SourceFile(path, root))
        else:
            found.failures.append(Failure(source_of(p), "no such file or folder"))
    return found


def _is_empty(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False  # the walk reports it


def ignore_patterns(root: Path) -> list[str]:
    """The globs of ``root/.kbignore`` (blank lines and ``#`` comments left out)."""
    try:
        lines = (root / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return []
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


class _Walk:
    """One folder's walk: remembers the folders visited (by device and inode) so
    that no folder, reached directly or through a link, is walked twice."""

    def __init__(self, root: Path, found: Discovery, follow_links: bool, id_root: Path | None = None):
        self.root = root
        self.id_root = id_root or root  # the folder ids are relative to (``root`` or one holding it)
        self.found = found
        self.follow_links = follow_links
        self.patterns = ignore_patterns(root)
        self.seen_dirs: set[tuple[int, int]] = set()
        self.linked_dirs: list[Path] = []  # links to folders, walked once every real folder is

    def files(self) -> Iterator[SourceFile]:
        yield from self._visit(self.root)
        while self.linked_dirs:
            yield from self._visit(self.linked_dirs.pop(0))

    def _ignored(self, rel: str) -> bool:
        name = rel.rsplit("/", 1)[-1]
        return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in self.patterns)

    def _fail(self, path: Path, reason: str) -> None:
        self.found.failures.append(Failure(source_of(path), reason))

    def _leads_outside(self, path: Path) -> bool:
        target = Path(os.path.realpath(path))
        return not (target == self.root or target.is_relative_to(self.root))

    def _visit(self, folder: Path) -> Iterator[SourceFile]:
        try:
            st = folder.stat()
        except OSError as exc:
            self._fail(folder, f"cannot open folder ({exc.strerror or exc})")
            return
        key = (st.st_dev, st.st_ino)
        if key in self.seen_dirs:  # a link back to a folder read already: nothing new, nothing broken
            self.found.links_revisiting.append(source_of(folder))
            return
        self.seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self._fail(folder, f"cannot list folder ({exc.strerror or exc})")
            return
        for entry in entries:
            yield from self._entry(entry)

    def _entry(self, entry: os.DirEntry) -> Iterator[SourceFile]:
        if entry.name.startswith("."):
            return
        path = Path(entry.path)
        if self._ignored(path.relative_to(self.root).as_posix()):
            return
        link = entry.is_symlink()
        if link and path.exists() and not self.follow_links and self._leads_outside(path):
            self.found.links_outside.append(source_of(path))
            return
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError:
            is_dir = False
        if is_dir and is_marked(path):  # a kb index kept inside the folder: its files are not documents
            return
        if is_dir and link:
            self.linked_dirs.append(path)
        elif is_dir:
            yield from self._visit(path)
        elif readers.reader_for(path) is not None:
            if link and not path.exists():
                self._fail(path, "broken symlink")
                return
            yield SourceFile(path, self.id_root)
        else:
            self.found.unread[path.suffix.lower() or "(no extension)"] += 1
