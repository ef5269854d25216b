"""Clean text in, well-formed text out (SPEC §5 "Text"): refused characters are located
validation errors; terminal output never carries the data's escape sequences; hidden
markup never reaches a plain-text output; whatever ``validate`` accepts makes a well-formed
feed, JSON, CSV and workbook."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from conftest import MINIMAL, copy_minimal, run_showcase
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_site_support import build_ok, readable_text

from generator.base.formula_guard import looks_like_formula
from generator.data import loader
from generator.rules.facts import derive
from generator.site.sitegen import Options, generate
from generator.staff.spreadsheet import export_workbook

AS_OF = dt.date(2026, 11, 28)
SITE = "sites/2025/chengnan-hongqi-cun.yml"
EXPERIENCE = "experiences/2025/hexi-lianmeng-gongjian.yml"
ESC = "\x1b]0;已被篡改\x07\x1b[2J"


def test_validate_never_prints_the_datas_escape_sequences(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    (data / "sites" / "2025" / f"{ESC}.yml").write_text("name: x\n", encoding="utf-8")
    result = run_showcase("validate", "--data", str(data))
    assert result.returncode == 1
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
    assert "<U+001B>" in result.stdout  # the character is shown, harmlessly


def test_import_never_prints_a_cells_escape_sequences(tmp_path: Path) -> None:
    # A workbook cannot hold ESC (XML forbids it) but it can hold the 8-bit CSI (U+009B),
    # which many terminals obey like ESC [.
    book = openpyxl.Workbook()
    book.active.append(["单位id", "年度", "结果"])
    book.active.append(["\x9b2J\x9b31m红旗村", 2026, "合格"])
    path = tmp_path / "考评.xlsx"
    book.save(path)
    result = run_showcase("import", "evaluations", str(path), "--data", str(MINIMAL))
    assert result.returncode == 1
    assert "\x9b" not in result.stdout + result.stderr and "<U+009B>" in result.stderr


COMMENT = "<!-- 内部意见：此处暂不公开 -->"
HIDDEN = '<span style="display:none">隐藏的话</span>'


@pytest.fixture(scope="module")
def commented(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The minimal data with an HTML comment and hidden markup in record Markdown (a site's
    profile, an experience's summary and body), built publicly with its PDF."""
    root = tmp_path_factory.mktemp("commented")
    data = root / "minimal"
    shutil.copytree(MINIMAL, data)
    site = data / SITE
    site.write_text(site.read_text(encoding="utf-8") + f"profile: |\n  基本情况。{COMMENT}\n\n"
                    f"  {HIDDEN}\n", encoding="utf-8")
    exp = data / "experiences" / "2024" / "taohua-jifen-guanli"
    _write(exp.with_suffix(".yml"), "summary", f"{COMMENT}桃花村把党员日常表现量化为积分。")
    body = exp.with_suffix(".md")
    body.write_text(body.read_text(encoding="utf-8") + f"\n{COMMENT}\n\n{HIDDEN}\n",
                    encoding="utf-8")
    assert loader.load(data).ok
    site_dir = build_ok(data, root / "site", pdf=True)
    return data, site_dir


def test_comments_and_hidden_markup_reach_no_plain_text_output(
        commented: tuple[Path, Path]) -> None:
    _data, site = commented
    outputs = [site / "data" / name for name in
               ("sites.json", "sites.csv", "experiences.json", "experiences.csv")]
    outputs += [site / "feed.xml", *sorted((site / "search").rglob("*.json"))]
    outputs += sorted((site / "compilations").glob("*.pdf"))
    assert any(p.suffix == ".pdf" for p in outputs)
    for path in outputs:
        text = readable_text(path)
        assert "内部意见" not in text and "此处暂不公开" not in text, path
        assert "<span" not in text and "display:none" not in text, path
    sites = json.loads((site / "data" / "sites.json").read_text(encoding="utf-8"))
    profile = next(r for r in sites if r["id"] == "chengnan-hongqi-cun")["profile"]
    assert "基本情况。" in profile and "隐藏的话" in profile  # the visible text stays


# ---------------------------------------------------------------- the whole Unicode range

any_text = st.text(st.characters(codec="utf-8"), max_size=40)
printable_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
                         min_size=1, max_size=40)
texts = any_text | printable_text | st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\x01", "\u202e", "<!--", "\x1b", "|", "#"]),
    printable_text)


def _write(path: Path, key: str, value: str) -> None:
    """Set a top-level key to ``value`` (double-quoted), dropping its old value and any
    indented lines that belonged to it."""
    kept: list[str] = []
    skipping = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{key}:"):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "-")) or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    quoted = json.dumps(value, ensure_ascii=False)
    path.write_text("\n".join([*kept, f"{key}: {quoted}"]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def fuzz_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("text-fuzz") / "minimal"
    shutil.copytree(MINIMAL, target)
    return target


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=texts, summary=texts, title=texts, body=texts)
def test_any_text_is_either_a_located_error_or_well_formed_output(
        fuzz_data: Path, name: str, summary: str, title: str, body: str) -> None:
    site, exp = fuzz_data / SITE, fuzz_data / EXPERIENCE
    originals = {p: p.read_bytes() for p in (site, exp)}
    try:
        _write(site, "name", name)
        _write(site, "summary", summary)
        _write(exp, "title", title)
        _write(exp, "body", body)
        data = loader.load(fuzz_data)
    finally:
        for path, raw in originals.items():
            path.write_bytes(raw)
    event("rejected" if not data.ok else "accepted")
    if not data.ok:
        for p in data.errors:
            assert p.path.startswith("minimal/") and p.line >= 1 and p.col >= 1
            assert any("\u4e00" <= c <= "\u9fff" for c in p.message), p.message
        return
    out = generate(data, derive(data, AS_OF), Options())
    ET.fromstring(out.pages["feed.xml"].encode("utf-8"))
    for name_ in ("data/sites.json", "data/experiences.json"):
        json.loads(out.pages[name_])
    for name_ in ("data/sites.csv", "data/experiences.csv"):
        for row in csv.reader(io.StringIO(out.pages[name_].lstrip("\ufeff"))):
            assert not any(looks_like_formula(cell) for cell in row), row
    book_path = fuzz_data.parent / "fuzz.xlsx"
    export_workbook(data, derive(data, AS_OF), "internal", book_path)
    book = openpyxl.load_workbook(book_path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_zero_width_characters_may_stay_in_running_text(tmp_path: Path) -> None:
    """…where they are harmless (a zero-width joiner holds an emoji together); only names,
    ids and keys refuse them (tests/fixtures/invalid/zero-width-*)."""
    data = tmp_path / "minimal"
    shutil.copytree(MINIMAL, data)
    site = next((data / "sites").rglob("*.yml"))
    text = site.read_text(encoding="utf-8")
    site.write_text(text + "features:\n  - \"志愿服务👨\u200d👩\u200d👧队\"\nprofile: \"长句\u200b中的零宽空格\"\n",
                    encoding="utf-8")
    data_set = loader.load(data)
    assert data_set.ok, [str(p) for p in data_set.problems]
