"""One showcase from many programmes (SPEC §6 "Federation"): the aggregator's own data and
each member's data, every one validated alone by its own rules, brought together in one
:class:`Dataset` whose names cannot collide.

* **Namespaces.** A member's records, managing units and themes are renamed
  ``<member>/<name>``: its sites appear at ``/sites/<member>/<id>/``. A member's own
  references (``sites: [x]``) point into its namespace; ``<other>/<id>`` points into
  another member's. Categories are the programme's: the aggregator's taxonomy; a member's
  category the aggregator does not know is a located problem in the member's file.
* **Units and themes keep their member.** They are shown with the member's name
  (``党员教育管理（武陵区）``); duties are computed for the members' districts too.
* **Photos** of a member live in its own ``media/``: its references get the prefix
  ``members/<member>/`` and :meth:`Dataset.media_location` finds them there.
* **Privacy.** A member's private fields reach only an internal build of an aggregator the
  member trusts (``share_internal_with`` in its program.yml lists the aggregator's code);
  otherwise the member's public view is used, also in the aggregator's internal build.

Pure: the members' data sets come in already loaded (``data/sources.py`` reads them from
git); what comes out is one data set and the problems found while joining, each located in
the member's file and naming the member.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..base.problems import Problem, Severity
from ..model.records import (
    Compilation,
    Experience,
    Member,
    Photo,
    Selection,
    Site,
    Taxonomy,
    Theme,
    Unit,
)
from .dataset import Behind, Dataset, Federation, Source

MEDIA_PREFIX = "members"


def qualified(key: str, name: str) -> str:
    """``name`` of member ``key`` in the joined data set (already qualified names stay)."""
    return name if "/" in name else f"{key}/{name}"


def member_of(ident: str) -> str | None:
    """The member a joined record (or unit, theme) belongs to; None for the aggregator's."""
    return ident.split("/", 1)[0] if "/" in ident else None


@dataclass(frozen=True)
class MemberData:
    """A member's data at one commit, valid by its own rules."""

    member: Member
    data: Dataset
    commit: str
    committed: dt.date | None = None  # the commit's date
    trusted: bool = False              # shares its private fields with this aggregator


# ---------------------------------------------------------------- renaming one member

_IMAGE = re.compile(r"(!\[[^\]]*\]\(\s*<?)([^)\s>]+)|(^\s*\[[^\]]+\]:\s*<?)(\S+?)(>?\s*$)", re.M)


def _relative(ref: str) -> bool:
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/|^#", ref)


