"""What the page templates see: the records of one audience with their ids, derived facts,
names from the taxonomy, and the listings and facets computed once per generation."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import segno
from markupsafe import Markup

from . import urls
from ..base.blobcache import BlobCache, key
from ..base import qr
from ..base.qr import FAST_MASK, qr_svg, short_url
from ..data.history import History
from ..base.pinyin import pinyin_slug
from ..rules.audience import Audience, view
from ..rules.changes import Chronicle, chronicle
from ..rules.compilation import select_experiences
from ..data.dataset import Behind, Dataset
from ..data.federation import member_of
from ..rules.duties import experience_unit
from ..rules.facts import Facts
from ..rules.members import MemberSummary, member_plans
from ..rules.members import summaries as member_summaries
from ..rules.yearreport import YearReport, year_report
from ..model.lifecycle import STATUS_LABELS, STATUSES, SiteState
from .maplinks import MapLink, map_links, source_name
from .opendata import absolute, newest_first
from ..model.records import Experience, Site

# Listing pages stay small at province scale: long lists are split into pages, and a facet
# with many values (units) gets its own index page instead of a chip per value everywhere.
LIST_PAGE_SIZE = 120
FACET_INLINE_MAX = 24
SITE_FACET_LABELS = {"category": "类别", "unit": "管理单位", "batch": "批次", "status": "状态",
                     "member": "成员"}
EXPERIENCE_FACET_LABELS = {"theme": "主题", "year": "年度", "unit": "管理单位", "member": "成员"}
# The member facet's value of the aggregator's own records (member keys have no "_").
OWN = "_own"


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
    # A live preview (showcase serve): pages say what only a full build makes (the PDFs).
    preview: bool = False
    # Where photo variants are kept between builds (None: a folder in the system's temp).
    photo_cache: Path | None = None
    # The build's cache of results by content (the pages' QR codes; None: none).
    cache: BlobCache | None = None


QR_KIND = "qr"
_QR_TITLE = "本页网址的二维码"


@functools.cache
def _qr_code() -> bytes:
    """The code that draws a QR code (base/qr.py), part of a cached code's key."""
    return Path(qr.__file__).read_bytes()


def page_code_svg(url: str, cache: BlobCache | None) -> str:
    """The QR code of a page's address for its printout; made once per address and kept in
    the build's cache (a few milliseconds each, thousands of pages)."""
    name = key(QR_KIND, segno.__version__, _qr_code(), _QR_TITLE, str(FAST_MASK), url)
    stored = cache.get(QR_KIND, name) if cache is not None else None
    if stored is not None:
        return stored.decode("utf-8")
    svg = qr_svg(url, title=_QR_TITLE, css_class="sc-qr", mask=FAST_MASK)
    if cache is not None:
        cache.put(QR_KIND, name, svg.encode("utf-8"))
    return svg


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

    kind_label = "示范点"

    @property
    def member(self) -> str:
        return member_of(self.id) or OWN

    @property
    def title(self) -> str:
        return self.record.display_name


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

    kind_label = "典型经验"

    @property
    def member(self) -> str:
        return member_of(self.id) or OWN

    @property
    def title(self) -> str:
        return self.record.title


@dataclass(frozen=True)
class UnitTile:
    """One managing unit in the district overview: its sites by current status, counted
    from the same groups as the unit's listing page (``Model.sites_in("unit", key)``)."""

    key: str
    name: str
    short_name: str
    kind: str
    url: str | None  # the unit's listing page (None: the unit has no site yet)
    total: int
    counts: dict[str, int]  # status -> sites, every status of STATUSES

    def parts(self, statuses: list[str]) -> list[tuple[str, int]]:
        return [(st, self.counts[st]) for st in statuses]


@dataclass(frozen=True)
class PageCode:
    """A printed page's way back to the web: its address, short form and QR code."""

    url: str
    short: str
    svg: Markup


