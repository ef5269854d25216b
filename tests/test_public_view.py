"""The public view on its own (rules/audience.py), with templates and open-data filters out of
the picture: every field SPEC §2 marks "public: no" is gone from every object of the view,
at any depth, and drafts are not in it. The expectations are SPEC's list, written here by
hand, not read back from the models."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_minimal
from pydantic import BaseModel

from generator.data.loader import load
from generator.model import records
from generator.rules.audience import strip_private, view

# SPEC §2, "public: no" (dotted paths through records; lists are walked through).
PRIVATE = {
    "Site.contacts.leader.phone", "Site.contacts.supervisor.phone", "Site.contacts.liaison.phone",
    "Site.evaluations.score", "Site.evaluations.evaluator", "Site.evaluations.remarks",
    "Site.awards", "Site.withdrawn.reason", "Site.internal",
}
CANARY = "qzxcanaryqzx"

SITE = f"""\
name: 中共测试镇探针村委员会
category: rural
unit: chengnan
batch: 2024
summary: 公开视图测试用记录。
contacts:
  leader: {{name: 甲, title: 部长, phone: '{CANARY}-1'}}
  supervisor: {{name: 乙, phone: '{CANARY}-2'}}
  liaison: {{name: 丙, phone: '{CANARY}-3'}}
evaluations:
  - {{year: 2024, result: pass, score: 97.31, evaluator: '{CANARY}-4', remarks: '{CANARY}-5'}}
  - {{year: 2025, result: pass, score: 96.83}}
awards:
  - {{year: 2025, amount: 8642.17, purpose: '{CANARY}-6'}}
withdrawn: {{date: 2026-03-01, reason: '{CANARY}-7'}}
internal:
  note: '{CANARY}-8'
  deeper: {{list: ['{CANARY}-9']}}
