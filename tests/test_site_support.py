"""Shared helpers of the published-site tests (``tests/test_site_*.py``); no tests here.

* :func:`run_cli` runs the real command line (``python -m generator``) in a subprocess;
* :func:`cached_build` builds a data set once per test session (per xdist worker) so that
  several test modules can inspect the same output;
* :func:`parse_html` turns a built page into a small element tree (``html.parser``), enough
  to look at text content, attributes, scripts and comments.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import posixpath
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
MINIMAL = TESTS / "fixtures" / "minimal"
SAMPLE = REPO / "sites_data"
CONTENT = REPO / "content"  # hand-written pages
AS_OF = "2026-11-28"


# ---------------------------------------------------------------- running the command line

def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1",
                "COLUMNS": "160", "NO_MKDOCS_2_WARNING": "1"})
    for key in ("SOURCE_DATE_EPOCH", "SHOWCASE_DOCS", "SHOWCASE_DATA_DIR", "SHOWCASE_AUDIENCE",
                "SHOWCASE_AS_OF", "SHOWCASE_PDF"):
        env.pop(key, None)
    env.update(extra)
    return env


def run_cli(*args: str, cwd: Path = REPO, timeout: float = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGS`` with the test interpreter, run from ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, env=env or cli_env(),
        capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False)


def build(data: Path, out: Path, *, audience: str = "public", as_of: str = AS_OF,
          pdf: bool = False, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    args = ["build", "--data", str(data), "--out", str(out), "--audience", audience,
            "--as-of", as_of]
    if not pdf:
        args.append("--no-pdf")
    return run_cli(*args, cwd=cwd)


def build_ok(data: Path, out: Path, **kwargs: object) -> Path:
    result = build(data, out, **kwargs)  # type: ignore[arg-type]
    assert result.returncode == 0, f"build of {data} failed:\n{result.stdout}\n{result.stderr}"
    assert (out / "index.html").is_file()
    return out


_BUILDS: dict[tuple[object, ...], Path] = {}


def cached_build(factory: pytest.TempPathFactory, data: Path, *, audience: str = "public",
                 as_of: str = AS_OF) -> Path:
    """The site of ``data`` built once per session (read-only for the callers)."""
    key = (str(data), audience, as_of)
    if key not in _BUILDS:
        out = factory.mktemp(f"site-{data.name}-{audience}") / "site"
        _BUILDS[key] = build_ok(data, out, audience=audience, as_of=as_of)
    return _BUILDS[key]


# ---------------------------------------------------------------- the minimal fixture, by hand

# Stated from tests/fixtures/minimal/README.md and its files, not computed: a test that reads
# its expectations from the data it checks proves nothing once that data is thin.
MINIMAL_SITES = [  # the 8 files of sites/
    "chengnan-hongqi-cun", "chengnan-taohua-cun", "chengnan-xingfu-shequ", "hexi-chuangxin-keji",
    "hexi-jinshan-qiye", "shanbei-shiyan-xiaoxue", "shanbei-wangjia-cun",
    "shizhi-zhengwu-zhongxin",
]
# 4 experiences, of which shiyan-hongse-ketang says ``draft: true``.
MINIMAL_PUBLIC_EXPERIENCES = ["hexi-lianmeng-gongjian", "taohua-jifen-guanli",
                              "wangjia-cunmin-shuoshi"]
MINIMAL_DRAFTS = ["shiyan-hongse-ketang"]
MINIMAL_PLANS = ["2025"]
MINIMAL_COMPILATIONS = ["huibian-2025"]
# The README's site table (a status does not depend on the reference date).
MINIMAL_STATUS = {
    "chengnan-taohua-cun": "improving", "chengnan-xingfu-shequ": "demonstration",
    "chengnan-hongqi-cun": "improving", "hexi-jinshan-qiye": "not_selected",
    "hexi-chuangxin-keji": "eliminated", "shanbei-wangjia-cun": "candidate",
    "shizhi-zhengwu-zhongxin": "demonstration", "shanbei-shiyan-xiaoxue": "withdrawn",
}


# ---------------------------------------------------------------- reading the output

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a ``showcase serve``)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, timeout: float = 5) -> str:
    """The text at ``url``, or "" while nothing answers there yet."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


