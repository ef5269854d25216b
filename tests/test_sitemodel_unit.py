"""What the page templates see, in this process: the page addresses (site/urls.py), the
model's listings, facets, tags and overview (site/sitemodel.py) for the minimal data set and
a joined one, the map links (site/maplinks.py), the changes feed (site/changefeed.py) and the
engine's settings (site/settings.py). Expected values are worked out by hand from the
fixture's records; whole pages are tested in test_site_pages.py and the golden files."""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest import MINIMAL

from generator.data import loader
from generator.data.dataset import Behind, Dataset
from generator.data.federation import MemberData, federate
from generator.data.history import Commit
from generator.model.records import Member, Program
from generator.rules.changes import Change, Chronicle
from generator.rules.facts import Facts, derive
from generator.site import changefeed, settings, urls
from generator.site.maplinks import MapLink, degrees, map_links, source_name
from generator.site.sitemodel import ExperienceItem, Model, Options, Pager, SiteItem, UnitTile, build_model

AS_OF = dt.date(2026, 11, 28)
_CACHE: dict[str, Dataset] = {}


def minimal() -> Dataset:
    if "own" not in _CACHE:
        _CACHE["own"] = loader.load(MINIMAL)
    return _CACHE["own"]


def joined() -> Dataset:
    """The minimal data set with itself as member ``wuling``."""
    if "joined" not in _CACHE:
        member = Member(key="wuling", name="武陵区", code="430702", repo="x", ref="a" * 40)
        data, problems = federate(loader.load(MINIMAL), [MemberData(member, loader.load(MINIMAL),
                                                                    "c" * 40)])
        assert problems == {}
        _CACHE["joined"] = data
    return _CACHE["joined"]


def model(data: Dataset | None = None, *, as_of: dt.date = AS_OF, **options: object) -> Model:
    data = data or minimal()
    return build_model(data, derive(data, as_of), Options(**options))  # type: ignore[arg-type]


def ids(items: Sequence[SiteItem | ExperienceItem]) -> list[str]:
    return [i.id for i in items]


# ---------------------------------------------------------------- urls

def test_record_and_listing_addresses() -> None:
    assert urls.site("a") == "sites/a/"
    assert urls.experience("a") == "experiences/a/"
    assert urls.plan(2025) == "plans/2025/"
    assert urls.compilation("c") == "compilations/c/"
    assert urls.compilation_pdf("c") == "compilations/c.pdf"
    assert urls.compilation_docx("c") == "compilations/c.docx"
    assert urls.changes_year(2026) == "changes/2026/"
    assert urls.member("wuling") == "members/wuling/"
    assert urls.report(2025) == "reports/2025/"
    assert urls.report_file(2025, "pdf") == "reports/2025/annual-2025.pdf"
    assert urls.worklist_file("unit-wuling", "docx") == "worklists/unit-wuling.docx"
    assert urls.calendar_file("programme") == "calendar/programme.ics"
    assert urls.tag("hong-se") == "tags/hong-se/"
    assert urls.site_facet("unit", "hexi") == "sites/by_unit/hexi/"
    assert urls.site_facet("batch", 2025) == "sites/by_batch/2025/"
    assert urls.experience_facet("theme", "grid") == "experiences/by_theme/grid/"
    assert urls.facet_index(urls.SITES, "unit") == "sites/by_unit/"
    assert urls.paged("sites/", 1) == "sites/"
    assert urls.paged("sites/", 2) == "sites/page_2/"
    assert urls.paged("sites/by_unit/x/", 10) == "sites/by_unit/x/page_10/"
    assert urls.media("photos/a b.jpg") == "media/photos/a b.jpg"
    assert urls.media_href("photos/a b#1?%.jpg") == "media/photos/a%20b%231%3F%25.jpg"
    assert urls.media_href("照片/甲.jpg") == "media/%E7%85%A7%E7%89%87/%E7%94%B2.jpg"
    assert urls.source_of("sites/a/") == "sites/a/index.md"
    assert urls.source_of("") == "index.md"


@pytest.mark.parametrize(("path", "reserved"), [
    ("index.md", True), ("sites/x.md", True), ("sites/", True), ("experiences/a/b.md", True),
    ("plans/x.md", True), ("compilations/x.md", True), ("data/x.md", True), ("tags/x.md", True),
    ("members/x.md", True), ("internal/x.md", True), ("search/x.md", True), ("feed.xml", True),
    ("changes/x.md", True), ("media/x.png", True), ("reports/x.md", True),
    ("worklists/x.md", True), ("calendar/x.md", True),
    ("about.md", False), ("index.md.bak", False), ("sitesx/a.md", False), ("feed.xml/x", False),
    ("guide/index.md", False), ("x/sites/a.md", False), ("feed.xmlx", False)])
def test_is_reserved(path: str, reserved: bool) -> None:
    assert urls.is_reserved(path) is reserved


def test_internal_only() -> None:
    assert urls.internal_only("guide/index.md") and urls.internal_only("guide/")
    assert not urls.internal_only("guides/x.md") and not urls.internal_only("x/guide/a.md")


