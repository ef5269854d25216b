"""What every build does after the engine, in this process (engines/poststeps.py: search
index, sitemap, robots.txt, gzip copies, documents), and the engines themselves on a tiny
project (engines/render.py, engines/shards.py): MkDocs in this process on one and on two
forked shards, a shard that fails, ProperDocs and Zensical as commands. Expected files,
entries and messages are written out by hand; whole builds are in test_shards.py,
test_missed_bugs.py and test_engines.py."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import MINIMAL
from mkdocs.structure.files import File, Files

from generator.base.blobcache import BlobCache
from generator.data import loader
from generator.data.dataset import Dataset
from generator.engines import poststeps, render, shards
from generator.engines.poststeps import PostStepFailed
from generator.engines.render import EngineFailed
from generator.engines.shards import ShardPlugin
from generator.rules.audience import view
from generator.rules.facts import derive
from generator.site import searchindex

AS_OF = dt.date(2026, 11, 28)
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def page(title: str, body: str, *, h1: str | None = None) -> str:
    heading = f"<h1>{h1}</h1>" if h1 is not None else ""
    return (f"<!doctype html><html><head><title>{title} - 示例平台</title></head><body>"
            '<nav class="md-nav">菜单 不算正文</nav><div class="md-content">'
            f'<article class="md-content__inner md-typeset">{heading}{body}</article></div>'
            "<footer>页脚</footer></body></html>")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A rendered site as an engine leaves it (the pages' own text inside the article)."""
    root = tmp_path / "site"
    pages = {
        "index.html": page("首页", "<p>欢迎访问示范点平台</p>", h1="示范点平台"),
        "sites/index.html": page("示范点", "<p>列表</p>", h1="示范点"),
        "sites/page_2/index.html": page("示范点", "<p>第二页</p>", h1="示范点"),
        "sites/by_unit/hexi/index.html": page("河西区", "<p>分类</p>", h1="河西区"),
        "sites/taohua/index.html": page(
            "桃花村", '<p class="sc-meta">提高阶段 · 城南区</p><h2>基本情况</h2><p>桃花村有党员 96 名</p>'
            "<article><p>别的卡片</p></article><p>尾声</p>", h1="桃花村"),
        "experiences/jifen/index.html": page("积分制", '<p class="sc-author">城南区委组织部</p><p>积分制管理</p>',
                                             h1="党员积分制"),
        "tags/index.html": page("标签", "<p>标签</p>", h1="标签"),
        "search/index.html": page("搜索", "<p>搜索</p>", h1="搜索"),
        "about/index.html": page("关于本站", "<p>没有一级标题的页面</p>"),
        "404.html": page("404", "<p>找不到</p>"),
        "plain/index.html": "<html><head><title>无文章 - 平台</title></head><body>x</body></html>",
    }
    for rel, text in pages.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "assets").mkdir()
    (root / "assets" / "big.css").write_text("body { color: red; }\n" * 40, encoding="utf-8")
    (root / "assets" / "small.js").write_text("x=1;\n", encoding="utf-8")
    (root / "assets" / "photo.jpg").write_bytes(b"\xff\xd8" + b"\x00" * 400)
    (root / "assets" / "random.json").write_bytes(os.urandom(600))  # gzip cannot shrink it
    return root


# ---------------------------------------------------------------- pages and their text

def test_page_url(tmp_path: Path) -> None:
    assert poststeps.page_url(tmp_path, tmp_path / "index.html") == ""
    assert poststeps.page_url(tmp_path, tmp_path / "sites" / "a" / "index.html") == "sites/a/"


def test_article() -> None:
    html = ('<p>外</p><article class="md-content__inner md-typeset" id="x"><h1>标题</h1>'
            "<article>卡片<article>里</article></article>正文</article><p>后</p></article>")
    assert poststeps.article(html) == "<h1>标题</h1><article>卡片<article>里</article></article>正文"
    assert poststeps.article("<article>不是内容</article>") is None
    assert poststeps.article('<ARTICLE class="md-content__inner">未闭合') == "未闭合"
    assert poststeps.article('<article class="md-content__inner"></article>') == ""
    # an article before the content (a banner, say) is not the content's end
    assert poststeps.article('<article>横幅</article><article class="md-content__inner">正文'
                             '</article>') == "正文"


def test_search_doc() -> None:
    doc = poststeps.search_doc("sites/t/", page(
        "桃花村", '<p class="sc-meta" data-x="1">提高阶段 · 城南区</p><p>正文一</p>'
        '<p class="sc-author">作者</p><p>正文二</p>', h1="桃花<b>村</b>"))
    assert doc == searchindex.Doc("sites/t/", "桃花村", "正文一 正文二", "提高阶段 · 城南区 作者")
    no_heading = poststeps.search_doc("about/", page("关于 &amp; 本站", "<p>文字</p>"))
    assert no_heading == searchindex.Doc("about/", "关于 & 本站", "文字")
    assert poststeps.search_doc("x/", "<html><body>无</body></html>") is None


