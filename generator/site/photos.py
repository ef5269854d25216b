"""The HTML that shows a build's photos (planned in :mod:`generator.media.variants`):
``<picture>`` with WebP and JPEG ``srcset``/``sizes``, alt text and size; figures that open
a larger view; images placed in record Markdown."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from markupsafe import Markup, escape

from ..media.variants import PhotoPlan, PlannedPhoto, Variant
from . import urls

_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? ?/?>')
_LONE_IMG = re.compile(r"<p>(<img [^>]*>)</p>")


def _href(here: str, path: str) -> str:
    return quote(urls.relative(here, path), safe="/.:-_~")


def _srcset(here: str, variants: list[Variant]) -> str:
    return ", ".join(f"{_href(here, v.path)} {v.width}w" for v in variants)


def picture(photo: PlannedPhoto, here: str, *, alt: str, sizes: str, lazy: bool = True,
            css: str = "") -> Markup:
    """``<picture>``: WebP for browsers that take it, JPEG for the rest; the browser picks
    the width from ``sizes``. ``width``/``height`` reserve the space before it loads."""
    img = photo.fallback
    return Markup(
        f'<picture><source type="image/webp" srcset="{escape(_srcset(here, photo.of("image/webp")))}" '
        f'sizes="{escape(sizes)}">'
        f'<img src="{escape(_href(here, img.path))}" '
        f'srcset="{escape(_srcset(here, photo.of("image/jpeg")))}" sizes="{escape(sizes)}" '
        f'width="{img.width}" height="{img.height}" alt="{escape(alt)}"'
        f'{_attr("loading", "lazy") if lazy else ""} decoding="async"'
        f'{_attr("class", css) if css else ""}></picture>')


def _attr(name: str, value: str) -> str:
    return f' {name}="{escape(value)}"'


def zoomable(photo: PlannedPhoto, here: str, *, alt: str, caption: str, sizes: str,
             lazy: bool = True) -> Markup:
    """A figure whose photo opens a larger view: without JavaScript the link shows the
    largest JPEG; with it, ``showcase.js`` opens it in a dialog over the page."""
    large = photo.large
    original = ""
    if photo.original:
        original = f' data-original="{escape(_href(here, photo.original))}"'
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return Markup(
        f'<figure class="sc-photo"><a class="sc-zoom" href="{escape(_href(here, large.path))}" '
        f'data-srcset="{escape(_srcset(here, photo.of("image/webp")))}"{original}>'
        f'{picture(photo, here, alt=alt, sizes=sizes, lazy=lazy)}'
        f'<span class="sc-sr-only">（查看大图）</span></a>{cap}</figure>')


BODY_SIZES = "(max-width: 76em) calc(100vw - 2.4rem), 720px"


def body_photos(html: str, photos: PhotoPlan | None, here: str) -> Markup:
    """Images in record Markdown (``![说明](photos/x.jpg)``, validated) as responsive
    pictures; an image alone in its paragraph becomes a figure that opens a larger view."""
    if photos is None or "<img " not in html:
        return Markup(html)
    from html import unescape

    def lone(m: re.Match[str]) -> str:
        img = _IMG.fullmatch(m[1])
        photo = photos.get(unquote(unescape(img[1]))) if img else None
        if img is None or photo is None:
            return m[0]
        alt = unescape(img[2])
        return str(zoomable(photo, here, alt=alt, caption=alt, sizes=BODY_SIZES))

    def inline(m: re.Match[str]) -> str:
        photo = photos.get(unquote(unescape(m[1])))
        if photo is None:  # validate reports it; never publish a broken or foreign image
            return ""
        return str(picture(photo, here, alt=unescape(m[2]), sizes="10em"))

    html = _LONE_IMG.sub(lone, html)
    return Markup(_IMG.sub(inline, html))
