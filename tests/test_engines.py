"""One pipeline, any engine: the sample built with MkDocs, ProperDocs and Zensical has the
same pages with the same article text, a working search index, the banner, footer and site
name from program.yml, the sitemap, the PDFs and the open data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from test_site_support import AS_OF, SAMPLE, html_files, parse_html_text, run_cli

from generator.engines.poststeps import article, search_doc
from generator.site import searchindex

ENGINES = ["mkdocs", "properdocs", "zensical"]
PROGRAM = yaml.safe_load((SAMPLE / "program.yml").read_text(encoding="utf-8-sig"))
_BUILDS: dict[str, Path] = {}


def built(engine: str, factory: pytest.TempPathFactory) -> Path:
    if engine not in _BUILDS:
        out = factory.mktemp(f"engine-{engine}") / "site"
        result = run_cli("build", "--data", str(SAMPLE), "--out", str(out), "--as-of", AS_OF,
                         "--engine", engine, timeout=900)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        _BUILDS[engine] = out
    return _BUILDS[engine]


@pytest.fixture(params=ENGINES)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(request.param, tmp_path_factory)


def pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in html_files(site)}


@pytest.mark.parametrize("engine", ["properdocs", "zensical"])
def test_the_same_pages_with_the_same_article_text(
        engine: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    reference, other = built("mkdocs", tmp_path_factory), built(engine, tmp_path_factory)
    assert pages(other) == pages(reference)
    compared = 0
    for rel in sorted(pages(reference)):
        a = (reference / rel).read_text(encoding="utf-8")
        b = (other / rel).read_text(encoding="utf-8")
        if article(a) is None:
            continue
        url = rel.removesuffix("index.html")
        doc_a, doc_b = search_doc(url, a), search_doc(url, b)
        assert doc_a is not None and doc_b is not None, rel
        assert (doc_b.title, doc_b.text) == (doc_a.title, doc_a.text), rel
        compared += 1
    assert compared > 100


def test_search_finds_the_page(site: Path) -> None:
    hits = list(searchindex.query(site / "search", "红色物业"))
    assert hits and all(h.confirmed for h in hits[:3])
    urls = [h.url for h in hits]
    assert any(u.startswith("experiences/") for u in urls) and any(
        u.startswith("sites/") for u in urls)
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["docs"] > 100


def test_banner_footer_and_name_from_program_yml(site: Path) -> None:
    for rel in ("index.html", "sites/index.html", "data/index.html"):
        page = (site / rel).read_text(encoding="utf-8")
        assert "示例数据" in page, rel
        assert PROGRAM["organizer"] in page and PROGRAM["icp"] in page, rel
        assert re.search(rf"<title>[^<]*{re.escape(PROGRAM['name'])}</title>", page), rel
        assert f"数据统计截至 {AS_OF}" in page, rel


def test_sitemap_pdfs_and_open_data(site: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(locs) > 100 and all(loc.startswith(PROGRAM["site_url"]) for loc in locs)
    assert not any("/by_" in loc or "/page_" in loc or "/search/" in loc for loc in locs)
    pdfs = sorted((site / "compilations").glob("*.pdf"))
    assert pdfs and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    reference = built("mkdocs", tmp_path_factory)
    for name in ("data/sites.json", "data/experiences.json", "data/sites.csv",
                 "data/experiences.csv", "feed.xml", "robots.txt"):
        assert (site / name).read_bytes() == (reference / name).read_bytes(), name


def tag_chips(page: Path) -> list[tuple[str, str]]:
    """The tag chips of a page's article: (text, link) of every ``md-tag`` element."""
    content = article(page.read_text(encoding="utf-8")) or ""
    doc = parse_html_text(content)
    return [(el.text().strip(), el.attrs.get("href", "")) for el in doc.iter()
            if "md-tag" in el.classes()]


@pytest.mark.parametrize("engine", ["properdocs", "zensical"])
def test_the_same_tag_chips_and_tag_pages(engine: str,
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tags come from our templates, not an engine's plugin (Zensical 0.0.73 runs none):
    every page has the same chips with the same links under every engine."""
    reference, other = built("mkdocs", tmp_path_factory), built(engine, tmp_path_factory)
    chips = 0
    for rel in sorted(pages(reference)):
        mine = tag_chips(reference / rel)
        assert tag_chips(other / rel) == mine, rel
        chips += len(mine)
    assert chips > 100


def test_the_tag_index_and_pages_are_rendered(site: Path) -> None:
    """Every tag on a page links to its own page, which lists that page."""
    index = parse_html_text(article((site / "tags" / "index.html").read_text(encoding="utf-8")) or "")
    links = [el.attrs["href"] for el in index.iter() if el.tag == "a" and "md-tag" in el.classes()]
    assert len(links) > 10
    for rel in ("sites", "experiences"):
        for page in sorted((site / rel).glob("*/index.html"))[:20]:
            for text, href in tag_chips(page):
                target = (page.parent / href).resolve() / "index.html"
                assert target.is_file(), (page, href)
                listed = parse_html_text(target.read_text(encoding="utf-8"))
                linked = {(target.parent / a.attrs["href"]).resolve()
                          for a in listed.find_all("a") if a.attrs.get("href", "").endswith("/")}
                assert page.parent.resolve() in linked, (page, text, target)


def test_every_script_a_page_names_exists(site: Path) -> None:
    """Zensical hands the theme its scripts as objects, not paths: a page once named
    ``./%7B%22async%22…`` and loaded no script at all (no search, no elder mode)."""
    for rel in ("index.html", "sites/index.html", "search/index.html", "404.html"):
        page = site / rel
        for script in parse_html_text(page.read_text(encoding="utf-8")).find_all("script"):
            src = script.attrs.get("src")
            if src:  # the 404 page names them from the site's root path
                base = site if src.startswith("/") else page.parent
                assert (base / src.lstrip("/")).resolve().is_file(), (rel, src)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_generated_project_builds_with_the_engine_alone(engine: str, tmp_path: Path) -> None:
    """What the README promises: `showcase generate --engine E` and then E's own build in the
    project folder, without our plugin, gives every page with the site's settings."""
    import subprocess
    import sys

    project = tmp_path / "project"
    result = run_cli("generate", "--data", str(SAMPLE), "--out", str(project), "--as-of", AS_OF,
                     "--engine", engine)
    assert result.returncode == 0, result.stderr
    command = {"mkdocs": [sys.executable, "-m", "mkdocs", "build", "--strict"],
               "properdocs": [sys.executable, "-m", "properdocs", "build", "--strict"],
               "zensical": [str(Path(sys.executable).with_name("zensical")), "build",
                            "--strict"]}[engine]
    built = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=900,
                           check=False, env={**__import__("os").environ,
                                             "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stdout + built.stderr
    site = project / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "示例数据" in home and PROGRAM["organizer"] in home
    assert len(html_files(site)) > 150
    assert (site / "data" / "sites.json").is_file() and (site / "feed.xml").is_file()
