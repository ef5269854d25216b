"""Workbooks for leaders (``showcase export``) and the evaluation-import template.

The export reads the same derived facts as ``showcase report`` (never a rule of its own) and
the audience's view of the data: a public workbook is made from the public view, so a private
field cannot reach it. Every sheet has a bold, frozen header row, set column widths, and
numbers, dates and ratios as real cell values (not text).
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..base.formula_guard import looks_like_formula
from ..base.outputs import WORKBOOK_PROPERTY, replace_file
from ..data.dataset import Dataset
from ..model.lifecycle import STATUS_LABELS
from ..model.records import LEVEL_LABELS, RESULT_LABELS, Contact, Site
from ..rules.audience import Audience, view
from ..rules.facts import Facts
from .evalsheet import SHEET_NAME, TEMPLATE_HEADERS

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0%"
MAX_WIDTH = 60

SHEETS_PUBLIC = ("概况", "示范点", "考评记录", "年度规划进度", "区县职责")
SHEETS_INTERNAL = ("概况", "示范点", "考评记录", "年度规划进度", "区县职责", "逾期考评")


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    text = f"{value:.0%}" if isinstance(value, float) and value < 10 else str(value)
    longest = max(text.splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in longest)


def add_sheet(book: Workbook, title: str, headers: Sequence[str],
              rows: Iterable[Sequence[Any]], *, formats: dict[str, str] | None = None,
              filter: bool = True) -> Worksheet:
    """A sheet with a bold frozen header row, widths fitted to the content, and number
    formats per column header (dates get ``yyyy-mm-dd`` automatically)."""
    sheet = book.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    widths = [_width(h) for h in headers]
    formats = formats or {}
    for values in rows:
        sheet.append([_cell_value(v) for v in values])
        for i, value in enumerate(values):
            widths[i] = max(widths[i], _width(value))
            cell = sheet.cell(row=sheet.max_row, column=i + 1)
            if looks_like_formula(value):
                # Text, never a formula: stored as a string with Excel's quote prefix.
                cell.data_type = "s"
                cell.quotePrefix = True
            if headers[i] in formats:
                cell.number_format = formats[headers[i]]
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            if isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width, 4) + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if filter and sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _cell_value(value: Any) -> Any:
    """Characters a workbook cannot hold (C0 controls) would make openpyxl fail; validation
    rejects them in the data, this keeps any other source from crashing the export."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def save(book: Workbook, out: Path) -> None:
    """Save with showcase's mark (so a later export may replace the file) beside ``out``,
    then rename it into place."""
    book.custom_doc_props.append(StringProperty(name=WORKBOOK_PROPERTY, value="showcase"))
    buffer = io.BytesIO()
    book.save(buffer)
    replace_file(out, buffer.getvalue())


def _contact(contact: Contact | None) -> str | None:
    if contact is None:
        return None
    return f"{contact.name}（{contact.title}）" if contact.title else contact.name


def _phone(contact: Contact | None) -> str | None:
    return contact.phone if contact is not None else None


def _site_rows(data: Dataset, facts: Facts, internal: bool) -> tuple[list[str], list[list[Any]]]:
    assert data.taxonomy is not None
    tax = data.taxonomy
    headers = ["id", "名称", "简称", "类别", "管理单位", "级别", "批次", "状态", "应考评年度"]
    if internal:
        headers.append("考评逾期")
    headers += ["考评次数", "首次考评年度", "首次考评结果", "最近考评年度", "最近考评结果"]
    if internal:
        headers.append("最近考评得分")
    headers += ["党员人数", "书记", "联系领导", "督查指导员", "联络员"]
    if internal:
        headers += ["联系领导电话", "督查指导员电话", "联络员电话", "以奖代投合计（万元）"]
    headers += ["退出日期", "地址", "一句话简介"]
    rows = []
    for ident, site in sorted(data.sites.items(), key=lambda kv: (kv[1].batch, kv[0])):
        state = facts.states[ident]
        first, last = state.first_evaluation, state.last_evaluation
        contacts = site.contacts
        leader = contacts.leader if contacts else None
        supervisor = contacts.supervisor if contacts else None
        liaison = contacts.liaison if contacts else None
        row: list[Any] = [
            ident, site.name, site.short_name, tax.categories[site.category].name,
            tax.units[site.unit].name, LEVEL_LABELS[site.level], site.batch,
            STATUS_LABELS[state.status], state.due_year]
        if internal:
            row.append("是" if state.overdue else "否")
        row += [len(site.evaluations),
                first.year if first else None, RESULT_LABELS[first.result] if first else None,
                last.year if last else None, RESULT_LABELS[last.result] if last else None]
        if internal:
            row.append(last.score if last else None)
        org = site.organization
        row += [org.members if org else None, org.secretary if org else None,
                _contact(leader), _contact(supervisor), _contact(liaison)]
        if internal:
            row += [_phone(leader), _phone(supervisor), _phone(liaison),
                    sum(a.amount for a in site.awards) if site.awards else None]
        row += [site.withdrawn.date if site.withdrawn else None,
                site.location.address if site.location else None, site.summary]
        rows.append(row)
    return headers, rows


