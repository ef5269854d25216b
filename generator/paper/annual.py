"""The annual report (年度工作报告) of one year: every section a sentence in plain Chinese
made from the year's numbers (:mod:`rules.yearreport`), its table, and the site's chart of
the plan. Made from the audience's view: the public report cannot hold a private value;
the internal one adds scores, evaluators' remarks, 以奖代投 and the contacts' phones."""

from __future__ import annotations

from urllib.parse import urljoin

from ..data.dataset import Dataset
from ..model.lifecycle import STATUS_LABELS
from ..model.records import PROMOTED_LABELS, RESULT_LABELS
from ..pdf.render import title_lines
from ..rules.duties import EXPERIENCES_NEEDED, FIRST_PASSES_NEEDED, Duty, experience_unit
from ..rules.yearreport import OUTCOME_LABELS, TASK_LABELS, Task, YearReport
from ..site import charts, urls
from .blocks import Block, Chart, Contents, Document, Heading, PageLink, Para, Table
from .words import (
    amount,
    category_name,
    cn_date,
    cn_year_month,
    contact_text,
    evaluation_text,
    listing,
    section,
    share,
    site_name,
    unit_name,
)

# What a site was while its task was open: the status that owes that evaluation.
TASK_STATUS = {"first": STATUS_LABELS["candidate"], "second": STATUS_LABELS["demonstration"],
               "inspection": STATUS_LABELS["improving"]}
PROMOTED_NONE = "未推广"


def _plan_section(data: Dataset, r: YearReport) -> list[Block]:
    y = r.year
    p = r.plan
    blocks: list[Block] = []
    cats = list(data.taxonomy.categories) if data.taxonomy else []
    if p is None:
        actual = {c: len(r.new_units_by_category().get(c, [])) for c in cats}
        blocks.append(Para(f"{y}年没有年度规划，不设目标任务；本年度确定创建单位{r.new_unit_count}个。"))
        plain = tuple((category_name(data, c), "—", str(n), "—", "—") for c, n in actual.items())
        blocks.append(Table(f"表1　{y}年分类别创建单位", ("类别", "目标", "创建单位", "完成率", "其中示范点"),
                            plain, (3, 1.5, 1.8, 1.6, 1.8), (False, True, True, True, True),
                            ("合计", "—", str(r.new_unit_count), "—", "—")))
        return blocks
    cand, demo = p.candidates, p.demonstrations
    first = (f"{y}年计划确定创建单位{cand.target}个" if cand.target is not None
             else f"{y}年规划未定创建单位总数")
    first += (f"、评选示范点{demo.target}个左右；" if demo.target is not None else "；")
    first += f"实际确定创建单位{cand.actual}个"
    first += f"，完成计划的{share(cand.actual, cand.target)}" if cand.target else ""
    first += f"；其中{demo.actual}个通过首次考评成为示范点"
    first += f"，为目标的{share(demo.actual, demo.target)}。" if demo.target else "。"
    reached = [category_name(data, k) for k, q in p.by_category.items()
               if q.target is not None and q.actual >= q.target]
    short = [f"{category_name(data, k)}差{q.target - q.actual}个" for k, q in p.by_category.items()
             if q.target is not None and q.actual < q.target]
    if reached or short:
        first += "分类别看，"
        if reached:
            first += f"{listing(reached)}达到或超过目标"
        if short:
            first += ("；" if reached else "") + f"{listing(short)}"
        first += "。"
    blocks.append(Para(first))
    rows = []
    for key in cats:
        q = p.by_category[key]
        rows.append((category_name(data, key), "—" if q.target is None else str(q.target),
                     str(q.actual), share(q.actual, q.target),
                     str(p.demonstrations_by_category[key])))
    blocks.append(Table(
        f"表1　{y}年分类别目标与完成情况", ("类别", "目标", "创建单位", "完成率", "其中示范点"),
        tuple(rows), (3, 1.5, 1.8, 1.6, 1.8), (False, True, True, True, True),
        ("合计", "—" if cand.target is None else str(cand.target), str(cand.actual),
         share(cand.actual, cand.target), str(demo.actual))))
    bars = [charts.BarRow(category_name(data, k), p.by_category[k].target, p.by_category[k].actual,
                          p.demonstrations_by_category[k])
            for k in cats if p.by_category[k].target is not None or p.by_category[k].actual]
    if bars:
        blocks.append(Chart(charts.quota_bars(bars, title=f"{y}年分类别创建单位：目标与实际",
                                              actual_label="创建单位"),
                            f"图1　{y}年分类别创建单位：目标（浅色）、实际（红色）、其中示范点（深色）"))
    return blocks


