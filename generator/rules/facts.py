"""Everything derived from a valid data set on a reference date, computed once.

The report, every page and the exports read these facts; none recomputes a rule.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..data.dataset import Dataset
from ..model.lifecycle import STATUSES, SiteState, site_state
from .duties import Duty, district_duties
from .progress import PlanProgress, plan_progress


@dataclass(frozen=True)
class Facts:
    as_of: dt.date
    states: dict[str, SiteState]
    plans: dict[int, PlanProgress]
    duties: dict[int, dict[str, Duty]]

    @property
    def status_counts(self) -> dict[str, int]:
        counts = Counter(s.status for s in self.states.values())
        return {status: counts.get(status, 0) for status in STATUSES}

    @property
    def overdue(self) -> list[str]:
        return sorted(i for i, s in self.states.items() if s.overdue)


def activity_years(data: Dataset, as_of: dt.date) -> list[int]:
    """Years with any programme activity, through the reference year."""
    years = {s.batch for s in data.sites.values()}
    years |= {e.year for s in data.sites.values() for e in s.evaluations}
    years |= {e.year for e in data.experiences.values()}
    years |= set(data.plans)
    if not years:
        return []
    return list(range(min(years), max(max(years), as_of.year) + 1))


def derive(data: Dataset, as_of: dt.date) -> Facts:
    """Derive lifecycle states, plan progress and duties. ``data`` must be valid."""
    assert data.program is not None and data.taxonomy is not None
    interval = data.program.inspection_interval
    # A member's sites follow the member's own re-inspection interval (federation).
    intervals = data.federation.intervals if data.federation is not None else {}
    states = {ident: site_state(site, intervals.get(ident.split("/", 1)[0], interval)
                                if "/" in ident else interval, as_of)
              for ident, site in data.sites.items()}
    categories = list(data.taxonomy.categories)
    # An aggregator's plans are its own: they count its own sites, each member's plans its
    # members' (rules/members.py).
    own = {i: s for i, s in data.sites.items() if "/" not in i} \
        if data.federation is not None else data.sites
    plans = {year: plan_progress(plan, own, states, categories)
             for year, plan in sorted(data.plans.items())}
    duties = district_duties(data.taxonomy, data.sites, states, data.experiences,
                             activity_years(data, as_of))
    return Facts(as_of=as_of, states=states, plans=plans, duties=duties)


def report_json(facts: Facts) -> dict[str, Any]:
    """The object of SPEC §3 ``showcase report --json`` (plus ``counts`` and ``overdue``)."""
    return {
        "as_of": facts.as_of.isoformat(),
        "sites": {
            ident: {"status": s.status, "overdue": s.overdue, "due_year": s.due_year}
            for ident, s in sorted(facts.states.items())
        },
        "plans": {
            str(year): {
                "candidates": p.candidates.as_json(),
                "demonstrations": p.demonstrations.as_json(),
                "by_category": {k: q.as_json() for k, q in p.by_category.items()},
            }
            for year, p in facts.plans.items()
        },
        "duties": {
            str(year): {unit: d.as_json() for unit, d in units.items()}
            for year, units in facts.duties.items()
        },
        "counts": facts.status_counts,
        "overdue": facts.overdue,
    }
