"""Who a build is for. A public build sees a copy of the data set without any private field
(``json_schema_extra=PRIVATE`` in records.py) and without draft experiences; everything
downstream (pages, search, feeds, exports, PDFs) is made from that copy, so a private value
cannot leak by a template forgetting to hide it.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from .dataset import Dataset

Audience = Literal["public", "internal"]
AUDIENCES: tuple[Audience, ...] = ("public", "internal")


@cache
def is_private(model: type[BaseModel], name: str) -> bool:
    extra = model.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("private"))


def strip_private(value: Any) -> Any:
    """A copy of ``value`` with every private field reset to its default, at any depth."""
    if isinstance(value, BaseModel):
        model = type(value)
        update = {}
        for name in model.model_fields:
            current = getattr(value, name)
            if is_private(model, name):
                info = model.model_fields[name]
                update[name] = info.get_default(call_default_factory=True)
            else:
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


def view(data: Dataset, audience: Audience) -> Dataset:
    """The data set as ``audience`` may see it. Internal builds see everything."""
    if audience == "internal":
        return data
    return dataclasses.replace(
        data,
        sites={k: strip_private(v) for k, v in data.sites.items()},
        experiences={k: strip_private(v) for k, v in data.experiences.items() if not v.draft},
        plans={k: strip_private(v) for k, v in data.plans.items()},
        compilations={k: strip_private(v) for k, v in data.compilations.items()},
        # Sources hold the raw YAML, private values included: a public view has none.
        sources={},
    )
