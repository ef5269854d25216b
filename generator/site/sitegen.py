"""Generate the website's source: every page as Markdown (Jinja2 templates), plus the open
data files and the feed. Pure: records and facts in, a mapping of paths to texts out.

Adapters decide where the result goes: the MkDocs plugin hands it to MkDocs in memory,
``showcase generate`` writes it to a folder that any MkDocs-compatible engine can publish.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import charts, datapackage, photos, urls
from ..media.cache import PhotoCache, default_root
from ..media.variants import PhotoPlan
from ..media.variants import plan as plan_photos
from ..media.variants import referenced
from .fences import wrap_html_blocks
from .maplinks import degrees
from ..base.parallel import fork_map, split, workers
from ..base.weburl import attribute_safe
from ..data.dataset import Dataset
from ..data.history import History
from .changefeed import changes_feed
from ..rules.changes import CHANGE_KINDS, CHANGE_LABELS
from ..rules.facts import Facts
from ..model.lifecycle import STATUS_LABELS, STATUSES
from .opendata import absolute, atom_feed, experiences_csv, experiences_records, sites_csv, sites_records, to_json
from ..model.records import ARCHIVE_LABELS, LEVEL_LABELS, PROMOTED_LABELS, RESULT_LABELS
from ..base.richtext import html_escape, markdown_html, markdown_sections, md_escape, plain_text
from .sitemodel import (
    EXPERIENCE_FACET_LABELS,
    FACET_INLINE_MAX,
    LIST_PAGE_SIZE,
    SITE_FACET_LABELS,
    Options,
    Pager,
    build_model,
)

__all__ = ["GeneratedSite", "Options", "TemplateFailed", "generate", "make_environment"]

TEMPLATE_PACKAGE_DIR = Path(__file__).parent / "templates"

class TemplateFailed(Exception):
    """A page template (built-in or a theme/templates override) could not be rendered; the
    message is Chinese and names the template and line."""


def _template_failure(exc: jinja2.TemplateError, template: str) -> TemplateFailed:
    where = template
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{exc.filename or exc.name or template}:{exc.lineno}"
    else:  # a render error: the innermost template frame says where
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith(".j2")]
        if frames:
            where = f"{frames[-1].filename}:{frames[-1].lineno}"
    return TemplateFailed(f"页面模板 {where} 出错（{type(exc).__name__}: {exc.message or exc}）。"
                          "若修改过 theme/templates/ 中的模板，请检查该模板。")


@dataclass
class GeneratedSite:
    pages: dict[str, str] = field(default_factory=dict)   # path -> text
    media: dict[str, Path] = field(default_factory=dict)  # path -> file to copy
    # The photos' variants; in a preview they are made when a browser asks (serve).
    photos: PhotoPlan | None = None


# ---------------------------------------------------------------- template environment

def _link(ctx: jinja2.runtime.Context, target: str) -> str:
    return urls.relative(ctx["here"], target)


def _yaml_str(value: object) -> Markup:
    """A front-matter string: JSON quoting is valid YAML; HTML-escaped because themes print
    page titles without escaping."""
    return Markup(json.dumps(str(html_escape(value)), ensure_ascii=False))


def _notes(value: object) -> str:
    """Free-form internal notes (any YAML) as readable text."""
    if isinstance(value, dict):
        return "；".join(f"{k}：{_notes(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "；".join(_notes(v) for v in value)
    return "" if value is None else str(value)


def _number(value: float | int) -> str:
    """A score or an amount as staff typed it: 82 rather than 82.0, 4.5 stays 4.5."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(round(value, 4))
    return str(value)


# How wide a photo is shown, for the browser's choice of file (see theme/assets/showcase.css).
GALLERY_SIZES = "(max-width: 44em) calc(50vw - 1.6rem), 15rem"
COVER_SIZES = "6rem"


def _photo_html(ctx: jinja2.runtime.Context, photo: Any, *, kind: str = "gallery",
                lazy: bool = True) -> Markup:
    """A record's photo entry as published: a zoomable figure in a gallery, or a card's
    cover. Nothing when the build has no plan for it (never the original)."""
    plan: PhotoPlan | None = ctx.get("photo_plan")
    planned = plan.get(photo.file) if plan is not None else None
    if planned is None:
        return Markup("")
    alt = (photo.alt or photo.caption or "").strip()
    if kind == "cover":
        return photos.picture(planned, ctx["here"], alt="", sizes=COVER_SIZES, lazy=lazy,
                              css="sc-card__cover")
    return photos.zoomable(planned, ctx["here"], alt=alt, caption=(photo.caption or "").strip(),
                           sizes=GALLERY_SIZES, lazy=lazy)


