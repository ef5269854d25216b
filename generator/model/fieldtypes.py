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


# China's bounding box in WGS-84 degrees (SPEC §6 "Location"): Mohe to Zengmu Ansha, the
# Pamirs to the Wusuli. The two ranges do not overlap, so swapped coordinates always fall
# outside and can be named as swapped.
LAT_MIN, LAT_MAX = 3.8, 53.6
LNG_MIN, LNG_MAX = 73.4, 135.1
MAX_DECIMALS = 6
_DEGREES_RE = re.compile(r"^\s*[+-]?(\d+)(?:\.(\d+))?\s*$")


def _coordinate(value: Any, *, lat: bool) -> float:
    """A WGS-84 degree as typed: a plain decimal number (the decimals are counted on the
    text, before it becomes a float), inside China's bounding box."""
    axis, other = ("纬度", "经度") if lat else ("经度", "纬度")
    low, high = (LAT_MIN, LAT_MAX) if lat else (LNG_MIN, LNG_MAX)
    o_low, o_high = (LNG_MIN, LNG_MAX) if lat else (LAT_MIN, LAT_MAX)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(f"应为{axis}的十进制度数，例如 {'29.031245' if lat else '111.698497'}。")
    text = value if isinstance(value, str) else repr(value)
    m = _DEGREES_RE.match(text)
    if not m:
        raise _fail(f"“{value}”不是十进制度数。请写成 {'29.031245' if lat else '111.698497'} 这样的数字，"
                    "不带“°”“北纬”“N”等字样；手机上显示为度分秒（如 29°01′52″）时，"
                    "换算为 度 + 分÷60 + 秒÷3600。")
    decimals = len(m.group(2) or "")
    if decimals > MAX_DECIMALS:
        number = float(text)
        raise _fail(f"“{text.strip()}”有 {decimals} 位小数，最多写 {MAX_DECIMALS} 位（已精确到约 0.1 米）。"
                    f"请改为 {number:.{MAX_DECIMALS}f}。")
    number = float(text)
    if not low <= number <= high:
        where = f"中国境内的{axis}在 {low}–{high} 之间"
        if o_low <= number <= o_high:
            raise _fail(f"{text.strip()} 不在中国范围内（{where}），它像是{other}："
                        "请检查是否把 lat（纬度）和 lng（经度）写反了。")
        raise _fail(f"{text.strip()} 不在中国范围内（{where}）。请填写 WGS-84 坐标，"
                    "即手机定位显示的数值（见编辑指南“数据格式说明”中的“位置”）。")
    return number


def _latitude(value: Any) -> float:
    return _coordinate(value, lat=True)


def _longitude(value: Any) -> float:
    return _coordinate(value, lat=False)


def _one_or_more(value: Any) -> Any:
    """A single value where a list is expected is a list of one: `themes: grid` means
    `themes: [grid]`; nothing the user wrote is dropped or refused for it."""
    return [value] if isinstance(value, str) else value


# Wraps a list type: `Listed[list[Key]]`.
Listed = BeforeValidator(_one_or_more)

Date = Annotated[dt.date, BeforeValidator(_parse_date)]
Year = Annotated[int, BeforeValidator(_parse_year)]
Flag = Annotated[bool, BeforeValidator(_parse_bool)]
Latitude = Annotated[float, Field(ge=LAT_MIN, le=LAT_MAX), BeforeValidator(_latitude)]
Longitude = Annotated[float, Field(ge=LNG_MIN, le=LNG_MAX), BeforeValidator(_longitude)]
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

# Federation (sources.yml): a member's key names its folder in URLs (/sites/<member>/<id>/),
# its administrative code is GB/T 2260's six digits, its pin a full commit id.
MEMBER_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"
MEMBER_KEY_RE = re.compile(MEMBER_KEY_PATTERN)


def _matching(regex: re.Pattern[str], message: str) -> Any:
    def check(value: str) -> str:
        if not regex.match(value.strip()):
            raise _fail(message.format(value=value))
        return value.strip()
    return AfterValidator(check)


MemberKey = Annotated[str, BeforeValidator(_text), _matching(
    MEMBER_KEY_RE, "“{value}”不能作为成员标识：只能用小写字母、数字和连字符“-”，以字母或数字开头，"
    "最长 32 个字符，例如 wuling。它会出现在网址中（/sites/wuling/…）。")]
AdminCode = Annotated[str, BeforeValidator(_text), _matching(
    re.compile(r"^\d{6}$"), "“{value}”不是行政区划代码：应为 GB/T 2260 的 6 位数字，例如 430702"
    "（以 0 开头时请加引号，写成 \"012345\"）。")]
CommitId = Annotated[str, BeforeValidator(_text), _matching(
    re.compile(r"^[0-9a-f]{40}$"), "“{value}”不是完整的提交编号：应为 40 位小写十六进制数字。"
    "请用 showcase sources update 填写，不要手工修改。")]

