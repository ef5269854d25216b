"""Each record's history from git (SPEC §6 "History", issue 22 item 4).

A repository is made in the test: the minimal fixture in ``sites_data/`` of a git work tree,
three commits by two authors on fixed dates. Built public and internal, the pages must show
the expected 最后更新 dates, the internal 修订记录 rows (date, author, message, the fields
changed — compared on the parsed records), nothing of it in the public build (no author,
message or private field name anywhere), the expected 年度变化 entries, and an Atom feed
that feedparser reads. A shallow clone and a plain folder build without error, with a
Chinese note and only the dates that are certain.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest
from test_site_support import MINIMAL, build, html_files, parse_html, readable_text

from generator.data.history import NOTE_NOT_A_REPOSITORY, read_history
from generator.model.recorddiff import changed_fields, field_title
from generator.model.records import Location, Site

AUTHOR_A = ("李文书", "li@example.cn")
AUTHOR_B = ("Zhang Wei", "zhang@example.cn")
MESSAGE_1 = "导入示范点数据 canary-m1"
MESSAGE_2 = "王家村首次考评合格；桃花村以奖代投 canary-m2"
MESSAGE_3 = "新增典型经验；石门村退出 canary-m3"
# Dates carry time zones: the date shown is the author's own (2026-02-10 in +08:00 is
# still 2026-02-09 in UTC).
DATE_1 = "2025-03-01T09:00:00+08:00"
DATE_2 = "2025-06-15T16:30:00+08:00"
DATE_3 = "2026-02-10T07:15:00+08:00"
PRIVATE_CANARY = "以奖代投用途canary"


def git(repo: Path, *args: str, author: tuple[str, str] = AUTHOR_A,
        date: str = DATE_1) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
                "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1],
                "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
                "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)})
    result = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
                             *args], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def make_repository(root: Path) -> Path:
    """root/repo with sites_data/ (the minimal fixture) and three commits; returns the data."""
    repo = root / "repo"
    data = repo / "sites_data"
    shutil.copytree(MINIMAL, data)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", MESSAGE_1, author=AUTHOR_A, date=DATE_1)

    # 2: Zhang Wei records 王家村's first evaluation (candidate → demonstration), changes
    # 桃花村's summary and the purpose of its award (a private field), and adds a comment
    # to a third file without changing any value.
    edit(data / "sites" / "2026" / "shanbei-wangjia-cun.yml", "tags:\n",
         "evaluations:\n  - year: 2026\n    result: pass\n    score: 91\ntags:\n")
    taohua = data / "sites" / "2024" / "chengnan-taohua-cun.yml"
    text = taohua.read_text(encoding="utf-8")
    summary = next(line for line in text.splitlines() if line.startswith("summary:"))
    edit(taohua, summary, "summary: 以“积分制”管理激活党员队伍，2025 年修订。")
    edit(taohua, "    purpose: 党群服务中心设备\n", f"    purpose: {PRIVATE_CANARY}\n")
    hongqi = data / "sites" / "2025" / "chengnan-hongqi-cun.yml"
    hongqi.write_text(hongqi.read_text(encoding="utf-8") + "# 只加了一行注释\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", MESSAGE_2, author=AUTHOR_B, date=DATE_2)

    # 3: Li adds an experience, withdraws 石门村 (shizhi-zhengwu-zhongxin) and edits the
    # .md body of taohua-jifen-guanli.
    new = data / "experiences" / "2026" / "xinzeng-jingyan.yml"
    new.write_text("title: 新增的一篇典型经验\nsites:\n  - shanbei-wangjia-cun\nyear: 2026\n"
                   "themes:\n  - service\nsummary: 测试用摘要。\nauthor: 山北县委组织部\n"
                   "body: 测试用正文。\n", encoding="utf-8")
    shizhi = data / "sites" / "2026" / "shizhi-zhengwu-zhongxin.yml"
    shizhi.write_text(shizhi.read_text(encoding="utf-8")
                      + "withdrawn:\n  date: 2026-02-01\n  reason: 内部原因canary\n", encoding="utf-8")
    body = data / "experiences" / "2024" / "taohua-jifen-guanli.md"
    body.write_text(body.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", MESSAGE_3, author=AUTHOR_A, date=DATE_3)
    return data


@pytest.fixture(scope="module")
def repo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = make_repository(tmp_path_factory.mktemp("history"))
    # The edits must keep the data valid (else the builds below prove nothing).
    theme = (data / "taxonomy.yml").read_text(encoding="utf-8")
    assert "  service:" in theme, "the new experience's theme must exist in the fixture"
    return data


def _build(data: Path, out: Path, audience: str) -> tuple[Path, str]:
    result = build(data, out, audience=audience)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result.stderr


@pytest.fixture(scope="module")
def public(repo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return _build(repo_data, tmp_path_factory.mktemp("pub") / "site", "public")


@pytest.fixture(scope="module")
def internal(repo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return _build(repo_data, tmp_path_factory.mktemp("int") / "site", "internal")


def updated(site: Path, page: str) -> str | None:
    found = parse_html(site / page / "index.html").find_all("p", "sc-updated")
    return found[0].text().strip() if found else None


EXPECTED_UPDATED = {
    "sites/shanbei-wangjia-cun": "最后更新：2025-06-15",
    "sites/chengnan-taohua-cun": "最后更新：2025-06-15",
    "sites/chengnan-hongqi-cun": "最后更新：2025-06-15",  # a comment is a change of the file
    "sites/shizhi-zhengwu-zhongxin": "最后更新：2026-02-10",
    "sites/hexi-jinshan-qiye": "最后更新：2025-03-01",
    "experiences/taohua-jifen-guanli": "最后更新：2026-02-10",  # its .md body changed
    "experiences/xinzeng-jingyan": "最后更新：2026-02-10",
    "experiences/hexi-lianmeng-gongjian": "最后更新：2025-03-01",
}


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_pages_show_the_date_of_the_last_commit_that_changed_the_record(
        audience: str, request: pytest.FixtureRequest) -> None:
    site, _log = request.getfixturevalue(audience)
    for page, expected in EXPECTED_UPDATED.items():
        assert updated(site, page) == expected, page


def revision_rows(site: Path, page: str) -> list[list[str]]:
    doc = parse_html(site / page / "index.html")
    tables = doc.find_all("div", "sc-revisions")
    if not tables:
        return []
    return [[td.text().strip() for td in tr.find_all("td")]
            for tr in tables[0].find("tbody").find_all("tr")]


def test_internal_pages_have_the_revision_rows(internal: tuple[Path, str]) -> None:
    site, _log = internal
    assert revision_rows(site, "sites/chengnan-taohua-cun") == [
        ["2025-06-15", "Zhang Wei", MESSAGE_2, "一句话简介、以奖代投（不公开）"],
        ["2025-03-01", "李文书", MESSAGE_1, "新建"],
    ]
    assert revision_rows(site, "sites/shanbei-wangjia-cun")[0] == [
        "2025-06-15", "Zhang Wei", MESSAGE_2, "考评记录"]
    assert revision_rows(site, "sites/shizhi-zhengwu-zhongxin")[0] == [
        "2026-02-10", "李文书", MESSAGE_3, "退出"]
    # Only a comment changed: the file changed, no field did.
    assert revision_rows(site, "sites/chengnan-hongqi-cun")[0][3] == "（格式调整，内容未变）"
    assert revision_rows(site, "experiences/taohua-jifen-guanli")[0] == [
        "2026-02-10", "李文书", MESSAGE_3, "正文"]
    heading = [h.text() for h in parse_html(site / "sites" / "chengnan-taohua-cun" / "index.html")
               .find_all("h2")]
    assert any("修订记录" in h for h in heading)


def test_the_public_build_has_no_revision_record_and_nothing_private(
        public: tuple[Path, str]) -> None:
    site, _log = public
    assert revision_rows(site, "sites/chengnan-taohua-cun") == []
    for path in [*html_files(site), *site.rglob("*.xml"), *site.rglob("*.json"), *site.rglob("*.csv")]:
        text = readable_text(path)
        for secret in ("修订记录", "Zhang Wei", "李文书", "canary-m", PRIVATE_CANARY, "以奖代投",
                       "党群服务中心设备", "内部原因canary"):
            assert secret not in text, f"{secret!r} in {path.relative_to(site)}"


def changes(site: Path, year: int) -> dict[str, list[str]]:
    """Section heading -> the entries' texts on /changes/YEAR/."""
    doc = parse_html(site / "changes" / str(year) / "index.html")
    out: dict[str, list[str]] = {}
    for ul in doc.find_all("ul", None):
        classes = ul.classes()
        kind = next((c.removeprefix("sc-changes--") for c in classes if c.startswith("sc-changes--")), None)
        if kind:
            out[kind] = [" ".join(li.text().split()) for li in ul.find_all("li")]
    return out


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_the_years_changes(audience: str, request: pytest.FixtureRequest) -> None:
    site, _log = request.getfixturevalue(audience)
    y2025, y2026 = changes(site, 2025), changes(site, 2026)
    # The first commit brought the eight sites; the public build never shows the draft.
    assert len(y2025["new_site"]) == 8
    assert all(e.startswith("2025-03-01 ") for e in y2025["new_site"])
    assert y2025["status"] == ["2025-06-15 王家村 山北县委组织部 由“创建单位”变为“示范点”"]
    # The three final experiences of the first commit (the draft never, in either build).
    assert sorted(y2025["new_experience"]) == sorted([
        "2025-03-01 党员积分制管理“一月一评、一季一晒”", "2025-03-01 园区党建联盟“五共”工作法",
        "2025-03-01 “村民说事”推动村务公开"])
    assert y2026 == {
        "withdrawn": ["2026-02-10 市政务服务中心 市直机关工委 由“示范点”变为“已退出”"],
        "new_experience": ["2026-02-10 新增的一篇典型经验"],
    }
    index = parse_html(site / "changes" / "index.html")
    years = [a.text() for a in index.find("table").find_all("a")]
    assert years == ["2026 年", "2025 年"]


