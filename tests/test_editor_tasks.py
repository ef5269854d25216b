"""The clerk's tasks behind /admin/ (issue 25, item 2), in this process through the preview's
WSGI routes, on copies of the sample in real git repositories (with a bare repository as
the server where saving uploads): importing a workbook (preview, then all or nothing), the
template and the leaders' workbook, a compilation, the check list, deleting and renaming a
record, and 保存到版本库 with its history and 撤销. Every refusal is a Chinese 4xx."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import REPO

from generator.data import loader
from generator.engines.editor_server import Routes
from generator.engines.editor_tasks import TASKS

SAMPLE = REPO / "sites_data"
CJK = re.compile(r"[\u4e00-\u9fff]")
AS_OF = "2026-11-28"
GIT_ENV = {"GIT_AUTHOR_NAME": "技术人员", "GIT_AUTHOR_EMAIL": "tech@example.cn",
           "GIT_COMMITTER_NAME": "技术人员", "GIT_COMMITTER_EMAIL": "tech@example.cn"}


def git(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                            env={**env, **GIT_ENV}, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(autouse=True)
def no_global_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own git identity must not decide what a clerk's save is signed with."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))


def make_project(tmp_path: Path, *, remote: bool = True, repository: bool = True) -> Path:
    """The sample in ``project/sites_data`` beside a file of the project, committed, with a
    bare ``server.git`` as its remote."""
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "sites_data")
    (root / "README.md").write_text("项目说明\n", encoding="utf-8")
    if not repository:
        return root
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始数据")
    if remote:
        server = tmp_path / "server.git"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
        git(root, "remote", "add", "origin", str(server))
        git(root, "push", "-q", "-u", "origin", "main")
    return root


def routes(root: Path, **kwargs: Any) -> Routes:
    import datetime as dt

    r = Routes(root / "sites_data", root, "127.0.0.1", 8000, as_of=dt.date.fromisoformat(AS_OF))
    for key, value in kwargs.items():
        setattr(r.tasks, key, value)
    return r


def call(r: Routes, name: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
    raw = json.dumps({} if body is None else body).encode("utf-8")
    environ = {"PATH_INFO": TASKS + name, "REQUEST_METHOD": "POST",
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(raw)),
               "wsgi.input": io.BytesIO(raw), "HTTP_HOST": "127.0.0.1:8000",
               "REMOTE_ADDR": "127.0.0.1", "HTTP_ORIGIN": "http://127.0.0.1:8000"}
    seen: list[tuple[str, list[tuple[str, str]]]] = []
    answer = b"".join(r(environ, lambda status, headers: seen.append((status, headers))))
    status, headers = int(seen[0][0].split()[0]), dict(seen[0][1])
    if headers["Content-Type"].startswith("application/json"):
        return status, headers, json.loads(answer)
    return status, headers, answer


def ok(r: Routes, name: str, body: Any = None) -> Any:
    status, _headers, answer = call(r, name, body)
    assert status == 200, (status, answer)
    return answer


def refused(r: Routes, name: str, body: Any, *statuses: int) -> str:
    status, _headers, answer = call(r, name, body)
    assert status in (statuses or (400, 403, 404, 409, 413, 422)), (status, answer)
    message = str(answer["error"])
    assert CJK.search(message) and "Traceback" not in message, message
    return message


def workbook(rows: list[list[Any]]) -> dict[str, str]:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "考评结果"
    sheet.append(["单位id", "单位名称", "年度", "考评日期", "结果", "得分", "考评人", "考评意见"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return {"name": "2026年考评结果.xlsx", "content": base64.b64encode(out.getvalue()).decode()}


def candidates(data_dir: Path, year: int = 2026) -> list[str]:
    data = loader.load(data_dir)
    return sorted(i for i, s in data.sites.items()
                  if s.batch == year and not s.evaluations and s.withdrawn is None)


def edit(site: Path, words: str) -> None:
    """Change a site's one-line summary (a field every sample site has, written plainly)."""
    text = site.read_text(encoding="utf-8")
    changed = re.sub(r"^(summary: .*?)$", lambda m: m[1] + words, text, count=1, flags=re.M)
    assert changed != text
    site.write_text(changed, encoding="utf-8")


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- 导入考评结果

