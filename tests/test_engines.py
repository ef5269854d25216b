"""One pipeline, any engine: the sample built with MkDocs, ProperDocs and Zensical has the
same pages with the same article text, a working search index, the banner, footer and site
name from program.yml, the sitemap, the PDFs and the open data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from test_site_support import AS_OF, SAMPLE, html_files, run_cli

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


def test_the_tag_index_is_rendered(site: Path) -> None:
    """Material's tags plugin (MkDocs, ProperDocs) and Zensical fill the tag index page from
    its marker: headings per tag with links, never the raw listing Markdown."""
    content = article((site / "tags" / "index.html").read_text(encoding="utf-8"))
    assert content is not None
    assert len(re.findall(r"<h2\b", content)) > 5
    assert re.search(r'<a href="\.\./(sites|experiences)/', content)
    text = searchindex.html_text(content)
    assert "{#" not in text and "## " not in text


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