def test_the_changes_feed_reads_as_atom(public: tuple[Path, str]) -> None:
    site, _log = public
    parsed = feedparser.parse((site / "changes" / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert titles[0].startswith(("【新增典型经验】新增的一篇典型经验", "【退出】"))
    assert sum(t.startswith("【新增创建单位】") for t in titles) == 8
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    dates = [e.updated_parsed for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    for entry in parsed.entries:
        page = entry.link.split("/", 3)[-1] if "://" in entry.link else entry.link.lstrip("/")
        assert (site / page / "index.html").is_file(), entry.link


def test_two_builds_of_the_same_history_are_identical(repo_data: Path, public: tuple[Path, str],
                                                      tmp_path: Path) -> None:
    again, _log = _build(repo_data, tmp_path / "again", "public")
    site, _log = public
    for rel in ("changes/feed.xml", "changes/2025/index.html", "sites/chengnan-taohua-cun/index.html"):
        assert (site / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_a_shallow_clone_builds_with_only_certain_dates(repo_data: Path, tmp_path: Path) -> None:
    repo = repo_data.parent
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", repo.as_uri(), str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    site, log = _build(clone / "sites_data", tmp_path / "site", "internal")
    assert "浅克隆" in log and "fetch-depth: 0" in log
    # Commit 3 is certain (its parent, commit 2, is there); commit 2 is the boundary: what
    # it shows may not be a change, so nothing it touched last has a date.
    assert updated(site, "sites/shizhi-zhengwu-zhongxin") == "最后更新：2026-02-10"
    assert updated(site, "experiences/xinzeng-jingyan") == "最后更新：2026-02-10"
    assert updated(site, "sites/shanbei-wangjia-cun") is None
    assert updated(site, "sites/hexi-jinshan-qiye") is None
    assert (site / "changes" / "2026" / "index.html").is_file()
    assert not (site / "changes" / "2025").exists()

    single = tmp_path / "single"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(single))
    site, log = _build(single / "sites_data", tmp_path / "site1", "public")
    assert "浅克隆" in log
    assert not any(updated(site, page) for page in EXPECTED_UPDATED)


def test_a_plain_folder_builds_without_dates(repo_data: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain" / "sites_data"
    shutil.copytree(repo_data, plain)
    assert not (plain / ".git").exists() and not (plain.parent / ".git").exists()
    site, log = _build(plain, tmp_path / "site", "public")
    assert f"提示：{NOTE_NOT_A_REPOSITORY}" in log
    assert not any(updated(site, page) for page in EXPECTED_UPDATED)
    assert (site / "changes" / "index.html").is_file()
    assert "没有版本历史" in (site / "changes" / "index.html").read_text(encoding="utf-8")


def test_the_history_is_cached_by_head(repo_data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = read_history(repo_data, cache_dir=cache)
    files = list(cache.glob("*.json"))
    assert len(files) == 1 and first.head
    assert read_history(repo_data, cache_dir=cache) == first
    files[0].write_text("{damaged", encoding="utf-8")
    assert read_history(repo_data, cache_dir=cache) == first  # read from git again


# ---------------------------------------------------------------- fields, compared parsed

def test_changed_fields_compare_parsed_values() -> None:
    base = Site.model_validate({"name": "甲", "category": "rural", "unit": "u", "batch": "2025",
                                "summary": "一", "location": {"lat": "29.1", "lng": "111.2"}})
    same = Site.model_validate({"name": "甲", "category": "rural", "unit": "u", "batch": 2025,
                                "summary": "一", "location": {"lat": "29.10", "lng": "111.2"},
                                "tags": []})
    assert changed_fields(base, same) == ()
    moved = base.model_copy(update={"location": Location(lat=29.2, lng=111.2), "summary": "二"})
    assert changed_fields(base, moved) == (("summary",), ("location", "lat"))
    assert field_title(Site, ("location", "lat")) == "位置 › 纬度"
    assert ("name",) in changed_fields(None, base)


def test_both_pipelines_fetch_the_whole_history() -> None:
    """A shallow checkout gives pages without dates: both CI files fetch every commit, and
    GitHub's container jobs have git before checkout (else no .git at all) and trust the
    workspace."""
    import yaml
    from conftest import REPO

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    for name in ("build", "internal"):
        steps = workflow["jobs"][name]["steps"]
        checkout = next(i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/checkout@"))
        assert steps[checkout]["with"]["fetch-depth"] == 0, name
        before = " ".join(str(s.get("run", "")) for s in steps[:checkout])
        assert "install" in before and " git" in before and "safe.directory" in before, name
    gitlab = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert str(gitlab["variables"]["GIT_DEPTH"]) == "0"
    setup = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "need_apt+=(git)" in setup  # the GitLab jobs' image has no git of its own


def test_old_versions_invalid_under_todays_rules_still_give_their_status(tmp_path: Path) -> None:
    """A version written before a rule was tightened (here: seven decimals) has errors
    today; its valid fields still count, so the status change it records is not lost."""
    from generator.rules.changes import _site_changes

    repo = tmp_path / "repo"
    site = repo / "sites" / "a-cun.yml"
    site.parent.mkdir(parents=True)
    head = ("name: 甲村党支部\ncategory: rural\nunit: u\nbatch: 2025\nsummary: 测试。\n"
            "location:\n  lat: 28.2001234\n  lng: 112.98\n")
    site.write_text(head, encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "一", date=DATE_1)
    site.write_text(head + "evaluations:\n  - year: 2025\n    result: pass\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "二", author=AUTHOR_B, date=DATE_2)
    history = read_history(repo)
    revisions = history.of("sites", "a-cun")
    assert [r.change for r in revisions] == ["modified", "added"]
    assert revisions[0].fields == (("evaluations",),)
    found = _site_changes("a-cun", revisions)
    assert [(c.kind, c.old_status, c.new_status, c.commit.date) for c in found] == [
        ("status", "candidate", "demonstration", "2025-06-15"), ("new_site", None, None, "2025-03-01")]


def test_data_never_committed_gives_a_note(tmp_path: Path) -> None:
    """A data folder copied into a repository but not committed yet: no dates, and the
    build log says why."""
    from generator.data.history import NOTE_UNCOMMITTED

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "仓库")
    shutil.copytree(MINIMAL, repo / "sites_data")
    site, log = _build(repo / "sites_data", tmp_path / "site", "public")
    assert f"提示：{NOTE_UNCOMMITTED}" in log
    assert not any(updated(site, page) for page in EXPECTED_UPDATED if "xinzeng" not in page)


def test_the_loaded_records_stand_in_for_todays_versions_exactly(repo_data: Path) -> None:
    """The build passes the records it loaded, so today's files are not parsed twice; the
    history must be the same as when every version is parsed from git (an experience whose
    body is its .md file included)."""
    from generator.data.loader import load

    data = load(repo_data)
    assert data.ok and data.body_files, "the fixture has an experience with a .md body"
    assert read_history(repo_data, current=data) == read_history(repo_data)


def test_a_repository_git_refuses_gives_its_reason(repo_data: Path, tmp_path: Path) -> None:
    """git refuses a repository owned by another user ("dubious ownership"): the note says
    so instead of claiming there is no repository. Simulated with a git that fails."""
    fake = tmp_path / "bin"
    fake.mkdir()
    script = fake / "git"
    script.write_text("#!/bin/sh\necho \"fatal: detected dubious ownership in repository at '$PWD'\" >&2\n"
                      "exit 128\n", encoding="utf-8")
    script.chmod(0o755)
    old = os.environ["PATH"]
    os.environ["PATH"] = f"{fake}{os.pathsep}{old}"
    try:
        history = read_history(repo_data)
    finally:
        os.environ["PATH"] = old
    assert history.state == "none"
    assert history.note is not None and "dubious ownership" in history.note
    assert history.note != NOTE_NOT_A_REPOSITORY
