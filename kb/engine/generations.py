"""The index folder on disk: generations, CURRENT, the writer lock, the marker.

Engine-independent: any engine that keeps its files in a local folder uses
this protocol, so readers never see a half-built index and ``kb`` never
touches a file it did not make.

Layout of an index folder::

    <dir>/kb-index.json  the marker: written when kb makes (or adopts) the folder;
                         nothing is ever deleted from a folder without it
    <dir>/CURRENT        name of the active generation (atomically replaced)
    <dir>/gen-<stamp>-<pid>-<hex>/
                         one generation; a full rebuild writes a new one beside
                         the old and switches CURRENT
    <dir>/kb.lock        held by the one ``kb index`` run allowed at a time

Clean-up (``remove_leftovers``, ``remove_old_generations``) deletes only
entries whose names kb makes (``GENERATION_NAME``, ``CURRENT.<pid>.tmp``) and
only inside a marked folder: ``kb index --index ~`` must never delete
``~/gen-2024-reports/``.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

SCHEMA_VERSION = "kb-3"  # kb-3: metadata stored as a JSON object keyed by field name
MARKER = "kb-index.json"
LOCK = "kb.lock"
SETTINGS = "kb-version.json"
GENERATION_NAME = re.compile(r"gen-\d{14}-\d+-[0-9a-f]{6}")
CURRENT_TMP_NAME = re.compile(r"CURRENT\.\d+\.tmp")
# The errors of a device that cannot take more bytes: full, over quota, or over
# the process's file-size limit (RLIMIT_FSIZE with SIGXFSZ ignored).
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class IndexMissing(Exception):
    """No index exists at the given directory yet."""


class IndexLocked(Exception):
    """Another process holds the writer lock."""


class NotAnIndexFolder(Exception):
    """The folder given as an index cannot be used: it exists, is not empty and is
    not a kb index (refused rather than used, because writing and cleaning up there
    could delete the user's own files), or kb cannot write there (a read-only
    mount, no permission, a file in its path).  ``kb`` maps it to exit status 2.
    """


class IndexWriteFailed(Exception):
    """The device holding the index could take no more bytes (full disk, quota).

    Raised after the failed batch's files were removed; the index keeps its
    last commit and the next run works once space is freed.  ``kb`` maps it to
    exit status 1.
    """


# --- the marker ------------------------------------------------------------------


def is_marked(root: Path) -> bool:
    return (Path(root) / MARKER).is_file()


def _is_legacy_index(root: Path) -> bool:
    """An index made by a kb from before the marker: CURRENT naming a kb generation."""
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeError):
        return False
    return bool(GENERATION_NAME.fullmatch(name)) and (root / name / SETTINGS).is_file()


def claim_folder(root: Path) -> None:
    """Make ``root`` a marked index folder, or refuse a folder that is not one.

    A missing or empty folder is created and marked; a folder with the marker
    (or a pre-marker kb index) is used as it is; anything else raises
    ``NotAnIndexFolder`` naming the folder.
    """
    root = Path(root)
    if is_marked(root):
        return
    if root.exists() and not root.is_dir():
        raise NotAnIndexFolder(f"cannot use {root} as an index folder: it is a file")
    if root.is_dir() and any(root.iterdir()) and not _is_legacy_index(root):
        raise NotAnIndexFolder(
            f"refusing to use {root} as an index folder: it is not empty and is not a kb index "
            f"(no {MARKER}); give a new or empty folder"
        )
    with disk_errors(root):
        root.mkdir(parents=True, exist_ok=True)
        _write_atomically(root / MARKER, json.dumps({"kb_index": 1, "schema": SCHEMA_VERSION}) + "\n")


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def disk_errors(root: Path, cleanup: Callable[[], None] | None = None) -> Iterator[None]:
    """Turn a full device's ``OSError`` into ``IndexWriteFailed`` after ``cleanup``."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in DISK_FULL_ERRNOS:
            raise
        if cleanup is not None:
            cleanup()
        raise IndexWriteFailed(
            f"no space left for the index at {root} ({os.strerror(exc.errno)}); "
            "the index keeps its last commit: free some space and run kb index again"
        ) from None