def test_import_previews_then_applies_all_or_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path, remote=False)
    data_dir = root / "sites_data"
    r = routes(root)
    first, second = candidates(data_dir)[:2]
    before = files(data_dir)
    good = workbook([[first, None, 2026, "2026-11-20", "合格", 86, "第一考评组", "有特色"],
                     [second, None, 2026, None, "不合格", None, None, None]])
    preview = ok(r, "import", good)
    assert preview["problems"] == [] and preview["count"] == 2 and preview["sites"] == 2
    assert {c["id"]: (c["before"], c["after"]) for c in preview["changes"]} == {
        first: ("创建单位", "示范点"), second: ("创建单位", "未入选")}
    assert preview["changes"][0]["rows"][0]["row"] in (2, 3)
    assert files(data_dir) == before  # a preview writes nothing

    # A confirmation that does not match what was previewed is refused.
    assert "重新预览" in refused(r, "import", {**good, "apply": True, "expect": "0" * 64}, 409)
    assert files(data_dir) == before

    done = ok(r, "import", {**good, "apply": True, "expect": preview["digest"]})
    assert done["applied"] and len(done["files"]) == 2
    after = loader.load(data_dir)
    assert after.ok
    assert [(e.year, e.result, e.score) for e in after.sites[first].evaluations] == [(2026, "pass", 86)]
    assert [(e.year, e.result) for e in after.sites[second].evaluations] == [(2026, "fail")]
    changed = {k for k in files(data_dir) if files(data_dir)[k] != before.get(k)}
    assert len(changed) == 2

    # The same workbook again: every row is refused by its row number; nothing is written.
    again = ok(r, "import", good)
    assert again["changes"] == [] and {p["row"] for p in again["problems"]} == {2, 3}
    assert all("已有考评记录" in p["message"] for p in again["problems"])
    snapshot = files(data_dir)
    refused_apply = ok(r, "import", {**good, "apply": True, "expect": preview["digest"]})
    assert "applied" not in refused_apply and refused_apply["problems"]
    assert files(data_dir) == snapshot


def test_one_bad_row_means_nothing_is_imported(tmp_path: Path) -> None:
    root = make_project(tmp_path, remote=False)
    data_dir = root / "sites_data"
    r = routes(root)
    first = candidates(data_dir)[0]
    before = files(data_dir)
    book = workbook([[first, None, 2026, None, "合格", None, None, None],
                     ["no-such-site", None, 2026, None, "良好", None, None, None]])
    answer = ok(r, "import", book)
    assert answer["changes"] == [] and answer["bad_rows"] == 1
    messages = [p["message"] for p in answer["problems"] if p["row"] == 3]
    assert any("不存在" in m for m in messages) and any("良好" in m for m in messages)
    answer = ok(r, "import", {**book, "apply": True, "expect": "x"})
    assert "applied" not in answer and answer["bad_rows"] == 1
    assert files(data_dir) == before


@pytest.mark.parametrize(("name", "content", "why"), [
    ("结果.xls", base64.b64encode(b"x").decode(), "另存为"),
    ("结果.xlsx", "不是base64", "损坏"),
    ("结果.xlsx", base64.b64encode(b"PK\x03\x04 not really").decode(), "不是 Excel 工作簿"),
])
def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(tmp_path: Path, name: str,
                                                            content: str, why: str) -> None:
    root = make_project(tmp_path, repository=False)
    message = refused(routes(root), "import", {"name": name, "content": content})
    assert why in message and "/tmp" not in message and "workbook.xlsx" not in message


