"""Every invalid input of tests/fixtures/invalid/ gives exactly the expected located problems,
and the YAML hazards that are *valid* keep exactly what the user typed."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from conftest import INVALID, copy_minimal, run_showcase

from generator.data.loader import load

CASES = sorted(p.stem for p in INVALID.glob("*.expect"))
SUMMARY_TAIL = "。请按提示逐条修改后再运行 showcase validate。"


def read_case(name: str) -> tuple[str, list[str]]:
    lines = (INVALID / f"{name}.expect").read_text(encoding="utf-8").splitlines()
    return lines[0].strip(), [line for line in lines[1:] if line.strip()]


def drop_case(data_dir: Path, name: str) -> Path:
    target, _ = read_case(name)
    dest = data_dir / target
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes((INVALID / f"{name}.yml").read_bytes())
    return dest


def summary_line(errors: int, files: int) -> str:
    return f"发现 {errors} 个错误（涉及 {files} 个文件）" + SUMMARY_TAIL


def test_there_are_enough_cases_and_each_is_complete() -> None:
    assert len(CASES) >= 30
    for name in CASES:
        assert (INVALID / f"{name}.yml").is_file(), name
        target, expected = read_case(name)
        assert not target.startswith(("/", "minimal/")), name
        assert expected, f"{name}: an invalid case must expect at least one problem"
        assert all(line.startswith("minimal/") for line in expected), name
        assert expected == sorted(expected, key=_sort_key), f"{name}: lines must be sorted"
    stray = {p.stem for p in INVALID.glob("*.yml")} - set(CASES)
    assert not stray, f"case files without .expect: {stray}"


def _sort_key(line: str) -> tuple[str, int, int]:
    path, line_no, col, _rest = line.split(":", 3)
    return path, int(line_no), int(col)


@pytest.mark.parametrize("name", CASES)
def test_invalid_case(tmp_path: Path, name: str) -> None:
    data_dir = copy_minimal(tmp_path)
    drop_case(data_dir, name)
    _, expected = read_case(name)
    started = time.perf_counter()
    data = load(data_dir)
    elapsed = time.perf_counter() - started
    assert [str(p) for p in data.problems] == expected
    assert not data.ok
    assert elapsed < 5, f"{name} took {elapsed:.1f} s"


# A few cases through the real command line: same lines on stdout, summary, exit code 1.
CLI_CASES = ["gbk", "duplicate-key", "unknown-key", "tab-indent", "experience-several",
             "orphan-md", "utf16-bom"]


@pytest.mark.parametrize("name", CLI_CASES)
def test_invalid_case_cli(tmp_path: Path, name: str) -> None:
    data_dir = copy_minimal(tmp_path)
    drop_case(data_dir, name)
    _, expected = read_case(name)
    result = run_showcase("validate", "--data", str(data_dir), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    files = {line.split(":", 1)[0] for line in expected if ": error: " in line}
    errors = sum(": error: " in line for line in expected)
    assert result.stdout.splitlines() == [*expected, summary_line(errors, len(files))]
    assert "Traceback" not in result.stderr


def test_several_errors_in_several_files_are_all_listed_in_one_run(tmp_path: Path) -> None:
    names = ["gbk", "duplicate-key", "unknown-category", "plan-year-mismatch",
             "compilation-neither", "orphan-md", "typo-key", "experience-several"]
    data_dir = copy_minimal(tmp_path)
    expected: list[str] = []
    for name in names:
        drop_case(data_dir, name)
        expected += read_case(name)[1]
    expected.sort(key=_sort_key)
    data = load(data_dir)
    assert [str(p) for p in data.problems] == expected
    result = run_showcase("validate", "--data", str(data_dir), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [*expected, summary_line(len(expected), len(names))]


def test_warnings_alone_do_not_fail_validation(tmp_path: Path) -> None:
    data_dir = copy_minimal(tmp_path)
    (data_dir / "notes").mkdir()
    (data_dir / "compilations" / "caogao.yml").write_text(
        "title: 含草稿的汇编\ninclude:\n  - shiyan-hongse-ketang\n", encoding="utf-8")
    result = run_showcase("validate", "--data", str(data_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "minimal/compilations/caogao.yml:3:5: warning: 经验“shiyan-hongse-ketang”是草稿"
        "（draft: true），不会编入汇编。定稿后请把 draft 改为 false。",
        "minimal/notes:1:1: warning: 这个文件或文件夹不会被使用。数据目录中只能有 program.yml、"
        "taxonomy.yml、sources.yml 以及 sites、experiences、plans、compilations、media 文件夹。",
    ]
    assert lines[2].startswith("检查通过：")


def test_a_broken_file_is_not_blamed_again_where_it_is_referenced(tmp_path: Path) -> None:
    data_dir = copy_minimal(tmp_path)
    site = data_dir / "sites" / "2024" / "chengnan-taohua-cun.yml"
    site.write_text(site.read_text(encoding="utf-8").replace("  type: 党委", "\ttype: 党委"),
                    encoding="utf-8")
    exp = data_dir / "experiences" / "2025" / "hexi-lianmeng-gongjian.yml"
    exp.write_bytes(exp.read_text(encoding="utf-8").encode("gbk"))
    (data_dir / "compilations" / "include.yml").write_text(
        "title: 汇编\ninclude:\n  - hexi-lianmeng-gongjian\n  - taohua-jifen-guanli\n",
        encoding="utf-8")
    data = load(data_dir)
    # the experience citing the broken site and the compilation including the broken
    # experience are not reported: each broken file is reported once, where it must change
    assert [(p.path, p.line) for p in data.problems] == [
        ("minimal/experiences/2025/hexi-lianmeng-gongjian.yml", 1),
        ("minimal/sites/2024/chengnan-taohua-cun.yml", 15),
    ]


def test_missing_required_files_are_reported_without_crashing(tmp_path: Path) -> None:
    data_dir = copy_minimal(tmp_path)
    (data_dir / "taxonomy.yml").unlink()
    (data_dir / "program.yml").unlink()
    data = load(data_dir)
    assert [str(p) for p in data.problems] == [
        "minimal/program.yml:1:1: error: 缺少文件 program.yml：它是必需的，请参照编辑指南创建。",
        "minimal/taxonomy.yml:1:1: error: 缺少文件 taxonomy.yml：它是必需的，请参照编辑指南创建。",
    ]


def test_missing_data_dir(tmp_path: Path) -> None:
    result = run_showcase("validate", "--data", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "nowhere:1:1: error: 数据目录不存在。请用 --data 指定 sites_data 目录。")


# ---------------------------------------------------------------- generated pathological inputs

def test_three_megabyte_file_is_refused_quickly(tmp_path: Path) -> None:
    data_dir = copy_minimal(tmp_path)
    line = "  党建引领乡村振兴，示范带动全盘发展。\n"
    body = "profile: |\n" + line * (3 * 1024 * 1024 // len(line.encode()) + 1)
    path = data_dir / "sites" / "2025" / "huge.yml"
    path.write_text("name: 大文件\ncategory: rural\nunit: chengnan\nbatch: 2025\n"
                    "summary: 大文件。\n" + body, encoding="utf-8")
    size_kb = path.stat().st_size // 1024
    assert size_kb >= 3072
    started = time.perf_counter()
    data = load(data_dir)
    assert time.perf_counter() - started < 5
    assert [str(p) for p in data.problems] == [
        f"minimal/sites/2025/huge.yml:1:1: error: 文件过大（{size_kb} KB，上限 2048 KB）。"
        "请把长篇正文拆分，或把附件放到 media/ 目录后引用。"
    ]


@pytest.mark.parametrize("text", [
    "internal: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "internal: " + "{a: " * 50_000 + "b" + "}" * 50_000 + "\n",
    "internal:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200)) + "  " * 200 + "v\n",
    "internal:\n" + "".join("  " * i + "-\n" for i in range(1, 200)) + "  " * 200 + "x\n",
])
def test_deep_nesting_is_refused_without_recursion_error(tmp_path: Path, text: str) -> None:
    data_dir = copy_minimal(tmp_path)
    path = data_dir / "sites" / "2025" / "deep.yml"
    path.write_text("name: 深层嵌套\ncategory: rural\nunit: chengnan\nbatch: 2025\n"
                    "summary: 深层嵌套。\n" + text, encoding="utf-8")
    started = time.perf_counter()
    data = load(data_dir)
    assert time.perf_counter() - started < 5
    assert len(data.problems) == 1
    problem = data.problems[0]
    assert problem.path == "minimal/sites/2025/deep.yml"
    assert problem.line >= 6
    assert "嵌套层级过深" in problem.message


def test_big_alias_bomb_is_refused_at_the_first_anchor(tmp_path: Path) -> None:
    levels = ["a: &l0 [" + ", ".join(['"哈哈"'] * 10) + "]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 12)]
    data_dir = copy_minimal(tmp_path)
    path = data_dir / "sites" / "2025" / "bomb.yml"
    path.write_text("internal:\n" + "".join(f"  {line}\n" for line in levels), encoding="utf-8")
    started = time.perf_counter()
    data = load(data_dir)
    assert time.perf_counter() - started < 2
    assert [str(p) for p in data.problems] == [
        "minimal/sites/2025/bomb.yml:2:6: error: 不支持 YAML 锚点（&l0）。"
        "请删除它，把要重复的内容直接写出来。"
    ]


# ---------------------------------------------------------------- hazards that must stay valid

HAZARDS_SITE = """\
# YAML 1.1 会把下面很多值改掉；这里每个值都必须原样保留为文字
name: yes
short_name: no
category: rural
unit: chengnan
batch: 2025
summary: off
profile: 12:30:00
featured: 是
organization:
  type: ON
  members: 035
  secretary: 01012345
