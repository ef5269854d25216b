"""The ``showcase`` command line: a thin adapter over the core (load → facts → output)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..base.problems import Problem
from ..base.reference import reference_date
from ..data import loader
from ..data.dataset import Dataset
from ..engines.config import Engine
from ..rules.audience import Audience
from . import click_zh

click_zh.install()  # before any command is declared: some help texts are taken right away

DEFAULT_DATA = "sites_data"
# The marker `compile` leaves in its folder (its guard accepts only its own).
COMPILE_MAKER = "showcase compile"


def _utf8_streams() -> None:
    # Windows consoles (cp936) and pipes must never crash on a character; replace instead.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _parse_as_of(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        click.echo(f"error: --as-of 的值“{value}”不是有效日期，请写成 YYYY-MM-DD，例如 2027-01-15。",
                   err=True)
        ctx.exit(2)
    return value


def print_problems(problems: list[Problem], *, err: bool = False, verbose: bool = False) -> None:
    color = sys.stderr.isatty() if err else sys.stdout.isatty()
    for p in problems:
        word = click.style(p.severity.value, fg="red" if p.is_error else "yellow", bold=True) \
            if color else p.severity.value
        click.echo(f"{p.path}:{p.line}:{p.col}: {word}: {p.message}", err=err)
        if verbose and p.detail:
            click.echo("    " + p.detail.replace("\n", "\n    "), err=err)


def summary(problems: list[Problem]) -> str:
    errors = [p for p in problems if p.is_error]
    warnings = len(problems) - len(errors)
    files = len({p.path for p in errors})
    text = f"发现 {len(errors)} 个错误（涉及 {files} 个文件）"
    if warnings:
        text += f"，{warnings} 个提醒"
    return text + "。请按提示逐条修改后再运行 showcase validate。"


def load_or_exit(data_dir: str, *, err: bool = True, joined: bool = True,
                 strict_sources: bool = False) -> Dataset:
    """Load the data — an aggregator's joined with its members' (sources.yml) unless
    ``joined`` is false; on any error print every problem and exit 1."""
    from ..base.problems import ProblemsFound
    from ..engines.pipeline import load_data

    try:
        if joined:
            data = load_data(Path(data_dir), strict_sources=strict_sources)[1]
        else:
            data = loader.load(Path(data_dir))
            if not data.ok:
                raise ProblemsFound(data.problems)
    except ProblemsFound as exc:
        print_problems(exc.problems, err=err)
        click.echo(summary(exc.problems), err=True)
        sys.exit(1)
    if data.problems:
        print_problems(data.problems, err=True)
    return data


def project_root(data_dir: str) -> Path | None:
    """The folder of the project's mkdocs.yml (None when there is none)."""
    from ..engines.pipeline import BuildFailed, find_config

    try:
        return find_config(Path(data_dir)).parent
    except BuildFailed:
        return None


data_option = click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True,
                           metavar="目录",
                           help="数据目录（sites_data）")
as_of_option = click.option("--as-of", "as_of", callback=_parse_as_of, metavar="YYYY-MM-DD",
                            help="参考日期（默认今天，或 SOURCE_DATE_EPOCH 对应的日期）")