def test_import_is_refused_while_the_data_has_errors(tmp_path: Path) -> None:
    root = make_project(tmp_path, repository=False)
    data_dir = root / "sites_data"
    site = next((data_dir / "sites" / "2026").glob("*.yml"))
    site.write_text(site.read_text(encoding="utf-8").replace("category:", "categroy:", 1),
                    encoding="utf-8")
    first = candidates(data_dir)[0] if candidates(data_dir) else "x"
    message = refused(routes(root), "import", workbook([[first, None, 2026, None, "合格"]]), 409)
    assert "检查数据" in message


# ---------------------------------------------------------------- 下载考评模板、导出工作簿、生成经验汇编

def test_template_and_workbooks_download_with_chinese_names(tmp_path: Path) -> None:
    root = make_project(tmp_path, repository=False)
    r = routes(root)
    status, headers, content = call(r, "template")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    assert "%E8%80%83%E8%AF%84" in headers["Content-Disposition"]  # 考评…
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["考评结果", "填写说明", "示范点名单"]
    listed = {row[0] for row in book["示范点名单"].iter_rows(min_row=2, values_only=True)}
    assert listed == set(loader.load(root / "sites_data").sites)
    guide = " ".join(str(c) for row in book["填写说明"].values for c in row if c)
    assert "导入考评结果" in guide and "确认导入" in guide

    texts = {}
    for audience in ("public", "internal"):
        status, headers, content = call(r, "export", {"audience": audience})
        assert status == 200 and headers["Content-Type"].endswith("spreadsheetml.sheet")
        wb = openpyxl.load_workbook(io.BytesIO(content))
        texts[audience] = "\n".join(str(v) for s in wb.worksheets for row in s.values
                                    for v in row if v is not None)
    assert "0736-7200301" in texts["internal"] and "0736-7200301" not in texts["public"]
    refused(r, "export", {"audience": "everyone"}, 400)


def test_a_compilation_as_word_and_where_pdfs_cannot_be_made(tmp_path: Path) -> None:
    root = make_project(tmp_path, repository=False)
    r = routes(root, _pdf_check=lambda: "这台电脑上没有生成 PDF 所需的排版组件。")
    info = ok(r, "info")
    ident = info["compilations"][0]["id"]
    assert info["pdf"] == "这台电脑上没有生成 PDF 所需的排版组件。"
    status, headers, content = call(r, "compile", {"id": ident, "format": "docx"})
    assert status == 200 and headers["Content-Type"].endswith("wordprocessingml.document")
    import docx

    document = docx.Document(io.BytesIO(content))
    title = loader.load(root / "sites_data").compilations[ident].title
    assert any(title in p.text for p in document.paragraphs)
    assert "排版组件" in refused(r, "compile", {"id": ident, "format": "pdf"}, 409)
    assert "现有的经验汇编" in refused(r, "compile", {"id": "no-such", "format": "docx"}, 404)
    refused(r, "compile", {"id": ident, "format": "odt"}, 400)


# ---------------------------------------------------------------- 检查数据

def test_the_check_lists_every_problem_with_a_link_to_the_record(tmp_path: Path) -> None:
    root = make_project(tmp_path, repository=False)
    data_dir = root / "sites_data"
    r = routes(root)
    clean = ok(r, "check")
    assert clean["ok"] and clean["summary"].startswith("检查通过") and clean["files"] == []
    site = sorted((data_dir / "sites" / "2025").glob("*.yml"))[0]
    text = site.read_text(encoding="utf-8")
    site.write_text(re.sub(r"^category: .*$", "category: rurl", text, count=1, flags=re.M),
                    encoding="utf-8")
    broken = sorted((data_dir / "sites" / "2024").glob("*.yml"))[0]
    broken.write_text("name: [未闭合\n", encoding="utf-8")
    answer = ok(r, "check")
    assert not answer["ok"] and answer["errors"] >= 2 and "发现" in answer["summary"]
    by_path = {f["path"]: f for f in answer["files"]}
    shown = f"sites_data/sites/2025/{site.name}"
    assert by_path[shown]["link"] == {"label": "在表单中修改",
                                      "href": f"/admin/#/collections/sites/entries/2025/{site.stem}"}
    assert any("rurl" in p["message"] for p in by_path[shown]["problems"])
    unreadable = by_path[f"sites_data/sites/2024/{broken.name}"]
    assert unreadable["link"]["label"] == "修改原文"
    assert unreadable["link"]["href"].startswith("/admin/fix.html#")


