"""Photos made fit to publish, with Pillow: upright, sRGB, smaller, and anonymous.

A phone photo carries EXIF (GPS position, time, device, often the owner's name), XMP and
IPTC blocks, comments and an ICC profile. :func:`render` decodes the pixels only and writes
new files from them: nothing of the original's metadata can come along, because nothing but
pixels is read into the images it saves.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

# EXIF orientations 5–8 turn the picture by a quarter: width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}
_ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class Size:
    width: int
    height: int


@dataclass(frozen=True)
class Target:
    """One file to write: the longest allowed width and height, a format and quality."""

    width: int
    height: int
    format: str  # "WEBP", "JPEG", "PNG" or "AVIF"
    quality: int = 80


def upright_size(path: Path) -> Size:
    """The picture's width and height as it is meant to be seen (EXIF orientation applied),
    read from the header only."""
    with Image.open(path) as img:
        width, height = img.size
        try:
            orientation = img.getexif().get(_ORIENTATION_TAG, 1)
        except Exception:  # a damaged EXIF block: the pixels are what counts
            orientation = 1
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    return Size(width, height)


def fit(size: Size, width: int, height: int) -> Size:
    """``size`` scaled down (never up) to fit inside ``width`` × ``height``."""
    scale = min(1.0, width / size.width, height / size.height)
    return Size(max(1, round(size.width * scale)), max(1, round(size.height * scale)))


def _to_srgb(img: Image.Image) -> Image.Image:
    """Pixels in sRGB (RGB, or RGBA where the picture is transparent); an embedded colour
    profile (Display P3 from iPhones, Adobe RGB from cameras) is converted, not dropped, so
    colours stay as the photographer saw them."""
    icc = img.info.get("icc_profile")
    alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    mode = "RGBA" if alpha else "RGB"
    if icc and img.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(img, source, srgb, outputMode=mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: plain conversion below
    return img.convert(mode) if img.mode != mode else img


def _encode(img: Image.Image, target: Target) -> bytes:
    out = io.BytesIO()
    if target.format == "JPEG":
        if img.mode == "RGBA":  # JPEG has no transparency: white paper behind it
            flat = Image.new("RGB", img.size, (255, 255, 255))
            flat.paste(img, mask=img.getchannel("A"))
            img = flat
        img.save(out, "JPEG", quality=target.quality, optimize=True, progressive=True,
                 subsampling="4:2:0")
    elif target.format == "WEBP":
        img.save(out, "WEBP", quality=target.quality, method=3)
    elif target.format == "AVIF":
        img.save(out, "AVIF", quality=target.quality, speed=6)
    elif target.format == "PNG":
        img.save(out, "PNG", optimize=True)
    else:
        raise ValueError(f"unknown image format {target.format}")
    return out.getvalue()


def render(path: Path, targets: list[Target]) -> list[tuple[Size, bytes]]:
    """Each target as encoded bytes with its size: orientation applied, sRGB, resized with
    a good filter, no metadata. The source is decoded once, at the smallest JPEG scale that
    still covers the largest target (decoding a 12-megapixel photo at 1/2 or 1/4 is several
    times faster)."""
    with Image.open(path) as img:
        size = upright_size(path)
        biggest = max(fit(size, t.width, t.height).width for t in targets)
        if img.format == "JPEG":
            scale = biggest / size.width
            img.draft("RGB", (math.ceil(img.size[0] * scale), math.ceil(img.size[1] * scale)))
        img.seek(0)  # an animated GIF or WebP: its first frame
        img.load()
        upright = ImageOps.exif_transpose(img) or img
        pixels = _to_srgb(upright)
    pixels.info = {}  # nothing but pixels goes on
    # Largest first, each size made from the one before it (a fraction of the pixels to
    # filter), every one of them with a full Lanczos filter: as sharp, several times less work.
    order = sorted(range(len(targets)), key=lambda i: -fit(size, targets[i].width,
                                                            targets[i].height).width)
    results: dict[int, tuple[Size, bytes]] = {}
    scaled = pixels
    for i in order:
        target = targets[i]
        want = fit(size, target.width, target.height)
        if (want.width, want.height) != scaled.size:
            scaled = scaled.resize((want.width, want.height), Image.Resampling.LANCZOS)
        scaled.info = {}
        results[i] = (want, _encode(scaled, target))
    return [results[i] for i in range(len(targets))]
