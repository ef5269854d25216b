"""The staff workflow commands behind cli.py: ``new``, ``import evaluations``, ``export``.

cli.py declares the options; the functions here do the talking (prompts, previews, Chinese
messages) and return the exit code.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.table import Table

from ..data import loader
from ..data.dataset import Dataset
from ..rules.facts import derive
from ..staff.evalimport import ImportFailed, ImportPlan, apply_plan, plan_import, result_label
from ..staff.evalsheet import WorkbookError, read_sheet
from ..staff.scaffold import (
    PLACEHOLDER_MARK,
    ScaffoldError,
    experience_skeleton,
    parse_year,
    site_skeleton,
    write_skeleton,
)


def _fail(message: str, code: int = 1) -> int:
    click.echo(f"error: {message}", err=True)
    return code


class MissingOption(ScaffoldError):
    """A required option was not given and there is no terminal to ask on."""


def ask(value: str | None, option: str, label: str, choices: str = "") -> str:
    """``value``, or what the user types at a prompt on a terminal; else a Chinese error."""
    if value is not None and str(value).strip():
        return str(value)
    if sys.stdin.isatty():
        if choices:
            click.echo(f"可选：{choices}", err=True)
        return str(click.prompt(label, err=True)).strip()
    hint = f"可选：{choices}" if choices else ""
    raise MissingOption(f"缺少 {option}（{label}）。{hint}")


def _choices(mapping: Mapping[str, Any]) -> str:
    return "、".join(f"{key}（{item.name}）" for key, item in mapping.items())


def _load_for_new(data_dir: str) -> Dataset | int:
    data = loader.load(Path(data_dir))
    if data.taxonomy is None:
        for p in data.errors:
            click.echo(str(p), err=True)
        return _fail("无法读取 taxonomy.yml（类别、管理单位、主题），请先改正上面的错误。")
    return data


def _written(path: Path, data: Dataset, extra: str = "") -> int:
    click.echo(str(path))
    others = len(data.errors)
    click.echo(f"已创建。请打开这个文件，把“{PLACEHOLDER_MARK}……）”改成实际内容，"
               f"需要的可选字段删掉行首的“# ”后填写；改完运行 showcase validate 检查。{extra}",
               err=True)
    if others:
        click.echo(f"注意：数据中还有 {others} 个其他错误（与新文件无关），运行 showcase validate 查看。",
                   err=True)
    return 0


def run_new(kind: str, data_dir: str, build: Callable[[Dataset], Any]) -> int:
    loaded = _load_for_new(data_dir)
    if isinstance(loaded, int):
        return loaded
    try:
        skeleton = build(loaded)
        path = write_skeleton(Path(data_dir), skeleton)
    except MissingOption as exc:
        return _fail(str(exc), 2)
    except ScaffoldError as exc:
        return _fail(str(exc))
    extra = "（新经验默认是草稿 draft: true，写完后改为 false 才会公开。）" if kind == "experiences" else ""
    return _written(path, loaded, extra)


def new_site(data_dir: str, name: str | None, category: str | None, unit: str | None,
             batch: str | None, ident: str | None) -> int:
    def build(data: Dataset) -> Any:
        assert data.taxonomy is not None
        tax = data.taxonomy
        full = ask(name, "NAME", "党组织全称")
        cat = ask(category, "--category", "类别", _choices(tax.categories))
        un = ask(unit, "--unit", "管理单位", _choices(tax.units))
        year = parse_year(ask(batch, "--batch", "创建批次（年份）"))
        return site_skeleton(data, full, cat, un, year, ident)
    return run_new("sites", data_dir, build)


def new_experience(data_dir: str, title: str | None, sites: tuple[str, ...], year: str | None,
                   themes: tuple[str, ...], ident: str | None) -> int:
    def build(data: Dataset) -> Any:
        assert data.taxonomy is not None
        text = ask(title, "TITLE", "经验标题")
        site_ids = list(sites) or [ask(None, "--site", "相关示范点（id、全称或简称）")]
        y = parse_year(ask(year, "--year", "年度"))
        keys = list(themes) or [ask(None, "--theme", "主题", _choices(data.taxonomy.themes))]
        return experience_skeleton(data, text, site_ids, y, keys, ident)
    return run_new("experiences", data_dir, build)


# ---------------------------------------------------------------- import evaluations

def _preview(plan: ImportPlan, data: Dataset, console: Console) -> None:
    for change in plan.changes:
        site = data.sites[change.ident]
        table = Table(title=f"{site.display_name}（{change.ident}）  {change.display_path}",
                      title_justify="left", box=box.SIMPLE_HEAVY)
        for col in ("表格行", "年度", "考评日期", "结果", "得分", "考评人", "考评意见"):
            table.add_column(col, overflow="fold")
        for row in change.rows:
            score = "" if row.score is None else f"{row.score:g}"
            table.add_row(str(row.number), str(row.year), row.date.isoformat() if row.date else "",
                          result_label(row.result), score, row.evaluator or "",
                          (row.remarks or "").replace("\n", " "))
        console.print(table)
        due = change.after.due_year
        due_text = f"，下次应考评年度 {due}" if due is not None else ""
        console.print(f"  状态：{change.before.label} → [bold]{change.after.label}[/bold]{due_text}\n")


def import_evaluations(file: str, data: Dataset, data_dir: str, as_of: dt.date,
                       apply: bool) -> int:
    path = Path(file)
    try:
        rows, problems = read_sheet(path)
    except WorkbookError as exc:
        return _fail(str(exc))
    if problems:
        for p in problems:
            click.echo(p.render(file), err=True)
        return _fail("工作簿有问题（见上），没有导入任何内容。")
    plan = plan_import(data, rows, as_of)
    if plan.problems:
        for p in plan.problems:
            click.echo(p.render(file), err=True)
        rows_bad = len({p.row for p in plan.problems})
        return _fail(f"{rows_bad} 行有问题（共 {len(rows)} 行），没有写入任何内容。"
                     "请改正表格后重新运行。")
    if plan.empty:
        click.echo(f"{file} 中没有填写任何考评结果（表头以下都是空行）。")
        return 0
    console = Console(highlight=False, soft_wrap=True)
    _preview(plan, data, console)
    count = sum(len(c.rows) for c in plan.changes)
    if not apply:
        click.echo(f"以上是预览：{count} 条考评结果，涉及 {len(plan.changes)} 个示范点。"
                   "没有修改任何文件；确认无误后加 --apply 写入。")
        return 0
    try:
        apply_plan(plan, Path(data_dir))
    except ImportFailed as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        return _fail(exc.message)
    for change in plan.changes:
        click.echo(f"已写入 {change.display_path}（{len(change.rows)} 条）")
    click.echo(f"完成：{count} 条考评结果已写入 {len(plan.changes)} 个文件，数据检查通过。")
    return 0


# ---------------------------------------------------------------- export

def export(file: str, data: Dataset, as_of: dt.date, audience: str) -> int:
    from ..staff.spreadsheet import export_workbook

    facts = derive(data, as_of)
    sheets = export_workbook(data, facts, audience, Path(file))  # type: ignore[arg-type]
    label = "内部版，含不公开信息，请勿外传" if audience == "internal" else "公开版"
    click.echo(f"{file}（{label}；工作表：{'、'.join(sheets)}）")
    return 0


def export_template(file: str, data: Dataset | None, as_of: dt.date) -> int:
    from ..staff.spreadsheet import write_template

    facts = derive(data, as_of) if data is not None else None
    write_template(Path(file), data, facts)
    extra = "，附示范点名单" if data is not None else ""
    click.echo(f"{file}（考评结果导入模板{extra}）")
    return 0
