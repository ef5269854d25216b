"""rules/yearreport.py and rules/worklists.py on the minimal fixture, with the expectations
written by hand from tests/fixtures/minimal/README.md (inspection_interval 2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import MINIMAL, copy_minimal, run_showcase

from generator.data.loader import load
from generator.rules.audience import view
from generator.rules.facts import derive
from generator.rules.worklists import supervisor_slugs, worklists
from generator.rules.yearreport import evaluation_day, finished_plan_years, year_report

AS_OF = dt.date(2027, 1, 15)


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    loaded = load(MINIMAL)
    assert loaded.ok
    return loaded


def test_2025_new_units_outcomes_and_tasks(data) -> None:  # type: ignore[no-untyped-def]
    r = year_report(data, derive(data, AS_OF), 2025)
    assert r.finished
    assert r.new_units == {"chengnan": {"rural": ["chengnan-hongqi-cun"],
                                        "community": ["chengnan-xingfu-shequ"]},
                           "hexi": {"enterprise": ["hexi-jinshan-qiye"]},
                           "shanbei": {"school": ["shanbei-shiyan-xiaoxue"]}}
    assert r.new_unit_count == 4
    assert {k: sorted(r.outcome_ids(k)) for k in r.outcome_counts} == {
        "demonstration": ["chengnan-hongqi-cun", "chengnan-xingfu-shequ", "shanbei-shiyan-xiaoxue"],
        "not_selected": ["hexi-jinshan-qiye"],
        "improving": ["chengnan-taohua-cun"],
        "eliminated": ["hexi-chuangxin-keji"],
        "inspection_passed": [],
    }
    assert sorted((t.site, t.kind, t.due_year) for t in r.tasks) == [
        ("chengnan-hongqi-cun", "first", 2025), ("chengnan-taohua-cun", "second", 2025),
        ("chengnan-xingfu-shequ", "first", 2025), ("hexi-chuangxin-keji", "second", 2025),
        ("hexi-jinshan-qiye", "first", 2025), ("shanbei-shiyan-xiaoxue", "first", 2025)]
    assert all(t.done is not None for t in r.tasks) and r.overdue == []
    assert r.left == []
    assert r.experiences == ["hexi-lianmeng-gongjian"]  # the draft does not count
    assert r.by_theme == {"party_education": 1, "service": 1}
    assert r.by_promoted == {"county": 1}
    assert r.awards == {"chengnan": 5.0}
    assert {u: d.met for u, d in r.duties.items()} == {"chengnan": True, "hexi": True, "shanbei": False}


def test_2026_overdue_at_year_end_and_leaving(data) -> None:  # type: ignore[no-untyped-def]
    r = year_report(data, derive(data, AS_OF), 2026)
    tasks = {t.site: t for t in r.tasks}
    assert set(tasks) == {"chengnan-xingfu-shequ", "chengnan-hongqi-cun", "shanbei-shiyan-xiaoxue",
                          "shanbei-wangjia-cun", "shizhi-zhengwu-zhongxin"}  # taohua is due 2027
    assert tasks["chengnan-hongqi-cun"].done is not None
    assert tasks["shanbei-shiyan-xiaoxue"].left == dt.date(2026, 3, 1)
    assert sorted(r.overdue) == ["chengnan-xingfu-shequ", "shanbei-wangjia-cun"]
    assert r.carried_over == []  # both were due in 2026 itself
    assert [i for i, _d in r.left] == ["shanbei-shiyan-xiaoxue"]
    assert r.outcome_ids("improving") == ["chengnan-hongqi-cun"]
    assert r.outcome_ids("demonstration") == ["shizhi-zhengwu-zhongxin"]


def test_a_later_year_carries_the_overdue_over(data) -> None:  # type: ignore[no-untyped-def]
    """In 2027 the sites left undone in 2026 are overdue, and they equal the facts'."""
    facts = derive(data, AS_OF)
    r = year_report(data, facts, 2027)
    assert not r.finished
    assert sorted(r.carried_over) == sorted(facts.overdue) == ["chengnan-xingfu-shequ",
                                                                "shanbei-wangjia-cun"]
    due = {i for i, s in facts.states.items() if s.due_year is not None and s.due_year <= 2027}
    assert set(r.overdue) == due
    assert r.left == [] and r.outcomes == []  # shiyan left in 2026, not again in 2027


def test_the_public_view_has_no_awards(data) -> None:  # type: ignore[no-untyped-def]
    r = year_report(view(data, "public"), derive(data, AS_OF), 2025)
    assert r.awards == {} and r.award_items == []


def test_which_years_get_a_published_report(data) -> None:  # type: ignore[no-untyped-def]
    assert finished_plan_years(data, dt.date(2025, 12, 31)) == []
    assert finished_plan_years(data, dt.date(2026, 1, 1)) == [2025]


def test_the_evaluation_day(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    loaded = load(root)
    assert evaluation_day(loaded, 2025) == dt.date(2025, 11, 30)  # the default
    assert evaluation_day(loaded, 2031) == dt.date(2031, 11, 30)  # no plan at all
    plan = root / "plans" / "2025.yml"
    plan.write_text(plan.read_text(encoding="utf-8") + "evaluation_date: 2025-11-18\n", encoding="utf-8")
    assert evaluation_day(load(root), 2025) == dt.date(2025, 11, 18)
    plan.write_text(plan.read_text(encoding="utf-8").replace("2025-11-18", "2026-11-18"),
                    encoding="utf-8")
    result = run_showcase("validate", "--data", str(root), cwd=tmp_path)
    assert result.returncode == 1
    line = next(n for n, text in enumerate(plan.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("evaluation_date"))
    assert f"minimal/plans/2025.yml:{line}:" in result.stdout
    assert "年度考评日期 2026-11-18 不在 2025 年内" in result.stdout


def test_supervisor_slugs_and_lists(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    for ident, name in (("a-cun", "杨帆"), ("b-cun", "杨凡"), ("c-cun", "欧阳建国"), ("d-cun", "——")):
        (root / "sites" / "2026" / f"{ident}.yml").write_text(
            f"name: 中共{ident}委员会\ncategory: rural\nunit: shanbei\nbatch: 2026\nsummary: 测试。\n"
            f"contacts:\n  supervisor:\n    name: '{name}'\n", encoding="utf-8")
    loaded = load(root)
    assert loaded.ok, [str(p) for p in loaded.problems]
    slugs = supervisor_slugs(loaded)
    # Same pinyin: in the order of the characters (凡 U+51E1 before 帆 U+5E06).
    assert slugs["杨凡"] == "yang-fan" and slugs["杨帆"] == "yang-fan-2"
    assert slugs["欧阳建国"] == "ou-yang-jian-guo"
    assert slugs["——"].startswith("x") and len(set(slugs.values())) == len(slugs)
    report = year_report(loaded, derive(loaded, dt.date(2026, 6, 30)), 2026)
    lists = {w.name: w for w in worklists(loaded, report)}
    assert [t.site for t in lists["supervisor-yang-fan-2"].tasks] == ["a-cun"]
    assert [t.site for t in lists["supervisor-yang-fan"].tasks] == ["b-cun"]
    assert {f"unit-{u}" for u in ("chengnan", "hexi", "shanbei", "shizhi")} <= set(lists)
    # A unit list holds every task of its sites except those closed by leaving.
    assert {t.site for t in lists["unit-shanbei"].tasks} == {"shanbei-wangjia-cun", "a-cun", "b-cun",
                                                             "c-cun", "d-cun"}
