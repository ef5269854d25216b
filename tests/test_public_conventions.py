"""What a Chinese government website is expected to carry, and the public site's Chinese
corners (issue 11), checked in the built HTML:

* the footer from program.yml: organiser, ICP number with the MIIT register, the public
  security record number with its link, the site code (网站标识码), the government-site
  mark as an image link, contact for corrections — and nothing empty when a field is unset;
* the head: the Atom feed as an alternate link, the elder-mode stylesheet;
* robots.txt, and a sitemap of content pages only;
* the staff guide in the internal build only, listed once in its menu;
* Chinese everywhere a visitor looks: heading-link titles, status labels on the data page;
* record pages: breadcrumb, the section's tab marked current, a print button; experience
  body headings with ids and in the table of contents; past plan milestones marked passed;
  the compilation page's contents not called 目录 twice.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_site_support import AS_OF, MINIMAL, SAMPLE, cached_build, content_of, link_target, parse_html, squash

GUIDE_PAGES = sorted(p.relative_to(Path(__file__).resolve().parent.parent / "content")
                     for p in (Path(__file__).resolve().parent.parent / "content" / "guide")
                     .glob("*.md"))


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_build(tmp_path_factory, SAMPLE)


@pytest.fixture(scope="module")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_build(tmp_path_factory, MINIMAL)


@pytest.fixture(scope="module")
def internal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_build(tmp_path_factory, MINIMAL, audience="internal")


def _page(site: Path, url: str) -> Path:
    return site / url / "index.html"


def _footer(site: Path, url: str = "") -> object:
    return parse_html(_page(site, url)).find("div", "sc-footer")


def _record(folder: Path) -> str:
    return sorted(p.parent.name for p in folder.glob("*/index.html")
                  if not p.parent.name.startswith(("by_", "page_")))[0]


# ---------------------------------------------------------------- footer and head

def test_footer_carries_the_records_and_contacts_of_program_yml(sample_site: Path) -> None:
    program = (SAMPLE / "program.yml").read_text(encoding="utf-8")
    for url in ("", "sites/", f"sites/{_record(sample_site / 'sites')}/", "data/"):
        footer = _footer(sample_site, url)
        text = squash(footer.text())  # type: ignore[attr-defined]
        links = {squash(a.text()): a.attrs.get("href", "")
                 for a in footer.find_all("a")}  # type: ignore[attr-defined]
        assert "主办单位：中共常德市委组织部" in text
        assert links.get("湘ICP备20269999号-1") == "https://beian.miit.gov.cn/"
        assert links.get("湘公网安备 43070299000099号", "").startswith(
            "https://www.beian.gov.cn/portal/registerSystemInfo?recordcode=43070299000099")
        assert "网站标识码：4307000099" in text
        assert links.get("dangjian@example.cn") == "mailto:dangjian@example.cn"
        assert "电话 0736-0000000" in text and "发现信息有误或有意见建议，请联系我们" in text
        mark = footer.find("img")  # type: ignore[attr-defined]
        assert mark.attrs["alt"] == "党政机关网站标识"
        image = link_target(sample_site, _page(sample_site, url), mark.attrs["src"])
        assert image is not None and image.is_file(), mark.attrs["src"]
        marked = [a.attrs["href"] for a in footer.find_all("a")  # type: ignore[attr-defined]
                  if a.find_all("img")]
        assert len(marked) == 1 and "bszs.conac.cn" in marked[0]
    assert "4307000099" in program  # the sample states them (fictional values)


def test_footer_leaves_out_what_program_yml_does_not_say(minimal_site: Path) -> None:
    footer = _footer(minimal_site)
    text = squash(footer.text())  # type: ignore[attr-defined]
    assert "主办单位：中共示例市委组织部" in text and "示ICP备00000000号-1" in text
    for absent in ("网站标识码", "公安", "联系我们", "邮箱", "电话", "None"):
        assert absent not in text, absent
    assert not footer.find_all("img")  # type: ignore[attr-defined]


def test_head_links_the_feed_and_the_elder_stylesheet(sample_site: Path) -> None:
    for url in ("", "sites/", f"experiences/{_record(sample_site / 'experiences')}/"):
        page_file = _page(sample_site, url)
        links = parse_html(page_file).find("head").find_all("link")
        feed = [link for link in links if link.attrs.get("type") == "application/atom+xml"]
        assert len(feed) == 1 and feed[0].attrs["rel"] == "alternate"
        target = link_target(sample_site, page_file, feed[0].attrs["href"])
        assert target is not None and target.name == "feed.xml" and target.is_file()
        care = [link for link in links if link.attrs.get("title") == "长者模式"]
        assert care and care[0].attrs["rel"] == "alternate stylesheet"
        css = link_target(sample_site, page_file, care[0].attrs["href"])
        assert css is not None and css.is_file()


def test_robots_and_sitemap(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    robots = (sample_site / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://dangjian.example.cn/sitemap.xml" in robots
    assert re.search(r"^Allow: /$", robots, re.M) and "Disallow: /\n" not in robots
    tree = ET.parse(sample_site / "sitemap.xml")
    locs = [e.text or "" for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    paths = [urlsplit(u).path for u in locs]
    assert "/sites/" in paths and "/" in paths
    assert any(p.startswith("/sites/") and p != "/sites/" for p in paths)
    listing_only = [p for p in paths if p.startswith(("/search/", "/tags/"))
                    or "/by_" in p or "/page_" in p]
    assert not listing_only, listing_only
    internal = cached_build(tmp_path_factory, SAMPLE, audience="internal")
    assert re.search(r"^Disallow: /$", (internal / "robots.txt").read_text(encoding="utf-8"), re.M)


def test_every_page_in_the_sitemap_describes_itself(sample_site: Path) -> None:
    """A search engine shows the meta description under the title (Lighthouse's SEO audit
    fails a page without one); each says what is on that page, not the same words everywhere."""
    tree = ET.parse(sample_site / "sitemap.xml")
    paths = [urlsplit(e.text or "").path
             for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    descriptions = {}
    for path in paths:
        html = (sample_site / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
        found = re.search(r'<meta name="description" content="([^"]+)"', html)
        assert found and found[1].strip(), path
        descriptions[path] = found[1]
    assert len(set(descriptions.values())) > len(paths) * 0.9, "descriptions repeat"
    assert "共 77 个示范点和创建单位" in descriptions["/sites/"]


# ---------------------------------------------------------------- staff guide

def test_the_staff_guide_is_internal_only(minimal_site: Path, internal_site: Path) -> None:
    assert GUIDE_PAGES, "content/guide/ has no pages"
    assert not (minimal_site / "guide").exists()
    home = parse_html(_page(minimal_site, ""))
    assert "编辑指南" not in squash(home.find("nav", "md-tabs").text())
    for page_file in minimal_site.rglob("*.html"):
        assert "guide/" not in "".join(a.attrs.get("href", "") for a in
                                       parse_html(page_file).find_all("a")), page_file
    for rel in GUIDE_PAGES:
        url = rel.with_suffix("").as_posix()
        url = url[: -len("index")] if url.endswith("/index") else url + "/"
        assert _page(internal_site, url).is_file(), url
    page = parse_html(_page(internal_site, "guide/sites/"))
    tabs = squash(page.find("nav", "md-tabs").text())
    assert tabs.count("编辑指南") == 1 and "内部管理" in tabs
    side = squash(page.find("nav", "md-nav--primary").text())
    assert side.count("编辑指南") <= 2 and "概览" in side  # the section, not a page of that name


# ---------------------------------------------------------------- Chinese everywhere

def test_no_english_where_visitors_look(sample_site: Path) -> None:
    for page_file in (_page(sample_site, ""), _page(sample_site, "data/"),
                      _page(sample_site, f"sites/{_record(sample_site / 'sites')}/"),
                      sample_site / "404.html"):
        html = page_file.read_text(encoding="utf-8")
        for english in ("Permanent link", "Not found", "Skip to content", "Back to top",
                        "订阅（Atom）"):
            assert english not in html, (english, page_file)
    headerlinks = parse_html(_page(sample_site, "data/")).find_all("a", "headerlink")
    assert headerlinks and all(a.attrs.get("title") == "本节链接" for a in headerlinks)


def test_data_page_names_statuses_in_chinese_and_the_licence(sample_site: Path) -> None:
    article = content_of(parse_html(_page(sample_site, "data/")))
    rows = [[squash(c.text()) for c in tr.find_all("td")] for tr in article.find_all("tr")]
    statuses = {row[0]: row[1] for row in rows if len(row) == 2}
    assert statuses.get("示范点") == "demonstration" and statuses.get("创建单位") == "candidate"
    text = squash(article.text())
    assert "许可协议：知识共享署名 4.0 国际许可协议（CC BY 4.0）" in text
    hrefs = [a.attrs.get("href") for a in article.find_all("a")]
    assert "datapackage.json" in hrefs


# ---------------------------------------------------------------- record pages

@pytest.mark.parametrize(("section", "tab", "label"), [
    ("sites", "示范点", "示范点"), ("experiences", "典型经验", "典型经验"),
    ("plans", "年度规划", "年度规划"), ("compilations", "经验汇编", "经验汇编")])
def test_record_pages_have_a_breadcrumb_and_their_section_tab(sample_site: Path, section: str,
                                                              tab: str, label: str) -> None:
    url = f"{section}/{_record(sample_site / section)}/"
    page = parse_html(_page(sample_site, url))
    crumbs = [n for n in page.find_all("nav") if n.attrs.get("aria-label") == "当前位置"]
    assert len(crumbs) == 1
    trail = [squash(a.text()) for a in crumbs[0].find_all("a")]
    assert trail == ["首页", label]
    here = [s for s in crumbs[0].find_all("span") if s.attrs.get("aria-current") == "page"]
    assert here and squash(here[0].text()) == squash(content_of(page).find("h1").text()).rstrip("¶")
    active = page.find("nav", "md-tabs").find_all("li", "md-tabs__item--active")
    assert [squash(li.text()) for li in active] == [tab]
    assert active[0].find("a").attrs.get("aria-current") == "true"


def test_site_and_experience_pages_offer_printing(sample_site: Path) -> None:
    for section in ("sites", "experiences"):
        page = parse_html(_page(sample_site, f"{section}/{_record(sample_site / section)}/"))
        buttons = page.find_all("button", "sc-print")
        assert len(buttons) == 1 and squash(buttons[0].text()) == "打印本页"


def test_experience_body_headings_are_in_the_table_of_contents(minimal_site: Path) -> None:
    page = parse_html(_page(minimal_site, "experiences/taohua-jifen-guanli/"))
    body = (MINIMAL / "experiences").rglob("taohua-jifen-guanli.md")
    source = "".join(p.read_text(encoding="utf-8") for p in body)
    written = [m.strip() for m in re.findall(r"^#{1,3} (.+)$", source, re.M)]
    assert len(written) >= 2, "the fixture's body has headings"
    article = content_of(page)
    ids = {squash(h.text()).rstrip("¶"): h.attrs.get("id")
           for h in article.find_all("h2") + article.find_all("h3")}
    toc = squash(page.find("nav", "md-nav--secondary").text())
    for heading in written:
        assert ids.get(heading), f"{heading} has no id: {ids}"
        assert heading in toc, f"{heading} is not in the table of contents: {toc}"


def test_past_plan_milestones_are_marked(minimal_site: Path) -> None:
    items = content_of(parse_html(_page(minimal_site, "plans/2025/"))).find_all(
        "li", "sc-timeline__item")
    assert items
    for item in items:
        day = item.find("time").attrs["datetime"]
        past = day <= AS_OF
        assert ("is-done" in item.classes()) == past, (day, item.classes())
        assert ("已过" in item.text()) == past


def test_compilation_contents_are_not_called_contents_again(minimal_site: Path) -> None:
    page = parse_html(_page(minimal_site, "compilations/huibian-2025/"))
    headings = [squash(h.text()).rstrip("¶") for h in content_of(page).find_all("h2")]
    assert "收录经验" in headings and "目录" not in headings
