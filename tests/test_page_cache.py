"""The page cache (engines/pagecache.py, base/blobcache.py, issue 23 item 5): a build that
takes unchanged pages, search entries, gzip copies and QR codes from ``.cache/pages`` gives
exactly the site a build without it gives — for the sample and a federated data set, public
and internal, after the data, the theme or the audience changed — and a cache that is
missing, damaged or cannot be written only makes the build slower. A hand-written page's
broken link or anchor still fails a strict build when the page it points at is cached."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from federation_support import member_repo, write_sources
from test_site_support import AS_OF, MINIMAL, REPO, SAMPLE, run_cli, snapshot

from generator.base.blobcache import BlobCache, key
from generator.engines.pagecache import has_markdown_links


def make_project(root: Path, data: Path = MINIMAL) -> Path:
    """A project of its own (its own .cache/): mkdocs.yml, theme/, content/, sites_data/."""
    root.mkdir(parents=True)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(data, root / "sites_data")
    return root


def build(project: Path, out: str, *args: str, ok: bool = True) -> Path:
    result = run_cli("build", "--out", out, "--no-pdf", "--as-of", AS_OF, *args, cwd=project,
                     timeout=900)
    assert "Traceback" not in result.stderr
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return project / out


def site_files(site: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in snapshot(site).items() if rel != ".showcase-generated"}


def assert_same_site(cached: Path, reference: Path) -> None:
    a, b = site_files(cached), site_files(reference)
    assert sorted(a) == sorted(b)
    differ = [rel for rel in a if a[rel] != b[rel]]
    assert differ == [], f"files that differ from a build without the cache: {differ[:10]}"


def entries(project: Path, kind: str) -> list[Path]:
    return sorted(p for p in (project / ".cache" / "pages" / kind).rglob("*")
                  if p.is_file() and not p.name.startswith("."))


# ---------------------------------------------------------------- byte-identical sites

@pytest.mark.parametrize("audience", ["public", "internal"])
def test_a_cached_build_is_the_site_an_uncached_build_gives(audience: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", SAMPLE)
    reference = build(project, "reference", "--audience", audience, "--no-cache")
    assert not (project / ".cache" / "pages").exists()  # --no-cache writes nothing either
    build(project, "cold", "--audience", audience)
    for kind in ("html", "search", "gz", "qr"):
        assert entries(project, kind), kind
    stamps = {p: p.stat().st_mtime_ns for p in entries(project, "html")}
    warm = build(project, "warm", "--audience", audience)
    assert_same_site(warm, reference)
    assert_same_site(project / "cold", reference)
    # The warm build took every page it could from the cache (nothing rendered anew) ...
    assert {p: p.stat().st_mtime_ns for p in entries(project, "html")}.keys() == stamps.keys()
    # ... and a record's page is one of them (a cached page is a whole page, not a stub).
    ident = sorted((SAMPLE / "sites").rglob("*.yml"))[0].stem
    page = (warm / "sites" / ident / "index.html").read_text(encoding="utf-8")
    assert page.count("</html>") == 1 and "<h1" in page


def test_changed_data_theme_and_audience_are_never_served_stale(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    build(project, "first")
    build(project, "internal", "--audience", "internal")
    # The data: one site's summary (its page, the listings that show it).
    site = next((project / "sites_data" / "sites").rglob("chengnan-taohua-cun.yml"))
    text = site.read_text(encoding="utf-8")
    changed = text.replace("summary: ", "summary: 缓存检验新摘要。", 1)
    assert changed != text
    site.write_text(changed, encoding="utf-8")
    after_data = build(project, "after-data")
    assert "缓存检验新摘要" in (after_data / "sites" / "chengnan-taohua-cun" / "index.html"
                                ).read_text(encoding="utf-8")
    assert_same_site(after_data, build(project, "after-data-ref", "--no-cache"))
    # The theme: a partial every page includes.
    partial = project / "theme" / "partials" / "copyright.html"
    partial.write_text(partial.read_text(encoding="utf-8") + "\n<!-- 缓存检验主题 -->\n",
                       encoding="utf-8")
    after_theme = build(project, "after-theme")
    assert "缓存检验主题" in (after_theme / "sites" / "chengnan-hongqi-cun" / "index.html"
                             ).read_text(encoding="utf-8")
    assert_same_site(after_theme, build(project, "after-theme-ref", "--no-cache"))
    # The audience: the internal build's pages were cached above; the public one has its own.
    public = build(project, "public-again")
    assert_same_site(public, project / "after-theme-ref")
    internal = build(project, "internal-again", "--audience", "internal")
    assert_same_site(internal, build(project, "internal-ref", "--audience", "internal",
                                     "--no-cache"))


CANARY = "qzxcachecanaryqzx"
NEW_SITE = """name: 中共缓存检验村支部委员会
category: rural
unit: hexi
batch: 2025
summary: 新增的示范点，检验缓存。
"""


def test_an_added_record_and_a_shared_cache_for_both_audiences(tmp_path: Path) -> None:
    """Internal and public builds share one cache and never mix: a private canary reaches
    the internal site and no public file; a record added afterwards (new page, new entries
    in the listings, facets and unit pages) gives, from the warm cache, exactly the sites a
    build without the cache gives."""
    project = make_project(tmp_path / "p")
    site = next((project / "sites_data" / "sites").rglob("chengnan-hongqi-cun.yml"))
    site.write_text(site.read_text(encoding="utf-8-sig")
                    + f"internal:\n  note: {CANARY}\n", encoding="utf-8")
    internal = build(project, "internal", "--audience", "internal")
    assert any(CANARY.encode() in data for data in site_files(internal).values())
    public = build(project, "public")
    leaked = [rel for rel, data in site_files(public).items() if CANARY.encode() in data]
    assert leaked == []
    assert_same_site(public, build(project, "public-ref", "--no-cache"))
    # A new record: the warm cache holds every other page of both audiences.
    (site.parent / "cunzi-huancun-jianyan.yml").write_text(NEW_SITE, encoding="utf-8")
    before = {p.name for p in entries(project, "html")}
    for audience in ("internal", "public"):
        warm = build(project, f"{audience}-added", "--audience", audience)
        assert "中共缓存检验村支部委员会" in (warm / "sites" / "cunzi-huancun-jianyan" / "index.html"
                                            ).read_text(encoding="utf-8")
        assert_same_site(warm, build(project, f"{audience}-added-ref", "--audience", audience,
                                     "--no-cache"))
    assert {p.name for p in entries(project, "html")} - before  # the new page was cached
    added = site_files(project / "public-added")
    assert [rel for rel, data in added.items() if CANARY.encode() in data] == []


def test_a_build_prunes_what_it_no_longer_uses(tmp_path: Path) -> None:
    """Entries no build has used for a while are removed once the cache outgrows twice
    what a build uses (plus a little room): the folder does not grow without bound."""
    project = make_project(tmp_path / "p")
    build(project, "first")
    stale = project / ".cache" / "pages" / "html" / "00" / ("00" + "ab" * 31)
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"\0" * (48 * 1024 * 1024))  # more than the spare room
    os.utime(stale, (1_000_000, 1_000_000))  # used long ago
    kept = entries(project, "html")
    build(project, "second")
    assert not stale.exists()
    assert set(kept) - {stale} <= set(entries(project, "html"))  # this build's stay


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_a_federated_site_is_the_same_with_the_cache_after_a_member_moved(
        audience: str, tmp_path: Path) -> None:
    members = [member_repo(tmp_path, MINIMAL, key, name, code) for key, name, code in
               (("wuling", "武陵区", "430702"), ("dingcheng", "鼎城区", "430703"))]
    project = make_project(tmp_path / "city")
    write_sources(project / "sites_data", members)
    fetched = run_cli("sources", "fetch", cwd=project)
    assert fetched.returncode == 0, fetched.stderr
    build(project, "cold", "--audience", audience)
    moved = members[1]
    site = next((moved.data / "sites").rglob("chengnan-taohua-cun.yml"))
    site.write_text(site.read_text(encoding="utf-8").replace("summary: ", "summary: 成员新摘要。", 1),
                    encoding="utf-8")
    moved.commit("修改摘要")
    updated = run_cli("sources", "update", "dingcheng", cwd=project)
    assert updated.returncode == 0, updated.stderr
    before = {p.name for p in entries(project, "html")}
    warm = build(project, "warm", "--audience", audience)
    page = warm / "sites" / "dingcheng" / "chengnan-taohua-cun" / "index.html"
    assert "成员新摘要" in page.read_text(encoding="utf-8")
    assert "成员新摘要" not in (warm / "sites" / "wuling" / "chengnan-taohua-cun" / "index.html"
                              ).read_text(encoding="utf-8")
    assert_same_site(warm, build(project, "reference", "--audience", audience, "--no-cache"))
    # Only what the move changed was rendered anew: a few pages, not the site.
    new = {p.name for p in entries(project, "html")} - before
    assert 0 < len(new) < len(before) / 4


# ---------------------------------------------------------------- a cache that fails

def test_damaged_entries_are_rendered_again(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    reference = build(project, "reference", "--no-cache")
    build(project, "cold")
    damaged = 0
    for kind in ("html", "search", "gz", "qr"):
        for i, entry in enumerate(entries(project, kind)):
            raw = bytearray(entry.read_bytes())
            if i % 2:
                raw[len(raw) // 2] ^= 0xFF  # one flipped byte
            else:
                raw = raw[: len(raw) // 2]  # cut short
            entry.write_bytes(bytes(raw))
            damaged += 1
    assert damaged > 100
    assert_same_site(build(project, "damaged"), reference)


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    reference = build(project, "reference", "--no-cache")
    (project / ".cache").mkdir(exist_ok=True)  # the photos and the history are cached
    (project / ".cache" / "pages").write_text("不是目录", encoding="utf-8")
    result = run_cli("build", "--out", "blocked", "--no-pdf", "--as-of", AS_OF, cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    notes = [line for line in result.stderr.splitlines() if ".cache/pages" in line]
    assert len(notes) == 1 and notes[0].startswith("提示：缓存目录"), result.stderr
    assert_same_site(project / "blocked", reference)


# ---------------------------------------------------------------- strict builds stay strict

NOTE = """# 工作说明

