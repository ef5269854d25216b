"""Rules for the text inside records, checked while reading (SPEC §5 "Text").

* Invisible control characters (C0 except tab and newline, DEL, C1), lone surrogates,
  Unicode non-characters and bidirectional overrides are refused in every field: they come
  from copying out of web pages, Word or chat programs, they make the feed and workbooks
  invalid, they can retitle a terminal, and overrides can make text read differently from
  what it says.
* Record Markdown may nest lists and quotes only so deep: far deeper text is never a real
  document, and it would exhaust the PDF renderer's recursion.
"""

from __future__ import annotations

import re
import unicodedata

import cmarkgfm

# C0 controls except \t and \n; DEL and C1; surrogates; the U+FFFE/U+FFFF non-characters
# (not allowed in XML); the bidi embeddings, overrides and isolates.
BAD_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
                           "\u202a-\u202e\u2066-\u2069]")
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_NESTING = 10


def describe(char: str) -> str:
    """A Chinese name of a refused character, with its code point."""
    code = f"U+{ord(char):04X}"
    if char in _BIDI:
        return f"双向文字控制符（{code}），它会让文字的显示顺序与实际内容不一致"
    if "\ud800" <= char <= "\udfff":
        return f"不完整的字符（{code}）"
    if char in "\ufffe\uffff":
        return f"非字符（{code}）"
    name = unicodedata.name(char, "")
    return f"不可见的控制字符（{code}{'，' + name if name else ''}）"


def character_problem(text: str) -> tuple[int, str] | None:
    """(0-based index, Chinese message) of the first refused character in ``text``."""
    m = BAD_CHARACTER.search(text)
    if m is None:
        return None
    return m.start(), (f"这段文字含有{describe(m.group())}。这类字符常见于从网页、Word 或聊天软件复制的文字，"
                       "看不见但会破坏网站和表格：请删除它（可删掉这段文字后重新输入）。")


# Zero-width characters: harmless in running text (a zero-width joiner holds an emoji
# together), but in a name, an id or a key they make two names that look alike differ,
# break search and sorting, and cannot be seen to be removed.
ZERO_WIDTH = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")


def zero_width_problem(text: str) -> str | None:
    """The Chinese message when ``text`` (a name, id or key) holds a zero-width character."""
    m = ZERO_WIDTH.search(text)
    if m is None:
        return None
    name = unicodedata.name(m.group(), "")
    return (f"这里含有看不见的零宽字符（U+{ord(m.group()):04X}{'，' + name if name else ''}，"
            f"在第 {m.start() + 1} 个字符处）。名称、标识和键中不能有这种字符：它让看起来相同的两个名称"
            "实际上不同，也会影响搜索和排序。请删掉这段文字后重新输入。")


def printable(text: str) -> str:
    """``text`` safe for a terminal: refused characters (ESC among them) shown as ``<U+001B>``
    instead of acting on the terminal. Messages quote what users wrote, so they pass here."""
    if BAD_CHARACTER.search(text) is None:
        return text
    return BAD_CHARACTER.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


_CONTAINER = re.compile(r'<(/?)(ul|ol|blockquote)\b(?:[^>]*?data-sourcepos="(\d+):)?[^>]*>')
_SOURCEPOS = cmarkgfm.cmark.Options.CMARK_OPT_SOURCEPOS


def nesting_depth(markdown: str) -> tuple[int, int]:
    """How deeply lists and block quotes nest in ``markdown`` (as CommonMark reads it), and
    the line (1-based) where the nesting first goes past :data:`MAX_NESTING` (else 0)."""
    # plain CommonMark: lists and quotes nest the same as in GFM, without its extensions' cost
    html = cmarkgfm.markdown_to_html(markdown, options=_SOURCEPOS)
    depth = deepest = 0
    line = 0
    for m in _CONTAINER.finditer(html):
        depth += -1 if m[1] else 1
        if depth > MAX_NESTING and not line and m[3]:
            line = int(m[3])
        deepest = max(deepest, depth)
    return deepest, line


def nesting_problem(markdown: str) -> tuple[int, str] | None:
    """(line within the text, Chinese message) when the text nests too deeply."""
    depth, line = nesting_depth(markdown)
    if depth <= MAX_NESTING:
        return None
    return line or 1, (f"列表或引用嵌套了 {depth} 层，最多 {MAX_NESTING} 层。请减少缩进层次"
                       "（行首的“- ”“1. ”“> ”或空格过多时会形成很深的嵌套）。")
