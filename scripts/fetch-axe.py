"""Fetch axe-core (the accessibility engine the browser tests run in each page) from the npm
registry, check it against the pinned integrity hash, and keep only axe.min.js in
.venv/share/axe-core/. Run by scripts/setup.sh; does nothing when the pinned file is there.

axe-core is MPL-2.0; it is used by the tests only and never published with the site.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# The registry's "integrity" of that tarball (sha512, base64).
INTEGRITY = ("sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37Og"
             "udVGtQ==")
TARGET = Path(__file__).resolve().parent.parent / ".venv" / "share" / "axe-core"


def main() -> int:
    script = TARGET / "axe.min.js"
    stamp = TARGET / "VERSION"
    if script.is_file() and stamp.is_file() and stamp.read_text().strip() == VERSION:
        return 0
    try:
        with urllib.request.urlopen(URL, timeout=60) as response:
            tarball = response.read()
    except OSError as exc:
        print(f"错误：无法下载 axe-core {VERSION}（{URL}）：{exc}", file=sys.stderr)
        return 1
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != INTEGRITY:
        print(f"错误：下载的 axe-core {VERSION} 校验值不符，已丢弃。", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        content = member.read()
    TARGET.mkdir(parents=True, exist_ok=True)
    script.write_bytes(content)
    stamp.write_text(VERSION + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
