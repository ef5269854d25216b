"""A clerk's five everyday tasks through /admin/ only (issue 25, "Done when"): ``showcase
serve`` on a copy of the sample in a git repository whose server is a bare repository, and
Debian's Chromium doing what the guide tells a clerk to do — fix an error the check reports,
add a site with a photo, import an evaluation workbook (preview, then confirm), save the
changes to the repository (a new commit on the server with the typed message) and undo one
of them, download a compilation's PDF. Nothing is typed into a terminal: the test only
fills the downloaded template as Excel would and reads the results back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from browser_support import CHROMIUM, LAUNCH_ARGS, require_chromium
from conftest import REPO
from test_site_support import free_port, http_get

from generator.data import loader
from generator.engines import editor_server

require_chromium()

from playwright.sync_api import Page, sync_playwright  # noqa: E402

AS_OF = "2026-11-28"
PHOTO = REPO / "sites_data" / "media" / "photos" / "binjiang-dangqun.jpg"
BROKEN = "sites/2025/anxiang-huangshantou-guihua-cun.yml"
GIT_ENV = {"GIT_AUTHOR_NAME": "技术人员", "GIT_AUTHOR_EMAIL": "tech@example.cn",
           "GIT_COMMITTER_NAME": "技术人员", "GIT_COMMITTER_EMAIL": "tech@example.cn"}
LONG = 240_000  # a PDF on a loaded machine


def git(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                            env={**env, **GIT_ENV}, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


class Served:
    def __init__(self, root: Path, server: Path, base: str, proc: subprocess.Popen[bytes],
                 log: Path) -> None:
        self.root, self.server, self.base, self.proc, self.log = root, server, base, proc, log
        self.data = root / "sites_data"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    vendor = editor_server.vendor_dir(REPO)
    assert (vendor / "decap-cms.js").is_file(), "run scripts/setup.sh (the editor's JavaScript)"
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("theme", "content", "sites_data"):
        shutil.copytree(REPO / folder, root / folder)
    (root / ".gitignore").write_text("/.venv/\n/build/\n/.cache/\n", encoding="utf-8")
    (root / ".venv" / "share").mkdir(parents=True)
    (root / ".venv" / "share" / "showcase-editor").symlink_to(vendor)
    # The error someone reported: a category key mistyped in a site file.
    broken = root / "sites_data" / BROKEN
    broken.write_text(broken.read_text(encoding="utf-8").replace("category: rural",
                                                                 "category: rurl"),
                      encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "现有数据")
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
    git(root, "remote", "add", "origin", str(server))
    git(root, "push", "-q", "-u", "origin", "main")
    home = tmp_path / "home"  # no git identity of this machine's: the clerk types a name
    home.mkdir()
    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(home), PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""))
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}",
             "--as-of", AS_OF], cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while "预览地址" not in log.read_text(encoding="utf-8"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.3)
        yield Served(root, server, base, proc, log)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert "Traceback" not in log.read_text(encoding="utf-8")


@pytest.fixture
def page(served: Served) -> Iterator[Page]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                      accept_downloads=True)
        context.set_default_timeout(30_000)
        pg = context.new_page()
        outside: list[str] = []
        errors: list[str] = []
        pg.on("request", lambda r: outside.append(r.url)
              if not r.url.startswith((served.base, "blob:", "data:")) else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        try:
            yield pg
        finally:
            browser.close()
        assert outside == [], f"the browser fetched from outside this machine: {outside}"
        assert errors == [], errors


def _choose(page: Page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).last.click()
    page.keyboard.type(text)
    page.get_by_role("option", name=text).first.click()


def _save_form(page: Page) -> str:
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("保存到本机").click()
    panel = page.locator("#showcase-check")
    panel.get_by_role("button", name="关闭").wait_for()
    return panel.inner_text()


def _menu(page: Page, label: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=label, exact=True).first.click()
    page.get_by_role("heading", level=1).wait_for()


def test_a_clerks_five_tasks_through_the_browser_only(served: Served, page: Page,
                                                     tmp_path: Path) -> None:
    base = served.base
    # The preview says the data has an error; the editor's menu leads to the check.
    page.goto(f"{base}/")
    page.get_by_role("heading", name="数据有错误，预览暂停更新").wait_for()
    page.goto(f"{base}/admin/")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="示范点").first.wait_for()
    page.get_by_role("navigation", name="常用操作").get_by_role("link", name="检查数据").click()

    # 1. Fix the reported error: the check names it and opens the record's form.
    result = page.locator("#check-result")
    result.get_by_text("发现 1 个错误").wait_for()
    assert "rurl" in result.inner_text()
    result.get_by_role("link", name="在表单中修改").click()
    page.get_by_label("党组织全称").wait_for()
    _choose(page, "类别", "农村")
    assert "检查通过" in _save_form(page)
    page.goto(f"{base}/admin/check.html")
    page.locator("#check-result").get_by_text("检查通过").wait_for()
    assert "category: rural" in (served.data / BROKEN).read_text(encoding="utf-8")

    # 2. A new site with a photo, in the form.
    page.goto(f"{base}/admin/#/collections/sites/new")
    page.get_by_label("标识（文件名）").fill("ceshi-xincun")
    page.get_by_label("党组织全称").fill("中共武陵区测试镇新村支部委员会")
    _choose(page, "类别", "农村")
    _choose(page, "管理单位", "武陵区委组织部")
    page.get_by_label("创建批次（年度）").fill("2026")
    page.get_by_label("一句话简介").fill("网页编辑器新建的示范点。")
    page.get_by_role("button", name="新增照片").click()
    page.get_by_role("button", name="选择图片").click()
    page.locator("input[type=file]").set_input_files(str(PHOTO))
    page.get_by_text(PHOTO.name).first.wait_for()
    page.get_by_role("button", name="选用已选中项目").click()
    page.get_by_label("说明").fill("新村党群服务中心")
    page.get_by_label("替代文字").fill("村党群服务中心门前，党员志愿者在为村民服务")
    assert "检查通过" in _save_form(page)
    assert (served.data / "sites" / "2026" / "ceshi-xincun.yml").is_file()

    # 4a. Save these to the repository with the clerk's own words.
    page.goto(f"{base}/admin/save.html")
    changes = page.locator("#save-changes")
    changes.get_by_text("还没有保存到版本库").wait_for()
    assert "ceshi-xincun" in changes.inner_text() and BROKEN in changes.inner_text()
    page.get_by_label("说明").fill("改正类别，新增测试镇新村")
    page.get_by_label("您的姓名").fill("王文书")
    page.get_by_role("button", name="保存到版本库").click()
    page.locator("#save-result").get_by_text("并已上传到服务器").wait_for()
    assert git(served.server, "log", "-1", "--format=%an|%s", "main").strip() == \
        "王文书|改正类别，新增测试镇新村"

    # 3. Twenty evaluation results from a workbook: the template, filled as in Excel.
    _menu(page, "导入考评结果")
    with page.expect_download() as got:
        page.get_by_role("button", name="下载考评模板").click()
    template = tmp_path / got.value.suggested_filename
    got.value.save_as(template)
    assert template.name == "考评结果导入模板.xlsx"
    data = loader.load(served.data)
    due = sorted(i for i, s in data.sites.items()
                 if s.batch == 2026 and not s.evaluations and s.withdrawn is None)[:20]
    assert len(due) == 20
    book = openpyxl.load_workbook(template)
    listed = {row[0] for row in book["示范点名单"].iter_rows(min_row=2, values_only=True)}
    assert set(due) <= listed
    sheet = book["考评结果"]
    for n, ident in enumerate(due):
        sheet.append([ident, None, 2026, f"2026-11-{10 + n % 15:02d}",
                      "不合格" if n % 7 == 6 else "合格", 80 + n % 15, "第二考评组", None])
    filled = tmp_path / "2026年度考评结果.xlsx"
    book.save(filled)
    page.get_by_label("填好的工作簿（.xlsx）").set_input_files(str(filled))
    preview = page.locator("#import-result")
    preview.get_by_text("预览：20 条考评结果").wait_for()
    assert preview.locator("table").count() == 20
    assert all(loader.load(served.data).sites[i].evaluations == [] for i in due)  # preview only
    page.get_by_role("button", name="确认导入").click()
    page.locator("#import-done").get_by_text("已导入 20 条考评结果").wait_for()
    imported = loader.load(served.data)
    assert imported.ok and all(len(imported.sites[i].evaluations) == 1 for i in due)

    # 4b. Save the import, then undo it from the history.
    page.locator("#import-done").get_by_role("link", name="保存到版本库").click()
    page.get_by_label("说明").fill("录入 2026 年度考评结果")
    assert page.get_by_label("您的姓名").input_value() == "王文书"  # remembered
    page.get_by_role("button", name="保存到版本库").click()
    page.locator("#save-result").get_by_text("并已上传到服务器").wait_for()
    row = page.locator("#save-history tbody tr").filter(has_text="录入 2026 年度考评结果")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="撤销").click()
    page.locator("#save-result").get_by_text("已撤销").wait_for()
    undone = loader.load(served.data)
    assert undone.ok and all(undone.sites[i].evaluations == [] for i in due)
    assert "ceshi-xincun" in undone.sites  # the earlier save stays
    log = git(served.server, "log", "--format=%an|%s", "main").splitlines()
    assert log[:3] == ["王文书|撤销：录入 2026 年度考评结果", "王文书|录入 2026 年度考评结果",
                       "王文书|改正类别，新增测试镇新村"]
    page.locator("#save-history tbody tr").first.get_by_text("撤销了之前的一次保存").wait_for()

    # 5. A compilation's PDF.
    _menu(page, "导出与打印")
    comp = next(iter(sorted(undone.compilations.items())))
    page.get_by_label("经验汇编", exact=True).select_option(comp[0])
    page.get_by_label("PDF（用于打印，版式固定）").check()
    with page.expect_download(timeout=LONG) as got:
        page.get_by_role("button", name="生成经验汇编").click()
    pdf = tmp_path / "汇编.pdf"
    got.value.save_as(pdf)
    assert got.value.suggested_filename == f"{comp[1].title}.pdf"
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    assert len(reader.pages) > 3
    text = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in reader.pages[:3]))
    assert re.sub(r"\s+", "", comp[1].title)[:8] in text

    # The preview shows the site again, with the new site in it.
    deadline = time.monotonic() + 120
    while "中共武陵区测试镇新村支部委员会" not in http_get(f"{base}/sites/ceshi-xincun/"):
        assert time.monotonic() < deadline, served.log.read_text(encoding="utf-8")
        time.sleep(0.5)
    assert git(served.root, "status", "--porcelain") == ""


TASK_PAGES = ("tasks", "check", "import", "documents", "records", "save")


def test_the_task_pages_pass_axe_and_work_by_keyboard(served: Served, page: Page,
                                                      tmp_path: Path) -> None:
    """Every task page, with its answers shown (the error list, a preview, the history), at
    desktop and phone width: no axe-core violation, every tab stop visible, the skip link
    first; saving works with the keyboard alone."""
    from test_accessibility import AXE, run_axe, tab_stops

    source = AXE.read_text(encoding="utf-8")
    failures: list[str] = []
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for name in TASK_PAGES:
            page.goto(f"{served.base}/admin/{name}.html", wait_until="load")
            ready = {"check": "#check-result .sc-file", "save": "#save-history table",
                     "records": "#records-info p", "documents": "#compile-id option"}.get(name)
            if ready:
                page.locator(ready).first.wait_for(state="attached")
            for violation in run_axe(page, source):
                failures.append(f"{name}.html at {width} px: {violation['id']}: {violation['help']}"
                                f" {violation['nodes']}")
            page.goto(f"{served.base}/admin/{name}.html", wait_until="load")
            if ready:
                page.locator(ready).first.wait_for(state="attached")
            stops = tab_stops(page)
            assert stops and stops[0]["label"] == "跳到正文", (name, stops[:2])
            failures += [f"{name}.html at {width} px: invisible tab stop {s}" for s in stops
                         if s["hidden"] or s["w"] < 1 or s["h"] < 1]
    # A preview of a workbook with a bad row, and the delete confirmation, checked too
    # (on valid data: an import waits until the check passes).
    broken = served.data / BROKEN
    broken.write_text(broken.read_text(encoding="utf-8").replace("category: rurl",
                                                                 "category: rural"),
                      encoding="utf-8")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{served.base}/admin/import.html")
    book = openpyxl.Workbook()
    book.active.title = "考评结果"
    book.active.append(["单位id", "年度", "结果"])
    book.active.append(["no-such-site", 2026, "良好"])
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    page.get_by_label("填好的工作簿（.xlsx）").set_input_files(str(bad))
    page.locator("#import-result").get_by_text("没有导入任何内容").wait_for()
    assert not page.get_by_role("button", name="确认导入").is_visible()
    failures += [f"import preview: {v['id']}" for v in run_axe(page, source)]
    page.goto(f"{served.base}/admin/records.html")
    page.locator("#records-info p").first.wait_for()
    page.get_by_role("button", name="删除", exact=True).click()
    assert page.evaluate("document.activeElement.textContent") == "确认删除"
    failures += [f"delete confirmation: {v['id']}" for v in run_axe(page, source)]
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # 取消
    assert not page.locator("#records-delete-confirm").is_visible()
    assert not failures, "\n".join(failures)

    # Saving by keyboard alone: the message, the name, Enter.
    page.goto(f"{served.base}/admin/save.html")
    page.locator("#save-form").wait_for()
    page.get_by_label("说明").focus()
    page.keyboard.type("改正类别")
    page.keyboard.press("Tab")
    page.keyboard.type("王文书")
    page.keyboard.press("Enter")
    page.locator("#save-result").get_by_text("已保存到版本库").wait_for()
    assert git(served.server, "log", "-1", "--format=%s", "main").strip() == "改正类别"
