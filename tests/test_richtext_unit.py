"""``generator.base.richtext`` and ``generator.base.textcheck`` on their own: the sanitiser's
allow-lists, joining hard-wrapped Chinese lines, splitting record Markdown into sections,
hidden markup for plain-text outputs, refused characters and nesting depth. Expected values
are written out by hand."""

from __future__ import annotations

import pytest

from generator.base import richtext, textcheck
from generator.base.richtext import join_cjk_lines, markdown_sections, sanitize, strip_hidden_markup
from generator.base.textcheck import character_problem, describe, nesting_depth, nesting_problem, printable

REL = 'rel="noopener noreferrer nofollow"'

# ---------------------------------------------------------------- sanitiser


@pytest.mark.parametrize(("tag", "attr", "value", "kept"), [
    ("img", "src", "media/photo.jpg", True),
    ("img", "src", "media/a:b.jpg", True),          # a colon after a slash is not a scheme
    ("img", "src", "https://example.org/a.png", False),
    ("img", "src", "HTTP://EXAMPLE.ORG/A.PNG", False),
    ("img", "src", "//example.org/a.png", False),
    ("img", "src", "data:image/png;base64,AAAA", False),
    ("img", "src", "x-y.z+1:thing", False),
    ("th", "style", "text-align: left", True),
    ("td", "style", "text-align: right;", True),
    ("td", "style", "text-align: center;", True),
    ("td", "style", "color: red", False),
    ("td", "style", "text-align: center; color: red", False),
    ("td", "style", "xtext-align: left", False),
    ("div", "class", "sc-table", True),
    ("div", "class", "sc-table extra", False),
    ("span", "class", "highlight", False),
    ("a", "href", "https://example.org/", True),
    ("a", "title", "标题", True),
    ("img", "alt", "https://example.org/ 的截图", True),   # only src is a link
    ("img", "title", "//注释", True),
])
def test_attribute_filter(tag: str, attr: str, value: str, kept: bool) -> None:
    assert richtext._filter(tag, attr, value) == (value if kept else None)


def test_sanitize_keeps_only_the_allowed_markup() -> None:
    dirty = ('<a href="https://e.org">x</a><script>alert(1)</script><p>ok</p><!-- c -->'
             '<a href="javascript:alert(1)">y</a><h1>t</h1><img src="a.jpg" alt="t" onerror="x">')
    assert sanitize(dirty) == (f'<a href="https://e.org" {REL}>x</a><p>ok</p><a {REL}>y</a>t'
                               '<img src="a.jpg" alt="t">')


def test_sanitize_keeps_table_alignment_and_our_table_box_only() -> None:
    table = ('<div class="sc-table"><table><tr><td style="text-align: center;">a</td>'
             '<td style="color: red">b</td></tr></table></div><div class="x">c</div>')
    assert sanitize(table) == ('<div class="sc-table"><table><tbody><tr>'
                               '<td style="text-align: center;">a</td><td>b</td></tr></tbody>'
                               '</table></div><div>c</div>')


@pytest.mark.parametrize(("url", "kept"), [
    ("http://e.org", True), ("https://e.org", True), ("mailto:a@e.org", True),
    ("tel:+86-736-1234567", True), ("ftp://e.org", False), ("javascript:x", False),
])
def test_link_schemes(url: str, kept: bool) -> None:
    href = f' href="{url}"' if kept else ""
    assert sanitize(f'<a href="{url}">x</a>') == f"<a{href} {REL}>x</a>"


# ---------------------------------------------------------------- hard-wrapped Chinese