def _new_units_section(data: Dataset, r: YearReport) -> list[Block]:
    y = r.year
    if not r.new_units:
        return [Para(f"{y}年没有新确定的创建单位。")]
    by_unit = [(unit, sum(len(ids) for ids in cats.values())) for unit, cats in r.new_units.items()]
    text = (f"{y}年新确定创建单位{r.new_unit_count}个，分布在{len(by_unit)}个管理单位："
            + "、".join(f"{unit_name(data, u)}{n}个" for u, n in by_unit) + "。")
    cats = [c for c in (data.taxonomy.categories if data.taxonomy else {})
            if any(c in unit_cats for unit_cats in r.new_units.values())]
    rows = []
    for unit, unit_cats in r.new_units.items():
        rows.append((unit_name(data, unit), *(str(len(unit_cats.get(c, []))) for c in cats),
                     str(sum(len(ids) for ids in unit_cats.values()))))
    totals = r.new_units_by_category()
    footer = ("合计", *(str(len(totals.get(c, []))) for c in cats), str(r.new_unit_count))
    header = ("管理单位", *(category_name(data, c) for c in cats), "合计")
    widths = (3.2, *(1.2 for _ in cats), 1.1)
    names = [site_name(data, i) for cats_ in r.new_units.values() for ids in cats_.values()
             for i in ids]
    return [Para(text),
            Table(f"表2　{y}年新确定的创建单位（按管理单位和类别）", header, tuple(rows), widths,
                  (False, *(True for _ in cats), True), footer),
            Para(f"名单：{listing(names, limit=60)}。", "note")]


def _outcomes_section(data: Dataset, r: YearReport, internal: bool) -> list[Block]:
    y = r.year
    c = r.outcome_counts
    if not r.outcomes:
        return [Para(f"{y}年没有考评记录。")]
    firsts = c["demonstration"] + c["not_selected"]
    seconds = sum(1 for o in r.outcomes if o.number == 2)
    inspections = sum(1 for o in r.outcomes if o.number >= 3)
    parts = []
    if firsts:
        parts.append(f"首次考评{firsts}个，其中{c['demonstration']}个确定为示范点、{c['not_selected']}个未入选")
    if seconds:
        eliminated2 = sum(1 for o in r.outcomes if o.number == 2 and not o.passed)
        parts.append(f"第二次考评{seconds}个，{c['improving']}个进入全面建设提高阶段、{eliminated2}个淘汰")
    if inspections:
        failed = sum(1 for o in r.outcomes if o.number >= 3 and not o.passed)
        parts.append(f"年检{inspections}个，{c['inspection_passed']}个合格、{failed}个不合格淘汰")
    text = f"{y}年共考评{len(r.outcomes)}个单位：" + "；".join(parts) + "。"
    excellent = sum(1 for o in r.outcomes if o.evaluation.result == "excellent")
    if excellent:
        text += f"考评结果为优秀的{excellent}个。"
    header: tuple[str, ...] = ("单位", "管理单位", "考评事项", "考评日期", "结果", "结论")
    widths: tuple[float, ...] = (3.2, 2.6, 1.6, 2.0, 1.2, 2.0)
    if internal:
        header += ("得分", "考评人及意见")
        widths = (2.4, 2.0, 1.3, 1.7, 1.1, 1.5, 1.5, 3.8)
    rows = []
    for o in r.outcomes:
        site = data.sites[o.site]
        ev = o.evaluation
        row: tuple[str, ...] = (site.display_name, unit_name(data, site.unit), TASK_LABELS[o.task],
                                cn_date(ev.date) if ev.date else f"{ev.year}年",
                                RESULT_LABELS[ev.result], OUTCOME_LABELS[o.kind])
        if internal:
            score = "—" if ev.score is None else amount(ev.score)
            remark = "；".join(x for x in ((ev.evaluator or ""), " ".join((ev.remarks or "").split()))
                              if x) or "—"
            row += (score, remark)
        rows.append(row)
    return [Para(text),
            Table(f"表3　{y}年考评结果", header, tuple(rows), widths, small=internal)]


