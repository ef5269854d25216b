"""The one problem type: a message in Chinese tied to a file, line and column.

Every stage (reading bytes, parsing YAML, validating fields, cross-record checks) reports
problems of this type; callers collect them all and report them together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .textcheck import printable


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


INTERNAL_ERROR = ("程序内部错误：检查这个文件时 showcase 自身出了问题，这不是数据写错了。"
                  "请把这个文件和 showcase validate -v 的输出发给技术人员。")


@dataclass(frozen=True, order=True)
class Problem:
    """One finding. ``path`` is shown as given (relative, with forward slashes).

    ``detail`` is for ``-v`` only: the exception behind an internal error (a bug of the
    program, never of the data — see :func:`internal_error`)."""

    path: str
    line: int
    col: int
    message: str
    severity: Severity = Severity.ERROR
    detail: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        # Messages and paths quote what users wrote: never let it drive the terminal.
        object.__setattr__(self, "path", printable(self.path))
        object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def is_internal(self) -> bool:
        return self.message == INTERNAL_ERROR


def internal_error(path: str, exc: BaseException) -> Problem:
    """The problem reported when the program itself failed on a file: said as such (not as
    something wrong with the data), with the exception kept for ``-v``."""
    import traceback

    detail = "".join(traceback.format_exception(exc)).rstrip()
    return Problem(path, 1, 1, INTERNAL_ERROR, detail=detail)


class ProblemsFound(Exception):
    """Raised by adapters when loading or validation produced at least one error."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.errors)} error(s)")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

