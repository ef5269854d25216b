"""The published site in a real browser: Debian's /usr/bin/chromium driven by Playwright.

The sample data is built once (``python -m generator build --no-pdf``) into a temporary
folder and served by a local ``http.server`` thread; every test then loads pages from
127.0.0.1 and checks what a visitor sees: the home page, Chinese search, the directory's
filters (with and without JavaScript), that nothing is fetched from anywhere else (the
site must work in mainland China without foreign CDNs or Google Fonts), and that phones
never get a horizontal scroll bar.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import PHONE, TIMEOUT_MS, build_sample, chromium, require_chromium, serve

require_chromium()

from playwright.sync_api import Browser, Page  # noqa: E402

# A word from the body of one sample site page that only a few pages use, and that site.
SEARCH_WORD = "时间银行"
SEARCH_SITE = "wuling-nanping-jinxia-shequ"
# The directory facet exercised by the filter test (a category with several sites).
FACET_CATEGORY = "community"


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("browser") / "site")


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def _open(page: Page, url: str) -> None:
    page.goto(url, wait_until="load")


def _search(page: Page, word: str) -> list[str]:
    """Type into Material's search box and return the titles of the results shown."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(word)
    page.wait_for_function(
        """() => {
            const meta = document.querySelector('.md-search-result__meta');
            const items = document.querySelectorAll('.md-search-result__item');
            return meta && (items.length > 0 || /没有|不可用/.test(meta.textContent));
        }""")
    items = page.locator(".md-search-result__item")
    return [t.strip() for t in items.locator(".sc-search-title").all_inner_texts()]


def test_home_renders(page: Page, base_url: str, site_dir: Path) -> None:
    _open(page, base_url + "/")
    name = page.locator(".sc-hero__title").inner_text().strip()
    assert name, "the hero has no title"
    assert name in page.title(), f"page title {page.title()!r} does not name the site {name!r}"
    assert page.locator(".sc-hero").is_visible()
    values = page.locator(".sc-stat__value")
    assert values.count() >= 3, "the home page shows no stat tiles"
    for i in range(values.count()):
        tile = values.nth(i)
        assert tile.is_visible(), f"stat tile {i} is not visible"
        assert re.fullmatch(r"\d+", tile.inner_text().strip()), f"stat tile {i}: {tile.inner_text()!r}"
    assert any(int(values.nth(i).inner_text()) > 0 for i in range(values.count()))


def test_chinese_search_finds_the_site(page: Page, base_url: str, site_dir: Path) -> None:
    body = (site_dir / "sites" / SEARCH_SITE / "index.html").read_text(encoding="utf-8")
    assert SEARCH_WORD in body, f"sample data changed: {SEARCH_WORD} is no longer on {SEARCH_SITE}"
    _open(page, f"{base_url}/sites/{SEARCH_SITE}/")
    site_title = page.locator("article h1").first.evaluate(  # the text, not the ¶ permalink
        "h => Array.from(h.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim()")
    _open(page, base_url + "/")
    titles = _search(page, SEARCH_WORD)
    assert site_title in titles, f"searching {SEARCH_WORD} gave {titles}, not {site_title}"
    link = page.locator(".md-search-result__item a", has_text=site_title).first
    assert link.get_attribute("href", timeout=TIMEOUT_MS).rstrip("/").endswith(SEARCH_SITE)


def test_directory_facets_filter(page: Page, browser: Browser, base_url: str) -> None:
    _open(page, base_url + "/sites/")
    cards = page.locator("#sc-site-list [data-sc-item]")
    total = cards.count()
    form = page.locator("form.sc-filter")
    assert form.is_visible(), "the filter form is not shown when JavaScript runs"
    page.select_option("form.sc-filter select[name=category]", FACET_CATEGORY)
    shown = page.locator("#sc-site-list [data-sc-item]:visible")
    n = shown.count()
    assert 0 < n < total, f"{n} of {total} cards visible after choosing {FACET_CATEGORY}"
    categories = {c.get_attribute("data-category") for c in shown.all()}
    assert categories == {FACET_CATEGORY}, f"visible cards of other categories: {categories}"
    assert f"{n} / {total}" in form.locator("output").inner_text()

    # Without JavaScript the facet links lead to a pre-built page per value.
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        nojs = context.new_page()
        _open(nojs, base_url + "/sites/")
        assert not nojs.locator("form.sc-filter").is_visible(), "the filter form needs JavaScript"
        nojs.locator(f'nav.sc-facets a[href$="by_category/{FACET_CATEGORY}/"]').click()
        nojs.wait_for_url(f"**/sites/by_category/{FACET_CATEGORY}/")
        listed = nojs.locator("article .sc-card[data-category]")
        assert listed.count() == n, f"facet page lists {listed.count()} units, the filter showed {n}"
        assert {c.get_attribute("data-category") for c in listed.all()} == {FACET_CATEGORY}
        assert all(c.is_visible() for c in listed.all())
    finally:
        context.close()


def test_no_request_leaves_the_site(page: Page, base_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in ("/", "/sites/", f"/sites/{SEARCH_SITE}/"):
        _open(page, base_url + path)
        page.wait_for_load_state("networkidle")
    assert _search(page, SEARCH_WORD), "the search gave no results"
    page.wait_for_load_state("networkidle")
    web = [u for u in requested if urlsplit(u).scheme in ("http", "https", "ws", "wss")]
    assert web, "no requests were recorded"
    foreign = sorted({u for u in web if urlsplit(u).hostname != "127.0.0.1"})
    assert not foreign, f"requests outside the site: {foreign}"
    other = sorted({u for u in requested if urlsplit(u).scheme not in ("http", "https", "data", "blob")})
    assert not other, f"unexpected requests: {other}"


def test_phone_width_has_no_horizontal_scroll(browser: Browser, base_url: str, tmp_path: Path) -> None:
    # Not is_mobile: a mobile viewport widens itself to fit overflowing content, which
    # would hide exactly what this test looks for.
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        pg = context.new_page()
        for path in ("/", "/sites/", f"/sites/{SEARCH_SITE}/", "/plans/2026/"):
            _open(pg, base_url + path)
            pg.wait_for_load_state("networkidle")
            widths = pg.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            shot = tmp_path / ("phone-" + (path.strip("/").replace("/", "-") or "home") + ".png")
            # the whole page when something is wrong, else the first screen (fast)
            pg.screenshot(path=str(shot), full_page=widths[0] > widths[1])
            assert widths[0] <= widths[1], (
                f"{path} scrolls sideways at {PHONE['width']} px: scrollWidth {widths[0]} > "
                f"innerWidth {widths[1]} (screenshot: {shot})")
    finally:
        context.close()


def test_search_downloads_nothing_until_someone_types(page: Page, base_url: str) -> None:
    """The index stays on the server until a query; a query fetches a few small files."""
    sizes: dict[str, int] = {}

    def record(response: Any) -> None:
        if "/search/" in response.url and not response.url.endswith(("/search/", "/search/index.html")):
            sizes[response.url] = len(response.body())

    page.on("response", record)
    _open(page, base_url + "/")
    page.wait_for_load_state("networkidle")
    assert not sizes, f"search files fetched before any search: {sorted(sizes)}"
    started = time.perf_counter()
    assert _search(page, SEARCH_WORD), "the search gave no results"
    elapsed = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    assert any(u.endswith("manifest.json") for u in sizes), sorted(sizes)
    assert sum(sizes.values()) <= 300_000, f"{sum(sizes.values())} bytes for one query: {sizes}"
    assert elapsed < 5, f"first results took {elapsed:.2f} s"  # the target is 1 s; CI is shared
