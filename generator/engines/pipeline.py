"""One build, whichever engine publishes it.

    load and check once → facts → pages, data files and settings (the core)
      → a generated project: mkdocs.yml (this build's settings) + docs/ + theme/
      → the engine renders HTML (MkDocs, ProperDocs or Zensical)
      → post-steps on the rendered files: search index, PDFs, sitemap, robots.txt
      → swapped in place of ``--out`` only if all of it succeeded

``showcase generate`` writes the same project for someone else's engine run; ``showcase
serve`` and a plain ``mkdocs build`` in the project root go through the MkDocs plugin,
which calls the same core and post-steps.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ..base import gcpause, outputs
from ..base.blobcache import BlobCache
from ..base.problems import Problem, ProblemsFound
from ..base.reference import epoch_of
from ..data import loader
from ..data.dataset import Dataset
from ..data.history import read_history
from ..data.sources import join
from ..media.cache import default_root
from ..paper.sitepages import site_pages
from ..rules.audience import Audience, view
from ..rules.facts import Facts, derive
from ..site import urls
from ..site.settings import site_settings, site_url
from ..site.sitegen import GeneratedSite, Options, TemplateFailed, generate
from ..staff.cms import SettingsError
from . import config as engine_config
from . import editor_server
from .config import Engine
from .poststeps import PostStepFailed, finish
from .render import EngineFailed, render

GENERATED_MARKER = outputs.MARKER
# What each command writes into its output's marker (and what its guard accepts).
BUILD_MAKER = "showcase build"
GENERATE_MAKER = "showcase generate"


class BuildFailed(Exception):
    """The site could not be built; the message is Chinese and says why."""


@dataclass(frozen=True)
class BuildSettings:
    config_file: Path  # the project's mkdocs.yml (theme, extensions, menu)
    data_dir: Path
    out: Path
    audience: Audience = "public"
    as_of: dt.date | None = None
    pdf: bool = True
    engine: Engine = "mkdocs"
    verbose: bool = False
    shards: int | None = None  # MkDocs processes (default: one per core, up to two)
    strict_sources: bool = False  # an aggregator: a member that does not validate is an error
    cache: bool = True  # unchanged pages from .cache/pages (engines/pagecache.py)


def find_config(data_dir: Path) -> Path:
    """mkdocs.yml of the project: in the working folder, else next to the data folder, else
    the one of the checkout this package runs from (so a data folder anywhere can be built)."""
    checkout = Path(__file__).resolve().parents[2]
    for folder in (Path.cwd(), data_dir.resolve().parent, checkout):
        candidate = folder / "mkdocs.yml"
        if candidate.is_file():
            return candidate
    raise BuildFailed("找不到 mkdocs.yml：请在项目根目录（含 mkdocs.yml 的目录）中运行此命令。")


# ---------------------------------------------------------------- the core, once per build

@dataclass(frozen=True)
class Prepared:
    data: Dataset
    shown: Dataset  # the audience's view (what every output is made from)
    site: GeneratedSite
    as_of: dt.date
    pdfs: frozenset[str]
    audience: Audience
    notes: tuple[str, ...] = ()  # for the build log (e.g. why pages have no 最后更新)
    facts: Facts | None = None
    pdf: bool = True  # the annual reports' and worklists' PDFs are made: every build, not the preview


def history_cache(project: Path) -> Path:
    """Where the records' history is cached by HEAD (beside the photo cache)."""
    return project / ".cache" / "history"


def pages_cache(project: Path) -> Path:
    """Where rendered pages and the post-steps' per-page results are cached (beside the
    photo cache; engines/pagecache.py)."""
    return project / ".cache" / "pages"


def sources_cache(project: Path) -> Path:
    """Where an aggregator keeps its members' repositories and data (data/sources.py)."""
    return project / ".cache" / "sources"


def load_data(data_dir: Path, *, sources_dir: Path | None = None,
              strict_sources: bool = False) -> tuple[Dataset, Dataset]:
    """The data to build: the folder's own, and that joined with its members' when it
    names any (sources.yml; else the same). Raises :class:`ProblemsFound` on errors."""
    own = loader.load(data_dir)
    if not own.ok:
        raise ProblemsFound(own.problems)
    if own.members is None:
        return own, own
    cache = sources_dir or sources_cache(find_config(data_dir).parent)
    return own, join(own, cache, strict=strict_sources)