class ChineseCommand(click.Command):
    """A command whose usage line says “[选项]” rather than “[OPTIONS]”."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class ChineseGroup(click.Group):
    command_class = ChineseCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


ChineseGroup.group_class = ChineseGroup


@click.group(cls=ChineseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="showcase")
def main() -> None:
    """基层党建示范点展示平台：检查数据、统计进度、生成网站。"""
    _utf8_streams()
    _terminate_cleanly()


def _terminate_cleanly() -> None:
    """SIGTERM (how CI cancels a job and `kill` stops a process) ends a command the way
    Ctrl+C does: every ``finally`` runs, so staging folders go and forked workers stop."""

    def stop(signum: int, _frame: object) -> None:
        signal.signal(signum, signal.SIG_DFL)  # a second SIGTERM ends it at once
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


strict_sources_option = click.option(
    "--strict-sources", is_flag=True,
    help="汇总平台：成员数据没有通过检查时报错（默认改用它上一次通过检查的数据）")


@main.command()
@data_option
@strict_sources_option
@click.option("-v", "--verbose", is_flag=True, help="程序内部错误时显示详细信息（供技术人员排查）")
def validate(data_dir: str, strict_sources: bool, verbose: bool) -> None:
    """检查全部数据；逐条列出问题（文件:行:列），有错误时退出码为 1。汇总平台同时检查各成员的数据。"""
    from ..base.problems import ProblemsFound
    from ..engines.pipeline import load_data

    data = loader.load(Path(data_dir))
    if data.ok and data.members is not None:
        try:
            data = load_data(Path(data_dir), strict_sources=strict_sources)[1]
        except ProblemsFound as exc:
            data = Dataset(root=data.root, problems=exc.problems)
    print_problems(data.problems, verbose=verbose)
    if not data.ok:
        click.echo(summary(data.problems))
        sys.exit(1)
    members = f"（含 {len(data.federation.commits)} 个成员平台）" if data.federation else ""
    click.echo(
        f"检查通过{members}：{len(data.sites)} 个示范点（创建单位）、{len(data.experiences)} 篇典型经验、"
        f"{len(data.plans)} 份年度规划、{len(data.compilations)} 份经验汇编。")


@main.command()
@data_option
@click.option("--out", "out_dir", default="schemas", show_default=True, metavar="目录",
              help="输出目录")
def schema(data_dir: str, out_dir: str) -> None:
    """为编辑器（VS Code 的 YAML 插件）生成记录的 JSON Schema。"""
    from ..base.outputs import guard
    from ..staff.editorschema import MAKER, write_schemas

    with failures_exit():
        target = guard(out_dir, data_dir=data_dir, project_root=project_root(data_dir),
                       made_by=MAKER)
        data = loader.load(Path(data_dir)) if Path(data_dir).is_dir() else None
        taxonomy = data.taxonomy if data is not None else None
        site_ids = sorted(data.sites) if data is not None else None
        written = write_schemas(target, taxonomy, site_ids)
    for path in written:
        click.echo(str(Path(out_dir) / path.name))


audience_option = click.option("--audience", type=click.Choice(["public", "internal"]),
                               default="public", show_default=True,
                               help="public 公开版；internal 内部版（含不公开字段和管理视图）")


@contextlib.contextmanager
def failures_exit(note: str = "") -> Iterator[None]:
    """Turn the core's failures into their Chinese report and exit status 1."""
    from ..base.outputs import OutputFailed, UnsafeOutput
    from ..base.problems import ProblemsFound
    from ..engines.pipeline import BuildFailed

    try:
        yield
    except ProblemsFound as exc:
        print_problems(exc.problems, err=True)
        click.echo(summary(exc.problems) + note, err=True)
        sys.exit(1)
    except UnsafeOutput as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except (BuildFailed, OutputFailed) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


engine_option = click.option(
    "--engine", type=click.Choice(["mkdocs", "properdocs", "zensical"]), default="mkdocs",
    show_default=True, help="把页面排成网站的工具：mkdocs（默认）、properdocs 或 zensical")


@main.command()
@data_option
@audience_option
@click.option("--out", "out_dir", default="site", show_default=True, metavar="目录",
              help="输出目录（成功后整体替换）")
@as_of_option
@click.option("--no-pdf", is_flag=True, help="不生成经验汇编 PDF")
@engine_option
@strict_sources_option
@click.option("--no-cache", is_flag=True,
              help="不使用也不更新页面缓存（.cache/pages），全部页面重新排版")
