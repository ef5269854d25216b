"""MkDocs on both cores: one build, forked into shards that each render part of the pages.

MkDocs renders page after page in one process. Once it has read the files and the menu
(``on_nav``), this plugin forks: every shard goes on with the same build, but renders only
its own pages — the others get an empty body and an empty template and are not written —
so each core does about half of the Markdown and page-template work. Pages of the menu are
and tag listings are rendered by every shard (written by one), and every shard still sees
every page's front matter, so menus, tags and links come out exactly as in a
single-process build (a test compares them).

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

SKIP_TEMPLATE = "showcase-skip.html"
TAGS_MARKER = "<!-- material/tags"


class ShardPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def __init__(self, shards: int) -> None:
        self.shards = shards
        self.index = 0            # this process's shard
        self.children: list[int] = []
        self.nav_pages: set[str] = set()

    @property
    def is_child(self) -> bool:
        return self.index != 0

    def owns(self, page: Page) -> bool:
        src = page.file.src_uri
        if src in self.nav_pages:
            return self.index == 0
        return zlib.crc32(src.encode("utf-8")) % self.shards == self.index

    def on_nav(self, nav: Navigation, *, config: Any, files: Files) -> Navigation:
        self.nav_pages = {p.file.src_uri for p in nav.pages}
        sys.stdout.flush()
        sys.stderr.flush()
        for index in range(1, self.shards):
            pid = os.fork()
            if pid == 0:
                self.index, self.children = index, []
                break
            self.children.append(pid)
        return nav

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

    def wait(self) -> list[int]:
        """The exit statuses of the other shards (in the first shard)."""
        statuses = []
        for pid in self.children:
            _pid, status = os.waitpid(pid, 0)
            statuses.append(os.waitstatus_to_exitcode(status))
        self.children = []
        return statuses


def _no_render(page: Page, config: Any, files: Any) -> None:
    page.content = ""
    page.toc = []  # type: ignore[assignment]


def available() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1
