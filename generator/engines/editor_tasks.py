"""A clerk's everyday tasks behind ``/admin/api/tasks/<name>`` of ``showcase serve``: what the
commands ``validate``, ``import evaluations``, ``export``, ``compile`` do, deleting and
renaming a record, and 保存到版本库 with its 历史记录 and 撤销 — for the task pages of the
editor (``generator/staff/cmsassets/tasks.*``), so that no clerk needs a terminal.

Every request arrives through :meth:`editor_server.Routes.guard` (this machine, this
server's host and the editor's own origin, a JSON POST). Every answer to a wrong request
is a 4xx with a Chinese message, never a 500. What writes works on the data folder's own
files only (an aggregator's members live in their own repositories); what reads — the
check, the workbook, the compilations — sees what a build sees.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar
from urllib.parse import quote

from ..base.problems import Problem, ProblemsFound
from ..data import loader
from ..data.dataset import KIND_LABELS, Dataset
from ..data.sources import join
from ..rules.audience import view
from ..rules.facts import derive
from ..site import urls
from ..staff import datarepo, recordops
from ..staff.evalimport import ImportFailed, ImportPlan, apply_plan, plan_import, result_label
from ..staff.evalsheet import WorkbookError, read_sheet
from .editor_backend import Backend, Refused
from .preview_errors import editor_link

TASKS = "/admin/api/tasks/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
MAX_WORKBOOK = 20 * 1024 * 1024


@dataclass(frozen=True)
class Download:
    """A file the browser saves: its name (Chinese allowed), type and bytes."""

    name: str
    ctype: str
    content: bytes

    def headers(self) -> list[tuple[str, str]]:
        ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", self.name).strip("_") or "download"
        return [("Content-Type", self.ctype), ("Content-Length", str(len(self.content))),
                ("Content-Disposition", f"attachment; filename=\"{ascii_name}\"; "
                                        f"filename*=UTF-8''{quote(self.name)}"),
                ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]


def _safe_name(text: str) -> str:
    """A file name from a title: no characters Windows refuses, not too long."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "", text).strip(" .") or "文件"
    return cleaned[:80]


def _field(body: Any, name: str, kind: type, what: str, *, required: bool = True) -> Any:
    value = body.get(name) if isinstance(body, dict) else None
    if value is None and not required:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise Refused(400, f"请求格式不对：{what}。请刷新页面后重试。")
    return value


