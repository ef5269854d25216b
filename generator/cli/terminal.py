"""Terminal tables for ``showcase report`` (colour on a terminal, plain text when piped)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from ..data.dataset import Dataset
from ..model.lifecycle import STATUS_LABELS
from ..rules.facts import Facts
from ..rules.progress import Quota


def _pct(q: Quota) -> str:
    return "—" if q.ratio is None else f"{q.ratio:.0%}"


def _target(q: Quota) -> str:
    return "—" if q.target is None else str(q.target)


def print_report(data: Dataset, facts: Facts, console: Console | None = None) -> None:
    assert data.taxonomy is not None and data.program is not None
    con = console or Console(highlight=False, soft_wrap=False)
    tax = data.taxonomy
    con.print(f"[bold]{data.program.name}[/bold]　参考日期 {facts.as_of.isoformat()}")

    counts = Table(title="生命周期", box=box.SIMPLE_HEAVY, title_justify="left")
    counts.add_column("状态")
    counts.add_column("数量", justify="right")
    for status, n in facts.status_counts.items():
        counts.add_row(STATUS_LABELS[status], str(n))
    counts.add_row("[bold]合计[/bold]", f"[bold]{len(facts.states)}[/bold]")
    con.print(counts)

    for year, p in facts.plans.items():
        t = Table(title=f"{year} 年度规划进度", box=box.SIMPLE_HEAVY, title_justify="left")
        for col, just in (("指标", "left"), ("目标", "right"), ("实际", "right"),
                          ("完成率", "right")):
            t.add_column(col, justify=just)  # type: ignore[arg-type]
        t.add_row("创建单位", _target(p.candidates), str(p.candidates.actual), _pct(p.candidates))
        t.add_row("示范点", _target(p.demonstrations), str(p.demonstrations.actual),
                  _pct(p.demonstrations))
        for key, q in p.by_category.items():
            t.add_row(f"　{tax.categories[key].name}", _target(q), str(q.actual), _pct(q))
        con.print(t)

    overdue = Table(title=f"考评逾期（{len(facts.overdue)}）", box=box.SIMPLE_HEAVY,
                    title_justify="left")
    for col in ("id", "名称", "状态", "应考评年度", "管理单位"):
        overdue.add_column(col)
    for ident in facts.overdue:
        site, state = data.sites[ident], facts.states[ident]
        overdue.add_row(ident, site.display_name, state.label, str(state.due_year),
                        tax.units[site.unit].name)
    con.print(overdue)

    for year, units in facts.duties.items():
        if year > facts.as_of.year:
            continue
        t = Table(title=f"{year} 年区县职责（至少 2 个示范点通过首次考评或 1 篇典型经验）",
                  box=box.SIMPLE_HEAVY, title_justify="left")
        for col, just in (("管理单位", "left"), ("首次考评通过", "right"),
                          ("典型经验", "right"), ("完成", "center")):
            t.add_column(col, justify=just)  # type: ignore[arg-type]
        for key, duty in units.items():
            if duty.met:
                mark = "[green]✓ 完成[/green]"
            elif year == facts.as_of.year:
                mark = "[yellow]… 年度进行中[/yellow]"
            else:
                mark = "[red]✗ 未完成[/red]"
            t.add_row(tax.units[key].name, str(duty.first_passes), str(duty.experiences), mark)
        con.print(t)
