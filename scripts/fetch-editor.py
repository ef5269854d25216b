"""Fetch the browser editor's JavaScript (Decap CMS and js-yaml) from the npm registry, check
each tarball against its pinned integrity hash, and keep what /admin/ serves in
.venv/share/showcase-editor/. Run by scripts/setup.sh; does nothing when the pinned files are
there. Nothing is loaded from a CDN at run time: `showcase serve` and the internal build
serve these files themselves.

Decap CMS and js-yaml are MIT-licensed; their licence texts are kept beside them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

# name, version, the registry's "integrity" of that tarball (sha512, base64), files kept
# (regular expressions on the path inside the tarball).
PACKAGES = [
    ("decap-cms", "3.16.3",
     "sha512-hf+dPlCh7TJmWl8+6VRzHYOWhri5xgUknrZbDewaWe4s9B7xJ8PQugp2QHeSldMUKzav6+z0oIpwUYhUJDYtYw==",
     r"package/(dist/([0-9]+\.)?decap-cms\.js|dist/[0-9a-f]+\.wasm|dist/decap-cms\.js\.LICENSE\.txt"
     r"|LICENSE)"),
    ("js-yaml", "4.1.1",
     "sha512-qQKT4zQxXl8lLwBtHMWwaTcGfFOZviOJet3Oy/xmGk2gZH677CJM9EvtfdSkgWcATZhj/55JZ0rmy3myCT5lsA==",
     r"package/(dist/js-yaml\.min\.js|LICENSE)"),
]
TARGET = Path(__file__).resolve().parent.parent / ".venv" / "share" / "showcase-editor"
STAMP = " ".join(f"{name}@{version}" for name, version, _, _ in PACKAGES)


def fetch(name: str, version: str, integrity: str) -> bytes | None:
    url = f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            tarball = response.read()
    except OSError as exc:
        print(f"错误：无法下载网页编辑器组件 {name} {version}（{url}）：{exc}", file=sys.stderr)
        return None
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != integrity:
        print(f"错误：下载的 {name} {version} 校验值不符，已丢弃。", file=sys.stderr)
        return None
    return bytes(tarball)


def main() -> int:
    stamp = TARGET / "VERSION"
    if stamp.is_file() and stamp.read_text().strip() == STAMP and (TARGET / "decap-cms.js").is_file():
        return 0
    staging = TARGET.with_name(TARGET.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, version, integrity, keep in PACKAGES:
        tarball = fetch(name, version, integrity)
        if tarball is None:
            shutil.rmtree(staging, ignore_errors=True)
            return 1
        with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
            for member in archive.getmembers():
                if not member.isfile() or not re.fullmatch(keep, member.name):
                    continue
                source = archive.extractfile(member)
                assert source is not None
                base = Path(member.name).name
                target = staging / (f"{name}.LICENSE" if base == "LICENSE" else base)
                target.write_bytes(source.read())
    (staging / "VERSION").write_text(STAMP + "\n")
    shutil.rmtree(TARGET, ignore_errors=True)
    staging.rename(TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
