"""Field types shared by the records, each parsing the text the user typed.

The YAML reader hands over every scalar as a string; these types decide what the string
means and say in Chinese what to write instead when it means nothing. Error messages raised
here are used verbatim.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from ..base import weburl
from ..base.textcheck import nesting_problem, zero_width_problem

_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
_TRUE = {"true", "yes", "on", "y", "是", "1"}
_FALSE = {"false", "no", "off", "n", "否", "0"}

MIN_YEAR = 1949
MAX_YEAR = 2100


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("showcase", message)


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise _fail("应为日期，格式 YYYY-MM-DD，例如 2026-03-15。")
    m = _DATE_RE.match(value)
    if not m:
        raise _fail(f"“{value}”不是日期。请按 YYYY-MM-DD 书写，例如 2026-03-15。")
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        raise _fail(f"“{value}”不是真实存在的日期（没有 {month} 月），请按 YYYY-MM-DD 核对月份。")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _fail(f"“{value}”不是真实存在的日期（{year} 年 {month} 月没有 {day} 日），"
                    "请核对日期。") from None


def _parse_year(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str) and _YEAR_RE.match(value):
        year = int(value)
    else:
        raise _fail(f"“{value}”不是年份。请写四位数字的年份，例如 2026。")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _fail(f"年份 {year} 超出合理范围（{MIN_YEAR}–{MAX_YEAR}）。")
    return year


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    raise _fail(f"“{value}”不是是/否值。请写 true（是）或 false（否）。")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise _fail("不能为空，请填写内容。")
    return value


def _visible(value: str) -> str:
    problem = zero_width_problem(value)
    if problem:
        raise _fail(problem)
    return value


def _text(value: Any) -> Any:
    if isinstance(value, dict | list):
        kind = "列表" if isinstance(value, list) else "多个子字段"
        raise _fail(f"应为一段文字，但这里写成了{kind}。若文字以“- ”或含“: ”开头，请用引号括起来。")
    return value


def _url(value: str) -> str:
    problem = weburl.problem(value.strip())
    if problem:
        raise _fail(problem)
    return value.strip()


def _one_or_more(value: Any) -> Any:
    """A single value where a list is expected is a list of one: `themes: grid` means
    `themes: [grid]`; nothing the user wrote is dropped or refused for it."""
    return [value] if isinstance(value, str) else value


# Wraps a list type: `Listed[list[Key]]`.
Listed = BeforeValidator(_one_or_more)

Date = Annotated[dt.date, BeforeValidator(_parse_date)]
Year = Annotated[int, BeforeValidator(_parse_year)]
Flag = Annotated[bool, BeforeValidator(_parse_bool)]
# Free text: any scalar is taken exactly as typed (YAML never reinterprets it).
Text = Annotated[str, BeforeValidator(_text)]
RequiredText = Annotated[str, BeforeValidator(_text), AfterValidator(_not_blank)]
# A name or a title: required text without zero-width characters (see textcheck).
Name = Annotated[str, BeforeValidator(_text), AfterValidator(_not_blank), AfterValidator(_visible)]
OptionalName = Annotated[str, BeforeValidator(_text), AfterValidator(_visible)]
def _nesting(value: str) -> str:
    problem = nesting_problem(value)
    if problem:
        raise _fail(problem[1])
    return value


class MarkdownText:
    """Marks a field as record Markdown (rendered on pages; hidden markup stripped from
    plain-text outputs)."""


Markdown = Annotated[str, BeforeValidator(_text), AfterValidator(_nesting),
                     Field(json_schema_extra={"format": "markdown"}), MarkdownText]
RequiredMarkdown = Annotated[str, BeforeValidator(_text), AfterValidator(_not_blank),
                             AfterValidator(_nesting),
                             Field(json_schema_extra={"format": "markdown"}), MarkdownText]


def _markdown_type(annotation: Any) -> bool:
    if MarkdownText in getattr(annotation, "__metadata__", ()):
        return True
    return any(_markdown_type(arg) for arg in typing.get_args(annotation))


def is_markdown(info: FieldInfo) -> bool:
    """Whether a model field (possibly Optional) holds record Markdown."""
    return MarkdownText in info.metadata or _markdown_type(info.annotation)
Key = Annotated[str, BeforeValidator(_text), AfterValidator(_not_blank), AfterValidator(_visible)]
Url = Annotated[str, BeforeValidator(_text), AfterValidator(_url),
                Field(json_schema_extra={"format": "uri"})]

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
ID_RE = re.compile(ID_PATTERN)
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
KEY_RE = re.compile(KEY_PATTERN)
