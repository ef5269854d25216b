"""The open data as a Frictionless Data Package: ``data/datapackage.json``.

One descriptor for the four files that ``opendata`` writes (sites and experiences, each as
JSON and CSV), with a Table Schema for each. The schemas are made from the records' models
(field titles, descriptions, types, enums and bounds) and from the audience, exactly as
``opendata.dump`` walks the same models, so they describe the columns and keys the files
have: a public build never names a private field; an internal build describes them too.
The few derived values (status, due year, names of keys, …) are described here by hand, in
the order ``opendata`` writes them (tests/test_datapackage.py checks both).

Pure: the audience's view of the data set and the facts in, a JSON-ready dict out. Dates
come from the build's reference date, never the clock.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
import typing
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..data.dataset import Dataset
from ..model.fieldtypes import Year, is_markdown
from ..model.lifecycle import STATUS_LABELS, STATUSES
from ..model.records import (
    Award,
    Contact,
    Contacts,
    Experience,
    License,
    Location,
    Organization,
    Photo,
    Site,
)
from ..rules.audience import Audience, is_private
from ..rules.facts import Facts
from . import urls
from .opendata import absolute

__all__ = ["build", "to_json"]

SEPARATOR = "；"  # how opendata joins a list into one CSV cell
_YEAR_MARKS = typing.get_args(Year)[1:]
_CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"',
                "doubleQuote": True, "header": True}

# Model descriptions written for staff editing YAML that would puzzle a reader of the data.
_DESCRIPTIONS: dict[tuple[type[BaseModel], str], str] = {
    (Experience, "body"): "经验材料全文",
    (Experience, "date"): "典型经验的日期，YYYY-MM-DD",
    (Experience, "featured"): "是否在首页推荐",
    (Site, "featured"): "是否在首页推荐",
    (Site, "withdrawn"): "退出创建的记录；未退出的为空",
    (Experience, "unit"): "taxonomy.yml 中 units 的键；未写明时取第一个相关示范点的管理单位",
}
# Whose value a field is, for the fields whose model has no description (“示范点的简称”).
_OWNERS: dict[type[BaseModel], str] = {
    Site: "示范点", Experience: "典型经验", Organization: "示范点党组织", Location: "示范点位置",
}


# ---------------------------------------------------------------- fields from the models

def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``None``, and whether ``None`` was allowed."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        inner = args[0] if len(args) == 1 else typing.Union[tuple(args)]  # noqa: UP007
        return inner, nullable
    return annotation, False


def _annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *marks = typing.get_args(annotation)
        inner, more = _annotated(base)
        # Field(ge=…) inside a type (the coordinates) keeps its bounds in its own metadata.
        marks = [m for mark in marks
                 for m in (mark, *(mark.metadata if isinstance(mark, FieldInfo) else ()))]
        return inner, (*marks, *more)
    return annotation, ()


def _model_of(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _table_type(annotation: Any, marks: tuple[Any, ...]) -> tuple[str, list[str] | None]:
    """Table Schema type of a (non-optional) annotation, and its enum when it is a Literal."""
    if any(m is y for m in marks for y in _YEAR_MARKS):
        return "year", None
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "string", [str(v) for v in typing.get_args(annotation)]
    if origin is list:
        return "array", None
    if origin is dict or annotation is dict or _model_of(annotation):
        return "object", None
    if annotation is bool:
        return "boolean", None
    if annotation is int:
        return "integer", None
    if annotation is float:
        return "number", None
    if annotation is dt.date:
        return "date", None
    if annotation is str:
        return "string", None
    raise TypeError(f"no Table Schema type for {annotation!r}")  # a new field type: add it here


def _bounds(marks: tuple[Any, ...]) -> dict[str, Any]:
    """Field(ge=…, le=…) as Table Schema bounds (pydantic keeps them as annotated-types
    marks with these attributes)."""
    out: dict[str, Any] = {}
    for mark in marks:
        if getattr(mark, "ge", None) is not None:
            out["minimum"] = mark.ge
        if getattr(mark, "le", None) is not None:
            out["maximum"] = mark.le
        if getattr(mark, "gt", None) is not None or getattr(mark, "lt", None) is not None:
            raise TypeError("exclusive bounds are not described yet")
    return out


def _public_fields(model: type[BaseModel], audience: Audience) -> list[tuple[str, FieldInfo]]:
    return [(name, info) for name, info in model.model_fields.items()
            if audience == "internal" or not is_private(model, name)]


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """The record type a field holds (itself, or as the items of a list)."""
    inner, _ = _annotated(_strip_optional(annotation)[0])
    if typing.get_origin(inner) is list:
        inner, _ = _annotated(_strip_optional(typing.get_args(inner)[0])[0])
    return _model_of(inner)


def _parts(model: type[BaseModel], audience: Audience) -> str:
    """“a 甲、b 乙”: the keys a nested record has in the files of this audience."""
    return "、".join(f"{name} {info.title}" for name, info in _public_fields(model, audience))


def _describe(model: type[BaseModel], name: str, info: FieldInfo, audience: Audience,
              joined: bool) -> str:
    text = _DESCRIPTIONS.get((model, name), info.description or "")
    notes = [text or f"{_OWNERS[model]}的{info.title}"]
    if is_markdown(info):
        notes.append("Markdown 格式")
    inner = _annotated(_strip_optional(info.annotation)[0])[0]
    nested = _item_model(info.annotation)
    if nested is not None:
        each = "每项含" if typing.get_origin(inner) is list else "含"
        parts = _parts(nested, audience)
        if nested is Photo:  # added by the build: where the published photo is
            parts += "、url 本站发布的照片（已缩小并去除拍摄信息）的网址"
        notes.append(f"{each}：{parts}")
    elif joined:
        notes.append(f"多个值以“{SEPARATOR}”分隔")
    elif typing.get_origin(inner) is list:
        notes.append("文字列表")
    return "；".join(notes)


def model_field(model: type[BaseModel], name: str, audience: Audience, *,
                rename: str | None = None, joined: bool = False) -> dict[str, Any]:
    """The Table Schema field of a record field, as ``opendata`` writes it. ``joined``: a
    list written into one CSV cell (a string, the values separated by “；”)."""
    info = model.model_fields[name]
    annotation, nullable = _strip_optional(info.annotation)
    annotation, marks = _annotated(annotation)
    kind, enum = _table_type(annotation, (*marks, *info.metadata))
    description = _describe(model, name, info, audience, joined)
    constraints: dict[str, Any] = {}
    if joined:
        kind = "string"
        if any(getattr(m, "min_length", 0) for m in (*marks, *info.metadata)):
            constraints["required"] = True
    elif not nullable and kind != "array":
        constraints["required"] = True  # always has a value (lists may be empty)
    if enum:
        constraints["enum"] = enum
    constraints.update(_bounds((*marks, *info.metadata)))
    return _field(rename or name, kind, info.title or name, description, constraints)


def _field(name: str, kind: str, title: str, description: str,
           constraints: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": kind, "title": title}
    if description:
        out["description"] = description
    if constraints:
        out["constraints"] = constraints
    return out


def _title(model: type[BaseModel], name: str) -> str:
    return model.model_fields[name].title or name


# ---------------------------------------------------------------- the derived values

def _id(what: str) -> dict[str, Any]:
    return _field("id", "string", "标识", f"{what}的文件名（不含扩展名），在本数据中唯一",
                  {"required": True, "unique": True})


def _url(what: str) -> dict[str, Any]:
    return _field("url", "string", "页面网址", f"本站上该{what}页面的网址", {"required": True})


def _status() -> dict[str, Any]:
    labels = "、".join(f"{s} {STATUS_LABELS[s]}" for s in STATUSES)
    return _field("status", "string", "状态", f"按考评记录推算的当前状态：{labels}",
                  {"required": True, "enum": list(STATUSES)})


def _due_year() -> dict[str, Any]:
    return _field("due_year", "year", "下次考评年度",
                  "按考评记录和年检间隔推算；未入选、淘汰或已退出的为空")


def _overdue() -> dict[str, Any]:
    return _field("overdue", "boolean", "考评逾期（不公开）",
                  "截至统计日期，下次考评年度已过而未考评", {"required": True})


def _name_of(key: str, title: str, what: str, *, required: bool = True) -> dict[str, Any]:
    return _field(f"{key}_name", "string", f"{title}名称", f"{key} 对应的{what}名称",
                  {"required": True} if required else None)


def _keyed(spec: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """A key field restricted to the keys the taxonomy defines."""
    constraints = {**spec.get("constraints", {}), "enum": keys}
    return {**spec, "constraints": constraints}


def _member(data: Dataset) -> list[dict[str, Any]]:
    """The ``member`` column of a joined data set's rows (none otherwise)."""
    if data.federation is None:
        return []
    return [_field("member", "string", "成员",
                   "记录所属的成员平台（sources.yml 中的 key）；本平台自己的记录为空",
                   {"enum": ["", *data.federation.members]})]


