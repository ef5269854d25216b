"""Append entries to a list in a hand-written YAML file without touching anything else.

A full load-and-dump, even ruamel.yaml's round trip, re-indents sequences, re-wraps long
lines and re-spells scalars here and there. Staff files must stay byte-identical except for
the added entries, so this module uses ruamel.yaml's round-trip composer only to find *where*
the list ends (node marks) and how it is indented, has ruamel.yaml write the new entries
(quoting whatever needs quoting), and splices that text in. The result is parsed again and
checked before anyone writes it.

Handled layouts of ``key`` in the top-level mapping:

* a block sequence: the entries go after its last line, with the same indentation;
* a flow sequence (``key: []`` or ``key: [{…}]``): the entries go before its ``]``;
* an empty value (``key:`` or ``key: ~``/``null``): a block sequence is started below it;
* no such key: ``key:`` and a block sequence are added at the end of the file.

Line endings (LF or CRLF) and a UTF-8 byte-order mark are kept.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import LiteralScalarString

from ..data.yamlsource import parse

_NULLS = {"", "~", "null", "Null", "NULL"}


class SpliceError(Exception):
    """The file's layout is not one this module can extend safely (Chinese message)."""


def _emitter(flow: bool) -> YAML:
    yaml = YAML()
    yaml.width = 100_000  # never fold a long line of Chinese text
    yaml.allow_unicode = True
    yaml.default_flow_style = flow
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def _prepare(entry: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and "\n" in value:
            value = LiteralScalarString(value.rstrip("\n") + "\n")
        out[key] = value
    return out


def _dump(value: Any, *, flow: bool) -> str:
    stream = io.StringIO()
    _emitter(flow).dump(value, stream)
    return stream.getvalue()


def block_entry(entry: Mapping[str, Any], dash_col: int, map_col: int) -> list[str]:
    """One block-sequence item: ``- key: value`` lines at the given columns (no newlines)."""
    lines = _dump(_prepare(entry), flow=False).splitlines()
    gap = max(map_col - dash_col - 1, 1)
    out = [" " * dash_col + "-" + " " * gap + lines[0]]
    out += [(" " * (dash_col + 1 + gap) + line) if line else "" for line in lines[1:]]
    return out


def flow_entry(entry: Mapping[str, Any]) -> str:
    prepared = {k: (str(v).rstrip("\n") if isinstance(v, LiteralScalarString) else v)
                for k, v in _prepare(entry).items()}
    text = _dump(prepared, flow=True).strip()
    if not text.startswith("{"):
        text = "{" + text + "}"
    return text


def _leaf_end(node: Node) -> tuple[int, int]:
    """(line, column), 0-based, just after the last character written for ``node``."""
    if isinstance(node, MappingNode) and not node.flow_style and node.value:
        return max(_leaf_end(v) for pair in node.value for v in pair)
    if isinstance(node, SequenceNode) and not node.flow_style and node.value:
        return max(_leaf_end(v) for v in node.value)
    return node.end_mark.line, node.end_mark.column


def _block_offset(root: MappingNode) -> int:
    """How far this file indents a block sequence's “-” below its key (2 unless seen)."""
    for key, value in root.value:
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            return max(int(value.start_mark.column) - int(key.start_mark.column), 0)
    return 2


def append_entries(text: str, key: str, entries: Sequence[Mapping[str, Any]]) -> str:
    """``text`` (a YAML document whose top level is a mapping) with ``entries`` appended to
    the list under ``key``. Raises :class:`SpliceError` for layouts it cannot extend."""
    if not entries:
        return text
    bom = text.startswith(codecs.BOM_UTF8.decode("utf-8"))
    body = text[1:] if bom else text
    newline = "\r\n" if "\r\n" in body else "\n"
    try:
        root = YAML().compose(body)
    except YAMLError:  # a layout the validator reads but ruamel does not (a tab after a colon)
        raise SpliceError("文件的写法无法读取（例如冒号后面用了制表符），无法自动添加；"
                          "请把冒号后的制表符改成空格后再导入。") from None
    if not isinstance(root, MappingNode) or root.flow_style:
        raise SpliceError("文件的最外层不是“字段名: 值”的形式，无法添加。")
    before = _count(body, key)
    lines = body.splitlines(keepends=True)
    found = [(k, v) for k, v in root.value if isinstance(k, ScalarNode) and k.value == key]
    offset = _block_offset(root)

    if not found:
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        new = [f"{key}:"]
        for entry in entries:
            new += block_entry(entry, offset, offset + 2)
        lines += [line + newline for line in new]
        result = "".join(lines)
    else:
        key_node, value = found[0]
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            dash_col = value.start_mark.column
            map_col = value.value[-1].start_mark.column
            if map_col <= dash_col or isinstance(value.value[-1], ScalarNode):
                map_col = dash_col + 2
            line, col = _leaf_end(value)
            at = line if col == 0 else line + 1
            if at > len(lines):
                at = len(lines)
            if at == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += newline
            new = []
            for entry in entries:
                new += block_entry(entry, dash_col, map_col)
            lines[at:at] = [line + newline for line in new]
            result = "".join(lines)
        elif isinstance(value, SequenceNode):  # flow: [..]
            end_line, end_col = value.end_mark.line, value.end_mark.column
            target = lines[end_line]
            close = end_col - 1
            if close < 0 or target[close] != "]":
                raise SpliceError(f"无法识别 {key} 的方括号写法，请改为每条一行的列表后再导入。")
            items = ", ".join(flow_entry(e) for e in entries)
            sep = ", " if value.value else ""
            lines[end_line] = target[:close] + sep + items + target[close:]
            result = "".join(lines)
        elif isinstance(value, ScalarNode) and value.style is None and value.value in _NULLS:
            key_line = key_node.start_mark.line
            if value.value:  # “~” or “null” written after the colon: remove it
                if value.start_mark.line != key_line:
                    raise SpliceError(f"无法识别 {key} 的写法，请改为每条一行的列表后再导入。")
                target = lines[key_line]
                start, end = value.start_mark.column, value.end_mark.column
                head = target[:start].rstrip(" ")
                lines[key_line] = head + target[end:]
            dash_col = key_node.start_mark.column + offset
            new = []
            for entry in entries:
                new += block_entry(entry, dash_col, dash_col + 2)
            if not lines[key_line].endswith(("\n", "\r")):
                lines[key_line] += newline
            lines[key_line + 1:key_line + 1] = [line + newline for line in new]
            result = "".join(lines)
        else:
            raise SpliceError(f"{key} 应为列表（每条以“- ”开头），但文件中写成了别的内容，"
                              "请先改正再导入。")
    _verify(result, key, before + len(entries))
    return (codecs.BOM_UTF8.decode("utf-8") if bom else "") + result


def _count(text: str, key: str) -> int:
    doc, problems = parse(text, "<splice>")
    if doc is None or problems or not isinstance(doc.data, dict):
        raise SpliceError("添加后的文件无法读取：" + "；".join(p.message for p in problems))
    value = doc.data.get(key)
    return len(value) if isinstance(value, list) else 0


def _verify(result: str, key: str, expected: int) -> None:
    YAML().compose(result)  # the round-trip reader must accept it as well
    if _count(result, key) != expected:
        raise SpliceError(f"添加后 {key} 的条数不对，没有写入。")
