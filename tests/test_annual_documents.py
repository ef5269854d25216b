"""The annual report, the status report and the compilation as Word files and PDFs (issue 21
items 1, 2, 5), read back with python-docx, LibreOffice headless (→ PDF → pdftotext) and
poppler. The numbers expected in them come from ``showcase report --json`` (SPEC §3), not
from the code that writes the documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from office_support import (
    convert_with_libreoffice,
    docx_facts,
    docx_tables,
    docx_text,
    pdf_pages,
    pdf_tagged,
    pdffonts,
    squashed_text,
)
from test_site_support import AS_OF, SAMPLE, cached_build, run_cli

YEAR = "2025"
SECTIONS = ["一、年度规划完成情况", "二、新确定的创建单位", "三、年度考评结果", "四、年末考评逾期情况",
            "五、区县职责完成情况", "六、典型经验", "七、退出创建的单位"]


@pytest.fixture(scope="module")
def report_json() -> dict:
    result = run_cli("report", "--data", str(SAMPLE), "--as-of", AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def annual(tmp: Path, audience: str = "public", *extra: str) -> Path:
    out = tmp / f"annual-{audience}"
    result = run_cli("annual", YEAR, "--data", str(SAMPLE), "--as-of", AS_OF, "--audience", audience,
                     "--out", str(out), *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == [str(out / f"annual-{YEAR}.pdf"), str(out / f"annual-{YEAR}.docx")]
    return out


@pytest.fixture(scope="module")
def public_annual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return annual(tmp_path_factory.mktemp("annual"))


@pytest.fixture(scope="module")
def internal_annual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return annual(tmp_path_factory.mktemp("annual"), "internal")


def test_the_word_file_has_the_office_page_fonts_and_structure(public_annual: Path,
                                                              report_json: dict) -> None:
    facts = docx_facts(public_annual / f"annual-{YEAR}.docx")
    # GB/T 9704-2012: A4; top 37 mm, left 28 mm; text block 156 × 225 mm; 22 lines.
    assert facts.page_mm == (210.0, 297.0)
    top, right, bottom, left = facts.margins_mm
    assert (top, left) == (37.0, 28.0)
    assert round(210 - left - right) == 156 and round(297 - top - bottom) == 225
    assert facts.grid.get("linePitch") == "579" and facts.grid.get("type") in ("lines", "linesAndChars")
    # Every run names its East Asian font; the theme is Chinese, never a Japanese fallback.
    assert facts.runs > 100 and not facts.runs_without_east_asian_font
    assert facts.theme_east_asian and all(facts.theme_east_asian)
    assert "Jpan" not in facts.theme_scripts and "Hans" in facts.theme_scripts
    assert facts.theme_lang_east_asia == "zh-CN"
    assert facts.styles_fonts["Title"] == "方正小标宋简体"
    assert facts.styles_fonts["Normal"] == "仿宋_GB2312"
    assert facts.styles_fonts["Heading1"] == "黑体" and facts.styles_fonts["Heading2"] == "楷体_GB2312"
    # Headings, the contents field (refreshed on opening), the tables for Word and WPS.
    assert [text for style, text in facts.headings if style == "Heading1"] == SECTIONS
    assert facts.toc_fields == 1 and facts.update_fields
    # One table a section that has something to list (report --json's year), three for the
    # experiences (by theme, by level, the list).
    year = report_json["years"][YEAR]
    expected = (1 + bool(year["new_unit_count"]) + bool(any(year["outcomes"].values()))
                + bool(year["open"]) + bool(year["duties"]) + 3 * bool(year["experiences"]["count"])
                + bool(year["left"]))
    assert facts.tables == expected
    assert not facts.tables_without_grid and not facts.tables_width_mismatch
    assert facts.pictures == 1 and all(w <= 156 for w in facts.picture_widths_mm)  # the chart
    assert facts.footer_page_fields >= 2  # odd and even pages


def test_the_numbers_are_those_of_the_report(public_annual: Path, report_json: dict) -> None:
    """Table 1 holds report --json's plan figures, table 5 its district duties."""
    tables = docx_tables(public_annual / f"annual-{YEAR}.docx")
    plan = report_json["plans"][YEAR]
    plan_table = next(t for t in tables if t[0][:3] == ["类别", "目标", "创建单位"])
    total = plan_table[-1]
    assert total[0] == "合计"
    assert total[1:3] == [str(plan["candidates"]["target"]), str(plan["candidates"]["actual"])]
    assert total[4] == str(plan["demonstrations"]["actual"])
    assert len(plan_table) == 2 + len(plan["by_category"])
    for row, (key, q) in zip(plan_table[1:-1], plan["by_category"].items(), strict=True):
        assert row[1:3] == ["—" if q["target"] is None else str(q["target"]), str(q["actual"])], key
    duties = next(t for t in tables if t[0][:3] == ["管理单位", "首次考评合格", "典型经验"])
    expected = report_json["duties"][YEAR]
    assert len(duties) - 1 == len(expected)
    for row, duty in zip(duties[1:], expected.values(), strict=True):
        assert row[1:4] == [str(duty["first_passes"]), str(duty["experiences"]),
                            "完成" if duty["met"] else "未完成"]


