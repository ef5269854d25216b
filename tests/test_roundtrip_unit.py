"""Appending entries to hand-written YAML (staff/roundtrip.py), in this process: for each
layout the import meets, the whole resulting text, written out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator.staff import roundtrip
from generator.staff.roundtrip import SpliceError, append_entries, block_entry, flow_entry

ONE = [{"year": 2026, "date": dt.date(2026, 11, 20), "result": "pass", "score": 88.0,
        "remarks": "有特色: 建议推广 #1", "evaluator": None}]
TWO = [*ONE, {"year": 2027, "result": "fail", "remarks": "一\n二\n"}]
FIRST = ("- year: 2026\n  date: 2026-11-20\n  result: pass\n  score: 88\n"
         "  remarks: '有特色: 建议推广 #1'\n")
SECOND = "- year: 2027\n  result: fail\n  remarks: |\n    一\n    二\n"


def indented(block: str, by: int, gap: int = 1) -> str:
    """``block`` (items written with “- ” at column 0) moved right, the dash gap widened."""
    out = []
    for line in block.splitlines(keepends=True):
        if line.startswith("- "):
            out.append(" " * by + "-" + " " * gap + line[2:])
        else:
            out.append(" " * (by + gap - 1) + line)
    return "".join(out)


@pytest.mark.parametrize(("source", "entries", "result"), [
    # a block list with comments and a blank line after it
    ("name: x\nevaluations:\n- year: 2024   # 首次\n  result: pass\n\n# 照片\nphotos: []\n", ONE,
     "name: x\nevaluations:\n- year: 2024   # 首次\n  result: pass\n" + FIRST
     + "\n# 照片\nphotos: []\n"),
    ("name: x\nevaluations:\n- year: 2024   # 首次\n  result: pass\n\n# 照片\nphotos: []\n", TWO,
     "name: x\nevaluations:\n- year: 2024   # 首次\n  result: pass\n" + FIRST + SECOND
     + "\n# 照片\nphotos: []\n"),
    # deep indentation and a wide gap after the dash are copied
    ("name: x\nevaluations:\n    -   year: 2024\n        result: pass\ntags:\n  - a\n", TWO,
     "name: x\nevaluations:\n    -   year: 2024\n        result: pass\n"
     + indented(FIRST + SECOND, 4, 3) + "tags:\n  - a\n"),
    # no newline at the end of the file
    ("name: x\nevaluations:\n  - year: 2024\n    result: pass", ONE,
     "name: x\nevaluations:\n  - year: 2024\n    result: pass\n" + indented(FIRST, 2)),
    # an empty key: a list is started below it, indented as the file's other lists
    ("name: x\nevaluations:\ntags:\n- a\n", TWO,
     "name: x\nevaluations:\n" + FIRST + SECOND + "tags:\n- a\n"),
    ("name: x\nevaluations: ~\n", TWO,
     "name: x\nevaluations:\n" + indented(FIRST + SECOND, 2)),
    ("name: x\nevaluations: null  # 无\nz: 1\n", ONE,
     "name: x\nevaluations:  # 无\n" + indented(FIRST, 2) + "z: 1\n"),
    ("name: x\nevaluations:\ntags:\n    - a\n", ONE,
     "name: x\nevaluations:\n" + indented(FIRST, 4) + "tags:\n    - a\n"),
    ("name: x\nevaluations:", ONE, "name: x\nevaluations:\n" + indented(FIRST, 2)),
    # no such key: added at the end, CRLF and the byte-order mark kept
    ("\ufeffname: x\r\ntags:\r\n    - a\r\n# 结尾的注释\r\n", TWO,
     "\ufeffname: x\r\ntags:\r\n    - a\r\n# 结尾的注释\r\nevaluations:\r\n"
     + indented(FIRST + SECOND, 4).replace("\n", "\r\n")),
    ("name: x", TWO, "name: x\nevaluations:\n" + indented(FIRST + SECOND, 2)),
    ("name: x\n", ONE, "name: x\nevaluations:\n" + indented(FIRST, 2)),
    # flow lists: before the closing bracket
    ("name: x\nevaluations: []   # 暂无\ntags: [a]\n", TWO,
     "name: x\nevaluations: [{year: 2026, date: 2026-11-20, result: pass, score: 88, "
     "remarks: '有特色: 建议推广 #1'}, {year: 2027, result: fail, remarks: \"一\\n二\"}]   # 暂无\n"
     "tags: [a]\n"),
    ("name: x\nevaluations: [{year: 2024, result: pass}]\n", ONE,
     "name: x\nevaluations: [{year: 2024, result: pass}, {year: 2026, date: 2026-11-20, "
     "result: pass, score: 88, remarks: '有特色: 建议推广 #1'}]\n"),
    ("name: x\nevaluations: [\n]\n", ONE,  # the bracket at the start of a line
     "name: x\nevaluations: [\n{year: 2026, date: 2026-11-20, result: pass, score: 88, "
     "remarks: '有特色: 建议推广 #1'}]\n"),
    # a byte-order mark before a flow list on the first line
    ("\ufeffevaluations: []\n", ONE,
     "\ufeffevaluations: [{year: 2026, date: 2026-11-20, result: pass, score: 88, "
     "remarks: '有特色: 建议推广 #1'}]\n"),
    ("name: x\nevaluations: [\n  {year: 2024, result: pass}\n  ]\n", ONE,
     "name: x\nevaluations: [\n  {year: 2024, result: pass}\n  , {year: 2026, date: 2026-11-20, "
     "result: pass, score: 88, remarks: '有特色: 建议推广 #1'}]\n"),
    # a list of plain values: items as the file indents them
    ("name: x\nevaluations:\n  - 2024\n", ONE,
     "name: x\nevaluations:\n  - 2024\n" + indented(FIRST, 2)),
    ("name: x\nevaluations:\n  -   2024\n", ONE,  # (a wide gap before a plain value is not copied)
     "name: x\nevaluations:\n  -   2024\n" + indented(FIRST, 2)),
    # a nested mapping in the last item: after its last line
    ("a: 1\nevaluations:\n  - year: 2024\n    more:\n      deep: 1\nz: 2\n", ONE,
     "a: 1\nevaluations:\n  - year: 2024\n    more:\n      deep: 1\n" + indented(FIRST, 2)
     + "z: 2\n"),
    ("a: 1\nevaluations:\n  - year: 2024\n    tags:\n      - b\n", ONE,
     "a: 1\nevaluations:\n  - year: 2024\n    tags:\n      - b\n" + indented(FIRST, 2)),
    ("a: 1\nevaluations:\n  - year: 2024\n    remarks: |\n      长\n      文\n\nz: 2\n", ONE,
     # (a literal block's end takes in the blank line after it)
     "a: 1\nevaluations:\n  - year: 2024\n    remarks: |\n      长\n      文\n\n" + indented(FIRST, 2)
     + "z: 2\n"),
    ("a: 1\nevaluations:\n  - year: 2024\n    remarks: |\n      长", ONE,
     "a: 1\nevaluations:\n  - year: 2024\n    remarks: |\n      长\n" + indented(FIRST, 2)),
    # nothing to add
    ("name: x\nevaluations: 5\n", [], "name: x\nevaluations: 5\n"),
])
def test_append_entries(source: str, entries: list[dict[str, Any]], result: str) -> None:
    assert append_entries(source, "evaluations", entries) == result


@pytest.mark.parametrize(("source", "message"), [
    ("name: x\nevaluations: 无\n",
     "evaluations 应为列表（每条以“- ”开头），但文件中写成了别的内容，请先改正再导入。"),
    ("name: x\nevaluations: ''\n",
     "evaluations 应为列表（每条以“- ”开头），但文件中写成了别的内容，请先改正再导入。"),
    ("name: x\nevaluations: {}\n",
     "evaluations 应为列表（每条以“- ”开头），但文件中写成了别的内容，请先改正再导入。"),
    ("name: x\nevaluations: !!null ''\n",
     "添加后的文件无法读取：不支持 YAML 标签（!!null）。请删除它；若想让值保持为文字，请用引号把它括起来。"),
    ("name: x\nevaluations:\n  ~\n", "无法识别 evaluations 的写法，请改为每条一行的列表后再导入。"),
    ("- a\n- b\n", "文件的最外层不是“字段名: 值”的形式，无法添加。"),
    ("{name: x}\n", "文件的最外层不是“字段名: 值”的形式，无法添加。"),
])
def test_append_entries_refuses(source: str, message: str) -> None:
    with pytest.raises(SpliceError) as info:
        append_entries(source, "evaluations", ONE)
    assert str(info.value) == message


@pytest.mark.parametrize("null", ["~", "null", "Null", "NULL"])
def test_every_spelling_of_null_is_replaced(null: str) -> None:
    assert append_entries(f"evaluations: {null}\n", "evaluations", ONE) == (
        "evaluations:\n" + indented(FIRST, 2))


def test_an_unreadable_result_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SpliceError) as info:
        roundtrip._count("a: [\n", "evaluations")
    assert str(info.value).startswith("添加后的文件无法读取：")
    with pytest.raises(SpliceError) as info:
        roundtrip._count("- a\n", "evaluations")
    assert str(info.value) == "添加后的文件无法读取："
    with pytest.raises(SpliceError) as info:
        roundtrip._count("a: 1\na: 2\nb: 1\nb: 2\n", "evaluations")
    assert str(info.value) == (
        "添加后的文件无法读取：字段“a”重复：第 1 行已经写过一次。"
        "YAML 只会保留其中一个，请合并两处内容或删除多余的一处。；字段“b”重复：第 3 行已经写过一次。"
        "YAML 只会保留其中一个，请合并两处内容或删除多余的一处。")
    assert roundtrip._count("evaluations: [1, 2]\n", "evaluations") == 2
    assert roundtrip._count("evaluations: 3\n", "evaluations") == 0
    assert roundtrip._count("other: [1]\n", "evaluations") == 0
    roundtrip._verify("evaluations: [1, 2]\n", "evaluations", 2)
    with pytest.raises(SpliceError) as info:
        roundtrip._verify("evaluations: [1, 2]\n", "evaluations", 3)
    assert str(info.value) == "添加后 evaluations 的条数不对，没有写入。"
    # the splice is checked: a result with the wrong number of entries is never returned
    monkeypatch.setattr(roundtrip, "block_entry", lambda entry, dash, col: [])
    with pytest.raises(SpliceError):
        append_entries("evaluations:\n- 1\n", "evaluations", ONE)


def test_block_and_flow_entries() -> None:
    assert block_entry({"a": 1, "b": "x\ny", "c": None, "d": 3.0, "e": 2.5}, 2, 6) == [
        "  -   a: 1", "      b: |", "        x", "        y", "      d: 3", "      e: 2.5"]
    assert block_entry({"a": 1}, 0, 1) == ["- a: 1"]
    assert block_entry({"a": "x\n\ny"}, 0, 2) == ["- a: |", "    x", "", "    y"]
    # lists and mappings inside an entry: two columns each, the dash under the key
    assert block_entry({"t": ["x"], "m": {"k": 1}}, 2, 4) == [
        "  - t:", "    - x", "    m:", "      k: 1"]
    # only line ends are taken off the end of a multi-line text
    assert block_entry({"a": "x\ny \n\n", "b": "x\nyX"}, 0, 2) == [
        "- a: |", "    x", "    y ", "  b: |", "    x", "    yX"]
    assert flow_entry({"a": 1, "b": "x\ny\n", "c": None, "d": 3.0}) == '{a: 1, b: "x\\ny", d: 3}'
    assert flow_entry({"b": "有特色: 建议"}) == "{b: '有特色: 建议'}"
    assert flow_entry({"b": "x" * 200}) == "{b: " + "x" * 200 + "}"
    # only the line ends that the literal block added go; spaces and letters at the end
    # stay, and lists and mappings inside an entry are written in flow style as well
    assert flow_entry({"a": "一\n二 \n", "b": "三\n四X", "c": ["x", "y"], "d": {"e": 1}}) == (
        '{a: "一\\n二 ", b: "三\\n四X", c: [x, y], d: {e: 1}}')


def test_long_lines_are_never_folded() -> None:
    remark = "很长的考评意见，" * 40
    result = append_entries("evaluations:\n", "evaluations", [{"year": 2026, "remarks": remark}])
    assert result == f"evaluations:\n  - year: 2026\n    remarks: {remark}\n"


def test_leaf_end_and_block_offset() -> None:
    root = YAML().compose("a:\n  - x: 1\n    y: [1, 2]\nb: {c: 1}\nc:\n    - 1\n")
    (_ka, a), (_kb, b), _c = root.value
    assert roundtrip._leaf_end(a) == (2, 13)
    assert roundtrip._leaf_end(b) == (3, 9)
    assert roundtrip._leaf_end(root) == (5, 7)
    assert roundtrip._block_offset(root) == 2
    assert roundtrip._block_offset(YAML().compose("a: [1]\nc:\n    - 1\n")) == 4
    assert roundtrip._block_offset(YAML().compose("a: 1\n")) == 2
    assert roundtrip._block_offset(YAML().compose("c:\n- 1\n")) == 0
    assert roundtrip._block_offset(YAML().compose("  c:\n    - 1\n")) == 2


def test_a_layout_ruamel_cannot_read_is_a_splice_error() -> None:
    """A tab after the colon: the validator reads it (``evaluations: None``), ruamel's
    scanner does not — a Chinese refusal, never ruamel's own exception."""
    with pytest.raises(SpliceError, match="无法读取"):
        append_entries("id: a\nevaluations:\t~\n", "evaluations", [{"year": 2026}])