@pytest.mark.parametrize(("url", "searchable", "in_sitemap"), [
    ("", True, True), ("sites/", False, True), ("experiences/", False, True),
    ("sites/a/", True, True), ("experiences/a/", True, True), ("plans/", True, True),
    ("sites/by_unit/", False, False), ("sites/by_unit/hexi/", False, False),
    ("experiences/by_theme/grid/", False, False), ("tags/", False, False),
    ("tags/x/", False, False), ("search/", False, False), ("changes/", False, False),
    ("changes/2026/", False, False), ("sites/page_2/", False, False),
    ("sites/by_unit/hexi/page_3/", False, False), ("tags/x/page_2/", False, False),
    ("about/", True, True), ("sites/a-page_2/", True, True), ("sites/bypass/", True, True)])
def test_searchable_and_in_sitemap(url: str, searchable: bool, in_sitemap: bool) -> None:
    assert urls.searchable(url) is searchable
    assert urls.in_sitemap(url) is in_sitemap


@pytest.mark.parametrize(("url", "rank"), [
    ("", 9), ("sites/", 8), ("experiences/", 8), ("plans/", 8), ("compilations/", 8), ("data/", 8),
    ("experiences/a/", 0), ("sites/a/", 1), ("plans/2025/", 2), ("compilations/c/", 3),
    ("about/", 5), ("reports/2025/", 5), ("members/x/", 5)])
def test_search_rank(url: str, rank: int) -> None:
    assert urls.search_rank(url) == rank


@pytest.mark.parametrize(("here", "to", "link"), [
    ("", "", "./"), ("", "sites/a/", "sites/a/"), ("sites/a/", "", "../../"),
    ("sites/a/", "sites/b/", "../b/"), ("sites/a/", "sites/a/", "./"),
    ("sites/a/", "media/p.jpg", "../../media/p.jpg"), ("sites/", "sites/a/", "a/"),
    ("sites/by_unit/x/", "sites/a/", "../../a/"), ("sites/a/", "feed.xml", "../../feed.xml"),
    ("experiences/a/", "experiences/by_theme/g/", "../by_theme/g/"),
    ("a/b/c/", "a/x/c/", "../../x/c/"), ("sites/a/", "sites/a/p.pdf", "p.pdf")])
def test_relative(here: str, to: str, link: str) -> None:
    assert urls.relative(here, to) == link


# ---------------------------------------------------------------- the pager

@pytest.mark.parametrize(("number", "count", "numbers"), [
    (1, 1, [1]), (1, 5, [1, 2, 3, None, 5]), (1, 9, [1, 2, 3, None, 9]), (2, 4, [1, 2, 3, 4]),
    (5, 9, [1, None, 3, 4, 5, 6, 7, None, 9]), (3, 3, [1, 2, 3]), (6, 12, [1, None, 4, 5, 6, 7, 8, None, 12]),
    (12, 12, [1, None, 10, 11, 12]), (4, 12, [1, 2, 3, 4, 5, 6, None, 12])])
def test_pager(number: int, count: int, numbers: list[int | None]) -> None:
    pager = Pager("sites/", number, count)
    assert pager.numbers == numbers
    assert pager.url(1) == "sites/" and pager.url(3) == "sites/page_3/"


# ---------------------------------------------------------------- the model

READING_ORDER = ["shanbei-wangjia-cun", "shizhi-zhengwu-zhongxin", "chengnan-xingfu-shequ",
                 "chengnan-hongqi-cun", "chengnan-taohua-cun", "hexi-jinshan-qiye",
                 "hexi-chuangxin-keji", "shanbei-shiyan-xiaoxue"]


def test_build_model_items() -> None:
    m = model()
    assert not m.internal and m.program is minimal().program and m.taxonomy is m.data.taxonomy
    assert ids(m.site_list()) == READING_ORDER
    taohua = m.sites["chengnan-taohua-cun"]
    assert (taohua.category_name, taohua.unit_name, taohua.experiences) == (
        "农村", "城南区委组织部", ("taohua-jifen-guanli",))
    assert taohua.state is m.facts.states["chengnan-taohua-cun"]
    assert (taohua.url, taohua.title, taohua.member, taohua.kind_label) == (
        "sites/chengnan-taohua-cun/", "桃花村", "_own", "示范点")
    # newest first: an experience links back from each of its sites
    assert m.sites["chengnan-hongqi-cun"].experiences == ("wangjia-cunmin-shuoshi",)
    assert m.sites["hexi-jinshan-qiye"].experiences == ("hexi-lianmeng-gongjian",)
    assert m.sites["shanbei-shiyan-xiaoxue"].experiences == ()  # its experience is a draft
    assert m.newest == ["wangjia-cunmin-shuoshi", "hexi-lianmeng-gongjian", "taohua-jifen-guanli"]
    assert ids(m.experience_list()) == m.newest
    hexi = m.experiences["hexi-lianmeng-gongjian"]
    assert (hexi.unit, hexi.unit_name, hexi.theme_names) == ("hexi", "河西区委组织部",
                                                            ("党员教育管理", "服务群众"))
    assert (hexi.url, hexi.title, hexi.member, hexi.kind_label) == (
        "experiences/hexi-lianmeng-gongjian/", "园区党建联盟“五共”工作法", "_own", "典型经验")
    assert m.experiences["wangjia-cunmin-shuoshi"].unit == "shanbei"  # its first site's unit