def pdf_problem() -> str | None:
    """Why this computer cannot make PDFs (None: it can). WeasyPrint needs the Pango
    library (a Windows computer rarely has it) and a Chinese font."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return ("这台电脑上没有生成 PDF 所需的排版组件（Pango），所以这里只能生成 Word 文件。"
                "PDF 会在网站发布时自动生成；需要在这台电脑上生成 PDF 时，请技术人员按编辑指南"
                "“给技术人员 › 安装与启动”安装这个组件。")
    from ..pdf import FontMissingError
    from ..pdf.render import ensure_cjk_font

    try:
        ensure_cjk_font()
    except FontMissingError:
        return ("这台电脑上没有找到中文字体（思源宋体、思源黑体），生成的 PDF 会全是方框，所以这里只能生成"
                " Word 文件。请技术人员安装字体（统信UOS、银河麒麟：软件包 fonts-noto-cjk）。")
    return None


class Tasks:
    """The task endpoints over one data folder. Saving and undoing are serialised (one
    at a time in this preview; git's own lock guards against other previews)."""

    def __init__(self, backend: Backend, *, root: Path | None = None,
                 as_of: dt.date | None = None,
                 pdf_check: Callable[[], str | None] = pdf_problem) -> None:
        self.backend = backend
        self.data_dir = backend.data_dir
        # An aggregator's members, where builds keep them (pipeline.sources_cache).
        self.sources = (root or self.data_dir.parent) / ".cache" / "sources"
        self.as_of = as_of
        self._pdf_check = pdf_check
        self._pdf: tuple[str | None] | None = None
        self._lock = threading.Lock()

    @property
    def today(self) -> dt.date:
        return self.as_of or dt.date.today()

    def handle(self, name: str, body: Any) -> dict[str, Any] | Download:
        if not isinstance(body, dict):
            raise Refused(400, "请求格式不对。请刷新页面后重试。")
        action = self.ACTIONS.get(name)
        if action is None:
            raise Refused(404, "没有这个操作。请刷新页面后重试。")
        try:
            result: dict[str, Any] | Download = action(self, body)
            return result
        except datarepo.RepositoryRefused as exc:
            raise Refused(exc.status, exc.message) from None
        except recordops.RecordRefused as exc:
            raise Refused(exc.status, exc.message) from None

    # ---------------------------------------------------------------- loading
    def _own(self) -> Dataset:
        return loader.load(self.data_dir)

    def _load_joined(self) -> Dataset:
        """The data as a build sees it (pipeline.load_data): the folder's own, joined with
        its members' when it is an aggregator. Raises ProblemsFound on errors."""
        own = loader.load(self.data_dir)
        if not own.ok:
            raise ProblemsFound(own.problems)
        return own if own.members is None else join(own, self.sources)

    def _joined(self) -> Dataset:
        """:meth:`_load_joined`, or 409 with the problems' count when the data has errors."""
        try:
            return self._load_joined()
        except ProblemsFound as exc:
            errors = [p for p in exc.problems if p.is_error]
            raise Refused(409, f"数据还有 {len(errors)} 个错误，现在不能生成。请先打开“检查数据”，"
                               "按提示改正后再试。") from None

    # ---------------------------------------------------------------- what this computer can do
    def info(self, _body: dict[str, Any]) -> dict[str, Any]:
        data = self._own()
        compilations = [{"id": i, "title": c.title} for i, c in sorted(data.compilations.items())]
        if self._pdf is None:
            self._pdf = (self._pdf_check(),)
        return {"pdf": self._pdf[0], "compilations": compilations,
                "kinds": [{"kind": k, "label": v} for k, v in KIND_LABELS.items()],
                "data": self.backend.prefix}

    # ---------------------------------------------------------------- 检查数据
    def check(self, _body: dict[str, Any]) -> dict[str, Any]:
        data = self._own()
        problems = list(data.problems)
        summary = None
        if data.ok:
            try:
                joined = self._load_joined()
                problems = list(joined.problems)
                members = (f"（含 {len(joined.federation.commits)} 个成员平台）"
                           if joined.federation else "")
                summary = (f"检查通过{members}：{len(joined.sites)} 个示范点（创建单位）、"
                           f"{len(joined.experiences)} 篇典型经验、{len(joined.plans)} 份年度规划、"
                           f"{len(joined.compilations)} 份经验汇编。")
            except ProblemsFound as exc:
                problems = list(exc.problems)
        errors = [p for p in problems if p.is_error]
        files: dict[str, list[Problem]] = {}
        for p in sorted(problems):
            files.setdefault(p.path, []).append(p)
        listed = []
        for path, items in files.items():
            # The form when it can open the file, its text only when it cannot: a clerk is
            # never sent to the raw text of a file the form edits.
            link = editor_link(self.backend, path)
            listed.append({"path": path,
                           "link": {"label": link[0], "href": link[1]} if link else None,
                           "problems": [{"line": p.line, "col": p.col, "message": p.message,
                                         "error": p.is_error} for p in items]})
        if errors:
            summary = (f"发现 {len(errors)} 个错误（涉及 {len({p.path for p in errors})} 个文件）"
                       + (f"，{len(problems) - len(errors)} 个提醒" if len(problems) > len(errors)
                          else "") + "。请逐条改正：点文件旁的链接打开它。")
        elif summary is None:
            summary = "检查通过。"
        return {"ok": not errors, "summary": summary, "errors": len(errors),
                "warnings": len(problems) - len(errors), "files": listed}

    # ---------------------------------------------------------------- 导入考评结果
    def _workbook(self, body: dict[str, Any], folder: Path) -> tuple[str, Path]:
        name = _field(body, "name", str, "缺少文件名")
        content = _field(body, "content", str, "缺少文件内容")
        shown = PurePosixPath(name.replace("\\", "/")).name.strip() or "工作簿.xlsx"
        if not shown.lower().endswith(".xlsx"):
            raise Refused(422, f"“{shown[:60]}”不是 Excel 工作簿（.xlsx）。如果是 .xls、.et 或 .csv 文件，"
                               "请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（*.xlsx）再导入。")
        try:
            raw = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise Refused(400, "上传的文件内容已损坏，请重新选择文件。") from None
        if len(raw) > MAX_WORKBOOK:
            raise Refused(413, "工作簿太大（上限 20 MB）。考评结果表通常只有几十 KB，请只保留"
                               "“考评结果”工作表后另存为新文件再导入。")
        path = folder / "workbook.xlsx"
        path.write_bytes(raw)
        return _safe_name(shown), path

    def import_(self, body: dict[str, Any]) -> dict[str, Any]:
        apply = _field(body, "apply", bool, "apply 应为是或否", required=False) or False
        expect = _field(body, "expect", str, "expect 应为文字", required=False)
        with tempfile.TemporaryDirectory(prefix="showcase-import-") as tmp:
            shown, path = self._workbook(body, Path(tmp))
            try:
                rows, sheet_problems = read_sheet(path)
            except WorkbookError as exc:
                raise Refused(422, str(exc).replace(str(path), shown)) from None
        data = self._own()
        if not data.ok:
            errors = data.errors
            raise Refused(409, f"数据还有 {len(errors)} 个错误，改正后才能导入（导入前后都要检查全部数据）。"
                               "请先打开“检查数据”，按提示改正。")
        if sheet_problems:
            return {"file": shown, "problems": [{"row": p.row, "message": p.message}
                                                for p in sheet_problems], "changes": []}
        plan = plan_import(data, rows, self.today)
        if plan.problems:
            bad = len({p.row for p in plan.problems})
            return {"file": shown, "rows": len(rows), "bad_rows": bad,
                    "problems": [{"row": p.row, "message": p.message} for p in plan.problems],
                    "changes": []}
        changes = _changes_json(plan, data)
        digest = hashlib.sha256(json.dumps(changes, ensure_ascii=False, sort_keys=True)
                                .encode("utf-8")).hexdigest()
        count = sum(len(c.rows) for c in plan.changes)
        answer = {"file": shown, "rows": len(rows), "problems": [], "changes": changes,
                  "count": count, "sites": len(plan.changes), "digest": digest,
                  "empty": plan.empty}
        if not apply:
            return answer
        if plan.empty:
            raise Refused(422, f"{shown} 中没有填写任何考评结果（表头以下都是空行），没有可导入的内容。")
        if expect != digest:
            raise Refused(409, "预览之后数据或工作簿有了变化，为免导入与预览不一致，这次没有导入。请重新预览后再确认。")
        with self._lock:
            try:
                apply_plan(plan, self.data_dir)
            except ImportFailed as exc:
                detail = "；".join(p.message for p in exc.problems[:3])
                raise Refused(409, exc.message + (f"（{detail}）" if detail else "")) from None
        return {**answer, "applied": True,
                "files": [c.display_path for c in plan.changes]}

    # ---------------------------------------------------------------- 下载考评模板、导出工作簿
    def template(self, _body: dict[str, Any]) -> Download:
        from ..staff.spreadsheet import write_template

        data = self._own()
        with tempfile.TemporaryDirectory(prefix="showcase-template-") as tmp:
            out = Path(tmp) / "template.xlsx"
            if data.ok:
                write_template(out, data, derive(data, self.today))
            else:  # the template without the list of sites still works
                write_template(out)
            return Download("考评结果导入模板.xlsx", XLSX, out.read_bytes())

    def export(self, body: dict[str, Any]) -> Download:
        from ..staff.spreadsheet import export_workbook

        audience = _field(body, "audience", str, "audience 应为 public 或 internal")
        if audience not in ("public", "internal"):
            raise Refused(400, "请求格式不对：只能导出公开版或内部版。请刷新页面后重试。")
        data = self._joined()
        label = "内部版-请勿外传" if audience == "internal" else "公开版"
        with tempfile.TemporaryDirectory(prefix="showcase-export-") as tmp:
            out = Path(tmp) / "export.xlsx"
            export_workbook(data, derive(data, self.today), audience, out)
            return Download(f"示范点统计（{label}）{self.today.isoformat()}.xlsx", XLSX,
                            out.read_bytes())

    # ---------------------------------------------------------------- 生成经验汇编
    def compile(self, body: dict[str, Any]) -> Download:
        ident = _field(body, "id", str, "请选择经验汇编")
        kind = _field(body, "format", str, "请选择 PDF 或 Word")
        if kind not in ("pdf", "docx"):
            raise Refused(400, "请求格式不对：只能生成 PDF 或 Word 文件。请刷新页面后重试。")
        data = self._joined()
        if ident not in data.compilations:
            known = "、".join(sorted(data.compilations)) or "（没有）"
            raise Refused(404, f"没有经验汇编“{ident[:70]}”。现有的经验汇编：{known}。请刷新页面后重新选择。")
        shown = view(data, "public")
        title = _safe_name(data.compilations[ident].title)
        if kind == "docx":
            from ..paper.compilation import compilation_document
            from ..paper.docxout import render_docx
            from ..paper.publish import created

            doc = compilation_document(shown, ident)
            return Download(f"{title}.docx", DOCX, render_docx(doc, created=created(self.today)))
        if self._pdf is None:
            self._pdf = (self._pdf_check(),)
        if self._pdf[0] is not None:
            raise Refused(409, self._pdf[0])
        from ..pdf import CompilationError, compile_results

        with tempfile.TemporaryDirectory(prefix="showcase-pdf-") as tmp:
            try:
                result = compile_results(shown, [ident], Path(tmp))[0]
            except CompilationError as exc:
                raise Refused(409, f"经验汇编 PDF 没有生成：{exc}") from None
            return Download(f"{title}.pdf", PDF, result.path.read_bytes())

    # ---------------------------------------------------------------- 删除、改名
    def records(self, _body: dict[str, Any]) -> dict[str, Any]:
        data = self._own()
        return {"kinds": [{"kind": k, "label": KIND_LABELS[k]} for k in KIND_LABELS],
                "records": recordops.listing(data)}

    def delete(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            target = recordops.delete(self._own(), body.get("path"))
        removed = [target.shown] + [f"{self.backend.prefix}/" + p.relative_to(self.data_dir)
                                    .as_posix() for p in target.extra]
        return {"deleted": removed, "message": (
            f"已删除{KIND_LABELS[target.kind]}“{target.title}”（{'、'.join(removed)}）。"
            "这只改动了这台电脑上的数据文件；要让它在网站上消失，请到“保存到版本库”保存。")}

    def rename(self, body: dict[str, Any]) -> dict[str, Any]:
        apply = _field(body, "apply", bool, "apply 应为是或否", required=False) or False
        with self._lock:
            plan = recordops.plan_rename(self._own(), body.get("path"), body.get("new_id"))
            consequences = rename_consequences(plan)
            if not apply:
                return {"consequences": consequences, "new_id": plan.new_id}
            recordops.rename(plan)
        moved = [f"{p.name} → {q.name}" for p, q in plan.moves]
        return {"renamed": True, "consequences": consequences, "new_id": plan.new_id,
                "message": f"已改名：{'、'.join(moved)}。请到“保存到版本库”保存这次改名。"}

    # ---------------------------------------------------------------- 保存到版本库、历史记录、撤销
    def _repo(self) -> datarepo.Repository:
        return datarepo.Repository.open(self.data_dir)

    def status(self, _body: dict[str, Any]) -> dict[str, Any]:
        try:
            repo = self._repo()
        except datarepo.RepositoryRefused as exc:
            return {"repository": False, "reason": exc.message}
        state = repo.status()
        data = self._own()
        return {"repository": True, "changes": [self._change(c, data) for c in state.changes],
                "author": state.author, "remote": state.remote,
                "not_uploaded": state.not_uploaded, "busy": state.busy,
                "errors": len(data.errors)}

    def _change(self, change: datarepo.Change, data: Dataset) -> dict[str, str]:
        parts = PurePosixPath(change.path).parts
        what = "文件"
        if parts and parts[0] in KIND_LABELS and len(parts) > 1:
            ident = PurePosixPath(parts[-1]).stem
            title = recordops.title_of(data, parts[0], ident)
            what = f"{KIND_LABELS[parts[0]]}“{title}”" if title != ident else \
                f"{KIND_LABELS[parts[0]]} {ident}"
            if PurePosixPath(parts[-1]).suffix == ".md":
                what += "的正文"
        elif parts and parts[0] == "media":
            what = "照片"
        elif change.path == "program.yml":
            what = "平台设置"
        elif change.path == "taxonomy.yml":
            what = "类别、管理单位与主题"
        return {"state": change.state, "what": what,
                "path": f"{self.backend.prefix}/{change.path}"}

    def save(self, body: dict[str, Any]) -> dict[str, Any]:
        message = body.get("message")
        name = _field(body, "name", str, "姓名应为文字", required=False)
        data = self._own()
        if not data.ok:
            raise Refused(409, f"数据还有 {len(data.errors)} 个错误，改正后才能保存到版本库（有错误的数据不能发布）。"
                               "请先打开“检查数据”，按提示改正。")
        with self._lock:
            result = self._repo().save(message, name)
        return self._saved(result, "已保存到版本库")

    def _saved(self, result: datarepo.SaveResult, what: str) -> dict[str, Any]:
        if result.remote is None:
            note = f"{what}（只在这台电脑上：版本库没有设置服务器）。"
        elif result.uploaded:
            note = f"{what}，并已上传到服务器。网站会在自动发布流程完成后更新。"
        else:
            note = f"{what}，但没有上传到服务器：{result.upload_problem}"
        return {"commit": result.commit, "uploaded": result.uploaded,
                "upload_problem": result.upload_problem, "remote": result.remote,
                "message": note}

    def history(self, _body: dict[str, Any]) -> dict[str, Any]:
        try:
            repo = self._repo()
        except datarepo.RepositoryRefused as exc:
            return {"repository": False, "reason": exc.message, "saved": []}
        data = self._own()
        remote = repo.remote() is not None
        saved = []
        for s in repo.history():
            saved.append({"commit": s.commit, "date": s.date, "author": s.author,
                          "message": s.message, "uploaded": s.uploaded if remote else None,
                          "files": [self._change(c, data) for c in s.files],
                          "undoes": s.undoes, "undone_by": s.undone_by,
                          "undo_refusal": s.undo_refusal})
        return {"repository": True, "saved": saved}

    def undo(self, body: dict[str, Any]) -> dict[str, Any]:
        commit = _field(body, "commit", str, "请选择要撤销的一次保存")
        name = _field(body, "name", str, "姓名应为文字", required=False)

        def problems() -> list[str]:
            return [f"{p.path} 第 {p.line} 行：{p.message}" for p in self._own().errors]

        with self._lock:
            result = self._repo().undo(commit, name, problems)
        return self._saved(result, "已撤销，撤销本身也作为一次保存记在历史记录中")

    def upload(self, _body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            result = self._repo().upload()
        if result.uploaded:
            return {"uploaded": True, "message": "已上传到服务器。网站会在自动发布流程完成后更新。"}
        return {"uploaded": False, "message": result.upload_problem,
                "upload_problem": result.upload_problem}

    ACTIONS: ClassVar[dict[str, Callable[[Tasks, dict[str, Any]], Any]]] = {
        "info": info, "check": check, "import": import_, "template": template,
        "export": export, "compile": compile, "records": records, "delete": delete,
        "rename": rename, "status": status, "save": save, "history": history, "undo": undo,
        "upload": upload}


def _changes_json(plan: ImportPlan, data: Dataset) -> list[dict[str, Any]]:
    out = []
    for change in plan.changes:
        site = data.sites[change.ident]
        out.append({
            "id": change.ident, "name": site.display_name, "path": change.display_path,
            "before": change.before.label, "after": change.after.label,
            "due": change.after.due_year,
            "rows": [{"row": r.number, "year": r.year,
                      "date": r.date.isoformat() if r.date else "",
                      "result": result_label(r.result),
                      "score": "" if r.score is None else f"{r.score:g}",
                      "evaluator": r.evaluator or "", "remarks": r.remarks or ""}
                     for r in change.rows]})
    return out


def rename_consequences(plan: recordops.RenamePlan) -> list[str]:
    """What changes besides the file name when a record gets a new id (SPEC: the id is the
    file's stem, and addresses, QR codes and calendar events are made from it)."""
    t, new = plan.target, plan.new_id
    label = KIND_LABELS[t.kind]
    out = [f"文件名从 {t.path.name} 改为 {new}{t.path.suffix}"
           + ("，同名的正文文件一起改名" if t.extra else "") + "；文件夹不变。"]
    if t.kind == "sites":
        old_url, new_url = urls.site(t.ident), urls.site(new)
    elif t.kind == "experiences":
        old_url, new_url = urls.experience(t.ident), urls.experience(new)
    else:
        old_url, new_url = urls.compilation_pdf(t.ident), urls.compilation_pdf(new)
    out.append(f"网址从 /{old_url} 变为 /{new_url}：别人收藏的旧网址、已经印发的材料上的二维码"
               "将打不开（网站没有自动跳转）。")
    if t.kind == "compilations":
        out.append(f"汇编的 Word 文件也随之改为 /{urls.compilation_docx(new)}。")
    if t.kind == "sites":
        out.append("考评日历中这个单位的日程会换成新的日程：已订阅的日历刷新后，旧日程消失、新日程出现。")
    if t.kind in ("sites", "experiences"):
        out.append(f"这个{label}的“最后更新”日期和内部版的修订记录从这次改名重新开始"
                   "（改名前的修改仍保存在版本库的历史中）。")
    out.append("没有其他记录用到它，所以不需要改动别的记录。改名后请到“保存到版本库”保存。")
    return out
