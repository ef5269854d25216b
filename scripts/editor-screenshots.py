"""Take the screenshots of the staff guide's chapter "在网页上编辑" (content/guide/editor.md)
from the real editor: `showcase serve` on a temporary copy of the sample data, Debian's
Chromium driven by Playwright, the same steps the chapter describes. Writes only
content/guide/img/editor/*.png (the files named below).

    .venv/bin/python scripts/editor-screenshots.py
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "content" / "guide" / "img" / "editor"
PHOTO = REPO / "sites_data" / "media" / "photos" / "binjiang-dangqun.jpg"
SHOTS = ("login", "list", "new-site", "evaluation", "photo-upload", "saved", "problem")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


def _choose(page: Page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).last.click()
    page.keyboard.type(text)
    page.get_by_role("option", name=text).first.click()


def _save(page: Page) -> None:
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("保存到本机").click()
    page.locator("#showcase-check").get_by_role("button", name="关闭").wait_for()
    page.locator(".Toastify__toast").first.wait_for(state="detached")


def take(base: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 760}, locale="zh-CN")
        page.set_default_timeout(30_000)

        def shot(name: str) -> None:
            page.wait_for_timeout(400)
            page.screenshot(path=str(OUT / f"{name}.png"))

        page.goto(f"{base}/admin/")
        page.get_by_role("button", name="登录").wait_for()
        shot("login")
        page.get_by_role("button", name="登录").click()
        page.get_by_role("link", name="示范点").first.wait_for()
        shot("list")
        page.goto(f"{base}/admin/#/collections/sites/new")
        page.get_by_label("标识（文件名）").fill("wuling-xincun")
        page.get_by_label("党组织全称").fill("中共常德市武陵区芙蓉街道新村社区委员会")
        _choose(page, "类别", "街道社区")
        _choose(page, "管理单位", "武陵区委组织部")
        page.get_by_label("创建批次（年度）").fill("2026")
        page.get_by_label("一句话简介").fill("以“红色物业”联动居民议事，老旧小区焕新。")
        page.get_by_label("标识（文件名）").scroll_into_view_if_needed()
        shot("new-site")
        page.get_by_role("button", name="新增考评记录").click()
        page.get_by_label("考评年度").fill("2026")
        _choose(page, "考评结果", "合格（pass）")
        page.get_by_label("考评年度").scroll_into_view_if_needed()
        shot("evaluation")
        page.get_by_role("button", name="新增照片").click()
        page.get_by_role("button", name="选择图片").click()
        page.locator("input[type=file]").set_input_files(str(PHOTO))
        page.get_by_text(PHOTO.name).first.wait_for()
        page.wait_for_timeout(1500)  # the media library fades in
        shot("photo-upload")
        page.get_by_role("button", name="选用已选中项目").click()
        page.get_by_label("说明").fill("社区党群服务中心")
        if page.get_by_label("替代文字").count():
            page.get_by_label("替代文字").fill("社区党群服务中心门前，党员志愿者在为居民服务")
        _save(page)
        shot("saved")
        # A cross-record problem: a second evaluation of the same year.
        page.get_by_role("button", name="关闭").click()
        page.get_by_role("button", name="新增考评记录").click()
        page.get_by_label("考评年度").last.fill("2026")
        _choose(page, "考评结果", "优秀（excellent）")
        _save(page)
        shot("problem")
        browser.close()


def main() -> int:
    if not Path("/usr/bin/chromium").exists():
        print("错误：需要 Debian 的 chromium（scripts/setup.sh 会安装）。", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
        for folder in ("theme", "content", "sites_data"):
            shutil.copytree(REPO / folder, root / folder)
        (root / ".venv" / "share").mkdir(parents=True)
        (root / ".venv" / "share" / "showcase-editor").symlink_to(
            REPO / ".venv" / "share" / "showcase-editor")
        port = _port()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--dev-addr",
                                 f"127.0.0.1:{port}", "--as-of", "2026-11-28"], cwd=root, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while not _up(f"{base}/"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    print("错误：showcase serve 没有启动。", file=sys.stderr)
                    return 1
                time.sleep(0.5)
            take(base)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    for name in SHOTS:
        print(OUT / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
