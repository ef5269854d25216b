"""Names in generated Markdown show literally: ``md_escape`` against every special character
in every context a template puts text in (heading, link text, list item, table cell), read
back through the same Markdown engine and extensions as the site (mkdocs.yml)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml

from generator.base.richtext import html_escape, md_escape

REPO = Path(__file__).resolve().parent.parent
SPECIALS = "\\`*_{}[]()#+-.!|>~<&\"'"
NAMES = [
    SPECIALS,
    "".join(f"甲{c}乙" for c in SPECIALS),
    "**粗体** _斜体_ `代码` [链接](http://x.example/) <b>标签</b> &amp; &lt;",
    "# 不是标题",
    "1. 不是列表",
    "- 不是列表",
    "> 不是引用",
    "| 不是 | 表格 |",
    "<!-- 不是注释 -->",
    "{: onclick=alert(1) }",
    "<script>alert(1)</script>",
    "行一\n行二",
    "  前后空格  ",
    "===",
    "\\*已转义\\*",
    "A_B_C 与 a*b*c",
    "~~删除线~~ ^上标^",
    ":smile: [^1]",
]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _render(source: str) -> tuple[str, list[str]]:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    # the extensions as configured (the slugify function is irrelevant to escaping)
    extensions = yaml.load(config.replace("!!python/object/apply:pymdownx.slugs.slugify", ""),
                           Loader=yaml.BaseLoader)["markdown_extensions"]
    names = [e if isinstance(e, str) else next(iter(e)) for e in extensions]
    html_out = markdown.markdown(source, extensions=names)
    parser = _Text()
    parser.feed(html_out)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip(), parser.tags


def _expected(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()


CONTEXTS = {
    "heading": ("# {}\n", ["h1"]),
    "link text": ("[{}](../x/)\n", ["p", "a"]),
    "list item": ("- [{}](../x/)\n- 其他\n", ["ul", "li", "a", "li"]),
    "table cell": ("| 名称 | 数量 |\n|---|---|\n| {} | 1 |\n",
                   ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]),
    "paragraph": ("前文 {} 后文\n", ["p"]),
}


@pytest.mark.parametrize("context", sorted(CONTEXTS))
@pytest.mark.parametrize("name", NAMES, ids=[f"name{i}" for i in range(len(NAMES))])
def test_escaped_text_reads_back_literally(context: str, name: str) -> None:
    template, tags = CONTEXTS[context]
    text, seen = _render(template.format(md_escape(name)))
    literal = _expected(name)
    if context == "list item":
        literal += " 其他"
    elif context == "table cell":
        literal = f"名称 数量 {literal} 1"
    elif context == "paragraph":
        literal = f"前文 {literal} 后文"
    assert text == literal
    assert seen == tags  # no markup made from the name: no <em>, <code>, <a>, <script>…


def test_html_escape_makes_markup_text() -> None:
    assert str(html_escape('<a href="x">&</a>')) == "&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;"
    assert html.unescape(str(html_escape("“引号” & <b>"))) == "“引号” & <b>"


def test_quotes_and_apostrophes_stay_as_they_are() -> None:
    """Only what Markdown would read as syntax is escaped: quotes are plain text there, and
    entities would only make the generated pages larger and harder to compare."""
    assert md_escape('他说"好"，It\'s') == '他说"好"，It\'s'
