"""MkDocs renders only the pages that changed: the HTML of every other generated page comes
from the cache of earlier builds.

A page's HTML is a function of its generated Markdown (front matter included) and path, and
of what is the same for every page of a build — the *build key*: the engine configuration
written for this build (menu, ``extra``, theme settings, site address, Markdown extensions),
the reference date MkDocs stamps pages with, the audience, the theme's files, the versions
of the packages that render (MkDocs, Material, Python-Markdown and its extensions, Jinja2)
and this package's code, and the front matter (and, for entries without a title of their
own, the whole source) of the menu's pages, which the menu on every page shows. The cache
key of a page is the hash of all of that (``.cache/pages/html/``).

What is never taken from the cache, because its HTML depends on other pages or could hide
a warning of a strict build:

* the menu's pages (their neighbours and the menu's state are theirs);
* hand-written pages of ``content/`` (their links are checked against the other pages);
* generated pages with a Markdown link (``[text](target)``, ``[text][ref]``) outside the
  HTML our templates write — MkDocs checks those against the files of this build;
* any page while the configuration names a plugin that is not ours (it may collect what it
  sees of each page);
* a page during whose rendering MkDocs logged a warning (it is not stored).

A page served from the cache gets back the anchors it had, so links to them from the pages
that are rendered are checked as before. Every other page is rendered as without a cache
and stored; when the cache cannot be read, a page is rendered. Used by ``showcase build``
with MkDocs in this process (the other engines render everything).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import pickle
import re
import sys
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from ..base.blobcache import BlobCache, key
from ..site.fences import CLOSE, OPEN
from .shards import SKIP_TEMPLATE

KIND = "html"
FORMAT = "1"
# The packages whose code turns a page's Markdown into its HTML.
RENDERERS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2",
             "markupsafe", "pyyaml", "pygments", "babel")
# Our own plugins (the others make a page's HTML depend on more than its Markdown).
OURS = frozenset({"showcase-memory", "showcase-pagecache", "showcase-shards"})

_FENCED = re.compile(rf"^{re.escape(OPEN)}\n.*?\n{re.escape(CLOSE)}$", re.M | re.S)
# A Markdown link, image or reference: ``](``, ``][`` or ``]:`` (MkDocs checks its target).
_MARKDOWN_LINK = re.compile(r"\]\s*[(\[:]")


def has_markdown_links(markdown: str) -> bool:
    """Whether the page's Markdown outside our HTML blocks has something MkDocs checks."""
    if _MARKDOWN_LINK.search(markdown) is None:
        return False
    return _MARKDOWN_LINK.search(_FENCED.sub("", markdown)) is not None


def code_version() -> str:
    """This package's code (the Markdown extension, the plugins, the generator)."""
    here = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(here.rglob("*")):
        if path.suffix in (".py", ".j2", ".html") and path.is_file():
            digest.update(path.relative_to(here).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _versions() -> str:
    found = [sys.version]
    for name in RENDERERS:
        try:
            found.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name}: none")
    return "\n".join(found)


def _folder(folder: Path | None) -> str:
    digest = hashlib.sha256()
    if folder is not None and folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _titled(nav: Any) -> set[str]:
    """Paths the menu configuration gives a title of its own (``- 首页: index.md``)."""
    out: set[str] = set()
    if isinstance(nav, list):
        for entry in nav:
            out |= _titled(entry)
    elif isinstance(nav, dict):
        for value in nav.values():
            if isinstance(value, str):
                out.add(value)
            else:
                out |= _titled(value)
    return out


