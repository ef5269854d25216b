"""Generate the website's source: every page as Markdown (Jinja2 templates), plus the open
data files and the feed. Pure: records and facts in, a mapping of paths to texts out.

Adapters decide where the result goes: the MkDocs plugin hands it to MkDocs in memory,
``showcase generate`` writes it to a folder that any MkDocs-compatible engine can publish.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import charts, urls
from .audience import Audience, view
from .compilation import select_experiences
from .dataset import Dataset
from .duties import experience_unit
from .facts import Facts
from .lifecycle import STATUS_LABELS, STATUSES, SiteState
from .opendata import atom_feed, experiences_csv, experiences_records, newest_first, sites_csv, sites_records, to_json
from .records import ARCHIVE_LABELS, LEVEL_LABELS, PROMOTED_LABELS, RESULT_LABELS, Experience, Site
from .richtext import html_escape, markdown_html, md_escape, plain_text

TEMPLATE_PACKAGE_DIR = Path(__file__).parent / "templates" / "site"

# Listing pages stay small at province scale: long lists are split into pages, and a facet
# with many values (units) gets its own index page instead of a chip per value everywhere.
LIST_PAGE_SIZE = 120
FACET_INLINE_MAX = 24
SITE_FACET_LABELS = {"category": "类别", "unit": "管理单位", "batch": "批次", "status": "状态"}
EXPERIENCE_FACET_LABELS = {"theme": "主题", "year": "年度", "unit": "管理单位"}


@dataclass(frozen=True)
class Pager:
    """Where one page of a listing stands among its pages."""

    base: str
    number: int
    count: int

    def url(self, number: int) -> str:
        return urls.paged(self.base, number)

    @property
    def numbers(self) -> list[int | None]:
        """Page numbers to show, ``None`` for a gap: first, last and the neighbourhood."""
        keep = {1, self.count, *range(self.number - 2, self.number + 3)}
        out: list[int | None] = []
        for n in range(1, self.count + 1):
            if n in keep:
                out.append(n)
            elif out and out[-1] is not None:
                out.append(None)
        return out


@dataclass(frozen=True)
class Options:
    audience: Audience = "public"
    base_url: str = ""
    # Compilations whose PDF is part of this build (linked only when it exists).
    pdfs: frozenset[str] = frozenset()
    # Folders searched before the built-in templates (theme/templates overrides).
    template_dirs: tuple[Path, ...] = ()


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
    env.filters["markdown"] = lambda v, level=3: markdown_html(v, level=level)
    env.filters["plain"] = plain_text
    env.filters["num"] = _number
    env.filters["notes"] = _notes
    env.filters["yaml"] = _yaml_str
    env.filters["link"] = jinja2.pass_context(_link)
    env.globals.update(
        urls=urls, FACET_INLINE_MAX=FACET_INLINE_MAX, LIST_PAGE_SIZE=LIST_PAGE_SIZE,
        SITE_FACET_LABELS=SITE_FACET_LABELS,
        EXPERIENCE_FACET_LABELS=EXPERIENCE_FACET_LABELS, STATUS_LABELS=STATUS_LABELS,
        STATUSES=STATUSES, RESULT_LABELS=RESULT_LABELS,
        ARCHIVE_LABELS=ARCHIVE_LABELS, LEVEL_LABELS=LEVEL_LABELS,
        PROMOTED_LABELS=PROMOTED_LABELS, charts=charts,
    )
    return env


# ---------------------------------------------------------------- the model the templates see

@dataclass(frozen=True)
class SiteItem:
    """A site as listed and shown: the record, its id and what follows from it."""

    id: str
    record: Site
    state: SiteState
    category_name: str
    unit_name: str
    experiences: tuple[str, ...]

    @property
    def url(self) -> str:
        return urls.site(self.id)


@dataclass(frozen=True)
class ExperienceItem:
    id: str
    record: Experience
    unit: str | None
    unit_name: str
    theme_names: tuple[str, ...]

    @property
    def url(self) -> str:
        return urls.experience(self.id)


@dataclass
class Model:
    """Everything a template may use (built once per generation)."""

    data: Dataset
    facts: Facts
    options: Options
    sites: dict[str, SiteItem]
    experiences: dict[str, ExperienceItem]
    newest: list[str]

    @property
    def program(self) -> Any:
        return self.data.program

    @property
    def taxonomy(self) -> Any:
        return self.data.taxonomy

    @property
    def internal(self) -> bool:
        return self.options.audience == "internal"

    def current_plan_year(self) -> int | None:
        """The latest plan year not after the reference date (else the earliest plan)."""
        years = sorted(self.data.plans)
        past = [y for y in years if y <= self.facts.as_of.year]
        chosen = past or years
        return chosen[-1] if chosen else None

    @cached_property
    def _ordered_sites(self) -> list[SiteItem]:
        """Sites in reading order: active ones first, then by batch (newest) and name."""
        rank = {s: i for i, s in enumerate(STATUSES)}
        return sorted(self.sites.values(), key=lambda s: (rank[s.state.status], -s.record.batch,
                                                          s.record.category, s.id))

    @cached_property
    def _site_groups(self) -> dict[tuple[str, str], list[SiteItem]]:
        groups: dict[tuple[str, str], list[SiteItem]] = {}
        for s in self._ordered_sites:
            for facet in urls.SITE_FACETS:
                groups.setdefault((facet, _site_facet_value(s, facet)), []).append(s)
        return groups

    @cached_property
    def _experience_groups(self) -> dict[tuple[str, str], list[ExperienceItem]]:
        groups: dict[tuple[str, str], list[ExperienceItem]] = {}
        for e in self.experience_list():
            keys = [("theme", t) for t in dict.fromkeys(e.record.themes)]
            keys += [("year", str(e.record.year)), ("unit", e.unit or "")]
            for key in keys:
                groups.setdefault(key, []).append(e)
        return groups

    def site_list(self, predicate: Callable[[SiteItem], bool] | None = None) -> list[SiteItem]:
        """Sites in reading order: active ones first, then by batch (newest) and name."""
        return [s for s in self._ordered_sites if predicate is None or predicate(s)]

    def experience_list(self, predicate: Callable[[ExperienceItem], bool] | None = None,
                        ) -> list[ExperienceItem]:
        return [self.experiences[i] for i in self.newest
                if predicate is None or predicate(self.experiences[i])]

    def sites_in(self, facet: str, value: str) -> list[SiteItem]:
        """The sites of one facet value (facet pages; same values as ``site_facets``)."""
        return self._site_groups.get((facet, value), [])

    def site_facet_url(self, facet: str, value: str) -> str | None:
        """The facet page of ``value``, or ``None``: pages exist only for values with sites."""
        return urls.site_facet(facet, value) if self.sites_in(facet, value) else None

    def experiences_in(self, facet: str, value: str) -> list[ExperienceItem]:
        return self._experience_groups.get((facet, value), [])

    def featured_sites(self, n: int = 6) -> list[SiteItem]:
        active = ("demonstration", "improving")
        chosen = [s for s in self._ordered_sites if s.record.featured]
        if len(chosen) < n:
            chosen += [s for s in self._ordered_sites
                       if s not in chosen and s.state.status in active][: n - len(chosen)]
        return chosen[:n]

    def featured_experiences(self, n: int = 4) -> list[ExperienceItem]:
        chosen = [e for e in self.experience_list() if e.record.featured]
        chosen += [e for e in self.experience_list() if e not in chosen][: n]
        return chosen[:n]

    @cached_property
    def _site_facets(self) -> dict[str, list[tuple[str, str, int]]]:
        tax = self.data.taxonomy
        assert tax is not None
        batches = sorted({s.record.batch for s in self.sites.values()}, reverse=True)
        labels: dict[str, list[tuple[str, str]]] = {
            "category": [(k, c.name) for k, c in tax.categories.items()],
            "unit": [(k, u.name) for k, u in tax.units.items()],
            "batch": [(str(b), f"{b} 年") for b in batches],
            "status": [(st, STATUS_LABELS[st]) for st in STATUSES],
        }
        return {facet: [(v, label, len(self.sites_in(facet, v))) for v, label in values
                        if self.sites_in(facet, v)]
                for facet, values in labels.items()}

    def site_facets(self) -> dict[str, list[tuple[str, str, int]]]:
        """facet -> [(value, label, count)] in a stable order; empty values left out."""
        return self._site_facets

    @cached_property
    def _experience_facets(self) -> dict[str, list[tuple[str, str, int]]]:
        tax = self.data.taxonomy
        assert tax is not None
        years = sorted({e.record.year for e in self.experiences.values()}, reverse=True)
        labels: dict[str, list[tuple[str, str]]] = {
            "theme": [(k, t.name) for k, t in tax.themes.items()],
            "year": [(str(y), f"{y} 年") for y in years],
            "unit": [(k, u.name) for k, u in tax.units.items()],
        }
        return {facet: [(v, label, len(self.experiences_in(facet, v))) for v, label in values
                        if self.experiences_in(facet, v)]
                for facet, values in labels.items()}

    def experience_facets(self) -> dict[str, list[tuple[str, str, int]]]:
        return self._experience_facets

    @cached_property
    def status_by_category(self) -> dict[tuple[str, str], int]:
        """(category, status) → number of sites, for the home page's table."""
        counts: dict[tuple[str, str], int] = {}
        for s in self.sites.values():
            key = (s.record.category, s.state.status)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def compilation_contents(self, ident: str) -> list[ExperienceItem]:
        comp = self.data.compilations[ident]
        return [self.experiences[i] for i in select_experiences(self.data, comp)
                if i in self.experiences]

    def batch_sites(self, year: int) -> list[SiteItem]:
        return self.sites_in("batch", str(year))


