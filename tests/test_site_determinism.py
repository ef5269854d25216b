"""Reproducible builds: the same data and ``--as-of`` give byte-identical sites, whatever the
output folder is called (every file, the gzipped sitemap and the search index included)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from test_site_support import (
    MINIMAL,
    MINIMAL_PUBLIC_EXPERIENCES,
    MINIMAL_SITES,
    REPO,
    build_ok,
    snapshot,
)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """In a frozen copy of the project's site configuration (the theme may be edited while the
    tests run), the minimal data set with a site URL, so that the sitemap lists every page
    with a date and the feed and open data carry absolute URLs."""
    root = tmp_path_factory.mktemp("determinism")
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copytree(REPO / "content", root / "content")
    data = root / "data"
    shutil.copytree(MINIMAL, data)
    program = data / "program.yml"
    program.write_text(program.read_text(encoding="utf-8")
                       + "site_url: https://dangjian.example.org/\n", encoding="utf-8")
    return data


def test_two_builds_are_byte_identical(data: Path, tmp_path: Path) -> None:
    first = build_ok(data, tmp_path / "one" / "site", cwd=data.parent)
    second = build_ok(data, tmp_path / "two" / "other-name", cwd=data.parent)
    a, b = snapshot(first), snapshot(second)
    assert sorted(a) == sorted(b)
    differing = [path for path in a if a[path] != b[path]]
    assert not differing, f"files that differ between two identical builds: {differing}"

    # The comparison covered what tends to differ, and every record's page.
    assert {f"sites/{i}/index.html" for i in MINIMAL_SITES} <= set(a)
    assert {f"experiences/{i}/index.html" for i in MINIMAL_PUBLIC_EXPERIENCES} <= set(a)
    assert "sitemap.xml.gz" in a
    sitemap = gzip.decompress(a["sitemap.xml.gz"]).decode("utf-8")
    assert "https://dangjian.example.org/sites/chengnan-taohua-cun/" in sitemap
    assert any(path.startswith("search/") for path in a), "no search index in the build"
    texts = [sitemap.encode()] + [a[p] for p in a if p.endswith((".html", ".xml", ".json"))]
    assert not [t for t in texts if str(tmp_path).encode() in t], "build folder in the output"