def test_title() -> None:
    assert poststeps._title("<title>甲 - 乙 - 丙</title>") == "甲"
    assert poststeps._title("<TITLE>\n  甲&lt;  \n</TITLE>") == "甲<"
    assert poststeps._title("<html></html>") == ""


def test_searchable_pages_and_sitemap_urls(site: Path) -> None:
    # in the order of their files' paths
    assert [url for url, _path in poststeps.searchable_pages(site)] == [
        "about/", "experiences/jifen/", "", "plain/", "sites/taohua/"]
    assert poststeps.searchable_pages(site)[0][1] == site / "about" / "index.html"
    assert poststeps.sitemap_urls(site) == ["about/", "experiences/jifen/", "", "plain/", "sites/",
                                            "sites/taohua/"]


def test_write_search_index(site: Path) -> None:
    old = site / "search" / "i" / "999.json"
    old.parent.mkdir(parents=True)
    old.write_text("{}", encoding="utf-8")
    (site / "search" / "d").mkdir()
    (site / "search" / "d" / "99.json").write_text("{}", encoding="utf-8")
    assert poststeps.write_search_index(site) == 5
    assert not old.exists() and not (site / "search" / "d" / "99.json").exists()
    assert (site / "search" / "index.html").is_file()  # the search page stays
    index = site / "search"
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["docs"] == 5 and manifest["shards"] == 16
    # ranking: experiences, sites, … the home page last
    docs = [json.loads((index / "d" / f"{n}.json").read_text(encoding="utf-8")) for n in range(5)]
    assert [d["u"] for d in docs] == ["experiences/jifen/", "sites/taohua/", "about/", "plain/", ""]
    assert docs[1] == {"t": "桃花村", "u": "sites/taohua/",
                       "x": "【基本情况】 桃花村有党员 96 名 别的卡片 尾声", "m": "提高阶段 · 城南区"}
    assert docs[3] == {"t": "无文章", "u": "plain/", "x": ""}
    assert docs[0]["m"] == "城南区委组织部"
    assert [h.url for h in searchindex.query(index, "桃花村")] == ["sites/taohua/"]
    assert [h.url for h in searchindex.query(index, "城南区")] == ["experiences/jifen/",
                                                                  "sites/taohua/"]
    assert list(searchindex.query(index, "页脚")) == []  # outside the article
    assert list(searchindex.query(index, "第二页")) == []  # listings are not searched


def test_index_part_numbers_from_its_start(site: Path) -> None:
    pages = [("sites/taohua/", site / "sites" / "taohua" / "index.html"),
             ("plain/", site / "plain" / "index.html")]
    (postings, titles), fingerprints = poststeps._index_part((site, 7, pages, BlobCache(None)))
    assert postings["桃花村"] == [7] and titles["桃花村"] == [7]
    assert postings["无文章"] == [8]
    assert sorted(fingerprints) == ["search/d/7.json", "search/d/8.json"]
    stored = (site / "search" / "d" / "8.json").read_bytes()
    assert fingerprints["search/d/8.json"] == searchindex.fingerprint(stored)


# ---------------------------------------------------------------- sitemap and robots

def test_sitemap_public(site: Path) -> None:
    poststeps.write_sitemap(site, "https://dj.example.cn", dt.date(2026, 3, 4), internal=False)
    text = (site / "sitemap.xml").read_bytes()
    assert text.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                           b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n  <url>\n')
    assert text.endswith(b"  </url>\n</urlset>\n")
    urls = ET.fromstring(text).findall(f"{SM}url")
    assert [u.findtext(f"{SM}loc") for u in urls] == [
        "https://dj.example.cn/about/", "https://dj.example.cn/experiences/jifen/", "https://dj.example.cn/",
        "https://dj.example.cn/plain/", "https://dj.example.cn/sites/", "https://dj.example.cn/sites/taohua/"]
    assert {u.findtext(f"{SM}lastmod") for u in urls} == {"2026-03-04"}
    assert text.count(b"  </url>\n  <url>\n") == 5  # one entry right after the other
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == text
    assert (site / "sitemap.xml.gz").read_bytes()[4:8] == b"\x00\x00\x00\x00"  # no time stamp
    poststeps.write_sitemap(site, "https://dj.example.cn/BOX/", dt.date(2026, 3, 4), internal=False)
    assert b"<loc>https://dj.example.cn/BOX/about/</loc>" in (site / "sitemap.xml").read_bytes()


def test_sitemap_escapes_and_is_empty_without_an_address_or_when_internal(site: Path) -> None:
    (site / "a&b").mkdir()
    (site / "a&b" / "index.html").write_text(page("x", "x"), encoding="utf-8")
    poststeps.write_sitemap(site, "https://dj.example.cn/", AS_OF, internal=False)
    assert b"<loc>https://dj.example.cn/a&amp;b/</loc>" in (site / "sitemap.xml").read_bytes()
    empty = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
             b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n</urlset>\n')
    for base, internal in (("", False), ("https://dj.example.cn/", True)):
        poststeps.write_sitemap(site, base, AS_OF, internal=internal)
        assert (site / "sitemap.xml").read_bytes() == empty
        assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == empty


