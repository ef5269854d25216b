"""Reading the evaluation workbook: the header row, and each cell as a typed value.

Everything here is about the spreadsheet alone (no data set): which column is which, and
what a cell typed by hand in Excel or WPS means. :mod:`evalimport` checks the rows against
the sites.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.textcheck import printable
from ..data.schemacheck import suggest
from ..model.fieldtypes import MAX_YEAR, MIN_YEAR

SHEET_NAME = "考评结果"
# Column headers as written in the template, then the other spellings accepted.
HEADERS: dict[str, tuple[str, ...]] = {
    "site_id": ("单位id", "id", "示范点id", "文件名"),
    "site_name": ("单位名称", "名称", "示范点名称", "示范点", "单位", "党组织名称"),
    "year": ("年度", "考评年度", "年份"),
    "date": ("考评日期", "日期"),
    "result": ("结果", "考评结果"),
    "score": ("得分", "分数", "考评得分"),
    "evaluator": ("考评人", "考评组"),
    "remarks": ("考评意见", "意见"),
}
TEMPLATE_HEADERS = [names[0] for names in HEADERS.values()]
IGNORED_HEADERS = {"序号"}
RESULTS = {"优秀": "excellent", "合格": "pass", "不合格": "fail",
           "excellent": "excellent", "pass": "pass", "fail": "fail"}
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True, order=True)
class RowProblem:
    row: int
    message: str

    def render(self, file: str) -> str:
        return printable(f"{file}:第 {self.row} 行：{self.message}")


class WorkbookError(Exception):
    """The file cannot be read as a workbook (Chinese message)."""


# ---------------------------------------------------------------- reading

def _norm_header(value: Any) -> str:
    text = "" if value is None else str(value)
    text = re.sub(r"[（(].*?[)）]", "", text)  # “得分（不公开）” → “得分”
    return re.sub(r"\s+", "", text).lower()


_ALIASES = {alias.lower(): name for name, aliases in HEADERS.items() for alias in aliases}


# Limits checked before and while reading: an evaluation sheet has a few hundred rows; a
# workbook far beyond these is a mistake or an attack (a zip that expands to gigabytes).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_ROWS = 20_000
MAX_COLUMNS = 64
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_NOT_A_WORKBOOK = ("{path} 不是 Excel 工作簿（.xlsx）。如果是 .xls、.et 或 .csv 文件，请用 Excel 或 WPS "
                   "打开后“另存为”Excel 工作簿（*.xlsx）。")


def _precheck(path: Path) -> None:
    """Refuse what is not a plausible .xlsx before any XML is parsed: fast and in bounded
    memory, whatever the file claims."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise WorkbookError(f"找不到文件 {path}。") from None
    except OSError as exc:
        raise WorkbookError(f"无法读取 {path}（{exc.strerror}）。") from None
    if path.is_dir():
        raise WorkbookError(f"{path} 是一个文件夹，请写出工作簿的文件名。")
    if size > MAX_FILE_BYTES:
        raise WorkbookError(f"{path} 太大（{size // (1024 * 1024)} MB）。考评结果表通常只有几十 KB，"
                            "请只保留“考评结果”工作表后另存为新文件再导入。")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise WorkbookError(_NOT_A_WORKBOOK.format(path=path)) from None
    names = {e.filename for e in entries}
    if len(entries) > MAX_ZIP_ENTRIES or any(part not in names for part in _REQUIRED_PARTS):
        raise WorkbookError(_NOT_A_WORKBOOK.format(path=path))
    expanded = sum(e.file_size for e in entries)
    if expanded > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(f"{path} 解压后过大（{expanded // (1024 * 1024)} MB，上限 "
                            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB），可能已损坏或不是正常的考评结果表。"
                            "请把数据复制到新下载的考评模板中再导入。")


