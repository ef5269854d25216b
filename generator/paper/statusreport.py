"""``showcase report --format pdf,docx``: the terminal report as a document — lifecycle
counts, every plan's progress, the sites overdue now and the districts' duties — from the
same facts and year reports as the terminal tables, the home page and the annual report."""

from __future__ import annotations

from urllib.parse import urljoin

from ..data.dataset import Dataset
from ..model.lifecycle import STATUS_LABELS
from ..rules.facts import Facts
from ..rules.yearreport import year_report
from ..site import charts, urls
from .annual import duty_reason, title_text
from .blocks import Block, Chart, Contents, Document, Heading, PageLink, Para, Table
from .words import (
    category_name,
    cn_date,
    cn_year_month,
    contact_text,
    evaluation_text,
    section,
    share,
    subsection,
    unit_name,
)


def _plan_blocks(data: Dataset, facts: Facts, year: int, n: int) -> list[Block]:
    p = facts.plans[year]
    cand, demo = p.candidates, p.demonstrations
    text = (f"{year}年计划创建单位{cand.target if cand.target is not None else '（未定）'}个，"
            f"已确定{cand.actual}个（{share(cand.actual, cand.target)}）；"
            f"计划示范点{demo.target if demo.target is not None else '（未定）'}个，"
            f"已有{demo.actual}个通过首次考评（{share(demo.actual, demo.target)}）。")
    rows = tuple((category_name(data, k), "—" if q.target is None else str(q.target), str(q.actual),
                  share(q.actual, q.target), str(p.demonstrations_by_category[k]))
                 for k, q in p.by_category.items())
    blocks: list[Block] = [
        Heading(2, f"{subsection(n)}{year}年度规划"), Para(text),
        Table(f"{year}年分类别目标与完成情况", ("类别", "目标", "创建单位", "完成率", "其中示范点"), rows,
              (3, 1.5, 1.8, 1.6, 1.8), (False, True, True, True, True),
              ("合计", "—" if cand.target is None else str(cand.target), str(cand.actual),
               share(cand.actual, cand.target), str(demo.actual)))]
    bars = [charts.BarRow(category_name(data, k), q.target, q.actual, p.demonstrations_by_category[k])
            for k, q in p.by_category.items() if q.target is not None or q.actual]
    if bars:
        blocks.append(Chart(charts.quota_bars(bars, title=f"{year}年分类别创建单位：目标与实际",
                                              actual_label="创建单位"),
                            f"{year}年分类别创建单位：目标（浅色）、实际（红色）、其中示范点（深色）"))
    return blocks


def status_document(data: Dataset, facts: Facts, *, internal: bool) -> Document:
    """The current state on the reference date, from ``data`` (the audience's view)."""
    assert data.program is not None
    program = data.program
    as_of = facts.as_of
    counts = facts.status_counts
    total = len(facts.states)
    blocks: list[Block] = [
        Para(f"截至{cn_date(as_of)}，平台共记录创建单位{total}个：示范点{counts['demonstration']}个，"
             f"进入提高阶段{counts['improving']}个，仍在创建的{counts['candidate']}个，"
             f"未入选{counts['not_selected']}个，淘汰{counts['eliminated']}个，已退出{counts['withdrawn']}个；"
             f"考评逾期{len(facts.overdue)}个。"),
        Contents(),
        Heading(1, f"{section(1)}生命周期统计"),
        Table("各状态的单位数", ("状态", "数量"),
              tuple((STATUS_LABELS[s], str(n)) for s, n in counts.items()), (4, 2), (False, True),
              ("合计", str(total))),
        Heading(1, f"{section(2)}年度规划进度"),
    ]
    if facts.plans:
        for n, year in enumerate(facts.plans, start=1):
            blocks += _plan_blocks(data, facts, year, n)
    else:
        blocks.append(Para("还没有年度规划。"))
    blocks.append(Heading(1, f"{section(3)}考评逾期"))
    if facts.overdue:
        blocks.append(Para(f"截至{cn_date(as_of)}，{len(facts.overdue)}个单位过了应考评年度仍未考评。"))
        header: tuple[str, ...] = ("单位", "管理单位", "状态", "应考评年度", "上次考评")
        widths: tuple[float, ...] = (3.2, 2.6, 1.6, 1.6, 2.0)
        if internal:
            header += ("督查指导员、联络员",)
            widths = (2.6, 2.2, 1.4, 1.4, 1.8, 4.2)
        rows = []
        for ident in facts.overdue:
            site, state = data.sites[ident], facts.states[ident]
            row: tuple[str, ...] = (site.display_name, unit_name(data, site.unit), state.label,
                                    str(state.due_year), evaluation_text(state.last_evaluation,
                                                                         internal=internal))
            if internal:
                c = site.contacts
                row += ("\n".join((contact_text("督查指导员", c.supervisor if c else None, internal=True),
                                   contact_text("联络员", c.liaison if c else None, internal=True))),)
            rows.append(row)
        blocks.append(Table("考评逾期的单位", header, tuple(rows), widths, small=internal))
    else:
        blocks.append(Para("没有考评逾期的单位。"))
    blocks.append(Heading(1, f"{section(4)}区县职责"))
    years = [y for y in facts.duties if y <= as_of.year]
    for n, year in enumerate(reversed(years), start=1):
        duties = year_report(data, facts, year).duties
        ongoing = year == as_of.year
        met = sum(1 for d in duties.values() if d.met)
        blocks.append(Heading(2, f"{subsection(n)}{year}年"))
        blocks.append(Para(f"{len(duties)}个区县（市）委组织部中，{met}个完成{year}年度职责"
                           + ("（年度进行中）。" if ongoing else "。")))
        rows2 = tuple((unit_name(data, u), str(d.first_passes), str(d.experiences),
                       "完成" if d.met else ("尚未完成" if ongoing else "未完成"), duty_reason(d))
                      for u, d in duties.items())
        if rows2:
            blocks.append(Table(f"{year}年区县职责", ("管理单位", "首次考评合格", "典型经验", "完成情况", "说明"),
                                rows2, (2.8, 1.6, 1.4, 1.4, 4.6), (False, True, True, True, False)))
    if program.site_url:
        blocks.append(PageLink(urljoin(program.site_url, urls.HOME) or program.site_url))
    return Document(
        title=title_text(f"{program.name}工作统计"),
        subtitle="（内部版　注意保密）" if internal else "",
        organizer=program.organizer,
        date_line=f"统计截至{cn_date(as_of)}　{cn_year_month(as_of)}",
        blocks=tuple(blocks),
        internal=internal,
        sample=program.sample,
        keywords=("基层党建示范点", "工作统计"),
    )