def test_robots(tmp_path: Path) -> None:
    poststeps.write_robots(tmp_path, "https://dj.example.cn/", internal=False)
    assert (tmp_path / "robots.txt").read_bytes() == (
        b"User-agent: *\nAllow: /\nSitemap: https://dj.example.cn/sitemap.xml\n")
    # only slashes are trimmed from the address, never the letters of its last folder
    poststeps.write_robots(tmp_path, "https://dj.example.cn/BOX/", internal=False)
    assert (tmp_path / "robots.txt").read_text(encoding="utf-8").endswith(
        "Sitemap: https://dj.example.cn/BOX/sitemap.xml\n")
    poststeps.write_robots(tmp_path, "", internal=False)
    assert (tmp_path / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"
    poststeps.write_robots(tmp_path, "https://dj.example.cn", internal=True)
    assert (tmp_path / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"


# ---------------------------------------------------------------- gzip copies

def test_write_precompressed(site: Path) -> None:
    (site / "assets" / "link.css").symlink_to(site / "assets" / "big.css")
    exactly = site / "assets" / "exactly.txt"
    exactly.write_text("a" * 256, encoding="utf-8")
    below = site / "assets" / "below.txt"
    below.write_text("a" * 255, encoding="utf-8")
    stale = site / "assets" / "big.css.gz"
    stale.write_bytes(b"stale")
    count = poststeps.write_precompressed(site)
    gz = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.gz"))
    assert "assets/big.css.gz" in gz and "assets/exactly.txt.gz" in gz
    for absent in ("assets/small.js.gz", "assets/below.txt.gz", "assets/photo.jpg.gz",
                   "assets/random.json.gz", "assets/link.css.gz"):
        assert absent not in gz
    pages = [p for p in gz if p.endswith(".html.gz")]
    assert len(pages) == 10 and "plain/index.html.gz" not in pages  # under 256 bytes
    assert count == len(gz)  # every copy there was written now (the stale one again)
    big = (site / "assets" / "big.css").read_bytes()
    assert gzip.decompress(stale.read_bytes()) == big
    assert stale.read_bytes()[4:8] == b"\x00\x00\x00\x00"
    assert stale.read_bytes() == gzip.compress(big, compresslevel=6, mtime=0)
    assert poststeps.write_precompressed(site) == count  # again: the same, nothing of its own
    assert not any(p.name.endswith(".gz.gz") for p in site.rglob("*"))


def test_gzip_part_counts_what_it_wrote(tmp_path: Path) -> None:
    text, noise = tmp_path / "a.txt", tmp_path / "b.txt"
    text.write_text("重复" * 300, encoding="utf-8")
    noise.write_bytes(os.urandom(300))
    assert poststeps._gzip_part(([text, noise], BlobCache(None))) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "a.txt.gz", "b.txt"]
    assert poststeps._gzip_part(([], BlobCache(None))) == 0


# ---------------------------------------------------------------- documents and the whole

def _shown(audience: str = "public") -> Dataset:
    return view(loader.load(MINIMAL), audience)  # type: ignore[arg-type]


def test_pdf_jobs() -> None:
    jobs = poststeps.pdf_jobs(_shown(), ["b", "a"])
    assert [(j.path, j.cost) for j in jobs] == [("compilations/a.pdf", 20.0),
                                                ("compilations/b.pdf", 20.0)]
    assert poststeps.pdf_jobs(_shown(), []) == []


def test_a_compilation_pdf_job_makes_the_pdf(tmp_path: Path) -> None:
    (job,) = poststeps.pdf_jobs(_shown(), ["huibian-2025"])
    content, warnings = job.make()
    assert content.startswith(b"%PDF-") and warnings == []
    import io

    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "园区党建联盟" in text and "积分制" in text


def test_compilation_warnings_name_the_compilation(monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.pdf as pdf

    def fake(shown: Dataset, ident: str, out: Path, photos: object = None) -> SimpleNamespace:
        out.write_bytes(b"%PDF-stand-in")
        return SimpleNamespace(warnings=["照片分辨率不足"])

    monkeypatch.setattr(pdf, "render_compilation", fake)
    (job,) = poststeps.pdf_jobs(_shown(), ["huibian-2025"])
    assert job.make() == (b"%PDF-stand-in", ["经验汇编 huibian-2025：照片分辨率不足"])


def test_write_documents(tmp_path: Path) -> None:
    shown = _shown()
    warnings = poststeps.write_documents(tmp_path, shown, derive(shown, AS_OF), "public", [],
                                         pdf=False)
    assert warnings == []
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "reports/2025/annual-2025.docx"]


def test_a_compilation_that_fails_stops_the_build(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.pdf import CompilationError

    def failing(folder: Path, jobs: list[Any], as_of: dt.date) -> list[str]:
        assert [j.path for j in jobs][:1] == ["compilations/huibian-2025.pdf"]
        raise CompilationError("照片无法读取")

    monkeypatch.setattr(poststeps, "run_jobs", failing)
    shown = _shown()
    with pytest.raises(PostStepFailed) as info:
        poststeps.write_documents(tmp_path, shown, derive(shown, AS_OF), "public", ["huibian-2025"])
    assert str(info.value) == "文档无法生成：照片无法读取"


def _bare() -> Dataset:
    """Programme and taxonomy only: no document to make."""
    data = loader.load(MINIMAL)
    data.sites, data.experiences, data.plans, data.compilations = {}, {}, {}, {}
    return data


def test_finish_public(site: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="showcase.build")
    warnings = poststeps.finish(site, shown=_bare(), audience="public",
                                base_url="https://dj.example.cn/", as_of=AS_OF)
    assert warnings == []
    assert (site / "robots.txt").read_text(encoding="utf-8").endswith(
        "Sitemap: https://dj.example.cn/sitemap.xml\n")
    locs = [e.text for e in ET.parse(site / "sitemap.xml").iter(f"{SM}loc")]
    assert "https://dj.example.cn/sites/taohua/" in locs
    assert {e.text for e in ET.parse(site / "sitemap.xml").iter(f"{SM}lastmod")} == {"2026-11-28"}
    assert json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))["docs"] == 5
    assert (site / "sitemap.xml.gz").is_file() and (site / "index.html.gz").is_file()
    messages = [r.getMessage() for r in caplog.records if r.name == "showcase.build"]
    gz = len(list(site.rglob("*.gz")))
    assert messages == ["搜索索引：5 个页面", f"预压缩：{gz} 个文本文件"]