def _sites_json(data: Dataset, audience: Audience) -> list[dict[str, Any]]:
    assert data.taxonomy is not None
    fields = [_id("示范点"), _url("示范点"), *_member(data)]
    for name, _info in _public_fields(Site, audience):
        spec = model_field(Site, name, audience)
        if name == "category":
            spec = _keyed(spec, list(data.taxonomy.categories))
        elif name == "unit":
            spec = _keyed(spec, list(data.taxonomy.units))
        fields.append(spec)
    fields += [_status(), _due_year()]
    if audience == "internal":
        fields.append(_overdue())
    return fields


def _sites_csv(data: Dataset, audience: Audience) -> list[dict[str, Any]]:
    assert data.taxonomy is not None

    def site(name: str, joined: bool = False) -> dict[str, Any]:
        return model_field(Site, name, audience, joined=joined)

    fields = [
        _id("示范点"), _url("示范点"), *_member(data), site("name"), site("short_name"),
        _keyed(site("category"), list(data.taxonomy.categories)),
        _name_of("category", "类别", "类别"),
        _keyed(site("unit"), list(data.taxonomy.units)),
        _name_of("unit", "管理单位", "管理单位"),
        site("level"), site("batch"), _status(),
        _field("status_name", "string", "状态名称", "status 对应的中文名称",
               {"required": True, "enum": [STATUS_LABELS[s] for s in STATUSES]}),
        _due_year(), site("summary"),
        {**model_field(Organization, "secretary", audience), "title": "党组织书记"},
        model_field(Organization, "members", audience),
        model_field(Location, "address", audience),
        model_field(Location, "lat", audience),
        model_field(Location, "lng", audience),
        site("tags", joined=True),
    ]
    if audience == "internal":
        fields.append(_overdue())
        for who in ("leader", "supervisor", "liaison"):
            spec = model_field(Contact, "phone", audience, rename=f"{who}_phone")
            spec["title"] = _title(Contacts, who) + spec["title"]
            fields.append(spec)
        fields.append(_field(
            "awards_total", "number", "以奖代投金额合计（万元，不公开）",
            f"{_title(Site, 'awards')}各项{_title(Award, 'amount')}之和；没有时为空",
            {"minimum": 0}))
    return fields