@pytest.mark.parametrize(("text", "joined"), [
    ("第一行\n第二行", "第一行第二行"),
    ("甲，\n乙。\n丙", "甲，乙。丙"),                      # full-width punctuation joins too
    ("㐀\n豈\n！", "㐀豈！"),                             # extension A, compatibility, full-width
    ("English\n第二行", "English\n第二行"),
    ("第一行\nEnglish", "第一行\nEnglish"),
    ("甲\n\n乙", "甲\n\n乙"),
    ("# 标题\n正文", "# 标题\n正文"),
    ("  ## 标题\n正文", "  ## 标题\n正文"),
    ("|表\n正文", "|表\n正文"),
    ("```\n代码\n代码\n```\n乙\n丙", "```\n代码\n代码\n```\n乙丙"),
    ("~~~\n代码\n代码\n~~~", "~~~\n代码\n代码\n~~~"),
    ("  ```\n代码\n代码\n  ```", "  ```\n代码\n代码\n  ```"),
    ("甲\n```\n乙", "甲\n```\n乙"),
    ("```\n代码\n```中文\n乙", "```\n代码\n```中文\n乙"),    # nothing is glued to a fence line
    ("~~~\n代码\n~~~中文\n乙", "~~~\n代码\n~~~中文\n乙"),
    ("第一行", "第一行"),
    ("", ""),
])
def test_join_cjk_lines(text: str, joined: str) -> None:
    assert join_cjk_lines(text) == joined


# ---------------------------------------------------------------- sections

def test_sections_of_nothing_and_of_plain_prose() -> None:
    assert markdown_sections(None) == []
    assert markdown_sections("") == []
    assert markdown_sections("正文") == [(0, "", "<p>正文</p>")]


def test_sections_split_at_top_level_headings() -> None:
    text = "引言\n\n## 甲\n\n内容一\n\n## 乙\n\n内容二"
    assert markdown_sections(text) == [
        (0, "", "<p>引言</p>"), (2, "甲", "<p>内容一</p>"), (2, "乙", "<p>内容二</p>")]


def test_a_heading_inside_a_quote_list_or_table_stays_in_its_section() -> None:
    assert markdown_sections("> ## 引\n\n## 甲\n\n文") == [
        (0, "", "<blockquote>\n<h2>引</h2>\n</blockquote>"), (2, "甲", "<p>文</p>")]
    assert markdown_sections("- ## 项\n\n## 甲\n\n文") == [
        (0, "", "<ul>\n<li>\n<h2>项</h2>\n</li>\n</ul>"), (2, "甲", "<p>文</p>")]


def test_a_heading_after_a_closed_inner_list_is_still_inside_the_quote() -> None:
    assert markdown_sections("> - 项\n>\n> ## 引内\n\n## 外\n\n文") == [
        (0, "", "<blockquote>\n<ul>\n<li>项</li>\n</ul>\n<h2>引内</h2>\n</blockquote>"),
        (2, "外", "<p>文</p>")]


def test_headings_keep_their_relative_levels_and_empty_sections() -> None:
    assert markdown_sections("# 大\n\n## 小", level=2) == [(2, "大", ""), (3, "小", "")]
    assert markdown_sections("# 大\n\n## 小", level=3) == [(3, "大", ""), (4, "小", "")]


def test_a_heading_title_is_its_plain_text() -> None:
    assert markdown_sections("## **粗** &amp; 细\n\n文") == [(2, "粗 & 细", "<p>文</p>")]
    assert markdown_sections("## a  \t b") == [(2, "a b", "")]


# ---------------------------------------------------------------- hidden markup

@pytest.mark.parametrize(("text", "shown"), [
    ("没有标签 1 < 2", "没有标签 1 < 2"),
    ("a<!-- 注释 -->b", "ab"),
    ("a<!-- 没有结束", "a"),
    ("a<script>x()</script>b", "ab"),
    ("a<SCRIPT type='x'>x()</SCRIPT >b", "ab"),
    ("a<style>\np{}\n</style>b", "ab"),
    ("a<iframe src=x>", "a"),
    ("a<template>t</template><noscript>n</noscript><object>o</object>b", "ab"),
    ("<b>粗</b>体", "粗体"),
    ("<img src=x onerror=alert(1)/>图", "图"),
    ("<!DOCTYPE html>文", "文"),
    ("<?php echo 1; ?>文", "文"),
    ("见 <https://example.org>", "见 <https://example.org>"),
])
def test_strip_hidden_markup(text: str, shown: str) -> None:
    assert strip_hidden_markup(text) == shown