def _images_into(text: str | None, prefix: str) -> str | None:
    """Markdown with its relative image and link-definition targets moved below ``prefix``
    (``![图](photos/a.jpg)`` → ``![图](members/wuling/photos/a.jpg)``)."""
    if not text:
        return text

    def move(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            head, ref = m.group(1), m.group(2)
            return head + (prefix + _media(ref) if _relative(ref) else ref)
        head, ref, tail = m.group(3), m.group(4), m.group(5)
        return head + (prefix + _media(ref) if _relative(ref) else ref) + tail

    return _IMAGE.sub(move, text)


def _media(ref: str) -> str:
    return ref[len("media/"):] if ref.startswith("media/") else ref


def _photos(photos: Iterable[Photo], prefix: str) -> list[Photo]:
    return [p.model_copy(update={"file": prefix + _media(p.file.strip())}) for p in photos]


def _with_member(name: str, member: Member) -> str:
    return name if member.name in name else f"{name}（{member.name}）"


def _source(data: Dataset, kind: str, ident: str, key: str) -> Source | None:
    src = data.sources.get((kind, ident))
    return Source(f"{key}/{src.path}", src.doc) if src is not None else None


@dataclass
class _Joined:
    sites: dict[str, Site] = field(default_factory=dict)
    experiences: dict[str, Experience] = field(default_factory=dict)
    compilations: dict[str, Compilation] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    body_files: dict[str, str] = field(default_factory=dict)


def _rename(md: MemberData, categories: Mapping[str, Any]) -> tuple[_Joined, list[Problem]]:
    """One member's records in its namespace, and the problems of its own files that only
    the aggregator's rules find (an unknown category)."""
    key, data = md.member.key, md.data
    assert data.taxonomy is not None

    def q(name: str) -> str:
        return qualified(key, name)

    prefix = f"{MEDIA_PREFIX}/{key}/"
    out = _Joined()
    problems: list[Problem] = []
    for name, unit in data.taxonomy.units.items():
        out.units[q(name)] = unit.model_copy(update={
            "name": _with_member(unit.name, md.member),
            "short_name": _with_member(unit.short_name, md.member) if unit.short_name else None})
    for name, theme in data.taxonomy.themes.items():
        out.themes[q(name)] = theme.model_copy(update={"name": _with_member(theme.name, md.member)})
    taxonomy = _source(data, "taxonomy", "taxonomy", key)
    for name in data.taxonomy.categories:
        if name not in categories and taxonomy is not None:
            problems.append(taxonomy.problem(("categories", name), (
                f"〔{md.member.name}〕类别“{name}”不是上级平台规定的类别；汇总时只能使用："
                f"{'、'.join(categories)}。请删去它，或请上级平台增加这个类别。"), key=True))
    for ident, site in data.sites.items():
        src = _source(data, "sites", ident, key)
        if site.category not in categories:
            known = "、".join(categories)
            where = src.problem(("category",), "") if src else Problem(f"{key}/sites", 1, 1, "")
            problems.append(replace(where, message=(
                f"〔{md.member.name}〕类别“{site.category}”不是上级平台规定的类别；汇总时只能使用：{known}。"
                "请在本平台的 taxonomy.yml 和这条记录中改用其中之一。")))
        out.sites[q(ident)] = site.model_copy(update={
            "unit": q(site.unit), "photos": _photos(site.photos, prefix),
            "profile": _images_into(site.profile, prefix)})
        if src:
            out.sources[("sites", q(ident))] = src
    for ident, exp in data.experiences.items():
        out.experiences[q(ident)] = exp.model_copy(update={
            "sites": [q(s) for s in exp.sites], "themes": [q(t) for t in exp.themes],
            "unit": q(exp.unit) if exp.unit else None, "photos": _photos(exp.photos, prefix),
            "summary": _images_into(exp.summary, prefix), "body": _images_into(exp.body, prefix)})
        src = _source(data, "experiences", ident, key)
        if src:
            out.sources[("experiences", q(ident))] = src
        if ident in data.body_files:
            out.body_files[q(ident)] = f"{key}/{data.body_files[ident]}"
    for ident, comp in data.compilations.items():
        select = comp.select
        if select is not None:
            select = Selection(years=select.years, themes=[q(t) for t in select.themes],
                               units=[q(u) for u in select.units], promoted=select.promoted)
        out.compilations[q(ident)] = comp.model_copy(update={
            "include": [q(i) for i in comp.include] if comp.include is not None else None,
            "select": select})
        src = _source(data, "compilations", ident, key)
        if src:
            out.sources[("compilations", q(ident))] = src
    return out, problems


def _dangling(joined: Dataset, keys: set[str]) -> dict[str, list[Problem]]:
    """References between programmes that lead nowhere, per member that wrote them
    (the aggregator's own under "")."""
    found: dict[str, list[Problem]] = {}

    def report(kind: str, ident: str, loc: tuple[str | int, ...], what: str, value: str) -> None:
        owner = member_of(ident) or ""
        src = joined.sources.get((kind, ident))
        target = member_of(value)
        why = (f"没有成员“{target}”（sources.yml 中的 key）" if target not in keys
               else f"成员“{target}”没有这条记录")
        message = f"{what}“{value}”不存在：{why}。跨平台引用写作“成员标识/id”，例如 wuling/hexin-cun。"
        if owner:
            name = joined.federation.members[owner].name if joined.federation else owner
            message = f"〔{name}〕{message}"
        problem = src.problem(loc, message) if src else Problem(f"{owner}/{kind}", 1, 1, message)
        found.setdefault(owner, []).append(problem)

    for ident, exp in joined.experiences.items():
        for i, site in enumerate(exp.sites):
            if site not in joined.sites:
                report("experiences", ident, ("sites", i), "示范点", site)
    assert joined.taxonomy is not None
    for ident, comp in joined.compilations.items():
        for i, exp_id in enumerate(comp.include or []):
            if exp_id not in joined.experiences:
                report("compilations", ident, ("include", i), "经验", exp_id)
        if comp.select is not None:  # a selection across members: their units and themes
            for field, known, what in (("units", joined.taxonomy.units, "管理单位"),
                                       ("themes", joined.taxonomy.themes, "主题")):
                for i, value in enumerate(getattr(comp.select, field)):
                    if value not in known:
                        report("compilations", ident, ("select", field, i), what, value)
    return found


def federate(own: Dataset, members: Sequence[MemberData],
             behind: Sequence[Behind] = ()) -> tuple[Dataset, dict[str, list[Problem]]]:
    """The aggregator's data and its members' in one data set, and the problems of joining
    them, per member key ("" for the aggregator's own records). A member with problems
    should be tried again from an older commit (:func:`data.sources.join`), or left out."""
    assert own.taxonomy is not None and own.program is not None
    categories = own.taxonomy.categories
    joined = _Joined(sites=dict(own.sites), experiences=dict(own.experiences),
                     compilations=dict(own.compilations), units=dict(own.taxonomy.units),
                     themes=dict(own.taxonomy.themes), sources=dict(own.sources),
                     body_files=dict(own.body_files))
    problems: dict[str, list[Problem]] = {}
    info = Federation(members={}, behind=tuple(behind),
                      trusted=frozenset(md.member.key for md in members if md.trusted))
    for md in members:
        renamed, found = _rename(md, categories)
        if found:
            problems[md.member.key] = found
        joined.sites.update(renamed.sites)
        joined.experiences.update(renamed.experiences)
        joined.compilations.update(renamed.compilations)
        joined.units.update(renamed.units)
        joined.themes.update(renamed.themes)
        joined.sources.update(renamed.sources)
        joined.body_files.update(renamed.body_files)
        info.members[md.member.key] = md.member
        info.commits[md.member.key] = md.commit
        info.plans[md.member.key] = dict(md.data.plans)
        assert md.data.program is not None
        info.intervals[md.member.key] = md.data.program.inspection_interval
    for b in behind:
        info.members.setdefault(b.member.key, b.member)
    data = Dataset(
        root=own.root, program=own.program,
        taxonomy=Taxonomy(categories=categories, units=joined.units, themes=joined.themes),
        sites=joined.sites, experiences=joined.experiences, plans=dict(own.plans),
        compilations=joined.compilations, sources=joined.sources,
        problems=[p for p in own.problems if p.severity == Severity.WARNING],
        body_files=joined.body_files, members=own.members, federation=info,
        media_roots={f"{MEDIA_PREFIX}/{md.member.key}/": md.data.root / "media" for md in members})
    for owner, found in _dangling(data, {md.member.key for md in members}).items():
        problems.setdefault(owner, []).extend(found)
    return data, problems