def test_the_internal_model_has_the_drafts() -> None:
    m = model(audience="internal")
    assert m.internal
    assert m.newest == ["wangjia-cunmin-shuoshi", "shiyan-hongse-ketang", "hexi-lianmeng-gongjian",
                        "taohua-jifen-guanli"]
    assert m.sites["shanbei-shiyan-xiaoxue"].experiences == ("shiyan-hongse-ketang",)
    assert m.experiences["shiyan-hongse-ketang"].unit == "shanbei"


def test_an_experience_of_an_unknown_unit_has_no_unit_name() -> None:
    data = loader.load(MINIMAL)
    exp = data.experiences["hexi-lianmeng-gongjian"]
    data.experiences["hexi-lianmeng-gongjian"] = exp.model_copy(update={"unit": "mars"})
    item = build_model(data, derive(data, AS_OF), Options()).experiences["hexi-lianmeng-gongjian"]
    assert (item.unit, item.unit_name) == ("mars", "")


@pytest.mark.parametrize(("years", "as_of", "year"), [
    ([], "2026-01-01", None), ([2025], "2024-12-31", 2025), ([2025], "2025-01-01", 2025),
    ([2024, 2026], "2025-06-01", 2024), ([2024, 2026], "2026-01-01", 2026),
    ([2024, 2026], "2030-01-01", 2026), ([2026, 2024], "2023-01-01", 2024)])
def test_current_plan_year(years: list[int], as_of: str, year: int | None) -> None:
    data = loader.load(MINIMAL)
    plan = data.plans[2025]
    data.plans = {y: plan.model_copy(update={"year": y}) for y in years}
    m = build_model(data, derive(data, dt.date.fromisoformat(as_of)), Options())
    assert m.current_plan_year() == year


def test_year_report_is_made_once_per_year() -> None:
    m = model()
    report = m.year_report(2025)
    assert report.year == 2025 and m.year_report(2025) is report
    assert m.year_report(2026).year == 2026 and m.year_report(2026) is not report


def test_facets() -> None:
    m = model()
    assert m.site_facet_names == ("category", "unit", "batch", "status")
    assert m.site_facets() == {
        "category": [("rural", "农村", 3), ("community", "街道社区", 1), ("organ", "机关单位", 1),
                     ("school", "学校", 1), ("enterprise", "企业", 2)],
        "unit": [("chengnan", "城南区委组织部", 3), ("hexi", "河西区委组织部", 2),
                 ("shanbei", "山北县委组织部", 2), ("shizhi", "市直机关工委", 1)],
        "batch": [("2026", "2026 年", 2), ("2025", "2025 年", 4), ("2024", "2024 年", 2)],
        "status": [("candidate", "创建单位", 1), ("demonstration", "示范点", 2),
                   ("improving", "提高阶段", 2), ("not_selected", "未入选", 1),
                   ("eliminated", "淘汰", 1), ("withdrawn", "已退出", 1)]}
    assert m.experience_facets() == {
        "theme": [("party_education", "党员教育管理", 2), ("service", "服务群众", 1),
                  ("grid", "网格化治理", 1)],
        "year": [("2026", "2026 年", 1), ("2025", "2025 年", 1), ("2024", "2024 年", 1)],
        "unit": [("chengnan", "城南区委组织部", 1), ("hexi", "河西区委组织部", 1),
                 ("shanbei", "山北县委组织部", 1)]}
    assert ids(m.sites_in("category", "rural")) == ["shanbei-wangjia-cun", "chengnan-hongqi-cun",
                                                    "chengnan-taohua-cun"]
    assert ids(m.sites_in("batch", "2024")) == ["chengnan-taohua-cun", "hexi-chuangxin-keji"]
    assert ids(m.sites_in("status", "improving")) == ["chengnan-hongqi-cun", "chengnan-taohua-cun"]
    assert ids(m.sites_in("unit", "shizhi")) == ["shizhi-zhengwu-zhongxin"]
    assert m.sites_in("category", "intermediary") == [] and m.sites_in("nope", "x") == []
    assert ids(m.batch_sites(2026)) == ["shanbei-wangjia-cun", "shizhi-zhengwu-zhongxin"]
    assert m.batch_sites(2023) == []
    assert m.site_facet_url("unit", "hexi") == "sites/by_unit/hexi/"
    assert m.site_facet_url("category", "intermediary") is None
    assert ids(m.experiences_in("theme", "party_education")) == ["hexi-lianmeng-gongjian",
                                                                 "taohua-jifen-guanli"]
    assert ids(m.experiences_in("year", "2026")) == ["wangjia-cunmin-shuoshi"]
    assert ids(m.experiences_in("unit", "chengnan")) == ["taohua-jifen-guanli"]
    assert m.experiences_in("theme", "x") == []


