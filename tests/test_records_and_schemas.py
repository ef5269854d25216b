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


SUMMARY = "“summary”（一句话简介）"
SCORE = "“score”（得分（不公开））"


@pytest.mark.parametrize(("err", "loc", "message"), [
    ({"type": "showcase", "msg": "应为日期，例如 2025-06-01"}, ("summary",),
     f"{SUMMARY}应为日期，例如 2025-06-01"),
    ({"type": "showcase", "msg": "不能为空"}, ("summary",), f"{SUMMARY}不能为空"),
    ({"type": "showcase", "msg": "格式不对"}, ("summary",), f"{SUMMARY}：格式不对"),
    ({"type": "string_type", "input": None}, ("summary",), f"{SUMMARY}不能为空，请填写内容。"),
    ({"type": "list_type", "input": None}, ("awards",),
     "“awards”（以奖代投（不公开））不能为空：请填写内容，或删除这一行。"),
    ({"type": "string_type", "input": 5}, ("summary",), f"{SUMMARY}应为一段文字。"),
    ({"type": "int_parsing", "input": "二〇二五"}, ("batch",),
     "“batch”（创建批次（年度））应为整数，“二〇二五”不是。请写阿拉伯数字，例如 35。"),
    ({"type": "int_type", "input": "x"}, ("batch",),
     "“batch”（创建批次（年度））应为整数，“x”不是。请写阿拉伯数字，例如 35。"),
    ({"type": "int_from_float", "input": 1.5}, ("batch",),
     "“batch”（创建批次（年度））应为整数，“1.5”不是。请写阿拉伯数字，例如 35。"),
    ({"type": "float_parsing", "input": "九十"}, ("evaluations", 0, "score"),
     f"{SCORE}应为数字，“九十”不是。例如 85.5。"),
    ({"type": "float_type", "input": "x"}, ("evaluations", 0, "score"), f"{SCORE}应为数字，“x”不是。例如 85.5。"),
    ({"type": "finite_number", "input": "nan"}, ("evaluations", 0, "score"),
     f"{SCORE}应为数字，“nan”不是。例如 85.5。"),
    ({"type": "greater_than_equal", "input": -1, "ctx": {"ge": 0.0}}, ("evaluations", 0, "score"),
     f"{SCORE}不能小于 0（现在是 -1）。"),
    ({"type": "less_than_equal", "input": 101, "ctx": {"le": 100.5}}, ("evaluations", 0, "score"),
     f"{SCORE}不能大于 100.5（现在是 101）。"),
    ({"type": "string_too_long", "input": "一二三四五六七八九十壹", "ctx": {"max_length": 10}}, ("summary",),
     f"{SUMMARY}太长：最多 10 字，现在 11 字，请精简。"),
    ({"type": "too_short", "input": []}, ("tags",), "“tags”（标签）至少要写 1 项。"),
    ({"type": "too_short", "input": [], "ctx": {"min_length": 2}}, ("tags",), "“tags”（标签）至少要写 2 项。"),
    ({"type": "list_type", "input": "a"}, ("tags",), "“tags”（标签）应为列表：每一项单独一行，以“- ”开头。"),
    *[({"type": kind, "input": "a"}, ("contacts",),
       "“contacts”（联系人）应包含子字段（在下一行缩进两个空格，写“字段名: 值”），而不是一段文字。")
      for kind in ("dict_type", "model_type", "model_attributes_type")],
    ({"type": "literal_error", "input": "pas", "ctx": {"expected": "'excellent', 'pass' or 'fail'"}},
     ("evaluations", 0, "result"),
     "“result”（考评结果）不能是“pas”。可选的值：excellent（优秀）、pass（合格）、fail（不合格）。是不是想写“pass”？"),
    ({"type": "something_new", "input": 1, "msg": "odd"}, ("summary",), f"{SUMMARY}的值有误（odd）。"),
    ({"type": "missing"}, (), "缺少必填字段该值，请补上。"),
])
def test_describe_each_kind_of_error(err: dict[str, object], loc: tuple[str | int, ...], message: str) -> None:
    assert _describe(Site, err, loc) == (message, False)


def test_describe_an_id_or_an_unknown_key_where_nothing_is_allowed() -> None:
    assert _describe(Site, {"type": "extra_forbidden"}, ("id",)) == (
        "不需要写“id”：记录的 id 就是文件名（不含 .yml）。请删除这一行。", True)
    assert _describe(Site, {"type": "extra_forbidden"}, ("name", "x")) == (
        "未知字段“x”，这里的内容不会被使用。", True)
