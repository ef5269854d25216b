"""QR codes that lead a printed page back to its page on the web (SPEC §6 "QR codes").

Made at build time by segno (pure Python, maintained, deterministic: the same text always
gives the same bytes). One place for every printed output — the site's print stylesheet,
the compilation PDFs, and the annual report and .docx files — so they all scan alike:

* :func:`qr_svg` — vector, for HTML pages and WeasyPrint (``<svg>`` with a ``viewBox`` and
  no fixed size: the stylesheet sizes it);
* :func:`qr_svg_data_uri` — the same as a ``data:`` URI, for an ``<img>`` with alt text;
* :func:`qr_png` — a PNG of about ``size`` pixels, for formats without SVG (Word);
* :func:`qr_modules` — the modules themselves, for a writer that draws them.

Error correction M (15 %) survives a smudged or folded printout; the quiet zone is the
standard four modules, and the light modules are painted white so that the code scans on a
tinted page too.
"""

from __future__ import annotations

import base64
import io
from urllib.parse import urlsplit

import segno

ERROR = "m"
BORDER = 4


# A fixed mask pattern for codes made by the thousand (one per page of a large site):
# choosing the best of the eight masks, as the standard recommends, is 80 % of the cost
# (about 3 ms a code); every mask decodes, and the tests decode such codes with zbar.
FAST_MASK = 2


def _code(text: str, mask: int | None = None) -> segno.QRCode:
    if not text:
        raise ValueError("a QR code needs a text")
    return segno.make(text, error=ERROR, micro=False, boost_error=False, mask=mask)


def qr_svg(text: str, *, title: str | None = None, css_class: str = "sc-qr",
           mask: int | None = None) -> str:
    """An ``<svg>`` element (no XML declaration) encoding ``text``; ``mask`` as
    :data:`FAST_MASK` for many codes, else the best mask is chosen."""
    out = io.BytesIO()
    _code(text, mask).save(out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True,
                     border=BORDER, dark="#000", light="#fff", svgclass=css_class,
                     lineclass=None, title=title)
    return out.getvalue().decode("utf-8")


def qr_svg_data_uri(text: str) -> str:
    """:func:`qr_svg` as a ``data:image/svg+xml;base64,…`` URI."""
    svg = qr_svg(text, css_class="qr").replace("<svg ", '<svg width="100%" height="100%" ', 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def qr_modules(text: str) -> list[list[bool]]:
    """The code's modules row by row, the quiet zone included: True for a dark one (for
    writers that draw the code themselves, as the printed documents' PDF writer does)."""
    return [[bool(m) for m in row] for row in _code(text).matrix_iter(scale=1, border=BORDER)]


def qr_png(text: str, size: int = 300) -> bytes:
    """A PNG of ``text``'s code, at least ``size`` pixels wide (whole pixels per module)."""
    code = _code(text)
    modules = code.symbol_size(scale=1, border=BORDER)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, -(-size // modules)), border=BORDER,
              dark="#000", light="#fff")
    return out.getvalue()


def short_url(url: str) -> str:
    """The address as printed under a code: without the scheme (``dj.example.cn/sites/x/``)."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return parts.netloc + (rest if rest != "/" else "/")