def _experiences_json(data: Dataset, audience: Audience) -> list[dict[str, Any]]:
    assert data.taxonomy is not None
    fields = [_id("典型经验"), _url("典型经验"), *_member(data)]
    for name, _info in _public_fields(Experience, audience):
        if name == "draft" and audience == "public":
            continue  # opendata drops it: always false in a public build
        spec = model_field(Experience, name, audience)
        if name == "unit":
            spec = _keyed(spec, list(data.taxonomy.units))
        fields.append(spec)
    return fields


def _experiences_csv(data: Dataset, audience: Audience) -> list[dict[str, Any]]:
    assert data.taxonomy is not None

    def exp(name: str, joined: bool = False) -> dict[str, Any]:
        return model_field(Experience, name, audience, joined=joined)

    return [
        _id("典型经验"), _url("典型经验"), *_member(data), exp("title"), exp("year"), exp("date"),
        _keyed(exp("unit"), list(data.taxonomy.units)),
        _name_of("unit", "管理单位", "管理单位", required=False),
        exp("author"), exp("promoted"), exp("themes", joined=True),
        _field("theme_names", "string", "主题名称",
               f"themes 对应的主题名称，顺序相同；多个值以“{SEPARATOR}”分隔", {"required": True}),
        exp("sites", joined=True), exp("summary"),
    ]


# ---------------------------------------------------------------- the package

_CC = re.compile(r"creativecommons\.org/(?:licenses/([a-z-]+)/(\d\.\d)|publicdomain/zero/1\.0)", re.I)
_CC_NAME = re.compile(r"\bCC[ -]?(0|BY(?:[ -](?:NC|SA|ND))*)(?:[ -](\d\.\d))?\b")


def license_id(licence: License) -> str | None:
    """The licence's Open Definition / SPDX identifier, when its URL or name says it."""
    match = _CC.search(licence.url or "")
    if match:
        return f"CC-{match[1].upper()}-{match[2]}" if match[1] else "CC0-1.0"
    match = _CC_NAME.search(licence.name)
    if match and match[1] == "0":
        return "CC0-1.0"
    if match and match[2]:
        return f"CC-{re.sub(r'[ -]+', '-', match[1])}-{match[2]}"
    return None


