"""Bugs a round of deliberate faults slipped past the suite (issue 20, item 9), each with
the test that now catches it: which plan year the home page shows, the internal build's
sitemap, a failing MkDocs shard, an import row whose id and name disagree, and two-character
words inside longer runs of the search index."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from conftest import MINIMAL, copy_minimal, run_showcase
from test_site_support import AS_OF, SAMPLE, build_ok, cli_env

from generator.data import loader
from generator.rules.facts import derive
from generator.site import searchindex
from generator.site.sitegen import Options, generate
from generator.site.sitemodel import build_model
from generator.staff.evalsheet import TEMPLATE_HEADERS

# ---------------------------------------------------------------- the home page's plan year


def _with_plans(tmp_path: Path, years: list[int]) -> Path:
    data = copy_minimal(tmp_path)
    source = (data / "plans" / "2025.yml").read_text(encoding="utf-8")
    (data / "plans" / "2025.yml").unlink()
    for year in years:
        (data / "plans" / f"{year}.yml").write_text(
            source.replace("2025", str(year)), encoding="utf-8")
    return data


@pytest.mark.parametrize(("years", "as_of", "shown"), [
    ([2025, 2026, 2027], "2025-12-31", 2025),
    ([2025, 2026, 2027], "2026-01-01", 2026),
    ([2025, 2026, 2027], "2026-12-31", 2026),
    ([2025, 2026, 2027], "2027-01-01", 2027),
    ([2025, 2026, 2027], "2031-06-30", 2027),   # after the last plan: the last one
    ([2025, 2026, 2027], "2024-06-30", 2025),   # before the first plan: the first one
    ([2025, 2027], "2026-07-01", 2025),         # a year without a plan: the one before
])
def test_the_home_page_shows_the_plan_of_the_reference_year(tmp_path: Path, years: list[int],
                                                            as_of: str, shown: int) -> None:
    data = loader.load(_with_plans(tmp_path, years))
    assert data.ok, data.problems
    facts = derive(data, dt.date.fromisoformat(as_of))
    model = build_model(data, facts, Options())
    assert model.current_plan_year() == shown
    home = generate(data, facts, Options(preview=True)).pages["index.md"]
    headings = re.findall(r"^## (\d{4}) 年度创建进度$", home, re.M)
    assert headings == [str(shown)], headings
    assert f"plans/{shown}/" in home


# ---------------------------------------------------------------- the internal sitemap

def test_an_internal_build_has_no_sitemap_entries(tmp_path: Path) -> None:
    """The internal site is never published: its sitemap lists nothing (a search engine
    must not learn its pages, and not under the public address either)."""
    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    program = data / "program.yml"
    program.write_text(program.read_text(encoding="utf-8") + "site_url: https://dj.example.cn/\n",
                       encoding="utf-8")
    internal = build_ok(data, tmp_path / "internal", audience="internal")
    locs = [e.text for e in ET.parse(internal / "sitemap.xml").iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == []
    assert (internal / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"
    public = build_ok(data, tmp_path / "public")
    locs = [e.text or "" for e in ET.parse(public / "sitemap.xml").iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith("https://dj.example.cn/") for loc in locs)
    assert not any("/internal/" in loc or "/guide/" in loc or "/admin/" in loc for loc in locs)


# ---------------------------------------------------------------- a failing shard

_FAULTY = """
import sys
from generator.engines import shards

real = shards.ShardPlugin.on_post_page

def on_post_page(self, output, **kwargs):
    if self.is_child:
        raise RuntimeError("injected fault in the second shard")
    return real(self, output, **kwargs)

shards.ShardPlugin.on_post_page = on_post_page
from generator.cli import main
sys.argv = ["showcase", *sys.argv[1:]]
main()
"""


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_a_failing_shard_fails_the_build_and_leaves_the_output(tmp_path: Path) -> None:
    out = build_ok(SAMPLE, tmp_path / "site")
    before = _digest(out)
    result = subprocess.run(
        [sys.executable, "-c", _FAULTY, "build", "--data", str(SAMPLE), "--out", str(out),
         "--no-pdf", "--as-of", AS_OF], env=cli_env(), capture_output=True, text=True,
        encoding="utf-8", timeout=600, check=False)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "原网站保持不变" in result.stderr and "Traceback" not in result.stderr
    assert "injected fault" in result.stderr  # the child said what went wrong
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# ---------------------------------------------------------------- import: id and name

def test_an_import_row_whose_id_and_name_disagree_is_refused(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    before = {p: p.read_bytes() for p in sorted(data.rglob("*.yml"))}
    book = tmp_path / "考评.xlsx"
    sheet = openpyxl.Workbook()
    sheet.active.append(TEMPLATE_HEADERS)
    # the id of one site, the name of another
    sheet.active.append(["shanbei-wangjia-cun", "中共城南区桃花镇桃花村委员会", 2026,
                         "2026-11-25", "合格", None, None, None])
    sheet.save(book)
    result = run_showcase("import", "evaluations", str(book), "--data", str(data), "--apply")
    assert result.returncode == 1, result.stdout
    assert f"{book}:第 2 行：" in result.stderr and "不一致" in result.stderr, result.stderr
    assert {p: p.read_bytes() for p in sorted(data.rglob("*.yml"))} == before


# ---------------------------------------------------------------- search: two-character words

def test_every_two_character_word_of_a_run_is_found(tmp_path: Path) -> None:
    run = "党员积分制管理推动乡村振兴"
    docs = [searchindex.Doc("sites/a/", "甲", f"开头 {run} 结尾"),
            searchindex.Doc("sites/b/", "乙", "无关的内容")]
    for rel, content in searchindex.build(docs).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(content)
    index = tmp_path / searchindex.INDEX_DIR
    for size in (1, 2, 3, 4):
        for i in range(len(run) - size + 1):
            word = run[i:i + size]
            hits = list(searchindex.query(index, word))
            assert [h.url for h in hits] == ["sites/a/"], word
            assert hits[0].confirmed, word
    assert searchindex.index_grams(run) >= {run[i:i + 2] for i in range(len(run) - 1)}
    assert searchindex.index_grams("积分") >= {"积分", "积", "分"}
