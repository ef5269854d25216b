"""A built site rewritten to work opened from the file system (``file://``), for the offline
package.

A browser shows a folder's listing, not its ``index.html``, for a file:// address, and
refuses ``fetch()`` there; so every link to a folder gets ``index.html`` appended, and the
search index (JSON fetched by ``search.js``) is handed over as scripts, which file:// pages
may load (``search.js`` switches to them under file://). What only a server uses — the 404
page, sitemap, robots.txt, gzip copies, the browser editor, Material's unused bundle — is
left out.

The exhibition-screen variant (``kiosk``) also turns links that would leave the package (other
websites, e-mail, data files a touch screen cannot open) into plain text, shows PDFs in a
dialog with a large close button, adds a 返回首页 button and larger touch targets, and
returns to the home page after ``idle`` seconds without a touch.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from .builtsite import site_files

ASSETS = Path(__file__).resolve().parent / "assets"
KIOSK_FILES = ("kiosk.css", "kiosk.js")

# Left out of the package: server files, copies and tools no offline page uses.
_DROP = re.compile(r"^(?:\.showcase-generated|404\.html|sitemap\.xml|robots\.txt|admin/.*|"
                   r"assets/javascripts/.*)$|\.gz$|\.map$")
_SEARCH_DATA = re.compile(r"^search/(?:manifest|[id]/[0-9]+)\.json$")
_TAG = re.compile(r"<[a-zA-Z][a-zA-Z0-9-]*\s[^<>]*>")
_URL_ATTR = re.compile(r'(\s(?:href|src|action|data-url)=")([^"]*)(")')
_A_TAG = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S | re.I)
_HREF = re.compile(r'\shref="([^"]*)"')
_HEAD_END = re.compile(r"</head>", re.I)
_BODY_START = re.compile(r"<body\b[^>]*>", re.I)
_ORIGINAL = re.compile(r'\sdata-original="[^"]*"')
# Links a kiosk keeps: pages, PDFs (shown in a dialog) and photos (the photo dialog).
_KIOSK_TARGETS = (".html", ".pdf", ".jpg", ".jpeg", ".png", ".webp", ".gif")


def _is_external(url: str) -> bool:
    return bool(urlsplit(url).scheme) or url.startswith("//")


def local_url(url: str, page: str, folders: set[str]) -> str:
    """``url`` as written in ``page`` (a site path), with ``index.html`` added where it
    names a folder; root-absolute addresses made relative. Others unchanged."""
    if not url or url.startswith("#") or _is_external(url):
        return url
    parts = urlsplit(url)
    path = parts.path
    if not path:
        return url
    base = posixpath.dirname(page)
    if path.startswith("/"):
        target = posixpath.normpath(path.lstrip("/") or ".")
        path = posixpath.relpath(target, base or ".") + ("/" if path.endswith("/") else "")
    else:
        target = posixpath.normpath(posixpath.join(base, path))
    if target == ".":
        target = ""
    if path.endswith("/") or target in folders:
        path = path.rstrip("/") + "/index.html" if path.rstrip("/") else "index.html"
    rebuilt = path
    if parts.query:
        rebuilt += "?" + parts.query
    if parts.fragment:
        rebuilt += "#" + parts.fragment
    return rebuilt


def _kiosk_links(text: str) -> str:
    """Links a touch screen must not follow become plain text."""
    def keep_or_flatten(m: re.Match[str]) -> str:
        attrs, inner = m[1], m[2]
        href = _HREF.search(" " + attrs)
        if href is None:
            return m[0]
        url = html.unescape(href[1])
        path = urlsplit(url).path.lower()
        if url.startswith("#") or (not _is_external(url) and path.endswith(_KIOSK_TARGETS)):
            return m[0]
        return f'<span class="sc-kiosk-text">{inner}</span>'
    return _A_TAG.sub(keep_or_flatten, text)


def offline_page(text: str, page: str, folders: set[str], *, kiosk: bool, idle: int) -> str:
    """One HTML page of the site rewritten for file://."""
    def attribute(m: re.Match[str]) -> str:
        return m[1] + html.escape(local_url(html.unescape(m[2]), page, folders)) + m[3]

    text = _TAG.sub(lambda tag: _URL_ATTR.sub(attribute, tag[0]), text)
    if not kiosk:
        return text
    root = "../" * page.count("/")
    text = _kiosk_links(_ORIGINAL.sub("", text))
    head = (f'<link rel="stylesheet" href="{root}assets/kiosk.css">'
            f'<script src="{root}assets/kiosk.js" data-home="{root}index.html" '
            f'data-idle="{idle}" defer></script>')
    text = _HEAD_END.sub(lambda m: head + m[0], text, count=1)
    button = f'<a class="sc-kiosk-home" href="{root}index.html">返回首页</a>'
    return _BODY_START.sub(lambda m: m[0] + button, text, count=1)


def search_script(name: str, raw: bytes) -> bytes:
    """A search index file as a script a file:// page can load (theme/assets/search.js)."""
    return (f"window.__scSearchData({json.dumps(name)},".encode()
            + raw.strip() + b");\n")


def offline_files(site: Path, *, kiosk: bool, idle: int) -> Iterator[tuple[str, bytes]]:
    """Every file of the offline copy of ``site`` (path in the package, content), sorted."""
    files = [f for f in site_files(site) if not _DROP.search(f)]
    folders = {posixpath.dirname(f) for f in files if f.endswith("/index.html")}
    folders |= {""}
    out: dict[str, bytes] = {}
    for rel in files:
        if _SEARCH_DATA.match(rel):
            name = rel.removeprefix("search/")
            out[rel[: -len(".json")] + ".js"] = search_script(name, (site / rel).read_bytes())
        elif rel.endswith(".html"):
            page = (site / rel).read_text(encoding="utf-8")
            out[rel] = offline_page(page, rel, folders, kiosk=kiosk, idle=idle).encode("utf-8")
        else:
            out[rel] = (site / rel).read_bytes()
    if kiosk:
        for name in KIOSK_FILES:
            out[f"assets/{name}"] = (ASSETS / name).read_bytes()
    for rel in sorted(out):
        yield rel, out[rel]