@click.option("-v", "--verbose", is_flag=True, help="显示排版工具（MkDocs 等）的详细输出")
def build(data_dir: str, audience: Audience, out_dir: str, as_of: str | None, no_pdf: bool,
          engine: Engine, strict_sources: bool, no_cache: bool, verbose: bool) -> None:
    """检查数据并生成整个网站（含 PDF）；出错时不改动输出目录。"""
    from ..engines import logs
    from ..engines.pipeline import BuildSettings, build_site, find_config

    logs.configure(verbose)
    with failures_exit(f" {out_dir} 未改动。"):
        result = build_site(BuildSettings(
            config_file=find_config(Path(data_dir)), data_dir=Path(data_dir), out=Path(out_dir),
            audience=audience, as_of=reference_date(as_of), pdf=not no_pdf, engine=engine,
            verbose=verbose, strict_sources=strict_sources, cache=not no_cache))
    print_problems(result.problems, err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for note in result.notes:
        click.echo(f"提示：{note}", err=True)
    label = "内部版" if audience == "internal" else "公开版"
    click.echo(f"网站（{label}）已生成：{out_dir}")


@main.command()
@data_option
@audience_option
@click.option("--out", "out_dir", default="build/project", show_default=True, metavar="目录",
              help="输出目录")
@as_of_option
@engine_option
def generate(data_dir: str, audience: Audience, out_dir: str, as_of: str | None,
             engine: Engine) -> None:
    """写出可直接发布的项目（mkdocs.yml、docs/ 中的全部页面、theme/），可用 mkdocs、properdocs 或 zensical 发布。"""
    from ..engines.pipeline import find_config, write_tree

    with failures_exit(f" {out_dir} 未改动。"):
        changed, unchanged = write_tree(
            Path(data_dir), find_config(Path(data_dir)), Path(out_dir), audience=audience,
            as_of=reference_date(as_of), engine=engine)
    command = {"mkdocs": "mkdocs build", "properdocs": "properdocs build",
               "zensical": "zensical build"}[engine]
    click.echo(f"已写出 {out_dir}（{changed} 个文件有变化，{unchanged} 个未变）。"
               f"发布：cd {out_dir} && {command}（搜索索引和 PDF 由 showcase build 制作）")


@main.command()
@data_option
@audience_option
@as_of_option
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="地址:端口",
              help="预览地址（默认只有本机能打开）")
@click.option("--allow-network", is_flag=True,
              help="允许 --dev-addr 使用本机以外的地址（局域网中的其他电脑也能打开预览；内部版不允许）")
@click.option("-v", "--verbose", is_flag=True, help="显示 MkDocs 的详细输出")
def serve(data_dir: str, audience: Audience, as_of: str | None, dev_addr: str,
          allow_network: bool, verbose: bool) -> None:
    """本地预览；修改数据后浏览器自动刷新。数据有错误时预览显示错误清单，可在网页编辑器中改正。"""
    from ..engines import logs
    from ..engines.serve import serve as run

    logs.configure(verbose)
    with failures_exit():
        run(Path(data_dir), audience=audience, as_of=reference_date(as_of), dev_addr=dev_addr,
            allow_network=allow_network, say=lambda text: click.echo(text))


@main.command(name="compile")
@click.argument("ids", nargs=-1, metavar="[汇编ID]...")
@data_option
@click.option("--out", "out_dir", default="build/compilations", show_default=True, metavar="目录",
              help="PDF 输出目录")
@audience_option
def compile_(ids: tuple[str, ...], data_dir: str, out_dir: str, audience: str) -> None:
    """生成经验汇编 PDF（不写 ID 时生成全部），逐个打印写出的文件路径。"""
    import tempfile

    from ..base.outputs import guard, write_into
    from ..pdf.render import CompilationError, compile_results
    from ..rules.audience import view

    with failures_exit():
        target = guard(out_dir, data_dir=data_dir, project_root=project_root(data_dir),
                       made_by=COMPILE_MAKER)
    data = load_or_exit(data_dir)
    unknown = [i for i in ids if i not in data.compilations]
    if unknown:
        known = "、".join(sorted(data.compilations)) or "（没有）"
        click.echo(f"error: 没有这些经验汇编：{'、'.join(unknown)}。现有的经验汇编：{known}。"
                   "ID 是 compilations/ 目录中记录文件的文件名（不含 .yml）。", err=True)
        sys.exit(1)
    if not data.compilations:
        click.echo("没有经验汇编：请在 compilations/ 目录中添加记录。", err=True)
        return
    with tempfile.TemporaryDirectory(prefix="showcase-pdf-") as tmp:
        try:
            results = compile_results(view(data, audience), ids, Path(tmp))  # type: ignore[arg-type]
        except CompilationError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        with failures_exit():
            # Every PDF is made before any is put in place: all of them change, or none.
            write_into(target, {r.path.name: r.path.read_bytes() for r in results},
                       COMPILE_MAKER)
    for result in results:
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(str(Path(out_dir) / result.path.name))


