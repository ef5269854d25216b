"""Where every generated page lives (SPEC §4), in one place.

Pages are written as ``<dir>/index.md`` so that, with directory URLs, a record's URL is
``<dir>/`` whatever its id (an id such as ``index`` cannot collide with a listing page).
Facet folders use an underscore (``by_category``), which ids cannot contain.
"""

from __future__ import annotations

from urllib.parse import quote

HOME = ""
SITES = "sites/"
EXPERIENCES = "experiences/"
PLANS = "plans/"
COMPILATIONS = "compilations/"
OPEN_DATA = "data/"
TAGS = "tags/"
MEMBERS = "members/"
INTERNAL = "internal/"
SEARCH = "search/"
FEED = "feed.xml"
# The year's changes (年度变化) and their feed, from the data's git history.
CHANGES = "changes/"
CHANGES_FEED = "changes/feed.xml"
# The staff guide (content/guide/): built into the internal site only, never published.
STAFF_GUIDE = "guide/"
# Its page 遇到问题找谁, made from program.yml's contact (internal builds only).
GUIDE_HELP = "guide/help/"
# The annual reports (every build) and the worklists and calendars (internal builds only).
REPORTS = "reports/"
WORKLISTS = "worklists/"
CALENDAR = "calendar/"

SITE_FACETS = ("category", "unit", "batch", "status")

# Paths the generator owns; a hand-written page in content/ must not use them.
RESERVED = ("index.md", SITES, EXPERIENCES, PLANS, COMPILATIONS, OPEN_DATA, TAGS, MEMBERS, INTERNAL,
            SEARCH, FEED, CHANGES, "media/", REPORTS, WORKLISTS, CALENDAR, GUIDE_HELP)

def is_reserved(path: str) -> bool:
    """Whether a hand-written file in content/ would take a path the generator owns."""
    return any(path == r or (r.endswith("/") and path.startswith(r)) for r in RESERVED)


def internal_only(path: str) -> bool:
    """Whether a hand-written file in content/ belongs to the internal build only."""
    return path.startswith(STAFF_GUIDE)


# Pages that only list other pages: left out of the search index (their text is the
# summaries of the pages they list, which are indexed themselves).
NOT_SEARCHED = (f"{SITES}by_", f"{EXPERIENCES}by_", TAGS, SEARCH, CHANGES)


def searchable(url: str) -> bool:
    return url not in (SITES, EXPERIENCES) and not url.startswith(NOT_SEARCHED) \
        and "/page_" not in url


def in_sitemap(url: str) -> bool:
    """Pages worth finding from a search engine: the directory and the library themselves,
    but not their facet and later pages, the tag index or the search page."""
    return not url.startswith(NOT_SEARCHED) and "/page_" not in url


def search_rank(url: str) -> int:
    """Order of search results by kind of page: records first, listings last."""
    if url == HOME:
        return 9
    if url in (SITES, EXPERIENCES, PLANS, COMPILATIONS, OPEN_DATA):
        return 8
    for rank, prefix in enumerate((EXPERIENCES, SITES, PLANS, COMPILATIONS)):
        if url.startswith(prefix):
            return rank
    return 5


def site(ident: str) -> str:
    return f"{SITES}{ident}/"


def experience(ident: str) -> str:
    return f"{EXPERIENCES}{ident}/"


def plan(year: int) -> str:
    return f"{PLANS}{year}/"


def compilation(ident: str) -> str:
    return f"{COMPILATIONS}{ident}/"


def changes_year(year: int) -> str:
    return f"{CHANGES}{year}/"


def compilation_pdf(ident: str) -> str:
    return f"{COMPILATIONS}{ident}.pdf"


def member(key: str) -> str:
    """The page of one member of an aggregating programme (federation)."""
    return f"{MEMBERS}{key}/"


def compilation_docx(ident: str) -> str:
    return f"{COMPILATIONS}{ident}.docx"


def report(year: int) -> str:
    """The annual report of ``year`` (SPEC §6)."""
    return f"{REPORTS}{year}/"


def report_file(year: int, suffix: str) -> str:
    """``reports/2025/annual-2025.pdf`` (and ``.docx``)."""
    return f"{REPORTS}{year}/annual-{year}.{suffix}"


def worklist_file(name: str, suffix: str) -> str:
    """``worklists/unit-wuling.pdf``, ``worklists/supervisor-yang-fan.docx``."""
    return f"{WORKLISTS}{name}.{suffix}"


def calendar_file(name: str) -> str:
    """``calendar/programme.ics``, ``calendar/unit-wuling.ics`` …"""
    return f"{CALENDAR}{name}.ics"


def tag(slug: str) -> str:
    """The page of one tag (``slug``: the tag's pinyin, made unique)."""
    return f"{TAGS}{slug}/"


def site_facet(facet: str, value: str | int) -> str:
    return f"{SITES}by_{facet}/{value}/"


def experience_facet(facet: str, value: str | int) -> str:
    return f"{EXPERIENCES}by_{facet}/{value}/"


def facet_index(root: str, facet: str) -> str:
    """The page listing every value of a facet (used when there are too many to inline)."""
    return f"{root}by_{facet}/"


def paged(url: str, number: int) -> str:
    """Page ``number`` (1-based) of a long listing."""
    return url if number == 1 else f"{url}page_{number}/"


def media(relative: str) -> str:
    """The output file of a media file."""
    return f"media/{relative}"


def media_href(relative: str) -> str:
    """The URL of a media file: names with spaces, “#”, “?” or “%” percent-encoded."""
    return "media/" + quote(relative, safe="/")


def source_of(url: str) -> str:
    """The Markdown file that produces a directory URL."""
    return f"{url}index.md"


def relative(from_url: str, to: str) -> str:
    """Link from the page at directory URL ``from_url`` to ``to`` (a directory URL ending in
    "/" or "", or a file path). Both are relative to the site root."""
    here = from_url.split("/")[:-1]          # "sites/x/" -> ["sites", "x"]
    parts = to.split("/")
    target_dirs, leaf = parts[:-1], parts[-1]  # "sites/y/" -> (["sites","y"], "")
    common = 0
    while common < min(len(here), len(target_dirs)) and here[common] == target_dirs[common]:
        common += 1
    rel = "../" * (len(here) - common) + "".join(d + "/" for d in target_dirs[common:]) + leaf
    return rel or "./"
