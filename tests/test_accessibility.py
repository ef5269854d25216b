"""The public and internal sites as visitors with assistive technology, keyboards, Chinese
input methods, phones and ageing eyes meet them (issue 11).

* axe-core (the engine behind Lighthouse's and most auditors' accessibility checks; pinned
  and fetched by scripts/setup.sh) runs in every page type, at 1366 px and 390 px, in the
  public and the internal build, against WCAG 2.1 A/AA and best practice: any violation
  fails, with the rule, the elements and axe's explanation.
* Keyboard: every tab stop is visible; the skip link is first and lands on the content;
  search opens with "/", its results are reached with the arrow keys, Esc closes it from
  anywhere and gives focus back; the clear button is reachable; the closed phone menu and
  the closed search panel take no tab stops.
* Chinese input: while pinyin is being composed (CDP Input.imeSetComposition) nothing is
  searched; the committed characters are.
* Phones: the search panel is never wider than the screen; the elder mode (长者模式) makes
  text larger without sideways scrolling, is remembered across pages and works without
  JavaScript through the alternate stylesheet.
* The 404 page is Chinese, with a working search box and the main sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    build_sample,
    chromium,
    require_chromium,
    serve,
)
from conftest import REPO

require_chromium()

from playwright.sync_api import Browser, BrowserContext, Page  # noqa: E402

AXE = REPO / ".venv" / "share" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# A word typed in the search tests: on several sample pages.
WORD = "红色物业"
WORD_PINYIN = "hongsewuye"


@pytest.fixture(scope="module")
def axe_source() -> str:
    assert AXE.is_file(), f"{AXE} is missing: run scripts/setup.sh (it fetches axe-core {AXE_VERSION})"
    source = AXE.read_text(encoding="utf-8")
    assert f"axe v{AXE_VERSION}" in source[:200], f"{AXE} is not axe-core {AXE_VERSION}: rerun scripts/setup.sh"
    return source


@pytest.fixture(scope="module")
def public_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("a11y") / "public")


@pytest.fixture(scope="module")
def internal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("a11y") / "internal", audience="internal")


@pytest.fixture(scope="module")
def public_url(public_dir: Path) -> Iterator[str]:
    with serve(public_dir) as url:
        yield url


@pytest.fixture(scope="module")
def internal_url(internal_dir: Path) -> Iterator[str]:
    with serve(internal_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def _context(browser: Browser, viewport: dict[str, int], **kwargs: Any) -> BrowserContext:
    context = browser.new_context(viewport=viewport, locale="zh-CN", **kwargs)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = _context(browser, DESKTOP)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = _context(browser, PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


def _first(folder: Path) -> str:
    """The first record page (a folder with index.html, not a facet folder) in ``folder``."""
    names = sorted(p.parent.name for p in folder.glob("*/index.html")
                   if not p.parent.name.startswith(("by_", "page_")))
    assert names, f"no record pages in {folder}"
    return names[0]


def page_types(site: Path, *, internal: bool) -> list[str]:
    """One URL of every kind of page the build made (the sample has them all)."""
    facet = sorted((site / "sites").glob("by_*/*/index.html"))
    assert facet, "no facet pages"
    urls = [
        "/", "/sites/", f"/sites/{_first(site / 'sites')}/",
        "/" + facet[0].parent.relative_to(site).as_posix() + "/",
        "/experiences/", f"/experiences/{_first(site / 'experiences')}/",
        "/plans/", f"/plans/{_first(site / 'plans')}/",
        "/compilations/", f"/compilations/{_first(site / 'compilations')}/",
        "/data/", "/tags/", f"/search/?q={WORD}", "/404.html",
    ]
    urls += ["/" + p.parent.relative_to(site).as_posix() + "/"
             for p in sorted(site.glob("*/by_*/index.html"))[:1]]  # a facet's index of values
    urls += ["/" + p.parent.relative_to(site).as_posix() + "/"
             for p in sorted(site.glob("*/page_*/index.html"))[:1]]  # a listing's later page
    if internal:
        urls += ["/internal/"]
        urls += ["/" + p.parent.relative_to(site).as_posix() + "/"
                 for p in sorted((site / "guide").rglob("index.html"))]
    return urls


def run_axe(page: Page, source: str) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + n.failureSummary)}));
        }""", AXE_TAGS)
    return violations


def _report(where: str, violations: list[dict[str, Any]]) -> str:
    return where + ":\n" + "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations)


