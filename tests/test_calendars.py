"""Worklists and calendars of an internal build (issue 21 items 3 and 4, SPEC §6): every
.ics read by icalendar and by ical (a second, independent parser); its evaluation events are
the rows of the matching worklist (read from the .docx with python-docx); UIDs stay the
same across builds and reference dates; rebuilds are byte-identical."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from office_support import (
    Ev,
    description_field,
    docx_facts,
    docx_tables,
    events_ical,
    events_icalendar,
    pdf_tagged,
    pdffonts,
)
from test_site_support import AS_OF, SAMPLE, build_ok, run_cli

from generator.base.pinyin import pinyin_slug

TASK_KINDS = ("首次考评", "第二次考评", "年检")


@pytest.fixture(scope="module")
def internal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_ok(SAMPLE, tmp_path_factory.mktemp("internal") / "site", audience="internal",
                    pdf=True)


@pytest.fixture(scope="module")
def report() -> dict:
    result = run_cli("report", "--data", str(SAMPLE), "--as-of", AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def taxonomy_units() -> list[str]:
    import yaml

    return list(yaml.safe_load((SAMPLE / "taxonomy.yml").read_text(encoding="utf-8"))["units"])


def sample_sites() -> dict[str, dict]:
    import yaml

    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in (SAMPLE / "sites").rglob("*.yml")}


def worklist_rows(path: Path) -> Counter[tuple[str, str]]:
    """(site's full name, task) of every row of a worklist's tables."""
    rows: Counter[tuple[str, str]] = Counter()
    for table in docx_tables(path):
        if table[0][0] != "序号":
            continue
        for row in table[1:]:
            rows[(row[1].split("\n")[0], row[3])] += 1
    return rows


def evaluation_events(events: list[Ev]) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for ev in events:
        if ev.uid.startswith("eval-"):
            kind = description_field(ev, "考评事项").split("（")[0]
            out[(description_field(ev, "单位"), kind)] += 1
    return out


def test_every_unit_and_supervisor_has_its_list_and_feed(internal: Path) -> None:
    sites = sample_sites()
    supervisors = {s["contacts"]["supervisor"]["name"] for s in sites.values()
                   if s.get("contacts", {}).get("supervisor")}
    expected = {f"unit-{u}" for u in taxonomy_units()} | {f"supervisor-{pinyin_slug(n)}" for n in supervisors}
    assert len(expected) == len(taxonomy_units()) + len(supervisors)  # no two names share a pinyin here
    for suffix in ("pdf", "docx"):
        assert {p.stem for p in (internal / "worklists").glob(f"*.{suffix}")} == expected
    assert {p.stem for p in (internal / "calendar").glob("*.ics")} == expected | {"programme"}

    assert (internal / "calendar" / "index.html").is_file()
    assert (internal / "worklists" / "index.html").is_file()


def test_both_parsers_read_every_feed_alike(internal: Path) -> None:
    stamp = dt.datetime.fromisoformat(AS_OF).replace(tzinfo=dt.UTC)
    for feed in sorted((internal / "calendar").glob("*.ics")):
        data = feed.read_bytes()
        cal, first = events_icalendar(data)
        second = events_ical(data)
        assert first, feed.name  # every feed has the plan milestones at least
        key = lambda e: e.uid  # noqa: E731
        assert sorted(first, key=key) == sorted(second, key=key), feed.name
        assert len({e.uid for e in first}) == len(first), f"{feed.name}: UIDs repeat"
        for ev in first:
            assert type(ev.start) is dt.date and ev.end == ev.start + dt.timedelta(days=1)
        for component in cal.walk("VEVENT"):
            assert component.decoded("DTSTAMP") == stamp
        text = data.decode("utf-8")
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in text
        assert "X-PUBLISHED-TTL:PT12H" in text and "VALUE=DATE:" in text


def test_the_events_are_the_rows_of_the_worklists(internal: Path, report: dict) -> None:
    units = taxonomy_units()
    all_rows: Counter[tuple[str, str]] = Counter()
    for path in sorted((internal / "worklists").glob("*.docx")):
        rows = worklist_rows(path)
        _cal, events = events_icalendar((internal / "calendar" / f"{path.stem}.ics").read_bytes())
        assert evaluation_events(events) == rows, path.name
        if path.stem.startswith("unit-"):
            all_rows += rows
    _cal, programme = events_icalendar((internal / "calendar" / "programme.ics").read_bytes())
    assert evaluation_events(programme) == all_rows
    # Open rows are exactly report --json's sites due this year or overdue.
    year = int(AS_OF[:4])
    sites = sample_sites()
    due = {sites[i]["name"] for i, s in report["sites"].items()
           if s["due_year"] is not None and s["due_year"] <= year}
    open_events = {description_field(e, "单位") for e in programme
                   if e.uid.startswith("eval-") and not e.summary.startswith("【已")}
    assert open_events == due
    overdue = {description_field(e, "单位") for e in programme if e.summary.startswith("【逾期")}
    assert overdue == {sites[i]["name"] for i in report["overdue"]}
    plans = [p for p in (SAMPLE / "plans").glob("*.yml")]
    import yaml

    milestones = sum(len(yaml.safe_load(p.read_text(encoding="utf-8")).get("milestones") or [])
                     for p in plans)
    assert sum(1 for e in programme if e.uid.startswith("plan-")) == milestones
    assert len(units) == len(list((internal / "worklists").glob("unit-*.docx")))


def test_worklist_documents_are_printable_and_editable(internal: Path) -> None:
    pdf = internal / "worklists" / "unit-wuling.pdf"
    assert pdf_tagged(pdf) and all(embedded for _n, embedded in pdffonts(pdf))
    facts = docx_facts(internal / "worklists" / "unit-wuling.docx")
    assert facts.page_mm == (210.0, 297.0) and facts.margins_mm[0] == 37.0
    assert facts.toc_fields == 1
    assert not facts.runs_without_east_asian_font and not facts.tables_width_mismatch


def test_uids_stay_and_rebuilds_are_byte_identical(internal: Path, tmp_path: Path) -> None:
    """The same data a fortnight later: the same events keep their UIDs (only DTSTAMP
    moves); with the same reference date every file is the same to the byte."""
    same = build_ok(SAMPLE, tmp_path / "same", audience="internal", pdf=True)
    for folder in ("calendar", "worklists"):
        for path in sorted((internal / folder).iterdir()):
            if path.suffix in (".ics", ".pdf", ".docx"):
                assert (same / folder / path.name).read_bytes() == path.read_bytes(), path.name
    for path in sorted((internal / "reports").rglob("annual-*")):
        assert (same / path.relative_to(internal)).read_bytes() == path.read_bytes(), path.name
    later = build_ok(SAMPLE, tmp_path / "later", audience="internal", as_of="2026-12-12")
    # A quick build (--no-pdf) leaves out the compilations' (SPEC §3) and the printable
    # guide's PDFs only: every worklist and annual report has its PDF beside its Word file,
    # and the pages link both.
    made = {p.relative_to(later).as_posix() for p in later.rglob("*.pdf")}
    assert made == {p.relative_to(internal).as_posix() for p in internal.rglob("*.pdf")
                    if p.parent.name not in ("compilations", "guide")}
    assert not list((later / "compilations").glob("*.pdf"))
    for suffix in ("pdf", "docx"):
        assert {p.name for p in (later / "worklists").glob(f"*.{suffix}")} == \
            {p.name for p in (internal / "worklists").glob(f"*.{suffix}")}
    page = (later / "worklists" / "index.html").read_text(encoding="utf-8")
    assert all(f"{p.stem}.pdf" in page and f"{p.stem}.docx" in page for p in (later / "worklists").glob("*.pdf"))
    assert all(pdf_tagged(p) for p in sorted((later / "worklists").glob("*.pdf"))[:3])
    before = {e.uid: e for e in events_icalendar((internal / "calendar" / "programme.ics").read_bytes())[1]}
    after = {e.uid: e for e in events_icalendar((later / "calendar" / "programme.ics").read_bytes())[1]}
    assert before.keys() == after.keys()
    assert all(before[u].summary == after[u].summary for u in before)


def test_slugs_are_pinyin_and_never_collide(tmp_path: Path) -> None:
    """Two supervisors whose names share a pinyin (杨帆, 杨凡) get two lists."""
    import shutil

    from test_site_support import MINIMAL

    data = tmp_path / "data"
    shutil.copytree(MINIMAL, data)
    for ident, name in (("ceshi-yi-cun", "杨帆"), ("ceshi-er-cun", "杨凡")):
        (data / "sites" / "2026" / f"{ident}.yml").write_text(
            f"name: 中共山北县测试{ident}委员会\ncategory: rural\nunit: shanbei\nbatch: 2026\n"
            f"summary: 测试用。\ncontacts:\n  supervisor:\n    name: {name}\n", encoding="utf-8")
    site = build_ok(data, tmp_path / "site", audience="internal")
    names = {p.stem for p in (site / "worklists").glob("supervisor-*.docx")}
    assert {"supervisor-yang-fan", "supervisor-yang-fan-2"} <= names
    labels = {p.stem: docx_tables(p) for p in (site / "worklists").glob("supervisor-yang-fan*.docx")}
    assert len(labels) == 2