# --- generations -----------------------------------------------------------------


def current_generation(root: Path) -> Path | None:
    try:
        name = (Path(root) / "CURRENT").read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = Path(root) / name
    return gen if name and gen.is_dir() else None


def new_generation(root: Path, settings: dict | None = None) -> Path:
    """A fresh, empty generation folder with its settings file (the engine fills it)."""
    claim_folder(root)
    # the random part keeps two rebuilds in the same second of one process apart
    gen = Path(root) / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
    gen.mkdir()
    write_settings(gen, settings or {})
    return gen


def write_settings(gen: Path, settings: dict) -> None:
    (gen / SETTINGS).write_text(json.dumps({"schema": SCHEMA_VERSION, **settings}), encoding="utf-8")


def switch_to(root: Path, gen: Path) -> None:
    """Make ``gen`` the active generation, atomically for every reader."""
    _write_atomically(Path(root) / "CURRENT", gen.name + "\n")


def _kb_generations(root: Path) -> Iterator[Path]:
    if not is_marked(root):
        return
    for entry in root.iterdir():
        if GENERATION_NAME.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
            yield entry


def remove_old_generations(root: Path, keep: Path | None) -> None:
    for old in list(_kb_generations(Path(root))):
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(root: Path) -> None:
    """Half-built generations and temporary files of a run that died (kill -9, power cut).

    Only ever called by a writer holding ``WriterLock``: no other writer can be
    building a generation, and readers only ever open the one CURRENT names.
    Touches nothing in an unmarked folder.
    """
    root = Path(root)
    if not root.is_dir() or not is_marked(root):
        return
    remove_old_generations(root, current_generation(root))
    for entry in root.iterdir():
        if CURRENT_TMP_NAME.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink():
            entry.unlink(missing_ok=True)


def read_settings(root: Path) -> dict:
    """The settings an index was built with (schema, analysis signature, subword)."""
    gen = current_generation(Path(root))
    return {} if gen is None else settings_of(gen)


def settings_of(gen: Path) -> dict:
    try:
        return json.loads((gen / SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# --- the writer lock ---------------------------------------------------------------


def writer_active(root: Path) -> bool:
    """Is a ``kb index`` run holding the writer lock of ``root`` now?  (Readers then keep
    what they build for a passing state in memory rather than on disk.)"""
    try:
        fd = os.open(Path(root) / LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


class WriterLock:
    """An advisory lock so that one ``kb index`` at a time writes an index.

    Acquiring it first claims the folder (``claim_folder``): a folder that is
    not a kb index is refused before anything is written into it.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self.fd: int | None = None

    def holder(self) -> str:
        try:
            return (self.root / LOCK).read_text(encoding="utf-8").strip()
        except OSError:
            return "?"

    def acquire(self, wait: bool = True, on_wait: Callable[[str], None] | None = None) -> None:
        try:
            with disk_errors(self.root):
                claim_folder(self.root)
                self.fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # read-only, no permission, not a folder: nothing to index into
            raise NotAnIndexFolder(
                f"cannot write the index at {self.root} ({exc.strerror or exc}); give a folder kb can write with --index"
            ) from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if not wait:
                os.close(self.fd)
                self.fd = None
                raise IndexLocked(f"another kb index run (pid {self.holder()}) is writing {self.root}") from None
            if on_wait:
                on_wait(self.holder())
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        os.ftruncate(self.fd, 0)
        try:
            os.write(self.fd, str(os.getpid()).encode())
        except OSError as exc:  # the pid is only for messages; a full disk is reported by the writer
            if exc.errno not in DISK_FULL_ERRNOS:
                raise

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
