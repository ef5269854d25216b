"""One set of numbers per year (issue 21, “Done when”): for every year of the sample and of a
generated 250-site data set, the home page's plan table, ``showcase report --json``, the
annual report (.docx, read with python-docx) and the worklists and calendars agree.

Each year is looked at as the data stood on 31 December of that year (records of later years
taken out of a copy, as a checkout of that day would have them), where SPEC's own keys of
``report --json`` (``sites.*.due_year``, ``overdue``, ``plans``, ``duties``) say what is due,
overdue and achieved; the same year's report made from the full data years later must tell
the same story."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from office_support import description_field, docx_tables, events_icalendar
from test_site_support import REPO, SAMPLE, parse_html_text, run_cli

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import synthesise_varied

CASES = [("sample", y) for y in (2024, 2025, 2026)] + [("varied", y) for y in range(2022, 2027)]
FINAL_AS_OF = "2027-01-15"
HISTORY_KEYS = ("new_units", "new_unit_count", "outcomes", "tasks", "open", "duties",
                "experiences", "left")


def _load(path: Path) -> Any:
    return yaml.load(path.read_text("utf-8-sig"), Loader=yaml.BaseLoader)


def _dump(value: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1000),
                    encoding="utf-8")


def as_it_stood(data: Path, year: int, out: Path) -> Path:
    """A copy of ``data`` without anything recorded after ``year``: later batches,
    evaluations, withdrawals, experiences and plans (compilations left out)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(data / "media", out / "media")
    for name in ("program.yml", "taxonomy.yml"):
        shutil.copy(data / name, out / name)
    kept: set[str] = set()
    for path in sorted((data / "sites").rglob("*.yml")):
        site = _load(path)
        if int(site["batch"]) > year:
            continue
        evaluations = [e for e in site.get("evaluations") or [] if int(e["year"]) <= year]
        if evaluations:
            site["evaluations"] = evaluations
        else:
            site.pop("evaluations", None)
        if site.get("withdrawn") and int(site["withdrawn"]["date"][:4]) > year:
            site.pop("withdrawn")
        kept.add(path.stem)
        _dump(site, out / "sites" / path.relative_to(data / "sites"))
    for path in sorted((data / "experiences").rglob("*.yml")):
        exp = _load(path)
        if int(exp["year"]) > year or not set(exp["sites"]) <= kept:
            continue
        target = out / "experiences" / path.relative_to(data / "experiences")
        _dump(exp, target)
        if path.with_suffix(".md").exists():
            shutil.copy(path.with_suffix(".md"), target.with_suffix(".md"))
    for path in sorted((data / "plans").glob("*.yml")):
        if int(path.stem) <= year:
            _dump(_load(path), out / "plans" / path.name)
    (out / "compilations").mkdir()
    return out


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("agreement")
    return {"sample": SAMPLE, "varied": synthesise_varied(250, root / "varied")}


