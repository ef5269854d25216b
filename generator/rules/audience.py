"""Who a build is for. A public build sees a copy of the data set without any private field
(``json_schema_extra=PRIVATE`` in records.py) and without draft experiences; everything
downstream (pages, search, feeds, exports, PDFs) is made from that copy, so a private value
cannot leak by a template forgetting to hide it.
"""

from __future__ import annotations

import dataclasses
import typing
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from ..data.dataset import Dataset

Audience = Literal["public", "internal"]


@cache
def is_private(model: type[BaseModel], name: str) -> bool:
    extra = model.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("private"))


def _holds_records(annotation: Any) -> bool:
    """Whether a field's type can contain records (and so private fields)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_records(arg) for arg in typing.get_args(annotation))


@cache
def _plan(model: type[BaseModel]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Per record type: the private fields with their empty value, and the fields worth
    descending into. Computed once: this runs for every record of a public build."""
    private: dict[str, Any] = {}
    nested: list[str] = []
    for name, info in model.model_fields.items():
        if is_private(model, name):
            factory = info.default_factory
            private[name] = factory() if factory is not None else info.default  # type: ignore[call-arg]
        elif _holds_records(info.annotation):
            nested.append(name)
    return private, tuple(nested)


def strip_private(value: Any) -> Any:
    """A copy of ``value`` with every private field reset to its default, at any depth."""
    if isinstance(value, BaseModel):
        private, nested = _plan(type(value))
        update = {name: (empty.copy() if isinstance(empty, list | dict) else empty)
                  for name, empty in private.items() if getattr(value, name) != empty}
        for name in nested:
            current = getattr(value, name)
            stripped = strip_private(current)
            if stripped is not current:
                update[name] = stripped
        return value.model_copy(update=update) if update else value
    if isinstance(value, list):
        items = [strip_private(v) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, dict):
        mapped = {k: strip_private(v) for k, v in value.items()}
        return mapped if any(mapped[k] is not value[k] for k in value) else value
    return value


def _untrusted(data: Dataset) -> frozenset[str]:
    """Members of a joined data set that keep their private fields from this aggregator."""
    fed = data.federation
    return frozenset() if fed is None else frozenset(fed.members) - fed.trusted


def _publicly(ident: str, untrusted: frozenset[str]) -> bool:
    return "/" in ident and ident.split("/", 1)[0] in untrusted


def view(data: Dataset, audience: Audience) -> Dataset:
    """The data set as ``audience`` may see it. Internal builds see everything — but a
    member's records only as the public sees them, unless the member trusts this
    aggregator (``share_internal_with``)."""
    if audience == "internal":
        untrusted = _untrusted(data)
        if not untrusted:
            return data
        return dataclasses.replace(
            data,
            sites={k: strip_private(v) if _publicly(k, untrusted) else v
                   for k, v in data.sites.items()},
            experiences={k: strip_private(v) if _publicly(k, untrusted) else v
                         for k, v in data.experiences.items()
                         if not (_publicly(k, untrusted) and v.draft)},
            compilations={k: strip_private(v) if _publicly(k, untrusted) else v
                          for k, v in data.compilations.items()},
            sources={k: v for k, v in data.sources.items() if not _publicly(k[1], untrusted)},
        )
    return dataclasses.replace(
        data,
        sites={k: strip_private(v) for k, v in data.sites.items()},
        experiences={k: strip_private(v) for k, v in data.experiences.items() if not v.draft},
        plans={k: strip_private(v) for k, v in data.plans.items()},
        compilations={k: strip_private(v) for k, v in data.compilations.items()},
        # Sources hold the raw YAML, private values included: a public view has none.
        sources={},
    )