def _markdown(ctx: jinja2.runtime.Context, value: str | None, level: int = 3) -> Markup:
    return photos.body_photos(markdown_html(value, level=level), ctx.get("photo_plan"),
                              ctx["here"])


def _markdown_sections(ctx: jinja2.runtime.Context, value: str | None,
                       level: int = 2) -> list[tuple[int, str, Markup]]:
    return [(lvl, title, photos.body_photos(html, ctx.get("photo_plan"), ctx["here"]))
            for lvl, title, html in markdown_sections(value, level=level)]


def make_environment(template_dirs: Iterable[Path] = ()) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(d)) for d in template_dirs
                                        if d.is_dir()]
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATE_PACKAGE_DIR)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=True,  # every value is HTML-escaped unless a filter says otherwise
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = lambda v: Markup(md_escape(v))
    env.filters["markdown"] = jinja2.pass_context(_markdown)
    env.filters["markdown_sections"] = jinja2.pass_context(_markdown_sections)
    env.filters["plain"] = plain_text
    env.filters["num"] = _number
    env.filters["degrees"] = degrees
    env.filters["notes"] = _notes
    env.filters["yaml"] = _yaml_str
    env.filters["link"] = jinja2.pass_context(_link)
    env.filters["weburl"] = attribute_safe  # an address typed by staff, as an href
    env.globals.update(
        urls=urls, FACET_INLINE_MAX=FACET_INLINE_MAX, LIST_PAGE_SIZE=LIST_PAGE_SIZE,
        SITE_FACET_LABELS=SITE_FACET_LABELS,
        EXPERIENCE_FACET_LABELS=EXPERIENCE_FACET_LABELS, STATUS_LABELS=STATUS_LABELS,
        STATUSES=STATUSES, RESULT_LABELS=RESULT_LABELS,
        ARCHIVE_LABELS=ARCHIVE_LABELS, LEVEL_LABELS=LEVEL_LABELS,
        PROMOTED_LABELS=PROMOTED_LABELS, charts=charts, CHANGE_KINDS=CHANGE_KINDS,
        CHANGE_LABELS=CHANGE_LABELS,
        photo=jinja2.pass_context(_photo_html),
    )
    return env


# ---------------------------------------------------------------- generation

