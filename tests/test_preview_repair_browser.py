"""A clerk repairs broken data in the browser (issue 20, item 6), in Debian's Chromium: the
preview of data with a YAML error shows the error list (axe-clean), "修改原文" opens the
file's text, saving the repaired text brings the site back by itself."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_support import chromium, require_chromium
from test_accessibility import AXE, AXE_VERSION, run_axe
from test_site_support import AS_OF, MINIMAL, REPO, cli_env, free_port, http_get

require_chromium()


@pytest.fixture
def broken_preview(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(MINIMAL, root / "sites_data")
    site = next((root / "sites_data" / "sites").rglob("*.yml"))
    good = site.read_text(encoding="utf-8")
    # what a merge with a conflict leaves in a file
    site.write_text(good.replace("summary: ", "<<<<<<< HEAD\nsummary: ", 1), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}",
         "--as-of", AS_OF], cwd=root, env=cli_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, encoding="utf-8")
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while "数据有错误" not in http_get(base):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        yield base, site, good
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_clerk_repairs_a_file_in_the_browser(broken_preview) -> None:  # type: ignore[no-untyped-def]
    base, site, good = broken_preview
    assert f"axe v{AXE_VERSION}" in AXE.read_text(encoding="utf-8")[:200]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.set_default_timeout(120_000)  # a rebuild on a loaded machine
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
            ("http://127.0.0.1", "data:")) else None)
        page.goto(base + "sites/")
        assert page.locator("h1").inner_text() == "数据有错误，预览暂停更新"
        assert site.stem in page.locator("main").inner_text()
        assert run_axe(page, AXE.read_text(encoding="utf-8")) == []
        page.get_by_role("link", name="修改原文").first.click()
        text = page.locator("#fix-text")
        text.wait_for(state="visible")
        page.wait_for_function("!document.querySelector('#fix-text').disabled")
        assert "<<<<<<< HEAD" in text.input_value()
        assert run_axe(page, AXE.read_text(encoding="utf-8")) == []
        # a save that still does not parse is refused, and the file stays as it was
        page.get_by_role("button", name="保存").click()
        page.wait_for_function("document.querySelector('#fix-result').textContent.length > 5")
        assert "没有保存" in page.locator("#fix-result").inner_text()
        text.fill(good)
        page.get_by_role("button", name="保存").click()
        page.wait_for_function("document.querySelector('#fix-result').textContent.includes('已保存')")
        assert site.read_text(encoding="utf-8") == good
        deadline = time.monotonic() + 90
        while True:
            page.goto(base + f"sites/{site.stem}/")
            if page.locator("article.md-content__inner h1").count():
                break
            assert time.monotonic() < deadline, page.content()[:2000]
            time.sleep(0.5)
        assert re.search("数据有错误", page.content()) is None
        assert outside == []
