"""A folder of cached results named by the hash of everything they depend on.

Layout: ``<root>/<kind>/<key[:2]>/<key>``, where ``key`` is a SHA-256 (:func:`key`) the
caller makes from every input of the result. Each entry carries a check sum of what it
holds, so a damaged entry reads as missing; entries are written under a temporary name and
renamed into place, so a killed build or two builds at once never leave half an entry.

The cache only ever speeds a build up: an entry that is missing, damaged or unreadable is a
miss, and a folder that cannot be written is not written to (:attr:`BlobCache.note` says
so, once, in Chinese). Reading an entry marks it used (its modification time); after a
build :meth:`BlobCache.prune` removes the least recently used entries beyond a budget of
twice what that build used, so the folder does not grow without bound.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

_MAGIC = b"SCB1"
_RAW, _ZLIB = b"r", b"z"
# What is kept besides this build's entries: a second build of the same size (the other
# audience, the previous data) and a little room.
SPARE_FACTOR = 2
SPARE_BYTES = 32 * 1024 * 1024
_STALE_TEMP_SECONDS = 3600


def key(*parts: str | bytes) -> str:
    """The SHA-256 of ``parts`` (each length-prefixed, so no two lists of parts collide)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


@dataclass
class BlobCache:
    root: Path | None  # None: no cache (every lookup misses, nothing is written)
    note: str | None = None
    _writable: bool = field(default=True, repr=False)

    @classmethod
    def at(cls, root: Path) -> BlobCache:
        """The cache in ``root``, created if needed; a folder that cannot be made gives a
        cache that reads what it can and writes nothing."""
        cache = cls(root)
        try:
            root.mkdir(parents=True, exist_ok=True)
            probe = root / f".probe.{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            cache._failed(exc)
        return cache

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def _path(self, kind: str, name: str) -> Path:
        assert self.root is not None
        return self.root / kind / name[:2] / name

    def _failed(self, exc: OSError) -> None:
        if self._writable:
            self._writable = False
            reason = exc.strerror or type(exc).__name__
            self.note = (f"缓存目录 {self.root} 无法写入（{reason}），本次生成不保存缓存；"
                         "网站照常生成，只是下次不能更快。")

    def get(self, kind: str, name: str) -> bytes | None:
        """The entry's content, or None (missing, damaged or unreadable: a miss)."""
        if self.root is None:
            return None
        path = self._path(kind, name)
        try:
            stored = path.read_bytes()
        except OSError:
            return None
        content = _unpack(stored)
        if content is not None and self._writable:
            with contextlib.suppress(OSError):
                os.utime(path)  # used: pruned last
        return content

    def put(self, kind: str, name: str, content: bytes, *, compress: bool = True) -> None:
        """Store ``content`` (compressed unless it already is); failures only stop writing."""
        if self.root is None or not self._writable:
            return
        path = self._path(kind, name)
        temp = path.with_name(f".{name}.{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(_pack(content, compress))
            os.replace(temp, path)
        except OSError as exc:
            self._failed(exc)
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)

    def prune(self, since: float, *, spare_bytes: int = SPARE_BYTES) -> tuple[int, int]:
        """Remove the least recently used entries until the cache holds at most twice what
        was used or written since ``since`` (a time.time()) plus ``spare_bytes``; those are
        kept whatever the budget. Returns (entries removed, bytes kept)."""
        if self.root is None or not self._writable:
            return 0, 0
        entries: list[tuple[float, int, Path]] = []
        used = 0
        now = time.time()
        for kind in _folders(self.root):
            for bucket in _folders(kind):
                for entry in _files(bucket):
                    try:
                        info = entry.stat()
                    except OSError:
                        continue
                    if entry.name.startswith("."):  # a temporary file a killed build left
                        if now - info.st_mtime > _STALE_TEMP_SECONDS:
                            _remove(entry)
                        continue
                    if info.st_mtime >= since:
                        used += info.st_size
                    else:
                        entries.append((info.st_mtime, info.st_size, entry))
        budget = SPARE_FACTOR * used + spare_bytes
        total = used + sum(size for _mtime, size, _path in entries)
        removed = 0
        for _mtime, size, path in sorted(entries):
            if total <= budget:
                break
            if _remove(path):
                total -= size
                removed += 1
        return removed, total


def _pack(content: bytes, compress: bool) -> bytes:
    body = zlib.compress(content, 1) if compress else content
    return _MAGIC + (_ZLIB if compress else _RAW) + zlib.crc32(body).to_bytes(4, "little") + body


def _unpack(stored: bytes) -> bytes | None:
    if len(stored) < 9 or not stored.startswith(_MAGIC):
        return None
    kind, check, body = stored[4:5], stored[5:9], stored[9:]
    if zlib.crc32(body).to_bytes(4, "little") != check:
        return None
    if kind == _RAW:
        return body
    if kind == _ZLIB:
        try:
            return zlib.decompress(body)
        except zlib.error:
            return None
    return None


def _folders(folder: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _files(folder: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    except OSError:
        return []


def _remove(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except OSError:
        return False