def generate(full: Dataset, facts: Facts, options: Options,
             history: History | None = None) -> GeneratedSite:
    """All generated files of the site for ``options.audience``; ``history`` (from git)
    adds 最后更新, 修订记录 (internal) and the year's changes."""
    model = build_model(full, facts, options, history)
    env = make_environment(options.template_dirs)
    out = GeneratedSite()
    out.photos = plan = _photo_plan(model.data, options)
    if not options.preview:
        plan.cache.make(plan.web_jobs())
    base = options.base_url
    # Every page is listed first (the listings and facets are computed once, here), then
    # rendered — on both cores, each taking a consecutive part of the list.
    jobs: list[tuple[str, str, dict[str, Any]]] = []

    def page(url: str, template: str, **context: Any) -> None:
        jobs.append((url, template, context))

    def render(part: tuple[int, Sequence[tuple[str, str, dict[str, Any]]]]) -> list[tuple[str, str]]:
        rendered = []
        for url, template, context in part[1]:
            try:
                text = env.get_template(template).render(m=model, here=url, photo_plan=plan,
                                                         **context)
            except jinja2.TemplateError as exc:
                raise _template_failure(exc, template) from exc
            rendered.append((urls.source_of(url), wrap_html_blocks(text)))
        return rendered

    page(urls.HOME, "home.md.j2")
    def listing(base: str, template: str, items: list[Any], **context: Any) -> None:
        count = max(1, -(-len(items) // LIST_PAGE_SIZE))
        for number in range(1, count + 1):
            chunk = items[(number - 1) * LIST_PAGE_SIZE: number * LIST_PAGE_SIZE]
            page(urls.paged(base, number), template, items=chunk, total=len(items),
                 pager=Pager(base, number, count), **context)

    listing(urls.SITES, "sites.md.j2", model.site_list(), facet=None, value=None, label=None)
    for facet, values in model.site_facets().items():
        for value, label, _n in values:
            listing(urls.site_facet(facet, value), "sites.md.j2", model.sites_in(facet, value),
                    facet=facet, value=value, label=label)
        if len(values) > FACET_INLINE_MAX:
            page(urls.facet_index(urls.SITES, facet), "facet_index.md.j2", root=urls.SITES,
                 facet=facet, values=values, labels=SITE_FACET_LABELS, url_of=urls.site_facet)
    for item in model.sites.values():
        page(item.url, "site.md.j2", s=item)
    listing(urls.EXPERIENCES, "experiences.md.j2", model.experience_list(), facet=None,
            value=None, label=None)
    for facet, values in model.experience_facets().items():
        for value, label, _n in values:
            listing(urls.experience_facet(facet, value), "experiences.md.j2",
                    model.experiences_in(facet, value), facet=facet, value=value, label=label)
        if len(values) > FACET_INLINE_MAX:
            page(urls.facet_index(urls.EXPERIENCES, facet), "facet_index.md.j2",
                 root=urls.EXPERIENCES, facet=facet, values=values,
                 labels=EXPERIENCE_FACET_LABELS, url_of=urls.experience_facet)
    for exp in model.experiences.values():
        page(exp.url, "experience.md.j2", e=exp)
    page(urls.PLANS, "plans.md.j2")
    for year in model.data.plans:
        page(urls.plan(year), "plan.md.j2", year=year, plan=model.data.plans[year],
             progress=facts.plans[year])
    page(urls.COMPILATIONS, "compilations.md.j2")
    for ident in model.data.compilations:
        page(urls.compilation(ident), "compilation.md.j2", ident=ident,
             c=model.data.compilations[ident])
    page(urls.CHANGES, "changes.md.j2")
    for year in model.chronicle.years:
        page(urls.changes_year(year), "changes_year.md.j2", year=year)
    page(urls.OPEN_DATA, "opendata.md.j2")
    page(urls.TAGS, "tags.md.j2")
    if model.data.federation is not None:
        page(urls.MEMBERS, "members.md.j2")
        for summary in model.member_summaries():
            key = summary.member.key
            page(urls.member(key), "member.md.j2", member=summary.member, summary=summary,
                 plans=model.member_plans(key), duties=model.member_duties(key))
    for name, url, _n in model.tags():
        listing(url, "tag.md.j2", model.tagged(name), tag=name)
    page(urls.SEARCH, "search.md.j2")
    if model.internal:
        page(urls.INTERNAL, "internal.md.j2")
        page(urls.GUIDE_HELP, "guide_help.md.j2")
    for part in fork_map(render, split(jobs, workers())):
        out.pages.update(part)

    data = model.data
    out.pages["data/sites.json"] = to_json(_photo_urls(
        sites_records(data, facts, options.audience, base), plan, base))
    out.pages["data/experiences.json"] = to_json(_photo_urls(
        experiences_records(data, options.audience, base), plan, base))
    out.pages["data/sites.csv"] = sites_csv(data, facts, options.audience, base)
    out.pages["data/experiences.csv"] = experiences_csv(data, base)
    out.pages["data/datapackage.json"] = datapackage.to_json(
        datapackage.build(data, facts, options.audience))
    out.pages[urls.FEED] = atom_feed(data, base)
    out.pages[urls.CHANGES_FEED] = changes_feed(model, base)

    # A preview publishes the originals it is told to at once, the variants on request.
    out.media.update(plan.web_files() if not options.preview else plan.originals())
    return out


def _photo_urls(rows: list[dict[str, Any]], plan: PhotoPlan,
                base: str) -> list[dict[str, Any]]:
    """Each photo of the open data with the address of its published (largest) variant:
    the ``file`` it names is not published."""
    for row in rows:
        for photo in row.get("photos") or []:
            planned = plan.get(photo["file"])
            if planned is not None:
                photo["url"] = absolute(base, planned.large.path)
    return rows


def _photo_plan(data: Dataset, options: Options) -> PhotoPlan:
    """The photos this site shows: the records' photo lists and the images placed in their
    Markdown (both validated), and the government-site mark of the footer."""
    files = referenced([p for s in data.sites.values() for p in s.photos],
                       [s.profile for s in data.sites.values()])
    files += referenced([p for e in data.experiences.values() for p in e.photos],
                        [t for e in data.experiences.values() for t in (e.summary, e.body)])
    assert data.program is not None
    plain = [data.program.gov_mark.image] if data.program.gov_mark is not None else []
    root = options.photo_cache or default_root(None)
    return plan_photos(files, PhotoCache(root), data.media_path,
                       originals=data.program.publish_original_photos, plain=plain)
