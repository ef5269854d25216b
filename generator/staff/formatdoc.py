"""The data format reference for staff (数据格式说明), written from the records' models.

Every table row comes from the same pydantic fields that ``showcase validate`` checks
(title, description, type, required, private marker, allowed values), so the page cannot
drift from the validator; the examples are checked by the tests to validate. Regenerate with
``python -m generator.staff.formatdoc`` (writes ``content/guide/format.md``).
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..model import fieldtypes, records
from ..model.records import (
    ARCHIVE_LABELS,
    LEVEL_LABELS,
    PROMOTED_LABELS,
    RESULT_LABELS,
)

TARGET = Path("content") / "guide" / "format.md"

VALUE_LABELS: dict[str, dict[str, str]] = {
    "result": RESULT_LABELS, "type": ARCHIVE_LABELS, "level": LEVEL_LABELS,
    "promoted": PROMOTED_LABELS,
    "kind": {"district": "区县（市）委组织部", "work_committee": "工委"},
    "order": {"unit": "按管理单位", "category": "按类别", "theme": "按主题", "date": "按日期"},
}

# What each validator means, in the words the page uses.
_VALIDATOR_TYPES = {
    fieldtypes._parse_date: "日期，写成 2026-03-15",
    fieldtypes._parse_year: "年份，四位数字",
    fieldtypes._parse_bool: "是/否：true 或 false",
}


def _plain(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, __import__("types").UnionType) \
            and len(args) == 1:
        return args[0]
    return annotation


def _validators(annotation: Any, metadata: list[Any]) -> list[Any]:
    found = list(metadata)
    found += list(getattr(annotation, "__metadata__", ()))
    return [getattr(m, "func", None) for m in found]


def type_label(annotation: Any, metadata: list[Any] | None = None, name: str = "") -> str:
    """What kind of value a field takes, in Chinese."""
    metadata = metadata or []
    annotation = _plain(annotation)
    funcs = _validators(annotation, metadata)
    for func, label in _VALIDATOR_TYPES.items():
        if func in funcs:
            return label
    if fieldtypes.MarkdownText in metadata or fieldtypes.MarkdownText in getattr(
            annotation, "__metadata__", ()):
        return "Markdown 文字（可以分段、列表、加粗）"
    if typing.get_origin(annotation) is typing.Annotated:
        return type_label(typing.get_args(annotation)[0], list(annotation.__metadata__), name)
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "以下之一：" + "、".join(_value(name, v) for v in typing.get_args(annotation))
    if origin is list:
        inner = typing.get_args(annotation)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "列表，每项的字段见下表"
        return f"列表，每项一行（{type_label(inner, [], name)}）"
    if origin is dict:
        value = typing.get_args(annotation)[1]
        if isinstance(value, type) and issubclass(value, BaseModel):
            return "映射：键 → 下表中的字段"
        if value is int:
            return "映射：类别键 → 整数"
        return "映射（任意内容）"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "下一级字段，见下表"
    if annotation is int:
        return "整数"
    if annotation is float:
        return "数字"
    if annotation is str:
        return "文字"
    return "文字"


def _value(field: str, value: object) -> str:
    label = VALUE_LABELS.get(field, {}).get(str(value))
    return f"`{value}`（{label}）" if label else f"`{value}`"


def _private(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("private"))


def _limits(info: FieldInfo) -> list[str]:
    notes = []
    for m in info.metadata:
        for attr, word in (("ge", "不小于"), ("le", "不大于"), ("max_length", "最多"),
                           ("min_length", "至少")):
            value = getattr(m, attr, None)
            if value is not None:
                unit = " 字" if attr == "max_length" else (" 项" if attr == "min_length" else "")
                notes.append(f"{word} {value}{unit}")
    return notes


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# Fields that validate requires in some cases only: what the 必填 column says instead of 可选.
REQUIRED_WHEN = {("Photo", "alt"): "公开的照片必填"}


def field_rows(model: type[BaseModel], prefix: str = "") -> list[str]:
    rows = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        meaning = info.title or ""
        if info.description:
            meaning += f"。{info.description}" if info.description.startswith("例如") \
                else f"：{info.description}"
        notes = _limits(info)
        kind = type_label(info.annotation, list(info.metadata), name)
        if notes:
            kind += "；" + "，".join(notes)
        required = "必填" if info.is_required() else REQUIRED_WHEN.get((model.__name__, name), "可选")
        public = "**不公开**（只在内部版）" if _private(info) else "公开"
        rows.append(f"| `{key}` | {_cell(meaning)} | {_cell(kind)} | {required} | {public} |")
    return rows


def _nested(model: type[BaseModel]) -> list[tuple[str, type[BaseModel]]]:
    """(path, model) of every record type inside ``model``, depth first."""
    out: list[tuple[str, type[BaseModel]]] = []
    for name, info in model.model_fields.items():
        inner = _plain(info.annotation)
        if typing.get_origin(inner) is typing.Annotated:
            inner = typing.get_args(inner)[0]
        suffix = ""
        if typing.get_origin(inner) is list:
            inner, suffix = typing.get_args(inner)[0], "[]"
        elif typing.get_origin(inner) is dict:
            inner, suffix = typing.get_args(inner)[1], ".<键>"
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            out.append((f"{name}{suffix}", inner))
            out += [(f"{name}{suffix}.{p}", m) for p, m in _nested(inner)]
    return out


HEADER = "| 字段 | 含义 | 值 | 必填 | 公开 |\n|---|---|---|---|---|"

# Notes shown under a record type's table: what the fields alone cannot say.
SUB_NOTES: dict[type[BaseModel], str] = {
    records.Location: (
        "坐标用 **WGS-84** 十进制度数，也就是手机 GPS 定位给出的数值（北纬写 `lat`，东经写 `lng`），"
        "最多 6 位小数，必须在中国范围内（纬度 3.8–53.6，经度 73.4–135.1）；两者要一起填写。"
        "网站据此链接到高德、百度、腾讯地图的标注页面（由地图服务自行换算坐标），不在网页上嵌入地图；"
        "天地图的每一种链接都需要申请密钥（tk），所以不提供天地图链接。"
        "**怎样在手机上读坐标**：站在示范点门口，打开定位服务；苹果手机用自带的“指南针”应用，"
        "屏幕下方显示的就是经纬度（度分秒形式，如 29°1′52″N 111°41′55″E）；安卓手机可在“指南针”"
        "或相机的位置信息中查看。度分秒要换算成十进制度数：度 + 分÷60 + 秒÷3600，例如 29°1′52″ = "
        "29 + 1÷60 + 52÷3600 ≈ 29.031111。**不要**从高德、百度、腾讯地图里点选复制坐标：它们显示的"
        "是各自加密偏移后的坐标（GCJ-02、BD-09），直接填写会偏离几百米。"
    ),
}

FILES: list[tuple[str, str, type[BaseModel], str, str]] = [
    ("program.yml", "平台设置", records.Program,
     "整个网站只有一个。网站名称、主办单位、页脚中的备案信息都来自这里。", """\
