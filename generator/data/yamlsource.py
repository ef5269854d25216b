"""A strict YAML reader that never changes what the user typed.

Built on libyaml's event stream (the C parser, all scalars as text) rather than on
``yaml.safe_load``: every scalar stays the string the user wrote (so ``no``, ``01012345``
and ``12:30`` keep their meaning until the schema types them), anchors, aliases, tags,
merge keys and multi-document files are refused, duplicate keys are reported with both
lines, and every key and value keeps its line and column so that later, semantic errors
can point at them too. Nothing here raises: every failure becomes a :class:`Problem`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from ..base.problems import Problem, internal_error
from ..base.textcheck import BAD_CHARACTER, character_problem

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 200_000

Loc = tuple[str | int, ...]

_PARSER: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_NULLS = {"", "~", "null", "Null", "NULL"}
_STD_TAG = "tag:yaml.org,2002:"
bad_character = BAD_CHARACTER.search


class Mark(NamedTuple):
    """A 1-based position in a source file (a tuple: cheap, as there is one per node)."""

    line: int
    col: int


@dataclass
class YamlDoc:
    """Parsed content (dicts, lists, strings and None) plus where each part was written."""

    data: Any
    key_marks: dict[Loc, Mark] = field(default_factory=dict)
    value_marks: dict[Loc, Mark] = field(default_factory=dict)

    def mark(self, loc: Loc, *, key: bool = False) -> Mark:
        """Position of ``loc``; falls back to the nearest enclosing part that was written."""
        loc = tuple(loc)
        if key and loc in self.key_marks:
            return self.key_marks[loc]
        while loc:
            if loc in self.value_marks:
                return self.value_marks[loc]
            if loc in self.key_marks:
                return self.key_marks[loc]
            loc = loc[:-1]
        return self.value_marks.get((), Mark(1, 1))


def _mark(ev: Any) -> Mark:
    return Mark(ev.start_mark.line + 1, ev.start_mark.column + 1)


def _looks_like_utf16(raw: bytes) -> bool:
    """UTF-16 saved without a BOM: ASCII characters leave a NUL in every other byte."""
    head = raw[:4096]
    if len(head) < 4 or b"\x00" not in head:
        return False
    half = len(head) // 2
    nul_odd = head[1::2].count(0)
    nul_even = head[0::2].count(0)
    most, least = max(nul_odd, nul_even), min(nul_odd, nul_even)
    return most >= max(4, half * 0.1) and least * 10 <= most


def decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 (with or without BOM) to text; anything else is an error that says how to fix it."""
    if len(raw) > MAX_BYTES:
        return None, [
            Problem(path, 1, 1, f"文件过大（{len(raw) // 1024} KB，上限 {MAX_BYTES // 1024} KB）。"
                    "请把长篇正文拆分，或把附件放到 media/ 目录后引用。")
        ]
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, [
            Problem(path, 1, 1, "文件是 UTF-16 编码。请用编辑器把它另存为“UTF-8”编码"
                    "（VS Code：点右下角的编码 → “通过编码保存” → UTF-8）。")
        ]
    if _looks_like_utf16(raw):
        return None, [
            Problem(path, 1, 1, "文件是 UTF-16 编码。请用编辑器把它另存为“UTF-8”编码"
                    "（VS Code：点右下角的编码 → “通过编码保存” → UTF-8）。")
        ]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        try:
            raw.decode("gb18030")
            looks = "看起来是 GBK/GB18030（旧版记事本、WPS 的“ANSI”编码）"
        except UnicodeDecodeError:
            looks = "含有无效的字节"
        return None, [
            Problem(path, line, col, f"文件不是 UTF-8 编码，{looks}。请用编辑器把文件另存为"
                    "“UTF-8”编码后再提交（VS Code：点右下角的编码 → “通过编码保存” → UTF-8；"
                    "记事本：另存为 → 编码选 UTF-8）。")
        ]