@dataclass
class Model:
    """Everything a template may use (built once per generation)."""

    data: Dataset
    facts: Facts
    options: Options
    sites: dict[str, SiteItem]
    experiences: dict[str, ExperienceItem]
    newest: list[str]
    # The records' history from git (empty and unavailable without it).
    chronicle: Chronicle = dataclasses.field(default_factory=Chronicle)

    @property
    def program(self) -> Any:
        return self.data.program

    @property
    def taxonomy(self) -> Any:
        return self.data.taxonomy

    @property
    def internal(self) -> bool:
        return self.options.audience == "internal"

    def year_report(self, year: int) -> YearReport:
        """The year's numbers (rules/yearreport.py): what the home page's plan table shows,
        as the annual report, report --json and the worklists do."""
        if year not in self._year_reports:
            self._year_reports[year] = year_report(self.data, self.facts, year)
        return self._year_reports[year]

    @cached_property
    def _year_reports(self) -> dict[int, YearReport]:
        return {}

    def current_plan_year(self) -> int | None:
        """The latest plan year not after the reference date (else the earliest plan)."""
        years = sorted(self.data.plans)
        past = [y for y in years if y <= self.facts.as_of.year]
        if past:
            return past[-1]
        return years[0] if years else None

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
            for facet in self.site_facet_names:
                groups.setdefault((facet, _site_facet_value(s, facet)), []).append(s)
        return groups

    @cached_property
    def _experience_groups(self) -> dict[tuple[str, str], list[ExperienceItem]]:
        groups: dict[tuple[str, str], list[ExperienceItem]] = {}
        for e in self.experience_list():
            keys = [("theme", t) for t in dict.fromkeys(e.record.themes)]
            keys += [("year", str(e.record.year)), ("unit", e.unit or "")]
            if self.data.federation is not None:
                keys.append(("member", member_of(e.id) or OWN))
            for key in keys:
                groups.setdefault(key, []).append(e)
        return groups

    @property
    def site_facet_names(self) -> tuple[str, ...]:
        """The directory's facets; a joined data set's also by member."""
        return (*urls.SITE_FACETS, "member") if self.data.federation is not None \
            else urls.SITE_FACETS

    def member_values(self) -> list[tuple[str, str]]:
        """(facet value, label) of each member, the aggregator's own records first."""
        fed = self.data.federation
        if fed is None:
            return []
        assert self.data.program is not None
        return [(OWN, f"{self.data.program.city}本级"),
                *((key, m.name) for key, m in fed.members.items())]

    @cached_property
    def _member_summaries(self) -> list[MemberSummary]:
        return member_summaries(self.data, self.facts)

    def member_summaries(self) -> list[MemberSummary]:
        """A joined data set's members side by side (empty otherwise)."""
        return self._member_summaries

    def member_plans(self, key: str) -> dict[int, Any]:
        return member_plans(self.data, self.facts, key)

    def member_duties(self, key: str) -> list[tuple[int, str, Any]]:
        """(year, unit, duty) of the member's districts, newest year first."""
        return [(year, unit, duty) for year in sorted(self.facts.duties, reverse=True)
                for unit, duty in self.facts.duties[year].items() if member_of(unit) == key]

    def behind(self) -> list[Behind]:
        fed = self.data.federation
        return list(fed.behind) if fed is not None else []

    def site_list(self) -> list[SiteItem]:
        """Sites in reading order: active ones first, then by batch (newest) and name."""
        return self._ordered_sites

    def experience_list(self) -> list[ExperienceItem]:
        """Experiences, newest first."""
        return [self.experiences[i] for i in self.newest]

    def sites_in(self, facet: str, value: str) -> list[SiteItem]:
        """The sites of one facet value (facet pages; same values as ``site_facets``)."""
        return self._site_groups.get((facet, value), [])

    def site_facet_url(self, facet: str, value: str) -> str | None:
        """The facet page of ``value``, or ``None``: pages exist only for values with sites."""
        return urls.site_facet(facet, value) if self.sites_in(facet, value) else None

    def experiences_in(self, facet: str, value: str) -> list[ExperienceItem]:
        return self._experience_groups.get((facet, value), [])

    @cached_property
    def _tagged(self) -> dict[str, list[SiteItem | ExperienceItem]]:
        """Each tag written in a record → the sites (reading order), then the experiences
        (newest first) that carry it; tags in Unicode order."""
        tagged: dict[str, list[SiteItem | ExperienceItem]] = {}
        items: list[SiteItem | ExperienceItem] = [*self._ordered_sites, *self.experience_list()]
        for item in items:
            for name in dict.fromkeys(t.strip() for t in item.record.tags if t.strip()):
                tagged.setdefault(name, []).append(item)
        return dict(sorted(tagged.items()))

    @cached_property
    def _tag_slugs(self) -> dict[str, str]:
        """Each tag's page folder: its pinyin (ASCII, like ids), numbered when two tags
        read the same."""
        slugs: dict[str, str] = {}
        used: set[str] = set()
        for name in self._tagged:
            base = pinyin_slug(name, 48) or "tag"
            slug, n = base, 2
            while slug in used:
                slug, n = f"{base}-{n}", n + 1
            used.add(slug)
            slugs[name] = slug
        return slugs

    def tags(self) -> list[tuple[str, str, int]]:
        """Every tag: (name, page URL, how many records carry it)."""
        return [(name, urls.tag(self._tag_slugs[name]), len(items))
                for name, items in self._tagged.items()]

    def tagged(self, name: str) -> list[SiteItem | ExperienceItem]:
        return self._tagged.get(name, [])

    def tag_chips(self, item: SiteItem | ExperienceItem) -> list[tuple[str, str]]:
        """The chips under a record's title: (label, URL) — an experience's themes (to the
        library's theme page), then the record's own tags (to the tag's page)."""
        chips: list[tuple[str, str]] = []
        if isinstance(item, ExperienceItem):
            chips += [(name, urls.experience_facet("theme", key))
                      for key, name in zip(item.record.themes, item.theme_names, strict=True)]
        chips += [(name, urls.tag(self._tag_slugs[name]))
                  for name in dict.fromkeys(t.strip() for t in item.record.tags if t.strip())]
        return list(dict.fromkeys(chips))

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
        if self.data.federation is not None:
            labels["member"] = self.member_values()
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
        if self.data.federation is not None:
            labels["member"] = self.member_values()
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

    @cached_property
    def _unit_overview(self) -> list[UnitTile]:
        tax = self.data.taxonomy
        assert tax is not None
        tiles = []
        for key, unit in tax.units.items():
            listed = self.sites_in("unit", key)
            counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
            for item in listed:
                counts[item.state.status] += 1
            tiles.append(UnitTile(key, unit.name, unit.short_name or unit.name, unit.kind,
                                  self.site_facet_url("unit", key), len(listed), counts))
        return tiles

    def unit_overview(self) -> list[UnitTile]:
        """Every managing unit of the taxonomy, in its order, with its sites by status."""
        return self._unit_overview

    def overview_statuses(self) -> list[str]:
        """The statuses some site has (the overview's columns), in lifecycle order."""
        return [st for st in STATUSES if any(t.counts[st] for t in self._unit_overview)]

    def page_qr(self, here: str) -> PageCode | None:
        """The QR code of a page's absolute address, for its printout (needs ``site_url``)."""
        if not self.options.base_url:
            return None
        url = absolute(self.options.base_url, here)
        return PageCode(url, short_url(url), Markup(page_code_svg(url, self.options.cache)))

    def map_links(self, s: SiteItem) -> list[MapLink]:
        """Links to the site's point in the map apps (none without both coordinates)."""
        loc = s.record.location
        if loc is None or loc.lat is None or loc.lng is None:
            return []
        program = self.data.program
        assert program is not None
        return map_links(loc.lat, loc.lng, name=s.record.display_name, address=loc.address,
                         source=source_name(program.name, program.site_url))

    def compilation_contents(self, ident: str) -> list[ExperienceItem]:
        comp = self.data.compilations[ident]
        return [self.experiences[i] for i in select_experiences(self.data, comp)
                if i in self.experiences]

    def batch_sites(self, year: int) -> list[SiteItem]:
        return self.sites_in("batch", str(year))


def _site_facet_value(s: SiteItem, facet: str) -> str:
    if facet == "member":
        return member_of(s.id) or OWN
    if facet == "category":
        return s.record.category
    if facet == "unit":
        return s.record.unit
    if facet == "batch":
        return str(s.record.batch)
    return s.state.status


def build_model(full: Dataset, facts: Facts, options: Options,
                history: History | None = None) -> Model:
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
    return Model(data, facts, options, sites, experiences, newest,
                 chronicle(history, data, options.audience))
