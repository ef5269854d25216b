"""What a printed document says, apart from how it is laid out: a title page and a list of
blocks. The same :class:`Document` becomes the web page's fragment and the PDF
(:mod:`.htmlout`) and the Word file (:mod:`.docxout`), so the three cannot say different
things. Texts are plain strings (escaped by each writer); only :class:`Rich` carries HTML,
and that is record Markdown already sanitised by ``base.richtext``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from markupsafe import Markup

ParaKind = Literal["body", "note", "meta", "lead"]


@dataclass(frozen=True)
class Heading:
    level: int   # 1 一、 2 （一） 3 1. — GB/T 9704's levels; the writer adds no numbers
    text: str
    anchor: str = ""
    page_break: bool = False  # a chapter: starts a new page


@dataclass(frozen=True)
class Para:
    text: str
    kind: ParaKind = "body"


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]          # relative column widths
    numeric: tuple[bool, ...] = ()     # centred figures
    footer: tuple[str, ...] | None = None  # a total row
    small: bool = False                # dense lists (worklists): 五号 text

    def __post_init__(self) -> None:
        n = len(self.header)
        assert len(self.widths) == n and all(len(r) == n for r in self.rows), self.caption
        assert not self.numeric or len(self.numeric) == n
        assert self.footer is None or len(self.footer) == n


@dataclass(frozen=True)
class Chart:
    svg: Markup       # the site's chart (generator/site/charts.py)
    caption: str
    width_mm: float = 150.0


@dataclass(frozen=True)
class Photo:
    path: Path        # the print variant (or the file itself)
    caption: str
    alt: str
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class Rich:
    """Sanitised record HTML (``richtext.markdown_html`` at level 3)."""

    html: Markup
    images: dict[str, Path] = field(default_factory=dict)  # img src -> print file


@dataclass(frozen=True)
class PageLink:
    """The web page this document or chapter stands for. Printed as its address; the place
    where a QR code of the address goes (issue 22)."""

    url: str
    label: str = "网页版"


@dataclass(frozen=True)
class Contents:
    """The table of contents: a TOC field in Word (filled with the headings, updated when
    the file is opened), a list with page numbers in the PDF."""

    title: str = "目　录"
    new_page: bool = True   # the text starts on the next page


Block = Heading | Para | Table | Chart | Photo | Rich | PageLink | Contents


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    organizer: str
    date_line: str            # 统计截至 … / 二〇二六年十二月
    blocks: tuple[Block, ...]
    internal: bool = False    # printed with “内部资料　注意保密”
    sample: bool = False      # 示例数据
    cover: bool = False       # a cover page of its own (compilations)
    keywords: tuple[str, ...] = ()

    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]