# ---------------------------------------------------------------- 删除、改名

def test_delete_and_rename_are_refused_while_something_refers_to_the_record(tmp_path: Path) -> None:
    root = make_project(tmp_path, remote=False)
    data_dir = root / "sites_data"
    r = routes(root)
    data = loader.load(data_dir)
    exp_id, exp = next((i, e) for i, e in sorted(data.experiences.items()))
    site_id = exp.sites[0]
    site_path = data.source("sites", site_id).path
    before = files(data_dir)
    message = refused(r, "delete", {"path": site_path}, 409)
    assert "不能删除" in message and exp.title in message and "相关示范点" in message
    message = refused(r, "rename", {"path": site_path, "new_id": "xin-biaoshi"}, 409)
    assert "不能改名" in message and exp.title in message
    listing = ok(r, "records")["records"]["sites"]
    entry = next(e for e in listing if e["id"] == site_id)
    assert any(exp.title in ref for ref in entry["references"])
    assert files(data_dir) == before
    # An experience that a compilation lists by name.
    (data_dir / "compilations" / "zhuanti.yml").write_text(
        f"title: 专题汇编\ninclude:\n  - {exp_id}\n", encoding="utf-8")
    assert loader.load(data_dir).ok
    message = refused(r, "delete", {"path": data.source("experiences", exp_id).path}, 409)
    assert "专题汇编" in message and "收录经验" in message
    (data_dir / "compilations" / "zhuanti.yml").unlink()
    assert files(data_dir) == before
    assert git(root, "status", "--porcelain") == ""  # nothing was even staged


def test_delete_and_rename_an_unreferenced_record(tmp_path: Path) -> None:
    root = make_project(tmp_path, remote=False)
    data_dir = root / "sites_data"
    r = routes(root)
    data = loader.load(data_dir)
    referred = {s for e in data.experiences.values() for s in e.sites}
    free = sorted(i for i in data.sites if i not in referred)
    gone, moved = free[0], free[1]
    gone_path = data.source("sites", gone).path
    answer = ok(r, "delete", {"path": gone_path})
    assert answer["deleted"] == [gone_path] and "保存到版本库" in answer["message"]
    assert not (root / gone_path).exists()
    assert "找不到" in refused(r, "delete", {"path": gone_path}, 404)

    moved_path = data.source("sites", moved).path
    taken = data.source("sites", free[2]).path
    assert "已经被" in refused(r, "rename", {"path": moved_path, "new_id": Path(taken).stem}, 409)
    assert "不能用" in refused(r, "rename", {"path": moved_path, "new_id": "Bad Name"}, 422)
    plan = ok(r, "rename", {"path": moved_path, "new_id": "ceshi-gaiming"})
    text = "".join(plan["consequences"])
    assert f"/sites/{moved}/" in text and "/sites/ceshi-gaiming/" in text and "二维码" in text
    assert (root / moved_path).exists()  # the first step only says what would change
    ok(r, "rename", {"path": moved_path, "new_id": "ceshi-gaiming", "apply": True})
    new_path = root / moved_path.replace(f"{moved}.yml", "ceshi-gaiming.yml")
    assert new_path.is_file() and not (root / moved_path).exists()
    after = loader.load(data_dir)
    assert after.ok and "ceshi-gaiming" in after.sites and moved not in after.sites
    assert git(root, "diff", "--cached", "--name-only") == ""  # the clerk saves it, not us