def test_featured() -> None:
    m = model()
    assert ids(m.featured_sites()) == ["chengnan-taohua-cun", "shizhi-zhengwu-zhongxin",
                                       "chengnan-xingfu-shequ", "chengnan-hongqi-cun"]
    assert ids(m.featured_sites(2)) == ["chengnan-taohua-cun", "shizhi-zhengwu-zhongxin"]
    assert ids(m.featured_sites(1)) == ["chengnan-taohua-cun"]
    assert ids(m.featured_experiences()) == ["taohua-jifen-guanli", "wangjia-cunmin-shuoshi",
                                             "hexi-lianmeng-gongjian"]
    assert ids(m.featured_experiences(2)) == ["taohua-jifen-guanli", "wangjia-cunmin-shuoshi"]
    assert ids(m.featured_experiences(1)) == ["taohua-jifen-guanli"]


def test_featured_when_many_are_marked() -> None:
    data = loader.load(MINIMAL)
    for ident in ("hexi-jinshan-qiye", "shanbei-wangjia-cun", "hexi-chuangxin-keji"):
        data.sites[ident] = data.sites[ident].model_copy(update={"featured": True})
    for ident in ("hexi-lianmeng-gongjian", "wangjia-cunmin-shuoshi"):
        data.experiences[ident] = data.experiences[ident].model_copy(update={"featured": True})
    m = build_model(data, derive(data, AS_OF), Options())
    # featured ones first in reading order, whatever their status
    assert ids(m.featured_sites(3)) == ["shanbei-wangjia-cun", "chengnan-taohua-cun",
                                        "hexi-jinshan-qiye"]
    assert ids(m.featured_sites(5)) == ["shanbei-wangjia-cun", "chengnan-taohua-cun",
                                        "hexi-jinshan-qiye", "hexi-chuangxin-keji",
                                        "shizhi-zhengwu-zhongxin"]
    assert ids(m.featured_experiences(2)) == ["wangjia-cunmin-shuoshi", "hexi-lianmeng-gongjian"]


def test_tags_and_chips() -> None:
    m = model()
    assert m.tags() == [("12:30", "tags/12-30/", 1), ("no", "tags/no/", 1),
                        ("乡村治理", "tags/xiang-cun-zhi-li/", 1),
                        ("村民说事", "tags/cun-min-shuo-shi/", 1),
                        ("积分制管理", "tags/ji-fen-zhi-guan-li/", 1),
                        ("红色物业", "tags/hong-se-wu-ye/", 1)]
    assert ids(m.tagged("红色物业")) == ["chengnan-xingfu-shequ"]
    assert m.tagged("不存在") == []
    assert m.tag_chips(m.sites["shanbei-wangjia-cun"]) == [
        ("村民说事", "tags/cun-min-shuo-shi/"), ("no", "tags/no/"), ("12:30", "tags/12-30/")]
    assert m.tag_chips(m.sites["shizhi-zhengwu-zhongxin"]) == []
    assert m.tag_chips(m.experiences["hexi-lianmeng-gongjian"]) == [
        ("党员教育管理", "experiences/by_theme/party_education/"),
        ("服务群众", "experiences/by_theme/service/")]


def test_tags_shared_spaced_repeated_and_read_alike() -> None:
    data = loader.load(MINIMAL)
    data.sites["chengnan-hongqi-cun"] = data.sites["chengnan-hongqi-cun"].model_copy(
        update={"tags": [" 红色物业 ", "红色物业", "  ", "积分制管理", "積分制管理"]})
    data.experiences["wangjia-cunmin-shuoshi"] = data.experiences["wangjia-cunmin-shuoshi"].model_copy(
        update={"tags": ["红色物业", "网格化治理"]})
    m = build_model(data, derive(data, AS_OF), Options())
    assert ids(m.tagged("红色物业")) == ["chengnan-xingfu-shequ", "chengnan-hongqi-cun",
                                         "wangjia-cunmin-shuoshi"]
    assert ("红色物业", "tags/hong-se-wu-ye/", 3) in m.tags()
    # two tags that read the same get numbered folders, in Unicode order of the tags
    assert ("積分制管理", "tags/ji-fen-zhi-guan-li-2/", 1) in m.tags()
    assert ("积分制管理", "tags/ji-fen-zhi-guan-li/", 2) in m.tags()
    assert m.tag_chips(m.sites["chengnan-hongqi-cun"]) == [
        ("红色物业", "tags/hong-se-wu-ye/"), ("积分制管理", "tags/ji-fen-zhi-guan-li/"),
        ("積分制管理", "tags/ji-fen-zhi-guan-li-2/")]
    # a tag that is also a theme's name: one chip to each page
    assert m.tag_chips(m.experiences["wangjia-cunmin-shuoshi"]) == [
        ("网格化治理", "experiences/by_theme/grid/"), ("红色物业", "tags/hong-se-wu-ye/"),
        ("网格化治理", "tags/wang-ge-hua-zhi-li/")]