Rows = tuple[tuple[str, ...], ...]


def _task_rows(data: Dataset, tasks: list[Task],
               internal: bool) -> tuple[tuple[str, ...], Rows, tuple[float, ...]]:
    header: tuple[str, ...] = ("单位", "管理单位", "状态", "考评事项", "应考评年度", "上次考评")
    widths: tuple[float, ...] = (3.2, 2.6, 1.6, 1.6, 1.6, 2.0)
    if internal:
        header += ("督查指导员、联络员",)
        widths = (2.6, 2.2, 1.4, 1.4, 1.4, 1.8, 4.2)
    rows = []
    for t in tasks:
        site = data.sites[t.site]
        before = [e for e in site.evaluations if e.year < t.year]
        last = max(before, key=lambda e: e.year) if before else None
        row: tuple[str, ...] = (site.display_name, unit_name(data, site.unit), TASK_STATUS[t.kind],
                                TASK_LABELS[t.kind], str(t.due_year),
                                evaluation_text(last, internal=internal))
        if internal:
            contacts = site.contacts
            row += ("\n".join((contact_text("督查指导员", contacts.supervisor if contacts else None,
                                            internal=True),
                               contact_text("联络员", contacts.liaison if contacts else None,
                                            internal=True))),)
        rows.append(row)
    return header, tuple(rows), widths


def _overdue_section(data: Dataset, r: YearReport, internal: bool) -> list[Block]:
    y = r.year
    due = len(r.tasks)
    done = sum(1 for t in r.tasks if t.done is not None)
    gone = sum(1 for t in r.tasks if t.left is not None)
    open_ = r.open_tasks
    carried = len(r.carried_over)
    carried_all = sum(1 for t in r.tasks if t.due_year < y)
    if due == 0:
        return [Para(f"{y}年没有应考评（年检）的单位。")]
    head = (f"截至{y}年年末" if r.finished else f"截至{cn_date(r.as_of)}")
    text = f"{head}，本年度应考评（年检）{due}个单位"
    if carried_all:
        text += f"（其中{carried_all}个为往年应考评而未考评的）"
    text += f"，已考评{done}个"
    if gone:
        text += f"，{gone}个退出创建"
    if not open_:
        text += "，全部按期完成考评。" if r.finished else "，没有尚未考评的单位。"
        return [Para(text)]
    if r.finished:
        text += f"，仍有{len(open_)}个未考评，列为考评逾期。"
    else:
        text += f"，尚有{len(open_)}个未考评"
        text += f"（其中{carried}个已逾期）。" if carried else "。"
    header, rows, widths = _task_rows(data, open_, internal)
    title = f"表4　{y}年年末考评逾期的单位" if r.finished else f"表4　{y}年尚未考评的单位"
    return [Para(text), Table(title, header, rows, widths, small=internal)]


def duty_reason(d: Duty) -> str:
    """Why a district's duty is met or not, in a few words."""
    if d.first_passes >= FIRST_PASSES_NEEDED and d.experiences >= EXPERIENCES_NEEDED:
        return f"{d.first_passes}个示范点通过首次考评，并报送典型经验{d.experiences}条"
    if d.first_passes >= FIRST_PASSES_NEEDED:
        return f"{d.first_passes}个示范点通过首次考评"
    if d.experiences >= EXPERIENCES_NEEDED:
        return f"报送典型经验{d.experiences}条"
    if d.first_passes:
        return f"仅{d.first_passes}个示范点通过首次考评，没有典型经验"
    return "没有示范点通过首次考评，也没有典型经验"


