"""Type one parsed YAML document as a record, turning pydantic's errors into located problems.

Pydantic does the typing; this module only knows how to say each of its error kinds in
Chinese, with the fix, at the line and column where the value (or the unknown key) was typed.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..base.problems import Problem
from ..model.records import ARCHIVE_LABELS, LEVEL_LABELS, PROMOTED_LABELS, RESULT_LABELS
from .yamlsource import Loc, YamlDoc

R = TypeVar("R", bound=BaseModel)

_FIELD_LABELS: dict[str, dict[str, str]] = {
    "result": RESULT_LABELS, "type": ARCHIVE_LABELS, "level": LEVEL_LABELS,
    "promoted": PROMOTED_LABELS,
    "kind": {"district": "区县（市）委组织部", "work_committee": "工委"},
    "order": {"unit": "按管理单位", "category": "按类别", "theme": "按主题", "date": "按日期"},
}


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional so that the container or model type remains."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_at(model: type[BaseModel], loc: Loc) -> tuple[type[BaseModel] | None, str | None]:
    """The model that owns the last key of ``loc`` and that field's title, if known."""
    tp: Any = model
    owner: type[BaseModel] | None = None
    title: str | None = None
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            info = tp.model_fields.get(part)
            owner, title = tp, (info.title if info else None)
            if info is None:
                return owner, None
            tp = info.annotation
        elif typing.get_origin(tp) is list:
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None, None
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp, title
    return owner, title


def _fields_of(model: type[BaseModel], loc: Loc) -> list[str]:
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            info = tp.model_fields.get(part)
            if info is None:
                return []
            tp = info.annotation
        elif typing.get_origin(tp) in (list, dict):
            tp = typing.get_args(tp)[-1]
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def suggest(word: str, choices: list[str]) -> str:
    """A Chinese did-you-mean clause, or an empty string."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        close = [c for c in choices if c.lower() == word.lower()]
    return f"是不是想写“{close[0]}”？" if close else ""


def _choices(field: str, values: list[str]) -> str:
    labels = _FIELD_LABELS.get(field, {})
    return "、".join(f"{v}（{labels[v]}）" if v in labels else v for v in values)


def _number(value: Any) -> str:
    """A limit as people write it: 100, not 100.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label(model: type[BaseModel], loc: Loc) -> str:
    """How to name the value at ``loc``: “summary”（一句话简介）, or for a list item
    “evaluations”（考评记录）的第 2 项."""
    if not loc:
        return "该值"
    last = loc[-1]
    if isinstance(last, int):
        parent = loc[:-1]
        if not parent:
            return f"第 {last + 1} 项"
        return f"{_label(model, parent)}的第 {last + 1} 项"
    _, title = _model_at(model, loc)
    return f"“{last}”" + (f"（{title}）" if title else "")


def _describe(model: type[BaseModel], err: Any, loc: Loc) -> tuple[str, bool]:
    """Chinese message for one pydantic error, and whether it points at the key."""
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    given = err.get("input")
    name = str(loc[-1]) if loc else ""
    owner, _ = _model_at(model, loc)
    field = _label(model, loc)
    if kind == "missing":
        return f"缺少必填字段{field}，请补上。", False
    if kind == "extra_forbidden":
        allowed = _fields_of(model, loc[:-1])
        if name == "id":
            return ("不需要写“id”：记录的 id 就是文件名（不含 .yml）。请删除这一行。", True)
        hint = suggest(name, allowed) or (f"可用的字段有：{'、'.join(allowed)}。" if allowed else "")
        return f"未知字段“{name}”，这里的内容不会被使用。{hint}".rstrip(), True
    if kind == "showcase":
        # The field types' own messages say what is wrong with the value; name the field too.
        msg = str(err["msg"])
        return (f"{field}{'' if msg.startswith(('应为', '不能')) else '：'}{msg}", False)
    if given is None:
        info = owner.model_fields.get(name) if owner is not None else None
        if info is not None and info.is_required():
            return f"{field}不能为空，请填写内容。", False
        return f"{field}不能为空：请填写内容，或删除这一行。", False
    if kind in ("string_type",):
        return f"{field}应为一段文字。", False
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{field}应为整数，“{given}”不是。请写阿拉伯数字，例如 35。", False
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{field}应为数字，“{given}”不是。例如 85.5。", False
    if kind == "greater_than_equal":
        return f"{field}不能小于 {_number(ctx.get('ge'))}（现在是 {given}）。", False
    if kind == "less_than_equal":
        return f"{field}不能大于 {_number(ctx.get('le'))}（现在是 {given}）。", False
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        return f"{field}太长：最多 {limit} 字，现在 {len(str(given))} 字，请精简。", False
    if kind == "too_short":
        return f"{field}至少要写 {ctx.get('min_length', 1)} 项。", False
    if kind == "list_type":
        return f"{field}应为列表：每一项单独一行，以“- ”开头。", False
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{field}应包含子字段（在下一行缩进两个空格，写“字段名: 值”），而不是一段文字。", False
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = suggest(str(given), allowed)
        key = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        return f"{field}不能是“{given}”。可选的值：{_choices(key, allowed)}。{hint}", False
    return f"{field}的值有误（{err.get('msg')}）。", False


@cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = typing.Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation)


def _partial(model: type[R], raw: dict[str, Any], bad: set[str]) -> R:
    """A record holding only the top-level fields that are valid on their own, so that the
    cross-record checks can still report on the rest of a file that has errors. Fields that
    are invalid or missing are simply absent (``getattr(record, name, None)``)."""
    values = {}
    for name in model.model_fields:
        if name in raw and name not in bad:
            try:
                values[name] = _field_adapter(model, name).validate_python(raw[name])
            except ValidationError:
                continue
    record = model.model_construct(**values)
    for name in model.model_fields:
        # model_construct filled a default: keep it only for fields the user did not write
        if name not in values and name in record.__dict__ and name in raw:
            del record.__dict__[name]
    return record


def check_document(model: type[R], doc: YamlDoc, path: str) -> tuple[R | None, list[Problem]]:
    """Validate ``doc`` as ``model``; every error becomes a located Chinese problem.

    On errors the returned record is partial (see :func:`_partial`), for further checks only.
    """
    if doc.data is None:
        return None, [Problem(path, 1, 1, "文件是空的：请按编辑指南填写内容，或删除这个文件。")]
    if not isinstance(doc.data, dict):
        return None, [Problem(path, 1, 1, "文件的顶层应为“字段名: 值”的形式，而不是列表或一段文字。")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc: Loc = tuple(p for p in err["loc"] if p != "[key]")
            message, at_key = _describe(model, err, loc)
            if err["type"] == "missing":
                mark = doc.mark(loc[:-1])
                # A missing top-level field is reported at the top of the file.
                if not loc[:-1]:
                    mark = type(mark)(1, 1)
            else:
                mark = doc.mark(loc, key=at_key or "[key]" in err["loc"])
            problems.append(Problem(path, mark.line, mark.col, message))
        bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
        return _partial(model, doc.data, bad), problems
