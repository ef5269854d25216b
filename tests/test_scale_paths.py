"""The paths that only large data sets take: listings split into pages (more than
LIST_PAGE_SIZE items) and facets with their own index page (more than FACET_INLINE_MAX
values). A generated data set (not the sample) of 250 sites under 30 units and 130
experiences is built for real; every expectation below follows from how it is generated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_site_support import (
    MINIMAL,
    build_ok,
    content_of,
    html_files,
    is_external,
    link_target,
    parse_html,
)

from generator.site.sitemodel import FACET_INLINE_MAX, LIST_PAGE_SIZE

UNITS = 30
SITES = 250
EXPERIENCES = 130
CATEGORIES = ["rural", "community", "organ", "school", "enterprise", "intermediary",
              "social_group"]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_wide(root: Path) -> Path:
    data = root / "wide"
    data.mkdir(parents=True)
    shutil.copy(MINIMAL / "program.yml", data / "program.yml")
    units = "".join(f"  unit-{u:02d}:\n    name: 第{u}区委组织部\n    kind: district\n"
                    for u in range(1, UNITS + 1))
    categories = "".join(f"  {c}:\n    name: 类别{i}\n" for i, c in enumerate(CATEGORIES))
    _write(data / "taxonomy.yml", f"categories:\n{categories}units:\n{units}"
           "themes:\n  service:\n    name: 服务群众\n  grid:\n    name: 网格化治理\n")
    for n in range(SITES):
        unit = n % UNITS + 1
        batch = 2024 + n % 3
        evaluations = "" if batch == 2026 else (
            f"evaluations:\n  - year: {batch}\n    result: pass\n")
        _write(data / "sites" / f"site-{n:03d}.yml",
               f"name: 第{n}号党支部\ncategory: {CATEGORIES[n % len(CATEGORIES)]}\n"
               f"unit: unit-{unit:02d}\nbatch: {batch}\nsummary: 第{n}号单位的简介。\n"
               + evaluations)
    for n in range(EXPERIENCES):
        _write(data / "experiences" / f"exp-{n:03d}.yml",
               f"title: 第{n}篇经验\nsites: [site-{n:03d}]\nyear: {2024 + n % 3}\n"
               f"themes: [{'service' if n % 2 else 'grid'}]\nsummary: 第{n}篇经验的摘要。\n"
               f"author: 第{n % UNITS + 1}区委组织部\nbody: 正文第{n}篇。\n")
    return data


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wide")
    return build_ok(make_wide(root), root / "site")


def _pages(total: int) -> int:
    return -(-total // LIST_PAGE_SIZE)


def test_the_fixture_takes_the_large_paths() -> None:
    assert _pages(SITES) >= 3 and _pages(EXPERIENCES) >= 2 and UNITS > FACET_INLINE_MAX


def _cards(site: Path, folder: str) -> list[str]:
    """The record links of a listing page, in order."""
    page = parse_html(site / folder / "index.html")
    return [a.attrs["href"].rstrip("/").rsplit("/", 1)[-1]
            for a in content_of(page).find_all("a")
            if "sc-card__title" in _parent_classes(page, a)]


def _parent_classes(page: object, link: object) -> set[str]:
    """Classes of the card title (h2 on listings, h3 under a section) holding ``link``."""
    for tag in ("h2", "h3"):
        for heading in content_of(page).find_all(tag):  # type: ignore[arg-type]
            if link in heading.children:
                return heading.classes()
    return set()


@pytest.mark.parametrize(("root", "total", "prefix"), [
    ("sites", SITES, "site-"), ("experiences", EXPERIENCES, "exp-")])
def test_long_listings_are_split_into_pages(wide_site: Path, root: str, total: int,
                                            prefix: str) -> None:
    count = _pages(total)
    folders = [root] + [f"{root}/page_{n}" for n in range(2, count + 1)]
    for folder in folders:
        assert (wide_site / folder / "index.html").is_file(), folder
    assert not (wide_site / root / f"page_{count + 1}").exists()
    seen: list[str] = []
    for folder in folders:
        cards = _cards(wide_site, folder)
        assert len(cards) <= LIST_PAGE_SIZE
        seen += cards
    assert sorted(seen) == sorted(f"{prefix}{n:03d}" for n in range(total))  # each once
    nav = parse_html(wide_site / root / "page_2" / "index.html").find("nav", "sc-pager")
    labels = [a.text() for a in nav.find_all("a")]
    assert "上一页" in labels and "1" in labels  # page 2 links back to page 1
    if count > 2:
        assert "下一页" in labels and str(count) in labels


@pytest.mark.parametrize("root", ["sites", "experiences"])
def test_a_facet_with_many_values_gets_an_index_page(wide_site: Path, root: str) -> None:
    index = wide_site / root / "by_unit" / "index.html"
    assert index.is_file()
    links = {a.attrs["href"] for a in content_of(parse_html(index)).find_all("a")}
    units = {f"unit-{u:02d}" for u in range(1, UNITS + 1)}
    assert {h.rstrip("/").rsplit("/", 1)[-1] for h in links} >= units
    listing = content_of(parse_html(wide_site / root / "index.html"))
    row = next(p for p in listing.find("nav", "sc-facets").find_all("p")
               if "管理单位" in p.text())
    assert f"全部 {UNITS} 个管理单位" in row.text()
    assert len(row.find_all("a")) == 1  # not one chip per unit


def test_every_internal_link_of_the_large_site_resolves(wide_site: Path) -> None:
    broken = []
    for path in html_files(wide_site):
        for el in parse_html(path).iter():
            for attr in ("href", "src"):
                url = el.attrs.get(attr)
                if not url or is_external(url) or url.startswith("#"):
                    continue
                target = link_target(wide_site, path, url)
                if target is not None and not target.is_file():
                    broken.append(f"{path.relative_to(wide_site)}: {url}")
    assert not broken, broken[:20]
    assert len(html_files(wide_site)) > SITES + EXPERIENCES
