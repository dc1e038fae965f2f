"""The segmentation dictionary as a file nlpo3 can load, kept where only we can write.

nlpo3 loads dictionaries from a file path only.  The file used to live at a
predictable name in the shared temp directory and an existing file there was
trusted, so any local user could plant a word list that changed how every
document is indexed (CWE-377).  Now:

* the file lives in a per-user cache directory (``$XDG_CACHE_HOME/kb``, else
  ``~/.cache/kb``), created mode 0700; a directory that is a symlink or owned
  by someone else is not used, one of ours that others may write to is
  tightened back to 0700;
* an existing file is used only if its content hashes to the word list we
  built in memory, otherwise it is rewritten;
* it is written atomically (a temporary file in the same directory, then
  ``os.replace``), so a reader never sees half a dictionary;
* when no safe cache directory exists, the file goes to a private temporary
  directory that is removed as soon as nlpo3 has read it.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WordList:
    """The dictionary's content and its identity."""

    content: str
    digest: str  # sha256 of the UTF-8 content, hex

    @property
    def signature(self) -> str:
        """Short identity recorded by an index: it changes when the content does."""
        return self.digest[:16]

    @property
    def file_name(self) -> str:
        return f"words-{self.signature}.txt"


def word_list(base_words: str, domain_terms: Iterable[str]) -> WordList:
    """PyThaiNLP's word list followed by our domain terms (sorted, each once)."""
    terms = sorted(set(domain_terms))
    content = base_words.rstrip("\n") + "\n" + "\n".join(terms) + "\n"
    return WordList(content, hashlib.sha256(content.encode("utf-8")).hexdigest())


def cache_dir() -> Path:
    """Where the per-user cache should be: ``$XDG_CACHE_HOME/kb`` or ``~/.cache/kb``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kb"


def private_dir(path: Path) -> Path | None:
    """``path`` created if missing and made ours-only (0700), or None if it cannot be trusted."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            log.warning("not using %s as the dictionary cache: not a directory owned by this user", path)
            return None
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, 0o700)  # others could write here: close it; content is verified anyway
    except OSError as err:
        log.warning("no dictionary cache at %s (%s)", path, err.strerror or err)
        return None
    return path


def _holds(path: Path, words: WordList) -> bool:
    """True if ``path`` is a regular file of ours (not a symlink) whose content is ``words``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return False
        return hashlib.sha256(handle.read()).hexdigest() == words.digest


def _write_atomically(path: Path, words: WordList) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".words-", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(words.content.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)  # replaces a planted symlink itself, never its target
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def stored(words: WordList, directory: Path) -> Path:
    """The path of a verified copy of ``words`` in ``directory`` (written if missing or wrong)."""
    path = directory / words.file_name
    if not _holds(path, words):
        _write_atomically(path, words)
    return path


@contextlib.contextmanager
def dictionary_file(words: WordList) -> Iterator[Path]:
    """A verified file holding ``words``, valid inside the ``with`` block.

    In the cache directory when it is safe (and it stays there for the next
    run); else in a private temporary directory removed on exit.
    """
    directory = private_dir(cache_dir())
    path = None
    if directory is not None:
        try:
            path = stored(words, directory)
        except OSError as err:
            log.warning("cannot write the dictionary cache in %s (%s)", directory, err.strerror or err)
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="kb-words-") as tmp:
        yield stored(words, Path(tmp))
