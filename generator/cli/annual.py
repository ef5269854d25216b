"""``showcase annual YEAR`` and ``showcase report --format pdf,docx``: the year's report and
the current state as documents (PDF, Word), written all at once into a folder this command
made (``build/annual``, ``build/report`` by default)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from ..base.reference import reference_date
from ..rules.audience import Audience, view
from ..rules.facts import derive, report_json
from .main import (
    as_of_option,
    audience_option,
    data_option,
    failures_exit,
    load_or_exit,
    main,
    project_root,
)
from .terminal import print_report

ANNUAL_MAKER = "showcase annual"
REPORT_MAKER = "showcase report"
FORMATS = ("pdf", "docx")


def parse_formats(ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    """``pdf,docx`` → ("pdf", "docx"); a Chinese error for anything else."""
    if value is None:
        return None
    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    wrong = [v for v in chosen if v not in FORMATS]
    if wrong or not chosen:
        click.echo(f"error: --format 的值“{value}”不对：只能写 pdf、docx，或用逗号连起来写 pdf,docx。",
                   err=True)
        ctx.exit(2)
    return chosen


def _write(out_dir: str, data_dir: str, maker: str, files: dict[str, object]) -> None:
    from ..base.outputs import guard, write_into

    with failures_exit():
        target = guard(out_dir, data_dir=data_dir, project_root=project_root(data_dir),
                       made_by=maker)
        write_into(target, files, maker)  # type: ignore[arg-type]
    for name in files:
        click.echo(str(Path(out_dir) / name))


def _render(doc: object, formats: tuple[str, ...], stem: str, as_of: dt.date) -> dict[str, bytes]:
    """The document in each format; a Chinese message and exit 1 when it cannot be made."""
    from ..paper.blocks import Document
    from ..paper.docxout import render_docx
    from ..paper.pdfout import render_pdf
    from ..paper.publish import created
    from ..pdf import CompilationError

    assert isinstance(doc, Document)
    files: dict[str, bytes] = {}
    try:
        if "pdf" in formats:
            files[f"{stem}.pdf"] = render_pdf(doc, created=created(as_of))
        if "docx" in formats:
            files[f"{stem}.docx"] = render_docx(doc, created=created(as_of))
    except CompilationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    return files


@main.command()
@click.argument("year", metavar="年份")
@data_option
@audience_option
@click.option("--format", "formats", default="pdf,docx", show_default=True, callback=parse_formats,
              metavar="pdf,docx", help="文档格式：pdf、docx，或 pdf,docx")
@click.option("--out", "out_dir", default="build/annual", show_default=True, metavar="目录",
              help="输出目录（写入 annual-年份.pdf / .docx）")
@as_of_option
def annual(year: str, data_dir: str, audience: Audience, formats: tuple[str, ...], out_dir: str,
           as_of: str | None) -> None:
    """生成年度工作报告（PDF 和 Word）：showcase annual 2025"""
    from ..paper.annual import annual_document
    from ..rules.facts import activity_years
    from ..rules.yearreport import year_report

    if not year.isdigit() or not 1900 <= int(year) <= 2200:
        click.echo(f"error: 年份“{year}”不对，请写四位数字，例如 showcase annual 2025。", err=True)
        sys.exit(2)
    with failures_exit():  # refuse an unsafe --out before any work
        from ..base.outputs import guard

        guard(out_dir, data_dir=data_dir, project_root=project_root(data_dir), made_by=ANNUAL_MAKER)
    data = load_or_exit(data_dir)
    day = reference_date(as_of)
    facts = derive(data, day)
    y = int(year)
    years = activity_years(data, day)
    if y not in years and y not in data.plans:
        known = f"{years[0]}–{years[-1]}" if years else "（还没有任何记录）"
        click.echo(f"error: 数据中没有 {y} 年的记录（没有该年的规划、批次、考评或典型经验）。"
                   f"有记录的年份：{known}。", err=True)
        sys.exit(1)
    if y > day.year:
        click.echo(f"error: {y} 年还没有开始（参考日期 {day.isoformat()}）。"
                   "要统计到某一天，请用 --as-of 指定日期。", err=True)
        sys.exit(1)
    shown = view(data, audience)
    doc = annual_document(shown, year_report(shown, facts, y), internal=audience == "internal")
    files = _render(doc, formats, f"annual-{y}", day)
    _write(out_dir, data_dir, ANNUAL_MAKER, dict(files))
    label = "内部版，含不公开信息，请勿外传" if audience == "internal" else "公开版"
    state = "" if y < day.year else f"；{y} 年尚未结束，统计截至 {day.isoformat()}"
    click.echo(f"{y} 年度工作报告（{label}{state}）已写入 {out_dir}", err=True)


def report_documents(data_dir: str, as_of: str | None, audience: Audience,
                     formats: tuple[str, ...], out_dir: str | None) -> None:
    """``showcase report --format …``: the current state as documents."""
    from ..base.outputs import guard
    from ..paper.statusreport import status_document

    target_dir = out_dir or "build/report"
    with failures_exit():
        guard(target_dir, data_dir=data_dir, project_root=project_root(data_dir),
              made_by=REPORT_MAKER)
    data = load_or_exit(data_dir)
    day = reference_date(as_of)
    facts = derive(data, day)
    doc = status_document(view(data, audience), facts, internal=audience == "internal")
    files = _render(doc, formats, f"report-{day.isoformat()}", day)
    _write(target_dir, data_dir, REPORT_MAKER, dict(files))


# `report` lives here, beside its documents, so that main.py never imports this module.
@main.command()
@data_option
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象")
@click.option("--format", "formats", metavar="pdf,docx",
              help="写成文档而不在终端显示：pdf、docx 或 pdf,docx")
@click.option("--out", "out_dir", metavar="目录", help="与 --format 一起用：输出目录（默认 build/report）")
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public",
              show_default=True, help="与 --format 一起用：public 公开版；internal 内部版（含电话等）")
def report(data_dir: str, as_of: str | None, as_json: bool, formats: str | None,
           out_dir: str | None, audience: Audience) -> None:
    """年度规划进度、生命周期统计、考评逾期和区县职责（--format 写成 PDF、Word 文档）。"""
    if formats is not None or out_dir is not None:
        chosen = parse_formats(click.get_current_context(), None, formats or "pdf,docx")  # type: ignore[arg-type]
        assert chosen is not None
        report_documents(data_dir, as_of, audience, chosen, out_dir)
        return
    from ..rules.yearreport import years_json

    data = load_or_exit(data_dir)
    facts = derive(data, reference_date(as_of))
    if as_json:
        # One source for every year's numbers: the year reports (rules/yearreport.py).
        click.echo(json.dumps({**report_json(facts), "years": years_json(data, facts)},
                              ensure_ascii=False, indent=2))
    else:
        print_report(data, facts)
