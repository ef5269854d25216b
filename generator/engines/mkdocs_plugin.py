"""MkDocs adapter: ``plugins: [showcase]`` in the project's mkdocs.yml.

For a plain ``mkdocs build`` / ``mkdocs serve`` in the project root, and for ``showcase
serve``: it calls the same core as ``showcase build`` (load and check once, facts, pages,
settings from program.yml), hands the pages to MkDocs, and runs the same post-steps on the
rendered site (search index, PDFs, sitemap, robots.txt). Its options come from mkdocs.yml —
``showcase serve`` passes them as configuration overrides, never through the environment.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from ..base.problems import Problem, ProblemsFound
from ..base.reference import reference_date
from ..media.cache import default_root
from ..rules.audience import Audience
from ..site import urls
from ..site.settings import site_settings, site_url, with_internal_nav, with_members_nav
from .pipeline import BuildFailed, Prepared, history_cache, prepare, sources_cache, sync_tree, tree_files
from .poststeps import PostStepFailed, finish

log = logging.getLogger("showcase.plugin")


class ShowcaseConfig(Config):  # type: ignore[no-untyped-call]
    data_dir = opt.Type(str, default="sites_data")
    audience = opt.Choice(("public", "internal"), default="public")
    as_of = opt.Optional(opt.Type(str))
    pdf = opt.Type(bool, default=True)
    templates = opt.Type(str, default="theme/templates")
    # showcase serve: keep this folder (the docs_dir) in step with the data, on disk, so
    # that MkDocs' dirty rebuilds render just the pages an edit changed.
    sync = opt.Optional(opt.Type(str))


class ShowcasePlugin(BasePlugin[ShowcaseConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.prepared: Prepared | None = None
        self.serving = False
        self.indexed = False
        # A preview on data with errors: the problems (the preview shows them instead of
        # the site, and the editor stays usable); the pages are left as they were.
        self.problems: list[Problem] = []

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def _root(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path).parent

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = self._root(config)
        audience: Audience = "internal" if self.config.audience == "internal" else "public"
        as_of = reference_date(self.config.as_of)
        self.problems = []  # MkDocs keeps plugin instances across a preview's rebuilds
        try:
            self.prepared = prepare(
                root / self.config.data_dir, audience=audience, as_of=as_of,
                pdf=self.config.pdf and not self.serving,
                template_dirs=(root / self.config.templates,), preview=self.serving,
                photo_cache=default_root(root), history_dir=history_cache(root),
                sources_dir=sources_cache(root))
        except ProblemsFound as exc:
            if self.serving:
                self.problems = exc.problems
                self.prepared = None
                config.nav = None  # no menu of pages that are not there (no warnings)
                return config
            for p in exc.problems:
                log.error(str(p))
            raise PluginError(f"数据有 {len(exc.errors)} 个错误，未生成网站。"
                              "请运行 showcase validate 查看并修改。") from None
        except BuildFailed as exc:
            raise PluginError(str(exc)) from None
        program = self.prepared.data.program
        assert program is not None
        for note in self.prepared.notes:
            log.info(note)
        for p in self.prepared.data.problems:
            # Data warnings do not fail a build: logged outside the "mkdocs" logger, whose
            # warnings abort a strict build.
            log.warning(str(p))
        settings = site_settings(program, audience, as_of,
                                 federated=self.prepared.data.federation is not None)
        config.site_name = settings.site_name
        if settings.site_url:
            config.site_url = settings.site_url
        config.copyright = settings.copyright
        config.extra["showcase"] = settings.showcase
        config.nav = with_internal_nav(with_members_nav(config.nav, settings.federated), audience,
                                       config.extra.get("internal_nav"))
        if self.config.sync:
            written, removed = sync_tree(tree_files(self.prepared.site, root / "content",
                                                    audience),
                                         Path(self.config.sync))
            if written or removed:
                log.info(f"已更新 {written} 个页面文件，删除 {removed} 个")
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.problems:
            return files
        assert self.prepared is not None
        if self.config.sync:
            return files  # the pages are on disk, in the docs_dir MkDocs reads
        clashes = [f.src_uri for f in files if urls.is_reserved(f.src_uri)]
        if clashes:
            raise PluginError("content/ 中的这些文件与自动生成的页面路径冲突，请改名或移动："
                              + "、".join(clashes))
        if self.prepared.audience != "internal":
            for f in [f for f in files if urls.internal_only(f.src_uri)]:
                files.remove(f)
        for path, text in self.prepared.site.pages.items():
            files.append(File.generated(config, path, content=text))
        for path, source in self.prepared.site.media.items():
            files.append(File.generated(config, path, abs_src_path=str(source)))
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.problems or (self.serving and self.indexed):
            return  # a preview's rebuild: the index of the first build is kept
        prepared = self.prepared
        assert prepared is not None and prepared.data.program is not None
        try:
            for warning in finish(Path(config.site_dir), shown=prepared.shown,
                                  audience=prepared.audience,
                                  base_url=site_url(prepared.data.program),
                                  as_of=prepared.as_of, pdfs=prepared.pdfs,
                                  photos=prepared.site.photos, facts=prepared.facts,
                                  pdf=prepared.pdf):
                log.warning(warning)
        except PostStepFailed as exc:
            raise PluginError(str(exc)) from None
        self.indexed = True

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        from .serve import photo_server

        server._serve_request = photo_server(
            server._serve_request, server.mount_path,
            lambda: self.prepared.site.photos if self.prepared else None)
        root = self._root(config)
        server.watch(str(root / self.config.data_dir))
        template_dir = root / self.config.templates
        if template_dir.is_dir():
            server.watch(str(template_dir))
        return server
