"""Generated pages reach the Markdown engine as HTML where they are HTML.

Our templates and cmark-gfm have already rendered cards, tables, record text and charts to
HTML. Left as plain raw HTML blocks in the Markdown, Python-Markdown would parse all of it
again with ``html.parser`` (its raw-HTML extractor) — about a third of a whole build. So
every top-level HTML block of a generated page is written between two marker comments,
``<!--sc-html-->`` and ``<!--/sc-html-->``, and the Markdown extension of this module
(``generator.site.fences`` in ``markdown_extensions``) stashes each marked block whole,
before any other preprocessor sees it: one regular expression per page, and the block is
copied through unchanged. Headings stay Markdown (the engine gives them ids and a table of
contents), and so does the little real Markdown the templates write.

An engine configured without the extension still renders the same page: the markers are
ordinary HTML comments and the blocks ordinary raw HTML — only slower. MkDocs, ProperDocs
and Zensical all render with Python-Markdown and load the extension from the configuration.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

EXTENSION = "generator.site.fences"
OPEN = "<!--sc-html-->"
CLOSE = "<!--/sc-html-->"

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
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")
_COMMENT_LINE = re.compile(r"^<!--.*-->\s*$")
_MARKED = re.compile(rf"^{re.escape(OPEN)}\n(.*?)\n{re.escape(CLOSE)}$", re.M | re.S)


class _Passthrough(Preprocessor):  # type: ignore[misc]
    """Each marked block becomes one stash placeholder on a line of its own."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if OPEN not in text:
            return lines
        store = self.md.htmlStash.store
        text = _MARKED.sub(lambda m: f"\n{store(m[1])}\n", text)
        return text.split("\n")


class PassthroughExtension(Extension):  # type: ignore[misc]
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After whitespace normalisation (30), before fenced code (25) and raw HTML (20).
        md.preprocessors.register(_Passthrough(md), "showcase_passthrough", 29)


def makeExtension(**kwargs: Any) -> PassthroughExtension:  # noqa: N802
    return PassthroughExtension(**kwargs)


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


def wrap_html_blocks(page: str) -> str:
    """``page`` (Markdown with front matter) with every top-level HTML block marked;
    consecutive blocks share one pair of markers."""
    lines = page.split("\n")
    out: list[str] = []
    i = 0
    if lines and lines[0] == "---":  # front matter stays as it is
        end = lines.index("---", 1)
        out, i = lines[: end + 1], end + 1
    previous_blank = True
    open_block = False

    def close() -> None:
        nonlocal open_block
        if open_block:
            while out and not out[-1].strip():
                out.pop()
            out.extend([CLOSE, ""])
            open_block = False

    while i < len(lines):
        line = lines[i]
        if previous_blank and _COMMENT_LINE.match(line) and not line.startswith(OPEN):
            # A comment on a line of its own stays outside the blocks: engines and their
            # plugins look for markers such as <!-- material/tags --> in the Markdown.
            close()
            if out and out[-1].strip():
                out.append("")
            out.append(line)
            if i + 1 < len(lines) and lines[i + 1].strip():
                out.append("")  # so that a block right after it is seen as one
            i += 1
            previous_blank = True
            continue
        opening = _OPEN_TAG.match(line) if previous_blank else None
        if opening and opening[1].lower() in _BLOCK_LEVEL:
            end = _block_end(lines, i, opening[1])
            # The block runs on to the end of its last line; following lines up to a blank
            # line belong to it too (Python-Markdown keeps them in the raw block).
            while end + 1 < len(lines) and lines[end + 1].strip():
                end += 1
            if not open_block:
                if out and out[-1].strip():
                    out.append("")
                out.append(OPEN)
                open_block = True
            else:
                out.append("")
            out += lines[i:end + 1]
            i = end + 1
            previous_blank = True
            continue
        if line.strip():
            close()
        elif open_block:
            i += 1  # blank lines between two blocks stay inside the pair
            previous_blank = True
            continue
        out.append(line)
        previous_blank = not line.strip()
        i += 1
    close()
    return "\n".join(out)