features:
  - 2025-01-01
  - 1:30
  - 0x1F
  - .inf
  - 'null'
  - "~"
  - 1e3
  - 2024-02-30
  - 'It''s'
  - 会议：主题党日
  - 时间:每月10日
  - "含 # 号的文字"
tags:
  - Yes
  - NO
  - y
  - n
  - 0o17
  - +12
contacts:
  leader:
    name: Norway
    title: 0731
    phone: 0731-8000001
  liaison:
    name: 李四
    phone: 013800000001
location:
  address: NULL 路 1 号
evaluations:
  - year: 2025
    date: 2025-11-20
    result: pass
    score: 08.5
    evaluator: True
"""


def test_yaml_hazards_in_text_fields_keep_what_was_typed(tmp_path: Path) -> None:
    data_dir = copy_minimal(tmp_path)
    (data_dir / "sites" / "2025" / "hazards.yml").write_text(HAZARDS_SITE, encoding="utf-8")
    data = load(data_dir)
    assert data.problems == []
    site = data.sites["hazards"]
    assert (site.name, site.short_name, site.summary, site.profile) == ("yes", "no", "off",
                                                                        "12:30:00")
    assert site.featured is True
    assert site.organization is not None
    assert site.organization.type == "ON"
    assert site.organization.members == 35  # decimal, as people write it: not octal 29
    assert site.organization.secretary == "01012345"
    assert site.features == ["2025-01-01", "1:30", "0x1F", ".inf", "null", "~", "1e3",
                             "2024-02-30", "It's", "会议：主题党日", "时间:每月10日",
                             "含 # 号的文字"]
    assert site.tags == ["Yes", "NO", "y", "n", "0o17", "+12"]
    assert site.contacts is not None and site.contacts.leader is not None
    assert (site.contacts.leader.name, site.contacts.leader.title,
            site.contacts.leader.phone) == ("Norway", "0731", "0731-8000001")
    assert site.contacts.liaison is not None
    assert site.contacts.liaison.phone == "013800000001"
    assert site.location is not None and site.location.address == "NULL 路 1 号"
    (ev,) = site.evaluations
    assert (ev.year, ev.date, ev.score, ev.evaluator) == (2025, dt.date(2025, 11, 20), 8.5,
                                                           "True")


def test_crlf_bom_file_keeps_values_and_reports_right_lines(tmp_path: Path) -> None:
    data_dir = copy_minimal(tmp_path)
    good = HAZARDS_SITE.replace("\n", "\r\n").encode("utf-8")
    (data_dir / "sites" / "2025" / "crlf.yml").write_bytes(b"\xef\xbb\xbf" + good)
    bad = "name: 测试\r\ncategory: rural\r\nunit: chengnan\r\nbatch: 2025\r\nsummary: x\r\n" \
          "level: City\r\n"
    (data_dir / "sites" / "2025" / "crlf-bad.yml").write_bytes(b"\xef\xbb\xbf" + bad.encode())
    data = load(data_dir)
    assert [str(p) for p in data.problems] == [
        "minimal/sites/2025/crlf-bad.yml:6:8: error: “level”（级别）不能是“City”。"
        "可选的值：city（市级）、county（区县级）。是不是想写“city”？"
    ]
    assert data.sites["crlf"].short_name == "no"
    assert data.sites["crlf"].features[1] == "1:30"


def test_fixture_hazards_stay_text() -> None:
    """The shared fixture itself carries unquoted hazards; they must survive loading."""
    from conftest import MINIMAL

    data = load(MINIMAL)
    assert data.problems == []
    wangjia = data.sites["shanbei-wangjia-cun"]
    assert wangjia.tags == ["村民说事", "no", "12:30"]
    assert wangjia.contacts is not None and wangjia.contacts.liaison is not None
    assert wangjia.contacts.liaison.phone == "07317200302"
    xingfu = data.sites["chengnan-xingfu-shequ"]
    assert xingfu.name == "幸福社区党委 | 红色物业 *试点* _共建_ [一期] #1 <示范> & 联建"
    assert data.sites["hexi-jinshan-qiye"].name == "中共金山机械有限公司支部委员会"  # BOM file
    body = data.experiences["taohua-jifen-guanli"].body
    assert body is not None and body.startswith("## 主要做法")