def test_renaming_an_experience_takes_its_body_and_a_plan_cannot_be_renamed(tmp_path: Path) -> None:
    root = make_project(tmp_path, repository=False)
    data_dir = root / "sites_data"
    r = routes(root)
    data = loader.load(data_dir)
    included = {i for c in data.compilations.values() for i in (c.include or [])}
    ident = next(i for i in sorted(data.body_files) if i not in included)
    path = data.source("experiences", ident).path
    plan = ok(r, "rename", {"path": path, "new_id": "xin-jingyan"})
    assert any("正文文件" in c for c in plan["consequences"])
    ok(r, "rename", {"path": path, "new_id": "xin-jingyan", "apply": True})
    folder = (root / path).parent
    assert (folder / "xin-jingyan.yml").is_file() and (folder / "xin-jingyan.md").is_file()
    assert not (folder / f"{ident}.md").exists()
    assert loader.load(data_dir).ok
    plan_path = data.source("plans", next(iter(data.plans))).path
    assert "年份" in refused(r, "rename", {"path": plan_path, "new_id": "2030"}, 409)
    refused(r, "delete", {"path": "sites_data/../README.md"}, 422)
    refused(r, "delete", {"path": 5}, 422)


# ---------------------------------------------------------------- 保存到版本库、历史记录、撤销

def test_saving_needs_a_repository(tmp_path: Path) -> None:
    root = make_project(tmp_path, repository=False)
    r = routes(root)
    status = ok(r, "status")
    assert status["repository"] is False and "版本库" in status["reason"]
    assert "版本库" in refused(r, "save", {"message": "录入考评结果", "name": "张三"}, 409)
    assert ok(r, "history")["saved"] == []


