"""``showcase new site|experience``: skeletons that validate as written, pinyin ids."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, copy_minimal, run_showcase

from generator.data.yamlsource import parse
from generator.model.fieldtypes import ID_RE
from generator.staff.scaffold import PLACEHOLDER_MARK, pinyin_id, scalar, short_org_name, unique_id


def _created(result: subprocess.CompletedProcess[str]) -> Path:
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip().splitlines()[0])
    assert path.is_file()
    return path


def test_new_site_chinese_name_gives_pinyin_id_and_validates(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    result = run_showcase("new", "site", "中共城南区桃花镇柳树村支部委员会", "--category", "rural",
                          "--unit", "chengnan", "--batch", "2026", "--data", str(data))
    path = _created(result)
    assert path == data / "sites" / "2026" / "cheng-nan-qu-tao-hua-zhen-liu-shu-cun.yml"
    text = path.read_text(encoding="utf-8")
    assert "name: 中共城南区桃花镇柳树村支部委员会\n" in text
    assert f"summary: {PLACEHOLDER_MARK}" in text
    # A Chinese comment above every field written, and the optional ones commented out.
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[a-z_]+:", line):
            assert lines[i - 1].startswith("# "), line
    for optional in ("short_name", "profile", "contacts", "evaluations", "awards", "photos"):
        assert f"\n# {optional}:" in text
    check = run_showcase("validate", "--data", str(data))
    assert check.returncode == 0, check.stdout
    assert "9 个示范点" in check.stdout
    report = run_showcase("report", "--json", "--data", str(data))
    assert '"cheng-nan-qu-tao-hua-zhen-liu-shu-cun"' in report.stdout


def test_every_commented_field_validates_when_uncommented(tmp_path: Path) -> None:
    """Staff uncomment examples: each example block must be valid YAML and a valid field."""
    data = copy_minimal(tmp_path)
    path = _created(run_showcase("new", "site", "柳树村", "--category", "农村", "--unit",
                                 "城南区", "--batch", "2026", "--data", str(data)))
    text = path.read_text(encoding="utf-8")
    uncommented = re.sub(r"^# ((?:[a-z_]+:|  ).*)$", r"\1", text, flags=re.M)
    uncommented = uncommented.replace("#\n", "\n")
    uncommented = uncommented.replace("photos:\n  - file: photos/example.jpg",
                                      "photos:\n  - file: photos/taohua-dangri.jpg")
    path.write_text(uncommented, encoding="utf-8")
    check = run_showcase("validate", "--data", str(data))
    assert check.returncode == 0, check.stdout
    doc, problems = parse(uncommented, "x")
    assert doc is not None and not problems
    assert {"contacts", "evaluations", "awards", "plan", "withdrawn"} <= set(doc.data)


def test_id_collision_in_any_folder_adds_a_number(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    args = ("--category", "rural", "--unit", "hexi", "--data", str(data))
    first = _created(run_showcase("new", "site", "河西区金山村", "--batch", "2026", *args))
    second = _created(run_showcase("new", "site", "河西区金山村", "--batch", "2025", *args))
    third = _created(run_showcase("new", "site", "中共河西区金山村委员会", "--batch", "2024", *args))
    assert first.name == "he-xi-qu-jin-shan-cun.yml"
    assert second == data / "sites" / "2025" / "he-xi-qu-jin-shan-cun-2.yml"
    assert third.name == "he-xi-qu-jin-shan-cun-3.yml"
    assert first.read_text(encoding="utf-8").count("河西区金山村") >= 1
    assert run_showcase("validate", "--data", str(data)).returncode == 0


def test_explicit_id_is_never_overwritten(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    target = data / "sites" / "2024" / "chengnan-taohua-cun.yml"
    before = target.read_bytes()
    result = run_showcase("new", "site", "桃花村", "--id", "chengnan-taohua-cun", "--category",
                          "rural", "--unit", "chengnan", "--batch", "2024", "--data", str(data))
    assert result.returncode == 1 and "已经被使用" in result.stderr
    assert target.read_bytes() == before
    result = run_showcase("new", "site", "桃花村", "--id", "Taohua", "--category",
                          "rural", "--unit", "chengnan", "--batch", "2024", "--data", str(data))
    assert result.returncode == 1 and "小写字母" in result.stderr


def test_unknown_keys_get_did_you_mean_and_write_nothing(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    before = sorted(p for p in data.rglob("*"))
    result = run_showcase("new", "site", "柳树村", "--category", "rurl", "--unit", "chengnan",
                          "--batch", "2026", "--data", str(data))
    assert result.returncode == 1
    assert "类别“rurl”不存在" in result.stderr and "是不是想写“rural”" in result.stderr
    result = run_showcase("new", "site", "柳树村", "--category", "rural", "--unit", "chengnam",
                          "--batch", "2026", "--data", str(data))
    assert "是不是想写“chengnan”" in result.stderr
    result = run_showcase("new", "site", "柳树村", "--category", "rural", "--unit", "chengnan",
                          "--batch", "26", "--data", str(data))
    assert result.returncode == 1 and "不是年份" in result.stderr
    result = run_showcase("new", "experience", "某经验", "--site", "chengnan-taohua", "--year",
                          "2026", "--theme", "service", "--data", str(data))
    assert "是不是想写“chengnan-taohua-cun”" in result.stderr
    result = run_showcase("new", "experience", "某经验", "--site", "chengnan-taohua-cun",
                          "--year", "2026", "--theme", "servise", "--data", str(data))
    assert "主题“servise”不存在" in result.stderr and "是不是想写“service”" in result.stderr
    assert sorted(p for p in data.rglob("*")) == before


def test_missing_options_without_a_terminal_is_a_chinese_error(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    result = run_showcase("new", "site", "柳树村", "--data", str(data))
    assert result.returncode == 2
    assert "缺少 --category（类别）" in result.stderr and "rural（农村）" in result.stderr
    result = run_showcase("new", "experience", "--data", str(data))
    assert result.returncode == 2 and "缺少 TITLE（经验标题）" in result.stderr


def test_new_experience_validates_and_is_a_draft(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    path = _created(run_showcase(
        "new", "experience", "“党员积分制”激活乡村治理", "--site", "桃花村", "--site",
        "chengnan-hongqi-cun", "--year", "2026", "--theme", "party_education", "--theme", "服务群众",
        "--data", str(data)))
    assert path == data / "experiences" / "2026" / "dang-yuan-ji-fen-zhi-ji-huo-xiang-cun-zhi-li.yml"
    doc, problems = parse(path.read_text(encoding="utf-8"), "x")
    assert doc is not None and not problems
    assert doc.data["sites"] == ["chengnan-taohua-cun", "chengnan-hongqi-cun"]
    assert doc.data["themes"] == ["party_education", "service"]
    assert doc.data["draft"] == "true" and doc.data["author"] == "城南区委组织部"
    assert doc.data["body"].startswith(PLACEHOLDER_MARK)
    assert run_showcase("validate", "--data", str(data)).returncode == 0
    again = _created(run_showcase(
        "new", "experience", "“党员积分制”激活乡村治理", "--site", "chengnan-taohua-cun",
        "--year", "2025", "--theme", "grid", "--data", str(data)))
    assert again.name == "dang-yuan-ji-fen-zhi-ji-huo-xiang-cun-zhi-li-2.yml"
    assert run_showcase("validate", "--data", str(data)).returncode == 0


def test_experience_id_avoids_a_body_file_name(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    (data / "experiences" / "2026" / "wu-gong-gong-zuo-fa.md").write_text("x", encoding="utf-8")
    path = _created(run_showcase("new", "experience", "五共工作法", "--site", "chengnan-taohua-cun",
                                 "--year", "2026", "--theme", "grid", "--data", str(data)))
    assert path.name == "wu-gong-gong-zuo-fa-2.yml"


@pytest.mark.skipif(sys.platform == "win32", reason="pty")
def test_missing_options_are_prompted_on_a_terminal(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    main, child = pty.openpty()
    env = dict(os.environ, PYTHONUTF8="1", NO_COLOR="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "new", "site", "--data", str(data)],
        stdin=child, stdout=subprocess.PIPE, stderr=child, cwd=REPO, env=env)
    os.close(child)
    answers = iter(["山北县李家村", "农村", "shanbei", "2026"])
    seen = b""
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        seen += chunk
        if chunk.rstrip().endswith(b":"):
            os.write(main, (next(answers) + "\n").encode("utf-8"))
    out, _ = proc.communicate(timeout=30)
    os.close(main)
    assert proc.returncode == 0, seen.decode("utf-8", "replace")
    assert "党组织全称" in seen.decode("utf-8", "replace")
    assert out.decode().strip().endswith("sites/2026/shan-bei-xian-li-jia-cun.yml")
    assert run_showcase("validate", "--data", str(data)).returncode == 0


@pytest.mark.parametrize(("text", "expected"), [
    ("中共城南区桃花镇桃花村委员会", "cheng-nan-qu-tao-hua-zhen-tao-hua-cun"),
    ("绿水村党支部", "lv-shui-cun"),
    ("中共ＡＢＣ科技有限公司2号支部委员会", "abc-ke-ji-you-xian-gong-si-2-hao"),
    ("园区党建联盟“五共”工作法", "yuan-qu-dang-jian-lian-meng-wu-gong-gong-zuo-fa"),
])
def test_pinyin_ids(text: str, expected: str) -> None:
    assert pinyin_id(short_org_name(text)) == expected


def test_long_names_stay_within_64_and_numbered_ids_too() -> None:
    base = pinyin_id("中华人民共和国" * 10)
    assert len(base) <= 64 and ID_RE.match(base) and not base.endswith("-")
    numbered = unique_id(base, {base, *(f"{base[:61].rstrip('-')}-{n}" for n in range(2, 10))})
    assert len(numbered) <= 64 and numbered.endswith("-10") and ID_RE.match(numbered)


@pytest.mark.parametrize("value", ["no", "12:30", "a: b", "#1", "- x", "“引号”", "0736", " x"])
def test_scalar_reads_back_as_written(value: str) -> None:
    doc, problems = parse(f"name: {scalar(value)}\n", "x")
    assert doc is not None and not problems and doc.data["name"] == value
