"""Where an index keeps its access files, and how they are written: owner-only.

``<index>/access/`` holds ``tokens.json`` (token hashes), ``secret.key``
(signs session cookies, CSRF and feed keys when ``KB_SECRET_KEY`` is unset)
and ``audit.log`` (unless ``KB_AUDIT_LOG`` names another file).  The folder
is 0700 and every file 0600: another local user reads none of them.
"""
from __future__ import annotations

import fcntl
import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ACCESS_DIR = "access"
SECRET_FILE = "secret.key"
SECRET_ENV = "KB_SECRET_KEY"
AUDIT_ENV = "KB_AUDIT_LOG"
MIN_SECRET_CHARS = 32


class AccessSetupError(RuntimeError):
    """The access files cannot be used (no index there, a weak secret); the message says what to do."""


def access_dir(index_dir: Path) -> Path:
    return Path(index_dir) / ACCESS_DIR


def ensure_dir(path: Path) -> Path:
    """``path``'s folder, created owner-only when missing."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path.parent


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a 0600 file holding ``text``."""
    ensure_dir(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``path`` (two ``kb tokens`` commands at once)."""
    ensure_dir(path)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def is_index(index_dir: Path) -> bool:
    """A kb index folder: only there are access files written (never a folder kb does not own)."""
    from kb.engine.generations import is_marked

    return is_marked(Path(index_dir))


def secret_key(index_dir: Path) -> bytes:
    """``$KB_SECRET_KEY``, else this install's generated key (created once, 0600).

    Before an index exists there are no tokens to sign in with: a key for this
    process only is enough, and no file is written into a folder ``kb index``
    has yet to create.
    """
    env = os.environ.get(SECRET_ENV, "")
    if env:
        if len(env) < MIN_SECRET_CHARS:
            raise AccessSetupError(f"{SECRET_ENV} must be at least {MIN_SECRET_CHARS} characters (use a random value)")
        return env.encode("utf-8")
    if not is_index(index_dir):
        return secrets.token_urlsafe(48).encode("utf-8")
    path = access_dir(index_dir) / SECRET_FILE
    try:
        key = _stored_secret(path)
    except OSError as exc:  # a read-only index folder: the key can come from the environment instead
        raise AccessSetupError(
            f"cannot create {path} ({exc.strerror or exc}): set {SECRET_ENV} (and {AUDIT_ENV} to a writable file) "
            "or make the index folder writable"
        ) from None
    if len(key) < MIN_SECRET_CHARS:
        raise AccessSetupError(f"{path} holds a key shorter than {MIN_SECRET_CHARS} characters; delete it to make a new one")
    return key.encode("utf-8")


def _stored_secret(path: Path) -> str:
    """The key in ``path``, created first when missing (under the lock: two processes starting)."""
    if path.is_file():  # written atomically: readable without the lock (and on a read-only folder)
        return path.read_text(encoding="utf-8").strip()
    with locked(path):
        if not path.exists():
            write_private(path, secrets.token_urlsafe(48) + "\n")
        return path.read_text(encoding="utf-8").strip()


def audit_path(index_dir: Path) -> Path:
    """``$KB_AUDIT_LOG``, else ``<index>/access/audit.log``."""
    env = os.environ.get(AUDIT_ENV, "")
    return Path(env) if env else access_dir(index_dir) / "audit.log"
