"""What a loaded data directory holds (SPEC §2): the typed records by kind and id, where
each was written, and the problems found. Filled by :func:`loader.load`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..base.problems import Problem, Severity
from ..model.records import Compilation, Experience, Member, Plan, Program, Site, Sources, Taxonomy
from .yamlsource import Loc, YamlDoc

KINDS = ("sites", "experiences", "plans", "compilations")
YAML_SUFFIXES = (".yml", ".yaml")
KIND_LABELS = {"sites": "示范点", "experiences": "典型经验", "plans": "年度规划",
               "compilations": "经验汇编"}


@dataclass(frozen=True)
class Source:
    """Where a record was written: its display path and the parsed document's marks."""

    path: str
    doc: YamlDoc

    def problem(self, loc: Loc, message: str, *, key: bool = False,
                severity: Severity = Severity.ERROR) -> Problem:
        mark = self.doc.mark(loc, key=key)
        return Problem(self.path, mark.line, mark.col, message, severity)


@dataclass(frozen=True)
class Behind:
    """A member shown from an older commit than its pin (or not at all): why, since when."""

    member: Member
    pinned: str
    used: str | None            # the commit shown instead (None: the member is left out)
    since: dt.date | None       # the pinned commit's date
    reasons: tuple[str, ...]    # its first problems, as validate prints them


@dataclass(frozen=True)
class Federation:
    """What a joined data set knows of its members (pages per member, notices)."""

    members: dict[str, Member]
    commits: dict[str, str] = field(default_factory=dict)       # key → commit shown
    plans: dict[str, dict[int, Plan]] = field(default_factory=dict)  # the members' own plans
    intervals: dict[str, int] = field(default_factory=dict)     # key → inspection_interval
    behind: tuple[Behind, ...] = ()
    trusted: frozenset[str] = frozenset()  # members that share their private fields with us


@dataclass
class Dataset:
    """Everything loaded from one data directory. Records are keyed by id (plans by year)."""

    root: Path
    program: Program | None = None
    taxonomy: Taxonomy | None = None
    sites: dict[str, Site] = field(default_factory=dict)
    experiences: dict[str, Experience] = field(default_factory=dict)
    plans: dict[int, Plan] = field(default_factory=dict)
    compilations: dict[str, Compilation] = field(default_factory=dict)
    # sources.yml of an aggregating programme: the member repositories it shows.
    members: Sources | None = None
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Records with schema errors are kept partially (valid fields only) so that the
    # cross-record checks can still report on them; their (kind, id) is listed here.
    incomplete: set[tuple[str, str]] = field(default_factory=set)
    # Records whose file exists but could not be read at all (encoding, YAML syntax, not a
    # mapping): references to them are not reported again as "does not exist".
    unreadable: set[tuple[str, str]] = field(default_factory=set)
    # Experiences whose body is a sibling .md file: id -> that file as displayed.
    body_files: dict[str, str] = field(default_factory=dict)
    # A joined data set (data/federation.py): its members, and where their photos are
    # ("members/<key>/" → that member's media folder).
    federation: Federation | None = None
    media_roots: dict[str, Path] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def source(self, kind: str, ident: str | int) -> Source:
        return self.sources[(kind, str(ident))]

    def media_location(self, relative: str) -> tuple[Path, str]:
        """(media folder, name in it) of a photo reference: the data's own ``media/``, or
        a member's for ``members/<key>/…`` in a joined data set."""
        for prefix, folder in self.media_roots.items():
            if relative.startswith(prefix):
                return folder, relative[len(prefix):]
        return self.root / "media", relative

    def media_path(self, relative: str) -> Path:
        folder, name = self.media_location(relative)
        return folder / name
