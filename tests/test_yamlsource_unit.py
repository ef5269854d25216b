"""Parts of the strict YAML reader that the data files cannot reach through ``parse``, tested
directly: libyaml's reader errors carry a byte offset instead of a line and column, but every
character that makes libyaml's reader fail is refused by the raw character check first."""

from __future__ import annotations

import pytest
import yaml

from generator.data.yamlsource import _problem_from_yaml_error, _reader_position


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
