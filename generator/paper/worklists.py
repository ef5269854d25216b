"""The worklists (考评工作清单): for each managing unit and each supervisor, the sites to
evaluate or inspect this year — overdue ones first — with status, batch, last result,
address and contacts (phones: internal builds only, where these lists are made)."""

from __future__ import annotations

from ..data.dataset import Dataset
from ..model.lifecycle import STATUS_LABELS
from ..model.records import LEVEL_LABELS, RESULT_LABELS
from ..rules.worklists import Worklist
from ..rules.yearreport import TASK_LABELS, Task, YearReport
from ..site import urls
from .blocks import Block, Contents, Document, Heading, Para, Table
from .words import category_name, cn_date, cn_year_month, contact_text, evaluation_text, section

HEADER = ("序号", "单位名称及地址", "类别、批次、级别", "考评事项", "上次考评", "完成情况", "联系人及电话")
WIDTHS = (0.6, 3.8, 1.7, 1.2, 1.9, 1.9, 3.4)


def task_state(t: Task, report: YearReport) -> str:
    """完成情况 of a row: done (with the result), overdue since …, or planned for a day."""
    if t.done is not None:
        day = f"（{cn_date(t.done.date)}）" if t.done.date else ""
        return f"已考评：{RESULT_LABELS[t.done.result]}{day}"
    if t.due_year < report.year:
        return f"逾期：应于{t.due_year}年考评"
    return f"待考评：计划{cn_date(report.evaluation_day)}"


def row(data: Dataset, t: Task, number: int, report: YearReport) -> tuple[str, ...]:
    site = data.sites[t.site]
    address = site.location.address if site.location and site.location.address else "地址未填写"
    before = [e for e in site.evaluations if e.year < t.year]
    last = max(before, key=lambda e: e.year) if before else None
    status = STATUS_LABELS["candidate" if t.kind == "first" else
                           "demonstration" if t.kind == "second" else "improving"]
    c = site.contacts
    contacts = "\n".join((
        contact_text("联系领导", c.leader if c else None, internal=True, title=False),
        contact_text("督查指导员", c.supervisor if c else None, internal=True, title=False),
        contact_text("联络员", c.liaison if c else None, internal=True, title=False)))
    return (str(number), f"{site.name}\n{address}",
            f"{category_name(data, site.category)}\n{site.batch}年批次\n{LEVEL_LABELS[site.level]}，{status}",
            TASK_LABELS[t.kind], evaluation_text(last, internal=True), task_state(t, report), contacts)


def groups(wl: Worklist, report: YearReport) -> list[tuple[str, list[Task]]]:
    """The list's rows in three parts: overdue, still to do this year, done this year."""
    overdue = [t for t in wl.tasks if t.open and t.due_year < report.year]
    todo = [t for t in wl.tasks if t.open and t.due_year >= report.year]
    done = [t for t in wl.tasks if t.done is not None]
    return [("往年逾期未考评", overdue), ("本年度待考评", todo), ("本年度已考评", done)]


def worklist_document(data: Dataset, wl: Worklist, report: YearReport) -> Document:
    assert data.program is not None
    y = report.year
    who = wl.label if wl.kind == "unit" else f"督查指导员{wl.label}"
    kinds = {k: sum(1 for t in wl.tasks if t.kind == k) for k in TASK_LABELS}
    parts = [f"{TASK_LABELS[k]}{n}个" for k, n in kinds.items() if n]
    overdue = sum(1 for t in wl.tasks if t.open and t.due_year < y)
    done = sum(1 for t in wl.tasks if t.done is not None)
    if wl.tasks:
        lead = (f"{who}{y}年应考评（年检）的单位共{len(wl.tasks)}个：{'、'.join(parts)}；"
                f"其中往年逾期{overdue}个，截至{cn_date(report.as_of)}已考评{done}个，"
                f"尚有{len(wl.tasks) - done}个待考评。")
    else:
        lead = f"{who}{y}年没有应考评（年检）的单位。"
    blocks: list[Block] = [Para(lead), Contents(new_page=False)]
    number = 0
    for n, (title, tasks) in enumerate(groups(wl, report), start=1):
        blocks.append(Heading(1, f"{section(n)}{title}（{len(tasks)}个）"))
        if not tasks:
            blocks.append(Para("无。"))
            continue
        rows = []
        for t in tasks:
            number += 1
            rows.append(row(data, t, number, report))
        blocks.append(Table(f"{title}的单位", HEADER, tuple(rows), WIDTHS, small=True))
    blocks.append(Para(
        f"本清单中的每一项也是内部日历 {urls.calendar_file(wl.name)} 中的一个全天日程"
        f"（待考评的排在{cn_date(report.evaluation_day)}），可订阅到手机、Outlook 或 WPS 日历，"
        "方法见内部网站的“日历订阅”页。", "note"))
    return Document(
        title=f"{y}年度考评工作清单",
        subtitle=wl.label if wl.kind == "unit" else f"督查指导员：{wl.label}",
        organizer=data.program.organizer,
        date_line=f"截至{cn_date(report.as_of)}　{cn_year_month(report.as_of)}",
        blocks=tuple(blocks),
        internal=True,
        sample=data.program.sample,
        keywords=("考评工作清单", str(y), wl.label),
    )
