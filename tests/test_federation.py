"""One showcase from many repositories (issue 23), through the commands: an aggregator (a
city with sites of its own) and three member districts in real git repositories reached by
file:// URLs. Pins moved with a summary; a member's broken commit falls back to its last
good one (a notice in the internal build, silence in the public one); equal ids live under
their members' URLs; no member's private value reaches a public page; an unknown category is
located and names the member."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from federation_support import MemberRepo, member_repo, set_program, write_sources
from test_site_support import AS_OF, MINIMAL, REPO, html_files, parse_html, run_cli

SITE = "chengnan-taohua-cun"
EXPERIENCE = "taohua-jifen-guanli"
CANARY = "金丝雀{key}私密"


def plant_canaries(m: MemberRepo) -> None:
    """A private value in each kind of private field of one of the member's sites."""
    site = next((m.data / "sites").rglob(f"{SITE}.yml"))
    canary = CANARY.format(key=m.key)
    text = site.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(    phone: ).*$", rf'\1"{canary}电话"', text)
    text = re.sub(r"(?m)^(    remarks: ).*$", rf'\1"{canary}意见"', text)
    text = re.sub(r"(?m)^(    evaluator: ).*$", rf'\1"{canary}考评人"', text)
    text = re.sub(r"(?m)^(    purpose: ).*$", rf'\1"{canary}用途"', text)
    assert text.count(canary) >= 6
    site.write_text(text, encoding="utf-8")


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, list[MemberRepo]]:
    members = [member_repo(tmp_path, MINIMAL, key, name, code) for key, name, code in
               (("wuling", "武陵区", "430702"), ("dingcheng", "鼎城区", "430703"),
                ("taoyuan", "桃源县", "430725"))]
    for m in members:
        plant_canaries(m)
        m.commit("私密字段")
    project = tmp_path / "city"
    project.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "theme", project / "theme")
    shutil.copytree(REPO / "content", project / "content")
    own = project / "sites_data"
    shutil.copytree(MINIMAL, own)
    set_program(own, code="430700", name="常德市基层党建示范点展示平台（汇总）")
    write_sources(own, members)
    return project, members


