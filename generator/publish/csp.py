"""The Content-Security-Policy of a built site, made from what its pages actually use.

Our pages load scripts, stylesheets, images and search data from the site itself and
nothing else, so the policy starts from ``default-src 'none'`` and allows ``'self'`` where
a kind of resource is used. Inline code is what a policy like this blocks: the theme has
none, but a page from another engine or a hand-written override might. Every inline
``<script>`` and ``<style>`` found is allowed by its SHA-256 hash (and reported, because a
rebuild that changes it needs a new configuration); inline ``style="…"`` attributes and
``on…=`` handlers cannot be hashed without ``'unsafe-hashes'`` and are only reported.

The browser editor of an internal build (``/admin/``, Decap CMS) is a different program
with its own needs and gets its own policy (:func:`editor_policy`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)
_TAG = re.compile(r"<[a-zA-Z][a-zA-Z0-9-]*\s[^<>]*>")
_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+)""", re.I)
_HANDLER = re.compile(r"""\s(on[a-z]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+)""", re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
# Script types a browser runs (and a policy therefore governs); JSON data blocks are inert.
_RUNNABLE = {"", "module", "text/javascript", "application/javascript", "text/ecmascript",
             "application/ecmascript", "text/jscript", "text/livescript"}

EDITOR_DIR = "admin"


def source_hash(text: str) -> str:
    """A CSP hash source for an inline element's text (newlines as the HTML parser sees them)."""
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(normal.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@dataclass
class InlineCode:
    """Inline code found in a set of pages: hash source → the pages that have it."""

    scripts: dict[str, list[str]] = field(default_factory=dict)
    styles: dict[str, list[str]] = field(default_factory=dict)
    style_attributes: dict[str, list[str]] = field(default_factory=dict)  # page → attributes
    handlers: dict[str, list[str]] = field(default_factory=dict)          # page → handlers

    def add_page(self, rel: str, text: str) -> None:
        for m in _SCRIPT.finditer(text):
            attrs, body = m[1], m[2]
            kind = _TYPE.search(attrs)
            if _SRC.search(attrs) or (kind and kind[1].lower() not in _RUNNABLE):
                continue
            self.scripts.setdefault(source_hash(body), []).append(rel)
        for m in _STYLE.finditer(text):
            self.styles.setdefault(source_hash(m[1]), []).append(rel)
        for tag in _TAG.finditer(_SCRIPT.sub("", text)):
            for a in _STYLE_ATTR.finditer(tag[0]):
                self.style_attributes.setdefault(rel, []).append(a[1])
            for h in _HANDLER.finditer(tag[0]):
                self.handlers.setdefault(rel, []).append(h[1])

    def warnings(self) -> list[str]:
        out = []
        if self.scripts or self.styles:
            pages = sorted({p for ps in (*self.scripts.values(), *self.styles.values()) for p in ps})
            out.append(f"{len(pages)} 个页面含有内联脚本或样式（例如 {pages[0]}），已按内容的哈希值放行；"
                       "网站重新生成后如果它们变了，请重新运行 showcase server-config。")
        if self.style_attributes:
            pages = sorted(self.style_attributes)
            out.append(f"{len(pages)} 个页面含有 style=\"…\" 属性（例如 {pages[0]}），"
                       "在内容安全策略下不会生效；请改用样式表中的类。")
        if self.handlers:
            pages = sorted(self.handlers)
            out.append(f"{len(pages)} 个页面含有 onclick 等事件属性（例如 {pages[0]}），"
                       "在内容安全策略下不会执行；请改为脚本文件。")
        return out


def scan(root: Path, pages: Iterable[str]) -> InlineCode:
    found = InlineCode()
    for rel in pages:
        found.add_page(rel, (root / rel).read_text(encoding="utf-8", errors="replace"))
    return found


def site_pages(files: Iterable[str]) -> list[str]:
    """The HTML pages of the site itself (the browser editor's are not)."""
    return [f for f in files if f.endswith(".html") and f.split("/", 1)[0] != EDITOR_DIR]


def _join(directives: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


def site_policy(inline: InlineCode, *, tls: bool) -> str:
    """The policy of every page of the site: our own files only, nothing inline, never
    framed, forms posted only to ourselves (the 404 page's search form)."""
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'", *sorted(inline.scripts)],
        "style-src": ["'self'", *sorted(inline.styles)],
        # data: for the icons Material's stylesheet draws with data: URLs
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],  # the search index
        "media-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    if tls:
        directives["upgrade-insecure-requests"] = []
    return _join(directives)


def editor_backend_origins(root: Path) -> list[str]:
    """The origins of the git server the browser editor talks to (admin/config.yml)."""
    config_file = root / EDITOR_DIR / "config.yml"
    try:
        loaded = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, json.JSONDecodeError):
        return []
    backend = loaded.get("backend") if isinstance(loaded, dict) else None
    if not isinstance(backend, dict):
        return []
    origins = set()
    for key in ("base_url", "api_root", "auth_endpoint"):
        value = backend.get(key)
        if isinstance(value, str):
            parts = urlsplit(value)
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def editor_policy(inline: InlineCode, origins: list[str]) -> str:
    """The browser editor's policy (internal builds only, behind authentication): Decap CMS
    compiles its schemas at run time (``'unsafe-eval'``), runs WebAssembly, styles itself
    with injected ``<style>`` elements and talks to the team's git server."""
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'", "'unsafe-eval'", "'wasm-unsafe-eval'", *sorted(inline.scripts)],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *origins],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", "blob:", *origins],
        "frame-src": ["'self'", "blob:"],
        "worker-src": ["'self'", "blob:"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'", *origins],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    return _join(directives)