def _duties_section(data: Dataset, r: YearReport) -> list[Block]:
    y = r.year
    if not r.duties:
        return [Para("没有区县（市）委组织部类管理单位，不涉及区县职责。")]
    met = [u for u, d in r.duties.items() if d.met]
    unmet = [u for u, d in r.duties.items() if not d.met]
    rule = f"（每年至少推出{FIRST_PASSES_NEEDED}个示范点或{EXPERIENCES_NEEDED}条典型经验）"
    text = f"{len(r.duties)}个区县（市）委组织部中，{len(met)}个完成{y}年度职责{rule}"
    if unmet:
        word = "未完成" if r.finished else "尚未完成"
        text += f"，{len(unmet)}个{word}：{listing(unit_name(data, u) for u in unmet)}。"
    else:
        text += "，全部完成。"
    rows = tuple((unit_name(data, u), str(d.first_passes), str(d.experiences),
                  "完成" if d.met else ("未完成" if r.finished else "尚未完成"), duty_reason(d))
                 for u, d in r.duties.items())
    return [Para(text),
            Table(f"表5　{y}年区县职责完成情况", ("管理单位", "首次考评合格", "典型经验", "完成情况", "说明"),
                  rows, (2.8, 1.6, 1.4, 1.4, 4.6), (False, True, True, True, False))]


def _experiences_section(data: Dataset, r: YearReport) -> list[Block]:
    y = r.year
    n = len(r.experiences)
    if not n:
        return [Para(f"{y}年没有总结推出典型经验。")]
    tax = data.taxonomy
    theme_names = {k: t.name for k, t in tax.themes.items()} if tax else {}
    promoted = {k: v for k, v in r.by_promoted.items() if k is not None}
    text = f"{y}年共总结推出典型经验{n}条，涉及{len(r.by_theme)}个主题"
    if promoted:
        text += (f"；{sum(promoted.values())}条获推广："
                 + "、".join(f"{PROMOTED_LABELS[k]}{v}条" for k, v in promoted.items()) + "。")
    else:
        text += "，暂无推广。"
    top = max(r.by_theme.items(), key=lambda kv: kv[1]) if r.by_theme else None
    if top is not None:
        text += f"数量最多的主题是“{theme_names.get(top[0], top[0])}”（{top[1]}条）。"
    themes = tuple((theme_names.get(k, k), str(v)) for k, v in r.by_theme.items())
    levels = tuple((PROMOTED_LABELS[k] if k else PROMOTED_NONE, str(v))
                   for k, v in r.by_promoted.items())
    rows = []
    for ident in r.experiences:
        exp = data.experiences[ident]
        rows.append((exp.title, unit_name(data, experience_unit(exp, data.sites)),
                     "、".join(theme_names.get(t, t) for t in exp.themes),
                     PROMOTED_LABELS[exp.promoted] if exp.promoted else PROMOTED_NONE))
    return [Para(text),
            Table(f"表6　{y}年典型经验（按主题；一条经验可属多个主题）", ("主题", "条数"), themes,
                  (4, 1.5), (False, True)),
            Table(f"表7　{y}年典型经验（按推广层级）", ("推广层级", "条数"), levels, (4, 1.5),
                  (False, True), ("合计", str(n))),
            Table(f"表8　{y}年典型经验名单", ("标题", "管理单位", "主题", "推广层级"), tuple(rows),
                  (5, 2.6, 2.6, 1.6))]


def _left_section(data: Dataset, r: YearReport, internal: bool) -> list[Block]:
    y = r.year
    c = r.outcome_counts
    eliminated, not_selected = c["eliminated"], c["not_selected"]
    text = (f"{y}年有{len(r.left)}个单位退出创建" if r.left else f"{y}年没有单位主动退出创建")
    if r.left:
        text += "：" + listing(site_name(data, i) for i, _d in r.left)
    extra = []
    if eliminated:
        extra.append(f"{eliminated}个单位在考评中被淘汰")
    if not_selected:
        extra.append(f"{not_selected}个单位首次考评未入选")
    text += ("；另有" + "、".join(extra) + "（见第三部分）。") if extra else "。"
    blocks: list[Block] = [Para(text)]
    if r.left:
        header: tuple[str, ...] = ("单位", "管理单位", "退出日期")
        widths: tuple[float, ...] = (4, 3, 2)
        if internal:
            header += ("退出原因",)
            widths = (3, 2.4, 1.8, 4)
        rows = []
        for ident, day in r.left:
            site = data.sites[ident]
            row: tuple[str, ...] = (site.display_name, unit_name(data, site.unit), cn_date(day))
            if internal:
                reason = site.withdrawn.reason if site.withdrawn else None
                row += (" ".join((reason or "未填写").split()),)
            rows.append(row)
        blocks.append(Table(f"表9　{y}年退出创建的单位", header, tuple(rows), widths))
    return blocks


