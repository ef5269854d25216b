"""The published site (SPEC §4), built with the real ``showcase build`` from the sample data
and from tests/fixtures/minimal: every page exists, statuses agree with the evaluations,
the open data and the feed are right, the internal build adds its views, links resolve."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_site_support import (
    CONTENT,
    MINIMAL,
    MINIMAL_COMPILATIONS,
    MINIMAL_DRAFTS,
    MINIMAL_PLANS,
    MINIMAL_PUBLIC_EXPERIENCES,
    MINIMAL_SITES,
    MINIMAL_STATUS,
    SAMPLE,
    Element,
    cached_build,
    content_of,
    html_files,
    is_external,
    link_target,
    parse_html,
    public_experience_ids,
    readable_text,
    record_ids,
    squash,
)

ATOM = "{http://www.w3.org/2005/Atom}"
STATUS_LABELS = {"candidate": "创建单位", "demonstration": "示范点", "not_selected": "未入选",
                 "improving": "提高阶段", "eliminated": "淘汰", "withdrawn": "已退出"}
# SPEC §2 site table: the public fields (and, below, the private ones).
PUBLIC_SITE_FIELDS = ("name", "short_name", "category", "unit", "level", "batch", "summary",
                      "profile", "organization", "features", "conditions", "plan", "contacts",
                      "archive", "evaluations", "photos", "location", "tags", "withdrawn")
PRIVATE_SITE_FIELDS = ("awards", "internal")
EXPERIENCE_FIELDS = ("title", "sites", "year", "themes", "summary", "author", "unit", "date",
                     "promoted", "body")
INTERNAL_AS_OF = "2027-01-15"  # the minimal fixture's README states its facts for this date


@pytest.fixture(scope="module")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_build(tmp_path_factory, MINIMAL)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_build(tmp_path_factory, SAMPLE)


@pytest.fixture(scope="module")
def internal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_build(tmp_path_factory, MINIMAL, audience="internal", as_of=INTERNAL_AS_OF)


@pytest.fixture(params=["minimal", "sample"])
def built(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """(data dir, built public site) for each data set."""
    if request.param == "minimal":
        return MINIMAL, request.getfixturevalue("minimal_site")
    return SAMPLE, request.getfixturevalue("sample_site")


@dataclasses.dataclass(frozen=True)
class Records:
    """The ids a public build must show."""

    sites: list[str]
    public_experiences: list[str]
    plans: list[str]
    compilations: list[str]


def records_of(data: Path) -> Records:
    """The records a build of ``data`` must show: stated by hand for the minimal fixture; for
    the sample, read from its files (independently of the generator) and required to be
    there, so that a thinned sample cannot turn a test into a loop over nothing."""
    if data == MINIMAL:
        return Records(MINIMAL_SITES, MINIMAL_PUBLIC_EXPERIENCES, MINIMAL_PLANS,
                       MINIMAL_COMPILATIONS)
    found = Records(record_ids(data, "sites"), public_experience_ids(data),
                    [p.stem for p in sorted((data / "plans").glob("*.yml"))],
                    record_ids(data, "compilations"))
    empty = [kind for kind, ids in dataclasses.asdict(found).items() if not ids]
    assert not empty, f"{data} has no {empty}: the tests over it would check nothing"
    return found


def load_yaml(path: Path) -> dict[str, Any]:
    """A record with every scalar as the text typed (YAML 1.1 never reinterprets it)."""
    loaded = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader)
    assert isinstance(loaded, dict), path
    return loaded


def site_records(data: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: load_yaml(p) for p in sorted((data / "sites").rglob("*.yml"))}


def expected_status(record: dict[str, Any]) -> str:
    """SPEC §2 "Lifecycle", restated independently of generator.model.lifecycle."""
    if record.get("withdrawn"):
        return "withdrawn"
    evaluations = sorted(record.get("evaluations") or [], key=lambda e: int(e["year"]))
    if not evaluations:
        return "candidate"
    passed = [e["result"] in ("pass", "excellent") for e in evaluations]
    if not passed[0]:
        return "not_selected"
    if len(passed) == 1:
        return "demonstration"
    return "improving" if all(passed[1:]) else "eliminated"


def page(site: Path, url: str) -> Path:
    return site / url.strip("/") / "index.html" if url.strip("/") else site / "index.html"


def section(article: Element, heading: str) -> Element:
    """The elements after the ``<h2>`` whose text starts with ``heading``, up to the next
    ``<h2>``, wrapped in one element."""
    out = Element("section", {})
    inside = False
    for child in article.children:
        if isinstance(child, Element) and child.tag == "h2":
            if inside:
                break
            inside = child.text().startswith(heading)
            continue
        if inside:
            out.children.append(child)
    assert out.children, f"no section “{heading}”"
    return out


# ---------------------------------------------------------------- §4: every page exists

def test_every_spec_page_exists(built: tuple[Path, Path]) -> None:
    data, site = built
    records = records_of(data)
    expected = ["", "sites/", "experiences/", "plans/", "compilations/", "data/"]
    expected += [f"sites/{i}/" for i in records.sites]
    expected += [f"experiences/{i}/" for i in records.public_experiences]
    expected += [f"plans/{year}/" for year in records.plans]
    expected += [f"compilations/{i}/" for i in records.compilations]
    missing = [url for url in expected if not page(site, url).is_file()]
    assert not missing, f"pages missing from the build: {missing}"
    for name in ("data/sites.json", "data/experiences.json", "data/sites.csv",
                 "data/experiences.csv", "feed.xml", "sitemap.xml"):
        assert (site / name).is_file(), name
    assert not (site / "internal").exists()


def test_drafts_have_no_page(minimal_site: Path, internal_site: Path) -> None:
    # The minimal fixture has 4 experiences; shiyan-hongse-ketang is a draft.
    built_pages = {p.parent.name for p in (minimal_site / "experiences").glob("*/index.html")}
    assert built_pages == set(MINIMAL_PUBLIC_EXPERIENCES)
    linked = listing_targets(minimal_site, "experiences/")
    assert not [d for d in MINIMAL_DRAFTS if f"experiences/{d}/index.html" in linked]
    # The draft is a real record that a build does show: the internal one.
    internal_pages = {p.parent.name for p in (internal_site / "experiences").glob("*/index.html")}
    assert internal_pages == set(MINIMAL_PUBLIC_EXPERIENCES + MINIMAL_DRAFTS)


def test_every_page_is_chinese(built: tuple[Path, Path]) -> None:
    _data, site = built
    wrong = []
    for path in html_files(site):
        html = parse_html(path).find("html")
        if not html.attrs.get("lang", "").startswith("zh"):
            wrong.append(path.relative_to(site).as_posix())
    assert not wrong, f"pages without <html lang=zh…>: {wrong}"


def listing_targets(site: Path, base: str) -> set[str]:
    """Site-relative files linked from the content of a listing and its further pages
    (``<base>page_2/`` …)."""
    pages = [page(site, base), *sorted((site / base).glob("page_*/index.html"))]
    targets = set()
    for path in pages:
        for a in content_of(parse_html(path)).find_all("a"):
            href = a.attrs.get("href", "")
            target = link_target(site, path, href) if href and not is_external(href) else None
            if target is not None:
                targets.add(target.relative_to(site).as_posix())
    return targets


def test_directory_lists_every_site(built: tuple[Path, Path]) -> None:
    data, site = built
    linked = listing_targets(site, "sites/")
    missing = [i for i in records_of(data).sites if f"sites/{i}/index.html" not in linked]
    assert not missing, f"sites not linked from /sites/: {missing}"


def test_experience_library_lists_every_public_experience(built: tuple[Path, Path]) -> None:
    data, site = built
    linked = listing_targets(site, "experiences/")
    missing = [i for i in records_of(data).public_experiences
               if f"experiences/{i}/index.html" not in linked]
    assert not missing, f"experiences not linked from /experiences/: {missing}"


# ---------------------------------------------------------------- feed

def test_feed_is_atom_of_public_experiences_newest_first(built: tuple[Path, Path]) -> None:
    data, site = built
    root = ET.fromstring((site / "feed.xml").read_bytes())
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{tag}") or "").strip(), f"feed without <{tag}>"
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    entries = root.findall(f"{ATOM}entry")
    public = records_of(data).public_experiences
    assert len(entries) == min(len(public), 50)
    assert len(entries) >= 2, "too few entries to show an order"
    updated = []
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{tag}") or "").strip(), f"entry without <{tag}>"
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href")
        ident = link.get("href", "").rstrip("/").rsplit("/", 1)[-1]
        assert ident in public
        updated.append(entry.findtext(f"{ATOM}updated") or "")
    assert updated == sorted(updated, reverse=True), "feed entries are not newest first"
    assert root.findtext(f"{ATOM}updated") == updated[0]


def test_feed_ids_are_absolute_and_unique(built: tuple[Path, Path]) -> None:
    """Atom ids must be absolute IRIs: the page URLs with a site_url, else URNs."""
    data, site = built
    root = ET.fromstring((site / "feed.xml").read_bytes())
    ids = [root.findtext(f"{ATOM}id") or ""] + [
        e.findtext(f"{ATOM}id") or "" for e in root.findall(f"{ATOM}entry")]
    assert len(ids) == 1 + len(records_of(data).public_experiences)  # the feed's and entries'
    has_url = "site_url:" in (data / "program.yml").read_text(encoding="utf-8-sig")
    prefixes = ("https://", "http://") if has_url else ("urn:",)
    assert all(i.startswith(prefixes) for i in ids), ids
    assert len(set(ids)) == len(ids)


# ---------------------------------------------------------------- status and open data

def test_status_on_every_site_page_and_in_open_data(minimal_site: Path) -> None:
    records = site_records(MINIMAL)
    expected = {ident: expected_status(r) for ident, r in records.items()}
    # The oracle agrees with the fixture's README, which reaches every status (else this test
    # would prove less than it seems).
    assert expected == MINIMAL_STATUS
    assert set(expected.values()) == set(STATUS_LABELS)

    for ident, status in expected.items():
        article = content_of(parse_html(page(minimal_site, f"sites/{ident}/")))
        badges = {squash(e.text()) for e in article.find_all(cls="sc-status")}
        assert badges == {STATUS_LABELS[status]}, (ident, badges)
        assert f"sc-status--{status}" in {c for e in article.find_all(cls="sc-status")
                                           for c in e.classes()}

    rows = json.loads((minimal_site / "data" / "sites.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["status"] for r in rows} == expected
    table = list(csv.DictReader(io.StringIO(
        (minimal_site / "data" / "sites.csv").read_text(encoding="utf-8-sig"))))
    assert {r["id"]: r["status"] for r in table} == expected


def test_directory_shows_each_status(minimal_site: Path) -> None:
    article = content_of(parse_html(page(minimal_site, "sites/")))
    shown = []
    for card in article.find_all("article", "sc-card"):
        href = card.find("a").attrs["href"]
        ident = href.strip("/").rsplit("/", 1)[-1]
        shown.append(ident)
        status = MINIMAL_STATUS[ident]
        assert squash(card.find(cls="sc-status").text()) == STATUS_LABELS[status], ident
    assert sorted(shown) == MINIMAL_SITES  # one card per site


def test_sites_json_objects(built: tuple[Path, Path]) -> None:
    data, site = built
    records = site_records(data)
    rows = json.loads((site / "data" / "sites.json").read_text(encoding="utf-8"))
    assert isinstance(rows, list)
    assert sorted(r["id"] for r in rows) == records_of(data).sites
    assert sorted(records) == records_of(data).sites
    if data == MINIMAL:
        # Each branch below has something to check: shanbei-shiyan-xiaoxue is withdrawn,
        # taohua, xingfu and wangjia have contacts, all but wangjia have evaluations.
        assert [r["id"] for r in rows if r["withdrawn"]] == ["shanbei-shiyan-xiaoxue"]
        assert sorted(r["id"] for r in rows if r["contacts"]) == [
            "chengnan-taohua-cun", "chengnan-xingfu-shequ", "shanbei-wangjia-cun"]
        assert sum(1 for r in rows if r["evaluations"]) == 7
    for row in rows:
        record = records[row["id"]]
        assert row["url"].endswith(f"/sites/{row['id']}/")
        assert row["status"] == expected_status(record)
        for key in PUBLIC_SITE_FIELDS:
            assert key in row, (row["id"], key)
        for key in PRIVATE_SITE_FIELDS:
            assert key not in row, (row["id"], key)
        for key in ("name", "category", "unit", "summary"):
            assert row[key] == record[key], (row["id"], key)
        assert row["batch"] == int(record["batch"])
        for ev in row["evaluations"]:
            assert set(ev) <= {"year", "date", "result"}, (row["id"], ev)
        contacts = row["contacts"] or {}
        for person in contacts.values():
            assert person is None or "phone" not in person, row["id"]
        if row["withdrawn"]:
            assert "reason" not in row["withdrawn"], row["id"]


def test_minimal_sites_json_keeps_text_as_typed(minimal_site: Path) -> None:
    rows = {r["id"]: r for r in json.loads(
        (minimal_site / "data" / "sites.json").read_text(encoding="utf-8"))}
    assert rows["shanbei-wangjia-cun"]["tags"] == ["村民说事", "no", "12:30"]
    assert rows["chengnan-xingfu-shequ"]["name"] == (
        "幸福社区党委 | 红色物业 *试点* _共建_ [一期] #1 <示范> & 联建")
    assert rows["chengnan-taohua-cun"]["url"] == "/sites/chengnan-taohua-cun/"


def test_experiences_json_objects(built: tuple[Path, Path]) -> None:
    data, site = built
    rows = json.loads((site / "data" / "experiences.json").read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in rows) == records_of(data).public_experiences
    for row in rows:
        assert row["url"].endswith(f"/experiences/{row['id']}/")
        for key in EXPERIENCE_FIELDS:
            assert key in row, (row["id"], key)
        assert "draft" not in row or row["draft"] is False
    table = list(csv.DictReader(io.StringIO(
        (site / "data" / "experiences.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(r["id"] for r in table) == records_of(data).public_experiences


def test_minimal_experience_body_from_sibling_markdown(minimal_site: Path) -> None:
    rows = {r["id"]: r for r in json.loads(
        (minimal_site / "data" / "experiences.json").read_text(encoding="utf-8"))}
    assert "一月一评" in (rows["taohua-jifen-guanli"]["body"] or "")
    assert rows["taohua-jifen-guanli"]["unit"] == "chengnan"
    article = content_of(parse_html(page(minimal_site, "experiences/taohua-jifen-guanli/")))
    assert "党员参加组织生活的比例从 72% 提高到 98%" in article.text()


def test_plan_page_shows_progress_against_quotas(minimal_site: Path) -> None:
    article = content_of(parse_html(page(minimal_site, "plans/2025/")))
    assert article.find_all("svg"), "plan page without a chart"
    rows = {squash(tr.find("th").text()): [squash(td.text()) for td in tr.find_all("td")]
            for tr in article.find_all("tr") if tr.find_all("td")}
    # README of the fixture: candidates 4 of 5, demonstrations 3 of 3; rural 1 of 2.
    assert rows["创建单位"][:2] == ["5", "4"]
    assert rows["示范点（首次考评合格）"][:2] == ["3", "3"]
    assert rows["农村"][:2] == ["2", "1"]
    assert rows["机关单位"][:2] == ["—", "0"]


def test_compilations_page_lists_each_compilation(built: tuple[Path, Path]) -> None:
    data, site = built
    linked = listing_targets(site, "compilations/")
    for ident in records_of(data).compilations:
        assert f"compilations/{ident}/index.html" in linked


def test_minimal_compilation_contents_exclude_drafts(minimal_site: Path) -> None:
    article = content_of(parse_html(page(minimal_site, "compilations/huibian-2025/")))
    hrefs = [a.attrs["href"] for a in article.find("ol").find_all("a")]
    assert hrefs == ["../../experiences/taohua-jifen-guanli/",
                     "../../experiences/hexi-lianmeng-gongjian/"]


# ---------------------------------------------------------------- internal build

def test_internal_page_has_the_management_views(internal_site: Path) -> None:
    article = content_of(parse_html(page(internal_site, "internal/")))
    overdue = section(article, "考评逾期")
    linked = {a.attrs["href"] for a in overdue.find_all("a")}
    # README: on 2027-01-15 xingfu (due 2026) and wangjia (candidate of 2026) are overdue.
    assert linked == {"../sites/chengnan-xingfu-shequ/", "../sites/shanbei-wangjia-cun/"}

    missing = squash(section(article, "资料缺失").text())
    assert "2024" in missing and "2026" in missing  # batches without plans/<year>.yml
    for label in ("创建规划", "创建档案", "联系人"):
        assert label in missing
    assert "王家村" in missing  # no plan, no archive, only a liaison

    duties = section(article, "区县职责")
    text = squash(duties.text())
    for unit in ("城南区委组织部", "河西区委组织部", "山北县委组织部"):
        assert unit in text
    assert "市直机关工委" not in text  # a work committee has no district duty
    for year in ("2024", "2025", "2026"):
        assert f"{year} 年" in text
    rows_2025 = _duty_rows(duties, "2025")
    assert rows_2025 == {"城南区委组织部": True, "河西区委组织部": True, "山北县委组织部": False}

    awards = squash(section(article, "以奖代投").text())
    assert "桃花村" in awards and "党群服务中心设备" in awards


def _duty_rows(duties: Element, year: str) -> dict[str, bool]:
    """Unit name -> met, from the table following the ``<h3>`` of ``year``."""
    inside, rows = False, {}
    for child in duties.children:
        if not isinstance(child, Element):
            continue
        if child.tag == "h3":
            inside = child.text().startswith(year)
            continue
        if inside:
            for tr in child.find_all("tr"):
                cells = [squash(td.text()) for td in tr.find_all("td")]
                if cells:
                    rows[cells[0]] = "未完成" not in cells[-1]
    return rows


def test_internal_site_page_shows_private_fields(internal_site: Path) -> None:
    text = content_of(parse_html(page(internal_site, "sites/chengnan-taohua-cun/"))).text()
    for value in ("0731-8000001", "13800000001", "94.5", "市委组织部第一考评组", "建议总结推广",
                  "党群服务中心设备", "2026 年拟推荐为省级示范点"):
        assert value in text, value
    withdrawn = content_of(parse_html(page(internal_site, "sites/shanbei-shiyan-xiaoxue/")))
    assert "学校与县二小合并办学" in withdrawn.text()
    assert page(internal_site, "experiences/shiyan-hongse-ketang/").is_file()


def test_every_internal_page_says_internal(internal_site: Path) -> None:
    unmarked = [p.relative_to(internal_site).as_posix() for p in html_files(internal_site)
                if "内部资料" not in parse_html(p).text()]
    assert not unmarked, f"internal pages without 内部资料: {unmarked}"


def test_internal_pages_are_not_for_search_engines(internal_site: Path,
                                                  minimal_site: Path) -> None:
    def robots(path: Path) -> str:
        return " ".join(m.attrs.get("content", "") for m in parse_html(path).find_all("meta")
                        if m.attrs.get("name") == "robots")

    assert not [p for p in html_files(internal_site) if "noindex" not in robots(p)]
    assert not [p for p in html_files(minimal_site) if "noindex" in robots(p)]


def test_public_build_has_no_internal_marks(minimal_site: Path) -> None:
    """No 内部资料 anywhere, except inside the hand-written guide pages (content/), which may
    explain the internal build: there only the page frame (banner, footer) is checked."""
    assert not (minimal_site / "internal").exists()
    guide = {_built_path(p.relative_to(CONTENT)) for p in CONTENT.rglob("*.md")}
    marked = []
    for path in sorted(minimal_site.rglob("*")):
        rel = path.relative_to(minimal_site).as_posix()
        if not path.is_file() or path.suffix == ".jpg" or rel.startswith("search/"):
            continue  # the search index holds the guide's text too
        if rel in guide:
            doc = parse_html(path)
            article = content_of(doc)
            text = doc.text().replace(article.text(), "")
        else:
            text = readable_text(path)
        if "内部资料" in text:
            marked.append(rel)
    assert not marked, f"public files saying 内部资料: {marked}"


def _built_path(source: Path) -> str:
    """The HTML file MkDocs makes from a Markdown file of content/ (directory URLs)."""
    stem = source.with_suffix("")
    if stem.name in ("index", "README"):
        return (stem.parent / "index.html").as_posix()
    return (stem / "index.html").as_posix()


# ---------------------------------------------------------------- links

def broken_links(site: Path) -> list[str]:
    broken = []
    for path in html_files(site):
        for el in parse_html(path).iter():
            for attr in ("href", "src"):
                url = el.attrs.get(attr)
                if not url or is_external(url) or url.startswith("#"):
                    continue
                target = link_target(site, path, url)
                if target is not None and not target.is_file():
                    broken.append(f"{path.relative_to(site).as_posix()}: <{el.tag} {attr}="
                                  f"{url!r}>")
    return broken


@pytest.mark.parametrize("which", ["minimal_site", "internal_site", "sample_site"])
def test_every_internal_link_resolves(which: str, request: pytest.FixtureRequest) -> None:
    site = request.getfixturevalue(which)
    broken = broken_links(site)
    assert not broken, "broken links:\n" + "\n".join(broken[:40])
