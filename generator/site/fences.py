"""Generated pages reach the Markdown engine as HTML where they are HTML.

Our templates and cmark-gfm have already rendered cards, tables, record text and charts to
HTML. Left as raw HTML blocks in the Markdown, Python-Markdown would parse all of it again
with ``html.parser`` (its raw-HTML extractor) — about a third of a whole build. So every
top-level HTML block of a generated page is wrapped in a fence of the custom
``pymdownx.superfences`` type ``sc-html`` whose formatter (:func:`raw_html`) returns the
block unchanged: superfences runs before the HTML parser and stashes the result, so the
block is copied through as it is. Headings stay Markdown (the engine gives them ids and a
table of contents), and so does the little real Markdown the templates write.

Each of the three engines (MkDocs, ProperDocs, Zensical) renders with Python-Markdown and
reads ``custom_fences`` from the configuration, so the same page gives the same HTML.
"""

from __future__ import annotations

import re
from typing import Any

FENCE_NAME = "sc-html"
# The configuration entry every engine needs (generated into each engine's config).
CUSTOM_FENCE = {"name": FENCE_NAME, "class": FENCE_NAME, "format": "generator.site.fences.raw_html"}

# Python-Markdown's block-level elements (markdown.util.BLOCK_LEVEL_ELEMENTS), the ones whose
# tag at the start of a line opens a raw HTML block; an inline tag there starts a paragraph.
_BLOCK_LEVEL = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "ul",
    "canvas", "colgroup", "dd", "body", "dt", "group", "html", "iframe", "li", "legend",
    "math", "map", "noscript", "output", "object", "option", "progress", "script", "style",
    "summary", "tbody", "td", "textarea", "tfoot", "th", "thead", "tr", "video", "center",
}
_OPEN = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")
_BACKTICKS = re.compile(r"^(`{3,})", re.M)
_COMMENT_LINE = re.compile(r"^<!--.*-->\s*$")


def raw_html(source: str, language: str, css_class: str, options: dict[str, Any], md: Any,
             **kwargs: Any) -> str:
    """The superfences formatter of ``sc-html`` fences: the block, unchanged."""
    return source


def _block_end(lines: list[str], start: int, tag: str) -> int:
    """Index of the last line of the raw HTML block that starts at ``lines[start]`` with
    ``<tag``: where the first tag's matching end tag closes it (Python-Markdown's rule),
    else the first blank line."""
    pattern = re.compile(rf"<(/?){re.escape(tag)}(?=[\s/>])[^>]*?(/?)>", re.I)
    depth = 0
    for i in range(start, len(lines)):
        for m in pattern.finditer(lines[i]):
            if m[1]:
                depth -= 1
            elif not m[2]:
                depth += 1
        if depth <= 0:
            return i
    # unbalanced (never in our own output): up to the next blank line
    for i in range(start, len(lines)):
        if not lines[i].strip():
            return i - 1
    return len(lines) - 1


def _fence(block: list[str]) -> list[str]:
    runs = [len(m) for m in _BACKTICKS.findall("\n".join(block))]
    ticks = "`" * max(3, max(runs, default=0) + 1)
    return [f"{ticks}{FENCE_NAME}", *block, ticks]


def wrap_html_blocks(page: str) -> str:
    """``page`` (Markdown with front matter) with every top-level HTML block fenced."""
    lines = page.split("\n")
    out: list[str] = []
    i = 0
    if lines and lines[0] == "---":  # front matter stays as it is
        end = lines.index("---", 1)
        out, i = lines[: end + 1], end + 1
    previous_blank = True
    while i < len(lines):
        line = lines[i]
        if previous_blank and _COMMENT_LINE.match(line):
            # A comment on a line of its own stays outside the fences: engines and their
            # plugins look for markers such as <!-- material/tags --> in the Markdown.
            if out and out[-1].strip():
                out.append("")
            out += [line, ""]
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            previous_blank = True
            continue
        opening = _OPEN.match(line) if previous_blank else None
        comment = previous_blank and line.startswith("<!--")
        if opening and opening[1].lower() in _BLOCK_LEVEL or comment:
            if comment:
                end = next((j for j in range(i, len(lines)) if "-->" in lines[j]), i)
            else:
                assert opening is not None
                end = _block_end(lines, i, opening[1])
            # The block runs on to the end of its last line; following lines up to a blank
            # line belong to it too (Python-Markdown keeps them in the raw block).
            while end + 1 < len(lines) and lines[end + 1].strip():
                end += 1
            if out and out[-1].strip():
                out.append("")
            out += _fence(lines[i:end + 1])
            if end + 1 < len(lines) and lines[end + 1].strip():
                out.append("")
            i = end + 1
            previous_blank = True
            continue
        out.append(line)
        previous_blank = not line.strip()
        i += 1
    return "\n".join(out)
