"""Which files a build publishes for each photo, and how each is made.

:func:`plan` decides, for every photo the pages use, the files to publish — a few widths in
WebP with a JPEG fallback, named after the photo and its content — plus a print variant for
the compilation PDF, and reads each photo's upright size (for ``width``/``height``: no layout
shift). It reads headers only; :meth:`PhotoCache.make` does the image work.

Why WebP and not AVIF (measured by ``benchmarks/photos.py`` on this machine): AVIF files
were about a fifth smaller than WebP at usual web settings, but encoding took 2.5 times as
long, and the browsers many Chinese readers use (older WeChat/QQ/UC builds on Android)
show WebP but not AVIF. JPEG stays as the fallback every browser shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from ..base.images import Size, Target, fit
from ..data.crosscheck import markdown_images
from ..data.mediacheck import media_name as normalise
from ..model.records import Photo
from .cache import Job, PhotoCache

# Widths offered to browsers: a phone's thumbnail (2 columns at 3× is ~520 px), a phone's
# full width (~1100 px at 3×), a desktop's content column (~800 px at 2×: 1600).
WEB_WIDTHS = (320, 640, 1024, 1600)
WEB_FORMATS = (("WEBP", "webp", "image/webp", 78), ("JPEG", "jpg", "image/jpeg", 80))
# The compilation PDF shows a photo at most 166 × 120 mm (print.css): 300 dpi there.
PRINT_BOX = (1960, 1420)
PRINT_QUALITY = 80
# Below this resolution at its printed size a photo looks soft on paper.
PRINT_MIN_DPI = 150
PRINT_MM = (166, 120)
# Bumped whenever the settings above change: the cache keys include it.
SETTINGS = f"web{WEB_WIDTHS}{WEB_FORMATS}print{PRINT_BOX}q{PRINT_QUALITY}v1"



@dataclass(frozen=True)
class Variant:
    path: str    # in the site, e.g. media/photos/dangri-1a2b3c4d-640.webp
    width: int
    height: int
    mime: str
    target: Target


@dataclass(frozen=True)
class PlannedPhoto:
    file: str             # as written in the record, relative to media/
    source: Path
    digest: str
    size: Size            # upright, in pixels
    web: tuple[Variant, ...]
    printed: Variant
    original: str | None  # published only when program.yml says so

    def of(self, mime: str) -> list[Variant]:
        return [v for v in self.web if v.mime == mime]

    @property
    def fallback(self) -> Variant:
        """The JPEG that ``<img src>`` names: the one for a desktop's column."""
        jpegs = self.of("image/jpeg")
        return next((v for v in jpegs if v.width >= 1024), jpegs[-1])

    @property
    def large(self) -> Variant:
        return self.of("image/jpeg")[-1]

    def print_dpi(self) -> float:
        """Resolution of the photo at the size the compilation prints it (its box, filled
        in width or height, whatever the photo's own size)."""
        mm_per_pixel = min(PRINT_MM[0] / self.size.width, PRINT_MM[1] / self.size.height)
        return 25.4 / mm_per_pixel


@dataclass(frozen=True)
class PlainImage:
    """A small image published at its own size and format, cleaned of metadata (the
    government-site mark in the footer): same path as the original, so links stay."""

    source: Path
    digest: str
    variant: Variant


