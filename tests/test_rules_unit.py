"""The programme's rules on small hand-made inputs: quotas, duties, the facts derived once and
the report object, with every expected value written out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from generator.base.formula_guard import csv_cell, looks_like_formula
from generator.data.dataset import Dataset
from generator.model.lifecycle import STATUSES, SiteState, site_state
from generator.model.records import Experience, Plan, Program, Site, Taxonomy
from generator.rules.duties import Duty, experience_unit
from generator.rules.facts import Facts, activity_years, derive, report_json
from generator.rules.progress import PlanProgress, Quota


def site(batch: int, *evaluations: tuple[int, str], unit: str = "east",
         category: str = "rural") -> Site:
    return Site.model_validate({
        "name": "测试", "category": category, "unit": unit, "batch": str(batch),
        "summary": "测试。", "evaluations": [{"year": str(y), "result": r} for y, r in evaluations]})


def experience(year: int, *sites: str, unit: str | None = None) -> Experience:
    data: dict[str, Any] = {"title": "经验", "sites": list(sites), "year": str(year),
                            "themes": ["service"], "summary": "摘要。", "author": "组织部",
                            "body": "正文"}
    if unit is not None:
        data["unit"] = unit
    return Experience.model_validate(data)


# ---------------------------------------------------------------- quotas and duties

@pytest.mark.parametrize(("target", "actual", "ratio"), [
    (None, 3, None), (0, 3, None), (4, 3, 0.75), (2, 3, 1.5), (5, 0, 0.0)])
def test_quota_ratio(target: int | None, actual: int, ratio: float | None) -> None:
    assert Quota(target, actual).ratio == ratio


def test_quota_as_json() -> None:
    assert Quota(4, 3).as_json() == {"target": 4, "actual": 3}
    assert Quota(None, 0).as_json() == {"target": None, "actual": 0}


@pytest.mark.parametrize(("passes", "written", "met"), [
    (0, 0, False), (1, 0, False), (2, 0, True), (3, 0, True), (0, 1, True), (1, 1, True),
    (0, 2, True)])
def test_duty_is_two_first_passes_or_one_experience(passes: int, written: int, met: bool) -> None:
    duty = Duty("east", 2025, passes, written)
    assert duty.met is met
    assert duty.as_json() == {"met": met, "first_passes": passes, "experiences": written}


def test_experience_unit_without_a_site() -> None:
    sites = {"a": site(2025, unit="west")}
    # a record always names a site; the rule still copes with none
    assert experience_unit(experience(2025, "a").model_copy(update={"sites": []}), sites) is None
    assert experience_unit(experience(2025, "missing"), sites) is None
    assert experience_unit(experience(2025, "missing", unit="east"), sites) == "east"
    assert experience_unit(experience(2025, "a", "missing"), sites) == "west"


# ---------------------------------------------------------------- facts

def state(status: str, due: int | None = None, overdue: bool = False) -> SiteState:
    return SiteState(status=status, due_year=due, overdue=overdue,  # type: ignore[arg-type]
                     first_evaluation=None, last_evaluation=None)


def test_status_counts_list_every_status_in_order() -> None:
    facts = Facts(as_of=dt.date(2026, 1, 1), plans={}, duties={}, states={
        "a": state("improving"), "b": state("candidate"), "c": state("improving")})
    assert list(facts.status_counts.items()) == [
        ("candidate", 1), ("demonstration", 0), ("improving", 2), ("not_selected", 0),
        ("eliminated", 0), ("withdrawn", 0)]
    assert tuple(facts.status_counts) == STATUSES


def test_overdue_is_sorted_by_id() -> None:
    facts = Facts(as_of=dt.date(2026, 1, 1), plans={}, duties={}, states={
        "zhang": state("candidate", 2024, True), "an": state("demonstration", 2025, True),
        "li": state("candidate", 2027, False)})
    assert facts.overdue == ["an", "zhang"]


def test_report_json_by_hand() -> None:
    progress = PlanProgress(year=2025, candidates=Quota(5, 4), demonstrations=Quota(None, 1),
                            by_category={"rural": Quota(2, 3), "school": Quota(None, 0)},
                            demonstrations_by_category={"rural": 1, "school": 0})
    facts = Facts(
        as_of=dt.date(2026, 3, 9),
        states={"b": state("demonstration", 2026), "a": state("candidate", 2025, True)},
        plans={2025: progress},
        duties={2025: {"east": Duty("east", 2025, 2, 0), "west": Duty("west", 2025, 0, 0)}},
    )
    report = report_json(facts)
    assert report == {
        "as_of": "2026-03-09",
        "sites": {"a": {"status": "candidate", "overdue": True, "due_year": 2025},
                  "b": {"status": "demonstration", "overdue": False, "due_year": 2026}},
        "plans": {"2025": {"candidates": {"target": 5, "actual": 4},
                           "demonstrations": {"target": None, "actual": 1},
                           "by_category": {"rural": {"target": 2, "actual": 3},
                                           "school": {"target": None, "actual": 0}}}},
        "duties": {"2025": {"east": {"met": True, "first_passes": 2, "experiences": 0},
                            "west": {"met": False, "first_passes": 0, "experiences": 0}}},
        "counts": {"candidate": 1, "demonstration": 1, "improving": 0, "not_selected": 0,
                   "eliminated": 0, "withdrawn": 0},
        "overdue": ["a"],
    }
    assert list(report["sites"]) == ["a", "b"]  # sorted by id


TAXONOMY = Taxonomy.model_validate({
    "categories": {"rural": {"name": "农村"}, "school": {"name": "学校"}},
    "units": {"east": {"name": "东区", "kind": "district"},
              "west": {"name": "西区", "kind": "district"}},
    "themes": {"service": {"name": "服务群众"}},
})


def dataset(**records: Any) -> Dataset:
    program = Program.model_validate({"name": "测试", "organizer": "组织部", "city": "常德市",
                                      "inspection_interval": "2"})
    return Dataset(root=Path("."), program=program, taxonomy=TAXONOMY, **records)


def test_activity_years_span_every_record_through_the_reference_year() -> None:
    as_of = dt.date(2027, 5, 1)
    assert activity_years(dataset(), as_of) == []
    assert activity_years(dataset(sites={"a": site(2024)}), as_of) == [2024, 2025, 2026, 2027]
    # an evaluation, an experience or a plan can reach before the batches and past the date
    assert activity_years(dataset(sites={"a": site(2025, (2029, "pass"))}), as_of) == [
        2025, 2026, 2027, 2028, 2029]
    assert activity_years(dataset(sites={"a": site(2025)}, experiences={"x": experience(2023, "a")}),
                          as_of) == [2023, 2024, 2025, 2026, 2027]
    plan = Plan.model_validate({"title": "规划", "year": "2022"})
    assert activity_years(dataset(plans={2022: plan}), dt.date(2023, 1, 1)) == [2022, 2023]


def test_derive_uses_the_programmes_inspection_interval() -> None:
    sites = {"a": site(2023, (2023, "pass"), (2024, "pass")), "b": site(2024, (2024, "fail"))}
    facts = derive(dataset(sites=sites, experiences={"x": experience(2024, "b")}),
                   dt.date(2026, 6, 1))
    # improving in 2024, next due 2024 + 2 (the programme's interval, not 1)
    assert facts.states["a"] == site_state(sites["a"], 2, dt.date(2026, 6, 1))
    assert (facts.states["a"].status, facts.states["a"].due_year) == ("improving", 2026)
    assert facts.states["b"].status == "not_selected"
    assert sorted(facts.duties) == [2023, 2024, 2025, 2026]
    assert facts.duties[2023]["east"].first_passes == 1
    assert facts.duties[2024]["east"].experiences == 1
    assert facts.plans == {}
    assert facts.as_of == dt.date(2026, 6, 1)


def test_derive_orders_plans_by_year_and_counts_each_category() -> None:
    sites = {"a": site(2025, (2025, "pass")), "b": site(2025, category="school"),
             "c": site(2024, (2024, "pass"))}
    plans = {2025: Plan.model_validate({"title": "2025", "year": "2025",
                                        "targets": {"candidates": "3", "by_category": {"rural": "2"}}}),
             2024: Plan.model_validate({"title": "2024", "year": "2024"})}
    facts = derive(dataset(sites=sites, plans=plans), dt.date(2026, 1, 1))
    assert list(facts.plans) == [2024, 2025]
    p = facts.plans[2025]
    assert p.year == 2025 and facts.plans[2024].year == 2024
    assert (p.candidates.target, p.candidates.actual) == (3, 2)
    assert (p.demonstrations.target, p.demonstrations.actual) == (None, 1)
    assert {k: (q.target, q.actual) for k, q in p.by_category.items()} == {
        "rural": (2, 1), "school": (None, 1)}
    assert p.demonstrations_by_category == {"rural": 1, "school": 0}


def test_duties_count_every_experience_and_name_their_unit_and_year() -> None:
    sites = {"a": site(2024, (2024, "pass"), unit="east"), "b": site(2024, (2024, "pass"), unit="east"),
             "c": site(2024, unit="west")}
    experiences = {"x": experience(2025, "c"), "y": experience(2025, "c"), "z": experience(2025, "a")}
    facts = derive(dataset(sites=sites, experiences=experiences), dt.date(2025, 12, 1))
    east, west = facts.duties[2024]["east"], facts.duties[2025]["west"]
    assert (east.unit, east.year, east.first_passes, east.experiences, east.met) == ("east", 2024, 2, 0, True)
    assert (west.unit, west.year, west.first_passes, west.experiences, west.met) == ("west", 2025, 0, 2, True)
    assert facts.duties[2025]["east"].experiences == 1


def test_derive_needs_the_programme_and_the_taxonomy() -> None:
    with pytest.raises(AssertionError):
        derive(Dataset(root=Path("."), program=dataset().program, taxonomy=None), dt.date(2026, 1, 1))
    with pytest.raises(AssertionError):
        derive(Dataset(root=Path("."), program=None, taxonomy=TAXONOMY), dt.date(2026, 1, 1))


# ---------------------------------------------------------------- spreadsheet cells

@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("a=1", "a=1"), ("", ""), (" =1", " =1"),
    (5, 5), (None, None), (-3, -3)])
def test_csv_cell(value: Any, cell: Any) -> None:
    assert csv_cell(value) == cell
    assert looks_like_formula(value) is (cell != value)
