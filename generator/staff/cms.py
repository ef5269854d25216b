"""The browser editor (Decap CMS at ``/admin/``): its configuration, generated from the models.

Every collection, field, Chinese label, help text, required flag and allowed value comes from
:mod:`generator.model.records`, so the forms follow the data format as it changes. What the
forms cannot express directly is described to the editor's file format
(``cmsassets/showcase-cms.js``) as *shapes*:

* ``maps``: mappings keyed by the user (taxonomy categories, plan quotas) are edited as lists
  of ``{key, …}`` and written back as mappings;
* ``yaml``: free-form mappings (``internal`` notes) are edited as YAML text;
* ``flags``: yes/no fields (the file format reads every value as text, the checkbox needs a
  boolean).

A record's id is its file name; the form shows it as a ``showcase-id`` field that is typed
once for a new record and never written into the file.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic.fields import FieldInfo

from ..model import fieldtypes
from ..model.fieldtypes import ID_PATTERN, MAX_YEAR, MIN_YEAR, is_markdown
from ..model.records import (
    ARCHIVE_LABELS,
    LEVEL_LABELS,
    PROMOTED_LABELS,
    RESULT_LABELS,
    Compilation,
    Experience,
    Plan,
    Program,
    Site,
    Taxonomy,
)

ASSETS = Path(__file__).parent / "cmsassets"
DECAP_VERSION = "3.16.3"

# Labels of fixed values (select options), by field name; a value without one is shown as is.
OPTION_LABELS: dict[str, dict[str, str]] = {
    "level": LEVEL_LABELS, "promoted": PROMOTED_LABELS, "result": RESULT_LABELS,
    "type": ARCHIVE_LABELS, "kind": {"district": "区县（市）委组织部", "work_committee": "工委"},
    "order": {"unit": "按管理单位", "category": "按类别", "theme": "按主题", "date": "按日期"},
}

# Fields whose values are keys of another record: (collection, file, value path, label path).
TAXONOMY = "taxonomy"
RELATIONS: dict[tuple[type[BaseModel], str], dict[str, Any]] = {
    (Site, "category"): {"collection": TAXONOMY, "file": "taxonomy",
                         "value_field": "categories.*.key", "search_fields": ["categories.*.name"],
                         "display_fields": ["categories.*.name"]},
    (Site, "unit"): {"collection": TAXONOMY, "file": "taxonomy", "value_field": "units.*.key",
                     "search_fields": ["units.*.name"], "display_fields": ["units.*.name"]},
    (Experience, "unit"): {"collection": TAXONOMY, "file": "taxonomy",
                           "value_field": "units.*.key", "search_fields": ["units.*.name"],
                           "display_fields": ["units.*.name"]},
    (Experience, "themes"): {"collection": TAXONOMY, "file": "taxonomy",
                             "value_field": "themes.*.key", "search_fields": ["themes.*.name"],
                             "display_fields": ["themes.*.name"]},
    (Experience, "sites"): {"collection": "sites", "value_field": "{{filename}}",
                            "search_fields": ["name", "short_name"], "display_fields": ["name"]},
    (Compilation, "include"): {"collection": "experiences", "value_field": "{{filename}}",
                               "search_fields": ["title"], "display_fields": ["title"]},
}
# Nested models reached from several records: relations by the nested model's field.
NESTED_RELATIONS: dict[str, dict[str, Any]] = {
    "Selection.themes": RELATIONS[(Experience, "themes")],
    "Selection.units": RELATIONS[(Experience, "unit")],
    "Targets.by_category": {"collection": TAXONOMY, "file": "taxonomy",
                            "value_field": "categories.*.key",
                            "search_fields": ["categories.*.name"],
                            "display_fields": ["categories.*.name"]},
}
RELATION_HINTS = {
    TAXONOMY: "在列表中选择，可输入文字查找；列表来自“类别、管理单位与主题”。",
    "sites": "在列表中选择示范点，可输入名称查找；可选多个。",
    "experiences": "在列表中选择典型经验，可输入标题查找；按选择的顺序收录。",
}
# Text fields that hold a sentence or more: a text area instead of a one-line box.
TEXT_AREAS = {("Site", "summary"), ("Experience", "summary")}
# Fields holding a photo file (relative to media/): the image widget, into media/photos/.
IMAGE_FIELDS = {("Photo", "file")}
# Optional in the data format but required for what is published (validate says so): the
# form asks for them, rather than calling them 可选 (the staff guide says 必须填写).
REQUIRED_IN_FORM = {("Photo", "alt")}

FOLDED_LISTS = {"ArchiveEntry", "Award"}
IMAGE_HINT = ("点“选择图片”，在弹出的窗口中点“上传”选择照片文件（jpg、png、webp 或 gif），"
              "再点“选用已选中项目”；照片保存在 media/photos/ 中。")
ID_HINT = ("记录的标识，也是文件名和网址的一部分：只能用小写字母、数字和连字符，2–64 个字符，"
           "例如 shanbei-wangjia-cun（一般用名称的拼音）。保存后不能再修改。")


@dataclass
class Shapes:
    """What the file format converts between the file and the form (see module doc)."""

    maps: dict[str, str] = field(default_factory=dict)   # dotted path -> "model" | "value"
    yaml: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)       # dotted paths, "[]" for list items
    orders: dict[str, list[str]] = field(default_factory=dict)  # key order of each mapping

    def as_json(self) -> dict[str, Any]:
        return {"maps": self.maps, "yaml": self.yaml, "flags": self.flags, "orders": self.orders}


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` -> (X, True)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _base(annotation: Any) -> Any:
    """The annotation without ``Annotated`` metadata."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _metadata(annotation: Any) -> tuple[Any, ...]:
    meta: tuple[Any, ...] = ()
    while typing.get_origin(annotation) is typing.Annotated:
        meta += tuple(getattr(annotation, "__metadata__", ()))
        annotation = typing.get_args(annotation)[0]
    return meta


