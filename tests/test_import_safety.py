"""All-or-nothing evaluation import: formulas are refused with row and column, a write error
half-way leaves every file as it was, and a damaged or oversized workbook is a Chinese
error in bounded time and memory — never a traceback."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES, REPO, copy_minimal, run_showcase

from generator.cli import staff as staffcommands
from generator.data import loader
from generator.staff import evalimport
from generator.staff.evalsheet import MAX_ROWS, TEMPLATE_HEADERS

XLSX = FIXTURES / "xlsx"
AS_OF = "2028-01-15"


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_formula_cells_are_refused_with_row_and_column(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    before = _snapshot(data)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(["shanbei-wangjia-cun", None, 2026, "2026-11-25", "合格", "=80+7", "=B1",
                  '=CONCATENATE("好","")'])
    path = tmp_path / "考评.xlsx"
    book.save(path)
    result = run_showcase("import", "evaluations", str(path), "--data", str(data),
                          "--as-of", AS_OF, "--apply")
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    for header, cell in (("得分", "F2"), ("考评人", "G2"), ("考评意见", "H2")):
        assert any(line.startswith(f"{path}:第 2 行：“{header}”列（单元格 {cell}）是公式")
                   for line in result.stderr.splitlines()), result.stderr
    assert "没有导入任何内容" in result.stderr
    assert _snapshot(data) == before


def test_a_write_error_half_way_changes_no_file(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = copy_minimal(tmp_path)
    before = _snapshot(data_dir)
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: str | Path, dst: str | Path) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the second of three site files
            raise PermissionError(13, "Permission denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(evalimport.os, "replace", failing_replace)
    code = staffcommands.import_evaluations(str(XLSX / "three-rows.xlsx"),
                                            loader.load(data_dir), str(data_dir),
                                            dt.date.fromisoformat(AS_OF), True)
    out = capsys.readouterr()
    assert calls["n"] == 2  # it really failed half-way, after one file was replaced
    assert code == 1
    assert "所有文件都已保持原样" in out.err and "Traceback" not in out.err, out.err
    assert _snapshot(data_dir) == before  # no file changed, no temporary file left


def _run_measured(*args: str) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """The CLI in a child that reports, on its last stderr line, its own CPU seconds (wall
    time would measure the machine's load) and its own peak memory in KB. The peak comes
    from /proc (VmHWM): ru_maxrss of a child started by a large pytest worker reports the
    worker's peak, not the child's."""
    code = ("import resource, sys\n"
            "from generator.cli.main import main\n"
            "try:\n    main(sys.argv[1:], prog_name='showcase')\n"
            "except SystemExit as e:\n    status = e.code\n"
            "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
            "try:\n"
            "    status_lines = open('/proc/self/status', encoding='ascii').read().splitlines()\n"
            "    peak = int(next(l.split()[1] for l in status_lines if l.startswith('VmHWM:')))\n"
            "except OSError:\n    peak = usage.ru_maxrss\n"
            "sys.stderr.write(f'\\nMEASURED {usage.ru_utime + usage.ru_stime} {peak}\\n')\n"
            "sys.exit(status)\n")
    env = dict(os.environ, PYTHONUTF8="1", NO_COLOR="1")
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, env=env,
                            capture_output=True, text=True, encoding="utf-8", timeout=120,
                            check=False)
    cpu, peak = result.stderr.rsplit("MEASURED", 1)[1].split()[:2]
    return result, float(cpu), int(peak)


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return path


def _bomb(path: Path) -> Path:
    """A workbook of about 1 MB whose sheet expands to 1 GB."""
    good = tmp_template(path.parent)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                info = zipfile.ZipInfo(item.filename)
                info.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(info, "w", force_zip64=True) as out:
                    head = src.read(item).split(b"<sheetData>")[0] + b"<sheetData>"
                    out.write(head)
                    chunk = b" " * (1024 * 1024)
                    for _ in range(1024):
                        out.write(chunk)
            else:
                dst.writestr(item, src.read(item))
    return path


def tmp_template(folder: Path) -> Path:
    path = folder / "template.xlsx"
    book = openpyxl.Workbook()
    book.active.append(TEMPLATE_HEADERS)
    book.save(path)
    return path


def _damaged(folder: Path, kind: str) -> Path:
    good = tmp_template(folder)
    parts = {}
    with zipfile.ZipFile(good) as src:
        for item in src.infolist():
            parts[item.filename] = src.read(item)
    if kind == "bad-xml":
        parts["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c r='A1' t="
    elif kind == "missing-sheet":
        del parts["xl/worksheets/sheet1.xml"]
    elif kind == "bad-workbook-xml":
        parts["xl/workbook.xml"] = b"\x00\x01 not xml"
    return _zip(folder / f"{kind}.xlsx", parts)


@pytest.mark.parametrize("kind", ["bomb", "bad-xml", "missing-sheet", "bad-workbook-xml",
                                  "csv-renamed", "empty-file"])
def test_a_damaged_or_hostile_workbook_is_a_quick_chinese_error(tmp_path: Path,
                                                                 kind: str) -> None:
    if kind == "bomb":
        path = _bomb(tmp_path / "考评.xlsx")
        assert path.stat().st_size < 5 * 1024 * 1024
    elif kind == "csv-renamed":
        path = tmp_path / "考评.xlsx"
        path.write_text("单位id,年度,结果\nshanbei-wangjia-cun,2026,合格\n", encoding="utf-8")
    elif kind == "empty-file":
        path = tmp_path / "考评.xlsx"
        path.write_bytes(b"")
    else:
        path = _damaged(tmp_path, kind)
    data = copy_minimal(tmp_path)
    before = _snapshot(data)
    result, cpu_seconds, rss_kb = _run_measured("import", "evaluations", str(path), "--data",
                                            str(data), "--apply")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    message = result.stderr.splitlines()[0]
    assert message.startswith("error: ") and str(path) in message, message
    assert any(word in message for word in ("不是 Excel 工作簿", "已损坏", "过大")), message
    assert cpu_seconds < 2.0 + 1.0  # 2 s of work, plus the interpreter's start and imports
    assert rss_kb < 200 * 1024, rss_kb
    assert _snapshot(data) == before


def test_too_many_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "考评.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("考评结果")
    sheet.append(TEMPLATE_HEADERS)
    for _ in range(MAX_ROWS + 5):
        sheet.append([None, None, None])
    book.save(path)
    result = run_showcase("import", "evaluations", str(path), "--data", str(copy_minimal(tmp_path)))
    assert result.returncode == 1 and f"超过 {MAX_ROWS} 行" in result.stderr, result.stderr
