"""Take the staff guide's screenshots of the double-click start and the task pages
(content/guide/img/tasks/*.png) from the real screens: a temporary copy of the project with
the sample data in a git repository whose server is a bare repository, started by
scripts/launch.py as the launchers start it, and Debian's Chromium doing the steps the
guide describes (a category mistyped in one record, as a reported error).

    .venv/bin/python scripts/guide-screenshots.py

The editor's own screenshots (content/guide/img/editor/) come from scripts/editor-screenshots.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "content" / "guide" / "img" / "tasks"
SHOTS = ("launcher", "tasks", "check", "import", "import-preview", "import-problems",
         "documents", "records", "save", "history")
BROKEN = "sites/2025/anxiang-huangshantou-guihua-cun.yml"
ENV = {"GIT_AUTHOR_NAME": "技术人员", "GIT_AUTHOR_EMAIL": "tech@example.cn",
       "GIT_COMMITTER_NAME": "技术人员", "GIT_COMMITTER_EMAIL": "tech@example.cn"}


def git(cwd: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", *args], cwd=cwd, env={**env, **ENV}, check=True,
                   capture_output=True)


def project(tmp: Path) -> Path:
    root = tmp / "展示平台"
    root.mkdir()
    for name in ("mkdocs.yml", "pyproject.toml", "requirements.lock"):
        shutil.copy2(REPO / name, root / name)
    for folder in ("theme", "content", "sites_data", "scripts", "generator"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / ".gitignore").write_text("/.venv\n/build/\n/.cache/\n", encoding="utf-8")
    broken = root / "sites_data" / BROKEN
    broken.write_text(broken.read_text(encoding="utf-8").replace("category: rural",
                                                                 "category: rurl"),
                      encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "现有数据")
    server = tmp / "server.git"
    git(tmp, "init", "-q", "--bare", "-b", "main", str(server))
    git(root, "remote", "add", "origin", str(server))
    git(root, "push", "-q", "-u", "origin", "main")
    return root


def state(root: Path) -> dict[str, object]:
    try:
        value = json.loads((root / "build" / "launcher.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def wait(predicate: object, what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"错误：等待{what}超时。")
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3):
            return True
    except OSError:
        return False


def choose(page: Page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).last.click()
    page.keyboard.type(text)
    page.get_by_role("option", name=text).first.click()


def referred_site(root: Path) -> str:
    """The file of a site that an experience names (deleting it is refused)."""
    sys.path.insert(0, str(REPO))
    from generator.data import loader

    data = loader.load(root / "sites_data")
    first = data.experiences[sorted(data.experiences)[0]]
    return data.source("sites", first.sites[0]).path


def take(root: Path, tmp: Path, progress: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                      accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(60_000)

        def shot(name: str, full: bool = False) -> None:
            page.wait_for_timeout(400)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)

        page.goto(progress)
        page.get_by_text("启动预览：正在进行").wait_for()
        shot("launcher")
        page.wait_for_url("**/admin/**", timeout=300_000)
        base = str(state(root)["preview"]).rstrip("/")
        page.get_by_role("button", name="登录").click()
        page.get_by_role("link", name="示范点").first.wait_for()
        page.goto(f"{base}/admin/tasks.html")
        page.locator("#sc-state p").wait_for()
        shot("tasks")

        page.goto(f"{base}/admin/check.html")
        page.locator("#check-result .sc-file").wait_for()
        shot("check")
        page.locator("#check-result").get_by_role("link", name="在表单中修改").click()
        page.get_by_label("党组织全称").wait_for()
        choose(page, "类别", "农村")
        page.get_by_role("button", name="保存", exact=True).click()
        page.get_by_text("保存到本机").click()
        page.locator("#showcase-check").get_by_role("button", name="关闭").wait_for()

        page.goto(f"{base}/admin/import.html")
        shot("import")
        with page.expect_download() as got:
            page.get_by_role("button", name="下载考评模板").click()
        template = tmp / "考评模板.xlsx"
        got.value.save_as(template)
        book = openpyxl.load_workbook(template)
        listed = [row for row in book["示范点名单"].iter_rows(min_row=2, values_only=True)
                  if row[4] == 2026 and row[5] == "创建单位"][:3]
        sheet = book["考评结果"]
        for n, row in enumerate(listed):
            sheet.append([row[0], None, 2026, f"2026-11-{20 + n}", "合格" if n != 2 else "不合格",
                          86 - n, "市委组织部第二考评组", "党员积分制管理有特色" if n == 0 else None])
        good = tmp / "2026年度考评结果.xlsx"
        book.save(good)
        sheet.append([listed[0][0], None, 2026, None, "良好", None, None, None])
        sheet.append(["anxiang-hexin-cun", None, 2026, None, "合格", None, None, None])
        bad = tmp / "有错的考评结果.xlsx"
        book.save(bad)
        page.get_by_label("填好的工作簿（.xlsx）").set_input_files(str(bad))
        page.locator("#import-result").get_by_text("没有导入任何内容").wait_for()
        shot("import-problems")
        page.get_by_label("填好的工作簿（.xlsx）").set_input_files(str(good))
        page.locator("#import-result").get_by_text("预览：").wait_for()
        page.get_by_role("heading", name="第三步：核对预览，确认导入").scroll_into_view_if_needed()
        shot("import-preview")
        page.get_by_role("button", name="确认导入").click()
        page.locator("#import-done").get_by_text("已导入").wait_for()

        page.goto(f"{base}/admin/documents.html")
        page.locator("#compile-id option").first.wait_for(state="attached")
        shot("documents")

        page.goto(f"{base}/admin/records.html")
        page.locator("#records-info p").first.wait_for()
        page.get_by_label("记录", exact=True).select_option(value=referred_site(root))
        page.get_by_role("button", name="删除", exact=True).click()
        page.get_by_role("button", name="确认删除").click()
        page.locator("#records-result").get_by_text("不能删除").wait_for()
        shot("records")

        page.goto(f"{base}/admin/save.html")
        page.locator("#save-form").wait_for()
        page.get_by_label("说明").fill("改正类别，录入 2026 年度考评结果")
        page.get_by_label("您的姓名").fill("王文书")
        shot("save")
        page.get_by_role("button", name="保存到版本库").click()
        page.locator("#save-result").get_by_text("已保存到版本库").wait_for()
        page.locator("#save-history tbody tr").filter(has_text="改正类别").wait_for()
        page.locator("#save-changes").get_by_text("没有还没保存的修改").wait_for()
        page.wait_for_timeout(400)
        page.locator("section[aria-labelledby=save-history-title]").screenshot(
            path=str(OUT / "history.png"))
        browser.close()


def main() -> int:
    if not Path("/usr/bin/chromium").exists():
        print("错误：需要 Debian 的 chromium（scripts/setup.sh 会安装）。", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        root = project(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env["HOME"] = str(tmp)  # no git identity: the clerk types a name
        launcher = subprocess.Popen([sys.executable, "scripts/launch.py", "--no-browser",
                                     "--port", "8610"], cwd=root, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait(lambda: isinstance(state(root).get("progress"), str), "进度页")
            take(root, tmp, str(state(root)["progress"]))
        finally:
            launcher.terminate()
            launcher.wait(timeout=60)
    for name in SHOTS:
        print(OUT / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