class PageCache(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Serve unchanged pages from ``cache`` (see the module's docstring). ``docs`` are the
    pages handed over from memory (bytes: generated; paths: hand-written files)."""

    def __init__(self, cache: BlobCache, docs: dict[str, bytes | Path], *,
                 audience: str, epoch: int, shard: Any = None) -> None:
        self.cache = cache
        self.docs = docs
        self.audience = audience
        self.epoch = epoch
        self.shard = shard          # the ShardPlugin, told which pages are cheap
        self.keys: dict[str, str] = {}       # cacheable page → its key
        self.hits: set[str] = set()          # pages whose entry existed before the build
        self.pending: dict[str, int] = {}    # page being rendered → warnings before it
        self.served = 0
        self.rendered = 0
        self.warnings = _WarningCount()

    # ------------------------------------------------------------------ the build key
    def build_key(self, config: Any, nav: Navigation) -> str | None:
        """None when the configuration rules the cache out (another plugin)."""
        if any(name not in OURS for name in config.plugins):
            return None
        config_file = Path(config.config_file_path)
        titled = _titled(config.get("nav"))
        menu = []
        for page in nav.pages:
            src = page.file.src_uri
            source = self.docs.get(src)
            raw = source.read_bytes() if isinstance(source, Path) else source or b""
            text = raw.decode("utf-8-sig", errors="replace")
            if src in titled:
                _body, meta = get_data(text)
                menu.append(f"{src}\n{json.dumps(meta, sort_keys=True, default=str)}")
            else:  # its title is its first heading: the whole source
                menu.append(f"{src}\n{text}")
        custom = config.theme.custom_dir
        return key(FORMAT, self.audience, str(self.epoch), config_file.read_bytes(),
                   _folder(Path(custom) if custom else None), _versions(), code_version(),
                   "\n\n".join(menu))

    @event_priority(50)  # before the shards fork: they learn which pages are cheap
    def on_nav(self, nav: Navigation, *, config: Any, files: Files) -> Navigation:
        build = self.build_key(config, nav)
        if build is None or not self.cache.enabled:
            return nav
        in_menu = {p.file.src_uri for p in nav.pages}
        for file in files.documentation_pages():
            src = file.src_uri
            content = self.docs.get(src)
            if not isinstance(content, bytes) or src in in_menu:
                continue
            if has_markdown_links(content.decode("utf-8", errors="replace")):
                continue
            self.keys[src] = key(build, src, content)
        assert self.cache.root is not None
        self.hits = {src for src, k in self.keys.items()
                     if (self.cache.root / KIND / k[:2] / k).is_file()}
        if self.shard is not None:
            self.shard.cheap = set(self.hits)
        self.warnings.attach()
        return nav

    def on_pre_page(self, page: Page, *, config: Any, files: Files) -> Page:
        """A page served from the cache is not read again: its source (front matter
        included) is what its key was made of."""
        src = page.file.src_uri
        if src not in self.hits:
            return page
        if self.shard is not None and not self.shard.owns(page):
            # another shard writes it; this one needs nothing of it
            page.read_source = _no_source.__get__(page)  # type: ignore[method-assign]
            return page
        entry = self._entry(src)
        if entry is None:
            self.hits.discard(src)  # rendered after all
        else:
            page.read_source = _no_source.__get__(page)  # type: ignore[method-assign]
            page.render = _served(*entry).__get__(page)  # type: ignore[method-assign]
            self.served += 1
        return page

    @event_priority(-50)  # after the shards: a page another shard renders is left alone
    def on_page_markdown(self, markdown: str, *, page: Page, config: Any, files: Files) -> str:
        src = page.file.src_uri
        if src in self.hits:
            page.meta["template"] = SKIP_TEMPLATE
            return ""
        if src in self.keys and page.meta.get("template") != SKIP_TEMPLATE:
            self.pending[src] = self.warnings.count
        return markdown

    def _entry(self, src: str) -> tuple[str, str | None, set[str]] | None:
        raw = self.cache.get(KIND, self.keys[src])
        if raw is None:
            return None
        try:
            html, title, anchors = pickle.loads(raw)
        except Exception:  # a damaged entry is a miss
            return None
        if not isinstance(html, str) or not isinstance(anchors, (set, frozenset)):
            return None
        return html, title if isinstance(title, str) else None, set(anchors)

    def on_env(self, env: jinja2.Environment, *, config: Any, files: Files) -> jinja2.Environment:
        """The empty template of a page served from the cache (the shards add it too)."""
        assert env.loader is not None
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({SKIP_TEMPLATE: ""}), env.loader])
        return env

    @event_priority(50)  # before the shards empty the pages another shard writes
    def on_post_page(self, output: str, *, page: Page, config: Any) -> str:
        served = getattr(page, "_showcase_cached", None)
        if served is not None:
            return str(served)
        src = page.file.src_uri
        before = self.pending.pop(src, None)
        if before is not None and output.strip() and self.warnings.count == before:
            entry = (output, page.title, frozenset(page.present_anchor_ids or ()))
            self.cache.put(KIND, self.keys[src], pickle.dumps(entry, pickle.HIGHEST_PROTOCOL))
            self.rendered += 1
        return output

    def on_post_build(self, *, config: Any) -> None:
        self.warnings.detach()


def _no_source(page: Page, config: Any) -> None:
    page.markdown, page.meta = "", {}


def _served(html: str, title: str | None, anchors: set[str]) -> Any:
    """A page's ``render`` that takes the cached result instead of rendering."""
    def render(page: Page, config: Any, files: Any) -> None:
        page.content = ""
        page.toc = []  # type: ignore[assignment]
        page._title_from_render = title
        page.present_anchor_ids = anchors
        page._showcase_cached = html  # type: ignore[attr-defined]
    return render


class _WarningCount(logging.Handler):
    """Warnings MkDocs logs (what a strict build counts): a page rendered while one was
    logged is not stored."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

    def attach(self) -> None:
        logging.getLogger("mkdocs").addHandler(self)

    def detach(self) -> None:
        logging.getLogger("mkdocs").removeHandler(self)