def record_ids(data: Path, kind: str) -> list[str]:
    return sorted(p.stem for p in (data / kind).rglob("*.yml"))


def is_draft(path: Path) -> bool:
    """Whether an experience file says ``draft: true`` (read as plain text lines)."""
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if line.startswith("draft:"):
            value = line.split(":", 1)[1].split("#", 1)[0].strip().strip("'\"").lower()
            return value in {"true", "yes", "on", "y", "是", "1"}
    return False


def public_experience_ids(data: Path) -> list[str]:
    return sorted(p.stem for p in (data / "experiences").rglob("*.yml") if not is_draft(p))


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative POSIX path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def readable_text(path: Path) -> str:
    """A file's text as a reader or a program would get it: gzip decompressed, PDF text
    extracted, JSON ``\\u`` escapes decoded; jieba's zero-width spaces removed."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        # Also without white space: a table cell may wrap a value over two lines.
        import re

        return text + "\n" + re.sub(r"\s+", "", text) + "\n" + raw.decode("latin-1")
    if path.suffix in (".docx", ".xlsx"):
        # Every part of the package, and its text with the markup removed (a value may be
        # split into several runs).
        import re
        import zipfile

        with zipfile.ZipFile(path) as package:
            parts = [package.read(n).decode("utf-8", errors="replace")
                     for n in package.namelist() if n.endswith((".xml", ".rels"))]
        xml = "\n".join(parts)
        return xml + "\n" + re.sub(r"<[^>]+>", "", xml)
    if path.suffix == ".ics":
        # Unfolded (RFC 5545 folds lines at 75 octets) and unescaped.
        text = raw.decode("utf-8").replace("\r\n ", "").replace("\n ", "")
        return text + "\n" + text.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
    text = raw.decode("utf-8", errors="replace")
    if path.name.endswith((".json", ".json.gz")):
        with contextlib.suppress(ValueError):
            # \uXXXX escapes decoded; the raw text is kept as well.
            text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
    return text.replace("\u200b", "")


# ---------------------------------------------------------------- a small HTML tree

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [e for e in self.iter() if (tag is None or e.tag == tag)
                and (cls is None or cls in e.classes())]

    def find(self, tag: str | None = None, cls: str | None = None) -> Element:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag or '*'} class={cls!r}> in <{self.tag}>"
        return found[0]

    def all_comments(self) -> list[str]:
        return [c for e in self.iter() for c in e.comments]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_comment(self, data: str) -> None:
        self.stack[-1].comments.append(data)


def parse_html_text(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def parse_html(path: Path) -> Element:
    return parse_html_text(path.read_text(encoding="utf-8"))


def content_of(page: Element) -> Element:
    """The page's own content (Material's ``<article class="md-content__inner">``)."""
    return page.find("article", "md-content__inner")


def squash(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- links

LINK_ATTRS = ("href", "src")


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) or url.startswith("//")


def link_target(site: Path, page: Path, url: str) -> Path | None:
    """The file an internal link of ``page`` leads to (``None`` for pure fragments)."""
    parts = urlsplit(url)
    if not parts.path:
        return None
    base = "/" + page.parent.relative_to(site).as_posix() + "/"
    if base == "/./":
        base = "/"
    target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    resolved = site / target.lstrip("/")
    if parts.path.endswith("/") or resolved.is_dir():
        resolved = resolved / "index.html"
    return resolved


def settled(folder: Path, timeout: float = 30.0) -> list[str]:
    """The names in ``folder`` once a build's previous output, renamed aside and deleted in
    the background (``.<name>.old-<pid>``), is gone."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        names = sorted(p.name for p in folder.iterdir())
        if not any(".old-" in name for name in names) or time.monotonic() > deadline:
            return names
        time.sleep(0.1)
