"""Printed compilations (经验汇编): one A4 book-style PDF per compilation record.

HTML from Jinja2 templates (``pdf/templates/``) plus a print stylesheet, laid out by
WeasyPrint. Always call with the audience view the PDF is for (``audience.view``): a public
PDF is made from the public view, so it cannot contain a draft or a private field.

* Chinese text needs a CJK font. :func:`ensure_cjk_font` checks before rendering, and the
  finished PDF is checked again for glyphs no font could draw: either way nothing is written
  and :class:`FontMissingError` says (in Chinese) what to install. Never a PDF of boxes.
* With ``SOURCE_DATE_EPOCH`` set the bytes are reproducible (dates come from it, no /ID).
* Page numbers: the cover and the front matter (前言, 目录) do not count; the first chapter
  is page 1. The PDF's page labels say the same, so a viewer's page box matches the print.
* Accessible: the PDF is tagged PDF/UA-1 (WeasyPrint's ``pdf_variant="pdf/ua-1"``): a
  structure tree made from the HTML elements (one H1, the compilation title; H2 for 前言,
  目录 and each chapter; P, L, Table, Figure with /Alt …), /Lang zh-CN, the title shown as
  the window title, XMP metadata. Running heads and page numbers are pagination artifacts,
  decoration (cover bands, rules, backgrounds) is an artifact, every image has alt text.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..base.qr import qr_svg_data_uri, short_url
from ..base.richtext import markdown_html, plain_text
from ..data.dataset import Dataset
from ..data.mediacheck import check_file, media_name
from ..media.cache import PhotoCache, default_root
from ..media.variants import PRINT_BOX, PRINT_MIN_DPI, PhotoPlan, PlannedPhoto, plan, referenced
from ..model.records import PROMOTED_LABELS, Compilation, Experience
from ..rules.compilation import DEFAULT_ORDER, select_experiences
from ..rules.duties import experience_unit

log = logging.getLogger(__name__)

# WeasyPrint's PDF variant: PDF/UA-1 (accessible, tagged). See the module docstring.
PDF_VARIANT = "pdf/ua-1"

# The families the stylesheet asks for first (Debian/Ubuntu: fonts-noto-cjk).
SERIF_FAMILY = "Noto Serif CJK SC"
SANS_FAMILY = "Noto Sans CJK SC"

FONT_INSTALL_HINT = (
    "没有找到中文字体，无法生成经验汇编 PDF（否则所有汉字都会显示成方框）。请先安装中文字体：\n"
    "  Debian/Ubuntu：sudo apt-get install fonts-noto-cjk\n"
    "  Fedora/RHEL：sudo dnf install google-noto-serif-cjk-fonts google-noto-sans-cjk-fonts\n"
    "  其他系统：安装“Noto Serif CJK SC”（思源宋体）和“Noto Sans CJK SC”（思源黑体），"
    "然后运行 fc-cache -f。\n"
    "安装后重新运行命令即可。")

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_CHINESE_DIGITS = "〇一二三四五六七八九"
_CHINESE_MONTHS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


class CompilationError(Exception):
    """A compilation cannot be rendered; the message is for the user (Chinese)."""


class FontMissingError(CompilationError):
    """No font can draw Chinese text."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(FONT_INSTALL_HINT + (f"\n（{detail}）" if detail else ""))


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    page: int  # the printed page number of its first page (first chapter = 1)


@dataclass
class RenderResult:
    path: Path
    pages: int  # physical pages in the PDF, cover and front matter included
    chapters: list[Chapter] = field(default_factory=list)
    front_pages: int = 0  # cover + foreword + table of contents
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------ fonts

def cjk_font_families() -> list[str]:
    """The font families on this machine that can draw Chinese (fontconfig's view)."""
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        try:
            out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True,
                                 text=True, timeout=60, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            out = None
        if out is not None:
            names = {n.strip() for line in out.splitlines() for n in line.split(",")}
            return sorted(n for n in names if n)
    return _cjk_families_via_library()


