"""A site that ``showcase build`` made, as the publishing commands see it: what its marker
says (audience, reference date), its files, and the release name ``showcase deploy`` gives
it."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..base.outputs import MARKER, maker_of
from ..engines.pipeline import BUILD_MAKER


class NotABuiltSite(Exception):
    """The folder is not a site ``showcase build`` made (Chinese message)."""


@dataclass(frozen=True)
class BuiltSite:
    root: Path
    audience: str     # "public" or "internal"
    as_of: str | None  # the build's reference date (YYYY-MM-DD), None for older builds

    @property
    def internal(self) -> bool:
        return self.audience == "internal"


def open_site(folder: Path | str) -> BuiltSite:
    """The built site in ``folder``; :class:`NotABuiltSite` if it is none."""
    root = Path(folder)
    shown = str(folder)
    if not root.is_dir():
        raise NotABuiltSite(f"找不到网站文件夹 {shown}。请先运行 showcase build 生成网站，"
                            "或用 --site 指定生成的网站文件夹。")
    if maker_of(root) != BUILD_MAKER or not (root / "index.html").is_file():
        raise NotABuiltSite(f"{shown} 不是 showcase build 生成的网站（没有相应的 {MARKER} 标记"
                            "或首页 index.html）。请先运行 showcase build，再用 --site 指定它的输出文件夹。")
    try:
        marker = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = {}
    audience = marker.get("audience") if isinstance(marker, dict) else None
    if audience not in ("public", "internal"):
        # Builds before the marker named the audience: the internal banner says it.
        index = (root / "index.html").read_text(encoding="utf-8", errors="replace")
        audience = "internal" if "sc-banner--internal" in index else "public"
    as_of = marker.get("as_of") if isinstance(marker, dict) else None
    return BuiltSite(root, audience, as_of if isinstance(as_of, str) else None)


def site_files(root: Path) -> list[str]:
    """Every file below ``root`` (relative POSIX paths, sorted). A symbolic link or anything
    but a plain file or folder is refused: a build never makes one, and publishing one
    could expose files from elsewhere on the machine."""
    found: list[str] = []

    def walk(folder: Path, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = prefix + entry.name
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    walk(Path(entry.path), rel + "/")
                elif stat.S_ISREG(mode):
                    found.append(rel)
                else:
                    raise NotABuiltSite(f"网站中的 {rel} 不是普通文件（符号链接或特殊文件），"
                                        "不能发布。请重新运行 showcase build 生成网站。")

    walk(root, "")
    return found


def content_digest(root: Path, files: list[str] | None = None) -> str:
    """SHA-256 over every file's path and bytes: equal for two builds of the same data."""
    total = hashlib.sha256()
    for rel in files if files is not None else site_files(root):
        digest = hashlib.sha256()
        with open(root / rel, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        total.update(rel.encode("utf-8") + b"\0" + digest.digest())
    return total.hexdigest()


def release_id(site: BuiltSite, files: list[str] | None = None) -> str:
    """The release's name: the build's reference date and its content
    (``2026-11-28-3f2a9c1b4d5e``; ``undated-…`` for a build whose marker has no date).
    Deterministic: deploying the same build twice names the same release."""
    return f"{site.as_of or 'undated'}-{content_digest(site.root, files)[:12]}"