def _validators(items: Iterable[Any]) -> list[Any]:
    return [m for m in items if isinstance(m, BeforeValidator | AfterValidator)]


def _is(info: FieldInfo, annotation: Any, alias: Any) -> bool:
    """Whether the field is of the type ``alias`` of :mod:`fieldtypes` (pydantic moves a
    field's own ``Annotated`` metadata into ``info.metadata``)."""
    have = _validators([*info.metadata, *_metadata(annotation)])
    want = _validators(_metadata(alias))
    return bool(want) and all(w in have for w in want)


def _bounds(info: FieldInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for meta in info.metadata:
        for attr, key in (("ge", "min"), ("le", "max")):
            value = getattr(meta, attr, None)
            if value is not None:
                out[key] = value
    return out


def _select(values: tuple[Any, ...], name: str) -> list[dict[str, str]]:
    labels = OPTION_LABELS.get(name, {})
    return [{"label": f"{labels[v]}（{v}）" if v in labels else v, "value": v} for v in values]


class _Builder:
    def __init__(self) -> None:
        self.shapes = Shapes()

    def fields(self, model: type[BaseModel], path: str = "") -> list[dict[str, Any]]:
        self.shapes.orders[path.removesuffix(".")] = list(model.model_fields)
        return [self.field(model, name, info, f"{path}{name}")
                for name, info in model.model_fields.items()]

    def field(self, model: type[BaseModel], name: str, info: FieldInfo,
              path: str) -> dict[str, Any]:
        out: dict[str, Any] = {"name": name, "label": info.title or name,
                               "required": info.is_required()
                               or (model.__name__, name) in REQUIRED_IN_FORM}
        if info.description:
            out["hint"] = info.description
        annotation, _optional = _strip_optional(info.annotation)
        out.update(self.widget(model, name, info, annotation, path))
        if out["widget"] == "object" and not out["required"]:
            _relax(out["fields"])
        if out["widget"] == "image":
            out["hint"] = IMAGE_HINT
        if out["widget"] == "relation":  # the file's own terms mean nothing in a form
            out["hint"] = RELATION_HINTS[out["collection"]]
        return out

    def widget(self, model: type[BaseModel], name: str, info: FieldInfo, annotation: Any,
               path: str) -> dict[str, Any]:
        relation = RELATIONS.get((model, name)) or NESTED_RELATIONS.get(f"{model.__name__}.{name}")
        base = _base(annotation)
        origin = typing.get_origin(base)
        if relation is not None and origin is not dict:
            multiple = origin is list
            return {"widget": "relation", **relation, "multiple": multiple,
                    "options_length": 200, **({"min": 1} if multiple and info.is_required() else {})}
        if (model.__name__, name) in IMAGE_FIELDS:
            return {"widget": "image", "choose_url": False}
        if is_markdown(info):
            return {"widget": "markdown", "modes": ["rich_text", "raw"],
                    "buttons": ["bold", "italic", "link", "heading-two", "heading-three",
                                "quote", "bulleted-list", "numbered-list"],
                    "editor_components": [], "sanitize_preview": True}
        if origin is Literal:
            return {"widget": "select", "options": _select(typing.get_args(base), name)}
        if base is bool or _is(info, annotation, fieldtypes.Flag):
            self.shapes.flags.append(path)
            return {"widget": "boolean", "default": info.default is True}
        if _is(info, annotation, fieldtypes.Year):
            # Kept as text ("2026"): a year names the sub-folder of a new file, and Decap's
            # path template drops numbers.
            return {"widget": "number", "value_type": "text", "min": MIN_YEAR, "max": MAX_YEAR,
                    "step": 1}
        if _is(info, annotation, fieldtypes.Date):
            return {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD",
                    "time_format": False}
        if base is int:
            return {"widget": "number", "value_type": "int", **_bounds(info)}
        if base is float:
            return {"widget": "number", "value_type": "float", "step": 0.1, **_bounds(info)}
        if _is(info, annotation, fieldtypes.Url):
            return {"widget": "string",
                    "pattern": [r"^https?://\S+$", "请填写以 http:// 或 https:// 开头的完整网址"]}
        if origin is list:
            return self.list_widget(model, name, typing.get_args(base)[0], path)
        if origin is dict:
            return self.dict_widget(model, name, typing.get_args(base), path)
        if isinstance(base, type) and issubclass(base, BaseModel):
            return {"widget": "object", "collapsed": True, "fields": self.fields(base, f"{path}.")}
        if base is str:
            if (model.__name__, name) in TEXT_AREAS:
                return {"widget": "text"}
            return {"widget": "string"}
        raise TypeError(f"no editor widget for {model.__name__}.{name}: {annotation!r}")

    def list_widget(self, model: type[BaseModel], name: str, item: Any,
                    path: str) -> dict[str, Any]:
        inner = _base(item)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            fields = self.fields(inner, f"{path}[].")
            first = fields[0]["name"]
            # "fields.": in Decap's templates {{year}} alone is a date's year.
            summary = {"Evaluation": "{{fields.year}} 年：{{fields.result}}",
                       "ArchiveEntry": "{{fields.date}} {{fields.title}}",
                       "Milestone": "{{fields.date}} {{fields.title}}",
                       "PlanMilestone": "{{fields.date}} {{fields.title}}",
                       "Photo": "{{fields.caption}}（{{fields.file}}）",
                       "Award": "{{fields.year}} 年 {{fields.amount}} 万元"}
            # Long lists (the archive) start folded; evaluations and photos open.
            return {"widget": "list", "collapsed": inner.__name__ in FOLDED_LISTS,
                    "add_to_top": False, "default": [],
                    "summary": summary.get(inner.__name__, "{{fields." + first + "}}"),
                    "fields": fields}
        if typing.get_origin(inner) is Literal:
            return {"widget": "select", "multiple": True,
                    "options": _select(typing.get_args(inner), name)}
        item_field = {"name": "item", "label": "一项", **self.widget(
            model, name, FieldInfo(annotation=item), item, f"{path}[]")}
        return {"widget": "list", "field": item_field, "default": []}

    def dict_widget(self, model: type[BaseModel], name: str, args: tuple[Any, ...],
                    path: str) -> dict[str, Any]:
        _key_type, value_type = args
        value = _base(value_type)
        relation = NESTED_RELATIONS.get(f"{model.__name__}.{name}")
        if value is Any:
            self.shapes.yaml.append(path)
            return {"widget": "text",
                    "hint": "内部备注，不公开；按 YAML 书写，每行“名称: 内容”，例如 notes: 已建议年底前选优配强书记。"}
        key_field: dict[str, Any] = {
            "name": "key", "label": "键", "required": True, "widget": "string",
            "hint": "英文小写字母、数字、连字符或下划线，例如 rural；已被记录使用的键不要修改",
            "pattern": [fieldtypes.KEY_PATTERN, "只能用字母、数字、连字符和下划线，以字母或数字开头"]}
        if relation is not None:
            key_field = {"name": "key", "label": "类别", "required": True, "widget": "relation",
                         **relation}
        if isinstance(value, type) and issubclass(value, BaseModel):
            self.shapes.maps[path] = "model"
            fields = [key_field, *self.fields(value, f"{path}[].")]
            return {"widget": "list", "collapsed": True, "summary": "{{fields.key}}：{{fields.name}}",
                    "fields": fields}
        self.shapes.maps[path] = "value"
        return {"widget": "list", "summary": "{{fields.key}}：{{fields.value}}", "fields": [
            key_field, {"name": "value", "label": "数量", "required": True, "widget": "number",
                        "value_type": "int", "min": 0}]}


def _relax(fields: list[dict[str, Any]]) -> None:
    """Fields inside an optional group are optional in the form: Decap would otherwise demand
    them even when the whole group is left empty. (When the group is filled in, the check
    after saving and ``showcase validate`` still name what is missing.)"""
    for f in fields:
        f["required"] = False
        if f["widget"] == "object":
            _relax(f["fields"])


def _id_field(label: str) -> dict[str, Any]:
    return {"name": "id", "label": label, "widget": "showcase-id", "required": False,
            "hint": ID_HINT, "pattern": [ID_PATTERN, "只能用小写字母、数字和连字符，2–64 个字符"]}


@dataclass(frozen=True)
class Collection:
    name: str
    label: str
    model: type[BaseModel]
    folder: str = ""
    path: str = ""          # sub-folder template of new files
    summary: str = ""
    id_label: str = ""
    slug: str = "{{fields.id}}"
    sort: str = ""


FOLDER_COLLECTIONS = (
    # Sub-folders of new files (Decap's path templates cannot say "fields."; {{year}} there
    # is the year of the record's date, or this year).
    Collection("sites", "示范点", Site, "sites", "{{batch}}/{{slug}}",
               "{{name}}（{{batch}} 年批次）", "标识（文件名）", sort="batch"),
    Collection("experiences", "典型经验", Experience, "experiences", "{{year}}/{{slug}}",
               "{{title}}（{{fields.year}}）", "标识（文件名）", sort="year"),
    Collection("plans", "年度规划", Plan, "plans", "", "{{title}}", slug="{{fields.year}}"),
    Collection("compilations", "经验汇编", Compilation, "compilations", "", "{{title}}",
               "标识（文件名）"),
)
SETTINGS_FILES = (("program", "平台设置", "program.yml", Program),
                  ("taxonomy", "类别、管理单位与主题", "taxonomy.yml", Taxonomy))


class SettingsError(ValueError):
    """``extra.editor`` in mkdocs.yml is incomplete or wrong (Chinese message)."""


@dataclass(frozen=True)
class Backend:
    """Where team mode saves: the department's GitLab (or Gitea/Forgejo), from
    ``extra.editor`` in mkdocs.yml. Without it the editor works only in ``showcase serve``."""

    name: Literal["gitlab", "gitea"]
    repo: str
    base_url: str
    app_id: str
    branch: str = "main"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Backend | None:
        if not settings:
            return None
        if not isinstance(settings, Mapping):
            raise SettingsError("mkdocs.yml 的 extra.editor 应为一组设置（backend、repo、base_url、app_id）。")
        missing = [k for k in ("backend", "repo", "base_url", "app_id") if not settings.get(k)]
        if missing:
            raise SettingsError("mkdocs.yml 的 extra.editor 缺少 " + "、".join(missing)
                             + "：请按编辑指南“给技术人员 › 团队在线编辑”一章填写。")
        if settings["backend"] not in ("gitlab", "gitea"):
            raise SettingsError(f"mkdocs.yml 的 extra.editor.backend 应为 gitlab 或 gitea，"
                             f"现在是“{settings['backend']}”。")
        return cls(settings["backend"], str(settings["repo"]), str(settings["base_url"]).rstrip("/"),
                   str(settings["app_id"]), str(settings.get("branch") or "main"))

    def config(self) -> dict[str, Any]:
        api = "/api/v4" if self.name == "gitlab" else "/api/v1"
        out: dict[str, Any] = {"name": self.name, "repo": self.repo, "branch": self.branch,
                               "base_url": self.base_url, "api_root": self.base_url + api,
                               "app_id": self.app_id}
        if self.name == "gitlab":
            out["auth_type"] = "pkce"
            out["auth_endpoint"] = "oauth/authorize"
        out["commit_messages"] = {
            "create": "新建{{collection}}：{{slug}}", "update": "修改{{collection}}：{{slug}}",
            "delete": "删除{{collection}}：{{slug}}", "uploadMedia": "上传照片：{{path}}",
            "deleteMedia": "删除照片：{{path}}"}
        return out


# When no team backend is configured the config still needs one; the local backend of
# ``showcase serve`` replaces it (and the page says so when it is not there).
UNCONFIGURED = {"name": "gitlab", "repo": "not-configured/not-configured"}


def build_config(data_prefix: str = "sites_data", backend: Backend | None = None
                 ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The Decap CMS configuration and the shapes of each collection's files.

    ``data_prefix`` is the data folder relative to the repository (or the local backend's
    root)."""
    shapes: dict[str, dict[str, Any]] = {}
    collections: list[dict[str, Any]] = []
    for c in FOLDER_COLLECTIONS:
        builder = _Builder()
        fields = builder.fields(c.model)
        if c.id_label:
            fields.insert(0, _id_field(c.id_label))
        entry: dict[str, Any] = {
            "name": c.name, "label": c.label, "label_singular": c.label,
            "folder": f"{data_prefix}/{c.folder}", "extension": "yml",
            "format": f"showcase-{c.name}", "create": True, "delete": False,
            "slug": c.slug, "summary": c.summary, "identifier_field": fields[1]["name"]
            if c.id_label else "title", "fields": fields,
            "editor": {"preview": False}}
        if c.path:
            entry["path"] = c.path
        if c.sort:
            entry["sortable_fields"] = [c.sort, fields[1]["name"] if c.id_label else "title"]
        if c.model in (Site, Experience):
            entry["media_folder"] = f"/{data_prefix}/media/photos"
            entry["public_folder"] = "photos"
        collections.append(entry)
        shapes[c.name] = builder.shapes.as_json()
    # One files collection per settings file: Decap takes the format from the collection.
    for name, label, file, model in SETTINGS_FILES:
        builder = _Builder()
        collections.append({
            "name": name, "label": label, "delete": False, "format": f"showcase-{name}",
            "editor": {"preview": False},
            "files": [{"name": name, "label": label, "file": f"{data_prefix}/{file}",
                       "fields": builder.fields(model)}]})
        shapes[name] = builder.shapes.as_json()
    config: dict[str, Any] = {
        "locale": "zh_Hans",
        "backend": backend.config() if backend else dict(UNCONFIGURED),
        # GitLab: every save becomes a merge request for review. Decap's Gitea backend has no
        # editorial workflow: it commits to its branch (give it its own, see the guide).
        "publish_mode": "simple" if backend and backend.name == "gitea" else "editorial_workflow",
        "media_folder": f"{data_prefix}/media/photos",
        "public_folder": "photos",
        "site_url": "/",
        "show_preview_links": False,
        "search": True,
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": collections,
    }
    return config, shapes


def config_yaml(config: Mapping[str, Any]) -> str:
    """The configuration as the YAML file Decap reads (JSON is YAML)."""
    return ("# 由 showcase 根据数据模型生成（generator/staff/cms.py），请勿手工修改。\n"
            + json.dumps(config, ensure_ascii=False, indent=2) + "\n")


LOCAL_PAGES = ("fix.html", "fix.js", "preview-errors.css", "tasks.js", "tasks.css")
# The clerk's task pages of ``showcase serve`` (/admin/<name>.html): name → title. Each
# page's own part is ``cmsassets/tasks/<name>.html``; the head and the menu are shared.
TASK_PAGES = {"tasks": "常用操作", "check": "检查数据", "import": "导入考评结果",
              "documents": "导出与打印", "records": "删除或改名", "save": "保存到版本库"}
TASK_MENU = (("./", "编辑记录"), *((f"{name}.html", title) for name, title in TASK_PAGES.items()),
             ("/", "网站预览"))


def task_page(name: str) -> bytes:
    """One task page: the shared head and menu around ``cmsassets/tasks/<name>.html``."""
    title = TASK_PAGES[name]
    current = ' aria-current="page"'
    items = "\n".join(
        f'<li><a href="{href}"{current if href == f"{name}.html" else ""}>{label}</a></li>'
        for href, label in TASK_MENU)
    main = (ASSETS / "tasks" / f"{name}.html").read_text(encoding="utf-8")
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title} · 网页编辑器</title>
<link rel="stylesheet" href="tasks.css">
</head>
<body data-task="{name}">
<a class="sc-skip" href="#main">跳到正文</a>
<header class="sc-top">
<p class="sc-top__title">示范点数据 · 网页编辑器</p>
<nav class="sc-menu" aria-label="网页编辑器的功能">
<ul>
{items}
</ul>
</nav>
</header>
<main id="main" class="sc-task" tabindex="-1">
{main}</main>
<script src="tasks.js"></script>
</body>
</html>
""".encode()


def editor_files(data_prefix: str = "sites_data", backend: Backend | None = None, *,
                 local: bool = False) -> dict[str, bytes]:
    """Every file of ``/admin/`` that showcase makes (the Decap CMS bundle aside):
    the page, the configuration and the editor's own script."""
    config, shapes = build_config(data_prefix, backend)
    page = (ASSETS / "index.html").read_text(encoding="utf-8")
    settings = {"shapes": shapes, "local": local, "team": backend is not None}
    page = page.replace("__EDITOR_SETTINGS__", json.dumps(settings, ensure_ascii=False)
                        .replace("</", "<\\/"))
    if not local:  # the task pages exist only in the preview: no links to them elsewhere
        page = re.sub(r"\n *<!-- local-tasks -->.*?<!-- /local-tasks -->", "", page, flags=re.S)
    files = {"index.html": page.encode("utf-8"),
             "config.yml": config_yaml(config).encode("utf-8"),
             "showcase-cms.js": (ASSETS / "showcase-cms.js").read_bytes(),
             "showcase-cms.css": (ASSETS / "showcase-cms.css").read_bytes()}
    if local:  # the preview's own pages: its error list, the text editor, the tasks
        for name in LOCAL_PAGES:
            files[name] = (ASSETS / name).read_bytes()
        for name in TASK_PAGES:
            files[f"{name}.html"] = task_page(name)
    return files