# ---------------------------------------------------------------- staff workflow: new, import, export
# The work is done in staffcommands.py; these functions only declare the options.

@main.group(name="new")
def new() -> None:
    """新建记录：写出带中文说明的示范点或典型经验文件，并打印其路径。"""


@new.command(name="site")
@click.argument("name", required=False, metavar="[名称]")
@click.option("--category", metavar="类别", help="类别：taxonomy.yml 中 categories 的键（或中文名称）")
@click.option("--unit", metavar="单位", help="管理单位：taxonomy.yml 中 units 的键（或中文名称）")
@click.option("--batch", metavar="年份", help="创建批次（年份）")
@click.option("--id", "ident", metavar="ID", help="文件名（id）；默认由名称的拼音生成")
@data_option
def new_site(name: str | None, category: str | None, unit: str | None, batch: str | None,
             ident: str | None, data_dir: str) -> None:
    """新建示范点（创建单位）：showcase new site 名称 --category 类别 --unit 单位 --batch 年份"""
    from .staff import new_site as run

    sys.exit(run(data_dir, name, category, unit, batch, ident))


@new.command(name="experience")
@click.argument("title", required=False, metavar="[标题]")
@click.option("--site", "sites", multiple=True, metavar="示范点", help="相关示范点的 id（或全称、简称），可写多次")
@click.option("--year", metavar="年份", help="年度")
@click.option("--theme", "themes", multiple=True, metavar="主题", help="主题：taxonomy.yml 中 themes 的键，可写多次")
@click.option("--id", "ident", metavar="ID", help="文件名（id）；默认由标题的拼音生成")
@data_option
def new_experience(title: str | None, sites: tuple[str, ...], year: str | None,
                   themes: tuple[str, ...], ident: str | None, data_dir: str) -> None:
    """新建典型经验：showcase new experience 标题 --site 示范点id --year 年度 --theme 主题"""
    from .staff import new_experience as run

    sys.exit(run(data_dir, title, sites, year, themes, ident))


@main.group(name="import")
def import_() -> None:
    """从 Excel 工作簿导入数据。"""


@import_.command(name="evaluations")
@click.argument("file", metavar="文件")
@data_option
@as_of_option
@click.option("--apply", "apply_", is_flag=True, help="写入文件（不加时只预览）")
def import_evaluations(file: str, data_dir: str, as_of: str | None, apply_: bool) -> None:
    """导入考评结果（.xlsx）：先预览每个示范点的变化，加 --apply 才写入。"""
    from .staff import import_evaluations as run

    data = load_or_exit(data_dir, joined=False)  # writes into this folder's own files only
    sys.exit(run(file, data, data_dir, reference_date(as_of), apply_))


@main.command()
@click.argument("file", metavar="文件")
@data_option
@as_of_option
@audience_option
@click.option("--template", is_flag=True, help="改为写出考评结果导入模板")
def export(file: str, data_dir: str, as_of: str | None, audience: str, template: bool) -> None:
    """导出 Excel 统计表（示范点、年度规划进度、区县职责等），或用 --template 导出导入模板。"""
    from ..base.outputs import guard
    from .staff import export as run
    from .staff import export_template

    with failures_exit():
        guard(file, data_dir=data_dir, project_root=project_root(data_dir), kind="file",
              made_by="showcase export")
    if template:
        data = load_or_exit(data_dir) if Path(data_dir).is_dir() else None
        sys.exit(export_template(file, data, reference_date(as_of)))
    sys.exit(run(file, load_or_exit(data_dir), reference_date(as_of), audience))
