"""What a loaded data directory holds (SPEC §2): the typed records by kind and id, where
each was written, and the problems found. Filled by :func:`loader.load`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..base.problems import Problem, Severity
from ..model.records import Compilation, Experience, Plan, Program, Site, Taxonomy
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

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def source(self, kind: str, ident: str | int) -> Source:
        return self.sources[(kind, str(ident))]

    def media_path(self, relative: str) -> Path:
        return self.root / "media" / relative
