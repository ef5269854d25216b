"""The open data in this process (site/opendata.py, site/datapackage.py): the JSON rows, the
CSV files, the Atom feed and the Data Package descriptor for the minimal data set, public and
internal, with the expected rows, columns and descriptions written out by hand. Builds read
back with frictionless are in test_datapackage.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import typing
import uuid
import xml.etree.ElementTree as ET
from typing import Annotated, Any, Literal

import annotated_types
import pytest
from conftest import MINIMAL
from pydantic import BaseModel, Field

from generator.data import loader
from generator.data.dataset import Dataset
from generator.data.federation import MemberData, federate
from generator.model.fieldtypes import Year
from generator.model.records import (
    Contact,
    ContactInfo,
    Evaluation,
    Experience,
    License,
    Location,
    Member,
    Site,
)
from generator.rules.audience import view
from generator.rules.facts import Facts, derive
from generator.site import datapackage, opendata
from generator.site.opendata import absolute, atom_feed, dump, experience_date, newest_first

AS_OF = dt.date(2026, 11, 28)
_CACHE: dict[str, Dataset] = {}


def minimal(audience: str = "public") -> Dataset:
    if audience not in _CACHE:
        _CACHE[audience] = view(loader.load(MINIMAL), audience)  # type: ignore[arg-type]
    return _CACHE[audience]


def facts() -> Facts:
    return derive(minimal("internal"), AS_OF)


def joined() -> Dataset:
    if "joined" not in _CACHE:
        member = Member(key="wuling", name="武陵区", code="430702", repo="x", ref="a" * 40)
        data, _problems = federate(loader.load(MINIMAL), [MemberData(member, loader.load(MINIMAL),
                                                                     "c" * 40)])
        _CACHE["joined"] = view(data, "public")
    return _CACHE["joined"]


def csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "").replace("\n\n", "")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


# ---------------------------------------------------------------- JSON rows

def test_dump_omits_private_fields_in_public() -> None:
    site = minimal("internal").sites["chengnan-taohua-cun"]
    public, internal = dump(site, "public"), dump(site, "internal")
    assert set(internal) - set(public) == {"awards", "internal"}
    assert public["evaluations"][0] == {"year": 2024, "date": "2024-11-20", "result": "pass"}
    assert internal["evaluations"][0] == {"year": 2024, "date": "2024-11-20", "result": "pass",
                                          "score": 86.0, "evaluator": "市委组织部第一考评组",
                                          "remarks": "积分制管理有特色。"}
    assert "phone" not in public["contacts"]["leader"]
    assert internal["contacts"]["leader"]["phone"] == "0731-8000001"
    assert internal["awards"] == [{"year": 2025, "amount": 5.0, "purpose": "党群服务中心设备"}]
    assert public["plan"]["milestones"][0] == {"date": "2024-06-30", "title": "积分细则印发",
                                               "done": True}


def test_dump_strips_hidden_markup_from_markdown_fields_only() -> None:
    exp = minimal().experiences["taohua-jifen-guanli"].model_copy(update={
        "body": "正文<!-- 内部意见 -->可见", "summary": "摘要<!-- x -->。", "title": "标题<!-- y -->"})
    out = dump(exp, "public")
    assert (out["body"], out["summary"]) == ("正文可见", "摘要。")
    assert out["title"] == "标题<!-- y -->"  # not Markdown: kept as written


def test_json_values() -> None:
    class Inner(BaseModel):
        when: dt.date

    value = {1: [Inner(when=dt.date(2025, 1, 2)), dt.date(2024, 3, 4), "x", None, 2.5]}
    assert opendata._json_value(value, "public") == {
        "1": [{"when": "2025-01-02"}, "2024-03-04", "x", None, 2.5]}


@pytest.mark.parametrize(("base", "path", "url"), [
    ("", "sites/a/", "/sites/a/"), ("https://dj.cn", "sites/a/", "https://dj.cn/sites/a/"),
    ("https://dj.cn/", "", "https://dj.cn/"), ("https://dj.cn/sub//", "feed.xml",
                                               "https://dj.cn/sub/feed.xml"),
    # only slashes are trimmed from the base, never the letters of its last folder
    ("https://dj.cn/DX/", "feed.xml", "https://dj.cn/DX/feed.xml")])
def test_absolute(base: str, path: str, url: str) -> None:
    assert absolute(base, path) == url


def test_sites_records() -> None:
    rows = opendata.sites_records(minimal(), facts(), "public", "https://dj.cn/")
    assert [r["id"] for r in rows] == sorted(minimal().sites)
    hongqi = rows[0]
    assert list(hongqi)[:3] == ["id", "url", "name"] and list(hongqi)[-2:] == ["status", "due_year"]
    assert (hongqi["url"], hongqi["status"], hongqi["due_year"]) == (
        "https://dj.cn/sites/chengnan-hongqi-cun/", "improving", 2028)
    assert "overdue" not in hongqi and "member" not in hongqi
    # Private fields are left out, not emitted empty.
    assert not {"awards", "internal"} & set(hongqi)
    eliminated = next(r for r in rows if r["id"] == "hexi-chuangxin-keji")
    assert (eliminated["status"], eliminated["due_year"]) == ("eliminated", None)
    rows = opendata.sites_records(minimal("internal"), derive(minimal("internal"), dt.date(2028, 6, 30)),
                                  "internal", "")
    assert list(rows[0])[-3:] == ["status", "due_year", "overdue"]
    assert {r["id"]: r["overdue"] for r in rows} == {
        "chengnan-hongqi-cun": False, "chengnan-taohua-cun": True, "chengnan-xingfu-shequ": True,
        "hexi-chuangxin-keji": False, "hexi-jinshan-qiye": False, "shanbei-shiyan-xiaoxue": False,
        "shanbei-wangjia-cun": True, "shizhi-zhengwu-zhongxin": True}
    assert rows[0]["url"] == "/sites/chengnan-hongqi-cun/"


def test_experiences_records() -> None:
    rows = opendata.experiences_records(minimal(), "public", "")
    assert [r["id"] for r in rows] == ["hexi-lianmeng-gongjian", "taohua-jifen-guanli",
                                       "wangjia-cunmin-shuoshi"]
    assert "draft" not in rows[0]
    assert rows[0]["unit"] == "hexi" and rows[0]["url"] == "/experiences/hexi-lianmeng-gongjian/"
    assert rows[2]["unit"] == "shanbei"  # from its first site
    rows = opendata.experiences_records(minimal("internal"), "internal", "https://dj.cn")
    assert [(r["id"], r["draft"]) for r in rows] == [
        ("hexi-lianmeng-gongjian", False), ("shiyan-hongse-ketang", True),
        ("taohua-jifen-guanli", False), ("wangjia-cunmin-shuoshi", False)]
    assert rows[1]["url"] == "https://dj.cn/experiences/shiyan-hongse-ketang/"


def test_rows_of_a_joined_data_set_name_their_member() -> None:
    sites = opendata.sites_records(joined(), derive(joined(), AS_OF), "public", "")
    assert list(sites[0])[:3] == ["id", "url", "member"]
    assert {r["id"]: r["member"] for r in sites}["wuling/chengnan-taohua-cun"] == "wuling"
    assert {r["id"]: r["member"] for r in sites}["chengnan-taohua-cun"] == ""
    exps = opendata.experiences_records(joined(), "public", "")
    assert {r["id"]: r["member"] for r in exps}["wuling/taohua-jifen-guanli"] == "wuling"
    header = csv_rows(opendata.sites_csv(joined(), derive(joined(), AS_OF), "public", ""))[0]
    assert header[:4] == ["id", "url", "member", "name"]
    rows = csv_rows(opendata.experiences_csv(joined(), ""))
    assert rows[0][:4] == ["id", "url", "member", "title"]
    assert [r[2] for r in rows[1:] if r[0].startswith("wuling/")] == ["wuling"] * 3
    assert [r[2] for r in rows[1:] if "/" not in r[0]] == [""] * 3


def test_to_json_is_compact_utf8() -> None:
    assert opendata.to_json([{"a": "桃花", "b": [1, None]}]) == '[{"a":"桃花","b":[1,null]}]\n'


# ---------------------------------------------------------------- CSV

SITE_HEADER = ["id", "url", "name", "short_name", "category", "category_name", "unit", "unit_name",
               "level", "batch", "status", "status_name", "due_year", "summary", "secretary",
               "members", "address", "lat", "lng", "tags"]


def test_sites_csv_public() -> None:
    rows = csv_rows(opendata.sites_csv(minimal(), facts(), "public", ""))
    assert rows[0] == SITE_HEADER
    by_id = {r[0]: dict(zip(SITE_HEADER, r, strict=True)) for r in rows[1:]}
    assert list(by_id) == sorted(minimal().sites)
    assert by_id["chengnan-taohua-cun"] == {
        "id": "chengnan-taohua-cun", "url": "/sites/chengnan-taohua-cun/",
        "name": "中共城南区桃花镇桃花村委员会", "short_name": "桃花村", "category": "rural",
        "category_name": "农村", "unit": "chengnan", "unit_name": "城南区委组织部", "level": "city",
        "batch": "2024", "status": "improving", "status_name": "提高阶段", "due_year": "2027",
        "summary": "以党员积分制管理带动乡村治理，村集体经济三年翻番。", "secretary": "李桃生",
        "members": "96", "address": "示例市城南区桃花镇桃花村", "lat": "28.2001", "lng": "112.9802",
        "tags": "积分制管理；乡村治理"}
    jinshan = by_id["hexi-jinshan-qiye"]
    assert [jinshan[k] for k in ("short_name", "due_year", "secretary", "members", "address", "lat",
                                 "lng", "tags")] == [""] * 8
    assert by_id["shanbei-wangjia-cun"]["tags"] == "村民说事；no；12:30"


def test_sites_csv_internal() -> None:
    rows = csv_rows(opendata.sites_csv(minimal("internal"), facts(), "internal", "https://dj.cn/"))
    header = [*SITE_HEADER, "overdue", "leader_phone", "supervisor_phone", "liaison_phone",
              "awards_total"]
    assert rows[0] == header
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    taohua = by_id["chengnan-taohua-cun"]
    assert taohua["url"] == "https://dj.cn/sites/chengnan-taohua-cun/"
    assert [taohua[k] for k in header[-5:]] == ["False", "0731-8000001", "0731-8000002",
                                                "13800000001", "5.0"]
    assert [by_id["chengnan-xingfu-shequ"][k] for k in header[-5:]] == ["False", "0731-8000011", "",
                                                                        "", ""]
    assert [by_id["shanbei-wangjia-cun"][k] for k in header[-5:]] == ["False", "", "", "07317200302",
                                                                      ""]
    assert [by_id["hexi-jinshan-qiye"][k] for k in header[-5:]] == ["False", "", "", "", ""]


def test_csv_cells_that_look_like_formulas_are_quoted() -> None:
    text = opendata._csv(["a", "b", "c"], [["=1+1", None, 5], ["x,y", "-2", "@a"]])
    assert text == '\ufeffa,b,c\r\n\'=1+1,,5\r\n"x,y",\'-2,\'@a\r\n'


def test_experiences_csv() -> None:
    rows = csv_rows(opendata.experiences_csv(minimal(), ""))
    header = ["id", "url", "title", "year", "date", "unit", "unit_name", "author", "promoted",
              "themes", "theme_names", "sites", "summary"]
    assert rows[0] == header
    assert rows[1] == ["hexi-lianmeng-gongjian", "/experiences/hexi-lianmeng-gongjian/",
                       "园区党建联盟“五共”工作法", "2025", "2025-09-15", "hexi", "河西区委组织部",
                       "中共河西区委组织部", "county", "party_education；service", "党员教育管理；服务群众",
                       "hexi-chuangxin-keji；hexi-jinshan-qiye",
                       "园区党委牵头成立党建联盟，组织共建、活动共办、人才共育、资源共享、发展共促。"]
    assert [r[0] for r in rows[1:]] == ["hexi-lianmeng-gongjian", "taohua-jifen-guanli",
                                        "wangjia-cunmin-shuoshi"]
    wangjia = dict(zip(header, rows[3], strict=True))
    assert (wangjia["unit"], wangjia["promoted"], wangjia["date"]) == ("shanbei", "", "2026-06-18")
    with_base = csv_rows(opendata.experiences_csv(minimal(), "https://dj.cn/"))
    assert with_base[1][1] == "https://dj.cn/experiences/hexi-lianmeng-gongjian/"


def test_experiences_csv_without_a_date_or_a_known_unit() -> None:
    data = loader.load(MINIMAL)
    exp = data.experiences["hexi-lianmeng-gongjian"]
    data.experiences = {"x": exp.model_copy(update={"date": None, "unit": "mars",
                                                    "summary": "摘要<!-- 不公开 -->。"})}
    rows = csv_rows(opendata.experiences_csv(data, ""))
    assert rows[1][4:7] == ["", "mars", ""]
    assert rows[1][-1] == "摘要。"


# ---------------------------------------------------------------- dates and the feed

def test_experience_dates_and_order() -> None:
    data = minimal("internal")
    assert experience_date(data, "taohua-jifen-guanli") == dt.date(2024, 12, 10)
    assert experience_date(data, "shiyan-hongse-ketang") == dt.date(2025, 12, 31)  # no date
    assert newest_first(data) == ["wangjia-cunmin-shuoshi", "shiyan-hongse-ketang",
                                  "hexi-lianmeng-gongjian", "taohua-jifen-guanli"]
    same = loader.load(MINIMAL)
    same.experiences = {k: same.experiences["taohua-jifen-guanli"] for k in ("b", "c", "a")}
    assert newest_first(same) == ["c", "b", "a"]


A = "{http://www.w3.org/2005/Atom}"


def test_atom_feed() -> None:
    text = atom_feed(minimal(), "https://dj.cn/")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"')
    assert text.endswith("</feed>\n") and "\n  <title>" in text
    feed = ET.fromstring(text)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert feed.findtext(f"{A}title") == "示例市基层党建示范点展示平台 · 典型经验"
    assert feed.findtext(f"{A}id") == "https://dj.cn/feed.xml"
    assert [(link.get("href"), link.get("rel")) for link in feed.findall(f"{A}link")] == [
        ("https://dj.cn/feed.xml", "self"), ("https://dj.cn/experiences/", None)]
    assert feed.findtext(f"{A}updated") == "2026-06-18T00:00:00Z"
    assert feed.findtext(f"{A}author/{A}name") == "中共示例市委组织部"
    entries = feed.findall(f"{A}entry")
    assert [e.findtext(f"{A}title") for e in entries] == [
        "“村民说事”推动村务公开", "园区党建联盟“五共”工作法", "党员积分制管理“一月一评、一季一晒”"]
    second = entries[1]
    assert second.findtext(f"{A}id") == "https://dj.cn/experiences/hexi-lianmeng-gongjian/"
    assert second.find(f"{A}link").get("href") == "https://dj.cn/experiences/hexi-lianmeng-gongjian/"  # type: ignore[union-attr]
    assert second.findtext(f"{A}updated") == "2025-09-15T00:00:00Z"
    assert second.findtext(f"{A}author/{A}name") == "中共河西区委组织部"
    assert [(c.get("term"), c.get("label")) for c in second.findall(f"{A}category")] == [
        ("party_education", "党员教育管理"), ("service", "服务群众")]
    assert second.findtext(f"{A}summary") == (
        "园区党委牵头成立党建联盟，组织共建、活动共办、人才共育、资源共享、发展共促。")


def test_atom_feed_without_an_address_limit_or_entries() -> None:
    feed = ET.fromstring(atom_feed(minimal(), "", limit=1))
    expected = uuid.uuid5(uuid.NAMESPACE_URL, "示例市基层党建示范点展示平台/feed.xml")
    assert feed.findtext(f"{A}id") == f"urn:uuid:{expected}"
    assert [link.get("href") for link in feed.findall(f"{A}link")] == ["/feed.xml", "/experiences/"]
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 1
    entry_id = uuid.uuid5(uuid.NAMESPACE_URL, "示例市基层党建示范点展示平台/experiences/wangjia-cunmin-shuoshi/")
    assert entries[0].findtext(f"{A}id") == f"urn:uuid:{entry_id}"
    empty = loader.load(MINIMAL)
    empty.experiences = {}
    feed = ET.fromstring(atom_feed(empty, ""))
    assert feed.findtext(f"{A}updated") == "1970-01-01T00:00:00Z" and feed.findall(f"{A}entry") == []
    # the summary is plain text: Markdown and markup are rendered away
    data = loader.load(MINIMAL)
    data.experiences = {"x": data.experiences["taohua-jifen-guanli"].model_copy(
        update={"summary": "**加粗** <b>标签</b>"})}
    assert ET.fromstring(atom_feed(data, "")).findtext(f"{A}entry/{A}summary") == "加粗 标签"


def test_atom_feed_default_limit_is_fifty() -> None:
    data = loader.load(MINIMAL)
    exp = data.experiences["taohua-jifen-guanli"]
    data.experiences = {f"e{i:02d}": exp for i in range(51)}
    assert len(ET.fromstring(atom_feed(data, "")).findall(f"{A}entry")) == 50


# ---------------------------------------------------------------- the Data Package: helpers

def test_strip_optional_and_annotated() -> None:
    assert datapackage._strip_optional(int | None) == (int, True)
    assert datapackage._strip_optional(typing.Optional[str]) == (str, True)  # noqa: UP045
    assert datapackage._strip_optional(int) == (int, False)
    inner, nullable = datapackage._strip_optional(int | str | None)
    assert nullable and typing.get_args(inner) == (int, str)
    assert datapackage._strip_optional(int | str) == (int | str, False)
    ge = annotated_types.Ge(1)
    nested = Annotated[Annotated[int, ge], "x"]
    assert datapackage._annotated(nested) == (int, (ge, "x"))
    assert datapackage._annotated(str) == (str, ())


def test_table_types() -> None:
    table = datapackage._table_type
    year_mark = typing.get_args(Year)[1]
    assert table(int, (year_mark,)) == ("year", None)
    assert table(Literal["a", 1], ()) == ("string", ["a", "1"])
    assert table(list[str], ()) == ("array", None)
    assert table(dict[str, int], ()) == ("object", None)
    assert table(dict, ()) == ("object", None)
    assert table(Location, ()) == ("object", None)
    assert table(bool, ()) == ("boolean", None)
    assert table(int, ()) == ("integer", None)
    assert table(float, ()) == ("number", None)
    assert table(dt.date, ()) == ("date", None)
    assert table(str, ()) == ("string", None)
    with pytest.raises(TypeError):
        table(bytes, ())
    assert datapackage._model_of(Location) is Location
    assert datapackage._model_of(int) is None and datapackage._model_of(list[Location]) is None


def test_bounds() -> None:
    assert datapackage._bounds((annotated_types.Ge(0), annotated_types.Le(100), "x")) == {
        "minimum": 0, "maximum": 100}
    assert datapackage._bounds((annotated_types.Interval(ge=1, le=2),)) == {"minimum": 1, "maximum": 2}
    assert datapackage._bounds(()) == {}
    for exclusive in (annotated_types.Gt(0), annotated_types.Lt(5)):
        with pytest.raises(TypeError):
            datapackage._bounds((exclusive,))


def test_fields_of_nested_records() -> None:
    assert datapackage._item_model(list[Evaluation]) is Evaluation
    assert datapackage._item_model(Location | None) is Location
    assert datapackage._item_model(list[str]) is None and datapackage._item_model(str) is None
    assert [n for n, _i in datapackage._public_fields(Contact, "public")] == ["name", "title"]
    assert [n for n, _i in datapackage._public_fields(Contact, "internal")] == ["name", "title",
                                                                                "phone"]
    assert datapackage._parts(Evaluation, "public") == "year 考评年度、date 考评日期、result 考评结果"
    assert datapackage._title(Site, "name") == "党组织全称"


def test_model_fields() -> None:
    field = datapackage.model_field
    assert field(Site, "name", "public") == {
        "name": "name", "type": "string", "title": "党组织全称", "description": "示范点的党组织全称",
        "constraints": {"required": True}}
    assert field(Site, "tags", "public", joined=True) == {
        "name": "tags", "type": "string", "title": "标签", "description": "示范点的标签；多个值以“；”分隔"}
    assert field(Experience, "sites", "public", joined=True) == {
        "name": "sites", "type": "string", "title": "相关示范点",
        "description": "示范点 id（文件名），至少一个；多个值以“；”分隔", "constraints": {"required": True}}
    assert field(Site, "tags", "public") == {
        "name": "tags", "type": "array", "title": "标签", "description": "示范点的标签；文字列表"}
    assert field(Contact, "phone", "internal", rename="x_phone") == {
        "name": "x_phone", "type": "string", "title": "电话（不公开）", "description": "只出现在内部版本中"}
    assert field(Site, "evaluations", "internal")["description"] == (
        "示范点的考评记录；每项含：year 考评年度、date 考评日期、result 考评结果、score 得分（不公开）、"
        "evaluator 考评人（不公开）、remarks 考评意见（不公开）")
    assert field(Site, "location", "public")["description"] == (
        "示范点的位置；含：address 地址、lat 纬度、lng 经度")
    assert field(Site, "photos", "public")["description"] == (
        "示范点的照片；每项含：file 文件、caption 说明、alt 替代文字、url 本站发布的照片（已缩小并去除拍摄信息）的网址")
    assert field(Experience, "body", "public") == {
        "name": "body", "type": "string", "title": "正文", "description": "经验材料全文；Markdown 格式"}
    assert field(Site, "featured", "public")["constraints"] == {"required": True}
    assert field(Site, "withdrawn", "public")["description"] == "退出创建的记录；未退出的为空；含：date 退出日期"
    assert field(Site, "level", "public")["constraints"] == {"required": True,
                                                            "enum": ["city", "county"]}
    assert "constraints" not in field(Site, "features", "public")  # a list may be empty
    assert field(Site, "batch", "public")["type"] == "year"


def test_model_fields_keep_the_models_bounds() -> None:
    """Bounds written inside a field's type (``Annotated[float, Field(ge=…)]``, as the
    coordinates are) reach the Table Schema as they do for ``Field(ge=…)`` on the field."""
    assert datapackage.model_field(Location, "lat", "public")["constraints"] == {
        "minimum": 3.8, "maximum": 53.6}
    assert datapackage.model_field(Location, "lng", "public")["constraints"] == {
        "minimum": 73.4, "maximum": 135.1}
    from generator.model.records import Organization
    assert datapackage.model_field(Organization, "members", "public")["constraints"] == {"minimum": 0}


def test_a_field_without_a_description_or_title() -> None:
    class Bare(BaseModel):
        plain: str
        listed: list[int] = Field(default_factory=list)

    datapackage._OWNERS[Bare] = "测试"
    try:
        assert datapackage.model_field(Bare, "plain", "public") == {
            "name": "plain", "type": "string", "title": "plain", "description": "测试的None",
            "constraints": {"required": True}}
        assert datapackage.model_field(Bare, "listed", "public")["description"] == "测试的None；文字列表"
    finally:
        del datapackage._OWNERS[Bare]
    assert datapackage._field("a", "string", "甲", "") == {"name": "a", "type": "string", "title": "甲"}
    assert datapackage._field("a", "string", "甲", "说明", {}) == {
        "name": "a", "type": "string", "title": "甲", "description": "说明"}


def test_derived_fields() -> None:
    assert datapackage._id("示范点") == {
        "name": "id", "type": "string", "title": "标识", "description": "示范点的文件名（不含扩展名），在本数据中唯一",
        "constraints": {"required": True, "unique": True}}
    assert datapackage._url("典型经验") == {
        "name": "url", "type": "string", "title": "页面网址", "description": "本站上该典型经验页面的网址",
        "constraints": {"required": True}}
    assert datapackage._status() == {
        "name": "status", "type": "string", "title": "状态",
        "description": "按考评记录推算的当前状态：candidate 创建单位、demonstration 示范点、improving 提高阶段、"
                       "not_selected 未入选、eliminated 淘汰、withdrawn 已退出",
        "constraints": {"required": True, "enum": ["candidate", "demonstration", "improving",
                                                   "not_selected", "eliminated", "withdrawn"]}}
    assert datapackage._due_year() == {
        "name": "due_year", "type": "year", "title": "下次考评年度",
        "description": "按考评记录和年检间隔推算；未入选、淘汰或已退出的为空"}
    assert datapackage._overdue() == {
        "name": "overdue", "type": "boolean", "title": "考评逾期（不公开）",
        "description": "截至统计日期，下次考评年度已过而未考评", "constraints": {"required": True}}
    assert datapackage._name_of("unit", "管理单位", "管理单位") == {
        "name": "unit_name", "type": "string", "title": "管理单位名称", "description": "unit 对应的管理单位名称",
        "constraints": {"required": True}}
    assert "constraints" not in datapackage._name_of("unit", "管理单位", "管理单位", required=False)
    keyed = datapackage._keyed({"name": "unit", "constraints": {"required": True}}, ["a", "b"])
    assert keyed == {"name": "unit", "constraints": {"required": True, "enum": ["a", "b"]}}
    assert datapackage._keyed({"name": "x"}, ["a"]) == {"name": "x", "constraints": {"enum": ["a"]}}
    assert datapackage._member(minimal()) == []
    assert datapackage._member(joined()) == [{
        "name": "member", "type": "string", "title": "成员",
        "description": "记录所属的成员平台（sources.yml 中的 key）；本平台自己的记录为空",
        "constraints": {"enum": ["", "wuling"]}}]


@pytest.mark.parametrize(("name", "url", "ident"), [
    ("知识共享署名 4.0", "https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
    ("x", "http://CreativeCommons.org/licenses/by-nc-sa/4.0/deed.zh", "CC-BY-NC-SA-4.0"),
    ("x", "https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ("CC0", None, "CC0-1.0"), ("CC 0 1.0", None, "CC0-1.0"), ("CC BY 4.0", None, "CC-BY-4.0"),
    ("CC-BY-SA 3.0", None, "CC-BY-SA-3.0"), ("cc-by-sa-3.0 协议", None, None),
    ("CC BY", None, None), ("保留所有权利", None, None), ("CC BY NC ND 4.0", None, "CC-BY-NC-ND-4.0"),
    ("x", "https://example.cn/licence", None), ("CC BY-NC 2.5", "https://example.cn/", "CC-BY-NC-2.5")])
def test_license_id(name: str, url: str | None, ident: str | None) -> None:
    assert datapackage.license_id(License(name=name, url=url)) == ident


def test_licenses() -> None:
    assert datapackage._licenses(None, "https://dj.cn/") == []
    cc = License(name="CC BY 4.0", url="https://creativecommons.org/licenses/by/4.0/")
    assert datapackage._licenses(cc, None) == [{
        "name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "CC BY 4.0"}]
    assert datapackage._licenses(License(name="CC0"), None) == [{"name": "CC0-1.0", "title": "CC0"}]
    own = License(name="本站数据使用协议")
    assert datapackage._licenses(own, "https://dj.cn/") == [
        {"path": "https://dj.cn/data/", "title": "本站数据使用协议"}]
    assert datapackage._licenses(own, None) == [{"path": "index.html", "title": "本站数据使用协议"}]
    linked = License(name="本站协议", url="https://dj.cn/licence/")
    assert datapackage._licenses(linked, "https://x.cn/") == [
        {"path": "https://dj.cn/licence/", "title": "本站协议"}]


@pytest.mark.parametrize(("url", "slug"), [
    (None, "showcase-opendata"), ("", "showcase-opendata"),
    ("https://www.DJ.Example.cn/sub/", "dj-example-cn-opendata"),
    ("https://dj-1.example.cn:8443/", "dj-1-example-cn-opendata"), ("not a url", "showcase-opendata")])
def test_slug(url: str | None, slug: str) -> None:
    assert datapackage._slug(url) == slug


def test_resource() -> None:
    fields = [{"name": "id"}]
    assert datapackage._resource("a-csv", "a.csv", "甲", "说明", fields) == {
        "name": "a-csv", "path": "a.csv", "profile": "tabular-data-resource", "title": "甲",
        "description": "说明", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True,
                    "header": True},
        "schema": {"fields": fields, "primaryKey": ["id"]}}
    assert datapackage._resource("a-json", "a.json", "甲", "说明", fields) == {
        "name": "a-json", "path": "a.json", "profile": "tabular-data-resource", "title": "甲",
        "description": "说明", "format": "json", "mediatype": "application/json", "encoding": "utf-8",
        "schema": {"fields": fields, "primaryKey": ["id"]}}


# ---------------------------------------------------------------- the Data Package: whole

def names(resource: dict[str, Any]) -> list[str]:
    return [f["name"] for f in resource["schema"]["fields"]]


CSV_NOTE = ("UTF-8 编码（带 BOM，Excel 可直接打开），CRLF 换行；以 =、+、-、@、制表符或回车开头的文字前加了"
            "英文单引号（'），以免被当作公式执行")


def test_package_public() -> None:
    package = datapackage.build(minimal(), facts(), "public")
    assert list(package) == ["profile", "name", "title", "description", "created", "contributors",
                             "keywords", "resources"]
    assert package["profile"] == "tabular-data-package"
    assert package["name"] == "showcase-opendata"
    assert package["title"] == "示例市基层党建示范点展示平台"
    assert package["description"] == (
        "中共示例市委组织部发布的示例市基层党建示范点开放数据：示范点（含创建单位及当前状态）与典型经验，"
        "各有 JSON 和 CSV 两种格式，统计截至 2026-11-28。")
    assert package["created"] == "2026-11-28T00:00:00Z"
    assert package["contributors"] == [{"title": "中共示例市委组织部", "role": "publisher"}]
    assert package["keywords"] == ["示例市", "基层党建", "示范点", "典型经验", "开放数据"]
    resources = package["resources"]
    assert [(r["name"], r["path"], r["title"]) for r in resources] == [
        ("sites-json", "sites.json", "示范点（JSON）"), ("sites-csv", "sites.csv", "示范点（CSV）"),
        ("experiences-json", "experiences.json", "典型经验（JSON）"),
        ("experiences-csv", "experiences.csv", "典型经验（CSV）")]
    assert [r["description"] for r in resources] == [
        "全部示范点与创建单位的公开字段及推算出的状态；对象数组，每个对象一条记录",
        f"全部示范点与创建单位的主要字段，一行一个；{CSV_NOTE}",
        "全部典型经验的公开字段；对象数组，每个对象一条记录",
        f"全部典型经验的主要字段，一行一条；{CSV_NOTE}"]
    assert names(resources[0]) == [
        "id", "url", "name", "short_name", "category", "unit", "level", "batch", "summary", "featured",
        "profile", "organization", "features", "conditions", "plan", "contacts", "archive",
        "evaluations", "photos", "location", "tags", "withdrawn", "status", "due_year"]
    assert names(resources[1]) == SITE_HEADER[:13] + SITE_HEADER[13:]
    assert names(resources[2]) == ["id", "url", "title", "sites", "year", "themes", "summary",
                                   "author", "unit", "date", "promoted", "featured", "tags",
                                   "photos", "body"]
    assert names(resources[3]) == ["id", "url", "title", "year", "date", "unit", "unit_name", "author",
                                   "promoted", "themes", "theme_names", "sites", "summary"]
    sites_json = {f["name"]: f for f in resources[0]["schema"]["fields"]}
    categories = ["rural", "community", "organ", "school", "enterprise", "intermediary", "social_group"]
    units = ["chengnan", "hexi", "shanbei", "shizhi"]
    assert sites_json["category"]["constraints"] == {"required": True, "enum": categories}
    assert sites_json["unit"]["constraints"] == {"required": True, "enum": units}
    assert sites_json["id"] == datapackage._id("示范点") and sites_json["url"] == datapackage._url("示范点")
    sites_csv = {f["name"]: f for f in resources[1]["schema"]["fields"]}
    assert sites_csv["category"]["constraints"]["enum"] == categories
    assert sites_csv["unit"]["constraints"]["enum"] == units
    assert sites_csv["category_name"] == datapackage._name_of("category", "类别", "类别")
    assert sites_csv["status_name"] == {
        "name": "status_name", "type": "string", "title": "状态名称", "description": "status 对应的中文名称",
        "constraints": {"required": True, "enum": ["创建单位", "示范点", "提高阶段", "未入选", "淘汰", "已退出"]}}
    assert sites_csv["secretary"]["title"] == "党组织书记"
    assert sites_csv["tags"]["type"] == "string"
    exp_json = {f["name"]: f for f in resources[2]["schema"]["fields"]}
    assert exp_json["unit"]["constraints"] == {"enum": units}
    assert exp_json["id"] == datapackage._id("典型经验")
    exp_csv = {f["name"]: f for f in resources[3]["schema"]["fields"]}
    assert exp_csv["unit"]["constraints"] == {"enum": units}
    assert exp_csv["unit_name"] == datapackage._name_of("unit", "管理单位", "管理单位", required=False)
    assert exp_csv["theme_names"] == {
        "name": "theme_names", "type": "string", "title": "主题名称",
        "description": "themes 对应的主题名称，顺序相同；多个值以“；”分隔", "constraints": {"required": True}}
    assert exp_csv["themes"]["type"] == "string" and exp_csv["url"] == datapackage._url("典型经验")
    for resource in resources:
        fields = resource["schema"]["fields"]
        assert all(f["description"] for f in fields)
        assert len({f["name"] for f in fields}) == len(fields)


def test_package_describes_the_csv_columns() -> None:
    resources = datapackage.build(minimal(), facts(), "public")["resources"]
    sites, experiences_json, experiences = (
        {f["name"]: f for f in resources[i]["schema"]["fields"]} for i in (1, 2, 3))
    assert sites["id"] == {"name": "id", "type": "string", "title": "标识",
                           "description": "示范点的文件名（不含扩展名），在本数据中唯一",
                           "constraints": {"required": True, "unique": True}}
    assert sites["url"] == {"name": "url", "type": "string", "title": "页面网址",
                            "description": "本站上该示范点页面的网址", "constraints": {"required": True}}
    assert sites["unit_name"] == {"name": "unit_name", "type": "string", "title": "管理单位名称",
                                  "description": "unit 对应的管理单位名称",
                                  "constraints": {"required": True}}
    assert sites["secretary"] == {"name": "secretary", "type": "string", "title": "党组织书记",
                                  "description": "示范点党组织的书记"}
    assert experiences_json["url"]["description"] == "本站上该典型经验页面的网址"
    assert experiences["id"]["description"] == "典型经验的文件名（不含扩展名），在本数据中唯一"
    assert experiences["unit_name"] == {"name": "unit_name", "type": "string", "title": "管理单位名称",
                                        "description": "unit 对应的管理单位名称"}
    assert experiences["sites"] == {"name": "sites", "type": "string", "title": "相关示范点",
                                    "description": "示范点 id（文件名），至少一个；多个值以“；”分隔",
                                    "constraints": {"required": True}}
    assert experiences["title"]["description"] == "典型经验的标题"


def test_package_internal() -> None:
    package = datapackage.build(minimal("internal"), facts(), "internal")
    assert package["description"].endswith("统计截至 2026-11-28。\n\n内部版本：含不公开字段，不得对外发布。")
    resources = package["resources"]
    assert [r["description"] for r in resources] == [
        "全部示范点与创建单位的全部字段（含不公开字段）及推算出的状态；对象数组，每个对象一条记录",
        f"全部示范点与创建单位的主要字段，一行一个；{CSV_NOTE}",
        "全部典型经验（含草稿）的全部字段（含不公开字段）；对象数组，每个对象一条记录",
        f"全部典型经验（含草稿）的主要字段，一行一条；{CSV_NOTE}"]
    assert names(resources[0]) == [
        "id", "url", "name", "short_name", "category", "unit", "level", "batch", "summary", "featured",
        "profile", "organization", "features", "conditions", "plan", "contacts", "archive",
        "evaluations", "awards", "photos", "location", "tags", "withdrawn", "internal", "status",
        "due_year", "overdue"]
    assert names(resources[1])[-5:] == ["overdue", "leader_phone", "supervisor_phone", "liaison_phone",
                                        "awards_total"]
    csv_fields = {f["name"]: f for f in resources[1]["schema"]["fields"]}
    assert csv_fields["overdue"] == datapackage._overdue()
    assert csv_fields["leader_phone"] == {
        "name": "leader_phone", "type": "string", "title": "联系领导电话（不公开）",
        "description": "只出现在内部版本中"}
    assert csv_fields["supervisor_phone"]["title"] == "督查指导员电话（不公开）"
    assert csv_fields["liaison_phone"]["title"] == "联络员电话（不公开）"
    assert csv_fields["awards_total"] == {
        "name": "awards_total", "type": "number", "title": "以奖代投金额合计（万元，不公开）",
        "description": "以奖代投（不公开）各项金额（万元）之和；没有时为空", "constraints": {"minimum": 0}}
    assert "draft" in names(resources[2])
    assert {f["name"]: f for f in resources[2]["schema"]["fields"]}["draft"]["constraints"] == {
        "required": True}


def test_package_of_a_programme_with_everything() -> None:
    data = loader.load(MINIMAL)
    assert data.program is not None
    data.program = data.program.model_copy(update={
        "site_url": "https://www.dj.example.cn/", "description": "平台简介。",
        "license": License(name="CC BY 4.0"), "contact": ContactInfo(email="dj@example.cn")})
    package = datapackage.build(view(data, "public"), derive(data, AS_OF), "public")
    assert list(package)[:5] == ["profile", "name", "title", "description", "homepage"]
    assert package["name"] == "dj-example-cn-opendata"
    assert package["homepage"] == "https://www.dj.example.cn/"
    assert package["description"].startswith("平台简介。\n\n中共示例市委组织部发布的")
    assert package["licenses"] == [{"name": "CC-BY-4.0", "title": "CC BY 4.0"}]
    assert package["contributors"] == [{"title": "中共示例市委组织部", "role": "publisher",
                                        "email": "dj@example.cn", "path": "https://www.dj.example.cn/"}]


def test_package_of_a_joined_data_set_describes_the_member_column() -> None:
    package = datapackage.build(joined(), derive(joined(), AS_OF), "public")
    for resource in package["resources"]:
        assert names(resource)[:3] == ["id", "url", "member"]


def test_to_json_is_compact() -> None:
    assert datapackage.to_json({"a": "甲", "b": [1]}) == '{"a":"甲","b":[1]}\n'
    assert json.loads(datapackage.to_json(datapackage.build(minimal(), facts(), "public")))[
        "title"] == "示例市基层党建示范点展示平台"