见[示范点的做法](../plans/2025/index.md{anchor})。
"""


def _anchor_of(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    start = html.index('<h2 id="') + len('<h2 id="')
    return html[start:html.index('"', start)]


def test_a_hand_written_page_cannot_hide_a_broken_link_behind_the_cache(tmp_path: Path) -> None:
    """A hand-written page is rendered every time (its links are checked against this
    build's pages); a cached page it points at keeps its anchors."""
    project = make_project(tmp_path / "p")
    notes = project / "content" / "notes"
    notes.mkdir()
    (notes / "index.md").write_text(NOTE.format(anchor=""), encoding="utf-8")
    first = build(project, "first")
    anchor = _anchor_of(first / "plans" / "2025" / "index.html")
    (notes / "index.md").write_text(NOTE.format(anchor=f"#{anchor}"), encoding="utf-8")
    build(project, "good-anchor")
    assert entries(project, "html")
    # An anchor the cached plan page does not have: a warning, so the strict build fails.
    (notes / "index.md").write_text(NOTE.format(anchor="#meiyou-zhege-biaoti"), encoding="utf-8")
    result = run_cli("build", "--out", "bad-anchor", "--no-pdf", "--as-of", AS_OF, cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "meiyou-zhege-biaoti" in result.stderr and not (project / "bad-anchor").exists()
    # A page it links to that is gone: a warning as well.
    (notes / "index.md").write_text(NOTE.format(anchor=""), encoding="utf-8")
    shutil.rmtree(project / "sites_data" / "plans")
    (project / "sites_data" / "plans").mkdir()
    gone = run_cli("build", "--out", "gone", "--no-pdf", "--as-of", AS_OF, cwd=project)
    assert gone.returncode == 1, gone.stdout + gone.stderr
    assert "plans/2025/index.md" in gone.stderr and not (project / "gone").exists()


_WARN_ON_ONE_PAGE = """
import datetime as dt, logging, sys
from pathlib import Path
from mkdocs.structure.pages import Page
from generator.engines import logs, pipeline
logs.configure()
render = Page.render
def render_with_a_warning(self, config, files):
    render(self, config, files)
    if self.file.src_uri == "sites/chengnan-taohua-cun/index.md":
        logging.getLogger("mkdocs.test").warning("一条只在这一页出现的警告")
Page.render = render_with_a_warning
project = Path(sys.argv[1])
try:
    pipeline.build_site(pipeline.BuildSettings(
        config_file=project / "mkdocs.yml", data_dir=project / "sites_data",
        out=project / sys.argv[2], as_of=dt.date.fromisoformat(sys.argv[3]), pdf=False))
except pipeline.BuildFailed as exc:
    print(exc)
    sys.exit(3)
"""


def test_a_page_that_warned_is_not_cached(tmp_path: Path) -> None:
    """Rendering a page logged a warning (the strict build failed): the next build renders
    that page again and fails again, instead of serving it quietly from the cache."""
    import subprocess
    import sys

    project = make_project(tmp_path / "p")
    for out in ("first", "second"):
        result = subprocess.run([sys.executable, "-c", _WARN_ON_ONE_PAGE, str(project), out,
                                 AS_OF], capture_output=True, text=True, timeout=600,
                                cwd=REPO, check=False)
        assert result.returncode == 3, result.stdout + result.stderr
        assert "一条只在这一页出现的警告" in result.stderr
    assert entries(project, "html")  # the other pages were cached all the same


def test_markdown_links_outside_our_html_keep_a_page_out_of_the_cache() -> None:
    fenced = "<!--sc-html-->\n<p><a href=\"../x/\">x</a> [not](markdown)</p>\n<!--/sc-html-->\n"
    assert not has_markdown_links("# 标题\n\n" + fenced)
    assert has_markdown_links(fenced + "见 [数据](sites.json)。\n")
    assert has_markdown_links("见 [数据][d]。\n\n[d]: sites.json\n")
    assert has_markdown_links("![图](a.png)\n")
    assert not has_markdown_links("【主要做法】[一] 与 [二] 之间\n")


# ---------------------------------------------------------------- the store itself

def test_the_store_keeps_what_it_is_given_and_refuses_what_is_damaged(tmp_path: Path) -> None:
    cache = BlobCache.at(tmp_path / "c")
    name = key("x", b"\x00\x01", "页面")
    assert key("x", "y") != key("xy") and key("x", "y") != key("x", "y", "")
    assert cache.get("html", name) is None
    cache.put("html", name, "页面内容".encode() * 100)
    cache.put("gz", name, b"\x1f\x8b raw bytes", compress=False)
    assert cache.get("html", name) == "页面内容".encode() * 100
    assert cache.get("gz", name) == b"\x1f\x8b raw bytes"
    path = tmp_path / "c" / "gz" / name[:2] / name
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 1
    path.write_bytes(bytes(raw))
    assert cache.get("gz", name) is None
    assert BlobCache(None).get("html", name) is None


def test_pruning_keeps_this_build_and_drops_the_least_recently_used(tmp_path: Path) -> None:
    cache = BlobCache.at(tmp_path / "c")
    old = [key("old", str(i)) for i in range(40)]
    for i, name in enumerate(old):
        cache.put("html", name, os.urandom(1000), compress=False)
        path = tmp_path / "c" / "html" / name[:2] / name
        os.utime(path, (1_000_000 + i, 1_000_000 + i))  # used long ago, in this order
    since = time.time() - 1
    fresh = [key("new", str(i)) for i in range(10)]
    for name in fresh:
        cache.put("html", name, os.urandom(1000), compress=False)
    assert cache.get("html", old[-1]) is not None  # read now: used by this build
    removed, kept = cache.prune(since, spare_bytes=5_000)
    left = {p.name for p in (tmp_path / "c").rglob("*") if p.is_file()}
    # Entries of 1,009 bytes (9 of header); this build used 11: the budget is twice that
    # plus 5,000 bytes = 27,198, so of the 50 entries (50,450 bytes) the 24 least recently
    # used go.
    assert set(fresh) | {old[-1]} <= left
    assert (removed, len(left), kept) == (24, 26, 26 * 1009)
    survivors = [i for i, name in enumerate(old[:-1]) if name in left]
    assert survivors == list(range(39 - len(survivors), 39))  # the newest of the old ones
