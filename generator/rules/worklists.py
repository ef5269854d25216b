"""Who must visit which sites this year (SPEC §6 “Worklists and calendars”): the year's
evaluation tasks (:class:`yearreport.Task`) grouped by managing unit and by supervisor
(``contacts.supervisor.name``). The worklists (PDF, .docx) and the calendars (.ics) are
made from these groups, so a list and its calendar hold the same rows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from ..base.pinyin import pinyin_slug
from ..data.dataset import Dataset
from .yearreport import Task, YearReport


@dataclass(frozen=True)
class Worklist:
    kind: Literal["unit", "supervisor"]
    key: str          # the unit key, or the supervisor's slug
    label: str        # 武陵区委组织部 / 杨帆
    tasks: tuple[Task, ...]

    @property
    def name(self) -> str:
        """The file stem: ``unit-wuling``, ``supervisor-yang-fan`` (SPEC §6)."""
        return f"{self.kind}-{self.key}"


def supervisors(data: Dataset) -> list[str]:
    """Every supervisor named in a site record, in pinyin order."""
    names = {site.contacts.supervisor.name.strip() for site in data.sites.values()
             if site.contacts is not None and site.contacts.supervisor is not None}
    return sorted((n for n in names if n), key=lambda n: (pinyin_slug(n), n))


def supervisor_slugs(data: Dataset) -> dict[str, str]:
    """name → slug: the pinyin of the name as ``showcase new`` makes ids. Two names with the
    same pinyin (杨帆, 杨凡) get ``yang-fan`` and ``yang-fan-2`` in the order of their
    characters; a name without any pinyin gets a short hash of itself."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(supervisors(data), key=lambda n: (pinyin_slug(n), n)):
        base = pinyin_slug(name) or "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs[name] = slug
    return slugs


def supervisor_of(data: Dataset, site_id: str) -> str | None:
    contacts = data.sites[site_id].contacts
    if contacts is None or contacts.supervisor is None:
        return None
    return contacts.supervisor.name.strip() or None


def worklists(data: Dataset, report: YearReport) -> list[Worklist]:
    """One list per managing unit (taxonomy order) and per supervisor; the tasks of the
    year that are not closed by the site leaving the programme."""
    assert data.taxonomy is not None
    by_unit: dict[str, list[Task]] = {}
    by_supervisor: dict[str | None, list[Task]] = {}
    for t in report.tasks:  # one pass: a province has hundreds of units
        if t.left is None:
            by_unit.setdefault(data.sites[t.site].unit, []).append(t)
            by_supervisor.setdefault(supervisor_of(data, t.site), []).append(t)
    lists = [Worklist("unit", key, unit.name, tuple(by_unit.get(key, ())))
             for key, unit in data.taxonomy.units.items()]
    for name, slug in supervisor_slugs(data).items():
        lists.append(Worklist("supervisor", slug, name, tuple(by_supervisor.get(name, ()))))
    return lists
