"""The leaders' workbook and the import template in this process (staff/spreadsheet.py): the
rows of every sheet for the minimal data set, the sheet layout (header, widths, formats,
filter) and the files read back with openpyxl. Expected rows are written out by hand from the
fixture's records; the command is tested in test_spreadsheet.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import MINIMAL
from openpyxl import Workbook

from generator.data import loader
from generator.data.dataset import Dataset
from generator.model.records import Contact
from generator.rules.facts import Facts, derive
from generator.staff import spreadsheet
from generator.staff.spreadsheet import add_sheet, export_workbook, write_template

_LOADED: list[Dataset] = []


def minimal() -> Dataset:
    if not _LOADED:
        _LOADED.append(loader.load(MINIMAL))
    return _LOADED[0]


def facts(day: str = "2026-12-31") -> Facts:
    return derive(minimal(), dt.date.fromisoformat(day))


def values(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# ---------------------------------------------------------------- cells and sheets

@pytest.mark.parametrize(("value", "width"), [
    (None, 0), ("", 0), ("abc", 3), ("桃花村", 6), ("ａ", 2), ("a桃", 3), ("ab\n桃花村\nx", 6),
    (dt.date(2026, 1, 2), 10), (dt.datetime(2026, 1, 2, 3, 4), 10), (0.5, 3), (1.0, 4),
    (9.99, 4), (10.0, 4), (12.5, 4), (2026, 4), (True, 4)])
def test_width(value: Any, width: int) -> None:
    assert spreadsheet._width(value) == width


def test_add_sheet_layout() -> None:
    book = Workbook()
    rows = [["桃花村", 0.755, dt.date(2026, 1, 2), "=1+1", "两行\n文字", None, 3],
            ["a", 1.5, None, "+86 123", "x", "很长" * 40, 4]]
    sheet = add_sheet(book, "表", ["名称", "比例", "日期", "公式", "多行", "长", "n"], rows,
                      formats={"比例": "0%", "n": "0.0"})
    assert book.sheetnames == ["Sheet", "表"]
    assert values(sheet) == [["名称", "比例", "日期", "公式", "多行", "长", "n"],
                             ["桃花村", 0.755, dt.date(2026, 1, 2), "=1+1", "两行\n文字", None, 3],
                             ["a", 1.5, None, "+86 123", "x", "很长" * 40, 4]]
    header = sheet[1]
    assert all(c.font.b for c in header)
    assert {c.fill.fgColor.rgb for c in header} == {"00F2DCDB"}
    assert {c.fill.fill_type for c in header} == {"solid"}
    assert {c.alignment.vertical for c in header} == {"center"}
    assert not any(c.font.b for c in sheet[2])
    assert [c.number_format for c in sheet[2]] == ["General", "0%", "yyyy-mm-dd", "General",
                                                   "General", "General", "0.0"]
    assert [c.number_format for c in sheet[3]][:3] == ["General", "0%", "General"]
    formula, plus = sheet["D2"], sheet["D3"]
    assert (formula.data_type, formula.quotePrefix) == ("s", True)
    assert (plus.data_type, plus.quotePrefix) == ("s", True)
    assert sheet["A2"].quotePrefix is False
    wrapped = sheet["E2"].alignment
    assert (wrapped.wrap_text, wrapped.vertical) == (True, "top")
    assert sheet["E3"].alignment.wrap_text is not True
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    # the widest of header and cells, at least 4, plus 2, at most 60
    assert widths == {"A": 8, "B": 6, "C": 12, "D": 9, "E": 6, "F": 60, "G": 6}
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G3"


def test_add_sheet_without_rows_or_filter() -> None:
    book = Workbook()
    empty = add_sheet(book, "空", ["a"], [])
    assert empty.auto_filter.ref is None and empty.freeze_panes == "A2"
    assert empty.column_dimensions["A"].width == 6
    plain = add_sheet(book, "无筛选", ["a"], [["x"]], filter=False)
    assert plain.auto_filter.ref is None


def test_cell_value_replaces_characters_a_workbook_cannot_hold() -> None:
    assert spreadsheet._cell_value("a\x01b\x1fc\td") == "a\ufffdb\ufffdc\td"
    assert spreadsheet._cell_value(5) == 5
    book = Workbook()
    sheet = add_sheet(book, "x", ["a"], [["控制\x07字符"]])
    assert sheet["A2"].value == "控制\ufffd字符"


def test_contacts() -> None:
    assert spreadsheet._contact(None) is None
    assert spreadsheet._contact(Contact(name="王丽")) == "王丽"
    assert spreadsheet._contact(Contact(name="王丽", title="科长")) == "王丽（科长）"
    assert spreadsheet._phone(None) is None
    assert spreadsheet._phone(Contact(name="王丽", phone="0731-1")) == "0731-1"


# ---------------------------------------------------------------- the rows

PUBLIC_HEADERS = ["id", "名称", "简称", "类别", "管理单位", "级别", "批次", "状态", "应考评年度", "考评次数",
                  "首次考评年度", "首次考评结果", "最近考评年度", "最近考评结果", "党员人数", "书记", "联系领导",
                  "督查指导员", "联络员", "退出日期", "地址", "一句话简介"]
INTERNAL_HEADERS = ["id", "名称", "简称", "类别", "管理单位", "级别", "批次", "状态", "应考评年度", "考评逾期",
                    "考评次数", "首次考评年度", "首次考评结果", "最近考评年度", "最近考评结果", "最近考评得分",
                    "党员人数", "书记", "联系领导", "督查指导员", "联络员", "联系领导电话", "督查指导员电话",
                    "联络员电话", "以奖代投合计（万元）", "退出日期", "地址", "一句话简介"]
TAOHUA = {
    "id": "chengnan-taohua-cun", "名称": "中共城南区桃花镇桃花村委员会", "简称": "桃花村", "类别": "农村",
    "管理单位": "城南区委组织部", "级别": "市级", "批次": 2024, "状态": "提高阶段", "应考评年度": 2027,
    "考评逾期": "否", "考评次数": 2, "首次考评年度": 2024, "首次考评结果": "合格", "最近考评年度": 2025,
    "最近考评结果": "优秀", "最近考评得分": 94.5, "党员人数": 96, "书记": "李桃生",
    "联系领导": "张建国（城南区委常委、组织部部长）", "督查指导员": "王丽（市委组织部组织指导科科长）",
    "联络员": "赵小明（城南区委组织部组织股干部）", "联系领导电话": "0731-8000001",
    "督查指导员电话": "0731-8000002", "联络员电话": "13800000001", "以奖代投合计（万元）": 5.0,
    "退出日期": None, "地址": "示例市城南区桃花镇桃花村",
    "一句话简介": "以党员积分制管理带动乡村治理，村集体经济三年翻番。"}


def test_site_rows() -> None:
    headers, rows = spreadsheet._site_rows(minimal(), facts(), True)
    assert headers == INTERNAL_HEADERS
    # by batch, then id
    assert [r[0] for r in rows] == [
        "chengnan-taohua-cun", "hexi-chuangxin-keji", "chengnan-hongqi-cun", "chengnan-xingfu-shequ",
        "hexi-jinshan-qiye", "shanbei-shiyan-xiaoxue", "shanbei-wangjia-cun", "shizhi-zhengwu-zhongxin"]
    assert dict(zip(headers, rows[0], strict=True)) == TAOHUA
    by_id = {r[0]: dict(zip(headers, r, strict=True)) for r in rows}
    shiyan = by_id["shanbei-shiyan-xiaoxue"]
    assert (shiyan["状态"], shiyan["退出日期"], shiyan["简称"]) == ("已退出", dt.date(2026, 3, 1), None)
    wangjia = by_id["shanbei-wangjia-cun"]
    assert [wangjia[k] for k in ("考评次数", "首次考评年度", "首次考评结果", "最近考评年度", "最近考评结果",
                                 "最近考评得分", "联系领导", "联络员", "联络员电话", "以奖代投合计（万元）")] == [
        0, None, None, None, None, None, None, "陈静（山北县委组织部组织股干部）", "07317200302", None]
    hongqi = by_id["chengnan-hongqi-cun"]
    assert [hongqi[k] for k in ("级别", "首次考评年度", "首次考评结果", "最近考评年度", "最近考评结果",
                                "党员人数", "书记", "联系领导电话")] == [
        "区县级", 2025, "优秀", 2026, "合格", None, None, None]
    assert by_id["chengnan-xingfu-shequ"]["联系领导"] == "刘芳（城南区委组织部副部长）"
    assert by_id["chengnan-xingfu-shequ"]["督查指导员电话"] is None
    overdue = spreadsheet._site_rows(minimal(), facts("2028-06-30"), True)[1]
    assert {r[0]: r[9] for r in overdue}["chengnan-taohua-cun"] == "是"


def test_site_rows_public() -> None:
    headers, rows = spreadsheet._site_rows(minimal(), facts(), False)
    assert headers == PUBLIC_HEADERS
    assert dict(zip(headers, rows[0], strict=True)) == {k: TAOHUA[k] for k in PUBLIC_HEADERS}


def test_evaluation_rows() -> None:
    headers, rows = spreadsheet._evaluation_rows(minimal(), True)
    assert headers == ["id", "名称", "年度", "考评日期", "结果", "得分", "考评人", "考评意见"]
    assert rows[:4] == [
        ["chengnan-hongqi-cun", "红旗村", 2025, dt.date(2025, 11, 19), "优秀", None, None, None],
        ["chengnan-hongqi-cun", "红旗村", 2026, dt.date(2026, 11, 19), "合格", None, None, None],
        ["chengnan-taohua-cun", "桃花村", 2024, dt.date(2024, 11, 20), "合格", 86.0, "市委组织部第一考评组",
         "积分制管理有特色。"],
        ["chengnan-taohua-cun", "桃花村", 2025, dt.date(2025, 11, 18), "优秀", 94.5, "市委组织部第一考评组",
         "建议总结推广。"]]
    assert len(rows) == 10
    headers, rows = spreadsheet._evaluation_rows(minimal(), False)
    assert headers == ["id", "名称", "年度", "考评日期", "结果"]
    assert rows[2] == ["chengnan-taohua-cun", "桃花村", 2024, dt.date(2024, 11, 20), "合格"]


def test_plan_duty_and_overdue_rows() -> None:
    rows = spreadsheet._plan_rows(minimal(), facts())
    assert rows[:4] == [[2025, "创建单位", "", 5, 4, 0.8], [2025, "示范点", "", 3, 3, 1.0],
                        [2025, "创建单位（分类别）", "农村", 2, 1, 0.5],
                        [2025, "创建单位（分类别）", "街道社区", 1, 1, 1.0]]
    assert len(rows) == 9
    duties = spreadsheet._duty_rows(minimal(), facts())
    assert duties[:2] == [[2024, "城南区委组织部", 1, 1, "是"], [2024, "河西区委组织部", 1, 0, "否"]]
    assert len(duties) == 9
    assert spreadsheet._overdue_rows(minimal(), facts()) == []
    assert spreadsheet._overdue_rows(minimal(), facts("2028-06-30")) == [
        ["chengnan-taohua-cun", "桃花村", "城南区委组织部", "提高阶段", 2027, 2025,
         "赵小明（城南区委组织部组织股干部）", "13800000001"],
        ["chengnan-xingfu-shequ", "幸福社区 <&> #1", "城南区委组织部", "示范点", 2026, 2025, None, None],
        ["shanbei-wangjia-cun", "王家村", "山北县委组织部", "创建单位", 2026, None,
         "陈静（山北县委组织部组织股干部）", "07317200302"],
        ["shizhi-zhengwu-zhongxin", "市政务服务中心", "市直机关工委", "示范点", 2027, 2026, None, None]]


# ---------------------------------------------------------------- the files

def test_export_workbook_internal(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    names = export_workbook(minimal(), facts("2028-06-30"), "internal", out)
    assert names == ["概况", "示范点", "考评记录", "年度规划进度", "区县职责", "逾期考评"]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == names
    assert values(book["概况"]) == [
        ["项目", "内容"], ["平台", "示例市基层党建示范点展示平台"], ["主办单位", "中共示例市委组织部"],
        ["版本", "内部版（含不公开信息，请勿外传）"], ["统计日期", dt.datetime(2028, 6, 30)],
        ["示范点（创建单位）总数", 8], ["状态：创建单位", 1], ["状态：示范点", 2], ["状态：提高阶段", 2],
        ["状态：未入选", 1], ["状态：淘汰", 1], ["状态：已退出", 1], ["考评逾期", 4]]
    assert book["概况"].auto_filter.ref is None
    assert values(book["示范点"])[0] == INTERNAL_HEADERS
    assert values(book["示范点"])[1][:3] == ["chengnan-taohua-cun", "中共城南区桃花镇桃花村委员会", "桃花村"]
    assert book["示范点"].auto_filter.ref == "A1:AB9"
    plan = book["年度规划进度"]
    assert values(plan)[0] == ["年度", "指标", "类别", "目标", "实际", "完成率"]
    assert plan["F2"].number_format == "0%" and plan["F2"].value == 0.8
    assert values(book["区县职责"])[0] == ["年度", "管理单位", "首次考评通过", "典型经验", "是否完成"]
    assert values(book["逾期考评"])[0] == ["id", "名称", "管理单位", "状态", "应考评年度", "最近考评年度",
                                        "联络员", "联络员电话"]
    assert len(values(book["逾期考评"])) == 5
    assert book["考评记录"]["D2"].number_format == "yyyy-mm-dd"
    # the internal workbook is made from the internal view: private values are in it
    assert "0731-8000001" in values(book["示范点"])[1]
    evaluations = values(book["考评记录"])
    assert evaluations[0] == ["id", "名称", "年度", "考评日期", "结果", "得分", "考评人", "考评意见"]
    assert [r[5:] for r in evaluations if r[:3] == ["chengnan-taohua-cun", "桃花村", 2024]] == [
        [86, "市委组织部第一考评组", "积分制管理有特色。"]]
    props = book.properties
    assert (props.creator, props.lastModifiedBy) == ("中共示例市委组织部", "中共示例市委组织部")
    assert props.created == props.modified == dt.datetime(2028, 6, 30)
    assert [(p.name, p.value) for p in book.custom_doc_props.props] == [
        ("showcase-generated", "showcase")]


def test_export_workbook_public_is_made_from_the_public_view(tmp_path: Path) -> None:
    out = tmp_path / "public.xlsx"
    assert export_workbook(minimal(), facts(), "public", out) == [
        "概况", "示范点", "考评记录", "年度规划进度", "区县职责"]
    book = openpyxl.load_workbook(out)
    assert values(book["概况"])[3] == ["版本", "公开版"]
    assert values(book["示范点"])[0] == PUBLIC_HEADERS
    assert values(book["考评记录"])[0] == ["id", "名称", "年度", "考评日期", "结果"]
    text = repr([values(s) for s in book.worksheets])
    for private in ("0731-8000001", "13800000001", "积分制管理有特色", "94.5", "市委组织部第一考评组"):
        assert private not in text


def test_template_without_data(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert write_template(out) == ["考评结果", "填写说明"]
    book = openpyxl.load_workbook(out)
    sheet = book["考评结果"]
    assert values(sheet) == [["单位id", "单位名称", "年度", "考评日期", "结果", "得分", "考评人", "考评意见"]]
    assert {k: v.width for k, v in sheet.column_dimensions.items()} == {
        "A": 34, "B": 34, "C": 10, "D": 12, "E": 10, "F": 10, "G": 22, "H": 50}
    checks = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert sorted(checks) == ["C2:C500", "E2:E500", "F2:F500"]
    result, year, score = checks["E2:E500"], checks["C2:C500"], checks["F2:F500"]
    assert (result.type, result.formula1, result.allow_blank, result.showErrorMessage,
            result.errorTitle, result.error) == (
        "list", '"优秀,合格,不合格"', True, True, "结果", "请从下拉列表中选择：优秀、合格、不合格。")
    assert (year.type, year.operator, year.formula1, year.formula2, year.allow_blank,
            year.showErrorMessage, year.errorTitle, year.error) == (
        "whole", "between", "2000", "2100", True, True, "年度", "请填写四位数字的年份，例如 2026。")
    assert (score.type, score.operator, score.formula1, score.formula2, score.allow_blank,
            score.showErrorMessage, score.errorTitle, score.error) == (
        "decimal", "between", "0", "100", True, True, "得分", "得分应为 0 到 100 之间的数字。")
    guide = book["填写说明"]
    assert [r[0] for r in values(guide)] == ["填写说明", *spreadsheet.TEMPLATE_GUIDE]
    assert guide.column_dimensions["A"].width == 110
    assert sheet.auto_filter.ref is None and guide.auto_filter.ref is None
    assert [(p.name, p.value) for p in book.custom_doc_props.props] == [
        ("showcase-generated", "showcase")]


def test_template_with_the_sites(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert write_template(out, minimal(), facts()) == ["考评结果", "填写说明", "示范点名单"]
    book = openpyxl.load_workbook(out)
    sites = values(book["示范点名单"])
    assert sites[0] == ["单位id", "单位名称", "简称", "管理单位", "批次", "状态", "应考评年度"]
    # by unit, batch and id
    assert [r[0] for r in sites[1:]] == [
        "chengnan-taohua-cun", "chengnan-hongqi-cun", "chengnan-xingfu-shequ", "hexi-chuangxin-keji",
        "hexi-jinshan-qiye", "shanbei-shiyan-xiaoxue", "shanbei-wangjia-cun", "shizhi-zhengwu-zhongxin"]
    assert sites[1] == ["chengnan-taohua-cun", "中共城南区桃花镇桃花村委员会", "桃花村", "城南区委组织部", 2024,
                        "提高阶段", 2027]
    checks = {str(v.sqref): v for v in book["考评结果"].data_validations.dataValidation}
    ids = checks["A2:A500"]
    assert (ids.type, ids.formula1, ids.allow_blank, ids.showErrorMessage) == (
        "list", "=示范点名单!$A$2:$A$9", True, False)
    assert book.properties.creator == "中共示例市委组织部"
    assert book.properties.created == dt.datetime(2026, 12, 31)


def test_template_with_data_but_without_facts_has_no_site_list(tmp_path: Path) -> None:
    # the list shows each site's status, which needs the derived facts
    out = tmp_path / "t.xlsx"
    assert write_template(out, minimal()) == ["考评结果", "填写说明"]
    assert openpyxl.load_workbook(out).sheetnames == ["考评结果", "填写说明"]


def test_template_with_no_sites_has_no_id_list(tmp_path: Path) -> None:
    empty = loader.load(MINIMAL)
    empty.sites = {}
    out = tmp_path / "t.xlsx"
    write_template(out, empty, derive(empty, dt.date(2026, 1, 1)))
    book = openpyxl.load_workbook(out)
    assert values(book["示范点名单"]) == [["单位id", "单位名称", "简称", "管理单位", "批次", "状态", "应考评年度"]]
    assert sorted(str(v.sqref) for v in book["考评结果"].data_validations.dataValidation) == [
        "C2:C500", "E2:E500", "F2:F500"]


def test_two_exports_say_the_same_thing(tmp_path: Path) -> None:
    """Every date in the workbook comes from the reference date, the modification time of
    the document properties too (openpyxl's own save sets it to the clock)."""
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    export_workbook(minimal(), facts("2020-03-04"), "public", first)
    write_template(second, minimal(), facts("2020-03-04"))
    for path in (first, second):
        props = openpyxl.load_workbook(path).properties
        assert props.created == props.modified == dt.datetime(2020, 3, 4), path


def test_save_replaces_the_file_and_marks_it(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "x.xlsx"
    book = Workbook()
    spreadsheet.save(book, out)
    assert openpyxl.load_workbook(out).custom_doc_props.props[0].name == "showcase-generated"
    assert [p.name for p in out.parent.iterdir()] == ["x.xlsx"]
