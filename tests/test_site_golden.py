"""Golden files: the generated Markdown, open data and feed of tests/fixtures/minimal are
exactly those reviewed and stored in tests/golden/ (regenerate with tests/regen_golden.py)."""

from __future__ import annotations

import csv
import difflib
import functools
import io
import json
import xml.etree.ElementTree as ET

import markdown
import pytest
from regen_golden import AUDIENCES, COMMAND, GOLDEN, generated, stored
from test_site_support import Element, parse_html_text, squash

from generator.site.fences import EXTENSION

ATOM = "{http://www.w3.org/2005/Atom}"

HOW = (f"If the change is intended, regenerate with `{COMMAND}` and review "
       "`git diff tests/golden` before committing.")


@pytest.mark.parametrize("name", sorted(AUDIENCES))
def test_generated_files_match_golden(name: str) -> None:
    expected = stored(GOLDEN / name)
    assert expected, f"tests/golden/{name}/ is missing. {HOW}"
    actual = generated(AUDIENCES[name])
    added = sorted(set(actual) - set(expected))
    removed = sorted(set(expected) - set(actual))
    assert not added and not removed, (
        f"generated files differ from tests/golden/{name}/: new {added}, gone {removed}. {HOW}")
    changed = [path for path in expected if expected[path] != actual[path]]
    if changed:
        diffs = []
        for path in changed[:5]:
            diffs += difflib.unified_diff(
                expected[path].decode("utf-8").splitlines(),
                actual[path].decode("utf-8").splitlines(),
                f"golden/{name}/{path}", f"generated/{path}", lineterm="", n=2)
        shown = "\n".join(diffs[:120])
        pytest.fail(f"{len(changed)} generated file(s) differ from tests/golden/{name}/: "
                    f"{changed}\n{shown}\n{HOW}")


@pytest.mark.parametrize("name", sorted(AUDIENCES))
def test_every_page_has_well_formed_front_matter(name: str) -> None:
    """A template slip (a whitespace-eating tag) can glue ``---`` to the next line, and the
    page's settings then show up as text: every page must open with a parsable header."""
    import yaml

    for path, content in generated(AUDIENCES[name]).items():
        if not path.endswith(".md"):
            continue
        lines = content.decode("utf-8").split("\n")
        assert lines[0] == "---", f"{path} does not start with a front-matter line: {lines[0]!r}"
        end = lines.index("---", 1)
        meta = yaml.safe_load("\n".join(lines[1:end]))
        assert meta is None or isinstance(meta, dict), f"{path}: front matter is not a mapping"


# ---------------------------------------------------------------- what matters, stated by hand
#
# The golden files are written by the code they check (tests/regen_golden.py): a bug that is
# in the code when they are regenerated is in them too, and the comparison above passes. The
# tests below state what matters in them (escaping, order, privacy) by hand for the minimal
# fixture, and check both the stored files and a fresh generation.

SOURCES = ("golden", "fresh")
# Python-Markdown with the extensions of mkdocs.yml (toc left out: its permalinks add "¶"
# to the headings' text), as MkDocs renders the pages.
MARKDOWN_EXTENSIONS = ["tables", "attr_list", "admonition", "md_in_html", "pymdownx.details",
                       "pymdownx.superfences"]

# sites/2025/chengnan-xingfu-shequ.yml, as typed.
XINGFU = "chengnan-xingfu-shequ"
XINGFU_NAME = "幸福社区党委 | 红色物业 *试点* _共建_ [一期] #1 <示范> & 联建"
XINGFU_SHORT = "幸福社区 <&> #1"
XINGFU_SUMMARY = "“红色物业”三方联动：社区党委、业委会、物业企业 | 每月一次联席会议。"


@functools.cache
def texts(name: str, source: str) -> dict[str, str]:
    """Path -> text of the stored golden files of ``name`` or of a fresh generation."""
    files = stored(GOLDEN / name) if source == "golden" else generated(AUDIENCES[name])
    assert files, f"nothing to check for {name} ({source})"
    return {path: content.decode("utf-8").removeprefix("\ufeff")
            for path, content in files.items()}


def render(page: str) -> Element:
    """A generated Markdown page as HTML (front matter dropped), as a small element tree."""
    lines = page.split("\n")
    body = "\n".join(lines[lines.index("---", 1) + 1:]) if lines[0] == "---" else page
    # with the extension that passes generated HTML through, as mkdocs.yml configures it
    return parse_html_text(markdown.markdown(body, extensions=[*MARKDOWN_EXTENSIONS, EXTENSION]))


