"""The browser editor end to end: ``showcase serve`` on a copy of the sample, Decap CMS at
/admin/ in Debian's Chromium, saving through the local backend into sites_data/."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, LAUNCH_ARGS, TIMEOUT_MS, require_chromium
from conftest import REPO, run_showcase
from test_site_support import free_port, http_get

from generator.data import loader
from generator.engines import editor_server

require_chromium()

from playwright.sync_api import Page, sync_playwright  # noqa: E402

AS_OF = "2026-11-28"
PHOTO = REPO / "sites_data" / "media" / "photos" / "binjiang-dangqun.jpg"
# A sample site with one evaluation (2025, pass, score 83).
EDITED = "sites/2025/anxiang-huangshantou-guihua-cun.yml"


def _wait_for(url: str, text: str, proc: subprocess.Popen[bytes], log: Path,
              timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while text not in http_get(url):
        assert proc.poll() is None, log.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, f"{url} never showed {text!r}\n" + \
            log.read_text(encoding="utf-8")
        time.sleep(0.3)


class Served:
    def __init__(self, root: Path, base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.root, self.base, self.proc, self.log = root, base, proc, log
        self.data = root / "sites_data"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    vendor = editor_server.vendor_dir(REPO)
    if not (vendor / "decap-cms.js").is_file():
        pytest.skip("the editor's JavaScript is not installed (scripts/setup.sh)")
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("theme", "content", "sites_data"):
        shutil.copytree(REPO / folder, root / folder)
    (root / ".venv" / "share").mkdir(parents=True)  # where the editor's JavaScript is found
    (root / ".venv" / "share" / "showcase-editor").symlink_to(vendor)
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}",
             "--as-of", AS_OF], cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/", "<html", proc, log)
        yield Served(root, base, proc, log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "Traceback" not in log.read_text(encoding="utf-8")


@pytest.fixture
def page(served: Served) -> Iterator[Page]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        pg = context.new_page()
        outside: list[str] = []
        pg.on("request", lambda r: outside.append(r.url)
              if not r.url.startswith((served.base, "blob:", "data:")) else None)
        try:
            yield pg
        finally:
            browser.close()
        assert outside == [], f"the editor fetched from outside this machine: {outside}"


def _open(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/admin/")
    page.get_by_role("button", name="登录").click()  # the local backend needs no account
    page.get_by_role("link", name="示范点").first.wait_for()


def _choose(page: Page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).last.click()  # the last: a list's new item
    page.keyboard.type(text)
    page.get_by_role("option", name=text).first.click()


def _save(page: Page) -> str:
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("保存到本机").click()
    panel = page.locator("#showcase-check")
    closing = panel.get_by_role("button", name="关闭")
    failed = page.locator(".Toastify__toast--error")
    try:
        closing.or_(failed).first.wait_for()
    except Exception:
        page.screenshot(path="/tmp/editor-timeout.png")
        raise
    if failed.count():
        page.screenshot(path=str(Path(os.environ.get("TMPDIR", "/tmp")) / "editor-failed.png"))
        raise AssertionError("the editor did not save: " + failed.first.inner_text())
    return panel.inner_text()


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_staff_create_a_site_with_an_evaluation_and_a_photo(served: Served, page: Page) -> None:
    _open(page, served)
    page.goto(f"{served.base}/admin/#/collections/sites/new")
    page.get_by_label("标识（文件名）").fill("ceshi-xincun")
    page.get_by_label("党组织全称").fill("中共武陵区测试镇新村支部委员会")
    _choose(page, "类别", "农村")
    _choose(page, "管理单位", "武陵区委组织部")
    page.get_by_label("创建批次（年度）").fill("2026")
    page.get_by_label("一句话简介").fill("网页编辑器新建的示范点。")
    page.get_by_role("button", name="新增考评记录").click()
    page.get_by_label("考评年度").fill("2026")
    _choose(page, "考评结果", "合格（pass）")
    page.get_by_role("button", name="新增照片").click()
    page.get_by_role("button", name="选择图片").click()
    page.locator("input[type=file]").set_input_files(str(PHOTO))
    page.get_by_text(PHOTO.name).first.wait_for()
    page.get_by_role("button", name="选用已选中项目").click()
    page.get_by_label("说明").fill("新村党群服务中心")
    if page.get_by_label("替代文字").count():  # photos of published pages need alt text
        page.get_by_label("替代文字").fill("村党群服务中心门前，党员志愿者在为村民服务")
    report = _save(page)
    saved = served.data / "sites" / "2026" / "ceshi-xincun.yml"
    assert saved.is_file(), report
    assert "检查通过" in report, report
    assert (served.data / "media" / "photos" / PHOTO.name).read_bytes() == PHOTO.read_bytes()
    site = loader.load(served.data).sites["ceshi-xincun"]
    assert site.name == "中共武陵区测试镇新村支部委员会"
    assert (site.category, site.unit, site.batch) == ("rural", "wuling", 2026)
    assert [(e.year, e.result) for e in site.evaluations] == [(2026, "pass")]
    assert [(p.file, p.caption) for p in site.photos] == [(f"photos/{PHOTO.name}", "新村党群服务中心")]
    result = run_showcase("validate", "--data", str(served.data))
    assert result.returncode == 0, result.stdout + result.stderr
    _wait_for(f"{served.base}/sites/ceshi-xincun/", "中共武陵区测试镇新村支部委员会",
              served.proc, served.log)
    # the check panel links to that preview page
    href = page.locator("#showcase-check a").get_attribute("href")
    assert href == "/sites/ceshi-xincun/"


def test_editing_an_evaluation_changes_only_that_file(served: Served, page: Page) -> None:
    before = _hashes(served.data)
    old = loader.load(served.data).sites["anxiang-huangshantou-guihua-cun"]
    _open(page, served)
    page.goto(f"{served.base}/admin/#/collections/sites/entries/"
              "2025/anxiang-huangshantou-guihua-cun")
    page.get_by_text("1 考评记录").wait_for()
    page.get_by_label("得分（不公开）").fill("91.5")
    report = _save(page)
    assert "检查通过" in report, report
    after = _hashes(served.data)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed == {EDITED}
    new = loader.load(served.data).sites["anxiang-huangshantou-guihua-cun"]
    assert new.evaluations[0].score == 91.5
    expected = old.model_copy(update={"evaluations": [
        old.evaluations[0].model_copy(update={"score": 91.5})]})
    assert new == expected


def test_a_save_with_problems_names_the_field_in_chinese(served: Served, page: Page) -> None:
    _open(page, served)
    page.goto(f"{served.base}/admin/#/collections/sites/entries/"
              "2025/anxiang-huangshantou-guihua-cun")
    # A second evaluation in the same year: a cross-record rule no form can check.
    page.get_by_role("button", name="新增考评记录").click()
    page.get_by_label("考评年度").last.fill("2025")
    _choose(page, "考评结果", "合格（pass）")
    report = _save(page)
    assert "发现" in report and "考评记录" in report, report


def test_editing_an_experience_in_rich_text_keeps_the_rest(served: Served, page: Page) -> None:
    """The Markdown field in its rich-text mode, the relations and the taxonomy selects of
    an experience: a changed summary is the only change, and the file stays valid."""
    ident = "kuaidi-xiaoge-yizhan"
    before = _hashes(served.data)
    old = loader.load(served.data).experiences[ident]
    _open(page, served)
    page.goto(f"{served.base}/admin/#/collections/experiences")
    page.locator(f"a[href*='{ident}']").first.click()
    page.get_by_text("新就业群体党建").first.wait_for()  # the theme, by its Chinese name
    summary = page.locator("[data-slate-editor]").first
    summary.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("已在全市推广。")
    report = _save(page)
    assert "检查通过" in report, report
    after = _hashes(served.data)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed == {f"experiences/2026/{ident}.yml"}
    new = loader.load(served.data).experiences[ident]
    assert new.summary.startswith(old.summary.rstrip()) and new.summary.rstrip().endswith("已在全市推广。")
    assert new.model_copy(update={"summary": old.summary}) == old
