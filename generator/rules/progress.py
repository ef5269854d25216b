"""Plan progress (SPEC §3): each annual plan's quotas against the sites of its batch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..model.lifecycle import SiteState
from ..model.records import Plan, Site


@dataclass(frozen=True)
class Quota:
    target: int | None
    actual: int

    @property
    def ratio(self) -> float | None:
        """Share of the target reached (may exceed 1), or None without a target."""
        if not self.target:
            return None
        return self.actual / self.target

    def as_json(self) -> dict[str, int | None]:
        return {"target": self.target, "actual": self.actual}


@dataclass(frozen=True)
class PlanProgress:
    year: int
    candidates: Quota
    demonstrations: Quota
    by_category: dict[str, Quota]
    # Demonstration sites of the batch per category: not a quota of SPEC, shown beside it.
    demonstrations_by_category: dict[str, int]


def plan_progress(plan: Plan, sites: Mapping[str, Site], states: Mapping[str, SiteState],
                  categories: Iterable[str]) -> PlanProgress:
    """Candidates are the sites whose batch is the plan's year, withdrawn ones included;
    demonstrations are those of them whose first evaluation passed (in any year)."""
    batch = [ident for ident, site in sites.items() if site.batch == plan.year]
    passed = [ident for ident in batch if states[ident].first_pass_year is not None]
    by_category = {}
    demos_by_category = {}
    for key in categories:
        in_cat = [i for i in batch if sites[i].category == key]
        by_category[key] = Quota(plan.targets.by_category.get(key), len(in_cat))
        demos_by_category[key] = sum(1 for i in in_cat if i in passed)
    return PlanProgress(
        year=plan.year,
        candidates=Quota(plan.targets.candidates, len(batch)),
        demonstrations=Quota(plan.targets.demonstrations, len(passed)),
        by_category=by_category,
        demonstrations_by_category=demos_by_category,
    )