def test_a_tag_without_letters_gets_a_plain_folder() -> None:
    data = loader.load(MINIMAL)
    data.sites["chengnan-hongqi-cun"] = data.sites["chengnan-hongqi-cun"].model_copy(
        update={"tags": ["★", "☆"]})
    m = build_model(data, derive(data, AS_OF), Options())
    assert [t for t in m.tags() if t[0] in "★☆"] == [("★", "tags/tag/", 1), ("☆", "tags/tag-2/", 1)]


def test_unit_overview() -> None:
    m = model()
    none = dict.fromkeys(("candidate", "demonstration", "improving", "not_selected", "eliminated",
                          "withdrawn"), 0)
    assert m.unit_overview() == [
        UnitTile("chengnan", "城南区委组织部", "城南区", "district", "sites/by_unit/chengnan/", 3,
                 {**none, "demonstration": 1, "improving": 2}),
        UnitTile("hexi", "河西区委组织部", "河西区", "district", "sites/by_unit/hexi/", 2,
                 {**none, "not_selected": 1, "eliminated": 1}),
        UnitTile("shanbei", "山北县委组织部", "山北县", "district", "sites/by_unit/shanbei/", 2,
                 {**none, "candidate": 1, "withdrawn": 1}),
        UnitTile("shizhi", "市直机关工委", "市直机关工委", "work_committee",
                 "sites/by_unit/shizhi/", 1, {**none, "demonstration": 1})]
    assert m.unit_overview()[0].parts(["improving", "candidate"]) == [("improving", 2),
                                                                       ("candidate", 0)]
    assert m.overview_statuses() == ["candidate", "demonstration", "improving", "not_selected",
                                     "eliminated", "withdrawn"]
    assert m.status_by_category == {
        ("rural", "candidate"): 1, ("organ", "demonstration"): 1,
        ("community", "demonstration"): 1, ("rural", "improving"): 2,
        ("enterprise", "not_selected"): 1, ("enterprise", "eliminated"): 1,
        ("school", "withdrawn"): 1}


def test_overview_statuses_are_those_some_site_has() -> None:
    data = loader.load(MINIMAL)
    data.sites = {k: v for k, v in data.sites.items()
                  if k in ("chengnan-taohua-cun", "shanbei-wangjia-cun")}
    data.experiences = {}
    m = build_model(data, derive(data, AS_OF), Options())
    assert m.overview_statuses() == ["candidate", "improving"]
    assert [(t.key, t.url, t.total) for t in m.unit_overview()] == [
        ("chengnan", "sites/by_unit/chengnan/", 1), ("hexi", None, 0),
        ("shanbei", "sites/by_unit/shanbei/", 1), ("shizhi", None, 0)]


def test_compilation_contents_are_the_published_experiences() -> None:
    assert ids(model().compilation_contents("huibian-2025")) == ["taohua-jifen-guanli",
                                                                 "hexi-lianmeng-gongjian"]


def test_page_qr_needs_the_site_address() -> None:
    assert model().page_qr("sites/a/") is None
    code = model(base_url="https://dj.example.cn/").page_qr("sites/a/")
    assert code is not None
    assert (code.url, code.short) == ("https://dj.example.cn/sites/a/", "dj.example.cn/sites/a/")
    assert str(code.svg).startswith("<svg") and 'class="sc-qr"' in code.svg
    assert "<title>本页网址的二维码</title>" in code.svg


def test_map_links_of_a_site() -> None:
    m = model()
    links = m.map_links(m.sites["chengnan-taohua-cun"])
    assert [(link.provider, link.label) for link in links] == [
        ("amap", "高德地图"), ("baidu", "百度地图"), ("qq", "腾讯地图")]
    query = parse_qs(urlsplit(links[1].url).query)
    assert query["location"] == ["28.2001,112.9802"]
    assert query["title"] == ["桃花村"] and query["content"] == ["示例市城南区桃花镇桃花村"]
    assert query["src"] == ["示例市基层党建示范点展示平台"]
    assert m.map_links(m.sites["hexi-jinshan-qiye"]) == []  # no location


def test_map_links_need_both_coordinates() -> None:
    data = loader.load(MINIMAL)
    site = data.sites["chengnan-taohua-cun"]
    assert site.location is not None
    for lat, lng in ((None, 112.9), (28.2, None)):
        location = site.location.model_copy(update={"lat": lat, "lng": lng})
        data.sites["chengnan-taohua-cun"] = site.model_copy(update={"location": location})
        m = build_model(data, derive(data, AS_OF), Options())
        assert m.map_links(m.sites["chengnan-taohua-cun"]) == []
    assert data.program is not None
    data.program = data.program.model_copy(update={"site_url": "https://dj.example.cn/"})
    data.sites["chengnan-taohua-cun"] = site
    m = build_model(data, derive(data, AS_OF), Options())
    assert parse_qs(urlsplit(m.map_links(m.sites["chengnan-taohua-cun"])[0].url).query)["src"] == [
        "dj.example.cn"]


# ---------------------------------------------------------------- a joined data set

