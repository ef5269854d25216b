"""MkDocs adapter: ``plugins: [showcase]`` in mkdocs.yml.

On every build (and every ``mkdocs serve`` rebuild) it loads ``sites_data/``, derives the
facts, generates the pages in memory and hands them to MkDocs as generated files; the
hand-written pages of ``docs_dir`` (``content/``) stay where they are. All logic lives in
the core; this file only translates between it and MkDocs.
"""

from __future__ import annotations

import html
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from ..base import gcpause
from ..base.reference import reference_date
from ..data import dataset, loader
from ..rules.audience import view
from ..rules.facts import Facts, derive
from ..site import searchindex, urls
from ..site.sitegen import GeneratedSite, Options, TemplateFailed, generate
from .build import GENERATED_MARKER, sync_tree, tree_files, tree_source

log = logging.getLogger("mkdocs.plugins.showcase")
data_log = logging.getLogger("showcase.data")

NAV_INTERNAL = {"内部管理": "internal/index.md"}


class ShowcaseConfig(Config):  # type: ignore[no-untyped-call]
    data_dir = opt.Type(str, default="sites_data")
    audience = opt.Choice(("public", "internal"), default="public")
    as_of = opt.Optional(opt.Type(str))
    pdf = opt.Type(bool, default=True)
    templates = opt.Type(str, default="theme/templates")


def _setting(config: ShowcaseConfig, name: str) -> Any:
    """Environment overrides (set by ``showcase build``/``serve``) win over mkdocs.yml."""
    env = os.environ.get(f"SHOWCASE_{name.upper()}")
    if env is None:
        return config[name]
    if name == "pdf":
        return env not in ("0", "false", "no")
    return env


