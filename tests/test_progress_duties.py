"""Plan progress (SPEC §3 report) and district duties (SPEC "District duties")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import MINIMAL

from generator.data.loader import load
from generator.model.lifecycle import site_state
from generator.model.records import Experience, Plan, Site, Taxonomy
from generator.rules.duties import district_duties, experience_unit
from generator.rules.facts import derive
from generator.rules.progress import plan_progress

CATEGORIES = ["rural", "community", "organ", "school", "enterprise", "intermediary",
              "social_group"]
TAXONOMY = Taxonomy.model_validate({
    "categories": {key: {"name": key} for key in CATEGORIES},
    "units": {
        "east": {"name": "东区委组织部", "kind": "district"},
        "west": {"name": "西区委组织部", "kind": "district"},
        "organs": {"name": "市直机关工委", "kind": "work_committee"},
    },
    "themes": {"service": {"name": "服务群众"}},
})
AS_OF = dt.date(2027, 1, 15)


def site(unit: str, batch: int, *evaluations: tuple[int, str], category: str = "rural",
         withdrawn: bool = False) -> Site:
    data: dict[str, Any] = {
        "name": "测试", "category": category, "unit": unit, "batch": str(batch),
        "summary": "测试。", "evaluations": [{"year": str(y), "result": r} for y, r in evaluations],
    }
    if withdrawn:
        data["withdrawn"] = {"date": f"{batch + 1}-01-01"}
    return Site.model_validate(data)


def experience(year: int, *sites: str, unit: str | None = None, draft: bool = False) -> Experience:
    data: dict[str, Any] = {"title": "经验", "sites": list(sites), "year": str(year),
                            "themes": ["service"], "summary": "摘要。", "author": "组织部",
                            "draft": "true" if draft else "false", "body": "正文"}
    if unit is not None:
        data["unit"] = unit
    return Experience.model_validate(data)


def duties(sites: dict[str, Site], experiences: dict[str, Experience],
           years: list[int]) -> dict[int, dict[str, tuple[bool, int, int]]]:
    states = {i: site_state(s, 1, AS_OF) for i, s in sites.items()}
    result = district_duties(TAXONOMY, sites, states, experiences, years)
    return {year: {u: (d.met, d.first_passes, d.experiences) for u, d in units.items()}
            for year, units in result.items()}


# ---------------------------------------------------------------- plan progress

def test_plan_counts_batch_sites_withdrawn_included_and_first_passes_in_any_year() -> None:
    sites = {
        "a": site("east", 2026, (2026, "pass"), category="rural"),
        "b": site("east", 2026, (2027, "excellent"), category="rural"),  # passed a year late
        "c": site("west", 2026, (2026, "fail"), category="enterprise"),
        "d": site("west", 2026, (2026, "pass"), category="school", withdrawn=True),
        "e": site("organs", 2026, category="organ"),  # candidate, no evaluation yet
        "f": site("east", 2026, (2026, "fail"), (2027, "pass"), category="rural"),  # invalid later
        "g": site("east", 2025, (2025, "pass"), (2026, "pass"), category="rural"),  # other batch
    }
    plan = Plan.model_validate({"title": "2026", "year": "2026", "targets": {
        "candidates": "50", "demonstrations": "25",
        "by_category": {"rural": "20", "enterprise": "15"}}})
    states = {i: site_state(s, 2, AS_OF) for i, s in sites.items()}
    progress = plan_progress(plan, sites, states, CATEGORIES)
    assert (progress.candidates.target, progress.candidates.actual) == (50, 6)
    assert (progress.demonstrations.target, progress.demonstrations.actual) == (25, 3)
    assert list(progress.by_category) == CATEGORIES
    assert {k: q.as_json() for k, q in progress.by_category.items()} == {
        "rural": {"target": 20, "actual": 3},
        "community": {"target": None, "actual": 0},
        "organ": {"target": None, "actual": 1},
        "school": {"target": None, "actual": 1},
        "enterprise": {"target": 15, "actual": 1},
        "intermediary": {"target": None, "actual": 0},
        "social_group": {"target": None, "actual": 0},
    }
    assert progress.demonstrations_by_category["rural"] == 2
    assert progress.candidates.ratio == 6 / 50


def test_plan_without_targets_has_null_targets_and_every_category() -> None:
    plan = Plan.model_validate({"title": "2024", "year": "2024"})
    progress = plan_progress(plan, {}, {}, CATEGORIES)
    assert progress.candidates.as_json() == {"target": None, "actual": 0}
    assert progress.demonstrations.as_json() == {"target": None, "actual": 0}
    assert progress.candidates.ratio is None
    assert {k: q.target for k, q in progress.by_category.items()} == dict.fromkeys(CATEGORIES)


# ---------------------------------------------------------------- district duties

def test_two_first_passes_meet_the_duty_one_does_not() -> None:
    sites = {
        "a": site("east", 2025, (2025, "pass")),
        "b": site("east", 2025, (2025, "excellent")),
        "c": site("west", 2025, (2025, "pass")),
        "d": site("west", 2025, (2025, "fail")),
    }
    assert duties(sites, {}, [2025]) == {2025: {"east": (True, 2, 0), "west": (False, 1, 0)}}


def test_a_pass_in_the_second_evaluation_is_not_a_first_pass() -> None:
    sites = {
        "a": site("east", 2024, (2024, "pass"), (2025, "pass")),
        "b": site("east", 2024, (2024, "pass"), (2025, "excellent")),
        "c": site("east", 2024, (2024, "fail")),
    }
    assert duties(sites, {}, [2024, 2025]) == {
        2024: {"east": (True, 2, 0), "west": (False, 0, 0)},
        2025: {"east": (False, 0, 0), "west": (False, 0, 0)},
    }


def test_first_pass_counts_in_the_year_it_happened_even_if_withdrawn_later() -> None:
    sites = {
        "a": site("west", 2025, (2026, "pass"), withdrawn=True),
        "b": site("west", 2026, (2026, "pass")),
    }
    assert duties(sites, {}, [2025, 2026])[2026]["west"] == (True, 2, 0)
    assert duties(sites, {}, [2025, 2026])[2025]["west"] == (False, 0, 0)


def test_one_non_draft_experience_meets_the_duty_a_draft_does_not() -> None:
    sites = {"a": site("east", 2025), "b": site("west", 2025)}
    exps = {
        "e1": experience(2025, "a"),
        "w1": experience(2025, "b", draft=True),
        "w2": experience(2024, "b"),  # other year
    }
    assert duties(sites, exps, [2024, 2025]) == {
        2024: {"east": (False, 0, 0), "west": (True, 0, 1)},
        2025: {"east": (True, 0, 1), "west": (False, 0, 0)},
    }


def test_experience_unit_defaults_to_its_first_site_unit() -> None:
    sites = {"a": site("east", 2025), "b": site("west", 2025)}
    default = experience(2025, "b", "a")
    explicit = experience(2025, "b", unit="east")
    assert experience_unit(default, sites) == "west"
    assert experience_unit(explicit, sites) == "east"
    assert duties(sites, {"x": default}, [2025])[2025] == {
        "east": (False, 0, 0), "west": (True, 0, 1)}
    assert duties(sites, {"x": explicit}, [2025])[2025] == {
        "east": (True, 0, 1), "west": (False, 0, 0)}


def test_work_committee_units_are_never_listed() -> None:
    sites = {"a": site("organs", 2025, (2025, "pass")), "b": site("organs", 2025, (2025, "pass"))}
    result = duties(sites, {"x": experience(2025, "a")}, [2025])
    assert set(result[2025]) == {"east", "west"}
    assert result[2025] == {"east": (False, 0, 0), "west": (False, 0, 0)}


def test_duty_years_are_sorted_and_unique() -> None:
    assert list(duties({}, {}, [2026, 2024, 2026, 2025])) == [2024, 2025, 2026]


# ---------------------------------------------------------------- the shared fixture

def test_fixture_progress_and_duties_by_hand() -> None:
    data = load(MINIMAL)
    assert data.ok
    facts = derive(data, AS_OF)
    p = facts.plans[2025]
    assert (p.candidates.target, p.candidates.actual) == (5, 4)
    assert (p.demonstrations.target, p.demonstrations.actual) == (3, 3)
    assert {k: (q.target, q.actual) for k, q in p.by_category.items()} == {
        "rural": (2, 1), "community": (1, 1), "organ": (None, 0), "school": (1, 1),
        "enterprise": (1, 1), "intermediary": (None, 0), "social_group": (None, 0)}
    got = {year: {u: (d.met, d.first_passes, d.experiences) for u, d in units.items()}
           for year, units in facts.duties.items()}
    assert got == {
        2024: {"chengnan": (True, 1, 1), "hexi": (False, 1, 0), "shanbei": (False, 0, 0)},
        2025: {"chengnan": (True, 2, 0), "hexi": (True, 0, 1), "shanbei": (False, 1, 0)},
        2026: {"chengnan": (False, 0, 0), "hexi": (False, 0, 0), "shanbei": (True, 0, 1)},
        2027: {"chengnan": (False, 0, 0), "hexi": (False, 0, 0), "shanbei": (False, 0, 0)},
    }
    assert facts.status_counts == {"candidate": 1, "demonstration": 2, "improving": 2,
                                   "not_selected": 1, "eliminated": 1, "withdrawn": 1}
    assert facts.overdue == ["chengnan-xingfu-shequ", "shanbei-wangjia-cun"]
