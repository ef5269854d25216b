"""``showcase import evaluations``: evaluation results from a workbook into the site files.

Reading (:func:`evalsheet.read_sheet`) and checking (:func:`plan_import`) never write
anything; every problem names the workbook row (``FILE.xlsx:第 N 行：…``) and any problem
means nothing is applied. :func:`new_texts` makes the new file contents with :mod:`roundtrip`
(the rest of each site file stays byte-identical) and :func:`write_all` writes them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.problems import Problem
from ..data import loader
from ..data.dataset import Dataset
from ..data.schemacheck import suggest
from ..model.lifecycle import STATUS_LABELS, SiteState, site_state, violation
from ..model.records import RESULT_LABELS, Evaluation, Site
from .evalsheet import RESULTS, RowProblem, to_date, to_score, to_text, to_year
from .roundtrip import SpliceError, append_entries


@dataclass
class Row:
    """One filled-in row of the sheet, as typed values."""

    number: int
    site: str
    year: int
    date: dt.date | None
    result: str
    score: float | None
    evaluator: str | None
    remarks: str | None

    def entry(self) -> dict[str, Any]:
        """The evaluation as it is written into the YAML file."""
        values = {"year": self.year, "date": self.date, "result": self.result,
                  "score": self.score, "evaluator": self.evaluator, "remarks": self.remarks}
        return {k: v for k, v in values.items() if v is not None}

    def evaluation(self) -> Evaluation:
        return Evaluation.model_validate(self.entry())


@dataclass
class SiteChange:
    ident: str
    path: Path
    display_path: str
    rows: list[Row]
    before: SiteState
    after: SiteState


@dataclass
class ImportPlan:
    changes: list[SiteChange] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    empty: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _match_site(cells: dict[str, Any], data: Dataset) -> tuple[str | None, str | None]:
    """(site id, problem)."""
    ident, name = to_text(cells.get("site_id")), to_text(cells.get("site_name"))
    by_name: list[str] = []
    if name is not None:
        plain = re.sub(r"\s+", "", name)
        by_name = [i for i, s in data.sites.items()
                   if plain in (re.sub(r"\s+", "", s.name), re.sub(r"\s+", "", s.short_name or ""))]
    if ident is not None:
        if ident not in data.sites:
            hint = suggest(ident, list(data.sites))
            return None, f"单位id“{ident}”不存在：应为 sites/ 目录中某个示范点记录的文件名（不含 .yml）。{hint}"
        if name is not None and ident not in by_name:
            site = data.sites[ident]
            return None, (f"单位id“{ident}”是“{site.name}”，与单位名称“{name}”不一致，"
                          "请核对是哪个单位。")
        return ident, None
    if name is None:
        return None, "没有填写单位id或单位名称。"
    if len(by_name) > 1:
        return None, f"单位名称“{name}”对应多个示范点（{'、'.join(by_name)}），请在“单位id”列写明。"
    if not by_name:
        names = [s.name for s in data.sites.values()] + [s.short_name for s in data.sites.values()
                                                          if s.short_name]
        hint = suggest(name, names)
        if not hint:
            near = [(i, s) for i, s in data.sites.items()
                    if plain in re.sub(r"\s+", "", s.name + (s.short_name or ""))]
            if len(near) == 1:
                hint = f"是不是“{near[0][1].display_name}”（单位id：{near[0][0]}）？"
        return None, (f"找不到名称为“{name}”的示范点（须与记录中的 name 全称或 short_name 简称完全一致）。"
                      f"{hint}")
    return by_name[0], None


def parse_row(number: int, cells: dict[str, Any], data: Dataset) -> tuple[Row | None, list[str]]:
    errors: list[str] = []
    site, problem = _match_site(cells, data)
    if problem:
        errors.append(problem)
    year: int | None = None
    if "year" not in cells:
        errors.append("没有填写年度。")
    else:
        try:
            year = to_year(cells["year"])
        except ValueError:
            errors.append(f"年度“{to_text(cells['year'])}”不是年份，请写四位数字，例如 2026。")
    date: dt.date | None = None
    if "date" in cells:
        try:
            date = to_date(cells["date"])
        except ValueError as exc:
            errors.append(str(exc) or f"考评日期“{to_text(cells['date'])}”不是日期。")
        if date is not None and year is not None and not year <= date.year <= year + 1:
            errors.append(f"考评日期 {date.isoformat()} 与年度 {year} 不符"
                          f"（{year} 年度的考评应在 {year} 年或 {year + 1} 年初进行），请核对。")
    result: str | None = None
    raw = to_text(cells.get("result"))
    if raw is None:
        errors.append("没有填写结果：应为 优秀、合格 或 不合格。")
    elif raw.lower() not in RESULTS and raw not in RESULTS:
        hint = suggest(raw, list(RESULTS))
        errors.append(f"结果“{raw}”不认识：应为 优秀、合格、不合格（或 excellent、pass、fail）。{hint}")
    else:
        result = RESULTS.get(raw, RESULTS.get(raw.lower()))
    score: float | None = None
    if "score" in cells:
        try:
            score = to_score(cells["score"])
        except ValueError:
            errors.append(f"得分“{to_text(cells['score'])}”应为 0 到 100 之间的数字。")
    if errors or site is None or year is None or result is None:
        return None, errors
    return Row(number, site, year, date, result, score, to_text(cells.get("evaluator")),
               to_text(cells.get("remarks"))), []


# ---------------------------------------------------------------- lifecycle checks

def _site_problems(site: Site, ident: str, rows: list[Row], data: Dataset) -> list[RowProblem]:
    problems: list[RowProblem] = []
    src = data.sources.get(("sites", ident))
    existing = {ev.year: i for i, ev in enumerate(site.evaluations)}
    seen: dict[int, int] = {}
    accepted: list[Row] = []
    for row in rows:
        if row.year < site.batch:
            problems.append(RowProblem(row.number, (
                f"{site.display_name}（{ident}）的考评年度 {row.year} 早于创建批次 {site.batch}："
                f"创建单位从 {site.batch} 年起才参加考评。")))
            continue
        if row.year in existing:
            where = ""
            if src is not None:
                line = src.doc.mark(("evaluations", existing[row.year])).line
                where = f"（{src.path} 第 {line} 行）"
            problems.append(RowProblem(row.number, (
                f"{site.display_name}（{ident}）{row.year} 年已有考评记录{where}："
                "每年只能考评一次。若要更正，请直接修改 YAML 文件。")))
            continue
        if row.year in seen:
            problems.append(RowProblem(row.number, (
                f"与第 {seen[row.year]} 行重复：{site.display_name}（{ident}）{row.year} 年"
                "只能有一条考评结果。")))
            continue
        seen[row.year] = row.number
        left = site.withdrawn.date if site.withdrawn is not None else None
        if left is not None and (row.date > left if row.date else row.year >= left.year):
            problems.append(RowProblem(row.number, (
                f"{site.display_name}（{ident}）已于 {left.isoformat()} 退出创建，"
                f"不能再有 {row.year} 年的考评"
                + ("。" if row.date else "（若考评在退出之前，请填写考评日期）。"))))
            continue
        accepted.append(row)
    combined = [*site.evaluations, *(r.evaluation() for r in accepted)]
    out = violation(combined)
    if out is not None:
        bad, status, out_year = out.evaluation, out.status, out.since
        new = {id(ev): r for r, ev in zip(accepted, combined[len(site.evaluations):], strict=True)}
        row = new.get(id(bad)) or min((r for r in accepted if r.year < bad.year),
                                      key=lambda r: r.year, default=accepted[0])
        problems.append(RowProblem(row.number, (
            f"{site.display_name}（{ident}）在 {out_year} 年考评后已经“{STATUS_LABELS[status]}”，"
            f"之后不能再有考评记录（{bad.year} 年）。请核对结果或年度。")))
    return problems


def plan_import(data: Dataset, rows: list[tuple[int, dict[str, Any]]],
                as_of: dt.date) -> ImportPlan:
    """Check every row against the data set; the changes per site if all rows are good."""
    assert data.program is not None
    plan = ImportPlan(empty=not rows)
    parsed: dict[str, list[Row]] = {}
    for number, cells in rows:
        row, errors = parse_row(number, cells, data)
        plan.problems += [RowProblem(number, e) for e in errors]
        if row is not None:
            parsed.setdefault(row.site, []).append(row)
    interval = data.program.inspection_interval
    for ident, site_rows in parsed.items():
        site = data.sites[ident]
        problems = _site_problems(site, ident, site_rows, data)
        plan.problems += problems
        if problems:
            continue
        after = site.model_copy(update={
            "evaluations": [*site.evaluations, *(r.evaluation() for r in site_rows)]})
        src = data.source("sites", ident)
        plan.changes.append(SiteChange(
            ident=ident, path=data.root.parent / src.path, display_path=src.path, rows=site_rows,
            before=site_state(site, interval, as_of), after=site_state(after, interval, as_of)))
    plan.problems.sort()
    return plan


# ---------------------------------------------------------------- writing

def new_texts(plan: ImportPlan) -> dict[Path, tuple[bytes, bytes]]:
    """(old bytes, new bytes) of every file the plan changes; nothing is written."""
    out: dict[Path, tuple[bytes, bytes]] = {}
    for change in plan.changes:
        old = change.path.read_bytes()
        text = old.decode("utf-8")
        try:
            new = append_entries(text, "evaluations", [r.entry() for r in change.rows])
        except SpliceError as exc:
            raise SpliceError(f"{change.display_path}：{exc}") from None
        out[change.path] = (old, new.encode("utf-8"))
    return out


class WriteFailed(Exception):
    """Applying the import failed; every file is as it was before (Chinese message)."""


def write_all(texts: dict[Path, tuple[bytes, bytes]], *, new: bool = True) -> None:
    """Replace every file's bytes with the new (or, with ``new=False``, the old) ones: all
    files or none. Every content is first written beside its file (hidden, so the loader
    skips it), then all are renamed over the originals; if anything fails on the way, the
    files already replaced get their previous bytes back and :class:`WriteFailed` says so."""
    staged: list[tuple[Path, Path]] = []
    replaced: list[Path] = []
    try:
        for path, (old, updated) in texts.items():
            tmp = path.with_name(f".{path.name}.import-tmp")
            tmp.write_bytes(updated if new else old)
            staged.append((tmp, path))
        for tmp, path in staged:
            os.replace(tmp, path)
            replaced.append(path)
    except OSError as exc:
        for tmp, _path in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        unrestored = []
        for path in replaced:
            old, updated = texts[path]
            try:
                path.write_bytes(old if new else updated)
            except OSError:
                unrestored.append(str(path))
        where = exc.filename or "数据目录"
        message = f"写入 {where} 时出错（{exc.strerror or type(exc).__name__}），"
        if unrestored:
            message += f"以下文件未能恢复，请用 git 恢复：{'、'.join(unrestored)}。"
        else:
            message += "所有文件都已保持原样，没有写入任何内容。请检查文件是否被其他程序占用或设为只读，然后重试。"
        raise WriteFailed(message) from None


class ImportFailed(Exception):
    """Applying an import did not happen; every file is as it was (Chinese message, and the
    problems of a data check that failed after writing)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def apply_plan(plan: ImportPlan, data_dir: Path) -> None:
    """Write a checked plan into the site files, then check the whole data folder again;
    if that finds an error (it must not: every rule was checked before), every file gets
    its old bytes back. All or nothing; :class:`ImportFailed` when nothing was applied."""
    try:
        texts = new_texts(plan)
    except SpliceError as exc:
        raise ImportFailed(f"{exc} 没有写入任何内容。") from None
    try:
        write_all(texts)
    except WriteFailed as exc:
        raise ImportFailed(str(exc)) from None
    after = loader.load(data_dir)
    if not after.ok:
        try:
            write_all(texts, new=False)
        except WriteFailed as exc:
            raise ImportFailed(str(exc), after.errors) from None
        raise ImportFailed("写入后数据检查未通过，已恢复原文件。", after.errors)


def result_label(result: str) -> str:
    return RESULT_LABELS.get(result, result)