def test_finish_internal(site: Path) -> None:
    shown = _bare()
    poststeps.finish(site, shown=shown, audience="internal", base_url="https://dj.example.cn/",
                     as_of=AS_OF, facts=derive(shown, AS_OF), pdf=False)
    assert (site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"
    assert list(ET.parse(site / "sitemap.xml").iter(f"{SM}loc")) == []


def test_finish_hands_its_arguments_to_the_documents(site: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Any, ...]] = []

    def documents(*args: Any) -> list[str]:
        seen.append(args)
        return ["警告"]

    monkeypatch.setattr(poststeps, "write_documents", documents)
    shown, photos = _bare(), SimpleNamespace()
    warnings = poststeps.finish(site, shown=shown, audience="internal", base_url="", as_of=AS_OF,
                                pdfs=["huibian-2025"], photos=photos)  # type: ignore[arg-type]
    assert warnings == ["警告"]
    (folder, data, facts, audience, pdfs, photo_plan, pdf), = seen
    assert (folder, data, audience, pdfs, photo_plan, pdf) == (
        site, shown, "internal", ["huibian-2025"], photos, True)
    assert facts.as_of == AS_OF  # derived when not given
    given = derive(shown, AS_OF)
    poststeps.finish(site, shown=shown, audience="public", base_url="", as_of=AS_OF, facts=given,
                     pdf=False)
    assert seen[1][2] is given and seen[1][3:] == ("public", (), None, False)


# ---------------------------------------------------------------- the shards' plugin

def _files(*paths: str) -> Files:
    return Files([File(p, "/docs", "/site", True) for p in paths])


PAGES = ("index.md", "about.md", "sites/s8/index.md", "sites/s14/index.md", "sites/s36/index.md",
         "sites/s9/index.md", "sites/s0/index.md", "experiences/c/index.md", "logo.png")
# Movable pages in the order of their crc32: s29 (343569966), c (372677366), s36 (620753507),
# s0 (1896578184), s14 (2019990431), s9 (2367575874). Shards 1, 2 … take them in that order
# until each holds a 1/n share of the whole cost; what is left stays with shard 0.


def test_assign_two_shards() -> None:
    plugin = ShardPlugin(2)
    plugin.nav_pages = {"index.md", "sites/s8/index.md"}
    plugin._assign(_files(*PAGES))
    # 8 pages (not the logo), 5 movable (not the menu's s8): shard 1 takes 4, s9 stays
    assert plugin.owner == {"experiences/c/index.md": 1, "sites/s36/index.md": 1,
                            "sites/s0/index.md": 1, "sites/s14/index.md": 1}
    assert [plugin.owner.get(src, 0) for src in PAGES[:3]] == [0, 0, 0]


def test_assign_three_shards() -> None:
    plugin = ShardPlugin(3)
    plugin.nav_pages = {"index.md", "sites/s8/index.md"}
    plugin._assign(_files(*PAGES))
    # a share is 8 / 3 = 2.67 pages: shard 1 takes three, shard 2 the two left
    assert plugin.owner == {"experiences/c/index.md": 1, "sites/s36/index.md": 1,
                            "sites/s0/index.md": 1, "sites/s14/index.md": 2, "sites/s9/index.md": 2}


