"""Lines, tables and pages of a :class:`~.blocks.Document` on the page of GB/T 9704-2012.

The programme's documents are headings, paragraphs of Chinese text, tables, one chart and
a QR code — no floats, no columns, no hyphenation. Laying them out directly (instead of
through a general HTML engine) is what makes 2,000 pages of worklists take seconds: a
line is filled character by character from the fonts' advances, a table row is measured
once, pages are filled top to bottom. The typography follows the office standard:

* A4, margins 37 / 26 / 35 / 28 mm (text block 156 × 225 mm); page numbers “— N —” in
  宋体 4号 below the text block, odd pages right, even pages left.
* Body 仿宋 3号 (16 pt) on a 22-line grid (28.95 pt), 28 characters a line, first lines
  indented two characters, justified; title 小标宋 2号 (22 pt) centred; headings 黑体
  (一、), 楷体 (（一）), bold 仿宋 (1.); notes and captions 楷体.
* Chinese line breaking: between any two Chinese characters, never before closing or
  after opening punctuation (避头尾), Latin words and numbers kept whole unless one is
  wider than the line; paragraphs keep two lines together at either end of a page.
* Tables: fixed column widths, 0.75 pt rules, the header repeated on every page, rows
  never split (unless one is taller than a page).

The result is a list of :class:`Page` — drawing operations, each tied to the structure
element it belongs to (:class:`Elem`), or an artifact — for :mod:`.pdfwrite`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

from . import fontlib
from .blocks import Block, Chart, Contents, Document, Heading, PageLink, Para, Table

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
TOP, RIGHT, BOTTOM, LEFT = 37 * MM, 26 * MM, 35 * MM, 28 * MM
TEXT_W = PAGE_W - LEFT - RIGHT    # 156 mm
TEXT_H = PAGE_H - TOP - BOTTOM    # 225 mm
GRID = 28.95                      # 22 lines in 225 mm

# Office fonts first, then the free fonts Debian has (the Word files name the same ones).
FANGSONG = ("仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC", "serif")
KAI = ("楷体_GB2312", "楷体", "KaiTi", "AR PL UKai CN", "Noto Serif CJK SC", "serif")
HEI = ("黑体", "SimHei", "Noto Sans CJK SC", "sans-serif")
XIAOBIAOSONG = ("方正小标宋简体", "方正小标宋_GBK", "华文中宋", "Noto Serif CJK SC", "serif")
SONG = ("宋体", "SimSun", "Noto Serif CJK SC", "serif")
CHART_SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "黑体", "sans-serif")

BLACK: tuple[float, float, float] = (0.0, 0.0, 0.0)

# 避头尾: never at the start of a line / never at the end of one.
NO_START = frozenset("，。、；：？！”’）》」』】〕〗…—·％%,.;:?!)]}>、〉")
NO_END = frozenset("“‘（《「『【〔〖([{<〈")


def is_wide(ch: str) -> bool:
    """A character set solid in Chinese text (a line may break on either side of it)."""
    return ch >= "\u2e80" or ch in "—…“”‘’·"


# ------------------------------------------------------------------------------- fonts

Glyph = tuple["fontlib.Face", int, float]  # face, glyph id, advance in ems


class Font:
    """A ``font-family`` list resolved to faces: the first that has a character draws it;
    a character none has is drawn as the first face's .notdef (glyph 0), which
    :mod:`.pdfout` reports."""

    def __init__(self, faces: Sequence[fontlib.Face]) -> None:
        self.faces = tuple(faces)
        self.primary = self.faces[0]
        self._cache: dict[str, Glyph] = {}

    def glyph(self, ch: str) -> Glyph:
        try:
            return self._cache[ch]
        except KeyError:
            pass
        for face in self.faces:
            g = face.glyph(ch)
            if g is not None:
                found = (face, g[0], g[1])
                break
        else:
            found = (self.primary, 0, self.primary.advance(0))
        self._cache[ch] = found
        return found


class FontsMissing(Exception):
    """fontconfig finds no font at all (none installed)."""


_fonts: dict[tuple[tuple[str, ...], bool], Font] = {}


def font(families: tuple[str, ...], bold: bool = False) -> Font:
    """``families`` (then 仿宋 and 黑体 for what they lack), loaded once per process."""
    key = (families, bold)
    found = _fonts.get(key)
    if found is None:
        weight = fontlib.BOLD if bold else fontlib.REGULAR
        chain: list[tuple[str, int]] = []
        for fams in (families, FANGSONG, HEI):
            match = fontlib.match(fams, weight) or fontlib.match(fams)
            if match is not None and match not in chain:
                chain.append(match)
        if not chain:
            raise FontsMissing(", ".join(families))
        found = _fonts[key] = Font([fontlib.load(path, index) for path, index in chain])
    return found


@dataclass(frozen=True)
class Style:
    font: Font
    size: float
    leading: float
    tracking: float = 0.0
    align: str = "left"          # left, center, right, justify
    indent: float = 0.0          # first line
    # Per process: each character's glyph and width, and the lines of each text broken
    # to a width (a worklist repeats its labels and contacts on every row).
    metrics: dict[str, tuple[Glyph, float]] = field(default_factory=dict, compare=False, repr=False)
    fallback: set[str] = field(default_factory=set, compare=False, repr=False)  # not in the first face
    broken: dict[tuple[str, float, float], list[Line]] = field(default_factory=dict, compare=False,
                                                              repr=False)

    def metric(self, ch: str) -> tuple[Glyph, float]:
        """The glyph of ``ch`` and its width in points (letter-spacing included)."""
        found = self.metrics.get(ch)
        if found is None:
            g = self.font.glyph(ch)
            found = self.metrics[ch] = (g, g[2] * self.size + self.tracking)
            if g[0] is not self.font.primary:
                self.fallback.add(ch)
        return found


def style(families: tuple[str, ...], size: float, leading: float, *, bold: bool = False,
          tracking: float = 0.0, align: str = "left", indent: float = 0.0) -> Style:
    return Style(font(families, bold), size, leading, tracking, align, indent)


# ------------------------------------------------------------------ structure and drawing


class Marked(NamedTuple):
    """Marked content of an element: its number on a page."""

    page: int
    mcid: int


class AnnotRef(NamedTuple):
    """A link annotation of an element (its object number in the file)."""

    number: int
    page: int


class Elem:
    """A structure element of the tagged PDF (``H1``, ``P``, ``Table``, ``TD`` …)."""

    __slots__ = ("alt", "attrs", "ident", "kids", "number", "page", "tag")

    def __init__(self, tag: str, parent: Elem | None = None, *, alt: str = "",
                 attrs: dict[str, str] | None = None, ident: str = "") -> None:
        self.tag = tag
        self.kids: list[Elem | Marked | AnnotRef] = []
        self.attrs = attrs or {}      # the /A attributes, as PDF text ("/Table", "[(a) (b)]")
        self.alt = alt
        self.ident = ident            # /ID: table header cells, which data cells refer to
        self.page = -1                 # the page of its first content
        self.number = 0
        if parent is not None:
            parent.kids.append(self)


class Artifact:
    """Content that is not part of the text: rules, backgrounds, repeated table headers,
    page numbers (``kind`` "Pagination")."""

    __slots__ = ("kind",)

    def __init__(self, kind: str = "") -> None:
        self.kind = kind


LAYOUT_ARTIFACT = Artifact()
PAGINATION = Artifact("Pagination")
Owner = Elem | Artifact

Colour = tuple[float, float, float]


# Drawing operations, in points from the page's top left corner (y downwards); each tied
# to the structure element it draws (or an artifact).
class TextOp(NamedTuple):
    owner: Owner
    x: float
    y: float                 # the baseline
    face: fontlib.Face
    size: float
    spacing: float           # added after each glyph (letter-spacing and justification)
    gids: list[int]
    text: str                # the characters the glyphs stand for, one each
    colour: Colour = BLACK


class RectOp(NamedTuple):
    owner: Owner
    x: float
    y: float                 # the top
    w: float
    h: float
    colour: Colour
    line: float = 0.0        # stroked with this width; 0: filled


class GridOp(NamedTuple):
    """A table row's rules: its box and a line at each column boundary (black)."""

    owner: Owner
    x: float
    y: float
    w: float
    h: float
    columns: tuple[float, ...]  # from x
    line: float


