"""The one problem type: a message in Chinese tied to a file, line and column.

Every stage (reading bytes, parsing YAML, validating fields, cross-record checks) reports
problems of this type; callers collect them all and report them together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .textcheck import printable


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding. ``path`` is shown as given (relative, with forward slashes)."""

    path: str
    line: int
    col: int
    message: str
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        # Messages and paths quote what users wrote: never let it drive the terminal.
        object.__setattr__(self, "path", printable(self.path))
        object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class ProblemsFound(Exception):
    """Raised by adapters when loading or validation produced at least one error."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.errors)} error(s)")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