def readable(path: str, text: str) -> str:
    """A file's text with JSON ``\\u`` escapes and XML entities decoded (the raw text too)."""
    if path.endswith(".json"):
        return text + "\n" + json.dumps(json.loads(text), ensure_ascii=False)
    if path.endswith(".xml"):
        return text + "\n" + "".join(ET.fromstring(text.encode("utf-8")).itertext())
    return text


def card_ids(page: str) -> list[str]:
    """The record ids of a listing's cards, in the order shown."""
    return [card.find("a").attrs["href"].strip("/").rsplit("/", 1)[-1]
            for card in render(page).find_all("article", "sc-card")]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("name", sorted(AUDIENCES))
def test_special_characters_show_literally(name: str, source: str) -> None:
    files = texts(name, source)
    site = render(files[f"sites/{XINGFU}/index.md"])
    assert squash(site.find("h1").text()) == XINGFU_NAME
    assert squash(site.find(cls="sc-lead").text()) == XINGFU_SUMMARY
    assert f"简称：{XINGFU_SHORT}" in squash(site.find(cls="sc-meta").text())

    # Every link to the site is labelled with its name or short name, exactly; it is linked
    # from the directory, its four facet pages and the 2025 plan at least.
    labels: dict[str, set[str]] = {}
    for path, text in files.items():
        if path.endswith(".md"):
            for a in render(text).find_all("a"):
                if a.attrs.get("href", "").rstrip("/").rsplit("/", 1)[-1] == XINGFU:
                    labels.setdefault(path, set()).add(squash(a.text()))
    assert set(labels) >= {"sites/index.md", "sites/by_batch/2025/index.md",
                           "sites/by_category/community/index.md",
                           "sites/by_status/demonstration/index.md",
                           "sites/by_unit/chengnan/index.md", "plans/2025/index.md"}
    wrong = {path: shown for path, shown in labels.items()
             if not shown <= {XINGFU_NAME, XINGFU_SHORT}}
    assert not wrong, f"links to {XINGFU} not showing its name as typed: {wrong}"

    # "<" and "&" of a record reach a Markdown page only as entities (&lt; &amp;), never as
    # characters that Markdown or the browser could take for markup (a name "<b>…" would be).
    raw = [path for path, text in files.items() if path.endswith(".md")
           and ("<示范" in text or "<&" in text or "& 联建" in text)]
    assert not raw, f"record text left as raw HTML in: {raw}"

    # The open data keep the text as typed.
    row = next(r for r in json.loads(files["data/sites.json"]) if r["id"] == XINGFU)
    assert (row["name"], row["short_name"], row["summary"]) == (
        XINGFU_NAME, XINGFU_SHORT, XINGFU_SUMMARY)
    line = next(r for r in csv.DictReader(io.StringIO(files["data/sites.csv"]))
                if r["id"] == XINGFU)
    assert (line["name"], line["short_name"]) == (XINGFU_NAME, XINGFU_SHORT)


# Reading order of the directory: status (candidate, demonstration, improving, not_selected,
# eliminated, withdrawn), then the newest batch first. From the fixture's README: wangjia is the
# one candidate; zhengwu (batch 2026) and xingfu (2025) are demonstrations; hongqi (2025) and
# taohua (2024) are improving; then jinshan, chuangxin and shiyan.
SITE_ORDER = ["shanbei-wangjia-cun", "shizhi-zhengwu-zhongxin", "chengnan-xingfu-shequ",
              "chengnan-hongqi-cun", "chengnan-taohua-cun", "hexi-jinshan-qiye",
              "hexi-chuangxin-keji", "shanbei-shiyan-xiaoxue"]
# Public experiences, newest first: 2026-06-18, 2025-09-15, 2024-12-10.
EXPERIENCE_ORDER = ["wangjia-cunmin-shuoshi", "hexi-lianmeng-gongjian", "taohua-jifen-guanli"]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("name", sorted(AUDIENCES))
def test_listings_are_in_reading_order(name: str, source: str) -> None:
    files = texts(name, source)
    assert card_ids(files["sites/index.md"]) == SITE_ORDER
    # The chengnan facet keeps that order: xingfu (demonstration), hongqi, taohua (improving).
    assert card_ids(files["sites/by_unit/chengnan/index.md"]) == [
        "chengnan-xingfu-shequ", "chengnan-hongqi-cun", "chengnan-taohua-cun"]
    # huibian-2025 (order: unit): chengnan's taohua-jifen-guanli, then hexi's experience.
    contents = render(files["compilations/huibian-2025/index.md"]).find("ol", "sc-contents")
    assert [a.attrs["href"] for a in contents.find_all("a")] == [
        "../../experiences/taohua-jifen-guanli/", "../../experiences/hexi-lianmeng-gongjian/"]