def test_assign_weighs_pages_from_the_cache_as_cheap() -> None:
    plugin = ShardPlugin(2)
    plugin.nav_pages = {"index.md", "sites/s8/index.md"}
    plugin.cheap = {"experiences/c/index.md", "sites/s36/index.md", "sites/s0/index.md"}
    plugin._assign(_files(*PAGES))
    # cost 5 + 3 × 0.1 = 5.3, a share 2.65: three cheap pages and two rendered ones are 2.3
    assert plugin.owner == {src: 1 for src in ("experiences/c/index.md", "sites/s36/index.md",
                                               "sites/s0/index.md", "sites/s14/index.md",
                                               "sites/s9/index.md")}
    assert shards.CHEAP < 1


def test_assign_when_few_pages_move() -> None:
    plugin = ShardPlugin(2)
    plugin._assign(_files("index.md", "a.md", "b.md", "c.md", "sites/s0/index.md"))
    assert plugin.owner == {"sites/s0/index.md": 1}  # less than a share: all of them move
    plugin = ShardPlugin(2)
    plugin._assign(_files("index.md", "about.md"))
    assert plugin.owner == {}
    plugin = ShardPlugin(4)
    plugin._assign(_files("sites/s14/index.md", "sites/s9/index.md", "sites/s0/index.md",
                          "sites/s29/index.md"))
    # a share is one page: s29 → 1, s0 → 2, s14 → 3, and s9 stays with the first shard
    assert plugin.owner == {"sites/s29/index.md": 1, "sites/s0/index.md": 2, "sites/s14/index.md": 3}


def test_assign_fills_each_share_then_the_next() -> None:
    six = ("sites/s29/index.md", "experiences/c/index.md", "sites/s36/index.md",
           "sites/s0/index.md", "sites/s14/index.md", "sites/s9/index.md")  # crc32 order
    plugin = ShardPlugin(3)
    plugin._assign(_files(*six))
    # a share is two pages: shard 1 takes two, shard 2 the next two, two stay with shard 0
    assert plugin.owner == {six[0]: 1, six[1]: 1, six[2]: 2, six[3]: 2}
    plugin = ShardPlugin(2)
    plugin.cheap = {six[4], six[5]}
    plugin._assign(_files("index.md", *six))
    # cost 5 + 2 × 0.1 = 5.2, a share 2.6: three rendered pages fill it (with the cheap pages
    # counted as rendered ones, a share would be 3.5 and s0 would move too)
    assert plugin.owner == {six[0]: 1, six[1]: 1, six[2]: 1}
    plugin = ShardPlugin(4)
    plugin.cheap = {six[0], six[1], six[2], six[3], six[5]}
    plugin._assign(_files(*six))
    # cost 1 + 5 × 0.1 = 1.5, a share 0.375: four cheap pages, then one rendered page (s14)
    # fills a share alone (at a cost of 0.2 for a cheap page s9 would go to shard 2 as well)
    assert plugin.owner == {six[0]: 1, six[1]: 1, six[2]: 1, six[3]: 1, six[4]: 2, six[5]: 3}


def test_on_nav_forks_a_process_for_each_other_shard(monkeypatch: pytest.MonkeyPatch) -> None:
    nav: Any = SimpleNamespace(pages=[SimpleNamespace(file=File("index.md", "/docs", "/site", True))])
    config = SimpleNamespace(plugins={})
    forks: list[int] = []

    def fork(pid: int) -> int:
        forks.append(pid)
        return pid

    # the first shard: one child per other shard, its own files untouched
    monkeypatch.setattr(shards.os, "fork", lambda: fork(100 + len(forks)))
    plugin = ShardPlugin(3)
    files = _files("index.md", "logo.png", "sites/s0/index.md")
    assert plugin.on_nav(nav, config=config, files=files) is nav
    assert (plugin.index, plugin.children, plugin.nav_pages) == (0, [100, 101], {"index.md"})
    assert plugin.owner == {"sites/s0/index.md": 1}
    assert not any(f.copy_file is shards._no_copy for f in files)
    # the second shard (fork returns 0 in the child): it stops forking and copies no file
    forks.clear()
    children: list[str] = []
    monkeypatch.setattr(shards.os, "fork", lambda: fork(0))
    monkeypatch.setattr(shards, "as_child", lambda: children.append("child"))
    plugin = ShardPlugin(3)
    assert plugin.on_nav(nav, config=config, files=files) is nav
    assert (plugin.index, plugin.children, forks, children) == (1, [], [0], ["child"])
    assert [f.copy_file is shards._no_copy for f in files] == [False, True, False]


class _Page:
    def __init__(self, src: str) -> None:
        self.file = File(src, "/docs", "/site", True)
        self.meta: dict[str, Any] = {}
        self.content: str | None = "old"
        self.toc: list[Any] = ["old"]


