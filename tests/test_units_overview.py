"""The district overview on / and /sites/ (issue 22 item 2): a schematic grid of the
managing units with their sites by status, a table with the same numbers underneath, each
unit linking to its listing. The counts must equal the listing's, unit by unit and status
by status, read from the built pages; axe finds nothing at 1366 and 390 px; on a phone the
grid fits the screen; printed, the grid and the table are there."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from browser_support import DESKTOP, PHONE, chromium, require_chromium, serve
from test_site_support import MINIMAL, SAMPLE, Element, cached_build, parse_html

from generator.model.lifecycle import STATUS_LABELS

LABEL_STATUS = {label: status for status, label in STATUS_LABELS.items()}


def _taxonomy_units(data: Path) -> dict[str, str]:
    tax = yaml.safe_load((data / "taxonomy.yml").read_text(encoding="utf-8"))
    return {key: unit["name"] for key, unit in tax["units"].items()}


def _overview_table(page: Element) -> dict[str, tuple[str | None, int, dict[str, int]]]:
    """unit name -> (link, total, {status: count}) as the overview's table says."""
    table = page.find("div", "sc-units__table").find("table")
    head = [th.text().strip() for th in table.find("thead").find_all("th")]
    assert head[:2] == ["管理单位", "合计"]
    statuses = [LABEL_STATUS[h] for h in head[2:]]
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        th = tr.find("th")
        links = th.find_all("a")
        cells = [int(td.text()) for td in tr.find_all("td")]
        rows[th.text().strip()] = (links[0].attrs["href"] if links else None, cells[0],
                                   dict(zip(statuses, cells[1:], strict=True)))
    return rows


def _listing(site: Path, folder: Path) -> Counter[str]:
    """Status of every card on a listing and its later pages."""
    found: Counter[str] = Counter()
    pages = [folder / "index.html", *sorted(folder.glob("page_*/index.html"))]
    for path in pages:
        for card in parse_html(path).find_all("article", "sc-card"):
            found[card.attrs["data-status"]] += 1
    return found


@pytest.mark.parametrize("data", [MINIMAL, SAMPLE], ids=["minimal", "sample"])
@pytest.mark.parametrize("where", ["", "sites/"])
def test_overview_counts_equal_the_listing_of_every_unit(
        tmp_path_factory: pytest.TempPathFactory, data: Path, where: str) -> None:
    site = cached_build(tmp_path_factory, data)
    page = parse_html(site / where / "index.html")
    rows = _overview_table(page)
    units = _taxonomy_units(data)
    assert sorted(rows) == sorted(units.values()), "every unit of the taxonomy has a row"
    tiles = page.find("ul", "sc-units__grid").find_all("li", "sc-unit")
    assert len(tiles) == len(units)
    for key, name in units.items():
        link, total, counts = rows[name]
        folder = site / "sites" / "by_unit" / key
        listed = _listing(site, folder) if folder.is_dir() else Counter()
        assert total == sum(listed.values()), name
        assert {s: n for s, n in counts.items() if n} == dict(listed), name
        if total:
            assert link is not None
            assert (site / where / link / "index.html").resolve() == (folder / "index.html").resolve()
        else:
            assert link is None  # no listing page for a unit without sites: no dead link
    # The tiles repeat the table's totals (for the eye), in the same order.
    totals = [int(t.find("span", "sc-unit__total").children[0].strip()) for t in tiles]
    assert totals == [rows[n][1] for n in units.values()]


def test_tiles_are_hidden_from_assistive_technology_and_the_keyboard(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """The table carries the numbers and the links for screen readers and keyboards; the
    tiles are not announced or focused a second time."""
    page = parse_html(cached_build(tmp_path_factory, SAMPLE) / "index.html")
    grid = page.find("ul", "sc-units__grid")
    assert grid.attrs.get("aria-hidden") == "true"
    assert all(a.attrs.get("tabindex") == "-1" for a in grid.find_all("a"))
    assert page.find("div", "sc-units__table").find("table").find_all("caption")


# ---------------------------------------------------------------- in the browser

@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with serve(cached_build(tmp_path_factory, SAMPLE)) as url:
        yield url


def test_axe_finds_nothing_in_the_overview_and_phones_see_it_whole(sample_url: str) -> None:
    from test_accessibility import AXE, _report, run_axe

    source = AXE.read_text(encoding="utf-8")
    with chromium() as browser:
        for viewport in (DESKTOP, PHONE):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            for url in ("/", "/sites/"):
                page.goto(sample_url + url, wait_until="load")
                assert page.locator(".sc-units__grid .sc-unit").count() > 0
                found = run_axe(page, source)
                assert not found, _report(f"{url} at {viewport['width']} px", found)
                box = page.locator(".sc-units__grid").bounding_box()
                assert box is not None and box["x"] >= 0
                assert box["x"] + box["width"] <= viewport["width"], "the grid is wider than the screen"
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= viewport["width"], f"{url} scrolls sideways at {viewport['width']} px"
            context.close()


def test_the_overview_prints(sample_url: str) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(sample_url + "/", wait_until="load")
        page.emulate_media(media="print")
        assert page.locator(".sc-units__grid").is_visible()
        assert page.locator(".sc-units__table table").is_visible()
        columns = page.evaluate(
            "getComputedStyle(document.querySelector('.sc-units__grid')).gridTemplateColumns"
            ".split(' ').length")
        assert columns == 4
