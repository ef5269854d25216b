"""Checks that need more than one record: references, lifecycle order, media files.

Each problem points at the exact value in the file that must change.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from ..base.problems import Problem, Severity
from ..model.fieldtypes import KEY_RE
from ..model.lifecycle import STATUS_LABELS, violation
from ..model.records import Photo
from .dataset import Dataset, Source
from .mediacheck import check_file, media_name
from .schemacheck import suggest


def _get(record: Any, name: str) -> Any:
    """A field of a possibly partial record (see schemacheck._partial); None when absent."""
    return getattr(record, name, None)


PLACEHOLDER = "（请填写"


def _placeholders(src: Source, record: Any, fields: tuple[str, ...]) -> list[Problem]:
    """Skeleton text (``showcase new``) still in a record that would be published."""
    return [src.problem((name,), f"“{name}”还是模板中的示例文字，请改成实际内容。",
                        severity=Severity.WARNING)
            for name in fields if PLACEHOLDER in str(_get(record, name) or "")]


def check_dataset(data: Dataset) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_program(data)
    problems += _check_taxonomy(data)
    problems += _check_sites(data)
    problems += _check_experiences(data)
    problems += _check_plans(data)
    problems += _check_compilations(data)
    return problems


def _reference(src: Source, loc: tuple[str | int, ...], value: str | None,
               known: Mapping[str, object] | None, what: str, where: str,
               unreadable: Iterable[str] = ()) -> list[Problem]:
    if value is None or known is None or value in known or value in unreadable:
        return []  # (a file that exists but has errors of its own is reported there)
    hint = suggest(value, list(known))
    if not hint and len(known) <= 12:
        hint = f"可用的有：{'、'.join(known)}。"
    return [src.problem(loc, f"{what}“{value}”不存在，应为 {where}。{hint}")]


def is_member_reference(value: str) -> bool:
    """``<member>/<id>``: a record of another programme of the same aggregator (federation),
    which this data set alone cannot check."""
    return "/" in value


def _member_reference(data: Dataset, src: Source, loc: tuple[str | int, ...],
                      value: str) -> list[Problem]:
    """A warning (not an error) for a reference into another programme: the aggregator
    checks it when it brings the programmes together; an aggregator's own data is checked
    there too, so it gets none."""
    if data.members is not None:
        return []
    return [src.problem(loc, f"“{value}”引用的是其他平台的记录（成员标识/id）：单独检查本平台的数据时"
                             "无法确认它存在，汇总到上级平台时会检查。", severity=Severity.WARNING)]


def _unreadable(data: Dataset, kind: str) -> set[str]:
    return {ident for k, ident in data.unreadable if k == kind}


def _check_program(data: Dataset) -> list[Problem]:
    mark = _get(data.program, "gov_mark")
    if mark is None or ("program", "program") not in data.sources:
        return []
    problem = check_file(data.root / "media", mark.image.strip())
    src = data.source("program", "program")
    return [src.problem(("gov_mark", "image"), problem)] if problem else []


def _check_taxonomy(data: Dataset) -> list[Problem]:
    tax = data.taxonomy
    if tax is None:
        return []
    src = data.source("taxonomy", "taxonomy")
    problems = []
    for section in ("categories", "units", "themes"):
        seen: dict[str, str] = {}
        for key in _get(tax, section) or {}:
            if not KEY_RE.match(key):
                problems.append(src.problem(
                    (section, key), f"键“{key}”只能由英文字母、数字、下划线和连字符组成，"
                    "例如 social_group；中文名称请写在 name 中。", key=True))
            elif key.lower() in seen:
                first = seen[key.lower()]
                line = src.doc.mark((section, first), key=True).line
                problems.append(src.problem(
                    (section, key), f"键“{key}”与第 {line} 行的“{first}”只有大小写不同：网页地址和"
                    "文件夹在 Windows、macOS 上会互相覆盖。请改用不同的键（建议全部小写）。", key=True))
            else:
                seen[key.lower()] = key
    return problems


def _check_photos(data: Dataset, src: Source, photos: Iterable[Photo], *,
                  published: bool = True) -> list[Problem]:
    problems = []
    media = data.root / "media"
    for i, photo in enumerate(photos):
        problem = check_file(media, photo.file.strip())
        if problem:
            problems.append(src.problem(("photos", i, "file"), problem))
        if published and not (photo.alt or "").strip():
            problems.append(src.problem(
                ("photos", i), f"照片 {photo.file.strip()} 缺少替代文字（alt）：公开的照片必须"
                "用一句话写出照片的内容，供视障读者的读屏软件朗读，例如 "
                "alt: 党员志愿者在社区广场为居民量血压。"))
    return problems


# Images in Markdown: ![说明](photos/x.jpg "title"), also reference style (found by cmark).
_IMG_HTML = re.compile(r'<img src="([^"]*)" alt="([^"]*)"')
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.I)


def markdown_images(text: str) -> list[tuple[str, str, int]]:
    """(src, alt, line) of every image in ``text``, as the Markdown renderer reads them;
    the line (1-based, within ``text``) is where the reference is written."""
    if "![" not in text:
        return []
    import cmarkgfm

    rendered = cmarkgfm.github_flavored_markdown_to_html(text)
    found = []
    lines = text.split("\n")
    for m in _IMG_HTML.finditer(rendered):
        src, alt = html.unescape(m[1]), html.unescape(m[2])
        needles = [n for n in (src, unquote(src)) if n]
        line = next((i + 1 for i, t in enumerate(lines) if any(n in t for n in needles)), 1)
        found.append((src, alt, line))
    return found


def _check_markdown_images(data: Dataset, src: Source, record: Any, fields: tuple[str, ...],
                           body_file: str | None, published: bool) -> list[Problem]:
    """Every image placed in a Markdown field: a real photo in media/, with a description;
    never an image from another site (readers' browsers would call it)."""
    problems: list[Problem] = []
    media = data.root / "media"
    for name in fields:
        text = _get(record, name)
        if not isinstance(text, str) or "![" not in text:
            continue
        for ref, alt, line in markdown_images(text):
            if name == "body" and body_file is not None:
                where = (body_file, line)
            else:
                mark = src.doc.mark((name,))
                where = (src.path, mark.line + line - 1 + (1 if "\n" in text.strip() else 0))
            if _REMOTE.match(ref) or not ref:
                message: str | None = (
                    f"图片“{ref or '（空）'}”不是 media/ 中的照片：网站不会加载其他网站的图片。"
                    "请把照片放进 media/photos/，写成 ![照片说明](photos/文件名.jpg)。")
            else:
                message = check_file(media, media_name(unquote(ref)))
                if message:
                    message = f"图片 {ref}：{message}"
                elif published and not alt.strip():
                    message = (f"图片 {ref} 没有说明：请在方括号中写一句描述照片内容的话，"
                               "例如 ![党员志愿者在社区广场为居民量血压](photos/yizhen.jpg)。")
            if message:
                problems.append(Problem(where[0], where[1], 1, f"“{name}”中的{message}"))
    return problems


def _check_location(src: Source, site: Any) -> list[Problem]:
    """A point needs both coordinates: one alone links to no map."""
    location = _get(site, "location")
    raw = src.doc.data.get("location") if isinstance(src.doc.data, dict) else None
    if location is None or not isinstance(raw, dict):
        return []
    given = {k for k in ("lat", "lng") if raw.get(k) not in (None, "")}
    if len(given) != 1:
        return []
    have, missing = ("lat", "lng") if "lat" in given else ("lng", "lat")
    names = {"lat": "纬度", "lng": "经度"}
    return [src.problem(("location", have),
                        f"位置只写了{names[have]}（{have}），还缺{names[missing]}（{missing}）："
                        "地图链接需要两者都有。请补上，或把两者都删掉。")]


def _check_sites(data: Dataset) -> list[Problem]:
    tax = data.taxonomy
    problems: list[Problem] = []
    for ident, site in data.sites.items():
        src = data.source("sites", ident)
        problems += _reference(src, ("category",), _get(site, "category"),
                               _get(tax, "categories"), "类别", "taxonomy.yml 中 categories 下的键")
        problems += _reference(src, ("unit",), _get(site, "unit"), _get(tax, "units"),
                               "管理单位", "taxonomy.yml 中 units 下的键")
        problems += _check_photos(data, src, _get(site, "photos") or [])
        problems += _check_markdown_images(data, src, site, ("profile",), None, True)
        problems += _placeholders(src, site, ("name", "summary", "profile"))
        problems += _check_location(src, site)
        evaluations = _get(site, "evaluations") or []
        batch = _get(site, "batch")
        index = {id(ev): i for i, ev in enumerate(evaluations)}
        seen: dict[int, int] = {}
        for ev in evaluations:
            i = index[id(ev)]
            if batch is not None and ev.year < batch:
                problems.append(src.problem(
                    ("evaluations", i, "year"),
                    f"考评年度 {ev.year} 早于创建批次 {batch}：创建单位从 {batch} 年起才参加考评。"))
            if ev.year in seen:
                line = src.doc.mark(("evaluations", seen[ev.year])).line
                problems.append(src.problem(
                    ("evaluations", i, "year"),
                    f"{ev.year} 年已有一条考评记录（第 {line} 行）：每年只能考评一次，请合并或删除其中一条。"))
            seen.setdefault(ev.year, i)
        out = violation(evaluations)
        if out is not None:
            problems.append(src.problem(
                ("evaluations", index[id(out.evaluation)], "year"),
                f"该单位在 {out.since} 年考评后已经“{STATUS_LABELS[out.status]}”，之后不能再有考评记录"
                f"（{out.evaluation.year} 年）。请核对考评结果或年度。"))
    return problems


def _check_experiences(data: Dataset) -> list[Problem]:
    tax = data.taxonomy
    problems: list[Problem] = []
    for ident, exp in data.experiences.items():
        src = data.source("experiences", ident)
        for i, site in enumerate(_get(exp, "sites") or []):
            if is_member_reference(site):
                problems += _member_reference(data, src, ("sites", i), site)
                continue
            problems += _reference(src, ("sites", i), site, data.sites, "示范点",
                                   "sites/ 目录中某个记录的文件名（id）",
                                   _unreadable(data, "sites"))
        for i, theme in enumerate(_get(exp, "themes") or []):
            problems += _reference(src, ("themes", i), theme, _get(tax, "themes"), "主题",
                                   "taxonomy.yml 中 themes 下的键")
        problems += _reference(src, ("unit",), _get(exp, "unit"), _get(tax, "units"),
                               "管理单位", "taxonomy.yml 中 units 下的键")
        published = not _get(exp, "draft")
        problems += _check_photos(data, src, _get(exp, "photos") or [], published=published)
        problems += _check_markdown_images(data, src, exp, ("summary", "body"),
                                           data.body_files.get(ident), published)
        if not _get(exp, "draft"):
            problems += _placeholders(src, exp, ("title", "summary", "body"))
    return problems


def _check_plans(data: Dataset) -> list[Problem]:
    tax = data.taxonomy
    problems: list[Problem] = []
    categories = _get(tax, "categories")
    if categories is None:
        return problems
    for year, plan in data.plans.items():
        src = data.source("plans", year)
        day = _get(plan, "evaluation_date")
        if day is not None and day.year != year:
            problems.append(src.problem(
                ("evaluation_date",),
                f"年度考评日期 {day.isoformat()} 不在 {year} 年内：请写 {year} 年的日期，例如 {year}-11-30。"))
        targets = _get(plan, "targets")
        for key in _get(targets, "by_category") or {}:
            if key not in categories:
                hint = suggest(key, list(categories))
                problems.append(src.problem(
                    ("targets", "by_category", key),
                    f"类别“{key}”不存在（应为 taxonomy.yml 的 categories 中已有的键）。{hint}", key=True))
    return problems


def _check_compilations(data: Dataset) -> list[Problem]:
    tax = data.taxonomy
    problems: list[Problem] = []
    for ident, comp in data.compilations.items():
        src = data.source("compilations", ident)
        include, select = _get(comp, "include"), _get(comp, "select")
        if ("compilations", ident) in data.incomplete and (
                "include" in src.doc.data or "select" in src.doc.data):
            pass  # the schema already reported what is wrong with them
        elif include is None and select is None:
            problems.append(Problem(src.path, 1, 1, "请用 include（列出经验 id）或 select（筛选条件）"
                                    "说明汇编收录哪些经验。"))
        if include is not None and select is not None:
            problems.append(src.problem(("select",), "include 与 select 只能写一个："
                                        "include 按列出的顺序收录，select 按条件筛选。", key=True))
        if include is not None and _get(comp, "order") is not None:
            problems.append(src.problem(("order",), "order 只与 select 一起使用；"
                                        "用 include 时按列出的顺序排列，请删除 order。", key=True))
        if include is not None and not include:
            problems.append(src.problem(("include",), "include 是空的：请列出要收录的经验 id，"
                                        "或改用 select 按条件筛选。", key=True))
        seen: set[str] = set()
        for i, exp_id in enumerate(include or []):
            if is_member_reference(exp_id):
                problems += _member_reference(data, src, ("include", i), exp_id)
            else:
                problems += _reference(src, ("include", i), exp_id, data.experiences, "经验",
                                       "experiences/ 目录中某个记录的文件名（id）",
                                       _unreadable(data, "experiences"))
            if exp_id in seen:
                problems.append(src.problem(("include", i), f"经验“{exp_id}”重复列出了。"))
            seen.add(exp_id)
            exp = data.experiences.get(exp_id)
            if exp is not None and exp.draft:
                problems.append(src.problem(
                    ("include", i), f"经验“{exp_id}”是草稿（draft: true），不会编入汇编。"
                    "定稿后请把 draft 改为 false。", severity=Severity.WARNING))
        if select is not None:
            for i, theme in enumerate(select.themes):
                if is_member_reference(theme):  # another programme's theme (federation)
                    problems += _member_reference(data, src, ("select", "themes", i), theme)
                    continue
                problems += _reference(src, ("select", "themes", i), theme, _get(tax, "themes"),
                                       "主题", "taxonomy.yml 中 themes 下的键")
            for i, unit in enumerate(select.units):
                if is_member_reference(unit):
                    problems += _member_reference(data, src, ("select", "units", i), unit)
                    continue
                problems += _reference(src, ("select", "units", i), unit, _get(tax, "units"),
                                       "管理单位", "taxonomy.yml 中 units 下的键")
    return problems
