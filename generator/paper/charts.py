"""The site's SVG charts (``site/charts.py``) on paper.

On the site their colours come from the stylesheet; a chart on its own (in a PDF, or turned
into the picture a Word file needs) carries the same rules inside the SVG. Word and WPS do
not reliably show SVG, so the .docx gets the chart as a 300 dpi PNG drawn by CairoSVG
(fonts through fontconfig, like WeasyPrint)."""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup

# theme/assets/showcase.css, for a chart outside the site.
CHART_STYLE = (
    "text{font-family:'Noto Sans CJK SC','Source Han Sans SC','黑体',sans-serif;fill:#1f1f1f}"
    ".sc-legend text{fill:#555}"
    ".sc-chart-figure{font-weight:700;fill:#8e1212}"
    ".sc-bar-target{fill:#f6e3e3;stroke:#d9a5a5;stroke-width:1}"
    ".sc-bar-actual{fill:#b71c1c}"
    ".sc-bar-inner{fill:#7a1010}"
    ".sc-ring-track{stroke:#f3dede}.sc-ring-value{stroke:#b71c1c}"
    ".sc-ring-figure{fill:#8e1212}.sc-ring-caption{fill:#555}"
)
_OPEN_TAG = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')
PRINT_DPI = 300


def styled_svg(svg: Markup | str) -> Markup:
    """The chart with its colours inside (and the SVG namespace a standalone file needs)."""
    text = str(svg)
    match = _OPEN_TAG.search(text)
    if match is None:
        return Markup(text)
    tag = match.group(0)
    if "xmlns=" not in tag:
        tag = tag.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return Markup(text[:match.start()] + tag + f"<style>{CHART_STYLE}</style>" + text[match.end():])


def aspect(svg: Markup | str) -> float:
    """Height / width of the chart's view box."""
    match = _VIEWBOX.search(str(svg))
    if match is None:
        return 0.5
    return float(match.group(2)) / float(match.group(1))


def chart_png(svg: Markup | str, width_mm: float) -> tuple[bytes, float]:
    """The chart as a PNG for ``width_mm`` at 300 dpi, and its height in millimetres."""
    return _png(str(svg), width_mm), round(width_mm * aspect(svg), 2)


@lru_cache(maxsize=64)
def _png(svg: str, width_mm: float) -> bytes:
    import cairosvg

    pixels = round(width_mm / 25.4 * PRINT_DPI)
    data = cairosvg.svg2png(bytestring=str(styled_svg(svg)).encode("utf-8"),
                            output_width=pixels, background_color="white")
    assert isinstance(data, bytes)
    return data