name: 常德市基层党建示范点展示平台
organizer: 中共常德市委组织部
city: 常德市
inspection_interval: 1
icp: 湘ICP备20269999号-1
"""),
    ("taxonomy.yml", "分类", records.Taxonomy,
     "类别、管理单位和经验主题。记录中写的是左边的**键**（英文小写），网站上显示右边的名称。"
     "键只能用英文字母、数字、下划线和连字符，只差大小写的两个键不能同时使用。", """\
categories:
  rural:
    name: 农村
  community:
    name: 街道社区
units:
  wuling:
    name: 武陵区委组织部
    kind: district
themes:
  service:
    name: 服务群众
"""),
    ("sites/**/<id>.yml", "示范点（创建单位）", records.Site,
     "一个单位一个文件，文件名就是 id。状态（创建单位、示范点、提高阶段、淘汰……）由考评记录"
     "自动推算，不要手写。", """\
name: 中共武陵区芙蓉街道芙蓉社区委员会
short_name: 芙蓉社区
category: community
unit: wuling
batch: 2026
summary: 以“红色物业”为抓手，推动社区、业委会、物业企业三方联动。
organization:
  type: 党委
  members: 86
  secretary: 张某某
contacts:
  liaison:
    name: 李某某
    title: 组织委员
    phone: '0736-7212345'
evaluations:
  - year: 2026
    date: 2026-11-20
    result: pass
    score: 88
photos:
  - file: photos/furong.jpg
    caption: 社区党群服务中心
    alt: 社区党群服务中心外景，门口挂着党徽和中心名牌
location:
  address: 常德市武陵区芙蓉街道芙蓉社区党群服务中心
  lat: 29.031245
  lng: 111.698497
"""),
    ("experiences/**/<id>.yml", "典型经验", records.Experience,
     "正文写在 `body` 中，或放在同一文件夹的同名 `.md` 文件里（两者只能有一个）。"
     "`draft: true` 的草稿不会出现在公开网站上。", """\
title: 芙蓉社区“红色物业”三方联动机制
sites:
  - wuling-furong-shequ
year: 2026
themes:
  - service
summary: 社区党委牵头，每月召开一次三方联席会议。
author: 中共武陵区委组织部
date: 2026-10-15
body: |
  ## 主要做法

  1. 每月一次联席会议。
  2. 问题清单限期答复。