def prepare(data_dir: Path, *, audience: Audience, as_of: dt.date, pdf: bool,
            template_dirs: tuple[Path, ...], preview: bool = False,
            photo_cache: Path | None = None, history_dir: Path | None = None,
            sources_dir: Path | None = None, strict_sources: bool = False,
            cache: BlobCache | None = None) -> Prepared:
    """Load and check the data (once; an aggregator's joined with its members'), read its
    history, derive the facts, generate every page. ``history_dir`` caches the history by
    HEAD (None: no cache); ``cache`` keeps results by content (the pages' QR codes)."""
    with gcpause.paused():
        own, data = load_data(data_dir, sources_dir=sources_dir, strict_sources=strict_sources)
        assert data.program is not None
        # The history is the data folder's own (members are fetched one commit deep).
        history = read_history(data_dir, cache_dir=history_dir, current=own)
        facts = derive(data, as_of)
        pdfs = frozenset(data.compilations) if pdf else frozenset()
        try:
            site = generate(data, facts, Options(
                audience=audience, base_url=site_url(data.program), pdfs=pdfs,
                template_dirs=template_dirs, preview=preview, photo_cache=photo_cache,
                cache=cache),
                history)
            site.pages.update(site_pages(data, facts, audience, template_dirs, pdf=not preview))
        except TemplateFailed as exc:
            raise BuildFailed(str(exc)) from exc
    notes = (history.note,) if history.note else ()
    # --no-pdf leaves out the compilations' PDFs (``pdfs``) only (SPEC §3, §6).
    return Prepared(data, view(data, audience), site, as_of, pdfs, audience, notes, facts, not preview)


# The staff guide's link to its printable PDF (content/guide/index.md), left out where the
# PDF is not made (a --no-pdf build, the preview): no link that leads nowhere.
_GUIDE_INDEX = "guide/index.md"
_GUIDE_PDF_LINK = re.compile(r'\s*·?\s*<a href="bianji-zhinan\.pdf">[^<]*</a>(?:（[^）\n]*）)?')


def tree_files(site: GeneratedSite, content_dir: Path, audience: Audience, *,
               guide_pdf: bool = False) -> dict[str, bytes | Path]:
    """Every file of the docs tree: generated pages (bytes), media (their source files) and
    the hand-written pages of ``content/`` (the staff guide in internal builds only; its
    link to the printable guide only when ``guide_pdf``, the PDF, is made)."""
    wanted: dict[str, bytes | Path] = {path: text.encode("utf-8")
                                       for path, text in site.pages.items()}
    wanted.update(site.media)
    if content_dir.is_dir():
        for f in sorted(content_dir.rglob("*")):
            if f.is_file():
                rel = f.relative_to(content_dir).as_posix()
                if rel in wanted or urls.is_reserved(rel):
                    raise BuildFailed(f"content/{rel} 与自动生成的页面路径冲突，请改名或移动。")
                if audience == "internal" or not urls.internal_only(rel):
                    wanted[rel] = f
    index = wanted.get(_GUIDE_INDEX)
    if isinstance(index, Path) and not guide_pdf:
        wanted[_GUIDE_INDEX] = _GUIDE_PDF_LINK.sub("", index.read_text(encoding="utf-8")).encode()
    return wanted


def project_files(prepared: Prepared, project_config: Path, *, audience: Audience,
                  engine: Engine, guide_pdf: bool = False) -> dict[str, bytes | Path]:
    """The engine project: its configuration, ``docs/`` and ``theme/``."""
    root = project_config.parent
    program = prepared.data.program
    assert program is not None
    settings = site_settings(program, audience, prepared.as_of,
                             federated=prepared.data.federation is not None)
    config = engine_config.engine_config(engine_config.read(project_config), settings,
                                         audience, engine)
    files: dict[str, bytes | Path] = {}
    for rel, source in tree_files(prepared.site, root / "content", audience,
                                  guide_pdf=guide_pdf).items():
        files[f"docs/{rel}"] = source
    theme = root / str(config["theme"].get("custom_dir", "theme"))
    if theme.is_dir():
        for f in sorted(theme.rglob("*")):
            if f.is_file():
                files[f"theme/{f.relative_to(theme).as_posix()}"] = f
        config["theme"]["custom_dir"] = "theme"
    files["mkdocs.yml"] = engine_config.dump(config).encode("utf-8")
    return files


