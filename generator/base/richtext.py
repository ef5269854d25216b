"""Record text into pages, safely.

* :func:`markdown_html` renders a record's Markdown field to HTML with a fixed, small set of
  extensions (no raw-HTML attribute lists, no md_in_html) and then sanitises it with nh3:
  raw HTML, ``javascript:`` links, event handlers and remote images cannot survive.
* :func:`md_escape` makes plain text literal inside generated Markdown (titles, table cells).
* :func:`html_escape` is for text placed inside generated HTML.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options as CmarkOptions
from markupsafe import Markup

# Characters Python-Markdown (with the tables extension) treats as syntax and accepts
# backslash-escaped. "<" and "&" are turned into entities instead.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")

_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup", "code",
    "pre", "blockquote", "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "table", "thead",
    "tbody", "tr", "th", "td", "a", "img", "div", "span",
}
_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "div": {"class"},
    "span": {"class"},
}
_SCHEMES = {"http", "https", "mailto", "tel"}
_ALIGN_STYLE = re.compile(r"^text-align: (left|right|center);?$")


def _filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        # Only local images: a remote one would make readers' browsers call other hosts.
        return None if re.match(r"^([a-z][a-z0-9+.-]*:|//)", value, re.I) else value
    if attr == "style":
        return value if _ALIGN_STYLE.match(value) else None
    if attr == "class":
        return value if value in {"sc-table"} else None
    return value


def sanitize(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRS,
        url_schemes=_SCHEMES,
        attribute_filter=_filter,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


_CJK_END = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]$")
_CJK_START = re.compile(r"^[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def join_cjk_lines(text: str) -> str:
    """Join hard-wrapped lines of Chinese prose: a line break between two Chinese characters
    would show as a stray space. Headings, tables and code blocks are left alone."""
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        prev = out[-1] if out else ""
        if (not fenced and out and _CJK_START.match(line) and _CJK_END.search(prev)
                and not prev.lstrip().startswith(("#", "|", "```", "~~~"))):
            out[-1] = prev + line
        else:
            out.append(line)
    return "\n".join(out)


_HEADING = re.compile(r"<(/?)h([1-6])>")
# GitHub-flavoured Markdown in C (cmark-gfm): about 20 times faster than Python-Markdown,
# which matters at province scale. Its safe mode already drops raw HTML and javascript:
# links; nh3 runs after it all the same.
_CMARK = CmarkOptions.CMARK_OPT_DEFAULT


@lru_cache(maxsize=4096)
def markdown_html(text: str | None, *, level: int = 3) -> Markup:
    """Sanitised HTML of record Markdown; its top-level headings become ``<h{level}>``."""
    if not text or not text.strip():
        return Markup("")
    rendered = cmarkgfm.github_flavored_markdown_to_html(join_cjk_lines(text), options=_CMARK)
    # The text's own top heading level (staff write "#" or "##") becomes h{level}.
    levels = [int(m[2]) for m in _HEADING.finditer(rendered) if not m[1]]
    if levels:
        shift = level - min(levels)
        rendered = _HEADING.sub(lambda m: f"<{m[1]}h{max(1, min(6, int(m[2]) + shift))}>", rendered)
    # Wide tables scroll inside their own box instead of widening a phone's page.
    rendered = rendered.replace("<table>", '<div class="sc-table"><table>').replace(
        "</table>", "</table></div>")
    return Markup(sanitize(rendered))


# A heading at the top level of rendered record HTML (not inside a quote, list or table).
_SECTION_HEADING = re.compile(r"<h([2-6])>(.*?)</h\1>", re.S)
_CONTAINER = re.compile(r"<(/?)(blockquote|ul|ol|table|div)\b[^>]*>")


def markdown_sections(text: str | None, *, level: int = 2) -> list[tuple[int, str, Markup]]:
    """Record Markdown as (heading level, heading text, HTML below it) sections, so that a
    page template can write the headings as Markdown: the engine then gives them ids and
    lists them in the page's table of contents. The first section's heading is "" when the
    text starts with prose; the HTML is :func:`markdown_html`'s, sanitised."""
    rendered = str(markdown_html(text, level=level))
    sections: list[tuple[int, str, Markup]] = []
    depth, start = 0, 0
    current: tuple[int, str] = (0, "")
    pos = 0
    while True:
        heading = _SECTION_HEADING.search(rendered, pos)
        stop = heading.start() if heading else len(rendered)
        for m in _CONTAINER.finditer(rendered, pos, stop):
            depth += -1 if m[1] else 1
        if heading is None:
            break
        pos = heading.end()
        if depth > 0:
            continue
        body = rendered[start:heading.start()].strip()
        if current[1] or body:
            sections.append((*current, Markup(body)))
        title = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", "", heading[2]))).strip()
        current, start = (int(heading[1]), title), heading.end()
    body = rendered[start:].strip()
    if current[1] or body:
        sections.append((*current, Markup(body)))
    return sections


def md_escape(text: object) -> str:
    """Text that Markdown will show literally (names with ``| * _ [ ] #`` included)."""
    escaped = html.escape(str(text), quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    # A newline would end a table cell or heading: keep the text on one line.
    return re.sub(r"\s*\n\s*", " ", escaped)


def html_escape(text: object) -> Markup:
    return Markup.escape(str(text))


@lru_cache(maxsize=4096)
def plain_text(text: str | None) -> str:
    """Markdown to one line of plain text (for summaries, feeds and search snippets)."""
    if not text:
        return ""
    stripped = re.sub(r"<[^>]*>", "", str(markdown_html(text)))
    return re.sub(r"\s+", " ", html.unescape(stripped)).strip()


_HIDDEN_ELEMENT = re.compile(r"<(script|style|template|iframe|object|noscript)\b.*?(</\1\s*>|\Z)",
                             re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.S)
# Raw HTML tags (not CommonMark autolinks such as <https://…>, which are text to readers).
_RAW_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>|<![A-Za-z][^<>]*>|<\?.*?\?>", re.S)


def strip_hidden_markup(text: str) -> str:
    """Record Markdown as readers see it, for plain-text outputs (open data): HTML comments,
    script-like elements and raw HTML tags removed. Pages never show them (the renderer drops
    raw HTML), so JSON and CSV must not publish them either."""
    if "<" not in text:
        return text
    text = _COMMENT.sub("", text)
    text = _HIDDEN_ELEMENT.sub("", text)
    return _RAW_TAG.sub("", text)
