"""The chart and the QR code of a printed document as drawing operations (:mod:`.typeset`).

The charts are the site's own SVG (``site/charts.py``): rectangles and text in a view box,
coloured by the rules of :data:`.charts.CHART_STYLE`. That small part of SVG is drawn here
as vector rectangles and text in the document's fonts; any other element is a programming
error and raises (a new kind of chart needs its drawing here first). The QR code is drawn
module by module from :func:`base.qr.qr_modules`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..base.qr import qr_modules, short_url
from .blocks import Chart, PageLink
from .charts import CHART_STYLE
from .typeset import (
    BLACK,
    CHART_SANS,
    MM,
    TEXT_W,
    Colour,
    Elem,
    Line,
    Op,
    RectOp,
    Slice,
    Style,
    Styles,
    baseline_in,
    break_lines,
    line_ops,
    style,
)

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
QR_SIZE = 25 * MM


def _colour(value: str) -> Colour | None:
    value = value.strip()
    if value == "none":
        return None
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return tuple(int(value[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return tuple(int(c * 2, 16) / 255 for c in value[1:])  # type: ignore[return-value]
    raise ValueError(f"chart colour {value!r}")


def _rules() -> list[tuple[tuple[int, int, int], list[str], dict[str, str]]]:
    """(specificity, selector parts, declarations) of the chart stylesheet, in order."""
    out = []
    for order, (selectors, body) in enumerate(_RULE.findall(CHART_STYLE)):
        decls = {k.strip(): v.strip() for k, _, v in
                 (d.partition(":") for d in body.split(";") if ":" in d)}
        for selector in selectors.split(","):
            parts = selector.split()
            classes = sum(p.startswith(".") for p in parts)
            out.append(((classes, len(parts) - classes, order), parts, decls))
    return sorted(out, key=lambda r: r[0])


_CHART_RULES = _rules()


def _matches(part: str, tag: str, classes: set[str]) -> bool:
    return part[1:] in classes if part.startswith(".") else part == tag


def _computed(tag: str, classes: set[str], ancestors: list[set[str]]) -> dict[str, str]:
    props: dict[str, str] = {}
    for _spec, parts, decls in _CHART_RULES:
        if not _matches(parts[-1], tag, classes):
            continue
        if len(parts) == 2 and not any(_matches(parts[0], "g", a) for a in ancestors):
            continue
        if len(parts) > 2:
            continue
        props.update(decls)
    return props


def chart_slice(block: Chart, parent: Elem, st: Styles) -> Slice:
    """The chart (150 mm wide, centred) with its caption, as one figure."""
    root = ET.fromstring(str(block.svg))
    view = [float(v) for v in root.get("viewBox", "0 0 100 50").split()]
    width = min(block.width_mm * MM, TEXT_W)
    scale = width / view[2]
    height = view[3] * scale
    left = (TEXT_W - width) / 2
    title = root.findtext("title") or root.get("aria-label") or block.caption
    figure = Elem("Figure", parent, alt=title,
                  attrs={"O": "/Layout", "Placement": "/Block"})
    top = 0.0
    ops: list[Op] = []

    def walk(node: ET.Element, ancestors: list[set[str]], font_size: float) -> None:
        for child in node:
            tag = child.tag
            classes = set((child.get("class") or "").split())
            size = float(child.get("font-size") or font_size)
            props = _computed(tag, classes, ancestors)
            if tag in ("title", "desc"):
                continue
            if tag == "g":
                walk(child, [*ancestors, classes], size)
                continue
            if tag == "rect":
                x = left + (float(child.get("x", 0)) - view[0]) * scale
                y = top + (float(child.get("y", 0)) - view[1]) * scale
                w = float(child.get("width", 0)) * scale
                h = float(child.get("height", 0)) * scale
                fill = _colour(child.get("fill") or props.get("fill", "#000"))
                if fill is not None:
                    ops.append(RectOp(figure, x, y, w, h, fill))
                stroke = _colour(child.get("stroke") or props.get("stroke", "none"))
                if stroke is not None:
                    lw = float(child.get("stroke-width") or props.get("stroke-width", "1")) * scale
                    ops.append(RectOp(figure, x, y, w, h, stroke, lw))
                continue
            if tag == "text":
                text = "".join(child.itertext())
                bold = (child.get("font-weight") or props.get("font-weight", "")) in ("bold", "700")
                sty = style(CHART_SANS, size * scale, size * scale, bold=bold)
                fill = _colour(child.get("fill") or props.get("fill", "#000")) or BLACK
                line = _single_line(text, sty)
                anchor = child.get("text-anchor", "start")
                x = left + (float(child.get("x", 0)) - view[0]) * scale
                if anchor == "middle":
                    x -= line.width / 2
                elif anchor == "end":
                    x -= line.width
                y = top + (float(child.get("y", 0)) - view[1]) * scale
                ops.extend(line_ops(line, sty, figure, x, y, line.width, colour=fill))
                continue
            raise ValueError(f"<{tag}> in a chart: not drawn in PDFs (paper/figures.py)")

    walk(root, [], 16.0)
    cap = Elem("Caption", figure)
    cst = st.figcaption
    lines = break_lines(block.caption, cst, TEXT_W)
    base = top + height + baseline_in(cst)
    for i, line in enumerate(lines):
        ops.extend(line_ops(line, cst, cap, 0.0, base + i * cst.leading, TEXT_W))
    return Slice(height + len(lines) * cst.leading, ops, margin_top=8.0, margin_bottom=14.0)


def _single_line(text: str, sty: Style) -> Line:
    lines = break_lines(text.replace("\n", " "), sty, 1e9)
    return lines[0]


def link_slice(block: PageLink, parent: Elem, st: Styles) -> Slice:
    """The page's QR code (25 mm, the size a phone scans at arm's length) and the short
    address under it, kept together."""
    modules = qr_modules(block.url)
    n = len(modules)
    unit = QR_SIZE / n
    figure = Elem("Figure", parent, alt=f"二维码：{block.label} {block.url}",
                  attrs={"O": "/Layout", "Placement": "/Block"})
    ops: list[Op] = [RectOp(figure, 0.0, 0.0, QR_SIZE, QR_SIZE, (1.0, 1.0, 1.0))]
    for r, row in enumerate(modules):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                ops.append(RectOp(figure, start * unit, r * unit, (c - start) * unit, unit, BLACK))
            else:
                c += 1
    para = Elem("P", parent)
    lst = st.link_text
    lines = break_lines(f"{block.label}：{short_url(block.url)}", lst, TEXT_W)
    base = QR_SIZE + 2.0 + baseline_in(lst)
    for i, line in enumerate(lines):
        ops.extend(line_ops(line, lst, para, 0.0, base + i * lst.leading, TEXT_W))
    return Slice(QR_SIZE + 2.0 + len(lines) * lst.leading, ops, margin_top=14.0)