def cli(project: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli(*args, cwd=project, timeout=600)


def build(project: Path, out: str, *extra: str) -> Path:
    result = cli(project, "build", "--out", out, "--no-pdf", "--as-of", AS_OF, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return project / out


def texts(site: Path) -> dict[str, str]:
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".json", ".csv", ".xml", ".txt"):
            out[path.relative_to(site).as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    return out


def test_members_build_side_by_side_with_their_own_urls(world: tuple[Path, list[MemberRepo]]) -> None:
    project, members = world
    fetched = cli(project, "sources", "fetch")
    assert fetched.returncode == 0, fetched.stderr
    assert "已取得 3 个成员的数据" in fetched.stdout
    site = build(project, "site")
    # the same id in three members and the aggregator: four pages
    for prefix in ("", *(f"{m.key}/" for m in members)):
        page = site / "sites" / f"{prefix}{SITE}" / "index.html"
        assert page.is_file(), prefix
        assert page.with_name("index.html").read_text(encoding="utf-8").count("<h1") == 1
    district = parse_html(site / "sites" / f"wuling/{SITE}" / "index.html").text()
    assert "武陵区" in district  # its unit is shown with the member's name
    # a facet per member, a page per member, the comparison table
    assert (site / "sites" / "by_member" / "wuling" / "index.html").is_file()
    assert (site / "sites" / "by_member" / "_own" / "index.html").is_file()
    members_page = (site / "members" / "index.html").read_text(encoding="utf-8")
    for m in members:
        assert m.name in members_page and (site / "members" / m.key / "index.html").is_file()
    assert '<svg class="sc-chart"' in members_page
    # open data rows carry their member
    rows = json.loads((site / "data" / "sites.json").read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in rows}
    assert by_id[f"dingcheng/{SITE}"]["member"] == "dingcheng" and by_id[SITE]["member"] == ""
    assert by_id[f"dingcheng/{SITE}"]["url"].endswith(f"/sites/dingcheng/{SITE}/")
    csv = (site / "data" / "sites.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv[0].startswith("id,url,member,")
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert fields[:3] == ["id", "url", "member"]
    # search covers the members
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["docs"] >= 4 * 3
    links = {a.attrs.get("href", "") for a in parse_html(site / "experiences" / f"wuling/{EXPERIENCE}"
                                                         / "index.html").find_all("a")}
    assert f"../../../sites/wuling/{SITE}/" in links  # its site, in its own namespace


def test_no_private_value_of_a_member_reaches_a_public_page(world: tuple[Path, list[MemberRepo]]) -> None:
    project, members = world
    set_program(members[0].data, share_internal_with=["430700"])
    members[0].commit("向市级平台开放内部信息")
    write_sources(project / "sites_data", members)
    public = texts(build(project, "public"))
    for m in members:
        canary = CANARY.format(key=m.key)
        leaked = [name for name, text in public.items() if canary in text]
        assert leaked == [], (m.key, leaked)
    internal = "\n".join(texts(build(project, "internal", "--audience", "internal")).values())
    assert CANARY.format(key="wuling") in internal          # it trusts the city
    assert CANARY.format(key="dingcheng") not in internal   # these do not
    assert CANARY.format(key="taoyuan") not in internal


def test_a_broken_commit_falls_back_quietly_in_public(world: tuple[Path, list[MemberRepo]]) -> None:
    project, members = world
    build(project, "first")  # every pin is valid: each becomes its member's last good one
    broken = members[1]
    site = next((broken.data / "sites").rglob(f"{SITE}.yml"))
    site.write_text(site.read_text(encoding="utf-8") + "batch: [\n", encoding="utf-8")
    bad = broken.commit("一次失败的合并")
    write_sources(project / "sites_data", members, {broken.key: bad})
    validate = cli(project, "validate")
    assert validate.returncode == 0, validate.stdout
    assert re.search(rf"^dingcheng/sites_data/sites/\S+:\d+:\d+: warning: 〔鼎城区，提交 {bad[:7]}〕",
                     validate.stdout, re.M), validate.stdout
    strict = cli(project, "validate", "--strict-sources")
    assert strict.returncode == 1 and ": error: 〔鼎城区" in strict.stdout
    public = build(project, "public")
    assert (public / "sites" / f"dingcheng/{SITE}" / "index.html").is_file()  # the good commit
    for name, text in texts(public).items():
        assert bad[:7] not in text and "未更新" not in text, name
    internal = build(project, "internal", "--audience", "internal")
    notice = (internal / "internal" / "index.html").read_text(encoding="utf-8")
    assert "成员数据未更新" in notice and "鼎城区" in notice and bad[:7] in notice
    assert "dingcheng/sites_data/sites/" in notice  # why: the problem, as validate says it
    failed = cli(project, "build", "--out", "strict", "--no-pdf", "--strict-sources")
    assert failed.returncode == 1 and not (project / "strict").exists()


def test_an_unknown_category_is_located_and_names_the_member(world: tuple[Path, list[MemberRepo]]) -> None:
    project, members = world
    m = members[2]
    taxonomy = m.data / "taxonomy.yml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace(
        "categories:\n", "categories:\n  hospital:\n    name: 医院\n", 1), encoding="utf-8")
    site = next((m.data / "sites").rglob(f"{SITE}.yml"))
    site.write_text(site.read_text(encoding="utf-8").replace("category: rural", "category: hospital"),
                    encoding="utf-8")
    m.commit("新类别")
    write_sources(project / "sites_data", members)
    result = cli(project, "validate", "--strict-sources")
    assert result.returncode == 1
    line = next(i for i, t in enumerate(site.read_text(encoding="utf-8").splitlines(), 1)
                if t.startswith("category:"))
    shown = f"taoyuan/sites_data/sites/{site.parent.name}/{SITE}.yml:{line}:11: error: 〔桃源县〕类别“hospital”"
    assert shown in result.stdout, result.stdout
    key = next(i for i, t in enumerate(taxonomy.read_text(encoding="utf-8").splitlines(), 1)
               if t.strip() == "hospital:")
    assert f"taoyuan/sites_data/taxonomy.yml:{key}:3: error: 〔桃源县〕类别“hospital”" in result.stdout


def test_moving_pins_shows_the_change_for_review(world: tuple[Path, list[MemberRepo]]) -> None:
    project, members = world
    old = members[0].head
    extra = members[0].data / "sites" / "2026" / "xinzeng-cun.yml"
    extra.write_text(next((members[0].data / "sites").rglob(f"{SITE}.yml")).read_text(encoding="utf-8"),
                     encoding="utf-8")
    new = members[0].commit("新增一个创建单位")
    before = (project / "sites_data" / "sources.yml").read_text(encoding="utf-8")
    result = cli(project, "sources", "update", "wuling")
    assert result.returncode == 0, result.stderr
    assert f"武陵区（wuling）：{old[:7]} → {new[:7]}" in result.stdout
    assert "新增示范点 1：xinzeng-cun" in result.stdout
    after = (project / "sites_data" / "sources.yml").read_text(encoding="utf-8")
    assert after == before.replace(old, new)
    again = cli(project, "sources", "update")
    assert "没有新的提交" in again.stdout and "sources.yml 没有改动" in again.stdout
    site = build(project, "site")
    assert (site / "sites" / "wuling" / "xinzeng-cun" / "index.html").is_file()
    assert html_files(site)