def _cjk_families_via_library() -> list[str]:
    """Without the fc-list tool: ask fontconfig (through WeasyPrint's bindings) which font it
    would use for Chinese text and look into that font's character map."""
    try:
        from fontTools.ttLib import TTFont
        from weasyprint.text.ffi import ffi, fontconfig
    except ImportError:  # pragma: no cover - WeasyPrint always brings both
        return []
    found: list[str] = []
    config = fontconfig.FcInitLoadConfigAndFonts()
    try:
        for family in (SERIF_FAMILY, SANS_FAMILY):
            pattern = fontconfig.FcPatternCreate()
            fontconfig.FcPatternAddString(pattern, b"family", family.encode())
            fontconfig.FcPatternAddString(pattern, b"lang", b"zh-cn")
            fontconfig.FcConfigSubstitute(config, pattern, 0)  # FcMatchPattern
            fontconfig.FcDefaultSubstitute(pattern)
            result = ffi.new("FcResult *")
            match = fontconfig.FcFontMatch(config, pattern, result)
            fontconfig.FcPatternDestroy(pattern)
            if match == ffi.NULL:
                continue
            value = ffi.new("FcChar8 **")
            name = file = None
            if fontconfig.FcPatternGetString(match, b"family", 0, value) == 0:
                name = ffi.string(value[0]).decode("utf-8", "replace")
            if fontconfig.FcPatternGetString(match, b"file", 0, value) == 0:
                file = ffi.string(value[0]).decode("utf-8", "replace")
            fontconfig.FcPatternDestroy(match)
            if name and file and _covers_chinese(TTFont, file) and name not in found:
                found.append(name)
    finally:
        fontconfig.FcConfigDestroy(config)
    return found


def _covers_chinese(ttfont: Any, file: str) -> bool:
    try:
        kwargs = {"fontNumber": 0} if file.lower().endswith((".ttc", ".otc")) else {}
        font = ttfont(file, lazy=True, **kwargs)
        cmap = font.getBestCmap() or {}
        font.close()
    except Exception:
        return False
    return all(ord(c) in cmap for c in "中国共产党基层示范点经验")


def ensure_cjk_font() -> list[str]:
    """The CJK families available; raises :class:`FontMissingError` when there are none."""
    families = cjk_font_families()
    if not families:
        raise FontMissingError()
    return families


# ------------------------------------------------------------------------------ templates