def _place(target: Path, source: bytes | Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, bytes):
        target.write_bytes(source)
        return
    try:
        os.link(source, target)  # a photo is not copied byte by byte when it can be shared
    except OSError:
        shutil.copyfile(source, target)


def write_files(folder: Path, files: dict[str, bytes | Path], *,
                previous: Path | None = None) -> int:
    """Write ``files`` below ``folder``. A file whose bytes equal those of the same file in
    ``previous`` is carried over as a hard link (same file, same modification time), so a
    watcher sees real changes only. Returns how many files changed."""
    changed = 0
    for rel, source in files.items():
        target = folder / rel
        old = previous / rel if previous is not None else None
        if old is not None and old.is_file() and not old.is_symlink():
            content = source if isinstance(source, bytes) else source.read_bytes()
            if old.stat().st_size == len(content) and old.read_bytes() == content:
                target.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(OSError):
                    os.link(old, target)
                    continue
        _place(target, source)
        changed += 1
    return changed


# ---------------------------------------------------------------- the commands

@dataclass(frozen=True)
class BuildResult:
    out: Path
    problems: list[Problem]  # the data's warnings (a build never has errors)
    warnings: list[str]      # the post-steps' (e.g. a photo too small to print sharply)
    notes: tuple[str, ...] = ()  # information for the log (e.g. no git history)


def build_site(s: BuildSettings) -> BuildResult:
    """Validate, generate, render with ``s.engine`` and finish; replace ``s.out`` only on
    success."""
    root = s.config_file.parent
    out = outputs.guard(s.out, data_dir=s.data_dir, project_root=root,
                        made_by=BUILD_MAKER)
    as_of = s.as_of or dt.date.today()
    started = time.time()
    cache = BlobCache.at(pages_cache(root)) if s.cache else BlobCache(None)
    try:
        prepared = prepare(s.data_dir, audience=s.audience, as_of=as_of, pdf=s.pdf,
                           template_dirs=(root / "theme" / "templates",),
                           photo_cache=default_root(root), history_dir=history_cache(root),
                           sources_dir=sources_cache(root), strict_sources=s.strict_sources,
                           cache=cache)
        files = project_files(prepared, s.config_file, audience=s.audience, engine=s.engine,
                              guide_pdf=s.pdf and s.audience == "internal")
    except BuildFailed as exc:
        raise BuildFailed(f"网站生成失败，原网站保持不变：{exc}") from None
    program = prepared.data.program
    assert program is not None
    _check_depth(out, prepared)
    docs: dict[str, bytes | Path] | None = None
    if s.engine == "mkdocs":  # in this process: the pages go from memory to MkDocs
        docs = {rel.removeprefix("docs/"): src for rel, src in files.items()
                if rel.startswith("docs/")}
        files = {rel: src for rel, src in files.items() if not rel.startswith("docs/")}
    # The marker says what was built: `showcase deploy` names releases after it and keeps
    # public and internal builds apart, `showcase server-config` protects internal ones.
    marker = {"audience": s.audience, "as_of": as_of.isoformat(), "engine": s.engine}
    with outputs.private_dir(out) as project, \
            outputs.staged_dir(out, BUILD_MAKER, marker) as staging:
        try:
            write_files(project, files)
            (project / "docs").mkdir(exist_ok=True)
        except OSError as exc:
            raise outputs.os_failure(exc, project) from None
        try:
            render(s.engine, project / "mkdocs.yml", staging, epoch=epoch_of(as_of),
                   verbose=s.verbose, docs=docs, shards=s.shards, cache=cache,
                   audience=s.audience)
            warnings = finish(staging, shown=prepared.shown, audience=s.audience,
                              base_url=site_url(program), as_of=as_of, pdfs=prepared.pdfs,
                              photos=prepared.site.photos, facts=prepared.facts,
                              pdf=prepared.pdf, cache=cache)
            if s.audience == "internal":  # the browser editor: never in a public build
                admin, admin_warnings = editor_server.admin_files(s.data_dir, s.config_file)
                write_files(staging, admin)
                warnings += admin_warnings
                if s.pdf:  # the staff guide, printable (issue 25): not in a --no-pdf build
                    warnings += _guide_pdf(staging, s.config_file, program.name, as_of)
        except (EngineFailed, PostStepFailed, SettingsError) as exc:
            raise BuildFailed(f"网站生成失败，原网站保持不变：{exc}") from None
    cache.prune(started)
    notes = prepared.notes + ((cache.note,) if cache.note else ())
    return BuildResult(out, prepared.data.problems, warnings, notes)


