"""MkDocs on both cores: one build, forked into shards that each render part of the pages.

MkDocs renders page after page in one process. Once it has read the files and the menu
(``on_nav``), this plugin forks. The first shard (this process) goes on with everything —
the menu's pages, listings, hand-written pages, the theme's files and the photos — and
leaves part of the generated record pages (``sites/…``, ``experiences/…``) to the other
shard: those get an empty body and an empty template here, and are not written. The other
shard does the same the other way round and copies no static file. Every shard still reads
every page's front matter and knows every file, so links are checked the same everywhere
and the menu and the tags come out exactly as in a single-process build (a test compares
them byte for byte, for public and internal builds).

The parent waits for its children and reports their failures. Used only by ``showcase
build`` with MkDocs on systems with ``fork``; it is an optimisation, never needed for a
correct site.
"""

from __future__ import annotations

import os
import sys
import zlib
from typing import Any

import jinja2
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..base.parallel import as_child, stop, workers

SKIP_TEMPLATE = "showcase-skip.html"
TAGS_MARKER = "<!-- material/tags"
SHARDED = ("sites/", "experiences/")
# What a page served from the cache costs against one that is rendered (measured at ×50).
CHEAP = 0.1


class ShardPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def __init__(self, shards: int) -> None:
        self.shards = shards
        self.index = 0            # this process's shard
        self.children: list[int] = []
        self.nav_pages: set[str] = set()
        self.owner: dict[str, int] = {}
        self.cheap: set[str] = set()  # pages the page cache serves (set before on_nav)

    @property
    def is_child(self) -> bool:
        return self.index != 0

    def owns(self, page: Page) -> bool:
        return self.owner.get(page.file.src_uri, 0) == self.index

    def _assign(self, files: Files) -> None:
        """Record pages go to the other shards in a share that evens out the work: the
        first shard also does everything that is not a record page. A page served from the
        cache (``cheap``, engines/pagecache.py) costs a fraction of one that is rendered."""
        pages = [f.src_uri for f in files.documentation_pages()]
        movable = [src for src in pages if src.startswith(SHARDED) and src not in self.nav_pages]
        if not movable:
            return

        def cost(src: str) -> float:
            return CHEAP if src in self.cheap else 1.0

        # Each shard should get a 1/n share of the whole cost, all of it from `movable`,
        # taken in an order that does not depend on the other pages (a page's hash).
        target = sum(cost(src) for src in pages) / self.shards
        order = sorted(movable, key=lambda src: zlib.crc32(src.encode("utf-8")))
        shard, load = 1, 0.0
        for src in order:
            if shard >= self.shards:
                break
            self.owner[src] = shard
            load += cost(src)
            if load >= target:
                shard, load = shard + 1, 0.0

    def on_nav(self, nav: Navigation, *, config: Any, files: Files) -> Navigation:
        self.nav_pages = {p.file.src_uri for p in nav.pages}
        self._assign(files)
        sys.stdout.flush()
        sys.stderr.flush()
        for index in range(1, self.shards):
            pid = os.fork()
            if pid == 0:
                as_child()
                self.index, self.children = index, []
                self._keep_own_files(files)
                _no_exports(config)
                break
            self.children.append(pid)
        return nav

    def _keep_own_files(self, files: Files) -> None:
        """Another shard: every file stays known (links to it are checked the same way in
        every shard, and a hand-written page may link to any page), but only the first shard
        copies the static ones."""
        for file in files:
            if not file.is_documentation_page():
                file.copy_file = _no_copy  # type: ignore[method-assign]

    def on_page_markdown(self, markdown: str, *, page: Page, config: Any, files: Files) -> str:
        if page.file.src_uri in self.nav_pages or self.owns(page) or TAGS_MARKER in markdown:
            # Rendered by every shard (only one writes it): the menu's pages, and tag
            # listings, whose presence makes the tags plugin link every page's tags.
            return markdown
        # Another shard renders this page: skip its Markdown and its template.
        page.meta["template"] = SKIP_TEMPLATE
        page.render = _no_render.__get__(page)  # type: ignore[method-assign]
        return ""

    def on_env(self, env: jinja2.Environment, *, config: Any, files: Files) -> jinja2.Environment:
        assert env.loader is not None
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({SKIP_TEMPLATE: ""}), env.loader])
        return env

    def on_post_page(self, output: str, *, page: Page, config: Any) -> str:
        return output if self.owns(page) else ""

    def stop(self) -> None:
        """End the other shards at once (this one was interrupted)."""
        stop(self.children)
        self.children = []

    def wait(self) -> list[int]:
        """The exit statuses of the other shards (in the first shard)."""
        statuses = []
        for pid in self.children:
            _pid, status = os.waitpid(pid, 0)
            statuses.append(os.waitstatus_to_exitcode(status))
        self.children = []
        return statuses


def _no_exports(config: Any) -> None:
    """Site-wide files that plugins write from what they saw (Material's tags.json) come from
    the first shard, which saw every page."""
    for plugin in config.plugins.values():
        if type(plugin).__module__.startswith("material.plugins.tags"):
            plugin.config["export"] = False


def _no_copy(dirty: bool = False) -> None:
    pass


def _no_render(page: Page, config: Any, files: Any) -> None:
    page.content = ""
    page.toc = []  # type: ignore[assignment]


def available() -> bool:
    """Whether MkDocs may render in forked shards (never in a process with other threads:
    see :func:`generator.base.parallel.workers`)."""
    return workers() > 1
