"""SHA-256 digests of files and folders, with a per-run cache.

A raw export appears in the lineage of nearly every output, so
:class:`HashCache` hashes each path once per process (``srma audit --all``
re-hashes every file of every lineage).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["HashCache", "sha256_file", "sha256_path", "sha256_tree"]

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of one file's bytes.

    Parameters
    ----------
    path
        A regular file.

    Returns
    -------
    str
        64 lowercase hex digits.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_tree(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a folder: of its files' relative paths and digests.

    The digest is that of the UTF-8 text made of one line
    ``<relative/posix/path>\\0<sha256 of the file>\\n`` per file, sorted by path
    (so it does not depend on timestamps, permissions or listing order).
    Empty folders do not count.
    """
    base = Path(path)
    lines = []
    for folder, dirs, files in os.walk(base):
        dirs.sort()
        for name in files:
            file = Path(folder) / name
            rel = file.relative_to(base).as_posix()
            lines.append(f"{rel}\0{sha256_file(file)}\n")
    return hashlib.sha256("".join(sorted(lines)).encode("utf-8")).hexdigest()


def sha256_path(path: str | os.PathLike[str]) -> tuple[str, str, int] | None:
    """Digest, kind (``"file"`` or ``"directory"``) and size of a path, or ``None`` if absent.

    The size of a folder is the sum of its files' sizes.
    """
    p = Path(path)
    if p.is_dir():
        size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
        return sha256_tree(p), "directory", size
    if p.is_file():
        return sha256_file(p), "file", p.stat().st_size
    return None


class HashCache:
    """Digests of paths, each computed at most once per cache.

    Keys are absolute, normalised paths (symbolic links are not resolved).
    The cache assumes files do not change while it lives: make a new one for
    each run.
    """

    def __init__(self) -> None:
        self._known: dict[str, tuple[str, str, int] | None] = {}
        self.hashed = 0

    @staticmethod
    def _key(path: str | os.PathLike[str]) -> str:
        return os.path.normpath(os.path.abspath(path))

    def lookup(self, path: str | os.PathLike[str]) -> tuple[str, str, int] | None:
        """``(sha256, kind, size)`` of ``path``, or ``None`` when it does not exist."""
        key = self._key(path)
        if key not in self._known:
            self._known[key] = sha256_path(key)
            self.hashed += 1
        return self._known[key]

    def sha256(self, path: str | os.PathLike[str]) -> str | None:
        """Hex SHA-256 of ``path`` (a file or folder), or ``None`` when it does not exist."""
        found = self.lookup(path)
        return None if found is None else found[0]

    def forget(self, path: str | os.PathLike[str]) -> None:
        """Drop ``path`` from the cache (after it was rewritten)."""
        self._known.pop(self._key(path), None)

    def __len__(self) -> int:
        return len(self._known)
