"""Which experiences a compilation contains, and in what order (generator/rules/compilation.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.data.dataset import Dataset
from generator.data.loader import load
from generator.model.records import Compilation, Selection
from generator.rules.audience import view
from generator.rules.compilation import order_experiences, select_experiences

FIXTURE = Path(__file__).parent / "fixtures" / "pdf"


@pytest.fixture(scope="module")
def data() -> Dataset:
    loaded = load(FIXTURE)
    assert loaded.ok, loaded.problems
    return loaded


def comp(**kwargs: object) -> Compilation:
    return Compilation.model_validate({"title": "测试", **kwargs})


def test_fixture_compilation_is_by_unit_then_date(data: Dataset) -> None:
    ids = select_experiences(data, data.compilations["2025-jingyan-huibian"])
    # 武陵区 (taxonomy order first) by date, then 鼎城区, then 市经贸工委; no draft, no 2024.
    assert ids == ["hongse-wuye", "zhangzhe-shitang", "daotian-hezuoshe", "xianfenggang"]


def test_include_keeps_its_order_and_skips_drafts_and_unknown(data: Dataset) -> None:
    c = comp(include=["zhangzhe-shitang", "caogao-jingyan", "nope", "hongse-wuye",
                      "zhangzhe-shitang"])
    assert select_experiences(data, c) == ["zhangzhe-shitang", "hongse-wuye"]
    # In a public view the draft is not even there.
    assert select_experiences(view(data, "public"), c) == ["zhangzhe-shitang", "hongse-wuye"]


def test_drafts_never_selected_even_internally(data: Dataset) -> None:
    internal = view(data, "internal")
    assert "caogao-jingyan" in internal.experiences
    assert "caogao-jingyan" not in select_experiences(internal, comp(select={}))


@pytest.mark.parametrize(("select", "expected"), [
    ({}, {"hongse-wuye", "zhangzhe-shitang", "daotian-hezuoshe", "xianfenggang",
          "jifen-guanli"}),
    ({"years": [2024]}, {"jifen-guanli"}),
    ({"themes": ["service"]}, {"hongse-wuye", "zhangzhe-shitang"}),  # any of its themes
    ({"units": ["dingcheng", "jingmao"]}, {"daotian-hezuoshe", "xianfenggang"}),
    ({"promoted": ["city"]}, {"hongse-wuye", "xianfenggang"}),
    ({"years": [2025], "themes": ["party_education"]}, {"xianfenggang"}),
    ({"units": ["wuling"], "promoted": ["province"]}, set()),
])
def test_select_filters(data: Dataset, select: dict[str, list[object]],
                        expected: set[str]) -> None:
    assert set(select_experiences(data, comp(select=select, order="date"))) == expected


def test_orders(data: Dataset) -> None:
    sel = {"years": [2025]}
    assert select_experiences(data, comp(select=sel, order="date")) == [
        "hongse-wuye", "zhangzhe-shitang", "daotian-hezuoshe", "xianfenggang"]
    # Taxonomy category order: rural, community, enterprise.
    assert select_experiences(data, comp(select=sel, order="category")) == [
        "daotian-hezuoshe", "hongse-wuye", "zhangzhe-shitang", "xianfenggang"]
    # First theme in taxonomy order: party_education, service, red_property, industry.
    assert select_experiences(data, comp(select=sel, order="theme")) == [
        "xianfenggang", "zhangzhe-shitang", "hongse-wuye", "daotian-hezuoshe"]
    # No order given: by unit.
    assert select_experiences(data, comp(select=sel)) == select_experiences(
        data, comp(select=sel, order="unit"))


def test_ties_are_broken_deterministically(data: Dataset) -> None:
    base = data.experiences["hongse-wuye"]
    same = {f"twin-{c}": base.model_copy(update={"date": dt.date(2025, 1, 1)})
            for c in "cab"}
    twins = Dataset(root=data.root, taxonomy=data.taxonomy, sites=data.sites,
                    experiences=same)
    assert order_experiences(twins, list(same), "unit") == ["twin-a", "twin-b", "twin-c"]
    assert select_experiences(twins, comp(select=Selection().model_dump())) == [
        "twin-a", "twin-b", "twin-c"]


def test_nothing_to_select(data: Dataset) -> None:
    assert select_experiences(data, comp()) == []