def read_sheet(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[RowProblem]]:
    """The filled-in rows as (row number, {column name: cell value}), and problems of the
    header or of cells that cannot be taken as typed (formulas)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    _precheck(path)
    formulas: list[tuple[int, int, str]] = []  # (row, column, formula text)
    grid: list[list[Any]] = []
    try:
        # data_only=False: a formula cell shows as a formula, never as a silently missing
        # value (openpyxl does not compute formulas, and WPS often stores no cached value).
        workbook = load_workbook(path, read_only=True, data_only=False)
        try:
            sheet = workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames \
                else workbook.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
                if number > MAX_ROWS:
                    raise WorkbookError(f"{path} 的工作表超过 {MAX_ROWS} 行（含空行）。请删除多余的行，"
                                        "或把考评结果复制到新的模板中再导入。")
                values = []
                for col, cell in enumerate(row, start=1):
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f":
                        formulas.append((number, col, str(value)))
                        value = None
                    values.append(value)
                grid.append(values)
        finally:
            workbook.close()
    except WorkbookError:
        raise
    except Exception:  # openpyxl on a damaged file: KeyError, XML errors, TypeError, ...
        raise WorkbookError(f"{path} 已损坏，无法读取（工作簿内部的数据不完整或格式有误）。请用 Excel 或 WPS "
                            "打开后另存为新的 .xlsx 文件，再导入。") from None
    if not grid:
        grid = [[]]

    header_at = next((i for i, r in enumerate(grid[:HEADER_SEARCH_ROWS])
                      if any(_ALIASES.get(_norm_header(c)) == "year" for c in r)), None)
    if header_at is None:
        return [], [RowProblem(1, "找不到表头行：第一行应为列名“" + "、".join(TEMPLATE_HEADERS)
                               + "”（请使用“下载考评模板”得到的模板）。")]
    columns: dict[int, str] = {}
    problems: list[RowProblem] = []
    for i, cell in enumerate(grid[header_at]):
        name = _norm_header(cell)
        if not name or name in IGNORED_HEADERS:
            continue
        if name not in _ALIASES:
            hint = suggest(name, list(_ALIASES))
            problems.append(RowProblem(header_at + 1, f"不认识的列名“{cell}”。{hint}"
                                       f"可用的列名：{'、'.join(TEMPLATE_HEADERS)}。"))
            continue
        key = _ALIASES[name]
        if key in columns.values():
            problems.append(RowProblem(header_at + 1, f"列“{cell}”重复了，请只保留一列。"))
            continue
        columns[i] = key
    present = set(columns.values())
    if "site_id" not in present and "site_name" not in present:
        problems.append(RowProblem(header_at + 1, "缺少“单位id”或“单位名称”列：需要用其中一列指明示范点。"))
    for need in ("year", "result"):
        if need not in present:
            problems.append(RowProblem(header_at + 1, f"缺少“{HEADERS[need][0]}”列。"))
    for row, col, formula in formulas:
        if row - 1 <= header_at or col - 1 not in columns:
            continue
        header = grid[header_at][col - 1]
        problems.append(RowProblem(row, (
            f"“{header}”列（单元格 {get_column_letter(col)}{row}）是公式“{formula[:40]}”，不会导入。"
            "请把公式换成它的结果：选中这些单元格 → 复制 → 选择性粘贴 → 数值。")))
    rows = []
    for offset, values in enumerate(grid[header_at + 1:], start=header_at + 2):
        cells = {columns[i]: v for i, v in enumerate(values)
                 if i in columns and not (isinstance(v, str) and not v.strip()) and v is not None}
        if cells:
            rows.append((offset, cells))
    return rows, sorted(problems)


# ---------------------------------------------------------------- typing one row

def to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    text = str(value).strip()
    return text or None


def to_year(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float) and float(value).is_integer():
        year = int(value)
    else:
        text = str(value).strip().removesuffix("年度").removesuffix("年")
        if not re.fullmatch(r"\d{4}", text):
            raise ValueError
        year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError
    return year


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        from openpyxl.utils.datetime import from_excel  # a date cell formatted as a number
        day = from_excel(value)
        if isinstance(day, dt.datetime):
            return day.date()
        if isinstance(day, dt.date):
            return day
        raise ValueError(f"“{value}”不是日期。")
    m = _DATE_RE.match(str(value).strip())
    if not m:
        raise ValueError(f"“{value}”不是日期，请写成 2026-11-20 这样的格式，或设为 Excel 的日期格式。")
    y, mo, d = (int(g) for g in m.groups())
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ValueError(f"“{value}”不是真实存在的日期，请核对月份和日期。") from None


def to_score(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError
    number = float(str(value).strip().removesuffix("分")) if isinstance(value, str) else float(value)
    if not 0 <= number <= 100:
        raise ValueError
    return number
