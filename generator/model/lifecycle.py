"""A site's lifecycle (SPEC "Lifecycle"): status, next due year and overdue, from its record.

Pure functions of a site, the programme's inspection interval and a reference date. The
validator and every page use these same functions, so the rule exists once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .records import Evaluation, Site

Status = Literal["candidate", "demonstration", "not_selected", "improving", "eliminated",
                 "withdrawn"]
STATUSES: tuple[Status, ...] = ("candidate", "demonstration", "improving", "not_selected",
                                "eliminated", "withdrawn")
STATUS_LABELS: dict[str, str] = {
    "candidate": "创建单位", "demonstration": "示范点", "not_selected": "未入选",
    "improving": "提高阶段", "eliminated": "淘汰", "withdrawn": "已退出",
}
TERMINAL: frozenset[str] = frozenset({"not_selected", "eliminated"})
PASSING = frozenset({"pass", "excellent"})


@dataclass(frozen=True)
class SiteState:
    """What follows from a site's record on a given date."""

    status: Status
    due_year: int | None
    overdue: bool
    first_evaluation: Evaluation | None
    last_evaluation: Evaluation | None

    @property
    def first_pass_year(self) -> int | None:
        """Year the site passed its first evaluation (became a demonstration site), if it did."""
        first = self.first_evaluation
        return first.year if first is not None and first.result in PASSING else None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def ordered(evaluations: Sequence[Evaluation]) -> list[Evaluation]:
    return sorted(evaluations, key=lambda e: e.year)


def step(status: Status, number: int, result: str) -> Status:
    """The status after the ``number``-th (1-based) evaluation with ``result``."""
    passed = result in PASSING
    if number == 1:
        return "demonstration" if passed else "not_selected"
    return "improving" if passed else "eliminated"


@dataclass(frozen=True)
class Violation:
    """An evaluation recorded after the site was already out of the programme."""

    evaluation: Evaluation
    status: Status   # not_selected or eliminated
    since: int       # the year of the evaluation that put it out


def violation(evaluations: Sequence[Evaluation]) -> Violation | None:
    """The first evaluation after the site was not selected or eliminated, if any."""
    status: Status = "candidate"
    since = 0
    for number, ev in enumerate(ordered(evaluations), start=1):
        if status in TERMINAL:
            return Violation(ev, status, since)
        status, since = step(status, number, ev.result), ev.year
    return None


def first_violation(evaluations: Sequence[Evaluation]) -> Evaluation | None:
    """The first evaluation recorded after the site was already out (not selected/eliminated)."""
    found = violation(evaluations)
    return found.evaluation if found else None


def site_state(site: Site, inspection_interval: int, as_of: dt.date) -> SiteState:
    evaluations = ordered(site.evaluations)
    status: Status = "candidate"
    due: int | None = site.batch
    for number, ev in enumerate(evaluations, start=1):
        if status in TERMINAL:
            break  # reported by validation; the site stays out
        status = step(status, number, ev.result)
        if status == "demonstration":
            due = ev.year + 1
        elif status == "improving":
            due = ev.year + inspection_interval
        else:
            due = None
    if site.withdrawn is not None:
        status, due = "withdrawn", None
    overdue = due is not None and as_of > dt.date(due, 12, 31)
    return SiteState(
        status=status,
        due_year=due,
        overdue=overdue,
        first_evaluation=evaluations[0] if evaluations else None,
        last_evaluation=evaluations[-1] if evaluations else None,
    )
