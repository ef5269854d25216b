"""Record typing details and the editor schemas kept in the repository."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Optional

import pytest

from generator.data import loader
from generator.data.schemacheck import _choices, _describe, _fields_of, _label, _model_at, _unwrap, suggest
from generator.model.records import Contact, Contacts, Evaluation, Site, Taxonomy

MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"


def test_scalar_values_of_list_fields_become_one_item_lists(tmp_path: Path) -> None:
    """`themes: grid` means `themes: [grid]`: a single value is never refused or dropped."""
    data_dir = tmp_path / "minimal"
    shutil.copytree(MINIMAL, data_dir)
    before = loader.load(data_dir)
    site_id = sorted(before.sites)[0]
    theme = next(iter(before.taxonomy.themes))  # type: ignore[union-attr]
    (data_dir / "experiences" / "single.yml").write_text(
        f"title: 单值字段\nsites: {site_id}\nyear: 2025\nthemes: {theme}\n"
        "summary: 摘要\nauthor: 某单位\ntags: 单个标签\nbody: 正文\n", encoding="utf-8")
    (data_dir / "compilations" / "single.yml").write_text(
        f"title: 汇编\nselect:\n  years: 2025\n  themes: {theme}\norder: date\n", encoding="utf-8")
    data = loader.load(data_dir)
    assert data.ok, [str(p) for p in data.problems]
    exp = data.experiences["single"]
    assert exp.sites == [site_id] and exp.themes == [theme] and exp.tags == ["单个标签"]
    select = data.compilations["single"].select
    assert select is not None and select.years == [2025] and select.themes == [theme]


def test_committed_editor_schemas_are_up_to_date(tmp_path: Path) -> None:
    """schemas/ (used by VS Code through .vscode/settings.json) is what `showcase schema`
    writes for the sample data; regenerate with `.venv/bin/showcase schema`."""
    from generator.staff.editorschema import write_schemas

    root = MINIMAL.parent.parent.parent
    data = loader.load(root / "sites_data")
    written = write_schemas(tmp_path, data.taxonomy, sorted(data.sites))
    for path in written:
        committed = root / "schemas" / path.name
        assert committed.read_text("utf-8") == path.read_text("utf-8"), (
            f"schemas/{path.name} is out of date: run .venv/bin/showcase schema")


# ---------------------------------------------------------------- schemacheck's helpers, directly
# Where a value sits in a record, how it is named, what may stand there and what the writer
# probably meant, on the real record models; expected values written out by hand.


def test_suggest_the_closest_field_or_a_case_slip() -> None:
    assert suggest("summery", ["name", "summary"]) == "是不是想写“summary”？"
    assert suggest("NAME", ["name", "summary"]) == "是不是想写“name”？"  # too far for difflib
    assert suggest("Batch", ["unit", "batch"]) == "是不是想写“batch”？"
    assert suggest("xyz", ["name", "summary"]) == ""
    assert suggest("name", []) == ""


def test_choices_name_the_known_values() -> None:
    assert _choices("result", ["excellent", "pass", "fail"]) == "excellent（优秀）、pass（合格）、fail（不合格）"
    assert _choices("result", ["maybe"]) == "maybe"
    assert _choices("colour", ["red", "blue"]) == "red、blue"


def test_unwrap_strips_annotated_and_optional_only() -> None:
    assert _unwrap(Annotated[list[int], "listed"]) == list[int]
    assert _unwrap(int | None) is int
    assert _unwrap(Optional[Annotated[Site, "x"]]) is Site  # noqa: UP045 (the old spelling too)
    assert _unwrap(int | str) == int | str
    assert _unwrap(Site) is Site


def test_model_at_finds_the_owner_and_title_of_a_place() -> None:
    assert _model_at(Site, ()) == (Site, None)
    assert _model_at(Site, ("contacts",)) == (Contacts, "联系人")
    assert _model_at(Site, ("contacts", "leader", "phone")) == (Contact, "电话（不公开）")
    assert _model_at(Site, ("evaluations", 0)) == (Evaluation, "考评记录")
    assert _model_at(Site, ("evaluations", 0, "score")) == (Evaluation, "得分（不公开）")
    assert _model_at(Site, ("nonexistent",)) == (Site, None)
    assert _model_at(Site, ("name", "deeper")) == (None, None)


def test_fields_of_a_place() -> None:
    assert _fields_of(Site, ()) == list(Site.model_fields)
    assert _fields_of(Site, ("evaluations", 0)) == list(Evaluation.model_fields)
    assert _fields_of(Site, ("evaluations", "x")) == list(Evaluation.model_fields)
    assert _fields_of(Site, ("contacts", "leader")) == list(Contact.model_fields)
    assert _fields_of(Site, (0,)) == list(Site.model_fields)
    assert _fields_of(Taxonomy, ("units", "east")) == ["name", "kind", "short_name"]
    assert _fields_of(Site, ("name",)) == []
    assert _fields_of(Site, ("nonexistent", "x")) == []


@pytest.mark.parametrize(("loc", "label"), [
    ((), "该值"),
    ((0,), "第 1 项"),
    (("evaluations", 1), "“evaluations”（考评记录）的第 2 项"),
    (("evaluations", 0, "score"), "“score”（得分（不公开））"),
    (("awards", 2, "purpose"), "“purpose”（用途）"),
    (("contacts", "leader", "phone"), "“phone”（电话（不公开））"),
    (("nonexistent",), "“nonexistent”"),
    (("tags", 0, 3), "“tags”（标签）的第 1 项的第 4 项"),
])
def test_label_names_the_value(loc: tuple[str | int, ...], label: str) -> None:
    assert _label(Site, loc) == label


def test_describe_a_missing_field_points_at_the_value_not_a_key() -> None:
    assert _describe(Site, {"type": "missing"}, ("summary",)) == (
        "缺少必填字段“summary”（一句话简介），请补上。", False)


def test_describe_an_unknown_key_at_the_top_and_below() -> None:
    message, at_key = _describe(Site, {"type": "extra_forbidden"}, ("summery",))
    assert at_key and message == "未知字段“summery”，这里的内容不会被使用。是不是想写“summary”？"
    message, at_key = _describe(Site, {"type": "extra_forbidden"}, ())
    assert at_key and message.startswith("未知字段“”，这里的内容不会被使用。可用的字段有：name、")
