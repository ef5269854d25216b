"""``showcase new site|experience``: commented skeleton records that validate as written.

A skeleton has real values in every required field (placeholders that the staff member must
replace are marked with full-width brackets: “（请填写……）”), a Chinese comment above each
field, and every optional field commented out. Its id (the file name) is the pinyin of the
Chinese name, made unique across every sub-folder of its kind. Nothing is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.pinyin import pinyin_slug
from ..data.dataset import Dataset
from ..data.schemacheck import check_document, suggest
from ..data.yamlsource import parse
from ..model.fieldtypes import ID_RE, MAX_YEAR, MIN_YEAR
from ..model.records import Experience, Site

SKELETONS = Path(__file__).parent / "skeletons"
ID_MAX = 64
SUMMARY_PLACEHOLDER = "（请填写一句话简介，不超过 200 字）"
EXPERIENCE_SUMMARY_PLACEHOLDER = "（请填写摘要：用两三句话概括这条经验的做法和成效）"
PLACEHOLDER_MARK = "（请填写"

# Words of a party organisation's full name that carry no meaning in a file name:
# “中共城南区桃花镇桃花村委员会” becomes cheng-nan-qu-tao-hua-zhen-tao-hua-cun.
_PREFIXES = ("中国共产党", "中共")
_SUFFIXES = ("总支部委员会", "支部委员会", "委员会", "党总支部", "党总支", "党支部", "总支部",
             "支部", "党委", "党组")
_YAML_SPECIAL = set(":#{}[],&*?|<>=!%@`\"'\\")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


class ScaffoldError(Exception):
    """A Chinese message that says what to type instead."""


# ---------------------------------------------------------------- ids

def pinyin_id(text: str) -> str:
    """Lower-case ASCII syllables joined by hyphens, at most ``ID_MAX`` characters."""
    return pinyin_slug(text, ID_MAX)


def short_org_name(name: str) -> str:
    """The name without “中共” and the organisation-type suffix (if something remains)."""
    core = name.strip()
    for prefix in _PREFIXES:
        if core.startswith(prefix) and len(core) - len(prefix) >= 2:
            core = core[len(prefix):]
            break
    for suffix in _SUFFIXES:
        if core.endswith(suffix) and len(core) - len(suffix) >= 2:
            core = core[: -len(suffix)]
            break
    return core


def taken_ids(folder: Path, suffixes: Iterable[str] = (".yml", ".yaml")) -> set[str]:
    """Stems of every record file below ``folder``, in any sub-folder (hidden ones too)."""
    wanted = tuple(s.lower() for s in suffixes)
    found: set[str] = set()
    if folder.is_dir():
        for _dirpath, _dirnames, filenames in os.walk(folder):
            found.update(Path(f).stem for f in filenames if f.lower().endswith(wanted))
    return found


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… (shortened to stay within ``ID_MAX``)."""
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: ID_MAX - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


def choose_id(text: str, taken: set[str], explicit: str | None = None,
              *, org_name: bool = False) -> str:
    if explicit is not None:
        if not ID_RE.match(explicit):
            raise ScaffoldError(
                f"id“{explicit}”不符合要求：只能使用小写字母、数字和连字符“-”，以字母或数字开头，"
                "长度 2–64，例如 chengnan-taohua-cun。")
        if explicit in taken:
            raise ScaffoldError(f"id“{explicit}”已经被使用了，请换一个。")
        return explicit
    base = pinyin_id(short_org_name(text) if org_name else text) or pinyin_id(text)
    if not ID_RE.match(base):
        raise ScaffoldError(
            f"无法从“{text}”生成文件名（需要至少两个汉字、字母或数字）。"
            "请用 --id 指定，例如 --id chengnan-taohua-cun。")
    return unique_id(base, taken)


# ---------------------------------------------------------------- choices

def _choices(mapping: Mapping[str, Any]) -> str:
    return "、".join(f"{key}（{item.name}）" for key, item in mapping.items())


def resolve_key(value: str, mapping: Mapping[str, Any], what: str, where: str) -> str:
    """A taxonomy key from its key or its Chinese name (or a unit's short name)."""
    value = value.strip()
    if value in mapping:
        return value
    for key, item in mapping.items():
        names = {key.lower(), item.name, getattr(item, "short_name", None)}
        if value.lower() in names or value in names:
            return key
    hint = suggest(value, [*mapping, *(item.name for item in mapping.values())])
    raise ScaffoldError(f"{what}“{value}”不存在（应为 {where} 中的键）。{hint}"
                        f"可用的有：{_choices(mapping)}。")