"""
DRAFT = f"""\
title: '{CANARY} 草稿标题'
sites: [tanzhen-cun]
year: 2025
themes: [service]
summary: 草稿。
author: 测试
draft: true
body: 草稿正文。
"""
PRIVATE_NUMBERS = {97.31, 96.83, 8642.17}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = copy_minimal(tmp_path_factory.mktemp("view"))
    (root / "sites" / "2024" / "tanzhen-cun.yml").write_text(SITE, encoding="utf-8")
    (root / "experiences" / "2025" / "tanzhen-caogao.yml").write_text(DRAFT, encoding="utf-8")
    loaded = load(root)
    assert loaded.ok, [str(p) for p in loaded.problems]
    return loaded


def private_paths(model: type[BaseModel], prefix: str) -> set[str]:
    """Fields the models mark private, found by walking the model classes."""
    from generator.rules.audience import is_private

    found: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}"
        if is_private(model, name):
            found.add(path)
        for inner in _models_in(info.annotation):
            found |= private_paths(inner, path)
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def test_the_models_mark_exactly_the_spec_private_fields() -> None:
    marked = set()
    for kind in (records.Site, records.Experience, records.Plan, records.Compilation,
                 records.Program, records.Taxonomy):
        marked |= private_paths(kind, kind.__name__)
    assert marked == PRIVATE


def walk(value: Any, path: str) -> list[tuple[str, Any]]:
    """Every (dotted path, value) of a record, lists walked through."""
    out = [(path, value)]
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            out += walk(getattr(value, name, None), f"{path}.{name}")
    elif isinstance(value, list):
        for item in value:
            out += walk(item, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            out += walk(item, f"{path}.{key}")
    return out


def _strings(value: Any) -> list[str]:
    return [v for _p, v in walk(value, "") if isinstance(v, str)]


def test_the_public_view_has_no_private_value_anywhere(data: Any) -> None:
    public = view(data, "public")
    site = public.sites["tanzhen-cun"]
    seen = dict.fromkeys(PRIVATE, False)
    for kind, items in (("Site", public.sites), ("Experience", public.experiences),
                        ("Plan", public.plans), ("Compilation", public.compilations)):
        for record in items.values():
            for path, value in walk(record, kind):
                if path in PRIVATE:
                    seen[path] = True
                    assert value in (None, [], {}), f"{path} = {value!r} in the public view"
                assert not (isinstance(value, str) and CANARY in value), path
                assert not (isinstance(value, float) and value in PRIVATE_NUMBERS), path
    assert all(seen.values()), f"private fields never reached: {seen}"
    # what is public stays
    assert site.contacts is not None and site.contacts.leader is not None
    assert site.contacts.leader.name == "甲" and site.contacts.leader.title == "部长"
    assert [e.year for e in site.evaluations] == [2024, 2025]
    assert site.withdrawn is not None and site.withdrawn.date.isoformat() == "2026-03-01"
    assert public.sources == {}  # the raw YAML (private values included) is not in it


def test_the_public_view_has_no_drafts(data: Any) -> None:
    assert "tanzhen-caogao" in data.experiences
    public = view(data, "public")
    assert "tanzhen-caogao" not in public.experiences
    assert all(not e.draft for e in public.experiences.values())
    assert sorted(public.experiences) == sorted(i for i, e in data.experiences.items()
                                                if not e.draft)


def test_the_internal_view_keeps_everything(data: Any) -> None:
    internal = view(data, "internal")
    strings = "\n".join(_strings(internal.sites["tanzhen-cun"]))
    for n in range(1, 10):
        assert f"{CANARY}-{n}" in strings
    assert "tanzhen-caogao" in internal.experiences


def test_strip_private_leaves_the_original_untouched(data: Any) -> None:
    site = data.sites["tanzhen-cun"]
    stripped = strip_private(site)
    assert stripped.awards == [] and stripped.internal is None
    assert site.awards and site.internal  # a copy: the loaded record still has them
    assert dataclasses.is_dataclass(data) and data.sites["tanzhen-cun"] is site


def test_a_record_without_private_values_is_not_copied(data: Any) -> None:
    plan = next(iter(data.plans.values()))
    assert strip_private(plan) is plan


def test_views_are_made_from_real_records(tmp_path: Path) -> None:
    """(The walk above sees nested records: a contact is a model, not a dict.)"""
    data = load(copy_minimal(tmp_path))
    kinds = {type(v).__name__ for _p, v in walk(next(iter(data.sites.values())), "Site")}
    assert {"Site", "Evaluation"} <= kinds


def test_stripped_records_do_not_share_their_emptied_lists(data: Any) -> None:
    site = data.sites["tanzhen-cun"]
    first, second = strip_private(site), strip_private(site)
    assert first.awards == [] and second.awards == []
    first.awards.append("changed")
    assert second.awards == [] and strip_private(site).awards == []


def test_strip_private_walks_lists_and_dicts_and_copies_only_what_changed(data: Any) -> None:
    site = data.sites["tanzhen-cun"]
    plan = next(iter(data.plans.values()))
    mixed = {"site": site, "plan": plan, "text": "公开"}
    stripped = strip_private(mixed)
    assert stripped is not mixed and set(stripped) == {"site", "plan", "text"}
    assert stripped["site"].awards == [] and stripped["site"].internal is None
    assert stripped["plan"] is plan and stripped["text"] == "公开"
    assert mixed["site"] is site  # the original mapping is untouched
    clean = {"plan": plan, "n": 1}
    assert strip_private(clean) is clean
    plain = [plan, "x"]
    assert strip_private(plain) is plain
    items = [plan, site]
    copied = strip_private(items)
    assert copied is not items and copied[0] is plan and copied[1].awards == []
    assert strip_private([]) == []
    assert strip_private({}) == {}


def test_plans_and_compilations_are_in_the_public_view(data: Any) -> None:
    public = view(data, "public")
    assert data.plans and data.compilations
    assert public.plans == data.plans
    assert public.compilations == data.compilations