def test_text_without_a_tag_is_returned_as_is() -> None:
    text = "".join(["纯", "文本"])
    assert strip_hidden_markup(text) is text


# ---------------------------------------------------------------- refused characters

@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85",
                                  "\x9f", "\ud800", "\udfff", "\ufffe", "\uffff", "\u202a",
                                  "\u202e", "\u2066", "\u2069"])
def test_refused_characters(char: str) -> None:
    found = character_problem(f"ab{char}c{char}")
    assert found is not None and found[0] == 2


@pytest.mark.parametrize("char", ["\t", "\n", " ", "~", "\xa0", "\u2029", "\u202f", "\u2065",
                                  "\u206a", "\ufffd", "中", "\U0001f600"])
def test_allowed_characters(char: str) -> None:
    assert character_problem(f"ab{char}c") is None
    assert printable(f"ab{char}c") == f"ab{char}c"


def test_the_message_names_the_character() -> None:
    assert character_problem("ab\x00c") == (2, (
        "这段文字含有不可见的控制字符（U+0000）。这类字符常见于从网页、Word 或聊天软件复制的文字，"
        "看不见但会破坏网站和表格：请删除它（可删掉这段文字后重新输入）。"))


@pytest.mark.parametrize(("char", "name"), [
    ("\u202e", "双向文字控制符（U+202E），它会让文字的显示顺序与实际内容不一致"),
    ("\u2066", "双向文字控制符（U+2066），它会让文字的显示顺序与实际内容不一致"),
    ("\ud800", "不完整的字符（U+D800）"),
    ("\udfff", "不完整的字符（U+DFFF）"),
    ("\ufffe", "非字符（U+FFFE）"),
    ("\uffff", "非字符（U+FFFF）"),
    ("\x1b", "不可见的控制字符（U+001B）"),
    ("\x7f", "不可见的控制字符（U+007F）"),
    ("A", "不可见的控制字符（U+0041，LATIN CAPITAL LETTER A）"),
    ("\ud7ff", "不可见的控制字符（U+D7FF）"),
    ("\ue000", "不可见的控制字符（U+E000）"),
])
def test_describe(char: str, name: str) -> None:
    assert describe(char) == name


def test_printable_shows_refused_characters_as_code_points() -> None:
    assert printable("a\x1b[31mb\u202e") == "a<U+001B>[31mb<U+202E>"
    text = "".join(["正常", "文字"])
    assert printable(text) is text


# ---------------------------------------------------------------- nesting

def test_nesting_depth_of_lists_and_quotes() -> None:
    assert nesting_depth("正文") == (0, 0)
    assert nesting_depth("- a\n  - b\n    1. c") == (3, 0)
    assert nesting_depth("> " * 10 + "x") == (10, 0)
    assert nesting_depth("> " * 11 + "x") == (11, 1)
    assert nesting_depth("x\n\n" + "> " * 12 + "y") == (12, 3)
    # two separate quotes do not add up, and a closed list is left
    assert nesting_depth("> a\n\nb\n\n> c") == (1, 0)
    assert nesting_depth("- a\n  - b\n- c\n  - d\n    - e") == (3, 0)


def test_nesting_problem_at_the_limit() -> None:
    assert textcheck.MAX_NESTING == 10
    assert nesting_problem("> " * 10 + "x") is None
    assert nesting_problem("x\n\n" + "> " * 11 + "y") == (3, (
        "列表或引用嵌套了 11 层，最多 10 层。请减少缩进层次"
        "（行首的“- ”“1. ”“> ”或空格过多时会形成很深的嵌套）。"))
