"""The members of a joined data set side by side (federation): each member's own plan
progress (its plans over its own sites), its demonstration sites, overdue evaluations and
district duties — the comparison table and the page per member read these."""

from __future__ import annotations

from dataclasses import dataclass

from ..data.dataset import Behind, Dataset
from ..data.federation import member_of
from ..model.records import Member
from .facts import Facts
from .progress import PlanProgress, plan_progress

ACTIVE = ("demonstration", "improving")


@dataclass(frozen=True)
class MemberSummary:
    member: Member
    sites: int
    demonstrations: int     # now a demonstration site or in the improvement stage
    overdue: int
    plan_year: int | None   # the member's plan shown: the latest not after the reference year
    plan: PlanProgress | None
    duty_year: int | None   # the last full year before the reference date
    duties_met: int
    duties: int             # the member's districts
    behind: Behind | None

    @property
    def plan_ratio(self) -> float | None:
        return self.plan.candidates.ratio if self.plan is not None else None


def member_plans(data: Dataset, facts: Facts, key: str) -> dict[int, PlanProgress]:
    """The member's own plans, each over the member's own sites."""
    fed = data.federation
    assert fed is not None and data.taxonomy is not None
    sites = {i: s for i, s in data.sites.items() if member_of(i) == key}
    categories = list(data.taxonomy.categories)
    return {year: plan_progress(plan, sites, facts.states, categories)
            for year, plan in sorted(fed.plans.get(key, {}).items())}


def summaries(data: Dataset, facts: Facts) -> list[MemberSummary]:
    """One row per member, in the order of sources.yml."""
    fed = data.federation
    if fed is None:
        return []
    behind = {b.member.key: b for b in fed.behind}
    past = [y for y in facts.duties if y < facts.as_of.year]
    duty_year = past[-1] if past else None
    rows = []
    for key, member in fed.members.items():
        ids = [i for i in data.sites if member_of(i) == key]
        states = [facts.states[i] for i in ids]
        plans = member_plans(data, facts, key) if key in fed.plans else {}
        years = [y for y in plans if y <= facts.as_of.year] or sorted(plans)[:1]
        plan_year = years[-1] if years else None
        duties = [d for unit, d in (facts.duties.get(duty_year, {}) if duty_year else {}).items()
                  if member_of(unit) == key]
        rows.append(MemberSummary(
            member, len(ids), sum(1 for s in states if s.status in ACTIVE),
            sum(1 for s in states if s.overdue), plan_year,
            plans.get(plan_year) if plan_year is not None else None, duty_year,
            sum(1 for d in duties if d.met), len(duties), behind.get(key)))
    return rows