class ShowcasePlugin(BasePlugin[ShowcaseConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.site: GeneratedSite | None = None
        self.facts: Facts | None = None
        self.data: dataset.Dataset | None = None
        self.serving = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def _root(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path).parent

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        with gcpause.paused():
            return self._configure(config)

    def _configure(self, config: MkDocsConfig) -> MkDocsConfig:
        root = self._root(config)
        data_dir = root / _setting(self.config, "data_dir")
        if "SHOWCASE_DATA_DIR" not in os.environ:
            # A tree written by `showcase generate` knows which data it was made from.
            data_dir = tree_source(Path(config.docs_dir)) or data_dir
        data = loader.load(data_dir)
        if not data.ok:
            for p in data.problems:
                log.error(str(p))
            raise PluginError(f"数据有 {len(data.errors)} 个错误，未生成网站。"
                              "请运行 showcase validate 查看并修改。")
        for p in data.problems:
            # Data warnings are not build failures: logged outside the "mkdocs" logger, whose
            # warnings abort a strict build (``showcase build`` builds strictly).
            data_log.warning(str(p))
        assert data.program is not None
        audience = _setting(self.config, "audience")
        as_of = reference_date(_setting(self.config, "as_of"))
        program = data.program
        self.data = data
        self.facts = derive(data, as_of)

        # Settings from program.yml: staff edit one file, not mkdocs.yml.
        config.site_name = html.escape(program.name)
        if program.site_url:
            config.site_url = program.site_url
        footer = [html.escape(program.organizer)]
        if program.icp:
            footer.append(f'<a href="https://beian.miit.gov.cn/" rel="noopener">'
                          f"{html.escape(program.icp)}</a>")
        if program.site_code:
            footer.append(f"网站标识码：{html.escape(program.site_code)}")
        config.copyright = "　".join(footer)
        extra = config.extra
        extra["showcase"] = {
            "sample": program.sample,
            "audience": audience,
            "organizer": program.organizer,
            "icp": program.icp,
            "site_code": program.site_code,
            "as_of": as_of.isoformat(),
        }
        if audience == "internal" and config.nav is not None:
            config.nav = [*config.nav, NAV_INTERNAL]
        pdfs = frozenset(data.compilations) if _setting(self.config, "pdf") and \
            not self.serving else frozenset()
        template_dir = root / self.config.templates
        try:
            self.site = generate(data, self.facts, Options(
                audience=audience, base_url=config.site_url or "", pdfs=pdfs,
                template_dirs=(template_dir,), preview=self.serving))
        except TemplateFailed as exc:
            raise PluginError(str(exc)) from exc
        self.pdfs = pdfs
        self.audience = audience
        docs_dir = Path(config.docs_dir)
        if (docs_dir / GENERATED_MARKER).exists() and os.environ.get("SHOWCASE_SYNC") == "1":
            # `showcase serve`: keep the written tree in step with the data, rewriting only
            # what changed, so that MkDocs' dirty rebuild renders just those pages.
            content = root / os.environ.get("SHOWCASE_CONTENT", "content")
            written, removed = sync_tree(tree_files(self.site, content), docs_dir, data_dir)
            log.info(f"showcase: {written} 个文件已更新，{removed} 个已删除")
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        self.expected_docs = sum(1 for f in files.documentation_pages()
                                 if urls.searchable(f.url) and f.src_uri != "404.md")
        if (Path(config.docs_dir) / GENERATED_MARKER).exists():
            return files  # a tree written by `showcase generate`: the pages are already there
        self.expected_docs += sum(1 for p in self.site.pages
                                  if p.endswith(".md") and urls.searchable(p[: -len("index.md")]))
        clashes = [f.src_uri for f in files if urls.is_reserved(f.src_uri)]
        if clashes:
            raise PluginError("content/ 中的这些文件与自动生成的页面路径冲突，请改名或移动："
                              + "、".join(clashes))
        for path, text in self.site.pages.items():
            files.append(File.generated(config, path, content=text))
        for path, source in self.site.media.items():
            files.append(File.generated(config, path, abs_src_path=str(source)))
        if self.pdfs:
            # WeasyPrint is slow to import: only when PDFs are made.
            from ..pdf.render import CompilationError, render_compilation
            assert self.data is not None
            shown = view(self.data, self.audience)
            with tempfile.TemporaryDirectory(prefix="showcase-pdf-") as tmp:
                for ident in sorted(self.pdfs):
                    out = Path(tmp) / f"{ident}.pdf"
                    try:
                        result = render_compilation(shown, ident, out)
                    except CompilationError as exc:
                        raise PluginError(f"经验汇编 {ident} 的 PDF 无法生成：{exc}") from exc
                    for warning in result.warnings:
                        log.warning(f"经验汇编 {ident}：{warning}")
                    files.append(File.generated(config, urls.compilation_pdf(ident),
                                                content=out.read_bytes()))
        return files

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self.search_docs: list[searchindex.Doc] = []

    def on_page_content(self, html_text: str, *, page: Any, config: MkDocsConfig,
                        files: Files) -> str:
        url = page.url
        if urls.searchable(url) and page.file.src_uri != "404.md":
            title = html.unescape(page.title or "")
            self.search_docs.append(searchindex.Doc(url, title, searchindex.html_text(html_text)))
        return html_text

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if len(self.search_docs) < self.expected_docs:
            # A dirty rebuild (showcase serve) renders only changed pages: keep the index
            # of the last full build rather than write one that misses pages.
            return
        start = time.perf_counter()
        docs = sorted(self.search_docs, key=lambda d: (urls.search_rank(d.url), d.url))
        site_dir = Path(config.site_dir)
        with gcpause.paused():  # millions of postings, all alive until written
            files = searchindex.build(docs)
        for path, content in files.items():
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        log.info(f"showcase: search index of {len(docs)} pages in "
                 f"{time.perf_counter() - start:.2f} s")

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        root = self._root(config)
        server.watch(str(root / _setting(self.config, "data_dir")))
        template_dir = root / self.config.templates
        if template_dir.is_dir():
            server.watch(str(template_dir))
        return server