# libyaml's English problem texts, translated to what a non-programmer can act on.
_YAML_HINTS: list[tuple[str, str]] = [
    ("found character '\\t'", "这里有 Tab 制表符。YAML 只能用空格缩进，请把 Tab 换成两个空格。"),
    ("mapping values are not allowed", "这里不能出现“冒号+空格”。如果文字里本身带有冒号，"
     "请把整段文字用引号括起来，例如 title: \"会议：主题党日\"。"),
    ("could not find expected ':'", "缺少冒号。每个字段应写成“字段名: 值”（冒号后有一个空格），"
     "或者上一行的引号没有闭合。"),
    ("did not find expected key", "缩进不一致：同一层的字段必须左对齐，列表项以“- ”开头。"),
    ("did not find expected '-' indicator", "缩进不一致：列表项应以“- ”开头并与上一项左对齐。"),
    ("found unexpected end of stream", "文件在引号或括号闭合之前就结束了，请检查引号是否成对。"),
    ("found unknown escape character", "双引号中的反斜杠“\\”被当成转义符。请改用单引号，"
     "或把“\\”写成“\\\\”。"),
    ("special characters are not allowed", "文件中有不可见的控制字符，请删除它们（常见于从网页或 Word 粘贴）。"),
    ("control characters are not allowed", "文件中有不可见的控制字符，请删除它们（常见于从网页或 Word 粘贴）。"),
    ("found character '@' that cannot start any token", "值不能以“@”开头，请把整个值用引号括起来。"),
    ("found character '`' that cannot start any token", "值不能以“`”开头，请把整个值用引号括起来。"),
    ("cannot start any token", "这个字符不能出现在值的开头，请把整个值用引号括起来。"),
    ("found undefined alias", "不支持 YAML 别名（*名称），请把内容直接写出来。"),
    ("did not find expected node content", "这里缺少内容，或缩进有误。"),
    ("expected <document start>", "文件结构有误：可能是缩进不对，或者多了一行顶格的文字。"),
    ("found a tab character", "这里有 Tab 制表符。YAML 只能用空格缩进，请把 Tab 换成两个空格。"),
    ("did not find expected comment or line break", "值后面多了内容：若文字中有引号或“ #”，请把整段文字用引号括起来。"),
    ("while scanning a quoted scalar", "引号没有闭合，请检查这一段的引号是否成对。"),
    ("block sequence entries are not allowed", "这里不能出现列表项“- ”：列表要从下一行开始，"
     "每项缩进并以“- ”开头；如果“-”是文字的一部分，请把整段文字用引号括起来。"),
    ("mapping keys are not allowed", "这里不能再出现“字段名: ”或“? ”：请检查缩进；"
     "如果这是一段文字，请把它用引号括起来。"),
    ("did not find expected ',' or '}'", "花括号“{ }”没有闭合或缺少逗号。如果花括号是文字的一部分，"
     "请把整段文字用引号括起来。"),
    ("did not find expected ',' or ']'", "方括号“[ ]”没有闭合或缺少逗号。如果方括号是文字的一部分，"
     "请把整段文字用引号括起来。"),
    ("did not find expected alphabetic or numeric character", "“&”和“*”在 YAML 中有特殊含义。"
     "如果它们是文字的一部分，请把整段文字用引号括起来。"),
    ("did not find expected tag URI", "“!”在 YAML 中有特殊含义。如果它是文字的一部分，"
     "请把整段文字用引号括起来。"),
    ("found unexpected ':'", "这里的冒号“:”无法理解。如果文字中带有冒号，请把整段文字用引号括起来，"
     "或改用中文冒号“：”。"),
    ("while scanning a directive", "以“%”开头的行是 YAML 的指令，这里不需要：请删除这一行，"
     "或把文字用引号括起来。"),
    ("directive", "以“%”开头的行是 YAML 的指令，这里不需要：请删除这一行，或把文字用引号括起来。"),
    ("while scanning a tag", "“!”在 YAML 中有特殊含义。如果它是文字的一部分，请把整段文字用引号括起来。"),
    ("while parsing a tag", "“!”在 YAML 中有特殊含义。如果它是文字的一部分，请把整段文字用引号括起来。"),
    ("found undefined tag handle", "“!”在 YAML 中有特殊含义。如果它是文字的一部分，"
     "请把整段文字用引号括起来。"),
    ("hexdecimal", "双引号中的反斜杠“\\”被当成转义符。请改用单引号，或把“\\”写成“\\\\”。"),
    ("invalid Unicode character escape", "双引号中的“\\u”转义写出了一个不完整的字符（代理项），"
     "请删除它，或改用单引号。"),
    ("found unexpected document indicator", "单独一行的“---”或“...”在 YAML 中表示文件分隔，"
     "不能出现在引号里的文字中：请删除它，或把这段文字改写为“|”块文本。"),
    ("did not find expected whitespace or line break", "“!”、“&”或“*”后面的写法有误。"
     "如果它们是文字的一部分，请把整段文字用引号括起来。"),
    ("while scanning a block scalar", "“|”或“>”块文本的写法有误，内容需比字段名多缩进。"),
]