def _axe_all(browser: Browser, base: str, site: Path, source: str, *, internal: bool) -> None:
    failures = []
    urls = page_types(site, internal=internal)
    for viewport in (DESKTOP, PHONE):
        context = _context(browser, viewport)
        page = context.new_page()
        for url in urls:
            page.goto(base + url, wait_until="load")
            if url.startswith("/search/"):
                page.wait_for_selector(".md-search-result__item")
            violations = run_axe(page, source)
            if violations:
                failures.append(_report(f"{url} at {viewport['width']} px", violations))
        context.close()
    assert not failures, "axe-core found violations:\n" + "\n".join(failures)


def test_axe_finds_nothing_on_any_public_page_type(browser: Browser, public_url: str,
                                                   public_dir: Path, axe_source: str) -> None:
    _axe_all(browser, public_url, public_dir, axe_source, internal=False)


def test_axe_finds_nothing_on_any_internal_page_type(browser: Browser, internal_url: str,
                                                     internal_dir: Path, axe_source: str) -> None:
    _axe_all(browser, internal_url, internal_dir, axe_source, internal=True)


def _type_in_search(page: Page, word: str) -> None:
    page.keyboard.type(word)
    page.wait_for_function(
        """() => document.querySelectorAll('#sc-search-results .md-search-result__item').length > 0""")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_nothing_with_the_search_open_or_the_elder_mode_on(
        browser: Browser, public_url: str, axe_source: str, viewport: dict[str, int]) -> None:
    context = _context(browser, viewport)
    page = context.new_page()
    page.goto(public_url + "/", wait_until="load")
    page.keyboard.press("/")
    _type_in_search(page, WORD)
    found = run_axe(page, axe_source)
    assert not found, _report("search panel open", found)
    page.keyboard.press("Escape")
    page.click(".sc-care-toggle")
    for url in ("/", "/sites/"):
        page.goto(public_url + url, wait_until="load")
        found = run_axe(page, axe_source)
        assert not found, _report(f"elder mode {url}", found)
    context.close()


# ---------------------------------------------------------------- keyboard

