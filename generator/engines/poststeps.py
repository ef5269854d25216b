"""What every build does after the engine, whichever engine it was: read the rendered HTML
files (as Pagefind does) into our static search index, write the compilations' PDFs, the
sitemap of the pages worth finding, robots.txt, and a gzip copy of every text file for
servers that send precompressed files (nginx ``gzip_static``). Nothing here depends on an engine's
plugin system, so MkDocs, ProperDocs and Zensical builds end up with the same files.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import html
import logging
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from ..base import gcpause
from ..base.blobcache import BlobCache, key
from ..base.parallel import fork_map, split, workers
from ..data.dataset import Dataset
from ..media.variants import PhotoPlan
from ..paper.publish import Job, run_jobs, site_jobs
from ..rules.audience import Audience
from ..rules.facts import Facts, derive
from ..site import searchindex, urls

log = logging.getLogger("showcase.build")

_ARTICLE = re.compile(r'<article class="md-content__inner[^"]*"[^>]*>', re.I)
_ARTICLE_TAG = re.compile(r"<(/?)article\b[^>]*>", re.I)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.I | re.S)
_TITLE = re.compile(r"<title>(.*?)</title>", re.I | re.S)
# The metadata line(s) under a record page's title (generator/site/templates).
_META = re.compile(r'<p class="sc-(?:meta|author)"[^>]*>.*?</p>', re.I | re.S)


def page_url(site_dir: Path, path: Path) -> str:
    """The directory URL of an ``index.html`` (``sites/x/index.html`` → ``sites/x/``)."""
    rel = path.relative_to(site_dir).as_posix()
    return rel[: -len("index.html")]


def article(page_html: str) -> str | None:
    """The page's own content: Material's (and Zensical's) ``md-content__inner`` article,
    nested articles (our cards) included."""
    start = _ARTICLE.search(page_html)
    if start is None:
        return None
    depth = 0
    for m in _ARTICLE_TAG.finditer(page_html, start.start()):
        depth += -1 if m[1] else 1
        if depth == 0:
            return page_html[start.end():m.start()]
    return page_html[start.end():]


def search_doc(url: str, page_html: str) -> searchindex.Doc | None:
    """The page's search entry: its title (the h1), the metadata line under it and its text
    from there on — a snippet never repeats the title or the metadata line."""
    content = article(page_html)
    if content is None:
        return None
    heading = _H1.search(content)
    if heading is None:
        return searchindex.Doc(url, _title(page_html), searchindex.html_text(content))
    below = content[heading.end():]
    meta = []
    for m in _META.finditer(below):
        meta.append(searchindex.html_text(m[0]))
    below = _META.sub(" ", below)
    return searchindex.Doc(url, searchindex.html_text(heading[1]), searchindex.html_text(below),
                           " ".join(meta))


def searchable_pages(site_dir: Path) -> list[tuple[str, Path]]:
    pages = []
    for path in sorted(site_dir.rglob("index.html")):
        url = page_url(site_dir, path)
        if urls.searchable(url):
            pages.append((url, path))
    return pages


SEARCH_KIND = "search"
GZIP_KIND = "gz"


@functools.cache
def _search_code() -> bytes:
    """The code that turns a page's HTML into its search entry (this module's extraction,
    searchindex's n-grams and text files): part of a cached entry's key, so that a change to
    either is never served from an entry the old code made."""
    return b"\0".join(Path(name).read_bytes() for name in (__file__, searchindex.__file__))


_GZIP = f"gzip-6 zlib {zlib.ZLIB_RUNTIME_VERSION}"


def _indexed(url: str, raw: bytes, cache: BlobCache) -> searchindex.Indexed:
    """A page's part of the index, from the cache when its HTML was indexed before."""
    name = key(_search_code(), url, raw) if cache.enabled else ""
    stored = cache.get(SEARCH_KIND, name) if name else None
    found = searchindex.Indexed.unpack(stored) if stored is not None else None
    if found is not None:
        return found
    text = raw.decode("utf-8")
    made = searchindex.indexed(search_doc(url, text) or searchindex.Doc(url, _title(text), ""))
    if name:
        cache.put(SEARCH_KIND, name, made.pack())
    return made


def _index_part(job: tuple[Path, int, Sequence[tuple[str, Path]], BlobCache]
                ) -> tuple[tuple[searchindex.Postings, searchindex.Postings], dict[str, bytes]]:
    """Read a consecutive run of pages (numbered from ``first``), write their text files and
    return their postings and the text files' fingerprints."""
    site_dir, first, pages, cache = job
    parts = [_indexed(url, path.read_bytes(), cache) for url, path in pages]
    fingerprints = {}
    for number, part in enumerate(parts, start=first):
        rel = f"{searchindex.INDEX_DIR}/d/{number}.json"
        target = site_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(part.file)
        fingerprints[rel] = searchindex.fingerprint(part.file)
    with gcpause.paused():
        return searchindex.postings_of_indexed(parts, first), fingerprints


def _title(page_html: str) -> str:
    match = _TITLE.search(page_html)
    return html.unescape(match[1]).split(" - ")[0].strip() if match else ""


def write_search_index(site_dir: Path, cache: BlobCache | None = None) -> int:
    """Index every searchable page of the rendered site (each half of the pages read,
    written out as result texts and cut into n-grams on its own core; a page whose HTML was
    indexed before is taken from ``cache``); returns the number of pages."""
    cache = cache or BlobCache(None)
    target = site_dir / searchindex.INDEX_DIR
    for part in ("i", "d"):  # an earlier index (a preview's site folder); the page stays
        if (target / part).is_dir():
            shutil.rmtree(target / part)
    pages = sorted(searchable_pages(site_dir), key=lambda p: (urls.search_rank(p[0]), p[0]))
    parts = fork_map(_index_part, [(site_dir, first, run, cache)
                                   for first, run in split(pages, workers())])
    fingerprints = {path: fp for _postings, part in parts for path, fp in part.items()}
    with gcpause.paused():  # millions of postings, all alive until written
        postings = searchindex.join(p for p, _fingerprints in parts)
        files = searchindex.index_files(postings, len(pages), fingerprints)
    for rel, content in files.items():
        out = site_dir / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
    return len(pages)


def sitemap_urls(site_dir: Path) -> list[str]:
    """Pages worth finding: every page but listing-only ones (facets, further pages of a
    listing, tags), the search page and the 404 page."""
    return [url for url in (page_url(site_dir, path) for path in sorted(site_dir.rglob("index.html")))
            if urls.in_sitemap(url)]


def write_sitemap(site_dir: Path, base_url: str, day: dt.date, internal: bool) -> None:
    entries = []
    if base_url and not internal:
        root = base_url.rstrip("/") + "/"
        for url in sitemap_urls(site_dir):
            entries.append(f"  <url>\n    <loc>{escape(root + url)}</loc>\n"
                           f"    <lastmod>{day.isoformat()}</lastmod>\n  </url>\n")
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(entries) + "</urlset>\n").encode("utf-8")
    (site_dir / "sitemap.xml").write_bytes(text)
    (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(text, mtime=0))


