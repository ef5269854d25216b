"""Which fields differ between two versions of a record, compared on the parsed records
(not the text: a comment, a reordered key or quoting changes nothing), and their Chinese
names as the format reference gives them."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

Path = tuple[str, ...]
_MISSING = object()


def changed_fields(before: BaseModel | None, after: BaseModel | None) -> tuple[Path, ...]:
    """Paths of the fields whose values differ: ``("summary",)``, or one level into a nested
    record, ``("location", "lat")``; lists (evaluations, photos …) count as one field. A
    record that appears or disappears has every field it holds changed."""
    shown = after if after is not None else before
    if shown is None:
        return ()
    model = type(shown)
    out: list[Path] = []
    for name in model.model_fields:
        a = getattr(before, name, _MISSING) if before is not None else _MISSING
        b = getattr(after, name, _MISSING) if after is not None else _MISSING
        if a == b:
            continue
        if isinstance(a, BaseModel) and isinstance(b, BaseModel) and type(a) is type(b):
            out += [(name, sub) for sub in dict.fromkeys(p[0] for p in changed_fields(a, b))]
            continue
        if _empty(a) and _empty(b):
            continue  # absent and empty are the same to a reader
        out.append((name,))
    return tuple(out)


def _empty(value: Any) -> bool:
    return value is _MISSING or value is None or value in ([], {}, "")


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def field_title(model: type[BaseModel], path: Path) -> str:
    """``("location", "lat")`` of a Site → ``位置 › 纬度`` (the field names where a model has
    no title)."""
    names: list[str] = []
    current: type[BaseModel] | None = model
    for part in path:
        info = current.model_fields.get(part) if current is not None else None
        names.append(info.title or part if info is not None else part)
        current = _inner_model(info.annotation) if info is not None else None
    return " › ".join(names)