def test_members_of_a_joined_data_set() -> None:
    m = model(joined())
    assert m.site_facet_names == ("category", "unit", "batch", "status", "member")
    assert m.member_values() == [("_own", "示例市本级"), ("wuling", "武陵区")]
    assert m.site_facets()["member"] == [("_own", "示例市本级", 8), ("wuling", "武陵区", 8)]
    assert m.experience_facets()["member"] == [("_own", "示例市本级", 3), ("wuling", "武陵区", 3)]
    assert m.sites["wuling/chengnan-taohua-cun"].member == "wuling"
    assert m.experiences["wuling/taohua-jifen-guanli"].member == "wuling"
    assert m.sites["chengnan-taohua-cun"].member == "_own"
    assert ids(m.sites_in("member", "wuling"))[:2] == ["wuling/shanbei-wangjia-cun",
                                                      "wuling/shizhi-zhengwu-zhongxin"]
    assert len(m.experiences_in("member", "_own")) == 3
    assert [(s.member.key, s.sites) for s in m.member_summaries()] == [("wuling", 8)]
    assert m.member_summaries() is m.member_summaries()
    assert list(m.member_plans("wuling")) == [2025]
    duties = m.member_duties("wuling")
    assert [(y, u) for y, u, _d in duties] == [
        (2026, "wuling/chengnan"), (2026, "wuling/hexi"), (2026, "wuling/shanbei"),
        (2025, "wuling/chengnan"), (2025, "wuling/hexi"), (2025, "wuling/shanbei"),
        (2024, "wuling/chengnan"), (2024, "wuling/hexi"), (2024, "wuling/shanbei")]
    assert duties[3][2].first_passes == 2
    assert m.behind() == []


def test_a_member_behind_is_listed() -> None:
    data = joined()
    assert data.federation is not None
    member = data.federation.members["wuling"]
    late = Behind(member, "a" * 40, None, dt.date(2026, 1, 1), ("坏了",))
    fed = data.federation
    shifted = Dataset(root=data.root, program=data.program, taxonomy=data.taxonomy,
                      sites=data.sites, experiences=data.experiences, plans=data.plans,
                      compilations=data.compilations, federation=type(fed)(
                          members=fed.members, commits=fed.commits, plans=fed.plans,
                          intervals=fed.intervals, behind=(late,)))
    assert build_model(shifted, derive(shifted, AS_OF), Options()).behind() == [late]


def test_a_data_set_without_members() -> None:
    m = model()
    assert m.member_values() == [] and m.member_summaries() == [] and m.behind() == []
    assert "member" not in m.site_facets() and "member" not in m.experience_facets()


# ---------------------------------------------------------------- map links

@pytest.mark.parametrize(("value", "text"), [
    (28.2, "28.2"), (112.98021234, "112.980212"), (-0.0000001, "0"), (0.0, "0"), (-12.5, "-12.5"),
    (1e-7, "0"), (120.0, "120"), (3.1000004, "3.1"), (-3.0000006, "-3.000001")])
def test_degrees(value: float, text: str) -> None:
    assert degrees(value) == text


def test_source_name() -> None:
    assert source_name("平台", "https://dj.example.cn/sub/") == "dj.example.cn"
    assert source_name("平台", None) == "平台"
    assert source_name("平台", "") == "平台"
    assert source_name("平台", "not a url") == "平台"


def test_map_links_urls() -> None:
    links = map_links(28.2001, 112.98, name="桃花村 #1", address=" 城南区;桃花:镇 ", source="dj.cn")
    assert links == [
        MapLink("amap", "高德地图", "https://uri.amap.com/marker?position=112.98,28.2001"
                "&name=%E6%A1%83%E8%8A%B1%E6%9D%91%20%231&src=dj.cn&coordinate=wgs84&callnative=0"),
        MapLink("baidu", "百度地图", "https://api.map.baidu.com/marker?location=28.2001,112.98"
                "&title=%E6%A1%83%E8%8A%B1%E6%9D%91%20%231"
                "&content=%E5%9F%8E%E5%8D%97%E5%8C%BA%3B%E6%A1%83%E8%8A%B1%3A%E9%95%87"
                "&output=html&coord_type=wgs84&src=dj.cn"),
        MapLink("qq", "腾讯地图", "https://apis.map.qq.com/uri/v1/marker?marker=coord:28.2001,112.98;"
                "title:%E6%A1%83%E8%8A%B1%E6%9D%91%20%231;"
                "addr:%E5%9F%8E%E5%8D%97%E5%8C%BA%EF%BC%9B%E6%A1%83%E8%8A%B1%EF%BC%9A%E9%95%87"
                "&coord_type=1&referer=dj.cn")]
    assert unquote("%EF%BC%9B%E6%A1%83%E8%8A%B1%EF%BC%9A") == "；桃花："


@pytest.mark.parametrize("address", [None, "", "   "])
def test_map_links_without_an_address_use_the_name(address: str | None) -> None:
    baidu, qq = map_links(1.5, 2.5, name="甲;乙", address=address, source="s/x")[1:]
    assert parse_qs(urlsplit(baidu.url).query)["content"] == ["甲;乙"]
    assert "addr:%E7%94%B2%EF%BC%9B%E4%B9%99&" in qq.url
    assert baidu.url.endswith("&src=s%2Fx") and qq.url.endswith("&referer=s%2Fx")


