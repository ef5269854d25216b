"""SPEC "Lifecycle": status, due year and overdue of a site, from its batch, evaluations and
withdrawal, on a reference date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from generator.model.lifecycle import SiteState, first_violation, site_state
from generator.model.records import Site


def make_site(batch: int, *evaluations: tuple[int, str], withdrawn: str | None = None) -> Site:
    data: dict[str, Any] = {
        "name": "中共测试村支部委员会", "category": "rural", "unit": "chengnan",
        "batch": str(batch), "summary": "测试。",
        "evaluations": [{"year": str(y), "result": r} for y, r in evaluations],
    }
    if withdrawn is not None:
        data["withdrawn"] = {"date": withdrawn}
    return Site.model_validate(data)


AS_OF = dt.date(2025, 6, 1)


def state(site: Site, interval: int = 1, as_of: dt.date = AS_OF) -> SiteState:
    return site_state(site, interval, as_of)


# ---------------------------------------------------------------- every transition

@pytest.mark.parametrize(("evaluations", "status"), [
    ((), "candidate"),
    (((2024, "pass"),), "demonstration"),
    (((2024, "excellent"),), "demonstration"),
    (((2024, "fail"),), "not_selected"),
    (((2024, "pass"), (2025, "pass")), "improving"),
    (((2024, "excellent"), (2025, "excellent")), "improving"),
    (((2024, "pass"), (2025, "fail")), "eliminated"),
    (((2024, "excellent"), (2025, "fail")), "eliminated"),
    (((2024, "pass"), (2025, "pass"), (2026, "pass")), "improving"),
    (((2024, "pass"), (2025, "excellent"), (2026, "excellent")), "improving"),
    (((2024, "pass"), (2025, "pass"), (2026, "fail")), "eliminated"),
    (((2024, "pass"), (2025, "pass"), (2026, "pass"), (2028, "pass")), "improving"),
    (((2024, "pass"), (2025, "pass"), (2026, "pass"), (2028, "fail")), "eliminated"),
])
def test_status_after_each_evaluation(evaluations: tuple[tuple[int, str], ...],
                                      status: str) -> None:
    site = make_site(2024, *evaluations)
    assert state(site).status == status
    assert first_violation(site.evaluations) is None


@pytest.mark.parametrize("evaluations", [
    (),
    ((2024, "pass"),),
    ((2024, "fail"),),
    ((2024, "pass"), (2025, "pass")),
    ((2024, "pass"), (2025, "fail")),
])
def test_withdrawn_overrides_every_status(evaluations: tuple[tuple[int, str], ...]) -> None:
    site = make_site(2024, *evaluations, withdrawn="2025-03-01")
    result = state(site, as_of=dt.date(2030, 1, 1))
    assert (result.status, result.due_year, result.overdue) == ("withdrawn", None, False)
    assert result.label == "已退出"


def test_evaluations_given_out_of_order_are_sorted_by_year() -> None:
    site = make_site(2024, (2026, "fail"), (2024, "pass"), (2025, "excellent"))
    result = state(site, as_of=dt.date(2027, 1, 1))
    assert result.status == "eliminated"
    assert result.first_evaluation is not None and result.first_evaluation.year == 2024
    assert result.last_evaluation is not None and result.last_evaluation.year == 2026
    assert result.first_pass_year == 2024

    site = make_site(2024, (2025, "pass"), (2024, "fail"))
    assert state(site).status == "not_selected"
    assert first_violation(site.evaluations) is site.evaluations[0]


def test_first_pass_year_is_only_for_a_passed_first_evaluation() -> None:
    assert state(make_site(2024, (2024, "excellent"))).first_pass_year == 2024
    assert state(make_site(2024, (2024, "fail"))).first_pass_year is None
    assert state(make_site(2024)).first_pass_year is None
    # withdrawn later: it still passed its first evaluation in 2024
    assert state(make_site(2024, (2024, "pass"), withdrawn="2025-01-01")).first_pass_year == 2024


# ---------------------------------------------------------------- evaluations after the end

def test_first_violation_after_not_selected_and_after_eliminated() -> None:
    after_fail = make_site(2024, (2024, "fail"), (2025, "pass"), (2026, "pass"))
    assert first_violation(after_fail.evaluations) is after_fail.evaluations[1]
    after_out = make_site(2024, (2024, "pass"), (2025, "fail"), (2026, "pass"))
    assert first_violation(after_out.evaluations) is after_out.evaluations[2]
    late_out = make_site(2024, (2024, "pass"), (2025, "pass"), (2027, "fail"), (2028, "pass"))
    assert first_violation(late_out.evaluations) is late_out.evaluations[3]
    # the site stays out whatever is recorded after (validation reports it)
    assert state(after_fail, as_of=dt.date(2027, 1, 1)).status == "not_selected"
    assert state(after_out, as_of=dt.date(2027, 1, 1)).status == "eliminated"
    assert state(late_out, as_of=dt.date(2029, 1, 1)).due_year is None


# ---------------------------------------------------------------- due year

@pytest.mark.parametrize(("interval", "evaluations", "due"), [
    (1, (), 2024),
    (2, (), 2024),
    (1, ((2024, "pass"),), 2025),
    (2, ((2024, "pass"),), 2025),  # after the 1st evaluation always the next year
    (1, ((2024, "fail"),), None),
    (2, ((2024, "fail"),), None),
    (1, ((2024, "pass"), (2025, "pass")), 2026),
    (2, ((2024, "pass"), (2025, "pass")), 2027),
    (1, ((2024, "pass"), (2025, "fail")), None),
    (2, ((2024, "pass"), (2025, "fail")), None),
    (1, ((2024, "pass"), (2025, "pass"), (2026, "excellent")), 2027),
    (2, ((2024, "pass"), (2025, "pass"), (2027, "excellent")), 2029),
    (2, ((2024, "pass"), (2025, "pass"), (2027, "fail")), None),
])
def test_due_year_per_state(interval: int, evaluations: tuple[tuple[int, str], ...],
                            due: int | None) -> None:
    assert state(make_site(2024, *evaluations), interval).due_year == due


def test_candidate_is_due_in_its_batch_year_even_when_batch_is_later() -> None:
    assert state(make_site(2026), as_of=dt.date(2025, 6, 1)).due_year == 2026
    assert state(make_site(2026), as_of=dt.date(2025, 6, 1)).overdue is False


# ---------------------------------------------------------------- overdue edges

@pytest.mark.parametrize(("interval", "evaluations", "due"), [
    (1, (), 2024),  # candidate: due in its batch year
    (1, ((2024, "pass"),), 2025),  # demonstration
    (1, ((2024, "pass"), (2025, "pass")), 2026),  # improving, yearly inspection
    (2, ((2024, "pass"), (2025, "pass")), 2027),  # improving, every two years
])
def test_overdue_only_after_31_december_of_the_due_year(
        interval: int, evaluations: tuple[tuple[int, str], ...], due: int) -> None:
    site = make_site(2024, *evaluations)
    assert state(site, interval, dt.date(due, 1, 1)).overdue is False
    assert state(site, interval, dt.date(due, 12, 31)).overdue is False
    after = state(site, interval, dt.date(due + 1, 1, 1))
    assert after.overdue is True
    assert after.due_year == due
    assert state(site, interval, dt.date(due + 5, 7, 1)).overdue is True


@pytest.mark.parametrize("evaluations", [((2024, "fail"),), ((2024, "pass"), (2025, "fail"))])
def test_sites_no_longer_evaluated_are_never_overdue(
        evaluations: tuple[tuple[int, str], ...]) -> None:
    assert state(make_site(2024, *evaluations), as_of=dt.date(2040, 1, 1)).overdue is False


def test_labels_are_the_spec_chinese_names() -> None:
    labels = {
        (): "创建单位", ((2024, "pass"),): "示范点", ((2024, "fail"),): "未入选",
        ((2024, "pass"), (2025, "pass")): "提高阶段", ((2024, "pass"), (2025, "fail")): "淘汰",
    }
    for evaluations, label in labels.items():
        assert state(make_site(2024, *evaluations)).label == label
