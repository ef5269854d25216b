"""What the history means for readers: each record's last update, its revision rows (the
internal 修订记录) and the year's changes (the public 年度变化: new creation units, status
changes, eliminations, withdrawals, new experiences). Pure: a :class:`History` and the
audience's view of the data in, plain values out.

A public build gets dates and changes only: who committed, the commit messages and which
fields changed (private ones included) are for the internal build. The changes are derived
from each version's public summary (status from the evaluations' results, withdrawal,
draft), and only for records the audience's view holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from ..data.dataset import Dataset
from ..data.history import Commit, History, Revision
from ..model.lifecycle import STATUS_LABELS
from ..model.recorddiff import field_title
from ..model.records import Experience, Site
from .audience import Audience

ChangeKind = Literal["new_site", "status", "eliminated", "withdrawn", "new_experience"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("new_site", "status", "eliminated", "withdrawn",
                                        "new_experience")
CHANGE_LABELS: dict[str, str] = {
    "new_site": "新增创建单位", "status": "状态变化", "eliminated": "淘汰",
    "withdrawn": "退出", "new_experience": "新增典型经验",
}
_MODELS: dict[str, type[BaseModel]] = {"sites": Site, "experiences": Experience}


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    record: Literal["sites", "experiences"]
    ident: str
    commit: Commit
    old_status: str | None = None
    new_status: str | None = None

    @property
    def date(self) -> dt.date:
        return self.commit.day

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.kind]

    @property
    def detail(self) -> str:
        if self.old_status and self.new_status:
            return f"由“{STATUS_LABELS[self.old_status]}”变为“{STATUS_LABELS[self.new_status]}”"
        return ""


@dataclass(frozen=True)
class RevisionRow:
    """One line of 修订记录 (internal builds only)."""

    date: dt.date
    author: str
    message: str
    fields: tuple[str, ...]  # Chinese field names
    change: str


@dataclass
class Chronicle:
    """The history as the pages of one audience use it."""

    available: bool = False
    note: str | None = None
    updated: dict[str, dt.date] = field(default_factory=dict)       # "kind/id" -> date
    revisions: dict[str, list[RevisionRow]] = field(default_factory=dict)  # internal only
    changes: list[Change] = field(default_factory=list)              # newest first

    def updated_of(self, kind: str, ident: str) -> dt.date | None:
        return self.updated.get(f"{kind}/{ident}")

    def revisions_of(self, kind: str, ident: str) -> list[RevisionRow]:
        return self.revisions.get(f"{kind}/{ident}", [])

    @property
    def years(self) -> list[int]:
        """Years with changes, newest first."""
        return sorted({c.date.year for c in self.changes}, reverse=True)

    def changes_in(self, year: int, kind: str | None = None) -> list[Change]:
        return [c for c in self.changes if c.date.year == year and (kind is None or c.kind == kind)]


_CHANGE_WORDS = {"added": "新建", "deleted": "删除", "modified": "修改"}


def _row(kind: str, revision: Revision) -> RevisionRow:
    model = _MODELS[kind]
    names = tuple(dict.fromkeys(field_title(model, path) for path in revision.fields))
    return RevisionRow(revision.commit.day, revision.commit.author, revision.commit.message,
                       names, _CHANGE_WORDS[revision.change])


def _site_changes(ident: str, revisions: list[Revision]) -> list[Change]:
    out = []
    for r in revisions:
        if r.change == "added" and r.after is not None:
            out.append(Change("new_site", "sites", ident, r.commit))
            continue
        b, a = r.before, r.after
        if b is None or a is None or not (b.readable and a.readable) or b.status == a.status:
            continue
        kind: ChangeKind = ("eliminated" if a.status == "eliminated" else
                            "withdrawn" if a.status == "withdrawn" else "status")
        out.append(Change(kind, "sites", ident, r.commit, b.status, a.status))
    return out


def _experience_changes(ident: str, revisions: list[Revision]) -> list[Change]:
    """The experience's first publication (added as final, or its draft mark removed)."""
    for r in reversed(revisions):  # oldest first
        a = r.after
        if a is None or not a.published:
            continue
        if r.change == "added" or (r.before is not None and not r.before.published):
            return [Change("new_experience", "experiences", ident, r.commit)]
    return []


def chronicle(history: History | None, shown: Dataset, audience: Audience) -> Chronicle:
    """What the pages of ``audience`` show of ``history``; ``shown`` is its view of the data."""
    if history is None or history.state == "none":
        return Chronicle(note=history.note if history else None)
    out = Chronicle(available=True, note=history.note)
    for kind, idents in (("sites", shown.sites), ("experiences", shown.experiences)):
        for ident in idents:
            revisions = history.of(kind, ident)
            if not revisions:
                continue
            key = f"{kind}/{ident}"
            out.updated[key] = revisions[0].commit.day
            if audience == "internal":
                out.revisions[key] = [_row(kind, r) for r in revisions]
            out.changes += (_site_changes(ident, revisions) if kind == "sites"
                            else _experience_changes(ident, revisions))
    order = {k: i for i, k in enumerate(CHANGE_KINDS)}
    out.changes.sort(key=lambda c: (c.commit.moment, c.commit.sha, -order[c.kind], c.ident),
                     reverse=True)
    return out