def resolve_site(value: str, sites: Mapping[str, Site]) -> str:
    """A site id from its id, full name or short name."""
    value = value.strip()
    if value in sites:
        return value
    matches = [ident for ident, site in sites.items() if value in (site.name, site.short_name)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ScaffoldError(f"名称“{value}”对应多个示范点：{'、'.join(matches)}。请直接写 id。")
    names = [*sites, *(s.name for s in sites.values()), *(s.short_name for s in sites.values()
                                                          if s.short_name)]
    hint = suggest(value, names)
    raise ScaffoldError(f"示范点“{value}”不存在：应为 sites/ 目录中某个记录的文件名（id），"
                        f"或示范点的全称、简称。{hint}")


def parse_year(value: str | int) -> int:
    text = str(value).strip().removesuffix("年")
    if not re.fullmatch(r"\d{4}", text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise ScaffoldError(f"“{value}”不是年份。请写四位数字的年份，例如 {dt.date.today().year}。")
    return int(text)


# ---------------------------------------------------------------- YAML text

def scalar(value: str) -> str:
    """``value`` as a YAML scalar that every YAML reader reads back as this exact text."""
    plain_ok = (
        value == value.strip() and value
        and not (set(value) & _YAML_SPECIAL)
        and value[0] not in "-?"
        and value.lower() not in _YAML_WORDS
        and not re.fullmatch(r"[0-9.+\-_:eE]+", value)
        and "\n" not in value
    )
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


def _comment_name(text: str) -> str:
    return text.replace("\n", " ")


@dataclass(frozen=True)
class Skeleton:
    kind: str           # "sites" or "experiences"
    ident: str
    relative: Path      # below the data directory
    text: str


def site_skeleton(data: Dataset, name: str, category: str, unit: str, batch: int,
                  ident: str | None = None) -> Skeleton:
    assert data.taxonomy is not None
    tax = data.taxonomy
    name = name.strip()
    if not name:
        raise ScaffoldError("请填写党组织全称，例如“中共城南区桃花镇桃花村委员会”。")
    category = resolve_key(category, tax.categories, "类别", "taxonomy.yml 的 categories")
    unit = resolve_key(unit, tax.units, "管理单位", "taxonomy.yml 的 units")
    ident = choose_id(name, taken_ids(data.root / "sites"), ident, org_name=True)
    text = _template("site.yml").format(
        name=scalar(name), title=_comment_name(name), category=category,
        category_name=tax.categories[category].name, unit=unit,
        unit_name=tax.units[unit].name, batch=batch, summary=SUMMARY_PLACEHOLDER,
        year=batch)
    skeleton = Skeleton("sites", ident, Path("sites") / str(batch) / f"{ident}.yml", text)
    _check(skeleton, Site)
    return skeleton


def experience_skeleton(data: Dataset, title: str, sites: list[str], year: int,
                        themes: list[str], ident: str | None = None) -> Skeleton:
    assert data.taxonomy is not None
    tax = data.taxonomy
    title = title.strip()
    if not title:
        raise ScaffoldError("请填写经验标题，例如“党员积分制管理激活乡村治理”。")
    site_ids = list(dict.fromkeys(resolve_site(s, data.sites) for s in sites))
    theme_keys = list(dict.fromkeys(
        resolve_key(t, tax.themes, "主题", "taxonomy.yml 的 themes") for t in themes))
    if not site_ids:
        raise ScaffoldError("请至少指定一个示范点（--site）。")
    if not theme_keys:
        raise ScaffoldError("请至少指定一个主题（--theme）。")
    taken = taken_ids(data.root / "experiences", (".yml", ".yaml", ".md"))
    ident = choose_id(title, taken, ident)
    first = data.sites[site_ids[0]]
    site_lines = "\n".join(f"  - {s}   # {_comment_name(data.sites[s].display_name)}"
                           for s in site_ids)
    theme_lines = "\n".join(f"  - {t}   # {tax.themes[t].name}" for t in theme_keys)
    text = _template("experience.yml").format(
        title=scalar(title), comment_title=_comment_name(title), site_lines=site_lines,
        theme_lines=theme_lines, year=year, summary=EXPERIENCE_SUMMARY_PLACEHOLDER,
        author=scalar(tax.units[first.unit].name), unit=first.unit,
        unit_name=tax.units[first.unit].name)
    skeleton = Skeleton("experiences", ident,
                        Path("experiences") / str(year) / f"{ident}.yml", text)
    _check(skeleton, Experience)
    return skeleton


def _template(name: str) -> str:
    """A skeleton with ``{placeholders}`` for str.format (the YAML has no braces of its own)."""
    return (SKELETONS / name).read_text(encoding="utf-8")


def _check(skeleton: Skeleton, model: type[Site] | type[Experience]) -> None:
    """The skeleton must validate as written: a failure here is a bug, never the user's."""
    doc, problems = parse(skeleton.text, str(skeleton.relative))
    if doc is not None and not problems:
        record, problems = check_document(model, doc, str(skeleton.relative))
        if record is not None and not problems:
            return
    raise RuntimeError("skeleton does not validate: " + "; ".join(map(str, problems)))


def write_skeleton(data_dir: Path, skeleton: Skeleton) -> Path:
    """Create the file (never overwriting) and return its path below ``data_dir``."""
    path = data_dir / skeleton.relative
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(skeleton.text)
    except FileExistsError:
        raise ScaffoldError(f"{path} 已经存在，没有改动它。") from None
    return path