@dataclass
class PhotoPlan:
    cache: PhotoCache
    photos: dict[str, PlannedPhoto] = field(default_factory=dict)
    plain: dict[str, PlainImage] = field(default_factory=dict)

    def get(self, file: str) -> PlannedPhoto | None:
        return self.photos.get(normalise(file))

    def web_jobs(self) -> list[Job]:
        jobs: list[Job] = [(p.source, p.digest, tuple(v.target for v in p.web))
                           for p in self.photos.values()]
        jobs += [(i.source, i.digest, (i.variant.target,)) for i in self.plain.values()]
        return jobs

    def print_jobs(self, files: Iterable[str]) -> list[Job]:
        chosen = [self.photos[f] for f in sorted({normalise(f) for f in files})
                  if f in self.photos]
        return [(p.source, p.digest, (p.printed.target,)) for p in chosen]

    def web_files(self) -> dict[str, Path]:
        """Site path → file to publish (a cached variant; an original only if asked)."""
        files: dict[str, Path] = {}
        for photo in self.photos.values():
            for v in photo.web:
                files[v.path] = self.cache.file(photo.digest, v.target)
            if photo.original:
                files[photo.original] = photo.source
        for image in self.plain.values():
            files[image.variant.path] = self.cache.file(image.digest, image.variant.target)
        return files

    def originals(self) -> dict[str, Path]:
        return {p.original: p.source for p in self.photos.values() if p.original}

    def variant_at(self, path: str) -> tuple[Job, Target] | None:
        """The job that makes the variant at site path ``path`` and its target (``showcase
        serve`` makes it when a browser asks)."""
        for photo in self.photos.values():
            for v in photo.web:
                if v.path == path:
                    return (photo.source, photo.digest, tuple(w.target for w in photo.web)), v.target
        for image in self.plain.values():
            if image.variant.path == path:
                return (image.source, image.digest, (image.variant.target,)), image.variant.target
        return None


def referenced(photos: Iterable[Photo], texts: Iterable[str | None]) -> list[str]:
    """The media files that records show: their photo entries and the images placed in
    their Markdown (``![说明](photos/x.jpg)``, as the Markdown renderer reads them)."""
    files = [p.file for p in photos]
    files += [unquote(ref) for text in texts if text
              for ref, _alt, _line in markdown_images(text)]
    return files


def _variant_name(file: str, digest: str, width: int, ext: str) -> str:
    stem = PurePosixPath(file).with_suffix("").as_posix()
    return f"media/{stem}-{digest[:8]}-{width}.{ext}"


def plan(files: Iterable[str], cache: PhotoCache, media: Path | Callable[[str], Path], *,
         originals: bool = False, plain: Iterable[str] = ()) -> PhotoPlan:
    """The variants of every photo in ``files`` (relative to ``media``, or found by it: a
    joined data set's :meth:`~generator.data.dataset.Dataset.media_path`). Reads each
    photo's header and (once per file version, remembered by the cache) its content hash."""
    locate = media if callable(media) else (lambda file: media / file)
    result = PhotoPlan(cache)
    for file in sorted({normalise(f) for f in files}):
        source = locate(file)
        digest, size = cache.probe(source)
        widths = [w for w in WEB_WIDTHS if w < size.width] + [min(size.width, WEB_WIDTHS[-1])]
        web: list[Variant] = []
        for fmt, ext, mime, quality in WEB_FORMATS:
            for width in sorted(set(widths)):
                target = Target(width, 100_000, fmt, quality)
                shown = fit(size, width, 100_000)
                web.append(Variant(_variant_name(file, digest, width, ext), shown.width,
                                   shown.height, mime, target))
        ptarget = Target(*PRINT_BOX, "JPEG", PRINT_QUALITY)
        pshown = fit(size, *PRINT_BOX)
        printed = Variant(_variant_name(file, digest, 0, "print.jpg"), pshown.width,
                          pshown.height, "image/jpeg", ptarget)
        result.photos[file] = PlannedPhoto(file, source, digest, size, tuple(web), printed,
                                           f"media/{file}" if originals else None)
    for file in sorted({normalise(f) for f in plain}):
        source = locate(file)
        digest, size = cache.probe(source)
        suffix = PurePosixPath(file).suffix.lower()
        fmt = {".png": "PNG", ".gif": "PNG", ".webp": "WEBP"}.get(suffix, "JPEG")
        target = Target(size.width, size.height, fmt, 90)
        result.plain[file] = PlainImage(source, digest, Variant(
            f"media/{file}", size.width, size.height, f"image/{fmt.lower()}", target))
    return result