# ---------------------------------------------------------------- the changes feed

def _commit(sha: str, day: str) -> Commit:
    return Commit(sha, day, f"{day}T09:30:00+08:00", "王丽", "更新")


def _with_changes(changes: list[Change], base_url: str = "") -> tuple[Model, ET.Element]:
    m = model()
    m.chronicle = Chronicle(available=True, changes=changes)
    text = changefeed.changes_feed(m, base_url)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed ') and text.endswith(
        "</feed>\n")
    return m, ET.fromstring(text)


A = "{http://www.w3.org/2005/Atom}"


def test_changes_feed_entries() -> None:
    changes = [Change("status", "sites", "chengnan-hongqi-cun", _commit("b" * 40, "2026-11-20"),
                      "demonstration", "improving"),
               Change("new_experience", "experiences", "wangjia-cunmin-shuoshi",
                      _commit("a" * 40, "2026-06-18"))]
    m, feed = _with_changes(changes, "https://dj.example.cn/")
    assert feed.attrib["{http://www.w3.org/XML/1998/namespace}lang"] == "zh-CN"
    assert feed.findtext(f"{A}title") == "示例市基层党建示范点展示平台 · 年度变化"
    assert feed.findtext(f"{A}subtitle") == "新增创建单位、状态变化、淘汰、退出和新增典型经验，按数据提交的日期排列"
    assert feed.findtext(f"{A}updated") == "2026-11-20T09:30:00+08:00"
    assert feed.findtext(f"{A}author/{A}name") == "中共示例市委组织部"
    links = [(link.get("href"), link.get("rel")) for link in feed.findall(f"{A}link")]
    assert links == [("https://dj.example.cn/changes/feed.xml", "self"),
                     ("https://dj.example.cn/changes/", None)]
    feed_id = feed.findtext(f"{A}id")
    assert feed_id is not None and feed_id.startswith("urn:uuid:")
    entries = feed.findall(f"{A}entry")
    assert [e.findtext(f"{A}title") for e in entries] == [
        "【状态变化】中共城南区红旗镇红旗村支部委员会：由“示范点”变为“提高阶段”",
        "【新增典型经验】“村民说事”推动村务公开"]
    assert [e.findtext(f"{A}summary") for e in entries] == [
        "2026-11-20 【状态变化】中共城南区红旗镇红旗村支部委员会：由“示范点”变为“提高阶段”",
        "2026-06-18 【新增典型经验】“村民说事”推动村务公开"]
    assert [e.find(f"{A}link").get("href") for e in entries] == [  # type: ignore[union-attr]
        "https://dj.example.cn/sites/chengnan-hongqi-cun/",
        "https://dj.example.cn/experiences/wangjia-cunmin-shuoshi/"]
    assert [(c.get("term"), c.get("label")) for e in entries for c in e.findall(f"{A}category")] == [
        ("status", "状态变化"), ("new_experience", "新增典型经验")]
    assert [e.findtext(f"{A}updated") for e in entries] == ["2026-11-20T09:30:00+08:00",
                                                          "2026-06-18T09:30:00+08:00"]
    entry_ids = [e.findtext(f"{A}id") for e in entries]
    assert len(set([feed_id, *entry_ids])) == 3
    assert all(i and i.startswith("urn:uuid:") for i in entry_ids)
    assert changefeed.change_title(m, changes[1]) == "【新增典型经验】“村民说事”推动村务公开"


def test_changes_feed_ids_are_stable_and_depend_on_the_site_address() -> None:
    change = Change("new_site", "sites", "shanbei-wangjia-cun", _commit("c" * 40, "2026-03-01"))
    _m, first = _with_changes([change], "https://dj.example.cn/")
    _m, again = _with_changes([change], "https://dj.example.cn/")
    _m, other = _with_changes([change], "https://other.example.cn/")
    _m, bare = _with_changes([change])
    ident = [f.find(f"{A}entry/{A}id").text for f in (first, again, other, bare)]  # type: ignore[union-attr]
    assert ident[0] == ident[1] and len(set(ident)) == 3
    assert bare.find(f"{A}entry/{A}title").text == "【新增创建单位】中共山北县王家镇王家村支部委员会"  # type: ignore[union-attr]
    assert [link.get("href") for link in bare.findall(f"{A}link")] == ["/changes/feed.xml",
                                                                       "/changes/"]
    assert bare.findtext(f"{A}id") == "urn:uuid:" + str(uuid.uuid5(
        uuid.NAMESPACE_URL, "示例市基层党建示范点展示平台/changes/feed.xml"))
    assert first.findtext(f"{A}id") == "urn:uuid:" + str(uuid.uuid5(
        uuid.NAMESPACE_URL, "https://dj.example.cn//changes/feed.xml"))
    assert first.findtext(f"{A}entry/{A}id") == "urn:uuid:" + str(uuid.uuid5(
        uuid.NAMESPACE_URL, f"https://dj.example.cn//{'c' * 40}/sites/shanbei-wangjia-cun/new_site"))


