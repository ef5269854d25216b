"""A compilation (经验汇编) as a Word file beside its PDF: the same experiences in the same
order (``rules.compilation``), a cover, the foreword, the table of contents, one chapter a
page with its facts, summary, body and photos at print size (the photo pipeline's print
variants, as in the PDF) with captions. Made from the audience's view like the PDF."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

from markupsafe import Markup

from ..base.richtext import markdown_html, plain_text
from ..data.dataset import Dataset
from ..media.variants import PhotoPlan
from ..model.records import PROMOTED_LABELS
from ..pdf.render import PrintPhotos
from ..rules.compilation import select_experiences
from ..rules.duties import experience_unit
from ..site import urls
from .blocks import Block, Contents, Document, Heading, PageLink, Para, Photo, Rich
from .docxout import photo_size_mm
from .words import cn_year_month, unit_name

_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]+)"')


def _uri_path(uri: str) -> Path:
    return Path(url2pathname(urlsplit(uri).path))


def _rich(html: Markup, prints: PrintPhotos, notes: list[str]) -> Rich:
    """Record HTML with each placed image mapped to its print variant."""
    images: dict[str, Path] = {}
    for src in _IMG_SRC.findall(str(html)):
        name = unquote(src.replace("&amp;", "&"))
        uri = prints.src(name, "正文中的图片", notes)
        if uri is not None:
            images[src] = _uri_path(uri)
    return Rich(html, images)


def compilation_document(data: Dataset, comp_id: str, *, photos: PhotoPlan | None = None,
                         notes: list[str] | None = None) -> Document:
    """The compilation ``comp_id`` of ``data`` (the audience's view) as a document."""
    assert data.program is not None
    notes = notes if notes is not None else []
    comp = data.compilations[comp_id]
    prints = PrintPhotos.prepare(data, comp, photos)
    tax = data.taxonomy
    blocks: list[Block] = []
    if comp.foreword:
        blocks.append(Heading(1, "前　言", anchor="qianyan"))
        blocks.append(_rich(markdown_html(comp.foreword, level=3), prints, notes))
    blocks.append(Contents())
    for index, ident in enumerate(select_experiences(data, comp), start=1):
        exp = data.experiences[ident]
        blocks.append(Heading(1, exp.title, anchor=f"jingyan-{index}", page_break=True))
        sites = "、".join(data.sites[s].name for s in exp.sites if s in data.sites)
        themes = "、".join(tax.themes[t].name if tax and t in tax.themes else t for t in exp.themes)
        blocks.append(Para(f"{exp.author}", "meta"))
        facts = [f"示范点：{sites}" if sites else "",
                 f"管理单位：{unit_name(data, experience_unit(exp, data.sites))}",
                 f"主题：{themes}", f"年度：{exp.year}年",
                 f"推广：{PROMOTED_LABELS[exp.promoted]}" if exp.promoted else ""]
        blocks.append(Para("　".join(f for f in facts if f), "meta"))
        blocks.append(Para(f"【摘要】{plain_text(exp.summary)}", "note"))
        blocks.append(_rich(markdown_html(exp.body, level=3), prints, notes))
        for number, photo in enumerate(exp.photos, start=1):
            uri = prints.src(photo.file, f"《{exp.title}》的照片", notes)
            path = _uri_path(uri) if uri else data.media_path(photo.file)
            if not path.is_file():
                continue
            width, height = photo_size_mm(path)
            caption = (photo.caption or "").strip()
            alt = (photo.alt or caption).strip() or f"《{exp.title}》配图{number}"
            blocks.append(Photo(path, caption, alt, width, height))
        if data.program.site_url:
            blocks.append(PageLink(urljoin(data.program.site_url, urls.experience(ident))))
    date_line = cn_year_month(comp.date) if comp.date else ""
    return Document(
        title=comp.title,
        subtitle=comp.subtitle or "",
        organizer=comp.editor or data.program.organizer,
        date_line=date_line,
        blocks=tuple(blocks),
        sample=data.program.sample,
        cover=True,
        keywords=("典型经验", "经验汇编"),
    )