def _translate(exc: yaml.YAMLError) -> str:
    text = str(exc)
    for needle, hint in _YAML_HINTS:
        if needle in text:
            return f"YAML 语法错误：{hint}"
    first = getattr(exc, "problem", None) or text.splitlines()[0]
    return f"YAML 语法错误（{first}），请检查这一行及上一行的缩进、冒号和引号。"


def _reader_position(text: str, position: int) -> tuple[int, int]:
    """Line and column (1-based) of a byte offset into the UTF-8 encoding of ``text``
    (libyaml's reader errors give only that offset)."""
    before = text.encode("utf-8")[:position].decode("utf-8", errors="replace")
    line_start = before.rfind("\n") + 1
    return before.count("\n") + 1, len(before) - line_start + 1


def _problem_from_yaml_error(exc: yaml.YAMLError, text: str, path: str) -> Problem:
    position = getattr(exc, "position", None)
    if isinstance(position, int) and getattr(exc, "problem_mark", None) is None:
        line, col = _reader_position(text, position)
        return Problem(path, line, col, _translate(exc))
    context = getattr(exc, "context", None) or ""
    context_mark = getattr(exc, "context_mark", None)
    if "quoted scalar" in context and context_mark is not None \
            and "end of stream" in (getattr(exc, "problem", None) or ""):
        # The file ends inside quotes: point at the quote that was opened, not at the end.
        return Problem(path, context_mark.line + 1, context_mark.column + 1,
                       "YAML 语法错误：这里的引号没有闭合，请在文字末尾补上同样的引号"
                       "（或删去开头的引号）。")
    mark = getattr(exc, "problem_mark", None) or context_mark
    if mark is None:
        return Problem(path, 1, 1, _translate(exc))
    lines = text.splitlines()
    # libyaml's C messages do not name the tab character; look at the line itself.
    if mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        col = lines[mark.line].index("\t") + 1
        return Problem(path, mark.line + 1, col, "YAML 语法错误：" + _YAML_HINTS[0][1])
    return Problem(path, mark.line + 1, mark.column + 1, _translate(exc))


def raw_character_problems(text: str, path: str, limit: int = 20) -> list[Problem]:
    """Refused characters typed as they are, anywhere in the file (comments included: a bidi
    override there can make the file read differently from what it is). Carriage returns
    are line ends. Each is reported exactly where it is."""
    problems: list[Problem] = []
    for m in BAD_CHARACTER.finditer(text):
        if m.group() == "\r":
            continue
        found = character_problem(m.group())
        assert found is not None
        at = m.start()
        line_start = text.rfind("\n", 0, at) + 1
        problems.append(Problem(path, text.count("\n", 0, at) + 1, at - line_start + 1, found[1]))
        if len(problems) >= limit:
            break
    return problems


def _character_problem(ev: Any, text: str, path: str) -> Problem:
    """Where a refused character is: exactly, when it was typed as is; else the value."""
    found = character_problem(ev.value)
    assert found is not None
    index, message = found
    at = text.find(ev.value[index], ev.start_mark.index, ev.end_mark.index)
    if at < 0:  # written as an escape (\x01) inside double quotes
        return Problem(path, ev.start_mark.line + 1, ev.start_mark.column + 1, message)
    line_start = text.rfind("\n", 0, at) + 1
    return Problem(path, text.count("\n", 0, at) + 1, at - line_start + 1, message)


class _Frame:
    __slots__ = ("container", "first_lines", "key", "key_mark", "loc")

    def __init__(self, container: dict[str, Any] | list[Any], loc: Loc) -> None:
        self.container = container
        self.loc = loc
        self.key: str | None = None
        self.key_mark: Mark | None = None
        self.first_lines: dict[str, int] = {}


class _Refused(Exception):
    def __init__(self, mark: Mark, message: str) -> None:
        self.mark = mark
        self.message = message