@pytest.mark.parametrize("source", SOURCES)
def test_public_experiences_are_newest_first(source: str) -> None:
    files = texts("minimal", source)
    assert card_ids(files["experiences/index.md"]) == EXPERIENCE_ORDER
    feed = ET.fromstring(files["feed.xml"].encode("utf-8"))
    links = [entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
             for entry in feed.findall(f"{ATOM}entry")]
    assert links == [f"/experiences/{i}/" for i in EXPERIENCE_ORDER]


# Every private field the minimal fixture fills (SPEC §2 "public: no"), with a value found
# nowhere else in it, and the internal page that must show it.
TAOHUA = "sites/chengnan-taohua-cun/index.md"
PRIVATE_VALUES = {
    "0731-8000001": TAOHUA,  # contacts.leader.phone
    "0731-8000002": TAOHUA,  # contacts.supervisor.phone
    "13800000001": TAOHUA,  # contacts.liaison.phone
    "0731-8000011": f"sites/{XINGFU}/index.md",  # contacts.leader.phone
    "07317200302": "sites/shanbei-wangjia-cun/index.md",  # unquoted contacts.liaison.phone
    "94.5": TAOHUA,  # evaluations.score
    "市委组织部第一考评组": TAOHUA,  # evaluations.evaluator
    "积分制管理有特色": TAOHUA,  # evaluations.remarks (2024)
    "建议总结推广": TAOHUA,  # evaluations.remarks (2025)
    "党建联盟运行流于形式": "sites/hexi-chuangxin-keji/index.md",  # evaluations.remarks
    "阵地建设不足": "sites/hexi-jinshan-qiye/index.md",  # evaluations.remarks
    "党群服务中心设备": TAOHUA,  # awards.purpose
    "拟推荐为省级示范点": TAOHUA,  # internal.note
    "学校与县二小合并办学": "sites/shanbei-shiyan-xiaoxue/index.md",  # withdrawn.reason
    # The draft experience shiyan-hongse-ketang: its id, summary and body.
    "shiyan-hongse-ketang": "experiences/index.md",
    "学生讲解员走进每个班级讲党史故事": "experiences/shiyan-hongse-ketang/index.md",
    "草稿，待补充": "experiences/shiyan-hongse-ketang/index.md",
}
PRIVATE_KEYS = {"phone", "score", "evaluator", "remarks", "awards", "reason", "internal"}


def json_keys(value: object, *, filled: bool = False) -> set[str]:
    """The keys, at any depth, of the JSON objects in ``value`` (``filled``: only those that
    hold something)."""
    if isinstance(value, dict):
        keys = {k for k, v in value.items() if not filled or v not in (None, "", [], {})}
        return keys.union(*(json_keys(v, filled=filled) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(json_keys(v, filled=filled) for v in value))
    return set()


@pytest.mark.parametrize("source", SOURCES)
def test_private_values_only_in_the_internal_files(source: str) -> None:
    public, internal = texts("minimal", source), texts("minimal-internal", source)
    leaks = {value: paths for value in PRIVATE_VALUES
             if (paths := [p for p, t in public.items() if value in readable(p, t)])}
    assert not leaks, f"private values in public files: {leaks}"
    assert not [p for p in public if "shiyan-hongse-ketang" in p]
    # ... and each is in the internal files, on its page: the check above can fail.
    missing = [value for value, path in PRIVATE_VALUES.items() if value not in internal[path]]
    assert not missing, f"private values missing from the internal pages: {missing}"

    # The open data have no private key at all (not even empty); the internal ones fill each.
    public_keys = json_keys(json.loads(public["data/sites.json"]))
    assert not public_keys & PRIVATE_KEYS, public_keys & PRIVATE_KEYS
    assert json_keys(json.loads(internal["data/sites.json"]), filled=True) >= PRIVATE_KEYS
    assert [e["id"] for e in json.loads(public["data/experiences.json"])] == sorted(
        EXPERIENCE_ORDER)
