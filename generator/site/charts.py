"""Charts as inline SVG, drawn at build time: readable without JavaScript, printable,
accessible (``role="img"`` with a title; the same numbers are always in a table beside).

Colours come from CSS classes (theme/assets/showcase.css), so print and dark styles apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class BarRow:
    label: str
    target: int | None
    actual: int
    inner: int | None = None  # e.g. demonstration sites among the actual candidates


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def quota_bars(rows: list[BarRow], *, title: str, actual_label: str = "实际",
               inner_label: str = "其中示范点") -> Markup:
    """Horizontal bars: target as an outlined bar, actual filled, ``inner`` darker inside."""
    label_w, bar_w, row_h, top = 132, 420, 30, 34
    scale_max = max([1, *(r.actual for r in rows), *(r.target or 0 for r in rows)])
    height = top + row_h * len(rows) + 8
    width = label_w + bar_w + 70
    parts = [
        f'<svg class="sc-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        # legend
        '<g class="sc-legend" font-size="12">',
        '<rect x="0" y="6" width="14" height="10" class="sc-bar-target"/>',
        '<text x="20" y="15">目标</text>',
        '<rect x="64" y="6" width="14" height="10" class="sc-bar-actual"/>',
        f'<text x="84" y="15">{escape(actual_label)}</text>',
    ]
    if any(r.inner is not None for r in rows):
        parts += ['<rect x="150" y="6" width="14" height="10" class="sc-bar-inner"/>',
                  f'<text x="170" y="15">{escape(inner_label)}</text>']
    parts.append("</g>")
    for i, row in enumerate(rows):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="13" '
                     f'class="sc-chart-label">{escape(row.label)}</text>')
        if row.target:
            w = bar_w * row.target / scale_max
            parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{_fmt(w)}" height="18" '
                         'class="sc-bar-target"/>')
        w_actual = bar_w * row.actual / scale_max
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{_fmt(w_actual)}" height="12" '
                     'class="sc-bar-actual"/>')
        if row.inner:
            w_inner = bar_w * row.inner / scale_max
            parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{_fmt(w_inner)}" height="12" '
                         'class="sc-bar-inner"/>')
        figure = f"{row.actual}" + (f" / {row.target}" if row.target is not None else "")
        x_text = label_w + bar_w * max(row.actual, row.target or 0) / scale_max + 6
        parts.append(f'<text x="{_fmt(x_text)}" y="{y + 15}" font-size="12" '
                     f'class="sc-chart-figure">{figure}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def ring(actual: int, target: int | None, *, title: str, caption: str) -> Markup:
    """A progress ring: share of the target reached, the figures in the middle."""
    r, c = 42, 2 * 3.14159265 * 42
    share = min(actual / target, 1.0) if target else 0.0
    dash = _fmt(c * share)
    figure = f"{actual}" + (f"/{target}" if target is not None else "")
    pct = f"{actual / target:.0%}" if target else "—"
    return Markup(
        f'<svg class="sc-ring" viewBox="0 0 120 120" role="img" aria-label="{escape(title)}：'
        f'{escape(figure)}">'
        f"<title>{escape(title)}：{escape(figure)}</title>"
        f'<circle cx="60" cy="60" r="{r}" class="sc-ring-track" fill="none" stroke-width="12"/>'
        f'<circle cx="60" cy="60" r="{r}" class="sc-ring-value" fill="none" stroke-width="12" '
        f'stroke-dasharray="{dash} {_fmt(c)}" transform="rotate(-90 60 60)"/>'
        f'<text x="60" y="58" text-anchor="middle" font-size="20" font-weight="bold" '
        f'class="sc-ring-figure">{escape(figure)}</text>'
        f'<text x="60" y="78" text-anchor="middle" font-size="12" class="sc-ring-caption">'
        f"{escape(caption)} {pct}</text></svg>"
    )


def stacked_bar(parts: list[tuple[str, int]]) -> Markup:
    """A thin horizontal bar split into ``(css name, count)`` parts, drawn to scale of their
    sum; decorative (``aria-hidden``): the numbers are written beside it."""
    total = sum(n for _, n in parts)
    out = ['<svg class="sc-stack" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true" '
           'focusable="false">']
    x = 0.0
    for name, n in parts:
        if n <= 0 or total <= 0:
            continue
        width = 100 * n / total
        out.append(f'<rect class="sc-stack--{escape(name)}" x="{_fmt(x)}" y="0" '
                   f'width="{_fmt(width)}" height="4"/>')
        x += width
    out.append("</svg>")
    return Markup("".join(out))
