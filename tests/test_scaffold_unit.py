"""``showcase new`` in this process (staff/scaffold.py): ids from names, keys from Chinese
names, YAML scalars, the skeleton texts and the never-overwriting write, with the expected
ids, lines and messages written out by hand. The command is tested in test_scaffold.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import MINIMAL, copy_minimal

from generator.data import loader
from generator.data.dataset import Dataset
from generator.data.yamlsource import parse
from generator.model.records import Site
from generator.staff import scaffold
from generator.staff.scaffold import (
    ScaffoldError,
    Skeleton,
    choose_id,
    experience_skeleton,
    parse_year,
    resolve_key,
    resolve_site,
    scalar,
    short_org_name,
    site_skeleton,
    taken_ids,
    unique_id,
    write_skeleton,
)

_LOADED: list[Dataset] = []


def minimal() -> Dataset:
    if not _LOADED:
        _LOADED.append(loader.load(MINIMAL))
    return _LOADED[0]


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ScaffoldError) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    return str(info.value)


# ---------------------------------------------------------------- ids

@pytest.mark.parametrize(("name", "short"), [
    ("中共城南区桃花镇桃花村委员会", "城南区桃花镇桃花村"),
    ("中国共产党城南区桃花村支部委员会", "城南区桃花村"),
    ("中共金山机械有限公司支部委员会", "金山机械有限公司"),
    ("红旗村党总支部", "红旗村"), ("红旗村党总支", "红旗村"), ("红旗村总支部委员会", "红旗村"),
    ("红旗村党支部", "红旗村"), ("红旗村总支部", "红旗村"), ("红旗村支部", "红旗村"),
    ("红旗村党委", "红旗村"), ("红旗村党组", "红旗村"),
    ("  中共红旗村党委  ", "红旗村"),
    ("中共党委", "党委"),               # nothing would be left: the suffix stays
    ("中共红", "中共红"),               # nor does the prefix
    ("中共红党委", "红党委"),           # one character left is too little: the suffix stays
    ("中共红旗", "红旗"), ("红旗党委", "红旗"),
    ("中共中共红旗村党委", "中共红旗村"),  # one prefix, one suffix only
    ("红旗村支部委员会党委", "红旗村支部委员会"),
])
def test_short_org_name(name: str, short: str) -> None:
    assert short_org_name(name) == short


def test_taken_ids_in_every_sub_folder(tmp_path: Path) -> None:
    assert taken_ids(tmp_path / "missing") == set()
    (tmp_path / "2025" / ".hidden").mkdir(parents=True)
    for name in ("a.yml", "2025/b.YAML", "2025/.hidden/c.yml", "2025/d.md", "e.txt", "f.Yml"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert taken_ids(tmp_path) == {"a", "b", "c", "f"}
    assert taken_ids(tmp_path, (".yml", ".yaml", ".md")) == {"a", "b", "c", "d", "f"}
    assert taken_ids(tmp_path / "a.yml") == set()


def test_unique_id() -> None:
    assert unique_id("tao-hua", set()) == "tao-hua"
    assert unique_id("tao-hua", {"tao-hua"}) == "tao-hua-2"
    assert unique_id("tao-hua", {"tao-hua", "tao-hua-2", "tao-hua-3"}) == "tao-hua-4"
    assert unique_id("tao-hua", {"tao-hua", "tao-hua-2"}) == "tao-hua-3"
    # shortened at a hyphen: no doubled hyphen before the number
    assert unique_id("a" * 61 + "-bc", {"a" * 61 + "-bc"}) == "a" * 61 + "-2"
    base = "a" * 62 + "-b"  # 64 characters
    assert unique_id(base, {base}) == "a" * 62 + "-2"
    assert unique_id("a" * 64, {"a" * 64}) == "a" * 62 + "-2"
    taken = {"a" * 64, *(("a" * 62) + f"-{n}" for n in range(2, 10))}
    assert unique_id("a" * 64, taken) == "a" * 61 + "-10"


def test_choose_id() -> None:
    assert choose_id("中共城南区李家村支部委员会", set(), org_name=True) == "cheng-nan-qu-li-jia-cun"
    assert choose_id("中共城南区李家村支部委员会", set()) == "zhong-gong-cheng-nan-qu-li-jia-cun-zhi-bu-wei-yuan-hui"
    assert choose_id("李家村党支部", {"li-jia-cun"}, org_name=True) == "li-jia-cun-2"
    # when the short name gives nothing, the full name is used
    assert choose_id("中共AB党委", set(), org_name=True) == "ab"
    assert choose_id("x", set(), "my-id") == "my-id"
    assert refused(choose_id, "x", {"my-id"}, "my-id") == "id“my-id”已经被使用了，请换一个。"
    bad = ("id“{}”不符合要求：只能使用小写字母、数字和连字符“-”，以字母或数字开头，"
           "长度 2–64，例如 chengnan-taohua-cun。")
    for explicit in ("My-Id", "-x", "a", "a" * 65, "a_b"):
        assert refused(choose_id, "x", set(), explicit) == bad.format(explicit)
    assert refused(choose_id, "！", set()) == (
        "无法从“！”生成文件名（需要至少两个汉字、字母或数字）。请用 --id 指定，例如 --id chengnan-taohua-cun。")
    assert refused(choose_id, "a", set()) == (
        "无法从“a”生成文件名（需要至少两个汉字、字母或数字）。请用 --id 指定，例如 --id chengnan-taohua-cun。")


# ---------------------------------------------------------------- choices

def test_resolve_key() -> None:
    tax = minimal().taxonomy
    assert tax is not None
    units = tax.units
    assert resolve_key(" chengnan ", units, "管理单位", "W") == "chengnan"
    assert resolve_key("CHENGNAN", units, "管理单位", "W") == "chengnan"
    assert resolve_key("ChengNan", units, "管理单位", "W") == "chengnan"
    assert resolve_key("城南区委组织部", units, "管理单位", "W") == "chengnan"
    assert resolve_key("城南区", units, "管理单位", "W") == "chengnan"
    assert resolve_key("农村", tax.categories, "类别", "W") == "rural"
    assert refused(resolve_key, "城南区委", units, "管理单位", "taxonomy.yml 的 units") == (
        "管理单位“城南区委”不存在（应为 taxonomy.yml 的 units 中的键）。是不是想写“城南区委组织部”？"
        "可用的有：chengnan（城南区委组织部）、hexi（河西区委组织部）、shanbei（山北县委组织部）、"
        "shizhi（市直机关工委）。")
    assert refused(resolve_key, "火星", tax.themes, "主题", "W") == (
        "主题“火星”不存在（应为 W 中的键）。可用的有：party_education（党员教育管理）、service（服务群众）、"
        "grid（网格化治理）。")


def test_resolve_site() -> None:
    sites = minimal().sites
    assert resolve_site(" chengnan-hongqi-cun ", sites) == "chengnan-hongqi-cun"
    assert resolve_site("红旗村", sites) == "chengnan-hongqi-cun"
    assert resolve_site("中共城南区红旗镇红旗村支部委员会", sites) == "chengnan-hongqi-cun"
    assert refused(resolve_site, "红旗", sites) == (
        "示范点“红旗”不存在：应为 sites/ 目录中某个记录的文件名（id），或示范点的全称、简称。是不是想写“红旗村”？")
    assert refused(resolve_site, "火星基地", sites) == (
        "示范点“火星基地”不存在：应为 sites/ 目录中某个记录的文件名（id），或示范点的全称、简称。")
    twins = {"a": Site.model_validate({**_site(), "short_name": "同名村"}),
             "b": Site.model_validate({**_site(), "short_name": "同名村"})}
    assert refused(resolve_site, "同名村", twins) == "名称“同名村”对应多个示范点：a、b。请直接写 id。"


def _site() -> dict[str, object]:
    return {"name": "测试党支部", "category": "rural", "unit": "chengnan", "batch": 2025,
            "summary": "测试。"}


@pytest.mark.parametrize(("value", "year"), [
    ("2026", 2026), (" 2026 ", 2026), ("2026年", 2026), (2026, 2026), ("1949", 1949),
    ("2100", 2100)])
def test_parse_year(value: str | int, year: int) -> None:
    assert parse_year(value) == year


@pytest.mark.parametrize("value", ["1948", "2101", "26", "二〇二六", "2026年度", "20260", ""])
def test_parse_year_refuses(value: str) -> None:
    assert refused(parse_year, value) == (
        f"“{value}”不是年份。请写四位数字的年份，例如 {dt.date.today().year}。")


# ---------------------------------------------------------------- YAML text

@pytest.mark.parametrize(("value", "written"), [
    ("桃花村", "桃花村"), ("a b", "a b"), ("x-1", "x-1"), ("中共 1 号", "中共 1 号"),
    ("", '""'), (" x", '" x"'), ("x ", '"x "'), ("a: b", '"a: b"'), ("#1", '"#1"'),
    ("a#1", '"a#1"'), ("- x", '"- x"'), ("-x", '"-x"'), ("?x", '"?x"'), ("no", '"no"'),
    ("No", '"No"'), ("TRUE", '"TRUE"'), ("~", '"~"'), ("y", '"y"'), ("null", '"null"'),
    ("off", '"off"'), ("0736", '"0736"'), ("1.5e3", '"1.5e3"'), ("12:30", '"12:30"'),
    ("1_000", '"1_000"'), ("+1", '"+1"'), ("a\nb", '"a\\nb"'), ("“引号”", "“引号”"),
    ("a'b", "\"a'b\""), ('a"b', '"a\\"b"'), ("50%", '"50%"'), ("a@b", '"a@b"'),
    ("x|y", '"x|y"'), ("x>y", '"x>y"'), ("[x]", '"[x]"'), ("{x}", '"{x}"'), ("a,b", '"a,b"'),
    ("a&b", '"a&b"'), ("*a", '"*a"'), ("!a", '"!a"'), ("`a`", '"`a`"'), ("a\\b", '"a\\\\b"'),
    ("a=b", '"a=b"'), ("x1", "x1"), ("e", '"e"'), ("ex", "ex"), ("1a", "1a"), ("ab-", "ab-"),
    ("XYZ", "XYZ"), ("1E5", '"1E5"')])
def test_scalar(value: str, written: str) -> None:
    assert scalar(value) == written
    doc, problems = parse(f"name: {written}\n", "x") if value.strip() == value and value else (
        None, [])
    if doc is not None:
        assert not problems and doc.data["name"] == value


# ---------------------------------------------------------------- skeletons

def test_site_skeleton(tmp_path: Path) -> None:
    data = minimal()
    skeleton = site_skeleton(data, "  中共城南区桃花镇李家村支部委员会 ", "农村", "城南区", 2026)
    assert (skeleton.kind, skeleton.ident) == ("sites", "cheng-nan-qu-tao-hua-zhen-li-jia-cun")
    assert skeleton.relative == Path("sites/2026/cheng-nan-qu-tao-hua-zhen-li-jia-cun.yml")
    lines = skeleton.text.splitlines()
    assert lines[0] == "# 示范点（创建单位）：中共城南区桃花镇李家村支部委员会"
    for line in ("name: 中共城南区桃花镇李家村支部委员会",
                 "# 类别（必填）：taxonomy.yml 中 categories 下的键。rural ＝ 农村", "category: rural",
                 "# 管理单位（必填）：taxonomy.yml 中 units 下的键。chengnan ＝ 城南区委组织部",
                 "unit: chengnan", "batch: 2026", "summary: （请填写一句话简介，不超过 200 字）",
                 "#   - year: 2026", "#     date: 2026-11-20"):
        assert line in lines, line
    assert "{" not in skeleton.text.replace("{{", "")
    # a name YAML would misread is quoted, and the comment keeps it on one line
    odd = site_skeleton(data, "中共 #1: 党支部", "rural", "hexi", 2025, ident="odd-one")
    assert odd.ident == "odd-one" and odd.relative == Path("sites/2025/odd-one.yml")
    assert 'name: "中共 #1: 党支部"' in odd.text.splitlines()


def test_site_skeleton_numbers_a_taken_id(tmp_path: Path) -> None:
    data = loader.load(copy_minimal(tmp_path))
    (data.root / "sites" / "2023").mkdir()
    (data.root / "sites" / "2023" / "li-jia-cun.yml").write_text("", encoding="utf-8")
    assert site_skeleton(data, "李家村党支部", "rural", "hexi", 2026).ident == "li-jia-cun-2"


@pytest.mark.parametrize(("args", "message"), [
    (("  ", "rural", "hexi"), "请填写党组织全称，例如“中共城南区桃花镇桃花村委员会”。"),
    (("李家村党支部", "农", "hexi"), "类别“农”不存在（应为 taxonomy.yml 的 categories 中的键）。"),
    (("李家村党支部", "rural", "河东"), "管理单位“河东”不存在（应为 taxonomy.yml 的 units 中的键）。"),
])
def test_site_skeleton_refuses(args: tuple[str, str, str], message: str) -> None:
    assert refused(site_skeleton, minimal(), *args, 2026).startswith(message)


def test_experience_skeleton() -> None:
    data = minimal()
    skeleton = experience_skeleton(data, " 党员积分制: 新做法 ",
                                   ["桃花村", "chengnan-hongqi-cun", "桃花村"], 2026,
                                   ["service", "网格化治理", "服务群众"])
    assert (skeleton.kind, skeleton.ident) == ("experiences", "dang-yuan-ji-fen-zhi-xin-zuo-fa")
    assert skeleton.relative == Path("experiences/2026/dang-yuan-ji-fen-zhi-xin-zuo-fa.yml")
    text = skeleton.text
    assert text.startswith("# 典型经验：党员积分制: 新做法\n")
    assert ('title: "党员积分制: 新做法"\n' in text)
    assert ("sites:\n  - chengnan-taohua-cun   # 桃花村\n  - chengnan-hongqi-cun   # 红旗村\n"
            in text)
    assert "themes:\n  - service   # 服务群众\n  - grid   # 网格化治理\n" in text
    for line in ("year: 2026", "summary: （请填写摘要：用两三句话概括这条经验的做法和成效）",
                 "author: 城南区委组织部", "# 管理单位：不写时取第一个示范点的管理单位（chengnan ＝ 城南区委组织部）",
                 "# unit: chengnan", "# date: 2026-06-30", "draft: true"):
        assert line in text.splitlines(), line


def test_experience_skeleton_first_site_gives_the_author_and_a_site_name_on_one_line(
        tmp_path: Path) -> None:
    data = loader.load(copy_minimal(tmp_path))
    data.sites["shanbei-wangjia-cun"] = data.sites["shanbei-wangjia-cun"].model_copy(
        update={"short_name": "王家村\n二组"})
    skeleton = experience_skeleton(data, "村民说事", ["shanbei-wangjia-cun", "桃花村"], 2026,
                                   ["grid"], ident="cun-min-shuo-shi-2")
    assert "author: 山北县委组织部" in skeleton.text.splitlines()
    assert "  - shanbei-wangjia-cun   # 王家村 二组" in skeleton.text.splitlines()
    assert skeleton.ident == "cun-min-shuo-shi-2"
    # a .md body of an existing experience takes its id too
    (data.root / "experiences" / "2026" / "cun-min-shuo-shi.md").write_text("x", encoding="utf-8")
    assert experience_skeleton(data, "村民说事", ["桃花村"], 2026, ["grid"]).ident == "cun-min-shuo-shi-2"
    # and so does an experience written as .yml or .yaml, in any year's folder
    for name in ("2025/cun-min-shuo-shi.yml", "2024/cun-min-shuo-shi.yaml"):
        for old in (data.root / "experiences").glob("*/cun-min-shuo-shi.*"):
            old.unlink()
        record = data.root / "experiences" / name
        record.parent.mkdir(exist_ok=True)
        record.write_text("x", encoding="utf-8")
        assert experience_skeleton(data, "村民说事", ["桃花村"], 2026, ["grid"]).ident == (
            "cun-min-shuo-shi-2"), name


@pytest.mark.parametrize(("title", "sites", "themes", "message"), [
    (" ", ["桃花村"], ["grid"], "请填写经验标题，例如“党员积分制管理激活乡村治理”。"),
    ("标题", [], ["grid"], "请至少指定一个示范点（--site）。"),
    ("标题", ["桃花村"], [], "请至少指定一个主题（--theme）。"),
    ("标题", ["火星"], ["grid"], "示范点“火星”不存在"),
    ("标题", ["桃花村"], ["火星"], "主题“火星”不存在（应为 taxonomy.yml 的 themes 中的键）。"),
])
def test_experience_skeleton_refuses(title: str, sites: list[str], themes: list[str],
                                     message: str) -> None:
    assert refused(experience_skeleton, minimal(), title, sites, 2026, themes).startswith(message)


def test_a_skeleton_that_does_not_validate_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = Skeleton("sites", "x", Path("sites/2026/x.yml"), "name: x\n")
    with pytest.raises(RuntimeError) as info:
        scaffold._check(broken, Site)
    assert str(info.value).startswith(
        "skeleton does not validate: sites/2026/x.yml:1:1: error: 缺少必填字段“category”（类别），请补上。; "
        "sites/2026/x.yml:1:1: error: 缺少必填字段“unit”")
    with pytest.raises(RuntimeError) as info:
        scaffold._check(Skeleton("sites", "x", Path("x.yml"), "name: [\n"), Site)
    assert str(info.value).startswith("skeleton does not validate: x.yml:")
    monkeypatch.setattr(scaffold, "_template", lambda name: "name: {name}\n")
    with pytest.raises(RuntimeError):
        site_skeleton(minimal(), "李家村党支部", "rural", "hexi", 2026)


def test_write_skeleton_never_overwrites(tmp_path: Path) -> None:
    skeleton = Skeleton("sites", "x", Path("sites/2026/x.yml"), "name: 甲\r\n")
    path = write_skeleton(tmp_path, skeleton)
    assert path == tmp_path / "sites" / "2026" / "x.yml"
    assert path.read_bytes() == "name: 甲\r\n".encode()
    other = Skeleton("sites", "x", Path("sites/2026/x.yml"), "name: 乙\n")
    assert refused(write_skeleton, tmp_path, other) == f"{path} 已经存在，没有改动它。"
    assert path.read_bytes() == "name: 甲\r\n".encode()
    line_ends = Skeleton("sites", "y", Path("y.yml"), "a\nb\n")
    assert write_skeleton(tmp_path, line_ends).read_bytes() == b"a\nb\n"
