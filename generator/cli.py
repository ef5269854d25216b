"""The ``showcase`` command line: a thin adapter over the core (load → facts → output)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from . import dataset as dataset_mod
from .dataset import Dataset
from .facts import derive, report_json
from .problems import Problem
from .reference import reference_date
from .terminal import print_report

DEFAULT_DATA = "sites_data"


def _utf8_streams() -> None:
    # Windows consoles (cp936) and pipes must never crash on a character; replace instead.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _parse_as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是日期，请写成 YYYY-MM-DD，例如 2027-01-15。") from None
    return value


def print_problems(problems: list[Problem], *, err: bool = False) -> None:
    color = sys.stderr.isatty() if err else sys.stdout.isatty()
    for p in problems:
        word = click.style(p.severity.value, fg="red" if p.is_error else "yellow", bold=True) \
            if color else p.severity.value
        click.echo(f"{p.path}:{p.line}:{p.col}: {word}: {p.message}", err=err)


def summary(problems: list[Problem]) -> str:
    errors = [p for p in problems if p.is_error]
    warnings = len(problems) - len(errors)
    files = len({p.path for p in errors})
    text = f"发现 {len(errors)} 个错误（涉及 {files} 个文件）"
    if warnings:
        text += f"，{warnings} 个提醒"
    return text + "。请按提示逐条修改后再运行 showcase validate。"


def load_or_exit(data_dir: str, *, err: bool = True) -> Dataset:
    """Load the data; on any error print every problem and exit 1."""
    data = dataset_mod.load(Path(data_dir))
    if not data.ok:
        print_problems(data.problems, err=err)
        click.echo(summary(data.problems), err=True)
        sys.exit(1)
    if data.problems:
        print_problems(data.problems, err=True)
    return data


data_option = click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True,
                           type=click.Path(file_okay=False), help="数据目录（sites_data）")
as_of_option = click.option("--as-of", "as_of", callback=_parse_as_of, metavar="YYYY-MM-DD",
                            help="参考日期（默认今天，或 SOURCE_DATE_EPOCH 对应的日期）")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="showcase")
def main() -> None:
    """基层党建示范点展示平台：检查数据、统计进度、生成网站。"""
    _utf8_streams()


@main.command()
@data_option
def validate(data_dir: str) -> None:
    """检查全部数据；逐条列出问题（文件:行:列），有错误时退出码为 1。"""
    data = dataset_mod.load(Path(data_dir))
    print_problems(data.problems)
    if not data.ok:
        click.echo(summary(data.problems))
        sys.exit(1)
    click.echo(
        f"检查通过：{len(data.sites)} 个示范点（创建单位）、{len(data.experiences)} 篇典型经验、"
        f"{len(data.plans)} 份年度规划、{len(data.compilations)} 份经验汇编。")


@main.command()
@data_option
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象")
def report(data_dir: str, as_of: str | None, as_json: bool) -> None:
    """年度规划进度、生命周期统计、考评逾期和区县职责。"""
    data = load_or_exit(data_dir)
    facts = derive(data, reference_date(as_of))
    if as_json:
        click.echo(json.dumps(report_json(facts), ensure_ascii=False, indent=2))
    else:
        print_report(data, facts)


@main.command()
@data_option
@click.option("--out", "out_dir", default="schemas", show_default=True,
              type=click.Path(file_okay=False), help="输出目录")
def schema(data_dir: str, out_dir: str) -> None:
    """为编辑器（VS Code 的 YAML 插件）生成记录的 JSON Schema。"""
    from .editorschema import write_schemas

    data = dataset_mod.load(Path(data_dir)) if Path(data_dir).is_dir() else None
    taxonomy = data.taxonomy if data is not None else None
    site_ids = sorted(data.sites) if data is not None else None
    for path in write_schemas(Path(out_dir), taxonomy, site_ids):
        click.echo(str(path))