_FOCUS_INFO = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    const label = (el.getAttribute('aria-label') || el.textContent || el.id || el.tagName).trim().slice(0, 40);
    return {tag: el.tagName, label, x: r.left, y: r.top, w: r.width, h: r.height,
            hidden: s.visibility === 'hidden' || s.opacity === '0',
            inView: r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
            key: el.tagName + '|' + label + '|' + Math.round(r.left + scrollX) + ',' + Math.round(r.top + scrollY)};
}"""


def no_motion(page: Page) -> None:
    """Transitions off: what is measured is the end state of a style, not a frame of its
    fade or slide."""
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; "
                               "animation: none !important; }")


def tab_stops(page: Page, limit: int = 400) -> list[dict[str, Any]]:
    """Every element Tab reaches from the top of the page, in order, until focus wraps."""
    no_motion(page)
    stops: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(_FOCUS_INFO)
        if info is None:
            break
        if info["key"] in seen:
            break
        seen.add(info["key"])
        stops.append(info)
    return stops


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_tab_stop_is_visible_and_the_skip_link_comes_first(
        browser: Browser, public_url: str, public_dir: Path, viewport: dict[str, int]) -> None:
    context = _context(browser, viewport)
    page = context.new_page()
    bad = []
    for url in ("/", "/sites/", f"/sites/{_first(public_dir / 'sites')}/",
                f"/experiences/{_first(public_dir / 'experiences')}/"):
        page.goto(public_url + url, wait_until="load")
        stops = tab_stops(page)
        assert stops, f"{url}: Tab reaches nothing"
        assert stops[0]["label"] == "跳到正文", f"{url}: first tab stop is {stops[0]}"
        for stop in stops:
            # a focused element scrolls into view: one outside it, hidden or of no size is
            # a stop a sighted keyboard user cannot see
            if stop["hidden"] or not stop["inView"] or stop["w"] < 1 or stop["h"] < 1:
                bad.append(f"{url} at {viewport['width']} px: {stop}")
    context.close()
    assert not bad, "invisible tab stops:\n" + "\n".join(bad)


def test_the_skip_link_moves_focus_to_the_content(desktop: Page, public_url: str) -> None:
    desktop.goto(public_url + "/sites/", wait_until="load")
    desktop.keyboard.press("Tab")
    skip = desktop.evaluate("document.activeElement.getBoundingClientRect().top")
    assert skip >= 0, "the skip link is not shown when focused"
    desktop.keyboard.press("Enter")
    assert desktop.evaluate("document.activeElement.id") == "sc-main"
    # the next Tab goes into the content, past the header and the menu
    desktop.keyboard.press("Tab")
    inside = desktop.evaluate("!!document.activeElement.closest('.md-content')")
    assert inside, desktop.evaluate("document.activeElement.outerHTML.slice(0, 200)")


def _panel_open(page: Page) -> bool:
    return bool(page.evaluate("document.getElementById('__search').checked"))


def _focused(page: Page) -> str:
    return str(page.evaluate(
        "(() => { const e = document.activeElement; return e.className || e.tagName; })()"))


def test_search_by_keyboard(desktop: Page, public_url: str) -> None:
    page = desktop
    page.goto(public_url + "/", wait_until="load")
    assert not _panel_open(page)
    page.keyboard.press("/")
    assert "md-search__input" in _focused(page), "'/' does not focus the search box"
    _type_in_search(page, WORD)
    assert _panel_open(page)
    results = page.locator("#sc-search-results a")
    assert results.count() >= 2
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first == results.nth(0).get_attribute("href"), "ArrowDown does not enter the results"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == results.nth(1).get_attribute("href")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert "md-search__input" in _focused(page), "ArrowUp from the first result does not return to the box"
    # Esc from inside the results closes the panel and gives focus back to the box
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert not _panel_open(page), "Esc in the results leaves the panel open"
    assert "md-search__input" in _focused(page)
    # the clear button is the next tab stop after the box, and clears it
    page.keyboard.type("x")
    assert _panel_open(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "reset", _focused(page)
    page.keyboard.press("Enter")
    assert page.input_value("input.md-search__input") == ""
    # tabbing out of the panel closes it: nothing stays open over the page
    page.locator("input.md-search__input").focus()
    page.keyboard.type(WORD)
    page.wait_for_selector("#sc-search-results a")
    for _ in range(60):
        page.keyboard.press("Tab")
        if not page.evaluate("!!document.activeElement.closest('#sc-search-panel')"):
            break
    assert not _panel_open(page), "focus left the search panel but it stayed open"


def test_esc_closes_search_from_anywhere(desktop: Page, public_url: str) -> None:
    page = desktop
    page.goto(public_url + "/", wait_until="load")
    page.keyboard.press("/")
    _type_in_search(page, WORD)
    page.mouse.click(5, 500)  # somewhere on the dimmed page: the overlay closes it too
    page.keyboard.press("/")
    assert _panel_open(page)
    page.locator("#sc-search-results a").first.focus()
    page.keyboard.press("Escape")
    assert not _panel_open(page)


def test_chinese_input_method_searches_the_characters_not_the_pinyin(desktop: Page,
                                                                       public_url: str) -> None:
    page = desktop
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/search/" in r.url else None)
    page.goto(public_url + "/", wait_until="load")
    page.locator("input.md-search__input").focus()
    cdp = page.context.new_cdp_session(page)
    # pinyin being composed, letter by letter, as an IME shows it in the box
    for i in range(1, len(WORD_PINYIN) + 1):
        cdp.send("Input.imeSetComposition", {"text": WORD_PINYIN[:i], "selectionStart": i,
                                             "selectionEnd": i})
    page.wait_for_timeout(600)  # longer than the search's typing delay
    meta = page.inner_text(".md-search-result__meta")
    assert "没有找到" not in meta, f"searched the pinyin while composing: {meta}"
    assert not fetched, f"search files fetched while composing: {fetched}"
    assert page.locator("#sc-search-results li").count() == 0
    # the reader picks the characters: the IME commits them
    cdp.send("Input.insertText", {"text": WORD})
    page.wait_for_function(
        "() => document.querySelectorAll('#sc-search-results .md-search-result__item').length > 0")
    assert page.input_value("input.md-search__input") == WORD
    assert "没有找到" not in page.inner_text(".md-search-result__meta")


def test_results_say_what_they_are_and_quote_the_text_not_the_title(desktop: Page,
                                                                   public_url: str) -> None:
    page = desktop
    page.goto(public_url + "/", wait_until="load")
    page.keyboard.press("/")
    _type_in_search(page, WORD)
    items = page.locator("#sc-search-results .md-search-result__item")
    kinds = set(items.locator(".sc-search-kind").all_inner_texts())
    assert kinds <= {"示范点", "典型经验", "年度规划", "经验汇编", "开放数据", "首页", "页面"}, kinds
    assert {"示范点", "典型经验"} <= kinds, kinds
    for i in range(items.count()):
        title = items.nth(i).locator(".sc-search-title").inner_text().strip()
        snippet = items.nth(i).locator(".sc-search-snippet").inner_text().strip()
        assert not snippet.lstrip("…").startswith(title), f"the snippet repeats the title: {snippet}"
        assert "##" not in snippet and "#" not in snippet.split("】")[0][:2], snippet


def test_phone_search_panel_fits_the_screen_and_the_closed_one_takes_no_tab_stop(
        phone: Page, public_url: str) -> None:
    page = phone
    page.goto(public_url + "/", wait_until="load")
    # closed: the box is not reachable by Tab (it is off screen)
    stops = tab_stops(page, limit=40)
    assert not any(s["label"] == "搜索本站" for s in stops), "the closed search box takes a tab stop"
    page.goto(public_url + "/", wait_until="load")
    no_motion(page)
    button = page.locator(".sc-search-button")
    button.focus()
    page.keyboard.press("Enter")
    assert _panel_open(page)
    assert button.get_attribute("aria-expanded") == "true"
    assert "md-search__input" in _focused(page)
    _type_in_search(page, WORD)
    widths = page.evaluate("""() => ['.md-search__inner', '.md-search__output', '.md-search__scrollwrap',
        '.md-search-result', '#sc-search-results'].map(s => {
            const r = document.querySelector(s).getBoundingClientRect();
            return [s, Math.round(r.left), Math.round(r.right)]; })""")
    for selector, left, right in widths:
        assert left >= 0 and right <= PHONE["width"], f"{selector} spans {left}..{right} px"
    page.keyboard.press("Escape")
    assert not _panel_open(page)
    assert "sc-search-button" in _focused(page), "focus does not return to the search button"


def test_phone_menu_opens_by_keyboard_and_its_links_are_hidden_when_closed(
        phone: Page, public_url: str) -> None:
    page = phone
    page.goto(public_url + "/sites/", wait_until="load")
    labels = [s["label"] for s in tab_stops(page, limit=40)]
    assert "示范点" not in labels[:6] and "年度规划" not in labels, labels
    page.goto(public_url + "/sites/", wait_until="load")
    menu = page.locator(".sc-menu-button")
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    page.wait_for_timeout(50)
    assert page.evaluate("!!document.activeElement.closest('.md-sidebar--primary')"), \
        "focus did not move into the opened menu"
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert "sc-menu-button" in _focused(page)


# ---------------------------------------------------------------- elder mode

def _root_px(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_elder_mode_enlarges_text_is_remembered_and_fits_a_phone(
        browser: Browser, public_url: str, public_dir: Path, viewport: dict[str, int]) -> None:
    context = _context(browser, viewport)
    page = context.new_page()
    page.goto(public_url + "/", wait_until="load")
    normal = _root_px(page)
    toggle = page.locator(".sc-care-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert _root_px(page) >= normal * 1.19, (normal, _root_px(page))
    for url in ("/sites/", f"/sites/{_first(public_dir / 'sites')}/", "/plans/",
                f"/experiences/{_first(public_dir / 'experiences')}/"):
        page.goto(public_url + url, wait_until="load")
        assert _root_px(page) >= normal * 1.19, f"{url}: the elder mode was not remembered"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{url} scrolls sideways in the elder mode ({width} px)"
    # the contrast is raised too: body text darker than in the standard mode
    page.locator(".sc-care-toggle").click()
    assert _root_px(page) == normal
    page.goto(public_url + "/?care=1", wait_until="load")
    assert _root_px(page) >= normal * 1.19, "?care=1 does not turn the elder mode on"
    page.goto(public_url + "/?care=0", wait_until="load")
    assert _root_px(page) == normal
    context.close()


def test_elder_mode_without_javascript_is_the_alternate_stylesheet(browser: Browser,
                                                                    public_url: str) -> None:
    context = _context(browser, PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(public_url + "/sites/", wait_until="load")
    link = page.locator('link[rel="alternate stylesheet"][title="长者模式"]')
    assert link.count() == 1
    normal = _root_px(page)
    # what a browser's page-style menu (Firefox: View → Page Style → 长者模式) does: the
    # alternate sheet becomes the one in use (Chromium has no such menu)
    page.evaluate("""() => { const l = document.querySelector('link[title="长者模式"]');
        l.removeAttribute('title'); l.rel = 'stylesheet'; }""")
    for _ in range(50):
        if _root_px(page) > normal:
            break
        page.wait_for_timeout(100)
    assert _root_px(page) >= normal * 1.19
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


# ---------------------------------------------------------------- layout shift, 404

@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_listings_do_not_shift_when_the_script_starts(browser: Browser, public_url: str,
                                                      viewport: dict[str, int]) -> None:
    context = _context(browser, viewport)
    context.add_init_script("""
        window.__cls = 0;
        new PerformanceObserver(list => { for (const e of list.getEntries())
            if (!e.hadRecentInput) window.__cls += e.value; })
          .observe({type: 'layout-shift', buffered: true});""")
    page = context.new_page()
    for url in ("/", "/sites/", "/experiences/"):
        page.goto(public_url + url, wait_until="load")
        page.wait_for_timeout(500)
        cls = page.evaluate("window.__cls")
        assert cls < 0.05, f"{url} at {viewport['width']} px: layout shift {cls:.3f}"
    context.close()


def test_the_404_page_is_chinese_with_search_and_the_main_sections(desktop: Page,
                                                                   public_url: str) -> None:
    page = desktop
    response = page.goto(public_url + "/404.html", wait_until="load")
    assert response is not None and response.ok
    assert page.evaluate("document.documentElement.lang") == "zh"
    assert page.inner_text("article h1") == "没有找到这个页面"
    assert "Not found" not in page.inner_text("body")
    links = {a.inner_text().strip(): a.get_attribute("href")
             for a in page.locator("article .sc-404-links a").all()}
    assert {"首页", "示范点名录", "典型经验", "年度规划", "开放数据"} <= set(links), links
    page.fill("#sc-404-q", WORD)
    page.press("#sc-404-q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    page.wait_for_selector(".sc-search-page__results .md-search-result__item")


# ---------------------------------------------------------------- print

def test_printing_shows_no_addresses_on_cards_and_no_screen_controls(desktop: Page,
                                                                    public_url: str) -> None:
    page = desktop
    page.goto(public_url + "/", wait_until="load")
    page.emulate_media(media="print")
    after = page.evaluate("""() => [...document.querySelectorAll('.sc-card__title a')]
        .map(a => getComputedStyle(a, '::after').content)""")
    assert after and all(c in ("none", "normal") for c in after), after
    breaks = page.evaluate("""() => [...document.querySelectorAll('.sc-card')]
        .map(c => getComputedStyle(c).breakInside)""")
    assert set(breaks) == {"avoid"}, breaks
    hidden = page.evaluate("""() => ['.md-header', '.md-tabs', '.sc-care-toggle', '.sc-skip']
        .map(s => [s, document.querySelector(s) ? getComputedStyle(document.querySelector(s)).display : 'none'])""")
    assert all(display == "none" for _s, display in hidden), hidden
    page.goto(public_url + "/data/", wait_until="load")
    page.emulate_media(media="print")
    # a link in running text keeps its address on paper
    shown = page.evaluate("""() => [...document.querySelectorAll('.md-typeset p a[href^="http"]')]
        .map(a => getComputedStyle(a, '::after').content)""")
    assert shown == [] or all("http" in c for c in shown), shown


def test_a_photo_opens_larger_in_a_dialog_by_keyboard(desktop: Page, public_url: str,
                                                      axe_source: str) -> None:
    """(Issue 13) A gallery photo is a link: Enter opens the larger view in a modal dialog
    (axe-clean), the arrows go through the page's photos, Esc closes it and focus goes back
    to the photo. The large file is fetched only then."""
    requested: list[str] = []
    desktop.on("request", lambda r: requested.append(r.url))
    desktop.goto(public_url + "/sites/wuling-dongjiang-binjiang-shequ/", wait_until="load")
    assert not [u for u in requested if "-1600." in u], "the large view loaded before it was asked for"
    zoom = desktop.locator("a.sc-zoom").first
    zoom.focus()
    desktop.keyboard.press("Enter")
    dialog = desktop.locator("dialog.sc-lightbox")
    dialog.wait_for(state="visible")
    assert desktop.evaluate("document.querySelector('dialog.sc-lightbox').open")
    image = dialog.locator("img")
    desktop.wait_for_function("() => { const i = document.querySelector('dialog.sc-lightbox img');"
                              " return i.complete && i.naturalWidth > 0; }")
    assert image.get_attribute("alt") == "滨江社区党群服务中心外景，门前挂着红色横幅，居民正在进出"
    assert "1600" in desktop.evaluate("document.querySelector('dialog.sc-lightbox img').currentSrc")
    assert dialog.locator(".sc-lightbox__count").inner_text() == "第 1 张，共 2 张"
    violations = run_axe(desktop, axe_source)
    assert not violations, _report("lightbox", violations)
    desktop.keyboard.press("ArrowRight")
    assert dialog.locator(".sc-lightbox__count").inner_text() == "第 2 张，共 2 张"
    assert dialog.locator("figcaption").inner_text() == "社区议事厅里的居民议事会"
    desktop.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert desktop.evaluate("document.activeElement.classList.contains('sc-zoom')")