def _site_facet_value(s: SiteItem, facet: str) -> str:
    if facet == "category":
        return s.record.category
    if facet == "unit":
        return s.record.unit
    if facet == "batch":
        return str(s.record.batch)
    return s.state.status


def build_model(full: Dataset, facts: Facts, options: Options) -> Model:
    data = view(full, options.audience)
    tax = data.taxonomy
    assert tax is not None
    by_site: dict[str, list[str]] = {}
    newest = newest_first(data)
    for ident in newest:
        for site_id in data.experiences[ident].sites:
            by_site.setdefault(site_id, []).append(ident)
    sites = {
        ident: SiteItem(ident, site, facts.states[ident], tax.categories[site.category].name,
                        tax.units[site.unit].name, tuple(by_site.get(ident, ())))
        for ident, site in data.sites.items()
    }
    experiences = {}
    for ident, exp in data.experiences.items():
        unit = experience_unit(exp, data.sites)
        experiences[ident] = ExperienceItem(
            ident, exp, unit, tax.units[unit].name if unit in tax.units else "",
            tuple(tax.themes[t].name for t in exp.themes))
    return Model(data, facts, options, sites, experiences, newest)


# ---------------------------------------------------------------- generation

def generate(full: Dataset, facts: Facts, options: Options) -> GeneratedSite:
    """All generated files of the site for ``options.audience``."""
    model = build_model(full, facts, options)
    env = make_environment(options.template_dirs)
    out = GeneratedSite()
    base = options.base_url

    def page(url: str, template: str, **context: Any) -> None:
        path = urls.source_of(url)
        try:
            out.pages[path] = env.get_template(template).render(m=model, here=url, **context)
        except jinja2.TemplateError as exc:
            raise _template_failure(exc, template) from exc

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
    page(urls.OPEN_DATA, "opendata.md.j2")
    page(urls.TAGS, "tags.md.j2")
    page(urls.SEARCH, "search.md.j2")
    if model.internal:
        page(urls.INTERNAL, "internal.md.j2")

    data = model.data
    out.pages["data/sites.json"] = to_json(sites_records(data, facts, options.audience, base))
    out.pages["data/experiences.json"] = to_json(
        experiences_records(data, options.audience, base))
    out.pages["data/sites.csv"] = sites_csv(data, facts, options.audience, base)
    out.pages["data/experiences.csv"] = experiences_csv(data, base)
    out.pages[urls.FEED] = atom_feed(data, base)

    photos = [p for s in data.sites.values() for p in s.photos]
    photos += [p for e in data.experiences.values() for p in e.photos]
    for photo in photos:
        rel = photo.file.strip()
        out.media[urls.media(rel)] = data.media_path(rel)
    return out
