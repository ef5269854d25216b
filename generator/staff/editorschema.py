"""JSON Schemas of the records, for editors (VS Code's YAML extension, yaml-language-server).

When a valid taxonomy is at hand its keys become ``enum`` values, so that the editor
completes category, unit and theme keys (and site ids in experiences) while staff type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..base.outputs import write_into
from ..model.records import Compilation, Experience, Plan, Program, Site, Taxonomy

MAKER = "showcase schema"  # the output marker: `showcase schema` rewrites only its own folder

SCHEMAS: dict[str, tuple[type[BaseModel], str, str]] = {
    # file name: (model, title, the files it applies to, relative to the data directory)
    "program.schema.json": (Program, "平台设置（program.yml）", "program.yml"),
    "taxonomy.schema.json": (Taxonomy, "分类（taxonomy.yml）", "taxonomy.yml"),
    "site.schema.json": (Site, "示范点记录（sites/**/<id>.yml）", "sites/**/*.yml"),
    "experience.schema.json": (Experience, "典型经验（experiences/**/<id>.yml）",
                               "experiences/**/*.yml"),
    "plan.schema.json": (Plan, "年度规划（plans/<年份>.yml）", "plans/*.yml"),
    "compilation.schema.json": (Compilation, "经验汇编（compilations/<id>.yml）",
                                "compilations/*.yml"),
}

_SCALAR_TEXT = ["string", "number", "boolean"]


def _loosen_text(node: Any) -> None:
    """Plain text fields accept any scalar (the loader keeps what was typed), so editors
    must not flag ``name: 123``. Dates, years and numbers keep their own types."""
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format", "markdown") == "markdown" \
                and "enum" not in node and "pattern" not in node:
            node["type"] = _SCALAR_TEXT
        for value in node.values():
            _loosen_text(value)
    elif isinstance(node, list):
        for value in node:
            _loosen_text(value)


def _enum(schema: dict[str, Any], path: list[str], values: list[str]) -> None:
    """Put ``enum`` on the property at ``path`` (through $defs, arrays and nullables)."""
    node: Any = schema
    for i, part in enumerate(path):
        if part.startswith("#"):
            node = schema["$defs"][part[1:]]
            continue
        node = node["properties"][part]
        if "anyOf" in node:
            node = next(n for n in node["anyOf"] if n.get("type") != "null")
        if node.get("type") == "array" and i == len(path) - 1:
            node = node["items"]
    if values:
        node["enum"] = values
        node["type"] = "string"


def build_schemas(taxonomy: Taxonomy | None = None,
                  site_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, (model, title, _glob) in SCHEMAS.items():
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        schema["title"] = title
        _loosen_text(schema)
        if taxonomy is not None:
            cats, units, themes = (list(taxonomy.categories), list(taxonomy.units),
                                   list(taxonomy.themes))
            if model is Site:
                _enum(schema, ["category"], cats)
                _enum(schema, ["unit"], units)
            elif model is Experience:
                _enum(schema, ["themes"], themes)
                _enum(schema, ["unit"], units)
                _enum(schema, ["sites"], sorted(site_ids or []))
            elif model is Compilation:
                _enum(schema, ["#Selection", "themes"], themes)
                _enum(schema, ["#Selection", "units"], units)
        out[name] = schema
    return out


def schema_files(taxonomy: Taxonomy | None = None,
                 site_ids: list[str] | None = None) -> dict[str, bytes]:
    """File name -> content of every schema file."""
    return {name: (json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
            .encode("utf-8") for name, schema in build_schemas(taxonomy, site_ids).items()}


def write_schemas(out_dir: Path, taxonomy: Taxonomy | None = None,
                  site_ids: list[str] | None = None) -> list[Path]:
    """Write every schema into ``out_dir`` (which must have passed ``outputs.guard``)."""
    return write_into(out_dir, schema_files(taxonomy, site_ids), MAKER)
