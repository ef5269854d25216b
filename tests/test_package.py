"""``showcase package``: the offline zip, unzipped and opened from the file system in
Chromium (no server, nothing allowed off the file system), and its exhibition-screen mode."""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import TIMEOUT_MS, chromium, require_chromium
from test_site_support import AS_OF, SAMPLE, run_cli

require_chromium()

from playwright.sync_api import Browser, Page  # noqa: E402

SEARCH_WORD = "时间银行"  # a word a few sample pages use (as in test_browser.py)
IDLE = 5


def package(out: Path, *args: str) -> Path:
    result = run_cli("package", "--data", str(SAMPLE), "--as-of", AS_OF, "--out", str(out), *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("packages")
    return {"plain": package(root / "展示平台.zip"),
            "kiosk": package(root / "kiosk.zip", "--kiosk", "--idle", str(IDLE))}


def unzipped(archive: Path, into: Path) -> Path:
    with zipfile.ZipFile(archive) as z:
        z.extractall(into)
    return into


@pytest.fixture(scope="module")
def offline(packages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unzipped(packages["plain"], tmp_path_factory.mktemp("offline"))


@pytest.fixture(scope="module")
def kiosk(packages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unzipped(packages["kiosk"], tmp_path_factory.mktemp("kiosk"))


_URLS = re.compile(r'\s(?:href|src|action|data-url)="([^"#?]*)[^"]*"')


def test_the_zip_is_deterministic_and_holds_the_whole_site(packages: dict[str, Path],
                                                           tmp_path: Path, offline: Path) -> None:
    again = package(tmp_path / "again.zip")
    assert again.read_bytes() == packages["plain"].read_bytes()
    with zipfile.ZipFile(packages["plain"]) as z:
        names = z.namelist()
        assert names == sorted(names) and "index.html" in names
        assert {info.date_time for info in z.infolist()} == {(2026, 11, 28, 0, 0, 0)}
        assert z.comment == b"showcase-generated: showcase package"
    for left_out in ("404.html", "sitemap.xml", "robots.txt", ".showcase-generated"):
        assert left_out not in names
    assert not [n for n in names if n.endswith((".gz", ".map")) or n.startswith("admin/")]
    assert [n for n in names if re.fullmatch(r"compilations/[^/]+\.pdf", n)], "no PDF"
    assert [n for n in names if re.fullmatch(r"media/photos/.+\.webp", n)], "no photos"
    assert "search/manifest.js" in names and "search/manifest.json" not in names


def test_every_link_of_every_page_names_a_file(offline: Path) -> None:
    """A link to a folder shows a file listing under file://: none is left."""
    bad = []
    for page in sorted(offline.rglob("*.html")):
        for url in _URLS.findall(page.read_text(encoding="utf-8")):
            if not url or re.match(r"^[a-z]+:|^//", url):
                continue
            target = (page.parent / url).resolve()
            if not target.is_file():
                bad.append(f"{page.relative_to(offline)}: {url}")
    assert not bad, "\n".join(bad[:20])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def _page(browser: Browser, **options: Any) -> tuple[Page, list[str]]:
    context = browser.new_context(locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.__dict__["errors"] = errors
    return page, requests


def _left_the_file_system(requests: list[str]) -> list[str]:
    return [u for u in requests if not u.startswith(("file://", "data:", "blob:", "about:"))]


def test_browsing_and_searching_from_the_file_system(browser: Browser, offline: Path) -> None:
    page, requests = _page(browser, viewport={"width": 1366, "height": 900})
    try:
        page.goto((offline / "index.html").as_uri(), wait_until="load")
        assert page.title().endswith("展示平台")
        # the menu to the directory, then a site
        page.locator(".md-tabs__link", has_text="示范点").first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/sites/index.html")
        page.locator("#sc-site-list a[href$='/index.html']").first.click()
        page.wait_for_load_state("load")
        assert re.search(r"/sites/[a-z0-9-]+/index\.html$", page.url), page.url
        assert page.locator("article.md-content__inner h1").inner_text().strip()
        # the library, then an experience
        page.locator(".md-tabs__link", has_text="典型经验").first.click()
        page.wait_for_load_state("load")
        page.locator("#sc-experience-list a[href$='/index.html']").first.click()
        page.wait_for_load_state("load")
        assert re.search(r"/experiences/[a-z0-9-]+/index\.html$", page.url), page.url
        # search, with the index loaded from the file system, and a result opened
        box = page.locator("input.md-search__input")
        box.click()
        box.fill(SEARCH_WORD)
        page.wait_for_function("document.querySelectorAll('.md-search-result__item').length > 0")
        link = page.locator(".md-search-result__link").first
        href = link.get_attribute("href") or ""
        assert href.endswith("/index.html"), href
        link.click()
        page.wait_for_load_state("load")
        assert SEARCH_WORD in page.locator("article.md-content__inner").inner_text()
        # the search page, as the 404 page's and a no-JavaScript search would use it
        page.goto((offline / "search" / "index.html").as_uri() + "?q=" + SEARCH_WORD)
        page.wait_for_function("document.querySelectorAll('#sc-search-results li').length > 0")
        # a photo in its dialog, and the PDF is there to open
        with_photo = next(p for p in sorted((offline / "sites").glob("*/index.html"))
                          if 'class="sc-zoom"' in p.read_text(encoding="utf-8"))
        page.goto(with_photo.as_uri(), wait_until="load")
        page.locator("a.sc-zoom").first.click()
        page.wait_for_function("document.querySelector('dialog.sc-lightbox img')?.naturalWidth > 0")
        assert page.__dict__["errors"] == []
    finally:
        page.context.close()
    assert len(requests) > 20
    assert _left_the_file_system(requests) == [], "requests off the file system"


def test_the_kiosk_returns_home_when_left_alone(browser: Browser, kiosk: Path) -> None:
    page, requests = _page(browser, viewport={"width": 1920, "height": 1080}, has_touch=True)
    try:
        site = sorted((kiosk / "sites").glob("*/index.html"))[0]
        page.goto(site.as_uri(), wait_until="load")
        started = time.monotonic()
        page.wait_for_url(re.compile(r"/kiosk\d*/index\.html$"), timeout=(IDLE + 5) * 1000)
        waited = time.monotonic() - started
        assert IDLE - 1 <= waited <= IDLE + 4, waited
        # touching the screen keeps the page: no return while someone uses it
        page.goto(site.as_uri(), wait_until="load")
        for _ in range(3):
            page.wait_for_timeout(IDLE * 1000 * 0.6)
            page.mouse.wheel(0, 200)
        assert page.url.endswith(site.relative_to(kiosk).as_posix())
        # the home button
        page.locator("a.sc-kiosk-home").click()
        page.wait_for_load_state("load")
        assert page.url == (kiosk / "index.html").as_uri()
        assert page.__dict__["errors"] == []
    finally:
        page.context.close()
    assert _left_the_file_system(requests) == []


def test_the_kiosk_has_no_way_out_and_large_targets(browser: Browser, kiosk: Path) -> None:
    outside = []
    for page_file in sorted(kiosk.rglob("*.html")):
        text = page_file.read_text(encoding="utf-8")
        for m in re.finditer(r"<a\b[^>]*\shref=\"([^\"]*)\"", text):
            url = m[1]
            path = re.split(r"[?#]", url)[0]
            if re.match(r"^[a-z]+:|^//", url) or (
                    path and not re.search(r"\.(?:html|pdf|jpe?g|png|webp|gif)$", path)):
                outside.append(f"{page_file.relative_to(kiosk)}: {url}")
        assert 'class="sc-kiosk-home"' in text
    assert not outside, "\n".join(outside[:10])
    page, _requests = _page(browser, viewport={"width": 1920, "height": 1080}, has_touch=True)
    try:
        for rel in ("index.html", "sites/index.html", "experiences/index.html"):
            page.goto((kiosk / rel).as_uri(), wait_until="load")
            small = page.evaluate("""() => [...document.querySelectorAll(
                'a[href], button, select, input:not([type=hidden]), summary')]
              .filter(e => {
                const r = e.getBoundingClientRect(), s = getComputedStyle(e);
                return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
                  && !e.closest('[aria-hidden=true]')
                  // links inside running text are exempt (WCAG 2.5.8: inline)
                  && !e.closest('.md-typeset p, .md-typeset li, .md-typeset td');
              })
              .map(e => e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 12)
                        + ' ' + Math.round(e.getBoundingClientRect().height) + 'px')
              .filter(x => parseInt(x.split(' ').pop()) < 44)""")
            assert small == [], f"{rel}: touch targets under 44 px: {small}"
    finally:
        page.context.close()


def test_kiosk_pdfs_open_in_a_dialog(browser: Browser, kiosk: Path) -> None:
    folder = kiosk
    page, _requests = _page(browser, viewport={"width": 1920, "height": 1080})
    try:
        page.goto((folder / "compilations" / "index.html").as_uri(), wait_until="load")
        page.locator("a[href$='.pdf']").first.click()
        page.wait_for_function("document.querySelector('dialog.sc-kiosk-pdf')?.open === true")
        assert page.url.endswith("compilations/index.html")  # the page stays; the PDF is in the dialog
        src = page.evaluate("document.querySelector('dialog.sc-kiosk-pdf iframe').src")
        assert src.endswith(".pdf") and Path(src.removeprefix("file://")).is_file()
        page.locator(".sc-kiosk-pdf__close").click()
        assert page.evaluate("document.querySelector('dialog.sc-kiosk-pdf').open") is False
    finally:
        page.context.close()


def test_the_output_file_is_guarded(tmp_path: Path) -> None:
    foreign = tmp_path / "site.zip"
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("readme.txt", "别人的文件")
    before = foreign.read_bytes()
    result = run_cli("package", "--data", str(SAMPLE), "--out", str(foreign))
    assert result.returncode == 2 and "不是 showcase" in result.stderr
    assert foreign.read_bytes() == before
    wrong = run_cli("package", "--data", str(SAMPLE), "--out", str(tmp_path / "site.tar"))
    assert wrong.returncode == 2 and ".zip" in wrong.stderr
    inside = run_cli("package", "--data", str(SAMPLE), "--out", str(SAMPLE / "x.zip"))
    assert inside.returncode == 2 and "数据目录" in inside.stderr
    assert not (SAMPLE / "x.zip").exists()