def test_libreoffice_opens_and_prints_it(public_annual: Path, report_json: dict,
                                         tmp_path: Path) -> None:
    pdf = convert_with_libreoffice(public_annual / f"annual-{YEAR}.docx", tmp_path)
    text = squashed_text(pdf)
    plan = report_json["plans"][YEAR]
    assert f"{YEAR}年计划确定创建单位{plan['candidates']['target']}个" in text
    assert f"实际确定创建单位{plan['candidates']['actual']}个" in text
    for title in SECTIONS:
        assert title in text
    assert 5 <= pdf_pages(pdf) <= 20


def test_the_pdf_is_tagged_with_its_fonts_embedded(public_annual: Path, report_json: dict) -> None:
    pdf = public_annual / f"annual-{YEAR}.pdf"
    assert pdf_tagged(pdf)
    fonts = pdffonts(pdf)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    text = squashed_text(pdf)
    plan = report_json["plans"][YEAR]
    assert f"实际确定创建单位{plan['candidates']['actual']}个" in text
    assert 4 <= pdf_pages(pdf) <= 20


def test_the_internal_version_adds_what_is_private(public_annual: Path, internal_annual: Path) -> None:
    public = docx_text(public_annual / f"annual-{YEAR}.docx")
    internal = docx_text(internal_annual / f"annual-{YEAR}.docx")
    for heading in ("八、以奖代投", "考评人及意见", "督查指导员、联络员", "内部资料"):
        assert heading in internal and heading not in public
    assert "0736-" in internal and "0736-" not in public  # phones of the overdue sites


def test_two_runs_give_the_same_bytes(public_annual: Path, tmp_path: Path) -> None:
    again = annual(tmp_path)
    for name in (f"annual-{YEAR}.pdf", f"annual-{YEAR}.docx"):
        assert (again / name).read_bytes() == (public_annual / name).read_bytes(), name


