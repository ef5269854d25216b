"""The evaluation import in this process (staff/evalsheet.py, staff/evalimport.py): how a
workbook's header and cells are read, how each row is checked against the minimal data set,
the lifecycle checks per site, the new file texts and the all-or-nothing write. Every
expected message and value is written out here by hand; the command itself is tested in
test_spreadsheet.py and test_import_safety.py."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import MINIMAL, copy_minimal

from generator.data import loader
from generator.data.dataset import Dataset
from generator.staff import evalimport, evalsheet
from generator.staff.evalimport import (
    ImportPlan,
    Row,
    SiteChange,
    WriteFailed,
    new_texts,
    parse_row,
    plan_import,
    result_label,
    write_all,
)
from generator.staff.evalsheet import (
    RowProblem,
    WorkbookError,
    read_sheet,
    to_date,
    to_score,
    to_text,
    to_year,
)
from generator.staff.roundtrip import SpliceError

AS_OF = dt.date(2026, 12, 31)
_DATA: dict[Path, Dataset] = {}


def minimal() -> Dataset:
    """The minimal fixture, loaded once (the checks never change it)."""
    if MINIMAL not in _DATA:
        data = loader.load(MINIMAL)
        assert data.ok, data.errors
        _DATA[MINIMAL] = data
    return _DATA[MINIMAL]


def workbook(path: Path, rows: list[list[Any]], *, title: str | None = None,
             before: list[list[Any]] | None = None, extra_sheet: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if extra_sheet:  # the results are not on the first sheet
        sheet.title = "说明"
        sheet.append(["年度", "结果"])
        sheet.append([1999, "bogus"])
        sheet = book.create_sheet(evalsheet.SHEET_NAME)
    elif title:
        sheet.title = title
    for row in before or []:
        sheet.append(row)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# ---------------------------------------------------------------- cells

@pytest.mark.parametrize(("value", "text"), [
    (None, None), ("", None), ("  ", None), ("  桃花村 ", "桃花村"), (2025.0, "2025"),
    (2025.5, "2025.5"), (7, "7"), (dt.datetime(2025, 3, 4, 10, 30), "2025-03-04"),
    (dt.date(2025, 3, 4), "2025-03-04"), (True, "True")])
def test_to_text(value: Any, text: str | None) -> None:
    assert to_text(value) == text


@pytest.mark.parametrize(("value", "year"), [
    (2025, 2025), (2025.0, 2025), ("2025", 2025), (" 2025 ", 2025), ("2025年", 2025),
    ("2025年度", 2025), (1949, 1949), (2100, 2100), ("1949", 1949), ("2100", 2100)])
def test_to_year_accepts(value: Any, year: int) -> None:
    assert to_year(value) == year


@pytest.mark.parametrize("value", [
    True, False, 2025.5, "25", "20255", "二〇二五", "2025-1", 1948, 2101, "1948", "2101",
    "2025年年", ""])
def test_to_year_refuses(value: Any) -> None:
    with pytest.raises(ValueError):
        to_year(value)


@pytest.mark.parametrize(("value", "day"), [
    (dt.datetime(2025, 11, 20, 9, 0), dt.date(2025, 11, 20)),
    (dt.date(2025, 11, 20), dt.date(2025, 11, 20)),
    ("2025-11-20", dt.date(2025, 11, 20)), ("2025/1/2", dt.date(2025, 1, 2)),
    ("2025.11.20", dt.date(2025, 11, 20)), ("2025年11月20日", dt.date(2025, 11, 20)),
    ("2025 年 11 月 20 日", dt.date(2025, 11, 20)), ("2025年11月20", dt.date(2025, 11, 20)),
    (" 2025-11-20 ", dt.date(2025, 11, 20)),
    (45981, dt.date(2025, 11, 20)), (45981.0, dt.date(2025, 11, 20)),
    (20001, dt.date(1954, 10, 4)), (79999, dt.date(2119, 1, 10))])
def test_to_date_accepts(value: Any, day: dt.date) -> None:
    assert to_date(value) == day


@pytest.mark.parametrize(("value", "message"), [
    ("2025-11", "“2025-11”不是日期，请写成 2026-11-20 这样的格式，或设为 Excel 的日期格式。"),
    ("x2025-11-20", "“x2025-11-20”不是日期，请写成 2026-11-20 这样的格式，或设为 Excel 的日期格式。"),
    ("2025-11-20x", "“2025-11-20x”不是日期，请写成 2026-11-20 这样的格式，或设为 Excel 的日期格式。"),
    ("2025-02-30", "“2025-02-30”不是真实存在的日期，请核对月份和日期。"),
    ("2025-13-01", "“2025-13-01”不是真实存在的日期，请核对月份和日期。"),
    (20000, "“20000”不是日期，请写成 2026-11-20 这样的格式，或设为 Excel 的日期格式。"),
    (80000, "“80000”不是日期，请写成 2026-11-20 这样的格式，或设为 Excel 的日期格式。"),
    (True, "“True”不是日期，请写成 2026-11-20 这样的格式，或设为 Excel 的日期格式。")])
def test_to_date_refuses(value: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        to_date(value)
    assert str(info.value) == message


@pytest.mark.parametrize(("value", "score"), [
    (0, 0.0), (100, 100.0), (82.5, 82.5), ("82", 82.0), (" 82.5 ", 82.5), ("90分", 90.0),
    ("0", 0.0), ("100", 100.0)])
def test_to_score_accepts(value: Any, score: float) -> None:
    assert to_score(value) == score


@pytest.mark.parametrize("value", [True, -0.5, 100.5, "101", "-1", "九十", "90 分数"])
def test_to_score_refuses(value: Any) -> None:
    with pytest.raises(ValueError):
        to_score(value)


def test_row_problem_renders_file_and_row_and_orders_by_row() -> None:
    assert RowProblem(3, "没有填写年度。").render("x.xlsx") == "x.xlsx:第 3 行：没有填写年度。"
    assert RowProblem(3, "名称\x1b[31m").render("x.xlsx") == "x.xlsx:第 3 行：名称<U+001B>[31m"
    assert sorted([RowProblem(10, "a"), RowProblem(2, "b"), RowProblem(2, "a")]) == [
        RowProblem(2, "a"), RowProblem(2, "b"), RowProblem(10, "a")]


# ---------------------------------------------------------------- the sheet

def test_read_sheet_rows_by_column_name(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [
        ["序号", "单位 ID", "年度（必填）", "考评日期", "结果", "得分", "考评人", "意见", None],
        [1, "chengnan-hongqi-cun", 2027, dt.date(2027, 11, 3), "合格", 85, "第一组", "好", None],
        [None, None, None, None, None, None, None, None, None],
        [3, "  ", 2027, None, "优秀", None, None, None, "不在任何一列"],
        [4, "chengnan-taohua-cun", "2027", "2027-11-20", "excellent", "90分", None, None, None],
    ])
    rows, problems = read_sheet(path)
    assert problems == []
    assert rows == [
        (2, {"site_id": "chengnan-hongqi-cun", "year": 2027, "date": dt.datetime(2027, 11, 3),
             "result": "合格", "score": 85, "evaluator": "第一组", "remarks": "好"}),
        (4, {"year": 2027, "result": "优秀"}),
        (5, {"site_id": "chengnan-taohua-cun", "year": "2027", "date": "2027-11-20",
             "result": "excellent", "score": "90分"}),
    ]


def test_read_sheet_finds_the_header_below_a_title_and_on_the_named_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [["单位名称", "年度", "结果"], ["桃花村", 2027, "合格"]],
                    before=[["2027 年考评结果"], [None]], extra_sheet=True)
    rows, problems = read_sheet(path)
    assert problems == []
    assert rows == [(4, {"site_name": "桃花村", "year": 2027, "result": "合格"})]


def test_read_sheet_header_in_the_tenth_row_but_not_the_eleventh(tmp_path: Path) -> None:
    title = [["标题"]] * 9
    path = workbook(tmp_path / "c.xlsx", [["单位id", "年度", "结果"], ["x", 2027, "合格"]],
                    before=title)
    rows, problems = read_sheet(path)
    assert (rows, problems) == ([(11, {"site_id": "x", "year": 2027, "result": "合格"})], [])
    path = workbook(tmp_path / "d.xlsx", [["单位id", "年度", "结果"], ["x", 2027, "合格"]],
                    before=[*title, ["标题"]])
    rows, problems = read_sheet(path)
    assert rows == []
    assert problems == [RowProblem(1, "找不到表头行：第一行应为列名“单位id、单位名称、年度、考评日期、"
                                      "结果、得分、考评人、考评意见”（请使用“下载考评模板”得到的模板）。")]


COLUMNS = "可用的列名：单位id、单位名称、年度、考评日期、结果、得分、考评人、考评意见。"


def test_read_sheet_header_problems(tmp_path: Path) -> None:
    path = workbook(tmp_path / "e.xlsx", [
        ["年度", "年份", "分值", "评语", "考评组"],
        [2027, 2028, 1, "x", "组"],
    ])
    rows, problems = read_sheet(path)
    assert problems == [
        RowProblem(1, f"不认识的列名“分值”。{COLUMNS}"),
        RowProblem(1, f"不认识的列名“评语”。{COLUMNS}"),
        RowProblem(1, "列“年份”重复了，请只保留一列。"),
        RowProblem(1, "缺少“单位id”或“单位名称”列：需要用其中一列指明示范点。"),
        RowProblem(1, "缺少“结果”列。"),
    ]
    assert rows == [(2, {"year": 2027, "evaluator": "组"})]


def test_read_sheet_unknown_header_gets_a_suggestion(tmp_path: Path) -> None:
    path = workbook(tmp_path / "f.xlsx", [["单位id", "年度", "结果", "考评得分x"]])
    rows, problems = read_sheet(path)
    assert rows == []
    assert problems == [RowProblem(1, "不认识的列名“考评得分x”。是不是想写“考评得分”？"
                                      "可用的列名：单位id、单位名称、年度、考评日期、结果、得分、考评人、考评意见。")]


def test_read_sheet_missing_year_column_means_no_header(tmp_path: Path) -> None:
    path = workbook(tmp_path / "g.xlsx", [["单位id", "结果"], ["x", "合格"]])
    rows, problems = read_sheet(path)
    assert rows == [] and len(problems) == 1 and problems[0].row == 1
    assert problems[0].message.startswith("找不到表头行")


def test_read_sheet_names_formulas_in_used_columns_only(tmp_path: Path) -> None:
    path = workbook(tmp_path / "h.xlsx", [
        ["=1+1", "单位id", "年度", "结果", "得分"],
        ["=2+2", "chengnan-hongqi-cun", 2027, "合格", "=80+5"],
        [None, "chengnan-taohua-cun", "=2020+7", "合格", None],
        [None, "=CONCAT(\"a\",\"" + "b" * 60 + "\")", 2027, "合格", None],
    ], before=[["=SUM(1,2)", "=SUM(3,4)"]])  # (formulas above the header are titles: left out)
    rows, problems = read_sheet(path)
    assert problems == [
        RowProblem(3, "“得分”列（单元格 E3）是公式“=80+5”，不会导入。"
                      "请把公式换成它的结果：选中这些单元格 → 复制 → 选择性粘贴 → 数值。"),
        RowProblem(4, "“年度”列（单元格 C4）是公式“=2020+7”，不会导入。"
                      "请把公式换成它的结果：选中这些单元格 → 复制 → 选择性粘贴 → 数值。"),
        RowProblem(5, "“单位id”列（单元格 B5）是公式“=CONCAT(\"a\",\"" + "b" * 27 + "”，不会导入。"
                      "请把公式换成它的结果：选中这些单元格 → 复制 → 选择性粘贴 → 数值。"),
    ]
    # the formula cells count as empty
    assert rows == [(3, {"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "合格"}),
                    (4, {"site_id": "chengnan-taohua-cun", "result": "合格"}),
                    (5, {"year": 2027, "result": "合格"})]


def test_read_sheet_columns_beyond_the_sixty_fourth_are_not_read(tmp_path: Path) -> None:
    header = ["单位id", "年度", "结果", *([None] * 60), "考评人", "考评意见"]
    path = workbook(tmp_path / "i.xlsx", [header, ["x", 2027, "合格", *([None] * 60), "组", "好"]])
    rows, problems = read_sheet(path)
    assert problems == []
    assert rows == [(2, {"site_id": "x", "year": 2027, "result": "合格", "evaluator": "组"})]


def test_read_sheet_an_empty_sheet_has_no_header(tmp_path: Path) -> None:
    rows, problems = read_sheet(workbook(tmp_path / "j.xlsx", []))
    assert rows == [] and [p.row for p in problems] == [1]


def test_read_sheet_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path / "k.xlsx", [["单位id", "年度", "结果"], ["x", 2027, "合格"],
                                          ["y", 2027, "合格"]])
    monkeypatch.setattr(evalsheet, "MAX_ROWS", 3)
    assert len(read_sheet(path)[0]) == 2
    monkeypatch.setattr(evalsheet, "MAX_ROWS", 2)
    with pytest.raises(WorkbookError) as info:
        read_sheet(path)
    assert str(info.value) == (f"{path} 的工作表超过 2 行（含空行）。请删除多余的行，"
                               "或把考评结果复制到新的模板中再导入。")


def test_read_sheet_damaged_workbook(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-a-workbook")
    with pytest.raises(WorkbookError) as info:
        read_sheet(path)
    assert str(info.value) == (f"{path} 已损坏，无法读取（工作簿内部的数据不完整或格式有误）。请用 Excel 或 WPS "
                               "打开后另存为新的 .xlsx 文件，再导入。")


NOT_A_WORKBOOK = ("{} 不是 Excel 工作簿（.xlsx）。如果是 .xls、.et 或 .csv 文件，请用 Excel 或 WPS "
                  "打开后“另存为”Excel 工作簿（*.xlsx）。")


def test_precheck_refusals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(path: Path) -> str:
        with pytest.raises(WorkbookError) as info:
            evalsheet._precheck(path)
        return str(info.value)

    missing = tmp_path / "none.xlsx"
    assert refused(missing) == f"找不到文件 {missing}。"
    assert refused(tmp_path) == f"{tmp_path} 是一个文件夹，请写出工作簿的文件名。"
    text = tmp_path / "a.csv"
    text.write_text("年度,结果\n", encoding="utf-8")
    assert refused(text) == NOT_A_WORKBOOK.format(text)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert refused(empty) == NOT_A_WORKBOOK.format(empty)
    # a zip without the workbook's parts
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    assert refused(other) == NOT_A_WORKBOOK.format(other)
    good = workbook(tmp_path / "good.xlsx", [["年度"]])
    evalsheet._precheck(good)  # accepted
    with zipfile.ZipFile(good) as archive:
        count = len(archive.infolist())
        expanded = sum(e.file_size for e in archive.infolist())
    monkeypatch.setattr(evalsheet, "MAX_ZIP_ENTRIES", count)
    evalsheet._precheck(good)
    monkeypatch.setattr(evalsheet, "MAX_ZIP_ENTRIES", count - 1)
    assert refused(good) == NOT_A_WORKBOOK.format(good)
    monkeypatch.setattr(evalsheet, "MAX_ZIP_ENTRIES", 2_000)
    monkeypatch.setattr(evalsheet, "MAX_UNCOMPRESSED_BYTES", expanded)
    evalsheet._precheck(good)
    monkeypatch.setattr(evalsheet, "MAX_UNCOMPRESSED_BYTES", expanded - 1)
    assert refused(good) == (f"{good} 解压后过大（0 MB，上限 0 MB），可能已损坏或不是正常的考评结果表。"
                             "请把数据复制到新下载的考评模板中再导入。")
    size = good.stat().st_size
    monkeypatch.setattr(evalsheet, "MAX_FILE_BYTES", size)
    monkeypatch.setattr(evalsheet, "MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
    evalsheet._precheck(good)
    monkeypatch.setattr(evalsheet, "MAX_FILE_BYTES", size - 1)
    assert refused(good) == (f"{good} 太大（0 MB）。考评结果表通常只有几十 KB，"
                             "请只保留“考评结果”工作表后另存为新文件再导入。")


def test_precheck_sizes_in_megabytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as f:
        f.truncate(3 * 1024 * 1024 + 5)
    monkeypatch.setattr(evalsheet, "MAX_FILE_BYTES", 1024 * 1024)
    with pytest.raises(WorkbookError) as info:
        evalsheet._precheck(big)
    assert "太大（3 MB）" in str(info.value)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", " " * (5 * 1024 * 1024 + 7))
    monkeypatch.setattr(evalsheet, "MAX_FILE_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(evalsheet, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    with pytest.raises(WorkbookError) as info:
        evalsheet._precheck(bomb)
    assert "解压后过大（5 MB，上限 2 MB）" in str(info.value)


def test_precheck_unreadable_file(tmp_path: Path) -> None:
    loop = tmp_path / "loop.xlsx"
    loop.symlink_to(loop)
    with pytest.raises(WorkbookError) as info:
        evalsheet._precheck(loop)
    assert str(info.value).startswith(f"无法读取 {loop}（") and str(info.value).endswith("）。")
    assert "None" not in str(info.value)


# ---------------------------------------------------------------- one row against the data

def parsed(cells: dict[str, Any]) -> tuple[Row | None, list[str]]:
    return parse_row(7, cells, minimal())


def test_parse_row_by_id_with_every_column() -> None:
    row, errors = parsed({"site_id": "chengnan-hongqi-cun", "year": "2027",
                          "date": "2027-11-20", "result": "优秀", "score": "88.5",
                          "evaluator": " 第二组 ", "remarks": 12})
    assert errors == []
    assert row == Row(7, "chengnan-hongqi-cun", 2027, dt.date(2027, 11, 20), "excellent", 88.5,
                      "第二组", "12")
    assert row.entry() == {"year": 2027, "date": dt.date(2027, 11, 20), "result": "excellent",
                           "score": 88.5, "evaluator": "第二组", "remarks": "12"}
    assert row.evaluation().model_dump(exclude_none=True) == row.entry()


def test_parse_row_by_name_and_short_name_ignoring_spaces() -> None:
    assert parsed({"site_name": "中共城南区 红旗镇红旗村支部委员会", "year": 2027,
                   "result": "pass"})[0] == Row(7, "chengnan-hongqi-cun", 2027, None, "pass",
                                                None, None, None)
    row, errors = parsed({"site_name": "红旗村", "site_id": "chengnan-hongqi-cun", "year": 2027,
                          "result": "FAIL"})
    assert errors == [] and row is not None and (row.site, row.result) == ("chengnan-hongqi-cun",
                                                                          "fail")
    assert row.entry() == {"year": 2027, "result": "fail"}


@pytest.mark.parametrize(("cells", "errors"), [
    ({"year": 2027, "result": "合格"}, ["没有填写单位id或单位名称。"]),
    ({"site_id": "chengnan-hongqi", "year": 2027, "result": "合格"},
     ["单位id“chengnan-hongqi”不存在：应为 sites/ 目录中某个示范点记录的文件名（不含 .yml）。"
      "是不是想写“chengnan-hongqi-cun”？"]),
    ({"site_id": "chengnan-hongqi-cun", "site_name": "桃花村", "year": 2027, "result": "合格"},
     ["单位id“chengnan-hongqi-cun”是“中共城南区红旗镇红旗村支部委员会”，与单位名称“桃花村”不一致，"
      "请核对是哪个单位。"]),
    ({"site_name": "桃花", "year": 2027, "result": "合格"},
     ["找不到名称为“桃花”的示范点（须与记录中的 name 全称或 short_name 简称完全一致）。"
      "是不是想写“桃花村”？"]),
    ({"site_name": "红旗村x", "year": 2027, "result": "合格"},
     ["找不到名称为“红旗村x”的示范点（须与记录中的 name 全称或 short_name 简称完全一致）。"
      "是不是想写“红旗村”？"]),
    ({"site_name": "村", "year": 2027, "result": "合格"},
     ["找不到名称为“村”的示范点（须与记录中的 name 全称或 short_name 简称完全一致）。"]),
    ({"site_name": "火星村", "year": 2027, "result": "合格"},
     ["找不到名称为“火星村”的示范点（须与记录中的 name 全称或 short_name 简称完全一致）。"]),
    ({"site_id": "chengnan-hongqi-cun", "result": "合格"}, ["没有填写年度。"]),
    ({"site_id": "chengnan-hongqi-cun", "year": "二〇二七", "result": "合格"},
     ["年度“二〇二七”不是年份，请写四位数字，例如 2026。"]),
    ({"site_id": "chengnan-hongqi-cun", "year": 2027, "date": "2027-13-01", "result": "合格"},
     ["“2027-13-01”不是真实存在的日期，请核对月份和日期。"]),
    ({"site_id": "chengnan-hongqi-cun", "year": 2027, "date": "2026-12-31", "result": "合格"},
     ["考评日期 2026-12-31 与年度 2027 不符（2027 年度的考评应在 2027 年或 2028 年初进行），请核对。"]),
    ({"site_id": "chengnan-hongqi-cun", "year": 2027, "date": "2029-01-01", "result": "合格"},
     ["考评日期 2029-01-01 与年度 2027 不符（2027 年度的考评应在 2027 年或 2028 年初进行），请核对。"]),
    ({"site_id": "chengnan-hongqi-cun", "year": 2027}, ["没有填写结果：应为 优秀、合格 或 不合格。"]),
    ({"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "合 格"},
     ["结果“合 格”不认识：应为 优秀、合格、不合格（或 excellent、pass、fail）。是不是想写“合格”？"]),
    ({"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "良好"},
     ["结果“良好”不认识：应为 优秀、合格、不合格（或 excellent、pass、fail）。"]),
    ({"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "合格", "score": "高"},
     ["得分“高”应为 0 到 100 之间的数字。"]),
    ({"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "合格", "score": 100.5},
     ["得分“100.5”应为 0 到 100 之间的数字。"]),
    ({"site_name": "火星村", "year": "x", "date": "2027-11-20", "result": "y", "score": "z"},
     ["找不到名称为“火星村”的示范点（须与记录中的 name 全称或 short_name 简称完全一致）。",
      "年度“x”不是年份，请写四位数字，例如 2026。",
      "结果“y”不认识：应为 优秀、合格、不合格（或 excellent、pass、fail）。",
      "得分“z”应为 0 到 100 之间的数字。"]),
])
def test_parse_row_problems(cells: dict[str, Any], errors: list[str]) -> None:
    assert parsed(cells) == (None, errors)


def test_parse_row_date_in_the_year_or_early_next_year() -> None:
    for day in ("2027-01-01", "2027-12-31", "2028-01-15", "2028-12-31"):
        row, errors = parsed({"site_id": "chengnan-hongqi-cun", "year": 2027, "date": day,
                              "result": "合格"})
        assert errors == [] and row is not None and row.date == dt.date.fromisoformat(day)


def test_parse_row_a_date_without_a_valid_year_is_not_compared() -> None:
    assert parsed({"site_id": "chengnan-hongqi-cun", "year": "x", "date": "2020-01-01",
                   "result": "合格"})[1] == ["年度“x”不是年份，请写四位数字，例如 2026。"]


def test_parse_row_a_name_shared_by_two_sites(tmp_path: Path) -> None:
    data = loader.load(MINIMAL)
    twin = data.sites["chengnan-hongqi-cun"].model_copy(update={"short_name": "桃花村"})
    data.sites["chengnan-hongqi-cun"] = twin
    assert parse_row(2, {"site_name": "桃花村", "year": 2027, "result": "合格"}, data) == (None, [
        "单位名称“桃花村”对应多个示范点（chengnan-taohua-cun、chengnan-hongqi-cun），请在“单位id”列写明。"])
    # an id settles it, and a name that fits the id is accepted
    row, errors = parse_row(2, {"site_id": "chengnan-hongqi-cun", "site_name": "桃花村",
                                "year": 2027, "result": "合格"}, data)
    assert errors == [] and row is not None and row.site == "chengnan-hongqi-cun"


def test_parse_row_spaces_in_the_records_names_are_ignored_too() -> None:
    data = loader.load(MINIMAL)
    spaced = data.sites["chengnan-hongqi-cun"].model_copy(
        update={"name": "中共城南区 红旗镇 红旗村支部委员会", "short_name": "红旗 村"})
    data.sites["chengnan-hongqi-cun"] = spaced
    for name in ("中共城南区红旗镇红旗村支部委员会", "红旗村", "红 旗村"):
        row, errors = parse_row(2, {"site_name": name, "year": 2027, "result": "合格"}, data)
        assert errors == [] and row is not None and row.site == "chengnan-hongqi-cun", name


def test_parse_row_near_name_hint_needs_exactly_one_site(tmp_path: Path) -> None:
    # “城南区” is part of two full names: no “是不是” for it
    assert parsed({"site_name": "城南区", "year": 2027, "result": "合格"})[1] == [
        "找不到名称为“城南区”的示范点（须与记录中的 name 全称或 short_name 简称完全一致）。"]
    # a site without a short name is offered by its full name
    assert parsed({"site_name": "金山机械", "year": 2027, "result": "合格"})[1] == [
        "找不到名称为“金山机械”的示范点（须与记录中的 name 全称或 short_name 简称完全一致）。"
        "是不是“中共金山机械有限公司支部委员会”（单位id：hexi-jinshan-qiye）？"]
    # spaces in the record's name do not hide it from the hint
    data = loader.load(MINIMAL)
    data.sites["hexi-jinshan-qiye"] = data.sites["hexi-jinshan-qiye"].model_copy(
        update={"name": "中共金山 机械有限公司支部委员会"})
    assert parse_row(2, {"site_name": "金山机械", "year": 2027, "result": "合格"}, data)[1] == [
        "找不到名称为“金山机械”的示范点（须与记录中的 name 全称或 short_name 简称完全一致）。"
        "是不是“中共金山 机械有限公司支部委员会”（单位id：hexi-jinshan-qiye）？"]


# ---------------------------------------------------------------- the lifecycle per site

def planned(rows: list[tuple[int, dict[str, Any]]], data: Dataset | None = None) -> ImportPlan:
    return plan_import(data or minimal(), rows, AS_OF)


def messages(plan: ImportPlan) -> list[tuple[int, str]]:
    return [(p.row, p.message) for p in plan.problems]


def test_plan_import_good_rows_become_changes() -> None:
    plan = planned([
        (2, {"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "合格"}),
        (3, {"site_name": "王家村", "year": 2026, "result": "优秀", "date": "2026-11-30"}),
        (4, {"site_id": "chengnan-hongqi-cun", "year": 2028, "result": "优秀"}),
    ])
    assert plan.ok and not plan.empty and plan.problems == []
    assert [(c.ident, c.display_path, [r.number for r in c.rows]) for c in plan.changes] == [
        ("chengnan-hongqi-cun", "minimal/sites/2025/chengnan-hongqi-cun.yml", [2, 4]),
        ("shanbei-wangjia-cun", "minimal/sites/2026/shanbei-wangjia-cun.yml", [3])]
    hongqi, wangjia = plan.changes
    assert hongqi.path == MINIMAL / "sites" / "2025" / "chengnan-hongqi-cun.yml"
    assert (hongqi.before.status, hongqi.before.due_year) == ("improving", 2028)
    assert (hongqi.after.status, hongqi.after.due_year) == ("improving", 2030)
    assert (wangjia.before.status, wangjia.before.due_year) == ("candidate", 2026)
    assert (wangjia.after.status, wangjia.after.due_year) == ("demonstration", 2027)


def test_plan_import_uses_the_reference_date_and_the_interval() -> None:
    data = loader.load(MINIMAL)
    assert data.program is not None
    data.program = data.program.model_copy(update={"inspection_interval": 3})
    rows = [(2, {"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "合格"})]
    change = plan_import(data, rows, dt.date(2031, 1, 1)).changes[0]
    assert (change.before.due_year, change.before.overdue) == (2029, True)
    assert (change.after.due_year, change.after.overdue) == (2030, True)
    change = plan_import(data, rows, dt.date(2029, 6, 1)).changes[0]
    assert (change.before.overdue, change.after.overdue) == (False, False)


def test_plan_import_empty_sheet() -> None:
    plan = planned([])
    assert plan.empty and plan.ok and plan.changes == []


def test_plan_import_collects_problems_sorted_by_row_and_skips_bad_sites() -> None:
    plan = planned([
        (9, {"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "合格"}),
        (3, {"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "优秀"}),
        (5, {"year": 2027, "result": "合格"}),
        (4, {"site_id": "shanbei-wangjia-cun", "year": 2026, "result": "合格"}),
    ])
    assert not plan.ok
    assert messages(plan) == [
        (3, "与第 9 行重复：红旗村（chengnan-hongqi-cun）2027 年只能有一条考评结果。"),
        (5, "没有填写单位id或单位名称。"),
    ]
    assert [c.ident for c in plan.changes] == ["shanbei-wangjia-cun"]


def test_site_problems_year_before_the_batch_and_existing_year() -> None:
    plan = planned([
        (2, {"site_id": "shanbei-wangjia-cun", "year": 2025, "result": "合格"}),
        (3, {"site_id": "chengnan-hongqi-cun", "year": 2026, "result": "合格"}),
        (4, {"site_id": "chengnan-taohua-cun", "year": 2024, "result": "合格"}),
    ])
    assert messages(plan) == [
        (2, "王家村（shanbei-wangjia-cun）的考评年度 2025 早于创建批次 2026：创建单位从 2026 年起才参加考评。"),
        (3, "红旗村（chengnan-hongqi-cun）2026 年已有考评记录（minimal/sites/2025/chengnan-hongqi-cun.yml "
            "第 10 行）：每年只能考评一次。若要更正，请直接修改 YAML 文件。"),
        (4, "桃花村（chengnan-taohua-cun）2024 年已有考评记录（minimal/sites/2024/chengnan-taohua-cun.yml "
            "第 64 行）：每年只能考评一次。若要更正，请直接修改 YAML 文件。"),
    ]
    assert plan.changes == []


def test_site_problems_every_row_of_a_site_is_checked_after_a_refused_one() -> None:
    hongqi = "chengnan-hongqi-cun"  # batch 2025, evaluated in 2025 and 2026
    plan = planned([(n, {"site_id": hongqi, "year": year, "result": "合格"})
                    for n, year in ((2, 2024), (3, 2025), (4, 2027), (5, 2027), (6, 2023))])
    assert messages(plan) == [
        (2, "红旗村（chengnan-hongqi-cun）的考评年度 2024 早于创建批次 2025：创建单位从 2025 年起才参加考评。"),
        (3, "红旗村（chengnan-hongqi-cun）2025 年已有考评记录（minimal/sites/2025/chengnan-hongqi-cun.yml "
            "第 13 行）：每年只能考评一次。若要更正，请直接修改 YAML 文件。"),
        (5, "与第 4 行重复：红旗村（chengnan-hongqi-cun）2027 年只能有一条考评结果。"),
        (6, "红旗村（chengnan-hongqi-cun）的考评年度 2023 早于创建批次 2025：创建单位从 2025 年起才参加考评。"),
    ]
    assert plan.changes == []


def test_site_problems_existing_year_without_a_source() -> None:
    data = loader.load(MINIMAL)
    del data.sources[("sites", "chengnan-hongqi-cun")]
    site = data.sites["chengnan-hongqi-cun"]
    row = Row(3, "chengnan-hongqi-cun", 2025, None, "pass", None, None, None)
    assert evalimport._site_problems(site, "chengnan-hongqi-cun", [row], data) == [RowProblem(
        3, "红旗村（chengnan-hongqi-cun）2025 年已有考评记录：每年只能考评一次。若要更正，请直接修改 YAML 文件。")]


def test_site_problems_after_withdrawal() -> None:
    # 实验小学 withdrew on 2026-03-01
    plan = planned([
        (2, {"site_id": "shanbei-shiyan-xiaoxue", "year": 2026, "result": "合格"}),
        (3, {"site_id": "shanbei-shiyan-xiaoxue", "year": 2027, "result": "合格",
             "date": "2027-01-10"}),
    ])
    assert messages(plan) == [
        (2, "中共山北县实验小学支部委员会（shanbei-shiyan-xiaoxue）已于 2026-03-01 退出创建，"
            "不能再有 2026 年的考评（若考评在退出之前，请填写考评日期）。"),
        (3, "中共山北县实验小学支部委员会（shanbei-shiyan-xiaoxue）已于 2026-03-01 退出创建，"
            "不能再有 2027 年的考评。"),
    ]
    # the 2025 evaluation exists; an evaluation of the year it left, dated before, is fine
    plan = planned([(2, {"site_id": "shanbei-shiyan-xiaoxue", "year": 2026, "result": "合格",
                         "date": "2026-03-01"})])
    assert plan.ok, messages(plan)
    plan = planned([(2, {"site_id": "shanbei-shiyan-xiaoxue", "year": 2026, "result": "合格",
                         "date": "2026-03-02"})])
    assert [row for row, _m in messages(plan)] == [2]


def test_site_problems_after_the_site_is_out() -> None:
    # 金山机械: its first evaluation (2025) failed, so it was not selected
    plan = planned([(6, {"site_id": "hexi-jinshan-qiye", "year": 2026, "result": "合格"})])
    assert messages(plan) == [
        (6, "中共金山机械有限公司支部委员会（hexi-jinshan-qiye）在 2025 年考评后已经“未入选”，"
            "之后不能再有考评记录（2026 年）。请核对结果或年度。")]
    # 红旗村: a failing row, then one more: the later row is named
    plan = planned([
        (2, {"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "不合格"}),
        (3, {"site_id": "chengnan-hongqi-cun", "year": 2028, "result": "合格"}),
    ])
    assert messages(plan) == [
        (3, "红旗村（chengnan-hongqi-cun）在 2027 年考评后已经“淘汰”，"
            "之后不能再有考评记录（2028 年）。请核对结果或年度。")]


def test_site_problems_the_offending_row_is_the_new_one_with_the_bad_year() -> None:
    data = loader.load(MINIMAL)
    # 创新科技园: 2024 pass, 2025 fail → eliminated; a new row for 2026 and one for 2027
    rows = [Row(5, "hexi-chuangxin-keji", 2027, None, "pass", None, None, None),
            Row(4, "hexi-chuangxin-keji", 2026, None, "pass", None, None, None)]
    problems = evalimport._site_problems(data.sites["hexi-chuangxin-keji"], "hexi-chuangxin-keji",
                                         rows, data)
    assert problems == [RowProblem(4, "创新科技园（hexi-chuangxin-keji）在 2025 年考评后已经“淘汰”，"
                                      "之后不能再有考评记录（2026 年）。请核对结果或年度。")]


def test_site_problems_an_old_evaluation_made_late_by_new_rows() -> None:
    """The first evaluation that comes too late is a recorded one (new rows before it ended
    the site): the new row with the earliest year before it is named."""
    data = loader.load(MINIMAL)
    site = data.sites["chengnan-hongqi-cun"]  # 2025 excellent, 2026 pass
    site = site.model_copy(update={"batch": 2022})
    rows = [Row(3, "chengnan-hongqi-cun", 2023, None, "fail", None, None, None),
            Row(7, "chengnan-hongqi-cun", 2022, None, "pass", None, None, None)]
    problems = evalimport._site_problems(site, "chengnan-hongqi-cun", rows, data)
    assert problems == [RowProblem(7, "红旗村（chengnan-hongqi-cun）在 2023 年考评后已经“淘汰”，"
                                      "之后不能再有考评记录（2025 年）。请核对结果或年度。")]
    rows = [Row(3, "chengnan-hongqi-cun", 2023, None, "fail", None, None, None)]
    problems = evalimport._site_problems(site, "chengnan-hongqi-cun", rows, data)
    assert problems == [RowProblem(3, "红旗村（chengnan-hongqi-cun）在 2023 年考评后已经“未入选”，"
                                      "之后不能再有考评记录（2025 年）。请核对结果或年度。")]


# ---------------------------------------------------------------- texts and writing

def test_new_texts_appends_to_each_file(tmp_path: Path) -> None:
    data_dir = copy_minimal(tmp_path)
    data = loader.load(data_dir)
    plan = plan_import(data, [
        (2, {"site_id": "chengnan-hongqi-cun", "year": 2027, "result": "合格", "score": 80.0}),
        (3, {"site_id": "shanbei-wangjia-cun", "year": 2026, "result": "优秀",
             "date": "2026-11-30", "remarks": "第一行\n第二行"}),
    ], AS_OF)
    texts = new_texts(plan)
    hongqi = data_dir / "sites" / "2025" / "chengnan-hongqi-cun.yml"
    wangjia = data_dir / "sites" / "2026" / "shanbei-wangjia-cun.yml"
    assert list(texts) == [hongqi, wangjia]
    old, new = texts[hongqi]
    assert old == hongqi.read_bytes()
    assert new == old + b"  - year: 2027\n    result: pass\n    score: 80\n"
    old, new = texts[wangjia]
    assert new == old + ("evaluations:\n  - year: 2026\n    date: 2026-11-30\n    result: excellent\n"
                         "    remarks: |\n      第一行\n      第二行\n").encode()


def test_new_texts_names_the_file_it_cannot_extend(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("name: x\nevaluations: 5\n", encoding="utf-8")
    row = Row(2, "x", 2027, None, "pass", None, None, None)
    plan = ImportPlan(changes=[SiteChange("x", path, "数据/x.yml", [row], None, None)])  # type: ignore[arg-type]
    with pytest.raises(SpliceError) as info:
        new_texts(plan)
    assert str(info.value) == ("数据/x.yml：evaluations 应为列表（每条以“- ”开头），但文件中写成了别的内容，"
                               "请先改正再导入。")


def test_write_all_writes_every_file_and_can_undo(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yml", tmp_path / "b.yml"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    texts = {a: (b"old a", b"new a"), b: (b"old b", b"new b")}
    write_all(texts)
    assert (a.read_bytes(), b.read_bytes()) == (b"new a", b"new b")
    write_all(texts, new=False)
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yml", "b.yml"]


def test_write_all_a_failure_while_staging_changes_nothing(tmp_path: Path) -> None:
    a = tmp_path / "a.yml"
    a.write_bytes(b"old a")
    gone = tmp_path / "gone" / "b.yml"
    with pytest.raises(WriteFailed) as info:
        write_all({a: (b"old a", b"new a"), gone: (b"old b", b"new b")})
    assert str(info.value) == (f"写入 {gone.with_name('.b.yml.import-tmp')} 时出错（No such file or directory），"
                               "所有文件都已保持原样，没有写入任何内容。请检查文件是否被其他程序占用或设为只读，然后重试。")
    assert a.read_bytes() == b"old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yml"]  # the staged copy removed


def test_write_all_a_failure_while_renaming_restores_the_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = tmp_path / "a.yml", tmp_path / "b.yml", tmp_path / "c.yml"
    for p in (a, b, c):
        p.write_bytes(b"old " + p.stem.encode())
    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == b:
            raise PermissionError(13, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    texts = {p: (b"old " + p.stem.encode(), b"new " + p.stem.encode()) for p in (a, b, c)}
    with pytest.raises(WriteFailed) as info:
        write_all(texts)
    assert str(info.value) == (f"写入 {b} 时出错（Permission denied），所有文件都已保持原样，没有写入任何内容。"
                               "请检查文件是否被其他程序占用或设为只读，然后重试。")
    assert [p.read_bytes() for p in (a, b, c)] == [b"old a", b"old b", b"old c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yml", "b.yml", "c.yml"]
    # undoing (new=False) puts the new bytes back when it fails half-way
    for p in (a, b, c):
        p.write_bytes(b"new " + p.stem.encode())
    with pytest.raises(WriteFailed):
        write_all(texts, new=False)
    assert [p.read_bytes() for p in (a, b, c)] == [b"new a", b"new b", b"new c"]


def test_write_all_names_files_it_could_not_restore(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = tmp_path / "a.yml", tmp_path / "b.yml", tmp_path / "c.yml"
    for p in (a, b, c):
        p.write_bytes(b"old " + p.stem.encode())
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == c:
            raise OSError("no strerror")
        real_replace(src, dst)

    real_write = Path.write_bytes

    def write_bytes(self: Path, content: bytes) -> int:
        if self in (a, b) and content.startswith(b"old "):
            raise OSError(5, "Input/output error")
        return real_write(self, content)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    with pytest.raises(WriteFailed) as info:
        write_all({a: (b"old a", b"new a"), b: (b"old b", b"new b"), c: (b"old c", b"new c")})
    assert str(info.value) == f"写入 数据目录 时出错（OSError），以下文件未能恢复，请用 git 恢复：{a}、{b}。"


def test_result_label() -> None:
    assert [result_label(r) for r in ("excellent", "pass", "fail", "other")] == [
        "优秀", "合格", "不合格", "other"]