@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("generator.pdf", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cn_date"] = _cn_date
    env.filters["cn_month"] = _cn_month
    return env


def _cn_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _cn_month(value: dt.date | None) -> str:
    """二〇二五年十二月 — the way a printed cover dates itself."""
    if value is None:
        return ""
    year = "".join(_CHINESE_DIGITS[int(d)] for d in str(value.year))
    return f"{year}年{_CHINESE_MONTHS[value.month - 1]}月"


# Line widths (in ems of the title's font size) of the cover and chapter titles: keep in
# step with .cover-main / .cover-title and .chapter-title in print.css.
COVER_TITLE_EM = 15.5   # 160 mm at 28 pt, less a margin for letter-spacing
CHAPTER_TITLE_EM = 21.0  # 146 mm at 19 pt

_NO_LINE_START = set("，。、；：？！”’）》」』】…—·%")
_NO_LINE_END = set("“‘（《「『【")


def _char_em(ch: str) -> float:
    if ch == " ":
        return 0.3
    return 0.55 if ord(ch) < 0x2000 else 1.0


def title_lines(text: str, max_em: float) -> list[str]:
    """A title as balanced lines of at most ``max_em`` ems, broken between words.

    WeasyPrint breaks Chinese anywhere, which leaves a title like “…典型经 / 验汇编”. Here
    the title is cut into words (jieba) and the breaks are chosen so that the lines are
    about equally long and no line starts with closing or ends with opening punctuation.
    """
    text = " ".join(text.split())
    total = sum(_char_em(c) for c in text)
    if total <= max_em or len(text) < 4:
        return [text]
    tokens = _words(text)
    # Break positions: after token i (0 … n-2), allowed by the punctuation rules.
    ends = []
    pos = 0
    for token in tokens:
        pos += len(token)
        ends.append(pos)
    allowed = [0] + [e for e in ends[:-1]
                     if text[e - 1] not in _NO_LINE_END and text[e] not in _NO_LINE_START]
    allowed.append(len(text))
    lines_needed = math.ceil(total / max_em)

    def width(a: int, b: int) -> float:
        return sum(_char_em(c) for c in text[a:b].strip())

    # Dynamic programme over the allowed positions: fewest lines first, then evenness.
    target = total / lines_needed
    best: dict[int, tuple[int, float, list[int]]] = {0: (0, 0.0, [0])}
    for j, b in enumerate(allowed[1:], start=1):
        for a in allowed[:j]:
            if a not in best:
                continue
            w = width(a, b)
            if w > max_em:
                continue
            count, cost, path = best[a]
            bonus = -0.5 if b < len(text) and text[b - 1:b + 1].strip() != text[b - 1:b + 1] \
                else 0.0
            candidate = (count + 1, cost + (w - target) ** 2 + bonus, [*path, b])
            if b not in best or candidate[:2] < best[b][:2]:
                best[b] = candidate
    if len(text) not in best:  # a word longer than a line: let the layout break it
        return [text]
    path = best[len(text)][2]
    return [text[a:b].strip() for a, b in itertools.pairwise(path)]


def _words(text: str) -> list[str]:
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        return [w for w in jieba.cut(text) if w]
    except ImportError:  # pragma: no cover - jieba is a dependency
        return list(text)


def _body_html(text: str | None) -> Markup:
    """Record Markdown with its top heading level at <h3>: the compilation title is the
    one <h1>, a chapter title an <h2>."""
    return markdown_html(text, level=3)


_IMG_TAG = re.compile(r"<img\b[^>]*>")
_ALT_ATTR = re.compile(r'\salt="([^"]*)"')
_SRC_ATTR = re.compile(r'\ssrc="([^"]*)"')


def _with_alt(body: Markup, fallback: str, where: str, notes: list[str]) -> Markup:
    """``body`` with alt text on every image: a tagged PDF needs one on each figure (a
    screen reader says nothing else about it). Markdown ``![](file)`` has none: it gets
    ``fallback`` and a note for the editors."""
    def fill(match: re.Match[str]) -> str:
        tag = match.group(0)
        alt = _ALT_ATTR.search(tag)
        if alt is not None and alt.group(1).strip():
            return tag
        src = _SRC_ATTR.search(tag)
        name = src.group(1) if src else ""
        notes.append(f"{where}的图片 {name} 没有说明文字，PDF 中读屏软件只能读出“{fallback}”；"
                     f"请在 Markdown 中写成 ![图片说明]({name})。")
        tag = _ALT_ATTR.sub("", tag)
        return f'{tag[:4]} alt="{escape(fallback)}"{tag[4:]}'

    return Markup(_IMG_TAG.sub(fill, str(body)))


def _build_epoch() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def _group_label(data: Dataset, exp: Experience, order: str) -> str | None:
    tax = data.taxonomy
    if tax is None:
        return None
    if order == "unit":
        unit = experience_unit(exp, data.sites)
        return tax.units[unit].name if unit in tax.units else None
    if order == "category":
        site = data.sites.get(exp.sites[0]) if exp.sites else None
        if site is not None and site.category in tax.categories:
            return tax.categories[site.category].name
        return None
    if order == "theme":
        return tax.themes[exp.themes[0]].name if exp.themes and exp.themes[0] in tax.themes \
            else None
    return None


def experience_url(site_url: str, ident: str) -> str:
    """An experience's page on the published site: SPEC §4 ``/experiences/<id>/``, the
    address ``site.urls.experience`` gives (the print layer may not import the site's)."""
    return f"{site_url.rstrip('/')}/experiences/{ident}/"


def _chapter_qr(data: Dataset, ident: str) -> dict[str, str] | None:
    """The QR code of the chapter's page on the web (SPEC §6), when ``site_url`` is set."""
    site_url = data.program.site_url if data.program is not None else None
    if not site_url:
        return None
    url = experience_url(site_url, ident)
    return {"src": qr_svg_data_uri(url), "url": url, "short": short_url(url)}


def _chapter_context(data: Dataset, ident: str, index: int, notes: list[str],
                     prints: PrintPhotos) -> dict[str, Any]:
    exp = data.experiences[ident]
    tax = data.taxonomy
    unit_key = experience_unit(exp, data.sites)
    unit_name = tax.units[unit_key].name if tax and unit_key in tax.units else None
    sites = [data.sites[s] for s in exp.sites if s in data.sites]
    themes = [tax.themes[t].name if tax and t in tax.themes else t for t in exp.themes]
    photos: list[dict[str, str]] = []
    for photo in exp.photos:
        path = data.media_path(photo.file)
        if path.is_file():
            caption = photo.caption or ""
            alt = (photo.alt or caption).strip() or f"《{exp.title}》配图{len(photos) + 1}"
            if not (photo.alt or caption).strip():
                notes.append(f"《{exp.title}》的照片 {photo.file} 没有说明和替代文字（caption、alt），"
                             f"PDF 中读屏软件只能读出“{alt}”。")
            src = prints.src(photo.file, f"《{exp.title}》的照片", notes) or path.resolve().as_uri()
            photos.append({"src": src, "caption": caption, "alt": alt})
    return {
        "id": ident,
        "anchor": f"jingyan-{index}",
        "number": index,
        "title": exp.title,
        "title_lines": title_lines(exp.title, CHAPTER_TITLE_EM),
        "author": exp.author,
        "unit": unit_name,
        "sites": [s.name for s in sites],
        "themes": themes,
        "year": exp.year,
        "date": exp.date,
        "promoted": PROMOTED_LABELS.get(exp.promoted) if exp.promoted else None,
        "summary": plain_text(exp.summary),
        "body": _with_alt(_body_html(exp.body), f"《{exp.title}》中的图片",
                          f"《{exp.title}》正文中", notes),
        "photos": photos,
        "qr": _chapter_qr(data, ident),
    }


def compilation_html(data: Dataset, comp_id: str, *, created: dt.datetime | None = None) -> str:
    """The compilation as one HTML document (what WeasyPrint lays out)."""
    return _compilation_document(data, comp_id, created=created)[0]


def _compilation_document(data: Dataset, comp_id: str, *, created: dt.datetime | None = None,
                          prints: PrintPhotos | None = None) -> tuple[str, list[str]]:
    """The HTML document and notes for the editors (images without a description)."""
    comp = _compilation(data, comp_id)
    ids = select_experiences(data, comp)
    order = (comp.order or DEFAULT_ORDER) if comp.select is not None else None
    notes: list[str] = []
    prints = prints or PrintPhotos({})
    foreword = _with_alt(_body_html(comp.foreword), "前言中的图片", "前言中", notes)
    chapters = [_chapter_context(data, ident, i, notes, prints)
                for i, ident in enumerate(ids, start=1)]
    # Table of contents, in groups when the compilation is ordered by a taxonomy.
    toc: list[dict[str, Any]] = []
    for chapter, ident in zip(chapters, ids, strict=True):
        label = _group_label(data, data.experiences[ident], order) if order else None
        if not toc or toc[-1]["label"] != label:
            toc.append({"label": label, "chapters": []})
        toc[-1]["chapters"].append(chapter)
        chapter["group"] = label
    stamp = (created or _build_epoch()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    program = data.program
    html = _environment().get_template("compilation.html.j2").render(
        comp=comp,
        comp_id=comp_id,
        cover_title=title_lines(comp.title, COVER_TITLE_EM),
        foreword=foreword,
        chapters=chapters,
        toc=toc,
        grouped=any(g["label"] for g in toc),
        organizer=program.organizer if program else None,
        sample=bool(program and program.sample),
        keywords=sorted({t for c in chapters for t in c["themes"]}),
        created=stamp,
    )
    return prints.in_text(html, notes), notes


def _compilation(data: Dataset, comp_id: str) -> Compilation:
    try:
        return data.compilations[comp_id]
    except KeyError:
        known = "、".join(sorted(data.compilations)) or "（没有）"
        raise CompilationError(
            f"没有 id 为“{comp_id}”的经验汇编。现有的经验汇编：{known}。"
            "id 是 compilations/ 目录中记录文件的文件名（不含 .yml）。") from None


# -------------------------------------------------------------------------------- render

def _stylesheet_path() -> Path:
    return Path(__file__).parent / "templates" / "print.css"


_QR_URI = "data:image/svg+xml;base64,"


def _url_fetcher(media_root: Path, cache_root: Path | None = None,
                 members: Iterable[Path] = ()) -> Any:
    """Only files inside ``media/`` (a joined data set's members' too) and the photo
    cache's print variants may be embedded: no network, no other local files."""
    from weasyprint.urls import URLFetcher

    roots = [media_root.resolve(), *(m.resolve() for m in members)] + (
        [cache_root.resolve()] if cache_root else [])

    class MediaFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(_QR_URI):  # the chapters' QR codes, made by us
                return super().fetch(url, headers)
            if url.startswith("file:"):
                from urllib.parse import urlsplit
                from urllib.request import url2pathname

                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if any(path.is_relative_to(r) for r in roots) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"不在 media/ 目录中的文件不会嵌入 PDF：{url}")

    return MediaFetcher()


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class PrintPhotos:
    """The print variant of each photo a compilation shows (see :mod:`generator.media.variants`)."""

    photos: dict[str, PlannedPhoto]
    cache: PhotoCache | None = None

    @classmethod
    def prepare(cls, data: Dataset, comp: Compilation, photos: PhotoPlan | None) -> PrintPhotos:
        ids = select_experiences(data, comp)
        files = referenced([p for i in ids for p in data.experiences[i].photos],
                           [comp.foreword, *(data.experiences[i].body for i in ids)])
        cache = photos.cache if photos is not None else PhotoCache(default_root(None))
        # Only what validate accepts as a photo (a record that was not validated may name
        # anything): the rest is left to the media-only URL fetcher, which refuses it.
        files = [f for f in files if check_file(*data.media_location(media_name(f))) is None]
        chosen = plan(files, cache, data.media_path)
        cache.make(chosen.print_jobs(files))
        return cls(chosen.photos, cache)

    def src(self, file: str, what: str, notes: list[str]) -> str | None:
        """The print variant's URI (and a note when the photo is too small to print)."""
        photo = self.photos.get(media_name(file))
        if photo is None or self.cache is None:
            return None
        dpi = photo.print_dpi()
        if dpi < PRINT_MIN_DPI:
            notes.append(
                f"{what} {media_name(file)} 只有 {photo.size.width}×{photo.size.height} 像素，"
                f"印在汇编中约 {dpi:.0f} dpi，印出来会发虚。印刷清晰需要约 300 dpi"
                f"（长边约 {PRINT_BOX[0]} 像素）：请换用原始大图。")
        return self.cache.file(photo.digest, photo.printed.target).resolve().as_uri()

    _IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^":]+)(")')

    def in_text(self, html: str, notes: list[str]) -> str:
        """Images placed in body text point at their print variants too."""
        if not self.photos:
            return html
        return self._IMG_SRC.sub(
            lambda m: m[1] + (self.src(unquote(m[2].replace("&amp;", "&")), "正文中的图片", notes)
                              or m[2]) + m[3], html)

    @property
    def root(self) -> Path | None:
        return self.cache.root if self.cache is not None else None