def test_page_events_of_a_shard() -> None:
    plugin = ShardPlugin(2)
    plugin.nav_pages = {"index.md"}
    plugin.owner = {"sites/a/index.md": 1, "sites/b/index.md": 0}
    assert not plugin.is_child
    mine: Any = _Page("sites/b/index.md")
    theirs: Any = _Page("sites/a/index.md")
    menu: Any = _Page("index.md")
    kwargs: dict[str, Any] = {"config": None, "files": None}
    assert plugin.owns(mine) and not plugin.owns(theirs) and plugin.owns(menu)
    other: Any = _Page("other.md")
    assert plugin.owns(other)
    assert plugin.on_page_markdown("# b", page=mine, **kwargs) == "# b"
    assert plugin.on_page_markdown("# m", page=menu, **kwargs) == "# m"
    assert mine.meta == {} and menu.meta == {}
    tags: Any = _Page("sites/a/index.md")
    text = "# a\n<!-- material/tags -->\n"
    assert plugin.on_page_markdown(text, page=tags, **kwargs) == text
    assert plugin.on_page_markdown("# a", page=theirs, **kwargs) == ""
    assert theirs.meta == {"template": "showcase-skip.html"}
    theirs.render(None, None)
    assert theirs.content == "" and theirs.toc == []
    assert plugin.on_post_page("<html>", page=mine, config=None) == "<html>"
    assert plugin.on_post_page("<html>", page=theirs, config=None) == ""
    plugin.index = 1
    assert plugin.is_child and plugin.owns(theirs) and not plugin.owns(mine)
    assert not plugin.owns(menu)  # the first shard writes the menu's pages
    assert plugin.on_post_page("<html>", page=menu, config=None) == ""


def test_other_shards_copy_no_static_file() -> None:
    files = _files("index.md", "logo.png", "style.css")
    plugin = ShardPlugin(2)
    plugin._keep_own_files(files)
    assert [f.copy_file is shards._no_copy for f in files] == [False, True, True]
    shards._no_copy()
    shards._no_copy(dirty=True)


def test_the_skip_template_is_empty() -> None:
    import jinja2

    env = jinja2.Environment(loader=jinja2.DictLoader({"main.html": "主模板"}))
    plugin = ShardPlugin(2)
    env = plugin.on_env(env, config=None, files=Files([]))
    assert env.get_template("showcase-skip.html").render() == ""
    assert env.get_template("main.html").render() == "主模板"


def test_only_the_first_shard_exports_the_tags() -> None:
    from material.plugins.tags.plugin import TagsPlugin  # type: ignore[import-untyped]

    tags = TagsPlugin()
    tags.load_config({})
    other = TagsPlugin()
    other.load_config({})

    shards._no_exports(SimpleNamespace(plugins={"material/tags": tags, "other": object()}))
    assert tags.config["export"] is False and other.config["export"] is True


def test_wait_reports_each_shards_exit_status() -> None:
    plugin = ShardPlugin(3)
    for code in (0, 3):
        pid = os.fork()
        if pid == 0:
            os._exit(code)
        plugin.children.append(pid)
    assert plugin.wait() == [0, 3]
    assert plugin.children == [] and plugin.wait() == []


def test_stop_ends_the_other_shards() -> None:
    plugin = ShardPlugin(2)
    pid = os.fork()
    if pid == 0:
        import time

        time.sleep(60)
        os._exit(0)
    plugin.children.append(pid)
    plugin.stop()
    assert plugin.children == []
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped


def test_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shards, "workers", lambda: 1)
    assert shards.available() is False
    monkeypatch.setattr(shards, "workers", lambda: 2)
    assert shards.available() is True


# ---------------------------------------------------------------- MkDocs on shards

def project(root: Path, theme: str = "mkdocs") -> Path:
    docs = root / "docs"
    for rel in ("index.md", "sites/s14/index.md", "sites/s0/index.md", "experiences/c/index.md",
                "sites/s36/index.md"):
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(f"# {rel}\n\n正文\n", encoding="utf-8")
    (docs / "logo.txt").write_text("静态文件", encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(f"site_name: 测试\nsite_url: https://dj.example.cn/\ntheme:\n  name: {theme}\n"
                      "plugins: []\nnav:\n  - 首页: index.md\n", encoding="utf-8")
    return config


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def same_process() -> Iterator[None]:
    """A forked shard must never come back into the test: leave at once if one does."""
    pid = os.getpid()
    yield
    if os.getpid() != pid:
        os._exit(3)


@pytest.mark.usefixtures("same_process")
def test_two_shards_render_the_same_site_as_one(tmp_path: Path) -> None:
    config = project(tmp_path)
    render._mkdocs(config, tmp_path / "one", 86400 * 365, 1, None, None, "public")
    render._mkdocs(config, tmp_path / "two", 86400 * 365, 2, None, None, "public")
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert one == two
    assert {"index.html", "sites/s14/index.html", "sites/s0/index.html", "experiences/c/index.html",
            "logo.txt", "sitemap.xml"} <= set(one)
    assert b"sites/s14/index.md" in one["sites/s14/index.html"]
    assert b"<lastmod>1971-01-01</lastmod>" in one["sitemap.xml"]  # the build's epoch


@pytest.mark.usefixtures("same_process")
def test_mkdocs_takes_pages_from_memory(tmp_path: Path) -> None:
    config = project(tmp_path)
    render._mkdocs(config, tmp_path / "out", 0, 1, {"sites/new/index.md": "# 内存中的页面".encode(),
                                                    "about.md": config.parent / "docs" / "index.md"},
                   None, "public")
    out = snapshot(tmp_path / "out")
    assert "内存中的页面".encode() in out["sites/new/index.html"]
    assert b"<lastmod>1970-01-01</lastmod>" in out["sitemap.xml"]
    assert "about/index.html" in out


@pytest.mark.usefixtures("same_process")
def test_the_environment_is_put_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = project(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "old")
    render._mkdocs(config, tmp_path / "a", 0, 1, None, None, "public")
    assert "SOURCE_DATE_EPOCH" not in os.environ and os.environ["NO_MKDOCS_2_WARNING"] == "old"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(86400 * 366 * 2))  # the caller's wins
    render._mkdocs(config, tmp_path / "b", 0, 1, None, None, "public")
    assert os.environ["SOURCE_DATE_EPOCH"] == str(86400 * 366 * 2)
    assert b"<lastmod>1972-01-03</lastmod>" in (tmp_path / "b" / "sitemap.xml").read_bytes()
    monkeypatch.delenv("NO_MKDOCS_2_WARNING")
    render._mkdocs(config, tmp_path / "c", 0, 1, None, None, "public")
    assert "NO_MKDOCS_2_WARNING" not in os.environ


