"""Spreadsheet-safe outputs (SPEC §5): text that begins like a formula is never a formula in
the CSV files or the workbooks the project writes; JSON keeps the raw value."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from conftest import copy_minimal
from openpyxl import load_workbook
from test_site_support import run_cli

from generator.base.formula_guard import FORMULA_PREFIXES, csv_cell, looks_like_formula
from generator.data import loader
from generator.rules.facts import derive
from generator.site.sitegen import Options, generate

SITE = "sites/2025/chengnan-hongqi-cun.yml"
EXPERIENCE = "experiences/2025/hexi-lianmeng-gongjian.yml"
NAME = '=HYPERLINK("http://evil.example/","点我")'
SHORT = "+86 0736 1234567"
SUMMARY = "-2 分：@SUM(1+1) 仍是文字"
TITLE = "=cmd|' /C calc'!A0"
AUTHOR = "@某某单位"
TAB = "\t=1+1"


def _set(path: Path, key: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    quoted = json.dumps(value, ensure_ascii=False)
    out = [f"{key}: {quoted}" if line.startswith(f"{key}:") else line for line in lines]
    if f"{key}: {quoted}" not in out:
        out.append(f"{key}: {quoted}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    data = copy_minimal(tmp_path)
    _set(data / SITE, "name", NAME)
    _set(data / SITE, "short_name", SHORT)
    _set(data / SITE, "summary", SUMMARY)
    _set(data / EXPERIENCE, "title", TITLE)
    _set(data / EXPERIENCE, "author", AUTHOR)
    _set(data / EXPERIENCE, "summary", TAB)
    loaded = loader.load(data)
    assert loaded.ok, [str(p) for p in loaded.problems]
    return data


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_cells_that_look_like_formulas_get_an_apostrophe(hostile: Path) -> None:
    data = loader.load(hostile)
    site = generate(data, derive(data, dt.date(2026, 11, 28)), Options())
    sites = {r["id"]: r for r in _rows(site.pages["data/sites.csv"])}
    row = sites["chengnan-hongqi-cun"]
    assert row["name"] == "'" + NAME
    assert row["short_name"] == "'" + SHORT
    assert row["summary"] == "'" + SUMMARY
    experiences = {r["id"]: r for r in _rows(site.pages["data/experiences.csv"])}
    exp = experiences["hexi-lianmeng-gongjian"]
    assert exp["title"] == "'" + TITLE and exp["author"] == "'" + AUTHOR
    assert exp["summary"] == "'" + TAB
    for text in (site.pages["data/sites.csv"], site.pages["data/experiences.csv"]):
        for record in _rows(text):
            for value in record.values():
                assert not looks_like_formula(value), value


def test_json_keeps_the_raw_values(hostile: Path) -> None:
    data = loader.load(hostile)
    site = generate(data, derive(data, dt.date(2026, 11, 28)), Options())
    sites = {r["id"]: r for r in json.loads(site.pages["data/sites.json"])}
    assert sites["chengnan-hongqi-cun"]["name"] == NAME
    assert sites["chengnan-hongqi-cun"]["summary"] == SUMMARY
    experiences = {r["id"]: r for r in json.loads(site.pages["data/experiences.json"])}
    assert experiences["hexi-lianmeng-gongjian"]["title"] == TITLE


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_exported_workbooks_hold_text_never_formulas(hostile: Path, tmp_path: Path,
                                                     audience: str) -> None:
    out = tmp_path / f"export-{audience}.xlsx"
    result = run_cli("export", str(out), "--data", str(hostile), "--audience", audience,
                     "--as-of", "2026-11-28")
    assert result.returncode == 0, result.stderr
    template = tmp_path / "template.xlsx"
    assert run_cli("export", str(template), "--template", "--data", str(hostile)).returncode == 0
    for path in (out, template):
        book = load_workbook(path)
        texts = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate,
                                                   cell.value)
                    if isinstance(cell.value, str):
                        texts.append(cell.value)
                        if looks_like_formula(cell.value):
                            assert cell.quotePrefix, (sheet.title, cell.coordinate)
        if path == out:
            assert NAME in texts and SHORT in texts  # the text itself, unchanged


def test_every_prefix_is_neutralised() -> None:
    for prefix in FORMULA_PREFIXES:
        assert csv_cell(prefix + "x") == "'" + prefix + "x"
    assert csv_cell("普通文字") == "普通文字" and csv_cell(-5) == -5 and csv_cell(None) is None


def test_the_open_data_page_says_what_was_done(hostile: Path) -> None:
    data = loader.load(hostile)
    page = generate(data, derive(data, dt.date(2026, 11, 28)), Options()).pages["data/index.md"]
    assert "单引号" in page and "JSON" in page