def _evaluation_rows(data: Dataset, internal: bool) -> tuple[list[str], list[list[Any]]]:
    headers = ["id", "名称", "年度", "考评日期", "结果"]
    if internal:
        headers += ["得分", "考评人", "考评意见"]
    rows = []
    for ident, site in sorted(data.sites.items()):
        for ev in sorted(site.evaluations, key=lambda e: e.year):
            row: list[Any] = [ident, site.display_name, ev.year, ev.date, RESULT_LABELS[ev.result]]
            if internal:
                row += [ev.score, ev.evaluator, ev.remarks]
            rows.append(row)
    return headers, rows


def _plan_rows(data: Dataset, facts: Facts) -> list[list[Any]]:
    assert data.taxonomy is not None
    rows: list[list[Any]] = []
    for year, p in facts.plans.items():
        rows.append([year, "创建单位", "", p.candidates.target, p.candidates.actual,
                     p.candidates.ratio])
        rows.append([year, "示范点", "", p.demonstrations.target, p.demonstrations.actual,
                     p.demonstrations.ratio])
        for key, q in p.by_category.items():
            rows.append([year, "创建单位（分类别）", data.taxonomy.categories[key].name, q.target,
                         q.actual, q.ratio])
    return rows


def _duty_rows(data: Dataset, facts: Facts) -> list[list[Any]]:
    assert data.taxonomy is not None
    return [[year, data.taxonomy.units[unit].name, d.first_passes, d.experiences,
             "是" if d.met else "否"]
            for year, units in facts.duties.items() for unit, d in units.items()]


def _overdue_rows(data: Dataset, facts: Facts) -> list[list[Any]]:
    assert data.taxonomy is not None
    rows = []
    for ident in facts.overdue:
        site, state = data.sites[ident], facts.states[ident]
        liaison = site.contacts.liaison if site.contacts else None
        last = state.last_evaluation
        rows.append([ident, site.display_name, data.taxonomy.units[site.unit].name, state.label,
                     state.due_year, last.year if last else None, _contact(liaison),
                     _phone(liaison)])
    return rows


def export_workbook(data: Dataset, facts: Facts, audience: Audience, out: Path) -> list[str]:
    """Write the leaders' workbook; returns its sheet names."""
    assert data.program is not None
    internal = audience == "internal"
    seen = view(data, audience)
    book = Workbook()
    book.remove(book.active)
    label = "内部版（含不公开信息，请勿外传）" if internal else "公开版"
    summary_rows: list[list[Any]] = [
        ["平台", data.program.name], ["主办单位", data.program.organizer],
        ["版本", label], ["统计日期", facts.as_of],
        ["示范点（创建单位）总数", len(facts.states)]]
    summary_rows += [[f"状态：{STATUS_LABELS[s]}", n] for s, n in facts.status_counts.items()]
    summary_rows.append(["考评逾期", len(facts.overdue)])
    add_sheet(book, "概况", ["项目", "内容"], summary_rows, filter=False)
    headers, rows = _site_rows(seen, facts, internal)
    add_sheet(book, "示范点", headers, rows)
    headers, rows = _evaluation_rows(seen, internal)
    add_sheet(book, "考评记录", headers, rows)
    add_sheet(book, "年度规划进度", ["年度", "指标", "类别", "目标", "实际", "完成率"],
              _plan_rows(seen, facts), formats={"完成率": PERCENT_FORMAT})
    add_sheet(book, "区县职责", ["年度", "管理单位", "首次考评通过", "典型经验", "是否完成"],
              _duty_rows(seen, facts))
    if internal:
        add_sheet(book, "逾期考评", ["id", "名称", "管理单位", "状态", "应考评年度", "最近考评年度",
                                  "联络员", "联络员电话"], _overdue_rows(seen, facts))
    _stamp(book, data.program.organizer, facts.as_of)
    save(book, out)
    return list(book.sheetnames)