def write_robots(site_dir: Path, base_url: str, internal: bool) -> None:
    if internal:
        text = "User-agent: *\nDisallow: /\n"
    else:
        text = "User-agent: *\nAllow: /\n"
        if base_url:
            text += f"Sitemap: {base_url.rstrip('/')}/sitemap.xml\n"
    (site_dir / "robots.txt").write_text(text, encoding="utf-8")


def pdf_jobs(shown: Dataset, ids: Iterable[str], photos: PhotoPlan | None = None) -> list[Job]:
    """The compilations' PDFs at ``compilations/<id>.pdf`` (each with its warnings)."""
    jobs = []
    for ident in sorted(ids):
        def make(ident: str = ident) -> tuple[bytes, list[str]]:
            from ..pdf import render_compilation  # WeasyPrint is slow to import

            with tempfile.TemporaryDirectory(prefix="showcase-pdf-") as tmp:
                out = Path(tmp) / f"{ident}.pdf"
                result = render_compilation(shown, ident, out, photos=photos)
                return out.read_bytes(), [f"经验汇编 {ident}：{w}" for w in result.warnings]
        # A compilation costs about as much as twenty small documents.
        jobs.append(Job(urls.compilation_pdf(ident), make, 20.0))
    return jobs


def write_documents(site_dir: Path, shown: Dataset, facts: Facts, audience: Audience,
                    pdfs: Iterable[str], photos: PhotoPlan | None = None,
                    pdf: bool = True) -> list[str]:
    """Every printed document of the build (compilation PDFs and .docx, annual reports,
    and in internal builds the worklists and calendars), made on both cores; returns their
    warnings."""
    from ..pdf import CompilationError

    pdfs = sorted(pdfs)
    jobs = pdf_jobs(shown, pdfs, photos) + site_jobs(shown, facts, audience, compilations=pdfs,
                                                      photos=photos, pdf=pdf)
    try:
        return run_jobs(site_dir, jobs, facts.as_of)
    except CompilationError as exc:
        raise PostStepFailed(f"文档无法生成：{exc}") from None


