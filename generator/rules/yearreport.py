"""The programme's year in numbers: one typed object per year, made once from the data set
(the audience's view) and the facts, and read by everything that reports on a year — the
home page's plan table, ``showcase report --json`` (``years``), the annual report (page, PDF,
.docx), the worklists and the calendars. No output counts anything itself.

What a year holds (SPEC §1–§3 applied to one calendar year Y):

* **plan** — the plan of Y against the sites of batch Y (``facts.plans``, SPEC §3);
* **new units** — the sites of batch Y, by managing unit and category;
* **outcomes** — every evaluation held in Y and what it decided: the 1st makes a
  示范点 or 未入选, the 2nd puts a site into 提高阶段 or 淘汰, every later one (年检) passes it
  or eliminates it;
* **tasks** — the evaluations due in Y: each site that on 1 January of Y (its record without
  the evaluations of Y and later) was due in Y or earlier. A task is *done* by an evaluation
  held in Y, *closed* by the site leaving the programme, otherwise *open*; an open task whose
  due year is before Y is *overdue*. For a finished year the open tasks are the sites overdue
  at year end; for the reference date's year they are the worklists' still-to-do rows and equal
  the sites ``facts`` finds due this year or overdue;
* **duties** — each district's duty for Y (``facts.duties``);
* **experiences** — the non-draft experiences of Y, by theme and by promotion level;
* **left** — the sites withdrawn in Y;
* **awards** — 以奖代投 of Y by managing unit (private: empty in a public view).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..data.dataset import Dataset
from ..model.lifecycle import PASSING, ordered, site_state
from ..model.records import Award, Evaluation, Promoted, Site
from .duties import Duty, experience_unit
from .facts import Facts, activity_years
from .progress import PlanProgress

TaskKind = Literal["first", "second", "inspection"]
TASK_LABELS: dict[str, str] = {"first": "首次考评", "second": "第二次考评", "inspection": "年检"}
# What an evaluation of the year decided, in report order.
OutcomeKind = Literal["demonstration", "not_selected", "improving", "eliminated",
                      "inspection_passed"]
OUTCOMES: tuple[OutcomeKind, ...] = ("demonstration", "not_selected", "improving", "eliminated",
                                     "inspection_passed")
OUTCOME_LABELS: dict[str, str] = {
    "demonstration": "确定为示范点", "not_selected": "未入选", "improving": "进入提高阶段",
    "eliminated": "淘汰", "inspection_passed": "年检合格",
}
PROMOTED_ORDER: tuple[Promoted | None, ...] = ("national", "province", "city", "county", None)
# The day of the year a due evaluation is put in the calendar when the plan does not say
# (``plans/<year>.yml`` ``evaluation_date``): the sample's and the launch speech's year-end
# evaluation, 30 November.
DEFAULT_EVALUATION_DAY = (11, 30)


@dataclass(frozen=True)
class Outcome:
    """One evaluation held in the year and what it decided for its site."""

    site: str
    number: int              # 1 = first evaluation, 2 = second, 3… = 年检
    evaluation: Evaluation

    @property
    def passed(self) -> bool:
        return self.evaluation.result in PASSING

    @property
    def kind(self) -> OutcomeKind:
        if self.number == 1:
            return "demonstration" if self.passed else "not_selected"
        if self.number == 2:
            return "improving" if self.passed else "eliminated"
        return "inspection_passed" if self.passed else "eliminated"

    @property
    def task(self) -> TaskKind:
        return _task_kind(self.number)


@dataclass(frozen=True)
class Task:
    """An evaluation due in the year (a worklist row, a calendar event)."""

    site: str
    kind: TaskKind
    due_year: int                 # the year it was due: the report's year, or earlier
    year: int                     # the report's year
    done: Evaluation | None       # the evaluation held in the year
    left: dt.date | None          # the site left the programme before it was done

    @property
    def open(self) -> bool:
        return self.done is None and self.left is None

    @property
    def overdue(self) -> bool:
        """Open, and due in an earlier year (carried over)."""
        return self.open and self.due_year < self.year


@dataclass(frozen=True)
class YearReport:
    year: int
    as_of: dt.date
    plan: PlanProgress | None
    new_units: dict[str, dict[str, list[str]]]   # unit -> category -> site ids (batch = year)
    outcomes: list[Outcome]
    tasks: list[Task]
    duties: dict[str, Duty]
    experiences: list[str]
    by_theme: dict[str, int]
    by_promoted: dict[str | None, int]
    left: list[tuple[str, dt.date]]
    awards: dict[str, float]                     # unit -> 万元 (private: internal view only)
    award_items: list[tuple[str, Award]]         # (site, award) of the year
    evaluation_day: dt.date                      # when the year's due evaluations are scheduled

    @property
    def finished(self) -> bool:
        """Whether the year is over on the reference date (else figures are "so far")."""
        return self.year < self.as_of.year

    @property
    def new_unit_count(self) -> int:
        return sum(len(ids) for cats in self.new_units.values() for ids in cats.values())

    def new_units_by_category(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for cats in self.new_units.values():
            for cat, ids in cats.items():
                out.setdefault(cat, []).extend(ids)
        return out

    def outcome_ids(self, kind: str) -> list[str]:
        return [o.site for o in self.outcomes if o.kind == kind]

    @property
    def outcome_counts(self) -> dict[str, int]:
        counts = Counter(o.kind for o in self.outcomes)
        return {kind: counts.get(kind, 0) for kind in OUTCOMES}

    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.open]

    @property
    def overdue(self) -> list[str]:
        """Sites with an evaluation still to do at year end (so far, for the current year);
        for a finished year: the sites overdue at year end."""
        return [t.site for t in self.open_tasks]

    @property
    def carried_over(self) -> list[str]:
        """Open tasks that were already due before this year."""
        return [t.site for t in self.open_tasks if t.due_year < self.year]

    @property
    def awards_total(self) -> float:
        return round(sum(self.awards.values()), 4)

    def as_json(self) -> dict[str, Any]:
        """The numbers and ids (never a private value) for ``showcase report --json``."""
        plan = None
        if self.plan is not None:
            p = self.plan
            plan = {"candidates": p.candidates.as_json(),
                    "demonstrations": p.demonstrations.as_json(),
                    "by_category": {k: q.as_json() for k, q in p.by_category.items()}}
        return {
            "finished": self.finished,
            "plan": plan,
            "new_units": {unit: {cat: len(ids) for cat, ids in cats.items()}
                          for unit, cats in self.new_units.items()},
            "new_unit_count": self.new_unit_count,
            "outcomes": {kind: self.outcome_ids(kind) for kind in OUTCOMES},
            "tasks": {t.site: {"kind": t.kind, "due_year": t.due_year,
                               "state": "done" if t.done else "left" if t.left else "open"}
                      for t in self.tasks},
            "open": self.overdue,
            "duties": {unit: d.as_json() for unit, d in self.duties.items()},
            "experiences": {"count": len(self.experiences), "by_theme": self.by_theme,
                            "by_promoted": {k or "none": v for k, v in self.by_promoted.items()}},
            "left": [ident for ident, _day in self.left],
        }


def _task_kind(number: int) -> TaskKind:
    return "first" if number == 1 else "second" if number == 2 else "inspection"


def evaluation_day(data: Dataset, year: int) -> dt.date:
    """The calendar day of the year's evaluations: the plan's ``evaluation_date``, else
    30 November (:data:`DEFAULT_EVALUATION_DAY`)."""
    plan = data.plans.get(year)
    if plan is not None and plan.evaluation_date is not None:
        return plan.evaluation_date
    return dt.date(year, *DEFAULT_EVALUATION_DAY)


def _start_of_year_task(site: Site, year: int, interval: int) -> tuple[TaskKind, int] | None:
    """The evaluation ``site`` owed in ``year`` as seen on 1 January (its kind and due
    year), if any."""
    if site.batch > year:
        return None
    if site.withdrawn is not None and site.withdrawn.date.year < year:
        return None
    before = [e for e in site.evaluations if e.year < year]
    state = site_state(site.model_copy(update={"evaluations": before, "withdrawn": None}),
                       interval, dt.date(year, 1, 1))
    if state.due_year is None or state.due_year > year:
        return None
    return _task_kind(len(before) + 1), state.due_year


def year_report(data: Dataset, facts: Facts, year: int) -> YearReport:
    """The year ``year`` of ``data`` (the view the output is for; facts of the full data)."""
    assert data.program is not None and data.taxonomy is not None
    interval = data.program.inspection_interval
    tax = data.taxonomy
    current = year >= facts.as_of.year

    new_units: dict[str, dict[str, list[str]]] = {}
    outcomes: list[Outcome] = []
    tasks: list[Task] = []
    left: list[tuple[str, dt.date]] = []
    awards: dict[str, float] = {}
    award_items: list[tuple[str, Award]] = []
    for ident in sorted(data.sites):
        site = data.sites[ident]
        if site.batch == year:
            new_units.setdefault(site.unit, {}).setdefault(site.category, []).append(ident)
        for number, ev in enumerate(ordered(site.evaluations), start=1):
            if ev.year == year:
                outcomes.append(Outcome(ident, number, ev))
        withdrawn = site.withdrawn.date if site.withdrawn is not None else None
        if withdrawn is not None and withdrawn.year == year:
            left.append((ident, withdrawn))
        owed = _start_of_year_task(site, year, interval)
        if owed is not None:
            done = next((e for e in site.evaluations if e.year == year), None)
            # A withdrawal closes the task; in the current year also one dated later (the
            # facts count a withdrawn site as out, whatever its date).
            gone = withdrawn if withdrawn is not None and (withdrawn.year <= year or current) \
                else None
            tasks.append(Task(ident, owed[0], owed[1], year, done, gone if done is None else None))
        for award in site.awards:
            if award.year == year:
                awards[site.unit] = round(awards.get(site.unit, 0.0) + award.amount, 4)
                award_items.append((ident, award))

    unit_rank = {k: i for i, k in enumerate(tax.units)}
    cat_rank = {k: i for i, k in enumerate(tax.categories)}
    new_units = {u: {c: new_units[u][c] for c in sorted(new_units[u], key=cat_rank.__getitem__)}
                 for u in sorted(new_units, key=unit_rank.__getitem__)}
    outcome_rank = {k: i for i, k in enumerate(OUTCOMES)}

    def site_key(ident: str) -> tuple[int, str]:
        return (unit_rank.get(data.sites[ident].unit, len(unit_rank)), ident)

    outcomes.sort(key=lambda o: (outcome_rank[o.kind], *site_key(o.site)))
    tasks.sort(key=lambda t: (t.due_year, *site_key(t.site)))
    awards = {u: awards[u] for u in sorted(awards, key=unit_rank.__getitem__)}

    exps = sorted(i for i, e in data.experiences.items() if e.year == year and not e.draft)
    themes = Counter(t for i in exps for t in dict.fromkeys(data.experiences[i].themes))
    promoted = Counter(data.experiences[i].promoted for i in exps)
    return YearReport(
        year=year,
        as_of=facts.as_of,
        plan=facts.plans.get(year),
        new_units=new_units,
        outcomes=outcomes,
        tasks=tasks,
        duties=facts.duties.get(year, {}),
        experiences=sorted(exps, key=lambda i: (
            unit_rank.get(experience_unit(data.experiences[i], data.sites) or "", len(unit_rank)),
            i)),
        by_theme={k: themes[k] for k in tax.themes if themes.get(k)},
        by_promoted={k: promoted[k] for k in PROMOTED_ORDER if promoted.get(k)},
        left=sorted(left, key=lambda item: (item[1], item[0])),
        awards=awards,
        award_items=sorted(award_items, key=lambda item: site_key(item[0])),
        evaluation_day=evaluation_day(data, year),
    )


def report_years(data: Dataset, facts: Facts) -> list[int]:
    """The years a report covers: every year with programme activity up to the reference
    date's year."""
    return [y for y in activity_years(data, facts.as_of) if y <= facts.as_of.year]


def finished_plan_years(data: Dataset, as_of: dt.date) -> list[int]:
    """The plan years whose annual report every build publishes (SPEC §6): each plan year
    before the reference date's year."""
    return sorted(y for y in data.plans if y < as_of.year)


def years_json(data: Dataset, facts: Facts, years: Iterable[int] | None = None) -> dict[str, Any]:
    """``{"2025": {...}, ...}`` for ``showcase report --json``."""
    chosen = report_years(data, facts) if years is None else list(years)
    return {str(y): year_report(data, facts, y).as_json() for y in chosen}
