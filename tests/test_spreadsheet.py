"""``showcase import evaluations`` and ``showcase export``: round trip, refusals, workbooks."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import importlib.util
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES, MINIMAL, REPO, copy_minimal, run_showcase

from generator.staff.evalsheet import TEMPLATE_HEADERS
from generator.staff.roundtrip import SpliceError, append_entries

XLSX = FIXTURES / "xlsx"
AS_OF = "2028-01-15"


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _only_added(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if anything else changed."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        assert op in ("equal", "insert"), f"{op}: {a[i1:i2]!r} → {b[j1:j2]!r}"
        if op == "insert":
            added += b[j1:j2]
    return added


def _workbook(path: Path, rows: list[list[object]], header: list[str] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header or TEMPLATE_HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# ---------------------------------------------------------------- fixtures stay in sync

def test_xlsx_fixtures_match_their_script(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_xlsx", XLSX / "make.py")
    assert spec and spec.loader
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    for name, writer in (("three-rows.xlsx", make.good), ("bad-rows.xlsx", make.bad)):
        writer(tmp_path / name)
        fresh = [list(r) for r in openpyxl.load_workbook(tmp_path / name).active.values]
        stored = [list(r) for r in openpyxl.load_workbook(XLSX / name).active.values]
        assert fresh == stored, name


# ---------------------------------------------------------------- import: round trip

def test_import_keeps_commented_files_byte_identical_except_added_lines(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    # Make one target as hostile as staff files get: CRLF, BOM, comments inside the list.
    hongqi = data / "sites" / "2025" / "chengnan-hongqi-cun.yml"
    text = hongqi.read_text(encoding="utf-8")
    text = text.replace("evaluations:\n", "evaluations:   # 考评记录（按年度）\n", 1)
    text = text.replace("\n  - year: 2025", "\n  # 首次考评\n  - year: 2025", 1)
    hongqi.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    targets = {
        "shanbei-wangjia-cun": data / "sites" / "2026" / "shanbei-wangjia-cun.yml",
        "chengnan-hongqi-cun": hongqi,
        "chengnan-taohua-cun": data / "sites" / "2024" / "chengnan-taohua-cun.yml",
    }
    before = {k: p.read_bytes() for k, p in targets.items()}
    untouched = {k: v for k, v in _snapshot(data).items()
                 if not any(k.endswith(p.name) for p in targets.values())}

    preview = run_showcase("import", "evaluations", str(XLSX / "three-rows.xlsx"),
                           "--data", str(data), "--as-of", AS_OF)
    assert preview.returncode == 0, preview.stderr
    assert "创建单位 → 示范点" in preview.stdout          # wangjia: first evaluation passed
    assert "提高阶段 → 淘汰" in preview.stdout            # taohua: failed inspection
    assert "--apply" in preview.stdout
    assert {k: p.read_bytes() for k, p in targets.items()} == before  # a preview writes nothing

    done = run_showcase("import", "evaluations", str(XLSX / "three-rows.xlsx"),
                        "--data", str(data), "--as-of", AS_OF, "--apply")
    assert done.returncode == 0, done.stderr
    assert "数据检查通过" in done.stdout

    # Wangjia had no evaluations key: it is created at the end of the file.
    after = targets["shanbei-wangjia-cun"].read_bytes().decode("utf-8")
    added = _only_added(before["shanbei-wangjia-cun"].decode("utf-8"), after)
    assert added == ["evaluations:\n", "  - year: 2026\n", "    date: 2026-11-25\n",
                     "    result: pass\n", "    score: 87\n", "    evaluator: 市委组织部第二考评组\n",
                     "    remarks: “村民说事”机制运转良好。\n"]
    # Hongqi: BOM and CRLF kept, the comment lines kept, the entry added after the last one.
    raw = targets["chengnan-hongqi-cun"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\n" not in raw.replace(b"\r\n", b"")
    added = _only_added(before["chengnan-hongqi-cun"].decode("utf-8"), raw.decode("utf-8"))
    assert added[0] == "  - year: 2027\r\n" and "    result: excellent\r\n" in added
    assert "    remarks: |\r\n" in added and "      建议总结经验。\r\n" in added
    # Taohua: quoted because of “: ”.
    added = _only_added(before["chengnan-taohua-cun"].decode("utf-8"),
                        targets["chengnan-taohua-cun"].read_text(encoding="utf-8"))
    assert "    remarks: '积分制流于形式: 需整改'\n" in added and "    result: fail\n" in added

    # Nothing else changed, the data still validates, and the report agrees.
    now = _snapshot(data)
    assert {k: v for k, v in now.items() if k in untouched} == untouched
    assert run_showcase("validate", "--data", str(data)).returncode == 0
    report = json.loads(run_showcase("report", "--json", "--as-of", AS_OF,
                                     "--data", str(data)).stdout)
    assert report["sites"]["shanbei-wangjia-cun"]["status"] == "demonstration"
    assert report["sites"]["chengnan-taohua-cun"]["status"] == "eliminated"
    assert report["sites"]["chengnan-hongqi-cun"]["due_year"] == 2029


def test_bad_rows_are_named_by_row_and_nothing_is_applied(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    before = _snapshot(data)
    bad = XLSX / "bad-rows.xlsx"
    result = run_showcase("import", "evaluations", str(bad), "--data", str(data), "--apply")
    assert result.returncode == 1
    assert _snapshot(data) == before
    lines = result.stderr.splitlines()
    expected = {
        3: "早于创建批次 2026",
        4: "2025 年已有考评记录",
        6: "与第 5 行重复",
        7: "已经“淘汰”",
        8: "已经“未入选”",
        9: "是不是想写“chengnan-taohua-cun”",
        10: "找不到名称为“不存在的村”的示范点",
        11: "不是真实存在的日期",
        12: "结果“良好”不认识",
    }
    for row, text in expected.items():
        prefix = f"{bad}:第 {row} 行："
        assert any(line.startswith(prefix) and text in line for line in lines), (row, lines)
    assert not any(line.startswith(f"{bad}:第 5 行：") for line in lines)  # row 5 alone is fine
    assert "没有写入任何内容" in result.stderr


def test_one_bad_row_blocks_the_good_ones(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    before = _snapshot(data)
    book = _workbook(tmp_path / "mixed.xlsx", [
        ["shanbei-wangjia-cun", None, 2026, "2026-11-25", "合格", 80, None, None],
        ["chengnan-xingfu-shequ", None, 2026, "2026-13-01", "合格", None, None, None],
    ])
    result = run_showcase("import", "evaluations", str(book), "--data", str(data), "--apply")
    assert result.returncode == 1
    assert f"{book}:第 3 行：" in result.stderr and f"{book}:第 2 行：" not in result.stderr
    assert _snapshot(data) == before


def test_unknown_header_and_missing_columns(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    book = _workbook(tmp_path / "h.xlsx", [["shanbei-wangjia-cun", 2026, "合格", "好"]],
                     header=["单位id", "年度", "结果", "考评意件"])
    result = run_showcase("import", "evaluations", str(book), "--data", str(data))
    assert result.returncode == 1
    assert f"{book}:第 1 行：不认识的列名“考评意件”。是不是想写“考评意见”？" in result.stderr
    book = _workbook(tmp_path / "m.xlsx", [["x", 2026]], header=["单位名称", "年度"])
    result = run_showcase("import", "evaluations", str(book), "--data", str(data))
    assert "缺少“结果”列" in result.stderr


def test_evaluation_after_withdrawal_and_date_year_mismatch(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    book = _workbook(tmp_path / "w.xlsx", [
        ["shanbei-shiyan-xiaoxue", None, 2026, "2026-11-20", "合格", None, None, None],
        ["shanbei-wangjia-cun", None, 2026, "2024-11-20", "合格", None, None, None],
    ])
    result = run_showcase("import", "evaluations", str(book), "--data", str(data))
    assert result.returncode == 1
    assert f"{book}:第 2 行：" in result.stderr and "退出创建" in result.stderr
    assert f"{book}:第 3 行：考评日期 2024-11-20 与年度 2026 不符" in result.stderr


def test_not_a_workbook(tmp_path: Path) -> None:
    fake = tmp_path / "考评.xlsx"
    fake.write_text("序号,单位id\n", encoding="utf-8")
    result = run_showcase("import", "evaluations", str(fake), "--data", str(MINIMAL))
    assert result.returncode == 1 and "另存为" in result.stderr


# ---------------------------------------------------------------- splicing layouts

ENTRY = [{"year": 2026, "date": dt.date(2026, 11, 20), "result": "pass", "score": 88.0,
          "remarks": "有特色: 建议推广 #1"}]


@pytest.mark.parametrize(("source", "changed"), [
    ("name: x  # 名称\nevaluations:\n- year: 2024   # 首次\n  result: pass\n\n# 照片\nphotos: []\n", 0),
    ("name: x\nevaluations:\n    -   year: 2024\n        result: pass\ntags:\n  - a\n", 0),
    ("name: x\nevaluations:\n  - year: 2024\n    result: pass", 0),  # no final newline
    ("name: x\nevaluations:\ntags:\n- a\n", 0),
    ("\ufeffname: x\r\ntags:\r\n    - a\r\n# 结尾的注释\r\n", 0),
    ("name: x\nevaluations: []   # 暂无\ntags: [a]\n", 1),
    ("name: x\nevaluations: ~\n", 1),
])
def test_append_entries_layouts(source: str, changed: int) -> None:
    result = append_entries(source, "evaluations", ENTRY)
    a, b = source.splitlines(), result.splitlines()
    ops = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    assert sum(1 for op in ops if op[0] != "insert") == changed, ops
    assert ("\r\n" in result) == ("\r\n" in source)
    assert result.startswith("\ufeff") == source.startswith("\ufeff")
    assert "'有特色: 建议推广 #1'" in result


def test_append_entries_refuses_what_it_cannot_extend() -> None:
    with pytest.raises(SpliceError):
        append_entries("name: x\nevaluations: 无\n", "evaluations", ENTRY)
    with pytest.raises(SpliceError):
        append_entries("- a\n- b\n", "evaluations", ENTRY)


# ---------------------------------------------------------------- export

def _rows(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[dict[str, object]]:
    values = list(sheet.values)
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_export_matches_report(tmp_path: Path, audience: str) -> None:
    out = tmp_path / f"{audience}.xlsx"
    result = run_showcase("export", str(out), "--data", str(MINIMAL), "--as-of", "2027-01-15",
                          "--audience", audience)
    assert result.returncode == 0, result.stderr
    report = json.loads(run_showcase("report", "--json", "--as-of", "2027-01-15", "--data",
                                     str(MINIMAL)).stdout)
    # The report is the code's own figures: pin it to the fixture's README first, so that the
    # comparisons below cannot hold on empty or wrong data.
    assert {ident: state["status"] for ident, state in report["sites"].items()} == {
        "chengnan-taohua-cun": "improving", "chengnan-xingfu-shequ": "demonstration",
        "chengnan-hongqi-cun": "improving", "hexi-jinshan-qiye": "not_selected",
        "hexi-chuangxin-keji": "eliminated", "shanbei-wangjia-cun": "candidate",
        "shizhi-zhengwu-zhongxin": "demonstration", "shanbei-shiyan-xiaoxue": "withdrawn"}
    assert list(report["plans"]) == ["2025"]  # candidates 5 → 4, demonstrations 3 → 3
    assert (report["plans"]["2025"]["candidates"], report["plans"]["2025"]["demonstrations"]) == (
        {"target": 5, "actual": 4}, {"target": 3, "actual": 3})
    # Duties: 2024–2027 × chengnan, hexi, shanbei; met: chengnan 2024 and 2025, hexi 2025,
    # shanbei 2026.
    assert {(year, unit) for year, units in report["duties"].items()
            for unit, duty in units.items() if duty["met"]} == {
        ("2024", "chengnan"), ("2025", "chengnan"), ("2025", "hexi"), ("2026", "shanbei")}
    assert sum(len(units) for units in report["duties"].values()) == 12
    assert sorted(report["overdue"]) == ["chengnan-xingfu-shequ", "shanbei-wangjia-cun"]
    book = openpyxl.load_workbook(out)
    expected = ["概况", "示范点", "考评记录", "年度规划进度", "区县职责"]
    assert book.sheetnames == ([*expected, "逾期考评"] if audience == "internal" else expected)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert all(sheet.column_dimensions[c.column_letter].width for c in sheet[1])

    labels = {"candidate": "创建单位", "demonstration": "示范点", "not_selected": "未入选",
              "improving": "提高阶段", "eliminated": "淘汰", "withdrawn": "已退出"}
    sites = {row["id"]: row for row in _rows(book["示范点"])}
    assert set(sites) == set(report["sites"])
    for ident, state in report["sites"].items():
        assert sites[ident]["状态"] == labels[state["status"]]
        assert sites[ident]["应考评年度"] == state["due_year"]
        assert isinstance(sites[ident]["批次"], int)
        if audience == "internal":
            assert sites[ident]["考评逾期"] == ("是" if state["overdue"] else "否")

    plans = _rows(book["年度规划进度"])
    for year, plan in report["plans"].items():
        mine = [r for r in plans if r["年度"] == int(year)]
        assert len(mine) == 2 + len(plan["by_category"])
        total = next(r for r in mine if r["指标"] == "创建单位")
        assert (total["目标"], total["实际"]) == (plan["candidates"]["target"],
                                                plan["candidates"]["actual"])
        assert total["完成率"] == pytest.approx(plan["candidates"]["actual"]
                                             / plan["candidates"]["target"])
        demos = next(r for r in mine if r["指标"] == "示范点")
        assert (demos["目标"], demos["实际"]) == (plan["demonstrations"]["target"],
                                                plan["demonstrations"]["actual"])

    duties = _rows(book["区县职责"])
    assert len(duties) == sum(len(units) for units in report["duties"].values())
    assert sum(1 for r in duties if r["是否完成"] == "是") == sum(
        1 for units in report["duties"].values() for d in units.values() if d["met"])

    text = "\n".join(str(v) for s in book.worksheets for r in s.values for v in r if v is not None)
    private = ["0731-8000001", "13800000001", "07317200302", "建议总结推广", "94.5",
               "市委组织部第一考评组", "2026 年拟推荐为省级示范点"]
    if audience == "internal":
        assert len(_rows(book["逾期考评"])) == len(report["overdue"])
        assert "0731-8000001" in text and "市委组织部第一考评组" in text
    else:
        assert not [p for p in private if p in text]
        headers = [str(c.value) for c in book["示范点"][1]]
        assert "考评逾期" not in headers and not [h for h in headers if "电话" in h]


def test_export_template_and_blank_import(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    result = run_showcase("export", "--template", str(out), "--data", str(MINIMAL))
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["考评结果", "填写说明", "示范点名单"]
    assert [c.value for c in book["考评结果"][1]] == TEMPLATE_HEADERS
    assert len(list(book["示范点名单"].values)) == 1 + 8
    blank = run_showcase("import", "evaluations", str(out), "--data", str(MINIMAL))
    assert blank.returncode == 0 and "没有填写任何考评结果" in blank.stdout


def test_committed_template_has_the_import_headers() -> None:
    book = openpyxl.load_workbook(REPO / "templates" / "evaluations.xlsx")
    assert [c.value for c in book["考评结果"][1]] == TEMPLATE_HEADERS


@pytest.mark.parametrize("name", ["统计表.csv", "统计表.xls", "统计表", "统计表.XLSX.txt"])
@pytest.mark.parametrize("template", [False, True])
def test_export_refuses_a_name_that_is_not_a_workbook(tmp_path: Path, name: str,
                                                      template: bool) -> None:
    """``export out.csv`` once wrote a workbook under a .csv name with exit 0."""
    out = tmp_path / name
    args = ["export", *(["--template"] if template else []), str(out), "--data", str(MINIMAL)]
    result = run_showcase(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert ".xlsx" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
    upper = tmp_path / "统计表.XLSX"
    assert run_showcase("export", str(upper), "--data", str(MINIMAL)).returncode == 0
    assert upper.read_bytes()[:2] == b"PK"