def render_compilation(data: Dataset, comp_id: str, out_path: Path | str, *,
                       photos: PhotoPlan | None = None) -> RenderResult:
    """Render compilation ``comp_id`` of ``data`` (an audience view) to ``out_path``.

    The file appears only when the PDF is complete (written next to it, then renamed); on
    any error an existing file at ``out_path`` is left as it was.
    """
    from weasyprint import CSS, HTML

    out_path = Path(out_path)
    comp = _compilation(data, comp_id)
    families = ensure_cjk_font()
    prints = PrintPhotos.prepare(data, comp, photos)
    html, notes = _compilation_document(data, comp_id, prints=prints)
    media = data.root / "media"

    weasy_log = logging.getLogger("weasyprint")
    collector = _WarningCollector()
    weasy_log.addHandler(collector)
    try:
        document = HTML(string=html, base_url=media.resolve().as_uri() + "/",
                        url_fetcher=_url_fetcher(media, prints.root,
                                                 data.media_roots.values())).render(
            stylesheets=[CSS(filename=str(_stylesheet_path()))])
        front, chapters = _chapter_pages(data, comp, document)
        missing: set[str] = set()

        link_text = {f"jingyan-{i}": f"转到《{title}》" for i, title in
                     enumerate((data.experiences[e].title
                                for e in select_experiences(data, comp)), start=1)}

        def finisher(doc: Any, pdf: Any) -> None:
            for font in doc.fonts.values():
                missing.update(chr(cp) for cp in font.missing)
            _page_labels(pdf, front, len(doc.pages))
            _describe_links(pdf, link_text)
            _fix_structure(pdf)

        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp",
                                        dir=out_path.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                # PDF/UA-1: tagged (structure tree from the HTML), /Lang, DisplayDocTitle,
                # XMP metadata with the PDF/UA identification. No /ID, no random values:
                # still byte-identical with SOURCE_DATE_EPOCH.
                document.write_pdf(handle, finisher=finisher, pdf_variant=PDF_VARIANT)
            boxes = sorted(c for c in missing if _CJK_CHAR.match(c))
            if boxes:
                raise FontMissingError(
                    f"已找到的中文字体（{'、'.join(families[:4])}）缺少这些字："
                    f"{''.join(boxes[:20])}")
            os.replace(tmp, out_path)
        finally:
            tmp.unlink(missing_ok=True)
    finally:
        weasy_log.removeHandler(collector)

    # Glyphs no font has are reported once below, not once per occurrence.
    messages = dict.fromkeys(m for m in collector.messages if ".notdef" not in m)
    warnings = [f"{comp_id}: {m}" for m in [*dict.fromkeys(notes), *messages]]
    other = sorted(c for c in missing if not _CJK_CHAR.match(c))
    if other:
        warnings.append(f"{comp_id}: 这些字符没有字体可以显示，在 PDF 中会是方框："
                        f"{' '.join(f'U+{ord(c):04X}' for c in other[:20])}")
    if not chapters:
        warnings.append(f"{comp_id}: 没有符合条件的经验，汇编中只有封面和目录。")
    return RenderResult(path=out_path, pages=len(document.pages), chapters=chapters,
                        front_pages=front, warnings=warnings)