"""),
    ("plans/<年份>.yml", "年度规划", records.Plan,
     "文件名就是年份，`year` 必须与文件名一致。网站上的规划页按这里的目标统计完成情况。", """\
title: 2026 年基层党建示范点创建工作计划
year: 2026
targets:
  candidates: 50
  demonstrations: 25
  by_category:
    rural: 20
    community: 6
milestones:
  - date: 2026-11-30
    title: 年度考评
"""),
    ("compilations/<id>.yml", "经验汇编", records.Compilation,
     "用 `include` 按顺序列出经验 id，或用 `select` 按条件筛选（二者只能写一个）。草稿不会编入。", """\
title: 常德市基层党建典型经验汇编（2026）
editor: 中共常德市委组织部组织科
date: 2026-12-20
select:
  years:
    - 2026
order: unit
"""),
]

INTRO = """---
title: 数据格式说明
---

# 数据格式说明

<!-- 这一页由 python -m generator.staff.formatdoc 根据程序中的记录定义自动生成，请勿手工修改。 -->

本页列出 `sites_data/` 中每一种文件的全部字段：含义、值的写法、是否必填、是否公开。表格由检查数据所用的同一份定义生成，`showcase validate` 检查的就是这里写的规则。

* **必填**的字段缺少时，检查会报错；**可选**的字段不用时整行删掉即可。
* **不公开**的字段只出现在内部版网站和内部统计表中，公开网站、开放数据、订阅和 PDF 里都没有。
* 文件名就是记录的 **id**：只能用小写字母、数字和连字符“-”，以字母或数字开头，长 2–64 个字符；同一类记录的 id 不能重复（即使在不同文件夹中）。
* 文件用 **UTF-8** 编码保存；缩进只用空格。字段名写错、同一字段写两次、看不见的控制字符都会报错。看不见的**零宽字符**（如 U+200B 零宽空格、U+200D 零宽连接符、U+FEFF）在名称、标题、报送单位、键和 id 中会报错（它们让看起来相同的名称实际上不同）；在简介、正文等成段的文字中允许保留（例如表情符号需要零宽连接符）。
* 网址（`site_url`、`police_record_url` 等）必须是以 `http://` 或 `https://` 开头的完整网址，不能含引号、尖括号、空格或看不见的字符；网址中确需的空格写成 `%20`。
* 照片文件名（不含扩展名）最多 78 个汉字或 234 个字母：网站发布时会在文件名后加上尺寸等信息，总长不能超过系统允许的 255 字节。
* 照片放在 `sites_data/media/` 中，在 `photos` 里写相对于 `media/` 的路径，只能是 jpg、jpeg、png、webp、gif 格式的真实图片。公开的照片必须写 `alt`（替代文字）：用一句话写出照片的内容，供视障读者的读屏软件朗读。正文中也可以放照片：`![照片内容](photos/文件名.jpg)`，方括号里的文字就是替代文字。网站只发布缩小并去除拍摄信息（位置、时间、设备、拍摄人）的照片，原图不公开。

| 文件 | 内容 |
|---|---|
"""  # noqa: E501 (Chinese paragraphs stay on one line: a line break would show as a space)


def _anchor(heading: str) -> str:
    """The id the site gives a heading (the toc extension with pymdownx's slugify)."""
    from pymdownx.slugs import slugify

    return str(slugify(case="lower")(heading, "-"))


def render() -> str:
    out = [INTRO.rstrip("\n")]
    for path, title, _model, _note, _example in FILES:
        out.append(f"| `sites_data/{path}` | [{title}](#{_anchor(title)}) |")
    out.append("| `sites_data/media/**` | 照片和附件 |")
    for path, title, model, note, example in FILES:
        out += ["", f"## {title}", "", f"文件：`sites_data/{path}`。{note}", "", HEADER]
        out += field_rows(model)
        shown: dict[type[BaseModel], str] = {}
        for sub_path, sub in _nested(model):
            if sub in shown:  # the same kind of entry again (e.g. the three contacts)
                out += ["", f"### `{sub_path}` 的字段", "", f"与 `{shown[sub]}` 相同。"]
                continue
            shown[sub] = sub_path
            out += ["", f"### `{sub_path}` 的字段", "", HEADER]
            out += field_rows(sub, f"{sub_path}.")
            if sub in SUB_NOTES:
                out += ["", SUB_NOTES[sub]]
        out += ["", "例：", "", "```yaml", example.rstrip("\n"), "```"]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0]) if argv else Path.cwd()
    target = root / TARGET
    target.write_text(render(), encoding="utf-8")
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