def test_report_format_writes_the_current_state(tmp_path: Path, report_json: dict) -> None:
    out = tmp_path / "report"
    result = run_cli("report", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "pdf,docx",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    docx = out / f"report-{AS_OF}.docx"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        [f"report-{AS_OF}.docx", f"report-{AS_OF}.pdf"]
    tables = docx_tables(docx)
    counts = next(t for t in tables if t[0] == ["状态", "数量"])
    assert counts[-1] == ["合计", str(len(report_json["sites"]))]
    assert sum(int(r[1]) for r in counts[1:-1]) == len(report_json["sites"])
    overdue = next(t for t in tables if t[0][:2] == ["单位", "管理单位"])
    assert len(overdue) - 1 == len(report_json["overdue"])
    assert docx_facts(docx).toc_fields == 1
    assert pdf_tagged(out / f"report-{AS_OF}.pdf")


def test_mistakes_get_chinese_messages_and_touch_nothing(tmp_path: Path) -> None:
    bad = run_cli("annual", "二〇二五", "--data", str(SAMPLE), "--out", str(tmp_path / "a"))
    assert bad.returncode == 2 and "年份" in bad.stderr and "Traceback" not in bad.stderr
    future = run_cli("annual", "2030", "--data", str(SAMPLE), "--as-of", AS_OF,
                     "--out", str(tmp_path / "a"))
    assert future.returncode == 1 and "2030" in future.stderr
    fmt = run_cli("annual", YEAR, "--data", str(SAMPLE), "--format", "doc", "--out", str(tmp_path / "a"))
    assert fmt.returncode == 2 and "--format" in fmt.stderr
    assert not (tmp_path / "a").exists()
    # A folder another command made is refused (the output guard's marker).
    compiled = tmp_path / "compiled"
    made = run_cli("compile", "--data", str(SAMPLE), "--out", str(compiled))
    assert made.returncode == 0, made.stderr
    before = sorted(p.name for p in compiled.iterdir())
    refused = run_cli("annual", YEAR, "--data", str(SAMPLE), "--as-of", AS_OF, "--out", str(compiled))
    assert refused.returncode == 2 and "showcase compile" in refused.stderr
    assert sorted(p.name for p in compiled.iterdir()) == before
    inside = run_cli("annual", YEAR, "--data", str(SAMPLE), "--out", str(SAMPLE / "out"))
    assert inside.returncode == 2 and not (SAMPLE / "out").exists()


def test_the_compilation_as_a_word_file(tmp_path: Path) -> None:
    """Built beside its PDF: one chapter a page for each experience the PDF holds, photos at
    print size inside the text block with captions, and LibreOffice prints it."""
    from test_site_support import build

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    # A compiled experience (2025) with a photo in its body and one in its photo list.
    record = data / "experiences" / "2025" / "chayuanping-zeren-chayuan.yml"
    text = record.read_text(encoding="utf-8").rstrip("\n")
    assert text.splitlines()[-1].startswith("  ") and "photos:" not in text  # body is last
    record.write_text(text + "\n\n  ![茶园里的党员责任区标牌](photos/chayuanping-chayuan.jpg)\n"
                      "photos:\n  - file: photos/daoyuan-daotian.jpg\n    caption: 道源村的稻田\n"
                      "    alt: 党员在稻田里查看长势\n", encoding="utf-8")
    out = tmp_path / "site"
    result = build(data, out, pdf=True)
    assert result.returncode == 0, result.stderr
    docx = next((out / "compilations").glob("*.docx"))
    pdf = docx.with_suffix(".pdf")
    assert pdf.is_file()
    facts = docx_facts(docx)
    chapters = [text for style, text in facts.headings if style == "ChapterTitle"]
    page = (out / "compilations" / docx.stem / "index.html").read_text(encoding="utf-8")
    assert chapters and all(title.split("——")[0][:8] in page for title in chapters)
    assert facts.toc_fields == 1 and not facts.runs_without_east_asian_font
    assert facts.pictures == 2 and all(w <= 156 for w in facts.picture_widths_mm)
    assert facts.qr_codes == len(chapters)  # each chapter leads back to its page
    words = docx_text(docx)
    assert "道源村的稻田" in words and "茶园里的党员责任区标牌" in words  # the captions
    assert facts.page_mm == (210.0, 297.0) and facts.margins_mm[0] == 37.0
    printed = convert_with_libreoffice(docx, tmp_path / "lo")
    text = squashed_text(printed)
    assert all(title.replace(" ", "")[:10] in text for title in chapters)
    assert len(chapters) <= pdf_pages(printed) <= 8 * len(chapters) + 6


def test_every_build_publishes_the_annual_reports(tmp_path_factory: pytest.TempPathFactory,
                                                  report_json: dict) -> None:
    """SPEC §6: every build — a quick ``--no-pdf`` one too, which leaves out the
    compilations' PDFs only (§3) — publishes each finished plan year's report as a page
    with its PDF and .docx beside it, and the pages link both."""
    site = cached_build(tmp_path_factory, SAMPLE)  # public, --no-pdf
    years = [y for y in report_json["plans"] if int(y) < int(AS_OF[:4])]
    assert years
    index = (site / "reports" / "index.html").read_text(encoding="utf-8")
    for year in years:
        folder = site / "reports" / year
        pdf, docx = folder / f"annual-{year}.pdf", folder / f"annual-{year}.docx"
        assert pdf.is_file() and docx.is_file()
        assert pdf_tagged(pdf) and all(embedded for _n, embedded in pdffonts(pdf))
        assert f"{year}年" in squashed_text(pdf)
        page = (folder / "index.html").read_text(encoding="utf-8")
        assert f"annual-{year}.pdf" in page and f"annual-{year}.docx" in page
        assert f"{year}/annual-{year}.pdf" in index
    assert not list(site.glob("compilations/*.pdf"))