@pytest.mark.usefixtures("same_process")
def test_a_failing_shard_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = project(tmp_path)
    real = ShardPlugin.on_post_page

    def on_post_page(self: ShardPlugin, output: str, **kwargs: Any) -> str:
        if self.is_child:
            raise RuntimeError("injected fault in the second shard")
        return real(self, output, **kwargs)

    monkeypatch.setattr(ShardPlugin, "on_post_page", on_post_page)
    with pytest.raises(EngineFailed) as info:
        render._mkdocs(config, tmp_path / "out", 0, 2, None, None, "public")
    assert str(info.value) == "生成页面时出错（见上方“警告”或“错误”行），已中止。"


@pytest.mark.usefixtures("same_process")
def test_a_failure_in_the_first_shard_stops_the_others(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    config = project(tmp_path)
    started: list[ShardPlugin] = []
    real = ShardPlugin.on_nav

    def on_nav(self: ShardPlugin, nav: Any, **kwargs: Any) -> Any:
        started.append(self)
        return real(self, nav, **kwargs)

    def on_post_page(self: ShardPlugin, output: str, **kwargs: Any) -> str:
        if not self.is_child:
            raise KeyboardInterrupt
        import time

        time.sleep(30)  # the other shard would take long: it must be ended, not awaited
        return output

    monkeypatch.setattr(ShardPlugin, "on_nav", on_nav)
    monkeypatch.setattr(ShardPlugin, "on_post_page", on_post_page)
    import time

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        render._mkdocs(config, tmp_path / "out", 0, 2, None, None, "public")
    assert time.monotonic() - start < 20
    assert started and started[0].children == []


@pytest.mark.usefixtures("same_process")
def test_mkdocs_errors_in_chinese(tmp_path: Path) -> None:
    config = project(tmp_path)
    (config.parent / "docs" / "index.md").write_text("[坏链接](missing.md)\n", encoding="utf-8")
    with pytest.raises(EngineFailed) as info:
        render._mkdocs(config, tmp_path / "out", 0, 1, None, None, "public")
    assert str(info.value) == "严格模式下出现 1 个警告（见上方“警告”行），已中止。"
    config.write_text("site_name: [\n", encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 (a broken configuration is MkDocs' own error)
        render._mkdocs(config, tmp_path / "out", 0, 1, None, None, "public")


@pytest.mark.parametrize(("text", "message"), [
    ("Aborted with 3 warnings in strict mode!", "严格模式下出现 3 个警告（见上方“警告”行），已中止。"),
    ("Aborted with 1 warning in strict mode!", "严格模式下出现 1 个警告（见上方“警告”行），已中止。"),
    ("Aborted with a BuildError!", "生成页面时出错（见上方“错误”行）。"),
    ("Config value 'x': bad", "MkDocs 报告：Config value 'x': bad")])
def test_explain(text: str, message: str) -> None:
    assert render._explain(text) == message


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("KEEP", "1")
    env = render._environment(42)
    assert (env["SOURCE_DATE_EPOCH"], env["NO_MKDOCS_2_WARNING"], env["PYTHONUTF8"], env["KEEP"]) == (
        "42", "1", "1", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "7")
    assert render._environment(42)["SOURCE_DATE_EPOCH"] == "7"
    assert "SOURCE_DATE_EPOCH" in os.environ and os.environ["SOURCE_DATE_EPOCH"] == "7"


# ---------------------------------------------------------------- the engines as commands

def test_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, out = tmp_path / "mkdocs.yml", tmp_path / "out"
    assert render._command("properdocs", config, out) == [
        sys.executable, "-m", "properdocs", "build", "--strict", "-f", str(config), "-d", str(out)]
    zensical = Path(sys.executable).with_name("zensical")
    assert zensical.exists()
    assert render._command("zensical", config, out) == [str(zensical), "build", "--strict", "-f",
                                                       str(config)]
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(shutil, "which", lambda name: f"/opt/bin/{name}")
    assert render._command("zensical", config, out)[0] == "/opt/bin/zensical"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert render._command("zensical", config, out)[0] == "zensical"


def test_properdocs_and_zensical_build_the_project(tmp_path: Path) -> None:
    config = project(tmp_path, theme="material")
    render.render("properdocs", config, tmp_path / "p", epoch=0)
    render.render("zensical", config, tmp_path / "z", epoch=0)
    for out in ("p", "z"):
        assert (tmp_path / out / "sites" / "s14" / "index.html").is_file(), out
        assert (tmp_path / out / "logo.txt").is_file(), out
    assert not any((config.parent / "site").iterdir())  # Zensical's result moved out
    with pytest.raises(ValueError):
        render.render("zensical", config, tmp_path / "x", epoch=0, docs={"a.md": b"x"})


def _fake_engine(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    monkeypatch.setattr(render, "_command", lambda engine, config, out: [
        sys.executable, "-c", script, str(config), str(out)])


@pytest.mark.parametrize(("script", "message"), [
    ("import sys; print('\\x1b[31mERROR\\x1b[0m - 坏了'); print(); sys.exit(1)",
     "zensical 生成网站失败（它的输出如下，加 -v 可看完整过程）：\nERROR - 坏了"),
    ("import sys; sys.stderr.write('No module named properdocs\\n'); sys.exit(1)",
     "找不到 properdocs：请先安装（scripts/setup.sh 会安装它），或改用 --engine mkdocs。"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
     "zensical 被系统终止（很可能是内存不足），网站没有生成。请改用 --engine mkdocs。"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGTERM)",
     "zensical 被系统终止，网站没有生成。请改用 --engine mkdocs。")])
def test_engine_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str,
                         message: str) -> None:
    _fake_engine(monkeypatch, script)
    with pytest.raises(EngineFailed) as info:
        render._external("zensical", tmp_path / "mkdocs.yml", tmp_path / "out", 0, False)
    assert str(info.value) == message


def test_a_long_engine_output_is_cut_to_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_engine(monkeypatch, "import sys\nfor i in range(400): print(f'line {i:03d} ' + 'x' * 20)\nsys.exit(2)")
    with pytest.raises(EngineFailed) as info:
        render._external("properdocs", tmp_path / "mkdocs.yml", tmp_path / "out", 0, False)
    head, _sep, tail = str(info.value).partition("：\n")
    assert head == "properdocs 生成网站失败（它的输出如下，加 -v 可看完整过程）"
    assert len(tail) == 2000 and tail.endswith("line 399 " + "x" * 20)


def test_a_missing_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "_command", lambda *a: [str(tmp_path / "no-such-engine")])
    with pytest.raises(EngineFailed) as info:
        render._external("zensical", tmp_path / "mkdocs.yml", tmp_path / "out", 0, False)
    assert str(info.value) == "找不到 zensical：请先安装（scripts/setup.sh 会安装它），或改用 --engine mkdocs。"


def test_an_engine_runs_in_the_project_with_the_build_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    script = ("import os, pathlib, sys; pathlib.Path(sys.argv[2]).mkdir();"
              "pathlib.Path(sys.argv[2], 'env.txt').write_text("
              "os.getcwd() + '|' + os.environ['SOURCE_DATE_EPOCH'] + '|' + os.environ['PYTHONUTF8']);"
              "print('引擎的输出')")
    _fake_engine(monkeypatch, script)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "proj").mkdir()
    render._external("properdocs", tmp_path / "proj" / "mkdocs.yml", tmp_path / "out", 99, False)
    assert (tmp_path / "out" / "env.txt").read_text() == f"{tmp_path / 'proj'}|99|1"
    assert "引擎的输出" not in capfd.readouterr().out  # shown only with -v
    render._external("properdocs", tmp_path / "proj" / "mkdocs.yml", tmp_path / "out2", 99, True)
    assert "引擎的输出" in capfd.readouterr().out


def test_render_picks_mkdocs_with_shards_where_it_can(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(render, "_mkdocs", lambda *args: calls.append(args))
    monkeypatch.setattr(shards, "workers", lambda: 2)
    render.render("mkdocs", tmp_path / "c.yml", tmp_path / "o", epoch=5)
    cache = BlobCache(None)
    render.render("mkdocs", tmp_path / "c.yml", tmp_path / "o", epoch=5, shards=3, docs={"a": b""},
                  cache=cache, audience="internal")
    monkeypatch.setattr(shards, "workers", lambda: 1)
    render.render("mkdocs", tmp_path / "c.yml", tmp_path / "o", epoch=5)
    assert calls == [(tmp_path / "c.yml", tmp_path / "o", 5, 2, None, None, "public"),
                     (tmp_path / "c.yml", tmp_path / "o", 5, 3, {"a": b""}, cache, "internal"),
                     (tmp_path / "c.yml", tmp_path / "o", 5, 1, None, None, "public")]
