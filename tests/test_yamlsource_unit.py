"""Parts of the strict YAML reader that the data files cannot reach through ``parse``, tested
directly: libyaml's reader errors carry a byte offset instead of a line and column, but every
character that makes libyaml's reader fail is refused by the raw character check first."""

from __future__ import annotations

import pytest
import yaml

from generator.data.yamlsource import Mark, YamlDoc, _looks_like_utf16, _problem_from_yaml_error, _reader_position


@pytest.mark.parametrize(("text", "offset", "position"), [
    ("", 0, (1, 1)),
    ("abc", 0, (1, 1)),
    ("abc", 2, (1, 3)),
    ("ab\ncd", 3, (2, 1)),
    ("ab\ncd", 4, (2, 2)),
    ("a\nb\nc\nd", 6, (4, 1)),
    ("中文\n乙x", 7, (2, 1)),     # offsets count UTF-8 bytes: 中文 is six, the newline one
    ("中文\n乙x", 10, (2, 2)),
    ("名称: 中文", 8, (1, 5)),
    ("中文", 1, (1, 2)),          # an offset inside a character: the part counts as one
    ("中文", 4, (1, 3)),
])
def test_reader_position_turns_a_byte_offset_into_line_and_column(
        text: str, offset: int, position: tuple[int, int]) -> None:
    assert _reader_position(text, offset) == position


def test_a_reader_error_is_placed_at_its_byte_offset() -> None:
    error = yaml.reader.ReaderError("f.yml", 8, 1, "utf-8", "special characters are not allowed")
    problem = _problem_from_yaml_error(error, "name: x\ncd\x01", "f.yml")
    assert (problem.path, problem.line, problem.col) == ("f.yml", 2, 1)
    assert problem.message == ("YAML 语法错误：文件中有不可见的控制字符，请删除它们"
                               "（常见于从网页或 Word 粘贴）。")


def test_an_error_without_a_place_is_at_the_top_with_its_first_line() -> None:
    problem = _problem_from_yaml_error(yaml.YAMLError("something odd\nmore"), "a: 1\n", "f.yml")
    assert (problem.path, problem.line, problem.col) == ("f.yml", 1, 1)
    assert problem.message == "YAML 语法错误（something odd），请检查这一行及上一行的缩进、冒号和引号。"


def test_an_untranslated_libyaml_problem_is_quoted() -> None:
    mark = yaml.Mark("f.yml", 0, 1, 4, None, None)
    error = yaml.MarkedYAMLError(problem="something rare", problem_mark=mark)
    problem = _problem_from_yaml_error(error, "a: 1\nb: 2\n", "f.yml")
    assert (problem.line, problem.col) == (2, 5)
    assert problem.message == "YAML 语法错误（something rare），请检查这一行及上一行的缩进、冒号和引号。"


def utf16_like(length: int, nul_at: list[int]) -> bytes:
    raw = bytearray(b"a" * length)
    for i in nul_at:
        raw[i] = 0
    return bytes(raw)


@pytest.mark.parametrize(("raw", "utf16"), [
    ("ab".encode("utf-16-le") * 10, True),
    ("ab".encode("utf-16-be") * 10, True),
    ("中文".encode("utf-16-le") * 10, False),       # no NUL byte at all
    (b"a\x00b\x00c\x00d\x00", True),                # four NULs are enough in a short file
    (b"a\x00b\x00c\x00d", False),                   # three are not
    (utf16_like(100, [1, 3, 5, 7]), False),         # ... nor four in 100 bytes (a tenth of 50)
    (utf16_like(100, [1, 3, 5, 7, 9]), True),
    (utf16_like(100, [*range(1, 21, 2), 0]), True),     # ten to one: still one side
    (utf16_like(100, [*range(1, 21, 2), 0, 2]), False),  # ten to two: not
    (b"\x00\x00\x00", False),
    # only the first 4 KB count: 204 NULs there are below a tenth of 2048 ...
    (utf16_like(4096, list(range(0, 408, 2))) + b"\x00" * 8, False),
])
def test_utf16_without_a_bom_is_recognised_by_its_nul_bytes(raw: bytes, utf16: bool) -> None:
    assert _looks_like_utf16(raw) is utf16


def test_mark_falls_back_to_the_nearest_written_part() -> None:
    doc = YamlDoc(data={"a": {"b": [1]}},
                  key_marks={("a",): Mark(1, 1), ("a", "b"): Mark(2, 3)},
                  value_marks={(): Mark(1, 1), ("a",): Mark(2, 3), ("a", "b"): Mark(2, 6),
                               ("a", "b", 0): Mark(3, 5)})
    assert doc.mark(("a", "b", 0)) == Mark(3, 5)
    assert doc.mark(["a", "b"]) == Mark(2, 6)
    assert doc.mark(("a", "b"), key=True) == Mark(2, 3)
    assert doc.mark(("a", "b", 0), key=True) == Mark(3, 5)  # no key there: the value
    assert doc.mark(("a", "b", 7)) == Mark(2, 6)          # the list it would be in
    assert doc.mark(("a", "c")) == Mark(2, 3)
    assert doc.mark(("z",)) == Mark(1, 1)
    only_keys = YamlDoc(data=None, key_marks={("k",): Mark(4, 2)})
    assert only_keys.mark(("k", "deeper")) == Mark(4, 2)
    assert only_keys.mark(()) == Mark(1, 1)
    assert YamlDoc(data=None, value_marks={(): Mark(2, 2)}).mark(("x",)) == Mark(2, 2)