def _stamp(book: Workbook, creator: str, day: dt.date) -> None:
    """Fixed document properties, so two exports of the same data say the same thing."""
    moment = dt.datetime(day.year, day.month, day.day)
    book.properties.creator = creator
    book.properties.lastModifiedBy = creator
    book.properties.created = moment
    book.properties.modified = moment


# ---------------------------------------------------------------- import template

TEMPLATE_GUIDE = [
    "1. 在“考评结果”工作表中每行填写一个单位一个年度的考评结果，不要改动第一行的列名。",
    "2. “单位id”和“单位名称”填一个即可：单位id 是示范点记录的文件名（不含 .yml），"
    "单位名称须与记录中的全称或简称完全一致。可从“示范点名单”工作表复制。",
    "3. 年度写四位数字，例如 2026；考评日期写成 2026-11-20 这样的格式（可不填）。",
    "4. 结果只能是：优秀、合格、不合格。",
    "5. 得分（0–100）、考评人、考评意见可不填；这三项不会在公开网站上显示。",
    "6. 保存后，在网页编辑器“常用操作”的“导入考评结果”页选择这个文件，先看预览，"
    "确认无误后点“确认导入”（技术人员也可以用命令 showcase import evaluations 文件名.xlsx 预览，"
    "加 --apply 写入）。",
    "7. 同一单位同一年度只能有一条；已经淘汰或未入选的单位不能再有考评。有任何一行出错时，"
    "所有行都不会写入，请按提示（第几行）改正后重新导入。",
]


def write_template(out: Path, data: Dataset | None = None,
                   facts: Facts | None = None) -> list[str]:
    """The evaluation-import workbook: an empty “考评结果” sheet with drop-down lists, the
    instructions and, when the data set is given, the list of sites to pick from."""
    book = Workbook()
    book.remove(book.active)
    widths = {"单位id": 34, "单位名称": 34, "考评日期": 12, "考评人": 22, "考评意见": 50}
    sheet = add_sheet(book, SHEET_NAME, TEMPLATE_HEADERS, [], filter=False)
    for i, header in enumerate(TEMPLATE_HEADERS, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = widths.get(header, 10)
    col = {h: get_column_letter(i) for i, h in enumerate(TEMPLATE_HEADERS, start=1)}
    result = DataValidation(type="list", formula1='"优秀,合格,不合格"', allow_blank=True,
                            showErrorMessage=True, errorTitle="结果",
                            error="请从下拉列表中选择：优秀、合格、不合格。")
    result.add(f"{col['结果']}2:{col['结果']}500")
    year = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100",
                          allow_blank=True, showErrorMessage=True, errorTitle="年度",
                          error="请填写四位数字的年份，例如 2026。")
    year.add(f"{col['年度']}2:{col['年度']}500")
    score = DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                           allow_blank=True, showErrorMessage=True, errorTitle="得分",
                           error="得分应为 0 到 100 之间的数字。")
    score.add(f"{col['得分']}2:{col['得分']}500")
    for validation in (result, year, score):
        sheet.add_data_validation(validation)
    add_sheet(book, "填写说明", ["填写说明"], [[line] for line in TEMPLATE_GUIDE], filter=False)
    book["填写说明"].column_dimensions["A"].width = 110
    if data is not None and facts is not None and data.taxonomy is not None:
        rows = [[ident, site.name, site.short_name, data.taxonomy.units[site.unit].name,
                 site.batch, facts.states[ident].label, facts.states[ident].due_year]
                for ident, site in sorted(data.sites.items(), key=_by_unit)]
        add_sheet(book, "示范点名单", ["单位id", "单位名称", "简称", "管理单位", "批次", "状态",
                                  "应考评年度"], rows)
        if rows:
            ids = DataValidation(type="list", formula1=f"=示范点名单!$A$2:$A${len(rows) + 1}",
                                 allow_blank=True, showErrorMessage=False)
            ids.add(f"{col['单位id']}2:{col['单位id']}500")
            sheet.add_data_validation(ids)
        assert data.program is not None
        _stamp(book, data.program.organizer, facts.as_of)
    save(book, out)
    return list(book.sheetnames)


def _by_unit(item: tuple[str, Site]) -> tuple[str, int, str]:
    ident, site = item
    return site.unit, site.batch, ident
