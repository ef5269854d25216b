"""Photo variants cached by content and settings, so a rebuild does no image work.

Layout: ``<root>/<hash[:2]>/<hash>/<format>-<width>x<height>-q<quality>.<ext>`` where
``hash`` is the SHA-256 of the original photo. The same photo under another name, in
another build or on another branch finds its variants; a changed photo gets new ones.
``index-v1.json`` remembers the hash and upright size of each file version (path, size,
modification time), so a warm build reads no photo at all. CI keeps ``root`` between runs
(``.gitlab-ci.yml`` and ``.github/workflows/publish.yml``).

Only this module writes into the cache, only files it names, each written to a temporary
name and renamed into place: a killed build leaves no half-written variant.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..base.images import Size, Target, render, upright_size
from ..base.parallel import fork_map, workers

# Bumped when the pipeline itself (orientation, colour, stripping, the order widths are
# made in) changes. 2: a photo's widths are always made together (reproducible bytes).
PIPELINE_VERSION = "2"
_EXT = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png", "AVIF": "avif"}
Job = tuple[Path, str, tuple[Target, ...]]


def default_root(project: Path | None) -> Path:
    """``.cache/photos`` in the project (git-ignored; kept between CI runs); without a
    project (the core called on its own), a folder in the system's temporary directory."""
    if project is None:
        return Path(tempfile.gettempdir()) / "showcase-cache" / "photos"
    return project / ".cache" / "photos"


class PhotoCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._index_path = root / "index-v1.json"
        self._index: dict[str, list[object]] = {}
        self._dirty = False
        try:
            loaded = json.loads(self._index_path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self._index = loaded
        except (OSError, ValueError):
            pass  # no cache yet, or a damaged index: probed again

    def probe(self, source: Path) -> tuple[str, Size]:
        """The SHA-256 of ``source`` and its upright size, remembered per file version."""
        info = source.stat()
        key = f"{source.resolve()}|{info.st_size}|{info.st_mtime_ns}"
        known = self._index.get(key)
        if (isinstance(known, list) and len(known) == 3 and isinstance(known[0], str)
                and isinstance(known[1], int) and isinstance(known[2], int)):
            return known[0], Size(known[1], known[2])
        with open(source, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        size = upright_size(source)
        self._index[key] = [digest, size.width, size.height]
        self._dirty = True
        return digest, size

    def file(self, digest: str, target: Target) -> Path:
        name = (f"{target.format.lower()}-{target.width}x{target.height}-q{target.quality}"
                f".{_EXT[target.format]}")
        return self.root / digest[:2] / f"{digest}-p{PIPELINE_VERSION}" / name

    def missing(self, jobs: Sequence[Job]) -> list[Job]:
        """The jobs with at least one target not in the cache — each with all its targets:
        a photo's widths are made together, each from the next larger one, so a file is the
        same bytes whether it was made alone or with the others (reproducible builds)."""
        return [job for job in jobs
                if not all(self.file(job[1], t).is_file() for t in job[2])]

    def make(self, jobs: Sequence[Job]) -> int:
        """Write every missing variant (on every core); how many photos were processed."""
        todo = self.missing(jobs)
        if todo:
            self.root.mkdir(parents=True, exist_ok=True)
            # Big photos first, spread over the workers in turn: parts of equal work.
            todo.sort(key=lambda job: -job[0].stat().st_size)
            parts = [(i, todo[i::workers()]) for i in range(min(workers(), len(todo)))]
            fork_map(self._make_part, parts)
        self.save()
        return len(todo)

    def _make_part(self, part: tuple[int, Sequence[Job]]) -> int:
        for source, digest, targets in part[1]:
            for target, (_size, data) in zip(targets, render(source, list(targets)), strict=True):
                self._write(self.file(digest, target), data)
        return len(part[1])

    def ensure(self, job: Job, target: Target) -> Path:
        """One variant for ``showcase serve``, made now if missing — with the rest of its
        photo's job (see :meth:`missing`)."""
        path = self.file(job[1], target)
        if not path.is_file():
            self._make_part((0, [job]))
        return path

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def save(self) -> None:
        if not self._dirty:
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._write(self._index_path, json.dumps(self._index, sort_keys=True).encode())
            self._dirty = False
        except OSError:
            pass  # a read-only cache still serves what it has