def _licenses(licence: License | None, site_url: str | None) -> list[dict[str, str]]:
    """The licence as the spec wants it: an identifier or a URL, and its title. Without
    either, the URL is the open-data page, which states the licence."""
    if licence is None:
        return []
    name = license_id(licence)
    path = licence.url
    if not name and not path:
        path = absolute(site_url, urls.OPEN_DATA) if site_url else "index.html"
    out = {"name": name, "path": path, "title": licence.name}
    return [{k: v for k, v in out.items() if v}]


def _slug(site_url: str | None) -> str:
    host = urlsplit(site_url or "").hostname or ""
    parts = [p for p in re.split(r"[^a-z0-9]+", host.lower()) if p and p != "www"]
    return "-".join([*parts, "opendata"]) if parts else "showcase-opendata"


def _resource(name: str, path: str, title: str, description: str,
              fields: list[dict[str, Any]]) -> dict[str, Any]:
    csv = path.endswith(".csv")
    out: dict[str, Any] = {
        "name": name, "path": path, "profile": "tabular-data-resource", "title": title,
        "description": description, "format": "csv" if csv else "json",
        "mediatype": "text/csv" if csv else "application/json",
        "encoding": "utf-8-sig" if csv else "utf-8",
    }
    if csv:
        out["dialect"] = dict(_CSV_DIALECT)
    out["schema"] = {"fields": fields, "primaryKey": ["id"]}
    return out


def build(data: Dataset, facts: Facts, audience: Audience) -> dict[str, Any]:
    """The descriptor of ``data/datapackage.json`` for ``audience``'s view ``data``."""
    program = data.program
    assert program is not None
    as_of = facts.as_of.isoformat()
    json_note = "对象数组，每个对象一条记录"
    fields_of = "全部字段（含不公开字段）" if audience == "internal" else "公开字段"
    experiences = "全部典型经验（含草稿）" if audience == "internal" else "全部典型经验"
    csv_note = ("UTF-8 编码（带 BOM，Excel 可直接打开），CRLF 换行；以 =、+、-、@、制表符或回车"
                "开头的文字前加了英文单引号（'），以免被当作公式执行")
    resources = [
        _resource("sites-json", "sites.json", "示范点（JSON）",
                  f"全部示范点与创建单位的{fields_of}及推算出的状态；{json_note}",
                  _sites_json(data, audience)),
        _resource("sites-csv", "sites.csv", "示范点（CSV）",
                  f"全部示范点与创建单位的主要字段，一行一个；{csv_note}",
                  _sites_csv(data, audience)),
        _resource("experiences-json", "experiences.json", "典型经验（JSON）",
                  f"{experiences}的{fields_of}；{json_note}", _experiences_json(data, audience)),
        _resource("experiences-csv", "experiences.csv", "典型经验（CSV）",
                  f"{experiences}的主要字段，一行一条；{csv_note}",
                  _experiences_csv(data, audience)),
    ]
    description = (f"{program.organizer}发布的{program.city}基层党建示范点开放数据：示范点（含创建单位"
                   f"及当前状态）与典型经验，各有 JSON 和 CSV 两种格式，统计截至 {as_of}。")
    if program.description:
        description = f"{program.description}\n\n{description}"
    if audience == "internal":
        description += "\n\n内部版本：含不公开字段，不得对外发布。"
    publisher: dict[str, Any] = {"title": program.organizer, "role": "publisher"}
    if program.contact is not None and program.contact.email:
        publisher["email"] = program.contact.email
    if program.site_url:
        publisher["path"] = program.site_url
    out: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": _slug(program.site_url),
        "title": program.name,
        "description": description,
    }
    if program.site_url:
        out["homepage"] = program.site_url
    licenses = _licenses(program.license, program.site_url)
    if licenses:
        out["licenses"] = licenses
    out.update({
        "created": f"{as_of}T00:00:00Z",
        "contributors": [publisher],
        "keywords": [program.city, "基层党建", "示范点", "典型经验", "开放数据"],
        "resources": resources,
    })
    return out


def to_json(descriptor: dict[str, Any]) -> str:
    """Compact and deterministic, like the other data files."""
    return json.dumps(descriptor, ensure_ascii=False, separators=(",", ":")) + "\n"
