"""Chinese full-text search as static files: complete, precise and light.

Why not Material's search or Pagefind (measured in ECOSYSTEM.md and benchmarks/): one sends
the whole index to every visitor, the other segments index and query differently and misses
pages. Here index and query are cut the same way, into character n-grams, so a page that
contains the query always shares every n-gram with it:

* each run of Chinese characters gives its unigrams, bigrams and trigrams; each run of
  letters/digits gives one lower-cased word;
* a query needs the postings of: a 1- or 2-character run itself, or every trigram of a
  longer run (trigrams overlap, so pages with all of them but not the phrase are rare), and
  each word;
* postings (sorted page numbers, delta-coded) are spread over hash shards of a few KB; a
  query downloads only the shards of its n-grams, then the texts of the pages it shows
  (to confirm the match and cut a snippet). Nothing is downloaded before someone searches.

The browser side is ``theme/assets/search.js``; :func:`query` here is the same algorithm
in Python, used by the tests and the benchmark.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

INDEX_DIR = "search"
FORMAT_VERSION = 1
TARGET_SHARD_BYTES = 6_000
MAX_TEXT_CHARS = 30_000
TITLE_MARK = "^"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"[{_CJK}]+|[a-z0-9]+")
_IS_CJK = re.compile(f"[{_CJK}]")


@dataclass(frozen=True)
class Doc:
    url: str    # site-relative directory URL, e.g. "sites/foo/"
    title: str
    text: str   # the page's own text below its title line, whitespace collapsed
    meta: str = ""  # the line under the title (status, unit, year): found, not quoted


def normalize(text: str) -> str:
    """Full-width letters and digits to ASCII, lower case: the same for index and query."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    return _RUNS.findall(normalize(text))


def index_grams(text: str) -> set[str]:
    grams: set[str] = set()
    add, update = grams.add, grams.update
    is_cjk = _IS_CJK.match
    for run in set(runs(text)):  # a page repeats its words: cut each distinct run once
        if not is_cjk(run):
            add(run)
            continue
        update(run)
        # bigrams and trigrams by slicing: list comprehensions are the fast path here
        update([run[i:i + 2] for i in range(len(run) - 1)])
        update([run[i:i + 3] for i in range(len(run) - 2)])
    return grams


def query_grams(q: str) -> list[str]:
    """The n-grams whose postings all contain every page that contains ``q``."""
    grams: list[str] = []
    for run in runs(q):
        if not _IS_CJK.match(run) or len(run) <= 2:
            grams.append(run)
        else:
            grams.extend(run[i:i + 3] for i in range(len(run) - 2))
    return list(dict.fromkeys(grams))


def fnv1a(gram: str) -> int:
    """32-bit FNV-1a over UTF-16 code units (what JavaScript's charCodeAt sees)."""
    h = 0x811C9DC5
    data = gram.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


# Parts of a page that are not its own text: other pages' cards, "back" links, permalinks.
_EXCLUDED = re.compile(r"<!-- sc:noindex -->.*?<!-- /sc:noindex -->|<a [^>]*class=\"headerlink\"[^>]*>.*?</a>"
                       r"|<nav class=\"md-tags[^\"]*\".*?</nav>", re.S)
_BLOCK = re.compile(r"</?(p|div|li|h[1-6]|tr|td|th|br|dt|dd|figcaption|section|article|"
                    r"blockquote|pre|table|ul|ol|dl|figure|nav|header|footer)\b[^>]*>", re.I)