def _chapter_pages(data: Dataset, comp: Compilation, document: Any) -> tuple[int, list[Chapter]]:
    """The number of front pages (cover, foreword, contents) and where each chapter starts,
    from the anchors WeasyPrint placed."""
    anchor_page: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            anchor_page.setdefault(anchor, index)
    ids = select_experiences(data, comp)
    indexes = [anchor_page.get(f"jingyan-{i}") for i in range(1, len(ids) + 1)]
    first = indexes[0] if indexes else None
    front = first if first is not None else len(document.pages)
    chapters = [Chapter(ident, data.experiences[ident].title, index - front + 1)
                for ident, index in zip(ids, indexes, strict=True) if index is not None]
    return front, chapters


def _page_labels(pdf: Any, front: int, pages: int) -> None:
    """Page labels as printed: 封面, I, II … for the front matter, then 1, 2 …"""
    import pydyf

    nums = pydyf.Array([0, pydyf.Dictionary({"P": pydyf.String("封面")})])
    if front > 1:
        nums.extend([1, pydyf.Dictionary({"S": "/R"})])
    if front < pages:
        nums.extend([front, pydyf.Dictionary({"S": "/D", "St": 1})])
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})
    pdf.catalog["PageMode"] = "/UseOutlines"


def _object(pdf: Any, reference: Any) -> Any:
    """The pydyf object behind a reference such as ``b"12 0 R"`` (None if it is none)."""
    if isinstance(reference, bytes | str):
        parts = (reference.decode("ascii") if isinstance(reference, bytes)
                 else reference).split()
        if len(parts) == 3 and parts[2] == "R" and parts[0].isdigit():
            number = int(parts[0])
            if 0 < number < len(pdf.objects):
                return pdf.objects[number]
    return None