def _awards_section(data: Dataset, r: YearReport) -> list[Block]:
    y = r.year
    if not r.awards:
        return [Para(f"{y}年没有以奖代投记录。")]
    text = (f"{y}年以奖代投资金共{amount(r.awards_total)}万元，涉及{len(r.awards)}个管理单位："
            + "、".join(f"{unit_name(data, u)}{amount(v)}万元" for u, v in r.awards.items()) + "。")
    rows = tuple((unit_name(data, u), amount(v)) for u, v in r.awards.items())
    items = tuple((site_name(data, i), unit_name(data, data.sites[i].unit), amount(a.amount),
                   a.purpose or "—") for i, a in r.award_items)
    return [Para(text),
            Table(f"表10　{y}年以奖代投（按管理单位）", ("管理单位", "金额（万元）"), rows, (4, 2),
                  (False, True), ("合计", amount(r.awards_total))),
            Table(f"表11　{y}年以奖代投明细", ("单位", "管理单位", "金额（万元）", "用途"), items,
                  (3, 3, 1.6, 4), (False, False, True, False))]


# A title line of 方正小标宋 2号 holds 20 characters of the 156 mm text block.
TITLE_EM = 19.5


def title_text(text: str) -> str:
    """A title broken into balanced lines between words (never “…工作报 / 告”). The usual
    title breaks after its “…年度创建”; any other is cut into words (jieba, whose
    dictionary takes a second to load)."""
    def em(part: str) -> float:
        return sum(1.0 if ord(c) >= 0x2000 else 0.55 for c in part)

    if em(text) <= TITLE_EM:
        return text
    head, sep, tail = text.partition("年度创建")
    if sep and tail and max(em(head + sep), em(tail)) <= TITLE_EM and abs(em(head + sep) - em(tail)) <= 4:
        return f"{head}{sep}\n{tail}"
    return "\n".join(title_lines(text, TITLE_EM))


def annual_document(data: Dataset, r: YearReport, *, internal: bool) -> Document:
    """The annual report of ``r.year`` made from ``data`` (the audience's view)."""
    assert data.program is not None
    program = data.program
    y = r.year
    sections: list[tuple[str, list[Block]]] = [
        ("年度规划完成情况", _plan_section(data, r)),
        ("新确定的创建单位", _new_units_section(data, r)),
        ("年度考评结果", _outcomes_section(data, r, internal)),
        ("年末考评逾期情况" if r.finished else "考评进度", _overdue_section(data, r, internal)),
        ("区县职责完成情况", _duties_section(data, r)),
        ("典型经验", _experiences_section(data, r)),
        ("退出创建的单位", _left_section(data, r, internal)),
    ]
    if internal:
        sections.append(("以奖代投", _awards_section(data, r)))
    blocks: list[Block] = [Para(_summary(data, r)), Contents()]
    for n, (title, content) in enumerate(sections, start=1):
        blocks.append(Heading(1, f"{section(n)}{title}", anchor=f"part-{n}"))
        blocks.extend(content)
    if program.site_url:
        blocks.append(PageLink(urljoin(program.site_url, urls.report(y))))
    status = f"统计截至{cn_date(r.as_of)}" if not r.finished else f"{y}年1月1日至12月31日"
    return Document(
        title=title_text(f"{program.city}{y}年度创建基层党建示范点工作报告"),
        subtitle="（内部版　注意保密）" if internal else "（公开版）",
        organizer=program.organizer,
        date_line=f"{status}　{cn_year_month(r.as_of)}",
        blocks=tuple(blocks),
        internal=internal,
        sample=program.sample,
        keywords=("基层党建示范点", "年度报告", str(y)),
    )


def _summary(data: Dataset, r: YearReport) -> str:
    y = r.year
    c = r.outcome_counts
    text = (f"{y}年，全市新确定创建单位{r.new_unit_count}个，考评{len(r.outcomes)}个单位，"
            f"新增示范点{c['demonstration']}个、进入提高阶段{c['improving']}个、淘汰{c['eliminated']}个，"
            f"总结推出典型经验{len(r.experiences)}条。")
    if r.finished:
        text += (f"年末考评逾期{len(r.overdue)}个。" if r.overdue else "年末没有考评逾期的单位。")
    else:
        text += f"本年度尚未结束，以上为截至{cn_date(r.as_of)}的情况。"
    return text