# Text files worth sending compressed; images, PDFs and fonts are compressed already.
COMPRESSIBLE = frozenset({".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv",
                          ".ics"})
_SMALLEST = 256  # below this a gzip copy saves less than its own header costs a request


def _gzip_part(job: tuple[Sequence[Path], BlobCache]) -> int:
    paths, cache = job
    written = 0
    for path in paths:
        raw = path.read_bytes()
        name = key(_GZIP, raw) if cache.enabled else ""
        packed = cache.get(GZIP_KIND, name) if name else None
        if packed is None:
            # Level 6: a third of level 9's time for 0.3 % more bytes (benchmarks/README.md);
            # mtime 0: byte-identical builds.
            packed = gzip.compress(raw, compresslevel=6, mtime=0)
            if name:
                cache.put(GZIP_KIND, name, packed, compress=False)
        if len(packed) < len(raw):
            path.with_name(path.name + ".gz").write_bytes(packed)
            written += 1
    return written


def write_precompressed(site_dir: Path, cache: BlobCache | None = None) -> int:
    """``NAME.gz`` beside every text file of at least 256 bytes that gzip makes smaller, so
    that nginx (``gzip_static on``, see ``showcase server-config``) sends it without
    compressing on each request (the same bytes as before from ``cache``). One already
    there is rewritten (it may be stale); for sitemap.xml that gives the same bytes.
    Returns how many were written."""
    cache = cache or BlobCache(None)
    paths = [p for p in sorted(site_dir.rglob("*"))
             if p.suffix in COMPRESSIBLE and p.is_file() and not p.is_symlink()
             and p.stat().st_size >= _SMALLEST]
    return sum(fork_map(_gzip_part, [(run, cache) for _first, run in split(paths, workers())]))


class PostStepFailed(Exception):
    """A post-step could not finish (Chinese message)."""


def finish(site_dir: Path, *, shown: Dataset, audience: Audience, base_url: str,
           as_of: dt.date, pdfs: Iterable[str] = (), photos: PhotoPlan | None = None,
           facts: Facts | None = None, pdf: bool = True,
           cache: BlobCache | None = None) -> list[str]:
    """Every post-step on a freshly rendered site (each page's search entry and gzip copy
    from ``cache`` when its bytes were seen before); returns warnings for the user."""
    internal = audience == "internal"
    # The facts do not depend on the audience (no private field or draft decides a status).
    facts = facts if facts is not None else derive(shown, as_of)
    warnings = write_documents(site_dir, shown, facts, audience, pdfs, photos, pdf)
    count = write_search_index(site_dir, cache)
    log.info(f"搜索索引：{count} 个页面")
    write_sitemap(site_dir, base_url, as_of, internal)
    write_robots(site_dir, base_url, internal)
    count = write_precompressed(site_dir, cache)
    log.info(f"预压缩：{count} 个文本文件")
    return warnings