def _describe_links(pdf: Any, link_text: dict[str, str]) -> None:
    """Link annotations say where they go (PDF/UA: /Contents), not the anchor's id."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Subtype") == "/Link":
            dest = obj.get("Dest")
            target = getattr(dest, "string", None)
            if isinstance(target, str) and target in link_text:
                obj["Contents"] = pydyf.String(link_text[target])


def _structure_elements(pdf: Any) -> dict[int, tuple[Any, Any]]:
    """Every structure element reachable from the StructTreeRoot: number → (element,
    parent element or None)."""
    root = _object(pdf, pdf.catalog.get("StructTreeRoot"))
    found: dict[int, tuple[Any, Any]] = {}
    if not isinstance(root, dict):
        return found
    todo: list[tuple[Any, Any]] = [(kid, None) for kid in root.get("K") or []]
    while todo:
        reference, parent = todo.pop()
        elem = _object(pdf, reference)
        number = getattr(elem, "number", None)
        if isinstance(elem, dict) and isinstance(number, int) and \
                elem.get("Type") == "/StructElem" and number not in found:
            found[number] = (elem, parent)
            kids = elem.get("K")
            if isinstance(kids, list):
                todo.extend((kid, elem) for kid in kids)
    return found


def _pagination_artifacts(pdf: Any, elements: dict[int, tuple[Any, Any]]) -> None:
    """Mark the running heads and page numbers as pagination artifacts.

    WeasyPrint 70 tags the text of page-margin boxes like body text but leaves its
    structure elements out of the tree (a PDF 1.7 tree cannot hold artifacts): content
    that is neither real content nor an artifact. Here that marked content becomes
    ``/Artifact <</Type /Pagination>>`` and leaves the parent tree, so screen readers skip
    it (as PDF/UA asks for headers and footers) and validators see no orphan content.
    """
    import pydyf

    root = _object(pdf, pdf.catalog.get("StructTreeRoot"))
    parent_tree = _object(pdf, root.get("ParentTree")) if isinstance(root, dict) else None
    nums = parent_tree.get("Nums") if isinstance(parent_tree, dict) else None
    if not isinstance(nums, list):
        return
    pages = [pdf.objects[n] for n in pdf.pages["Kids"][::3]]
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        if not (isinstance(value, list) and isinstance(key, int) and key < len(pages)):
            continue  # an annotation's entry (one reference), not a page's MCID array
        orphans = set()
        for mcid, ref in enumerate(value):
            elem = _object(pdf, ref)
            if elem is not None and getattr(elem, "number", None) not in elements:
                orphans.add(mcid)
        stream = _object(pdf, pages[key].get("Contents"))
        ops = getattr(stream, "stream", None)
        if not orphans or not isinstance(ops, list):
            continue
        for i in range(1, len(ops) - 1):
            props = ops[i]
            if isinstance(props, dict) and props.get("MCID") in orphans and \
                    ops[i + 1] == b"BDC" and isinstance(ops[i - 1], str):
                value[props["MCID"]] = "null"
                ops[i - 1] = "/Artifact"
                ops[i] = pydyf.Dictionary({"Type": "/Pagination"})


def _table_header_scope(pdf: Any, elements: dict[int, tuple[Any, Any]]) -> None:
    """Give each table header cell a /Scope, as the HTML means it: a header cell in the
    table head heads its column, the first cell of a body row (the chapter's 示范点,
    主题 … labels, ``scope="row"``) heads its row. WeasyPrint links cells to their
    headers with /Headers and /ID only; some readers use /Scope alone."""
    import pydyf

    for elem, row in elements.values():
        if elem.get("S") != "/TH" or row is None or row.get("S") != "/TR":
            continue
        group = elements.get(getattr(row, "number", -1), (None, None))[1]  # THead, TBody …
        in_head = group is not None and group.get("S") == "/THead"
        cells = [_object(pdf, k) for k in row.get("K") or []]
        first = bool(cells) and cells[0] is elem
        attributes = elem.get("A")
        if not isinstance(attributes, dict):
            attributes = elem["A"] = pydyf.Dictionary({"O": "/Table"})
        attributes["Scope"] = "/Column" if in_head or not first else "/Row"


def _figure_bbox(pdf: Any, elements: dict[int, tuple[Any, Any]]) -> None:
    """A figure's /BBox in PDF user space (points from the page's lower left corner).

    WeasyPrint 70 writes the image's CSS pixel box, measured from the top of the page:
    off the page for a reader that shows or reflows by it. A4 without bleed, as here."""
    import pydyf

    for elem, _parent in elements.values():
        attributes = elem.get("A")
        page = _object(pdf, elem.get("Pg"))
        if elem.get("S") != "/Figure" or not isinstance(attributes, dict) or \
                not isinstance(page, dict) or len(attributes.get("BBox") or ()) != 4:
            continue
        x1, y1, x2, y2 = (float(v) * 0.75 for v in attributes["BBox"])  # px → pt
        top = float(page["MediaBox"][3])
        attributes["BBox"] = pydyf.Array((x1, top - y2, x2, top - y1))


def _fix_structure(pdf: Any) -> None:
    """What WeasyPrint's tagging leaves to do (see the three functions above)."""
    elements = _structure_elements(pdf)
    if elements:
        _pagination_artifacts(pdf, elements)
        _table_header_scope(pdf, elements)
        _figure_bbox(pdf, elements)


def compile_all(data: Dataset, ids: Iterable[str] | None, out_dir: Path | str) -> list[Path]:
    """Render the compilations ``ids`` (all of them when None or empty) to
    ``out_dir/<id>.pdf``; returns the written paths in order. Unknown ids raise
    :class:`CompilationError` before anything is written."""
    return [r.path for r in compile_results(data, ids, out_dir)]


def compile_results(data: Dataset, ids: Iterable[str] | None,
                    out_dir: Path | str) -> list[RenderResult]:
    """Like :func:`compile_all`, with each render's details (pages, chapters, warnings)."""
    wanted: Sequence[str] = list(ids or []) or sorted(data.compilations)
    for comp_id in wanted:
        _compilation(data, comp_id)
    ensure_cjk_font()
    out = Path(out_dir)
    return [render_compilation(data, comp_id, out / f"{comp_id}.pdf")
            for comp_id in dict.fromkeys(wanted)]