def test_saving_commits_only_the_data_folder_and_uploads_it(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    data_dir = root / "sites_data"
    r = routes(root)
    assert "没有需要保存" in refused(r, "save", {"message": "说明", "name": "张三"}, 409)
    # A technician's unfinished work elsewhere in the project: staged and unstaged.
    (root / "README.md").write_text("项目说明（改）\n", encoding="utf-8")
    git(root, "add", "README.md")
    (root / "notes.txt").write_text("草稿\n", encoding="utf-8")
    site = sorted((data_dir / "sites" / "2026").glob("*.yml"))[0]
    edit(site, "新标签")
    photo = data_dir / "media" / "photos" / "xin-zhaopian.jpg"
    shutil.copy2(next((SAMPLE / "media" / "photos").glob("*.jpg")), photo)
    status = ok(r, "status")
    assert status["remote"] == "origin" and status["author"] is None
    assert {(c["state"], c["path"]) for c in status["changes"]} == {
        ("修改", f"sites_data/sites/2026/{site.name}"),
        ("新增", "sites_data/media/photos/xin-zhaopian.jpg")}
    assert any(c["what"].startswith("示范点“") for c in status["changes"])
    assert "姓名" in refused(r, "save", {"message": "补充标签和照片"}, 422)
    assert "说明" in refused(r, "save", {"message": "  ", "name": "张三"}, 422)

    saved = ok(r, "save", {"message": "补充标签和照片", "name": "张三"})
    assert saved["uploaded"] is True and "上传" in saved["message"]
    head = git(root, "log", "-1", "--format=%an|%s", "--name-only").split("\n")
    assert head[0] == "张三|补充标签和照片"
    assert set(filter(None, head[1:])) == {f"sites_data/sites/2026/{site.name}",
                                           "sites_data/media/photos/xin-zhaopian.jpg"}
    # The technician's work is untouched: still staged, still untracked.
    assert git(root, "diff", "--cached", "--name-only").split() == ["README.md"]
    assert "?? notes.txt" in git(root, "status", "--porcelain")
    # The server has it, with the clerk's words.
    server = tmp_path / "server.git"
    assert git(server, "log", "-1", "--format=%s", "main").strip() == "补充标签和照片"
    history = ok(r, "history")["saved"]
    assert history[0]["message"] == "补充标签和照片" and history[0]["uploaded"] is True
    assert history[0]["author"] == "张三" and history[0]["undo_refusal"] is None
    assert history[-1]["undo_refusal"]  # the first save of the data cannot be undone


def test_saving_is_refused_while_the_data_has_errors(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    site = sorted((root / "sites_data" / "sites" / "2026").glob("*.yml"))[0]
    site.write_text(site.read_text(encoding="utf-8").replace("category:", "categroy:", 1),
                    encoding="utf-8")
    message = refused(routes(root), "save", {"message": "改错了", "name": "张三"}, 409)
    assert "检查数据" in message
    assert git(root, "log", "--format=%s").split("\n")[0] == "初始数据"


def test_a_failed_upload_keeps_the_save_and_can_be_retried(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    r = routes(root)
    server = tmp_path / "server.git"
    git(root, "remote", "set-url", "origin", str(tmp_path / "moved.git"))
    site = sorted((root / "sites_data" / "sites" / "2026").glob("*.yml"))[0]
    edit(site, "试试")
    saved = ok(r, "save", {"message": "离线时的修改", "name": "张三"})
    assert saved["uploaded"] is False
    assert "没有丢失" in saved["upload_problem"] and "找不到服务器" in saved["upload_problem"]
    assert "git" not in saved["upload_problem"].lower()
    assert git(root, "log", "-1", "--format=%s").strip() == "离线时的修改"
    assert ok(r, "status")["not_uploaded"] == 1
    assert ok(r, "history")["saved"][0]["uploaded"] is False
    git(root, "remote", "set-url", "origin", str(server))
    assert ok(r, "upload")["uploaded"] is True
    assert git(server, "log", "-1", "--format=%s", "main").strip() == "离线时的修改"
    assert ok(r, "status")["not_uploaded"] == 0
    assert "没有需要上传" in refused(r, "upload", {}, 409)


def test_someone_else_saved_first(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(tmp_path / "server.git"), str(other))
    (other / "README.md").write_text("别人的修改\n", encoding="utf-8")
    git(other, "commit", "-qam", "别人的修改")
    git(other, "push", "-q")
    site = sorted((root / "sites_data" / "sites" / "2026").glob("*.yml"))[0]
    edit(site, "试试")
    saved = ok(routes(root), "save", {"message": "我的修改", "name": "张三"})
    assert saved["uploaded"] is False and "别人新保存的修改" in saved["upload_problem"]
    assert git(root, "log", "-1", "--format=%s").strip() == "我的修改"


def test_undo_makes_a_new_save_that_reverses_one(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    data_dir = root / "sites_data"
    r = routes(root)
    site = sorted((data_dir / "sites" / "2026").glob("*.yml"))[0]
    original = site.read_bytes()
    edit(site, "要撤销的")
    ok(r, "save", {"message": "加一个标签", "name": "张三"})
    other = sorted((data_dir / "sites" / "2025").glob("*.yml"))[0]
    edit(other, "保留的")
    ok(r, "save", {"message": "另一处修改", "name": "张三"})
    history = ok(r, "history")["saved"]
    target = next(s for s in history if s["message"] == "加一个标签")
    undone = ok(r, "undo", {"commit": target["commit"], "name": "李四"})
    assert undone["uploaded"] is True
    assert site.read_bytes() == original and "保留的" in other.read_text(encoding="utf-8")
    log = git(root, "log", "-1", "--format=%an|%s%n%b")
    assert log.startswith("李四|撤销：加一个标签") and target["commit"] in log
    assert git(tmp_path / "server.git", "log", "-1", "--format=%s", "main").strip() == "撤销：加一个标签"
    history = ok(r, "history")["saved"]
    assert history[0]["undoes"] == target["commit"]
    again = next(s for s in history if s["commit"] == target["commit"])
    assert again["undone_by"] == history[0]["commit"] and again["undo_refusal"]
    assert "撤销过" in refused(r, "undo", {"commit": target["commit"], "name": "李四"}, 409)
    assert git(root, "status", "--porcelain") == ""


def test_undo_is_refused_when_it_would_conflict_or_break_the_data(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    data_dir = root / "sites_data"
    r = routes(root)
    site = sorted((data_dir / "sites" / "2026").glob("*.yml"))[0]
    text = site.read_text(encoding="utf-8")
    edit(site, "第一次")
    ok(r, "save", {"message": "第一次", "name": "张三"})
    site.write_text(text, encoding="utf-8")
    edit(site, "第二次")
    ok(r, "save", {"message": "第二次", "name": "张三"})
    first = next(s for s in ok(r, "history")["saved"] if s["message"] == "第一次")
    before = files(data_dir)
    message = refused(r, "undo", {"commit": first["commit"], "name": "张三"}, 409)
    assert "冲突" in message and "没有任何改动" in message
    assert files(data_dir) == before and git(root, "status", "--porcelain") == ""

    # Undoing the addition of a site that an experience added later names: invalid data.
    new_site = data_dir / "sites" / "2026" / "ceshi-xinzeng.yml"
    new_site.write_text(site.read_text(encoding="utf-8"), encoding="utf-8")
    ok(r, "save", {"message": "新增示范点", "name": "张三"})
    exp = sorted((data_dir / "experiences").rglob("*.yml"))[0]
    exp_text = exp.read_text(encoding="utf-8")
    exp.write_text(re.sub(r"^sites:\n", "sites:\n  - ceshi-xinzeng\n", exp_text, count=1,
                          flags=re.M), encoding="utf-8")
    assert loader.load(data_dir).ok
    ok(r, "save", {"message": "经验关联新示范点", "name": "张三"})
    added = next(s for s in ok(r, "history")["saved"] if s["message"] == "新增示范点")
    before = files(data_dir)
    message = refused(r, "undo", {"commit": added["commit"], "name": "张三"}, 409)
    assert "会有错误" in message and "ceshi-xinzeng" in message
    assert files(data_dir) == before and git(root, "status", "--porcelain") == ""

    # Unsaved changes first; a save that also touched the project's code.
    site.write_text(site.read_text(encoding="utf-8") + "# 未保存\n", encoding="utf-8")
    assert "先保存" in refused(r, "undo", {"commit": added["commit"], "name": "张三"}, 409)
    site.write_text(text, encoding="utf-8")
    edit(site, "第二次")
    (root / "README.md").write_text("代码和数据一起改\n", encoding="utf-8")
    exp.write_text(exp_text, encoding="utf-8")
    git(root, "commit", "-qam", "技术人员的修改")
    mixed = ok(r, "history")["saved"][0]
    assert mixed["message"] == "技术人员的修改" and "数据文件夹以外" in mixed["undo_refusal"]
    assert "数据文件夹以外" in refused(r, "undo", {"commit": mixed["commit"]}, 409)
    assert "选择" in refused(r, "undo", {"commit": "HEAD~1"}, 422)
    assert "没有这次保存" in refused(r, "undo", {"commit": "0" * 40}, 404)


def test_data_in_a_repository_of_its_own(tmp_path: Path) -> None:
    """The data folder may be its own repository (no sites_data/ prefix in its paths)."""
    root = make_project(tmp_path, repository=False)
    data_dir = root / "sites_data"
    git(data_dir, "init", "-q", "-b", "main")
    git(data_dir, "add", "-A")
    git(data_dir, "commit", "-q", "-m", "数据")
    git(data_dir, "config", "user.name", "数据管理员")
    r = routes(root)
    site = sorted((data_dir / "sites" / "2026").glob("*.yml"))[0]
    edit(site, "新")
    status = ok(r, "status")
    assert status["remote"] is None and status["author"] == "数据管理员"
    assert [c["path"] for c in status["changes"]] == [f"sites_data/sites/2026/{site.name}"]
    saved = ok(r, "save", {"message": "本地保存"})
    assert saved["uploaded"] is False and saved["remote"] is None and "只在这台电脑上" in saved["message"]
    history = ok(r, "history")["saved"]
    assert history[0]["files"][0]["path"] == f"sites_data/sites/2026/{site.name}"
    assert history[0]["uploaded"] is None
    assert "没有设置服务器" in refused(r, "upload", {}, 409)


def test_a_second_file_with_a_taken_id_can_be_renamed_from_the_list(tmp_path: Path) -> None:
    """The check says 标识重复 and the guide says to rename one of the two: the second file
    (which the data cannot use) is listed and can be renamed."""
    root = make_project(tmp_path, repository=False)
    data_dir = root / "sites_data"
    r = routes(root)
    original = sorted((data_dir / "sites" / "2025").glob("*.yml"))[0]
    copy = data_dir / "sites" / "2026" / original.name
    shutil.copy2(original, copy)
    assert any("重复" in p["message"] for f in ok(r, "check")["files"] for p in f["problems"])
    shown = f"sites_data/sites/2026/{original.name}"
    listed = [e for e in ok(r, "records")["records"]["sites"] if e["id"] == original.stem]
    assert {e["path"] for e in listed} == {shown, f"sites_data/sites/2025/{original.name}"}
    ok(r, "rename", {"path": shown, "new_id": original.stem + "-2", "apply": True})
    assert ok(r, "check")["ok"]


# ---------------------------------------------------------------- the words clerks read

GIT_WORDS = re.compile(r"(?<![a-z])git(?![a-z])|commit|push|pull|merge|revert|branch|"
                       r"提交|推送|拉取|分支|合并|回滚|仓库", re.I)


def test_the_task_pages_speak_no_git() -> None:
    """“No git words in the interface”: what the task pages and their script show (their
    text and the script's Chinese strings) says 保存到版本库, 历史记录, 撤销, 上传到服务器."""
    from generator.staff import cms

    shown = {f"{name}.html": re.sub(r"<[^>]+>", " ", cms.task_page(name).decode("utf-8"))
             for name in cms.TASK_PAGES}
    script = (cms.ASSETS / "tasks.js").read_text(encoding="utf-8")
    shown["tasks.js"] = "\n".join(s for s in re.findall(r"[\"'`]([^\"'`\n]*)[\"'`]", script)
                                  if CJK.search(s))
    assert "保存到版本库" in shown["save.html"] and "撤销" in shown["tasks.js"]
    found = [f"{where}: {m[0]!r}" for where, text in shown.items()
             for m in GIT_WORDS.finditer(text)]
    assert not found, found


def test_a_repository_a_technician_left_half_way_is_refused_in_the_clerks_words(
        tmp_path: Path) -> None:
    """A detached HEAD or an unfinished merge: saving and undoing are refused with a sentence
    that sends the clerk to a technician, without git's words for the clerk to decode."""
    root = make_project(tmp_path, remote=False)
    r = routes(root)
    edit(sorted((root / "sites_data" / "sites" / "2026").glob("*.yml"))[0], "新标签")
    git(root, "checkout", "-q", "--detach")
    message = refused(r, "save", {"message": "补充标签", "name": "张三"}, 409)
    assert "技术人员" in message and not GIT_WORDS.search(message.split("（")[0]), message
    git(root, "checkout", "-q", "main")
    # What an interrupted merge leaves (newer git refuses `update-ref` on MERGE_HEAD).
    (root / ".git" / "MERGE_HEAD").write_text(git(root, "rev-parse", "HEAD"), encoding="utf-8")
    message = refused(r, "save", {"message": "补充标签", "name": "张三"}, 409)
    assert "技术人员" in message and "不能保存或撤销" in message, message