class NumberOp(NamedTuple):
    """A contents entry's page number, filled in once the pages are known."""

    owner: Owner
    x: float                 # where the entry's text ends
    y: float                 # its baseline
    anchor: str


Op = TextOp | RectOp | GridOp | NumberOp


def _shift(ops: Sequence[Op], dx: float, dy: float) -> Iterator[Op]:
    for op in ops:
        yield type(op)(op[0], op[1] + dx, op[2] + dy, *op[3:])


@dataclass
class Link:
    """A link annotation on a page (the contents list → a heading)."""

    rect: tuple[float, float, float, float]   # x, top, width, height
    target: str                               # anchor
    label: str
    elem: Elem


@dataclass
class Page:
    """A page's drawing: groups of operations, each placed at (dx, dy) — a slice's
    operations are laid out once, relative to its top left corner, and placed as they are."""

    groups: list[tuple[float, float, list[Op]]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def ops(self) -> Iterator[Op]:
        for _dx, _dy, ops in self.groups:
            yield from ops


@dataclass
class Anchor:
    page: int
    y: float


@dataclass
class Bookmark:
    level: int
    title: str
    anchor: str


# ---------------------------------------------------------------------------- lines


@dataclass
class Line:
    glyphs: list[Glyph]
    chars: str
    width: float            # natural width in points (trailing spaces excluded)
    last: bool              # last line of a paragraph (or before a hard break)


# Characters that are never drawn.
_INVISIBLE = str.maketrans("", "", "\r\t\u00ad\u200b")


def measure(text: str, st: Style) -> float:
    metric = st.metric
    return sum(metric(ch)[1] for ch in text.translate(_INVISIBLE))


def break_lines(text: str, st: Style, width: float, first_indent: float = 0.0) -> list[Line]:
    """``text`` in lines at most ``width`` wide (the first ``first_indent`` narrower); a
    newline is a hard break."""
    out: list[Line] = []
    for part in text.split("\n"):
        out.extend(_break_part(part, st, width, first_indent if not out else 0.0))
    return out


def _break_part(text: str, st: Style, width: float, first_indent: float) -> list[Line]:
    key = (text, width, first_indent)
    found = st.broken.get(key)
    if found is None:
        found = st.broken[key] = _break_text(text.translate(_INVISIBLE), st, width, first_indent)
    return found


def _break_text(chars: str, st: Style, width: float, first_indent: float) -> list[Line]:
    get, metric = st.metrics.get, st.metric
    items = [get(ch) or metric(ch) for ch in chars]
    glyphs = [m[0] for m in items]
    widths = [m[1] for m in items]
    n = len(glyphs)
    if n == 0:
        return [Line([], "", 0.0, True)]
    natural = sum(widths)
    if natural <= width - first_indent + 0.01:  # the common case: it fits
        return [Line(glyphs, chars, natural, True)]
    lines: list[Line] = []
    prefix = list(accumulate(widths, initial=0.0))  # prefix[i]: width of the first i
    start = 0
    avail = width - first_indent
    while start < n:
        if lines:  # no spaces at the start of a continuation line
            while start < n and chars[start] == " ":
                start += 1
            if start >= n:
                break
        end = bisect_right(prefix, prefix[start] + avail + 0.01) - 1  # the most that fits
        if end >= n:
            end = n
        elif end <= start:
            end = start + 1  # not even one character fits: it goes alone
        else:
            b = end  # back to where a line may end
            while b > start and not _can_break(chars[b - 1], chars[b]):
                b -= 1
            if b > start:
                end = b  # else a word wider than the line: broken inside it
        trimmed = end
        while trimmed > start and chars[trimmed - 1] == " ":
            trimmed -= 1
        lines.append(Line(glyphs[start:trimmed], chars[start:trimmed],
                          prefix[trimmed] - prefix[start], end >= n))
        start = end
        avail = width
    if not lines:
        lines.append(Line([], "", 0.0, True))
    return lines


def _can_break(a: str, b: str) -> bool:
    """May a line end between ``a`` and ``b``?"""
    if b == " " or b in NO_START or a in NO_END:
        return False
    if a == " ":
        return True
    return is_wide(a) or is_wide(b)


def line_ops(line: Line, st: Style, owner: Owner, x: float, baseline: float, width: float,
             *, indent: float = 0.0, colour: Colour = BLACK) -> list[Op]:
    """The text operations of one line placed in a box ``width`` wide at ``x``."""
    if not line.glyphs:
        return []
    avail = width - indent
    spacing = st.tracking
    left = x + indent
    if st.align == "center":
        left += (avail - line.width) / 2
    elif st.align == "right":
        left += avail - line.width
    elif st.align == "justify" and not line.last and len(line.glyphs) > 1 and line.width < avail:
        spacing += (avail - line.width) / (len(line.glyphs) - 1)
    ops: list[Op] = []
    size = st.size
    glyphs = line.glyphs
    run_face = glyphs[0][0]
    if st.fallback.isdisjoint(line.chars):  # one face: one run
        return [TextOp(owner, left, baseline, run_face, size, spacing, [g[1] for g in glyphs],
                       line.chars, colour)]
    run_gids: list[int] = []
    run_start = 0
    pos = left
    run_x = left
    for i, (face, gid, adv) in enumerate(line.glyphs):
        if face is not run_face:
            ops.append(TextOp(owner, run_x, baseline, run_face, size, spacing, run_gids,
                              line.chars[run_start:i], colour))
            run_face, run_gids, run_start, run_x = face, [], i, pos
        run_gids.append(gid)
        pos += adv * size + spacing
    ops.append(TextOp(owner, run_x, baseline, run_face, size, spacing, run_gids,
                      line.chars[run_start:], colour))
    return ops


def baseline_in(st: Style) -> float:
    """The baseline's distance from the top of a line box (CSS half-leading)."""
    face = st.font.primary
    content = (face.ascent + face.descent) * st.size
    return (st.leading - content) / 2 + face.ascent * st.size


# ---------------------------------------------------------------------------- slices


@dataclass
class Slice:
    """A piece of the flow that is never split across pages."""

    height: float
    ops: list[Op]
    margin_top: float = 0.0
    margin_bottom: float = 0.0
    keep_with_next: bool = False
    break_before: bool = False
    break_after: bool = False
    header: Slice | None = None          # repeated at the top of each further page
    anchors: tuple[str, ...] = ()
    links: list[Link] = field(default_factory=list)
    first_of_table: bool = False


def text_slices(text: str, st: Style, owner: Elem, *, width: float = TEXT_W,
                orphans: int = 2) -> list[Slice]:
    """A paragraph as slices of lines: two lines at least stay together at either end."""
    lines = break_lines(text, st, width, st.indent)
    base = baseline_in(st)
    n = len(lines)
    if orphans <= 1:
        groups = [[i] for i in range(n)]
    elif n <= 2 * orphans - 1:
        groups = [list(range(n))]
    else:
        groups = [list(range(orphans))] + [[i] for i in range(orphans, n - orphans)] + \
                 [list(range(n - orphans, n))]
    slices = []
    for group in groups:
        ops: list[Op] = []
        for k, i in enumerate(group):
            ops += line_ops(lines[i], st, owner, 0.0, base + k * st.leading, width,
                            indent=st.indent if i == 0 else 0.0)
        slices.append(Slice(len(group) * st.leading, ops))
    return slices


def block_slice(text: str, st: Style, owner: Elem, *, width: float = TEXT_W) -> Slice:
    """A text that is never split (a heading, a title line)."""
    lines = break_lines(text, st, width, st.indent)
    base = baseline_in(st)
    ops: list[Op] = []
    for k, line in enumerate(lines):
        ops += line_ops(line, st, owner, 0.0, base + k * st.leading, width,
                        indent=st.indent if k == 0 else 0.0)
    return Slice(len(lines) * st.leading, ops)


# ---------------------------------------------------------------------------- styles


class Styles:
    """The document's styles (built once per process: fonts are looked up on first use)."""

    def __init__(self) -> None:
        self.body = style(FANGSONG, 16, GRID, tracking=-0.2, align="justify", indent=32)
        self.note = style(KAI, 14, 24, align="justify", indent=28)
        self.meta = style(KAI, 14, GRID, align="center")
        self.mark = style(HEI, 16, GRID)
        self.title = style(XIAOBIAOSONG, 22, 36, align="center")
        self.subtitle = style(KAI, 16, GRID, align="center")
        self.h1 = style(HEI, 16, GRID, indent=32)
        self.h2 = style(KAI, 16, GRID, indent=32)
        self.h3 = style(FANGSONG, 16, GRID, bold=True, indent=32)
        self.chapter = style(XIAOBIAOSONG, 18, GRID, align="center")
        self.contents_title = style(HEI, 16, GRID, align="center")
        self.toc = style(FANGSONG, 16, GRID)
        self.caption = style(KAI, 14, 24, align="center")
        self.figcaption = style(KAI, 14, 22, align="center")
        self.link_text = style(KAI, 12, 18)
        self.page_number = style(SONG, 14, 14)
        self.table = {
            (False, "td"): style(FANGSONG, 12, 18),
            (False, "num"): style(FANGSONG, 12, 18, align="center"),
            (False, "th"): style(HEI, 12, 18, align="center"),
            (False, "foot"): style(FANGSONG, 12, 18, bold=True),
            (False, "footnum"): style(FANGSONG, 12, 18, bold=True, align="center"),
            (True, "td"): style(FANGSONG, 10.5, 15),
            (True, "num"): style(FANGSONG, 10.5, 15, align="center"),
            (True, "th"): style(HEI, 10.5, 15, align="center"),
            (True, "foot"): style(FANGSONG, 10.5, 15, bold=True),
            (True, "footnum"): style(FANGSONG, 10.5, 15, bold=True, align="center"),
        }


@lru_cache(maxsize=1)
def styles() -> Styles:
    return Styles()


# ---------------------------------------------------------------------------- tables

RULE = 0.75
PAD_V, PAD_H = 2.0, 4.0


def table_slices(t: Table, parent: Elem, st: Styles, number: int = 0) -> list[Slice]:
    """Caption, header, rows and total of a table; the header is repeated on every page.
    Tagged as HTML's ``<table>`` would be: column headers, the first cell of each row its
    row header, every data cell tied to its two headers (/Headers → their /ID)."""
    table = Elem("Table", parent)
    rows_done = 0
    total = sum(t.widths)
    col_w = [TEXT_W * w / total for w in t.widths]
    col_x = [sum(col_w[:i]) for i in range(len(col_w))]
    inner_x = tuple(col_x[1:])
    numeric = t.numeric or tuple(False for _ in t.header)
    small = t.small
    slices: list[Slice] = []
    if t.caption:
        cap = Elem("Caption", table)
        cap_st = st.caption
        lines = break_lines(t.caption, cap_st, TEXT_W)
        ops: list[Op] = []
        base = baseline_in(cap_st)
        for i, line in enumerate(lines):
            ops += line_ops(line, cap_st, cap, 0.0, base + i * cap_st.leading, TEXT_W)
        slices.append(Slice(len(lines) * cap_st.leading + 4.0, ops, keep_with_next=True))

    def row(cells: Sequence[str], group: Elem | None, kind: str, *,
            owner_override: Owner | None = None) -> tuple[float, list[Op], Elem | None]:
        nonlocal rows_done
        tr = Elem("TR", group) if group is not None else None
        rows_done += 1
        row_id = f"t{number}-r{rows_done}"
        cell_ops: list[Op] = []
        heights: list[float] = []
        per_cell: list[tuple[list[Line], Style, Owner]] = []
        for i, text in enumerate(cells):
            if kind == "head":
                cst = st.table[(small, "th")]
                tag, scope = "TH", "Column"
            elif kind == "foot":
                cst = st.table[(small, "footnum" if numeric[i] else "foot")]
                tag, scope = ("TH", "Row") if i == 0 else ("TD", "")
            else:
                cst = st.table[(small, "num" if numeric[i] else "td")]
                tag, scope = ("TH", "Row") if i == 0 else ("TD", "")
            owner: Owner
            if owner_override is not None or tr is None:
                owner = owner_override or LAYOUT_ARTIFACT
            elif kind == "head":
                owner = Elem(tag, tr, attrs={"O": "/Table", "Scope": "/Column"}, ident=f"t{number}-c{i}")
            elif scope:
                owner = Elem(tag, tr, attrs={"O": "/Table", "Scope": f"/{scope}",
                                             "Headers": f"[(t{number}-c{i})]"}, ident=row_id)
            else:
                owner = Elem(tag, tr, attrs={"O": "/Table", "Headers": f"[(t{number}-c{i}) ({row_id})]"})
            inner = col_w[i] - 2 * PAD_H - RULE
            lines = break_lines(text, cst, inner)
            per_cell.append((lines, cst, owner))
            heights.append(len(lines) * cst.leading)
        height = max(heights) + 2 * PAD_V + RULE
        for i, (lines, cst, owner) in enumerate(per_cell):
            top = (height - heights[i]) / 2  # vertical-align: middle
            base = baseline_in(cst)
            for k, line in enumerate(lines):
                cell_ops += line_ops(line, cst, owner, col_x[i] + PAD_H + RULE / 2,
                                     top + base + k * cst.leading, col_w[i] - 2 * PAD_H - RULE)
        # The rules: an artifact, drawn after the row's text.
        cell_ops.append(GridOp(LAYOUT_ARTIFACT, 0.0, 0.0, TEXT_W, height, inner_x, RULE))
        return height, cell_ops, tr

    head_group = Elem("THead", table)
    h, head_ops, _tr = row(t.header, head_group, "head")
    repeat_h, repeat_ops, _ = row(t.header, None, "head", owner_override=PAGINATION)
    repeat = Slice(repeat_h, repeat_ops)
    first = Slice(h, head_ops, keep_with_next=True, first_of_table=True)
    slices.append(first)
    body = Elem("TBody", table)
    limit = TEXT_H - repeat_h - 1.0
    for cells in t.rows:
        rh, rops, _tr = row(cells, body, "body")
        if rh > limit:
            slices.extend(_split_row(rh, rops, limit, repeat))
        else:
            slices.append(Slice(rh, rops, header=repeat))
    if t.footer:
        foot = Elem("TFoot", table)
        fh, fops, _tr = row(t.footer, foot, "foot")
        slices.append(Slice(fh, fops, header=repeat))
    slices[0].margin_top = 6.0
    slices[-1].margin_bottom = 14.0
    return slices


def _split_row(height: float, ops: list[Op], limit: float, repeat: Slice) -> list[Slice]:
    """A row taller than a page, in page-high pieces (text lines stay whole)."""
    texts = sorted((op for op in ops if isinstance(op, TextOp)), key=lambda op: op.y)
    grid = next(op for op in ops if isinstance(op, GridOp))
    pieces: list[Slice] = []
    top = 0.0
    while top < height - 0.01:
        bottom = min(top + limit, height)
        if bottom < height:  # end the piece below the last line that fits
            fits = [op.y for op in texts if top < op.y < bottom - 4]
            bottom = max(fits) + 5 if fits else bottom
        chunk: list[Op] = [op for op in texts if top <= op.y - 0.01 < bottom]
        piece_h = bottom - top
        piece_ops = list(_shift(chunk, 0.0, -top))
        piece_ops.append(GridOp(LAYOUT_ARTIFACT, 0.0, 0.0, TEXT_W, piece_h, grid.columns, RULE))
        pieces.append(Slice(piece_h, piece_ops, header=repeat))
        top = bottom
    return pieces


# ---------------------------------------------------------------------------- paginate


@dataclass
class Laid:
    pages: list[Page]
    anchors: dict[str, Anchor]
    bookmarks: list[Bookmark]
    root: Elem
    deferred: list[Callable[[Laid], None]] = field(default_factory=list)


def paginate(slices: Sequence[Slice]) -> tuple[list[Page], dict[str, Anchor]]:
    """Fill pages top to bottom (margins between slices collapse, and vanish at a page's
    top); a slice kept with the next moves to the next page with it."""
    pages: list[Page] = [Page()]
    anchors: dict[str, Anchor] = {}
    y = 0.0
    prev_bottom = 0.0
    at_top = True

    def new_page() -> None:
        nonlocal y, prev_bottom, at_top
        pages.append(Page())
        y, prev_bottom, at_top = 0.0, 0.0, True

    def chain_height(i: int) -> float:
        """The height of slice i and the slices kept with it (and the next one)."""
        h = slices[i].height
        j = i
        while slices[j].keep_with_next and j + 1 < len(slices) and not slices[j + 1].break_before:
            j += 1
            h += max(slices[j - 1].margin_bottom, slices[j].margin_top) + slices[j].height
            if h > TEXT_H:
                break
        return h

    for i, s in enumerate(slices):
        if s.break_before and not at_top:
            new_page()
        gap = 0.0 if at_top else max(prev_bottom, s.margin_top)
        needed = chain_height(i) if s.keep_with_next else s.height
        if not at_top and y + gap + needed > TEXT_H + 0.01:
            new_page()
            gap = 0.0
        if at_top and s.header is not None and not s.first_of_table:
            # A table continues on this page: its header first.
            pages[-1].groups.append((LEFT, TOP + y, s.header.ops))
            y += s.header.height
        y += gap
        page = pages[-1]
        page.groups.append((LEFT, TOP + y, s.ops))
        for link in s.links:
            x, top, w, h = link.rect
            page.links.append(Link((x + LEFT, top + TOP + y, w, h), link.target, link.label, link.elem))
        for name in s.anchors:
            anchors[name] = Anchor(len(pages) - 1, TOP + y)
        y += s.height
        prev_bottom = s.margin_bottom
        at_top = False
        if s.break_after:
            new_page()
    if not pages[-1].groups and len(pages) > 1:
        pages.pop()
    return pages, anchors


# ---------------------------------------------------------------------------- document


def layout(doc: Document, draw_chart: Callable[[Chart, Elem, Styles], Slice],
           draw_link: Callable[[PageLink, Elem, Styles], Slice]) -> Laid:
    """The document's pages, its structure tree and its bookmarks."""
    st = styles()
    root = Elem("Document")
    slices: list[Slice] = []
    bookmarks: list[Bookmark] = []
    deferred: list[Callable[[Laid], None]] = []

    # The front: mark, title, subtitle, organizer, date.
    front: list[Slice] = []
    if doc.internal:
        front += text_slices("内部资料　注意保密", st.mark, Elem("P", root), orphans=1)
    title_elem = Elem("H1", root)
    title_slices = [block_slice(part, st.title, title_elem) for part in doc.title.split("\n")]
    title_slices[0].anchors = ("doc-title",)
    title_slices[-1].margin_bottom = 14.0
    front += title_slices
    bookmarks.append(Bookmark(1, doc.title.replace("\n", ""), "doc-title"))
    if doc.subtitle:
        sub = text_slices(doc.subtitle, st.subtitle, Elem("P", root), orphans=1)
        sub[-1].margin_bottom = 14.0
        front += sub
    front += text_slices(doc.organizer, st.meta, Elem("P", root), orphans=1)
    front += text_slices(doc.date_line, st.meta, Elem("P", root), orphans=1)
    if doc.sample:
        front += text_slices("（示例数据，内容为虚构）", st.meta, Elem("P", root), orphans=1)
    front[-1].margin_bottom = max(front[-1].margin_bottom, GRID)
    if doc.cover:
        front[-1].break_after = True
    slices += front

    for index, block in enumerate(doc.blocks):
        slices += _block(block, index, doc, root, st, bookmarks, deferred, draw_chart, draw_link)

    pages, anchors = paginate(slices)
    laid = Laid(pages, anchors, bookmarks, root, deferred)
    for fill in deferred:
        fill(laid)
    _page_numbers(laid, st)
    return laid


def _block(block: Block, index: int, doc: Document, root: Elem, st: Styles,
           bookmarks: list[Bookmark], deferred: list[Callable[[Laid], None]],
           draw_chart: Callable[[Chart, Elem, Styles], Slice],
           draw_link: Callable[[PageLink, Elem, Styles], Slice]) -> list[Slice]:
    if isinstance(block, Para):
        sty = {"body": st.body, "lead": st.body, "note": st.note, "meta": st.meta}[block.kind]
        return text_slices(block.text, sty, Elem("P", root))
    if isinstance(block, Heading):
        anchor = block.anchor or f"s-{index}"
        level = min(block.level + 1, 6)
        sty = st.chapter if block.page_break else {2: st.h1, 3: st.h2}.get(level, st.h3)
        heading = block_slice(block.text, sty, Elem(f"H{level}", root))
        heading.keep_with_next = True
        heading.anchors = (anchor,)
        heading.break_before = block.page_break
        heading.margin_bottom = 14.0 if block.page_break else 0.0
        bookmarks.append(Bookmark(level, block.text, anchor))
        return [heading]
    if isinstance(block, Table):
        return table_slices(block, root, st, index)
    if isinstance(block, Chart):
        return [draw_chart(block, root, st)]
    if isinstance(block, PageLink):
        return [draw_link(block, root, st)]
    if isinstance(block, Contents):
        return _contents(block, doc, root, st, deferred)
    raise TypeError(f"{type(block).__name__} blocks are not laid out in these PDFs")


def _contents(block: Contents, doc: Document, root: Elem, st: Styles,
              deferred: list[Callable[[Laid], None]]) -> list[Slice]:
    """The contents list: each heading of levels 1 and 2 linked to its page; with page
    numbers and dot leaders when the text starts on the next page."""
    title = Elem("H2", root)
    toc = Elem("TOC", root)
    slices = text_slices(block.title, st.contents_title, title, orphans=1)
    slices[-1].keep_with_next = True
    tst = st.toc
    number_w = measure("0000", tst)
    base = baseline_in(tst)
    for i, b in enumerate(doc.blocks):
        if not (isinstance(b, Heading) and b.level <= 2):
            continue
        anchor = b.anchor or f"s-{i}"
        item = Elem("TOCI", toc)
        link = Elem("Link", item)
        indent = 32.0 if b.level == 2 else 0.0
        width = TEXT_W - indent - (number_w if block.new_page else 0.0)
        lines = break_lines(b.text, tst, width)
        ops: list[Op] = []
        for k, line in enumerate(lines):
            ops += line_ops(line, tst, link, indent, base + k * tst.leading, width)
        h = len(lines) * tst.leading
        s = Slice(h, ops, links=[Link((indent, 0.0, TEXT_W - indent, h), anchor, b.text, link)])
        if block.new_page:
            s.ops.append(NumberOp(link, indent + lines[-1].width, base + (len(lines) - 1) * tst.leading,
                                  anchor))
        slices.append(s)
    if block.new_page:
        slices[-1].break_after = True

        def numbers(laid: Laid) -> None:
            dot = measure(".", tst)
            for page in laid.pages:
                for k, (dx, dy, ops) in enumerate(page.groups):
                    if not any(isinstance(op, NumberOp) for op in ops):
                        continue
                    filled: list[Op] = []
                    for op in ops:
                        if not isinstance(op, NumberOp):
                            filled.append(op)
                            continue
                        target = laid.anchors.get(op.anchor)
                        number = str(target.page + 1) if target else ""
                        num_w = measure(number, tst)
                        count = int((TEXT_W - num_w - dot / 2 - (op.x + dot)) // dot)
                        if count > 0:
                            filled += line_ops(_line("." * count, tst), tst, LAYOUT_ARTIFACT,
                                               TEXT_W - num_w - dot / 2 - count * dot, op.y, count * dot)
                        filled += line_ops(_line(number, tst), tst, op.owner, TEXT_W - num_w, op.y, num_w)
                    page.groups[k] = (dx, dy, filled)
        deferred.append(numbers)
    else:
        slices[-1].margin_bottom = 14.0
    return slices


def _line(text: str, st: Style) -> Line:
    items = [st.metric(c) for c in text.translate(_INVISIBLE)]
    return Line([m[0] for m in items], text.translate(_INVISIBLE), sum(m[1] for m in items), True)


def _page_numbers(laid: Laid, st: Styles) -> None:
    """“— N —” below the text block: odd pages at the right, even pages at the left."""
    pst = st.page_number
    face = pst.font.primary
    baseline = PAGE_H - BOTTOM + 7 * MM + face.ascent * pst.size
    for i, page in enumerate(laid.pages, start=1):
        text = f"— {i} —"
        line = _line(text, pst)
        x = PAGE_W - RIGHT - pst.size - line.width if i % 2 else LEFT + pst.size
        page.groups.append((0.0, 0.0, line_ops(line, pst, PAGINATION, x, baseline, line.width)))