def report_json(data: Path, as_of: str) -> dict[str, Any]:
    result = run_cli("report", "--data", str(data), "--as-of", as_of, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def names(data: Path) -> dict[str, tuple[str, str]]:
    """site id → (full name, short name)."""
    out = {}
    for path in (data / "sites").rglob("*.yml"):
        site = _load(path)
        out[path.stem] = (site["name"], site.get("short_name") or site["name"])
    return out


def home_plan_table(data: Path, as_of: dt.date) -> dict[str, tuple[str, str, str]]:
    """category name → (target, 创建单位, 其中示范点) from the generated home page."""
    from generator.engines.pipeline import prepare

    prepared = prepare(data, audience="public", as_of=as_of, pdf=False, template_dirs=())
    page = parse_html_text(prepared.site.pages["index.md"])
    table = page.find("table", "sc-matrix")
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        cells = [c.text().strip() for c in tr.children if not isinstance(c, str)]
        rows[cells[0]] = (cells[1], cells[2], cells[3])
    return rows


def worklists_and_feeds(data: Path, as_of: dt.date, out: Path) -> dict[str, Path]:
    """The internal build's worklists (.docx) and calendars of ``data``, made by the same
    post-step a build runs."""
    from generator.data.loader import load
    from generator.paper.publish import run_jobs, worklist_jobs
    from generator.rules.facts import derive

    loaded = load(data)
    assert loaded.ok
    jobs = [j for j in worklist_jobs(loaded, derive(loaded, as_of)) if not j.path.endswith(".pdf")]
    run_jobs(out, jobs, as_of)
    return {j.path: out / j.path for j in jobs}


@pytest.mark.parametrize(("dataset", "year"), CASES, ids=[f"{d}-{y}" for d, y in CASES])
def test_every_output_tells_the_same_year(dataset: str, year: int, sources: dict[str, Path],
                                          tmp_path: Path) -> None:
    data = as_it_stood(sources[dataset], year, tmp_path / "data")
    as_of = f"{year}-12-31"
    spec = report_json(data, as_of)
    site_names = names(data)
    short_to_id = {short: ident for ident, (_full, short) in site_names.items()}
    full_to_id = {full: ident for ident, (full, _short) in site_names.items()}
    assert len(short_to_id) == len(full_to_id) == len(site_names)  # names identify sites

    # The annual report of the year, read from its Word file.
    out = tmp_path / "annual"
    made = run_cli("annual", str(year), "--data", str(data), "--as-of", as_of, "--format", "docx",
                   "--audience", "internal", "--out", str(out))
    assert made.returncode == 0, made.stderr
    tables = docx_tables(out / f"annual-{year}.docx")

    # 1. The plan: report --json = the annual report's table 1 = the home page's table.
    plan = spec["plans"].get(str(year))
    if plan is not None:
        table1 = next(t for t in tables if t[0][:3] == ["类别", "目标", "创建单位"])
        home = home_plan_table(data, dt.date.fromisoformat(as_of))
        assert table1[-1][1:3] == ["—" if plan["candidates"]["target"] is None
                                   else str(plan["candidates"]["target"]),
                                   str(plan["candidates"]["actual"])]
        assert table1[-1][4] == str(plan["demonstrations"]["actual"])
        by_name = {row[0]: row for row in table1[1:-1]}
        assert set(by_name) == set(home)
        for name, (target, actual, demos) in home.items():
            assert by_name[name][1:3] == [target, actual] and by_name[name][4] == demos, name
        assert sum(int(a) for _t, a, _d in home.values()) == plan["candidates"]["actual"]
        assert sum(int(d) for _t, _a, d in home.values()) == plan["demonstrations"]["actual"]

    # 2. District duties: report --json = the annual report's table.
    duties = spec["duties"].get(str(year), {})
    if duties:
        table = next(t for t in tables if t[0][:3] == ["管理单位", "首次考评合格", "典型经验"])
        assert [r[1:4] for r in table[1:]] == [
            [str(d["first_passes"]), str(d["experiences"]), "完成" if d["met"] else "尚未完成"]
            for d in duties.values()]

    # 3. What is still to do: SPEC's due_year/overdue = the annual report's open list = the
    #    worklists' open rows = the calendars' open events.
    due = {i for i, s in spec["sites"].items() if s["due_year"] is not None and s["due_year"] <= year}
    overdue = set(spec["overdue"])
    assert overdue <= due
    open_table = next((t for t in tables if t[0][:3] == ["单位", "管理单位", "状态"]), [[]])
    assert {short_to_id[r[0]] for r in open_table[1:]} == due
    files = worklists_and_feeds(data, dt.date.fromisoformat(as_of), tmp_path / "site")
    listed_open: set[str] = set()
    listed_overdue: set[str] = set()
    for path, file in files.items():
        if not (path.endswith(".docx") and "/unit-" in path):
            continue
        for table in docx_tables(file):
            if table[0][0] != "序号":
                continue
            for row in table[1:]:
                ident = full_to_id[row[1].split("\n")[0]]
                if not row[5].startswith("已考评"):
                    listed_open.add(ident)
                if row[5].startswith("逾期"):
                    listed_overdue.add(ident)
    assert listed_open == due and listed_overdue == overdue
    _cal, events = events_icalendar(files["calendar/programme.ics"].read_bytes())
    evaluations = [e for e in events if e.uid.startswith("eval-")]
    assert {full_to_id[description_field(e, "单位")] for e in evaluations
            if not e.summary.startswith("【已")} == due
    assert {full_to_id[description_field(e, "单位")] for e in evaluations
            if e.summary.startswith("【逾期")} == overdue

    # 4. The same year told years later, from the full data, is the same story.
    later = report_json(sources[dataset], FINAL_AS_OF)["years"][str(year)]
    now = spec["years"][str(year)]
    for key in HISTORY_KEYS:
        assert later[key] == now[key], key
    assert later["finished"] and not now["finished"]
    if plan is not None:
        assert now["plan"] == plan  # the years' plan is report --json's plan
