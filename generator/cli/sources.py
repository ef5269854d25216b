"""``showcase sources fetch`` and ``showcase sources update``: an aggregating programme's
members (sources.yml) brought into the cache, and their pins moved to their newest commits
with a summary of what changed, for review as one commit."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..base.outputs import OutputFailed, replace_file
from ..data import loader
from ..data.dataset import Dataset
from ..data.sources import KIND_NAMES, Moved, SourcesFailed, fetch_all, update
from .main import ChineseGroup, data_option, main, print_problems, project_root, summary


def _aggregator(data_dir: str) -> tuple[Dataset, Path]:
    data = loader.load(Path(data_dir))
    if not data.ok:
        print_problems(data.problems, err=True)
        click.echo(summary(data.problems), err=True)
        sys.exit(1)
    if data.members is None:
        click.echo(f"error: {data_dir} 中没有 sources.yml：只有汇总多个平台（区县、市）的平台才需要它，"
                   "写法见编辑指南“汇总多个平台（技术人员）”（content/guide/tech/federation.md）。", err=True)
        sys.exit(1)
    root = project_root(data_dir) or Path(data_dir).resolve().parent
    return data, root / ".cache" / "sources"


@main.group(cls=ChineseGroup)
def sources() -> None:
    """汇总平台的成员数据：取得（fetch）和更新固定的提交（update）。"""


@sources.command()
@data_option
def fetch(data_dir: str) -> None:
    """把 sources.yml 中固定的各成员提交取到本机缓存（.cache/sources/），之后生成网站不再需要网络。"""
    data, cache = _aggregator(data_dir)
    assert data.members is not None
    failed = fetch_all(data.members.members, cache)
    for _member, why in failed:
        click.echo(f"error: {why}", err=True)
    fetched = len(data.members.members) - len(failed)
    click.echo(f"已取得 {fetched} 个成员的数据（缓存：{cache}）。")
    if failed:
        sys.exit(1)


def _describe(m: Moved) -> list[str]:
    if m.unchanged:
        return [f"{m.member.name}（{m.member.key}）：没有新的提交（{m.old[:7]}）。"]
    warn = "" if m.valid else "（注意：新提交没有通过该成员自己的检查，生成网站时会继续使用上一次通过检查的数据）"
    lines = [f"{m.member.name}（{m.member.key}）：{m.old[:7]} → {m.new[:7]}{warn}"]
    for label, changes in (("新增", m.added), ("删除", m.removed), ("修改", m.changed)):
        for kind, ids in changes.items():
            shown = "、".join(ids[:12]) + (f" 等 {len(ids)} 条" if len(ids) > 12 else "")
            lines.append(f"  {label}{KIND_NAMES[kind]} {len(ids)}：{shown}")
    for name in m.settings:
        lines.append(f"  修改 {name}")
    if not (m.added or m.removed or m.changed or m.settings):
        lines.append("  记录没有变化（只有格式、注释或其他文件变了）")
    return lines


@sources.command(name="update")
@click.argument("keys", nargs=-1, metavar="[成员标识]...")
@click.option("--branch", metavar="分支",
              help="从这个分支取最新提交（默认用 sources.yml 中各成员的 branch，或仓库的默认分支）")
@data_option
def update_(keys: tuple[str, ...], branch: str | None, data_dir: str) -> None:
    """把成员固定的提交移到其分支的最新提交，列出每个成员新增、删除、修改的记录，并改写 sources.yml。"""
    data, cache = _aggregator(data_dir)
    assert data.members is not None
    known = [m.key for m in data.members.members]
    unknown = [k for k in keys if k not in known]
    if unknown:
        click.echo(f"error: sources.yml 中没有这些成员：{'、'.join(unknown)}。现有的成员：{'、'.join(known)}。",
                   err=True)
        sys.exit(1)
    try:
        moved, text = update(data, cache, keys, branch)
    except SourcesFailed as exc:
        click.echo(f"error: {exc} sources.yml 没有改动。", err=True)
        sys.exit(1)
    for m in moved:
        for line in _describe(m):
            click.echo(line)
    if text is None:
        click.echo("sources.yml 没有改动。")
        return
    try:
        replace_file(data.root / "sources.yml", text)
    except OutputFailed as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo("已改写 sources.yml。请检查上面的变化，把 sources.yml 作为一次提交送审"
               "（在网页编辑器中“保存到版本库”，或用 git 提交）。")