_DROP = re.compile(r"<(script|style|svg|template)\b.*?</\1>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


# A section heading's text is set apart as 【heading】: snippets then read "【主要做法】村里…"
# instead of running the heading into the paragraph below it.
_SECTION = re.compile(r"<h([2-6])\b[^>]*>(.*?)</h\1>", re.I | re.S)
HEADING_OPEN, HEADING_CLOSE = "【", "】"


def _heading(m: re.Match[str]) -> str:
    text = html_text(m[2])
    return f" {HEADING_OPEN}{text}{HEADING_CLOSE} " if text else " "


def html_text(fragment: str) -> str:
    """Visible text of an HTML fragment; block boundaries become spaces, section headings
    are bracketed."""
    fragment = _EXCLUDED.sub(" ", fragment)
    if "<h" in fragment or "<H" in fragment:
        fragment = _SECTION.sub(_heading, fragment)
    fragment = _DROP.sub(" ", fragment)
    fragment = _BLOCK.sub(" ", fragment)
    fragment = _TAG.sub("", fragment)
    return _SPACE.sub(" ", html.unescape(fragment)).strip()


def _encode(postings: list[int]) -> list[int]:
    out, last = [], 0
    for p in postings:
        out.append(p - last)
        last = p
    return out


Postings = dict[str, list[int]]


def postings_of(docs: Sequence[Doc], first: int = 0) -> tuple[Postings, Postings]:
    """(n-gram → page numbers, n-gram → numbers of pages whose title has it) for ``docs``,
    numbered from ``first``. Parts of a long list can be computed apart and joined in order
    (:func:`join`)."""
    postings: defaultdict[str, list[int]] = defaultdict(list)
    in_title: defaultdict[str, list[int]] = defaultdict(list)
    for number, doc in enumerate(docs, start=first):
        title = index_grams(doc.title)
        for gram in index_grams(doc.text) | index_grams(doc.meta) | title:
            postings[gram].append(number)
        for gram in title:
            in_title[gram].append(number)
    return dict(postings), dict(in_title)


@dataclass(frozen=True)
class Indexed:
    """What the index needs of one page: its text file (:func:`doc_file`) and its n-grams
    (all of them, and those of its title) — kept by the build's cache per page."""

    file: bytes
    grams: tuple[str, ...]
    title: tuple[str, ...]

    def pack(self) -> bytes:
        # A text file is JSON (no raw NUL) and n-grams have no NUL or newline.
        return b"\0".join((self.file, "\n".join(self.grams).encode("utf-8"),
                           "\n".join(self.title).encode("utf-8")))

    @classmethod
    def unpack(cls, data: bytes) -> Indexed | None:
        parts = data.split(b"\0")
        if len(parts) != 3:
            return None
        grams, title = (tuple(p.decode("utf-8").split("\n")) if p else () for p in parts[1:])
        return cls(parts[0], grams, title)


def indexed(doc: Doc) -> Indexed:
    title = index_grams(doc.title)
    grams = index_grams(doc.text) | index_grams(doc.meta) | title
    return Indexed(doc_file(doc), tuple(sorted(grams)), tuple(sorted(title)))


def postings_of_indexed(pages: Sequence[Indexed], first: int = 0) -> tuple[Postings, Postings]:
    """:func:`postings_of` for pages already cut into n-grams."""
    postings: defaultdict[str, list[int]] = defaultdict(list)
    in_title: defaultdict[str, list[int]] = defaultdict(list)
    for number, page in enumerate(pages, start=first):
        for gram in page.grams:
            postings[gram].append(number)
        for gram in page.title:
            in_title[gram].append(number)
    return dict(postings), dict(in_title)


def join(parts: Iterable[tuple[Postings, Postings]]) -> tuple[Postings, Postings]:
    """Postings of consecutive ranges of pages, joined (each list stays sorted)."""
    postings: defaultdict[str, list[int]] = defaultdict(list)
    in_title: defaultdict[str, list[int]] = defaultdict(list)
    for part_postings, part_titles in parts:
        for gram, numbers in part_postings.items():
            postings[gram].extend(numbers)
        for gram, numbers in part_titles.items():
            in_title[gram].extend(numbers)
    return dict(postings), dict(in_title)


def doc_file(doc: Doc) -> bytes:
    """What the browser fetches to show (and confirm) one result: title, URL, text (snippets
    are cut from it) and the title line's metadata (matched, never quoted)."""
    stored: dict[str, object] = {"t": doc.title, "u": doc.url, "x": doc.text[:MAX_TEXT_CHARS]}
    if doc.meta:
        stored["m"] = doc.meta
    if len(doc.text) > MAX_TEXT_CHARS:
        # Only the start is kept for snippets: a match further on is taken on the index's
        # word (every n-gram of the query is on the page) instead of the text's.
        stored["c"] = 1
    return _dumps(stored)


def doc_files(docs: Sequence[Doc], first: int = 0) -> dict[str, bytes]:
    return {f"{INDEX_DIR}/d/{number}.json": doc_file(doc)
            for number, doc in enumerate(docs, start=first)}


def fingerprint(content: bytes) -> bytes:
    return hashlib.sha256(content).digest()


def index_files(computed: tuple[Postings, Postings], count: int,
                fingerprints: dict[str, bytes]) -> dict[str, bytes]:
    """The postings shards and the manifest, for ``count`` pages whose text files (path →
    :func:`fingerprint`) are already written; the manifest's id changes with any file."""
    postings, in_title = computed
    size = sum(len(g) * 3 + 2 * len(p) + 4 for g, p in postings.items())
    shards = 16
    while size / shards > TARGET_SHARD_BYTES and shards < 65536:
        shards *= 2
    buckets: list[dict[str, list[int]]] = [{} for _ in range(shards)]
    for gram in sorted(postings):
        bucket = buckets[fnv1a(gram) % shards]
        bucket[gram] = _encode(postings[gram])
        # Pages whose title has the n-gram, kept next to it: no extra download to rank them.
        if gram in in_title:
            bucket[TITLE_MARK + gram] = _encode(in_title[gram])
    files = {f"{INDEX_DIR}/i/{i}.json": _dumps(bucket) for i, bucket in enumerate(buckets)}
    everything = {**fingerprints, **{path: fingerprint(c) for path, c in files.items()}}
    digest = hashlib.sha256()
    for path in sorted(everything):
        digest.update(path.encode())
        digest.update(everything[path])
    files[f"{INDEX_DIR}/manifest.json"] = _dumps({
        "v": FORMAT_VERSION, "shards": shards, "docs": count, "id": digest.hexdigest()[:12],
    })
    return files


def build(docs: Iterable[Doc]) -> dict[str, bytes]:
    """All index files, as path (relative to the site root) → content. ``docs`` in ranking
    order: page numbers follow it and results are shown in it."""
    documents = list(docs)
    texts = doc_files(documents)
    index = index_files(postings_of(documents), len(documents),
                        {path: fingerprint(c) for path, c in texts.items()})
    return {**index, **texts}


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ---------------------------------------------------------------- the query side (reference)

@dataclass(frozen=True)
class Hit:
    number: int
    url: str
    title: str
    confirmed: bool  # the page text really contains every part of the query


def _decode(deltas: list[int]) -> list[int]:
    out, total = [], 0
    for d in deltas:
        total += d
        out.append(total)
    return out


def candidates(index_dir: Path, q: str) -> tuple[list[int], list[str]]:
    """Page numbers sharing every query n-gram — those whose title has them all first —
    and the shard files that had to be read."""
    manifest = json.loads((index_dir / "manifest.json").read_text("utf-8"))
    grams = query_grams(q)
    if not grams:
        return [], []
    fetched: dict[int, dict[str, list[int]]] = {}
    result: set[int] | None = None
    titled: set[int] | None = None
    for gram in grams:
        shard = fnv1a(gram) % manifest["shards"]
        if shard not in fetched:
            fetched[shard] = json.loads((index_dir / "i" / f"{shard}.json").read_text("utf-8"))
        pages = set(_decode(fetched[shard].get(gram, [])))
        in_title = set(_decode(fetched[shard].get(TITLE_MARK + gram, [])))
        result = pages if result is None else result & pages
        titled = in_title if titled is None else titled & in_title
    files = [f"i/{s}.json" for s in fetched]
    found, first = result or set(), titled or set()
    return sorted(first) + sorted(found - first), files


def matches(text: str, q: str, *, cut: bool = False) -> bool:
    """Whether the page text contains every part of the query (a cut text cannot say no)."""
    norm = normalize(text)
    return cut or all(part in norm for part in runs(q))


def query(index_dir: Path, q: str, *, limit: int = 10) -> Iterator[Hit]:
    """Results in ranking order; the first ``limit`` are confirmed against the page text."""
    numbers, _files = candidates(index_dir, q)
    for i, number in enumerate(numbers):
        doc = json.loads((index_dir / "d" / f"{number}.json").read_text("utf-8"))
        text = " ".join((doc["x"], doc["t"], doc.get("m", "")))
        yield Hit(number, doc["u"], doc["t"],
                  i < limit and matches(text, q, cut=bool(doc.get("c"))))