def test_changes_feed_without_changes_and_its_limit() -> None:
    _m, feed = _with_changes([])
    assert feed.findtext(f"{A}updated") == "1970-01-01T00:00:00Z"
    assert feed.findall(f"{A}entry") == []
    many = [Change("new_site", "sites", "shanbei-wangjia-cun", _commit(f"{i:040d}", "2026-03-01"))
            for i in range(101)]
    _m, feed = _with_changes(many)
    assert len(feed.findall(f"{A}entry")) == 100


# ---------------------------------------------------------------- the engine's settings

def _program(**values: object) -> Program:
    base: dict[str, object] = {"name": "示例<平台>&", "organizer": "组织部<b>", "city": "示例市",
                               "inspection_interval": 2}
    return Program.model_validate({**base, **values})


def test_site_settings_escape_names_and_check_addresses() -> None:
    program = _program(site_url="https://dj.example.cn/", icp="备<1>号", site_code="12&34",
                       police_record="公网安备<5>", sample=True,
                       gov_mark={"image": "marks/gov mark.png", "url": "https://zfwzzc.example.cn/"},
                       contact={"email": "dj@example.cn", "url": "https://dj.example.cn/lx"})
    # values that went around validation (an older file, a hand-made object)
    assert program.contact is not None and program.gov_mark is not None
    program = program.model_copy(update={
        "police_record_url": "https://beian.example.cn/?a=1&b=\"2\"",
        "gov_mark": program.gov_mark.model_copy(update={"image": " marks/gov mark.png "}),
        "contact": program.contact.model_copy(update={"url": "javascript:alert(1)"})})
    made = settings.site_settings(program, "internal", dt.date(2026, 5, 4), federated=True)
    assert made.site_name == "示例&lt;平台&gt;&amp;"
    assert made.site_url == "https://dj.example.cn/"
    assert made.copyright == ('组织部&lt;b&gt;　<a href="https://beian.miit.gov.cn/" rel="noopener">备&lt;1&gt;号</a>'
                              "　网站标识码：12&amp;34　公网安备&lt;5&gt;")
    assert made.federated is True
    extra = made.showcase
    assert extra["sample"] is True and extra["audience"] == "internal"
    assert (extra["organizer"], extra["icp"], extra["site_code"], extra["police_record"]) == (
        "组织部<b>", "备<1>号", "12&34", "公网安备<5>")
    assert extra["police_record_url"] == "https://beian.example.cn/?a=1&b=%222%22"
    assert extra["gov_mark"] == {"src": "media/marks/gov%20mark.png", "url": "https://zfwzzc.example.cn/"}
    assert extra["contact"]["email"] == "dj@example.cn" and extra["contact"]["url"] == ""
    assert extra["as_of"] == "2026-05-04"
    kept = settings.site_settings(_program(contact={"url": "https://dj.example.cn/lx"}), "public",
                                  dt.date(2026, 5, 4))
    assert kept.showcase["contact"]["url"] == "https://dj.example.cn/lx"


def test_site_settings_of_a_plain_programme() -> None:
    made = settings.site_settings(_program(), "public", dt.date(2026, 1, 2))
    assert (made.site_url, made.copyright, made.federated) == ("", "组织部&lt;b&gt;", False)
    assert made.showcase == {"sample": False, "audience": "public", "organizer": "组织部<b>",
                             "icp": None, "site_code": None, "police_record": None,
                             "police_record_url": "", "gov_mark": None, "contact": None,
                             "as_of": "2026-01-02"}
    hostile = _program().model_copy(update={"site_url": "https://x.cn/\"><script>"})
    assert settings.site_url(hostile) == "https://x.cn/%22%3E%3Cscript%3E"
    assert settings.site_url(_program().model_copy(update={"site_url": "javascript:x"})) == ""


def test_menus() -> None:
    nav = [{"首页": "index.md"}, {"示范点": "sites/index.md"}, {"经验": "experiences/index.md"}]
    assert settings.with_internal_nav(nav, "public", [{"指南": "guide/index.md"}]) is nav
    assert settings.with_internal_nav(None, "internal") is None
    assert settings.with_internal_nav(nav, "internal", [{"指南": "guide/index.md"}]) == [
        *nav, {"指南": "guide/index.md"}, {"内部管理": "internal/index.md"}]
    assert settings.with_internal_nav(nav, "internal") == [*nav, {"内部管理": "internal/index.md"}]
    assert settings.with_members_nav(nav, False) is nav
    assert settings.with_members_nav(None, True) is None
    assert settings.with_members_nav(nav, True) == [nav[0], nav[1], {"成员平台": "members/index.md"},
                                                    nav[2]]
    plain = ["index.md", {"关于": "about.md"}]
    assert settings.with_members_nav(plain, True) == [*plain, {"成员平台": "members/index.md"}]


def test_facts_are_the_models() -> None:
    facts: Facts = derive(minimal(), AS_OF)
    m = build_model(minimal(), facts, Options())
    assert m.facts is facts and m.options == Options()
    assert isinstance(m.chronicle, Chronicle) and not m.chronicle.available
    assert Path(m.data.root) == MINIMAL