def parse(text: str, path: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one YAML document into plain data with positions, or report why it cannot be."""
    raw = raw_character_problems(text, path)
    if raw:
        return None, raw
    problems: list[Problem] = []
    doc = YamlDoc(data=None)
    key_marks, value_marks = doc.key_marks, doc.value_marks
    stack: list[_Frame] = []
    documents = 0
    nodes = 0
    # This loop runs once per YAML node of every file: event classes are compared by
    # identity and the common cases come first.
    scalar_cls, map_cls, seq_cls = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    end_classes = (yaml.MappingEndEvent, yaml.SequenceEndEvent)

    try:
        ev: Any
        for ev in yaml.parse(text, Loader=_PARSER):
            cls = type(ev)
            if cls in end_classes:
                stack.pop()
                continue
            if cls is not scalar_cls and cls is not map_cls and cls is not seq_cls:
                if cls is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise _Refused(_mark(ev), "一个文件只能包含一条记录：请删除“---”之后的第二部分，"
                                       "或把它另存为单独的文件。")
                elif cls is yaml.AliasEvent:
                    raise _Refused(_mark(ev), "不支持 YAML 别名（*名称）。请把要重复的内容直接写出来。")
                continue
            if ev.anchor is not None:
                raise _Refused(_mark(ev), f"不支持 YAML 锚点（&{ev.anchor}）。请删除它，"
                               "把要重复的内容直接写出来。")
            tag = ev.tag
            if tag is not None and tag != "!":
                shown = "!!" + tag[len(_STD_TAG):] if tag.startswith(_STD_TAG) else tag
                raise _Refused(_mark(ev), f"不支持 YAML 标签（{shown}）。请删除它；若想让值保持为"
                               "文字，请用引号把它括起来。")
            nodes += 1
            if nodes > MAX_NODES:
                raise _Refused(_mark(ev), "文件内容过多，超出了处理上限，请拆分为多个文件。")
            sm = ev.start_mark
            mark = Mark(sm.line + 1, sm.column + 1)
            top = stack[-1] if stack else None
            in_map = top is not None and top.key is None and type(top.container) is dict
            if cls is scalar_cls:
                if bad_character(ev.value) is not None:
                    problems.append(_character_problem(ev, text, path))
                if in_map:
                    assert top is not None
                    key = ev.value
                    if key == "<<" and not ev.style:
                        raise _Refused(mark, "不支持 YAML 合并键（<<）。请把内容直接写出来。")
                    if not key.strip():
                        problems.append(Problem(path, mark.line, mark.col, "字段名为空，请写上字段名。"))
                    if key in top.first_lines:
                        problems.append(Problem(
                            path, mark.line, mark.col,
                            f"字段“{key}”重复：第 {top.first_lines[key]} 行已经写过一次。"
                            "YAML 只会保留其中一个，请合并两处内容或删除多余的一处。"))
                    top.key = key
                    top.key_mark = mark
                    key_marks[(*top.loc, key)] = mark
                    continue
                # libyaml reports plain style as '' or None
                value: Any = None if (not ev.style and ev.value in _NULLS and ev.implicit[0]) \
                    else ev.value
            else:
                if in_map:
                    raise _Refused(mark, "字段名必须是简单的文字，不能是列表或映射。")
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(mark, f"嵌套层级过深（超过 {MAX_DEPTH} 层），请检查缩进。")
                value = {} if cls is map_cls else []
            # Attach the value to its parent.
            if top is None:
                doc.data = value
                loc: Loc = ()
            elif type(top.container) is list:
                loc = (*top.loc, len(top.container))
                top.container.append(value)
            else:
                assert top.key is not None
                loc = (*top.loc, top.key)
                if top.key not in top.first_lines:
                    top.first_lines[top.key] = top.key_mark.line if top.key_mark else 0
                    top.container[top.key] = value  # type: ignore[call-overload]
                top.key = None
            value_marks[loc] = mark
            if cls is not scalar_cls:
                stack.append(_Frame(value, loc))
    except _Refused as refused:
        problems.append(Problem(path, refused.mark.line, refused.mark.col, refused.message))
        return None, sorted(problems)
    except yaml.YAMLError as exc:
        problems.append(_problem_from_yaml_error(exc, text, path))
        return None, sorted(problems)
    except Exception as exc:  # a bug of this reader, never the data's fault: say so
        problems.append(internal_error(path, exc))
        return None, problems
    if problems:
        return None, sorted(problems)
    return doc, []