def _guide_pdf(site_dir: Path, config_file: Path, programme: str, as_of: dt.date) -> list[str]:
    from ..paper.publish import reproducible
    from ..pdf import CompilationError
    from .guidepdf import write_guide_pdf

    extra = engine_config.read(config_file).get("extra") or {}
    try:
        with reproducible(as_of):
            return write_guide_pdf(site_dir, extra.get("internal_nav"), programme=programme,
                                   day=as_of)
    except CompilationError as exc:
        raise PostStepFailed(f"打印版编辑指南无法生成：{exc}") from None


def _check_depth(out: Path, prepared: Prepared) -> None:
    """Refuse, before anything is made, an output folder so deep that a file the build
    writes would pass the system's path limit — naming the photo (or page) that would."""
    outputs_of: dict[str, str] = {}
    for rel in prepared.site.pages:
        outputs_of[rel.removesuffix(".md") + ".html"] = f"页面 {rel}"
    plan = prepared.site.photos
    if plan is not None:
        for photo in plan.photos.values():
            for variant in photo.web:
                outputs_of[variant.path] = f"照片 media/{photo.file}"
    if not outputs_of:
        return
    rel, what = max(outputs_of.items(), key=lambda item: len(item[0].encode("utf-8")))
    ancestor = out
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    try:
        limit = os.pathconf(ancestor, "PC_PATH_MAX")
    except (OSError, ValueError):
        limit = 4096
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    if len(f"{staging}/{rel}".encode()) >= limit:
        raise BuildFailed(f"输出文件夹 {out} 太深：{what} 发布后的文件路径将超过系统允许的 {limit} 字节。"
                          "请换一个较浅的输出文件夹（例如 site），或缩短照片的文件名和文件夹名。原网站保持不变。")


def write_tree(data_dir: Path, config_file: Path, out: Path, *, audience: Audience,
               as_of: dt.date, engine: Engine = "mkdocs") -> tuple[int, int]:
    """``showcase generate``: the engine project (mkdocs.yml, docs/, theme/) into ``out``,
    swapped in at once; unchanged files are carried over. Returns (changed, unchanged)."""
    root = config_file.parent
    target = outputs.guard(out, data_dir=data_dir, project_root=root,
                           made_by=GENERATE_MAKER)
    prepared = prepare(data_dir, audience=audience, as_of=as_of, pdf=False,
                       template_dirs=(root / "theme" / "templates",),
                       photo_cache=default_root(root), history_dir=history_cache(root),
                       sources_dir=sources_cache(root))
    files = project_files(prepared, config_file, audience=audience, engine=engine)
    with outputs.staged_dir(target, GENERATE_MAKER) as staging:
        changed = write_files(staging, files, previous=target if target.is_dir() else None)
    return changed, len(files) - changed


def sync_tree(wanted: dict[str, bytes | Path], out: Path) -> tuple[int, int]:
    """Make ``out`` (a folder showcase made, or a new one) hold exactly ``wanted``, in place:
    only files whose content changed are rewritten, so that ``showcase serve``'s watcher and
    MkDocs' dirty build see real changes only; files left from an earlier generation are
    removed. Returns (written, removed)."""
    if out.exists() and any(out.iterdir()) and not (out / GENERATED_MARKER).exists():
        raise outputs.UnsafeOutput(f"{out} 不是空目录，也不是 showcase 生成的目录；为避免覆盖，没有改动任何内容。")
    out.mkdir(parents=True, exist_ok=True)
    outputs.write_marker(out, "showcase serve")
    written = removed = 0
    for rel, source in wanted.items():
        target = out / rel
        content = source if isinstance(source, bytes) else source.read_bytes()
        if target.is_file() and target.read_bytes() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written += 1
    for f in sorted(out.rglob("*"), reverse=True):
        rel = f.relative_to(out).as_posix()
        if f.is_file() and rel != GENERATED_MARKER and rel not in wanted:
            f.unlink()
            removed += 1
        elif f.is_dir() and not any(f.iterdir()):
            f.rmdir()
    return written, removed
