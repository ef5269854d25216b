"""The records department staff write, as typed models (SPEC §2).

One class per kind of file. Field titles and descriptions are Chinese because they end up in
the JSON Schemas that editors show while staff type. Which fields are private ("public: no")
is declared here, next to the field, and nowhere else: see :data:`PRIVATE`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .fieldtypes import (
    LAT_MAX,
    LAT_MIN,
    LNG_MAX,
    LNG_MIN,
    AdminCode,
    CommitId,
    Date,
    Flag,
    Key,
    Latitude,
    Listed,
    Longitude,
    Markdown,
    MemberKey,
    Name,
    OptionalName,
    RequiredMarkdown,
    RequiredText,
    Text,
    Url,
    Year,
)

# Marks a field "public: no" (SPEC §2): it exists only in an internal build. The public view
# (audience.py) drops every field carrying this marker, wherever it is nested.
PRIVATE: dict[str, Any] = {"private": True}


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)


# ---------------------------------------------------------------- programme and taxonomy

class GovMark(Record):
    image: RequiredText = Field(
        title="标识图片", description="放在 media/ 中的图片文件，例如 gov/dangzheng-jiguan.png")
    url: Url = Field(title="核验链接", description="点击标识打开的核验网址（由开办单位取得）")


class ContactInfo(Record):
    note: Text | None = Field(None, title="说明", description="例如：发现信息有误，请联系我们更正")
    email: Text | None = Field(None, title="电子邮箱")
    phone: Text | None = Field(None, title="电话", description="公开的联系电话")
    address: Text | None = Field(None, title="地址")
    url: Url | None = Field(None, title="纠错或留言页面", description="完整网址")


class License(Record):
    name: RequiredText = Field(title="许可协议名称", description="例如：知识共享署名 4.0 国际许可协议（CC BY 4.0）")
    url: Url | None = Field(None, title="许可协议网址")


class Program(Record):
    name: Name = Field(title="平台名称", description="网站标题，例如：基层党建示范点展示平台")
    organizer: Name = Field(title="主办单位", description="例如：中共某某市委组织部")
    city: Name = Field(title="城市", description="例如：常德市")
    inspection_interval: int = Field(
        ge=1, le=2, title="年检间隔（年）",
        description="进入全面建设提高阶段后，每隔几年考评一次：1 或 2")
    icp: Text | None = Field(None, title="ICP 备案号", description="显示在页脚，例如：湘ICP备12345678号-1")
    sample: Flag = Field(False, title="示例数据", description="为 true 时每个页面都显示“示例数据”提示")
    site_url: Url | None = Field(None, title="网站地址", description="发布后的完整网址，例如 https://dj.example.cn/")
    description: Text | None = Field(None, title="网站简介", description="一句话介绍，用于搜索引擎和订阅")
    site_code: Text | None = Field(None, title="网站标识码", description="政府网站标识码，显示在页脚")
    police_record: Text | None = Field(None, title="公安机关备案号",
                                       description="显示在页脚，例如：湘公网安备 43070202000001号")
    police_record_url: Url | None = Field(None, title="公安机关备案号链接",
                                          description="点击备案号打开的网址")
    gov_mark: GovMark | None = Field(None, title="党政机关网站标识", description="显示在页脚的标识图片及其核验链接")
    contact: ContactInfo | None = Field(None, title="联系我们（纠错）", description="显示在页脚，供读者反映问题")
    license: License | None = Field(None, title="开放数据许可协议", description="开放数据页和数据包中说明")
    publish_original_photos: Flag = Field(
        False, title="公开照片原图",
        description="默认 false：网站只发布缩小并去除拍摄信息（位置、设备、拍摄人）的照片；"
                    "为 true 时另外提供原图下载，原图中的拍摄信息会一并公开")
    code: AdminCode | None = Field(
        None, title="行政区划代码",
        description="本平台所在地的 GB/T 2260 代码（6 位数字，例如 430700）：汇总多个平台时用来相互识别")
    share_internal_with: Annotated[list[AdminCode], Listed] = Field(
        default_factory=list, title="向上级平台开放内部信息",
        description="上级平台（市、省）的行政区划代码：它们的内部版网站可以显示本平台的不公开信息"
                    "（电话、得分等）。不写时，上级平台只使用本平台的公开信息")


CategoryKey = Key
UnitKey = Key
ThemeKey = Key


class Category(Record):
    name: Name = Field(title="类别名称", description="例如：农村")
    description: Markdown | None = Field(None, title="说明")


class Unit(Record):
    name: Name = Field(title="单位名称", description="例如：武陵区委组织部")
    kind: Literal["district", "work_committee"] = Field(
        title="单位类型", description="district：区县（市）委组织部；work_committee：工委")
    short_name: OptionalName | None = Field(None, title="简称", description="例如：武陵区")


class Theme(Record):
    name: Name = Field(title="主题名称", description="例如：党员教育管理")
    description: Markdown | None = Field(None, title="说明")


class Taxonomy(Record):
    categories: dict[CategoryKey, Category] = Field(title="类别", description="创建单位的类别")
    units: dict[UnitKey, Unit] = Field(title="管理单位", description="区县（市）委组织部、市直机关工委等")
    themes: dict[ThemeKey, Theme] = Field(title="经验主题", description="典型经验的主题分类")


# ---------------------------------------------------------------- site

Result = Literal["excellent", "pass", "fail"]
RESULT_LABELS = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}
ArchiveType = Literal["meeting", "training", "inspection", "activity", "award", "other"]
ARCHIVE_LABELS = {"meeting": "会议", "training": "培训", "inspection": "督查",
                  "activity": "活动", "award": "表彰", "other": "其他"}
LEVEL_LABELS = {"city": "市级", "county": "区县级"}
PROMOTED_LABELS = {"county": "区县推广", "city": "全市推广", "province": "全省推广",
                   "national": "全国推广"}


class Organization(Record):
    type: Text | None = Field(None, title="党组织类型", description="例如：党委、党总支、党支部")
    members: int | None = Field(None, ge=0, title="党员人数")
    secretary: Text | None = Field(None, title="书记")


class Conditions(Record):
    leadership: Markdown | None = Field(None, title="领导班子")
    cadres: Markdown | None = Field(None, title="党员干部队伍")
    performance: Markdown | None = Field(None, title="工作业绩")
    mechanism: Markdown | None = Field(None, title="运行机制")
    style: Markdown | None = Field(None, title="工作作风")


class Milestone(Record):
    date: Date = Field(title="日期", description="YYYY-MM-DD")
    title: RequiredText = Field(title="事项")
    done: Flag = Field(False, title="已完成", description="true 或 false")


class SitePlan(Record):
    overall: Markdown | None = Field(None, title="全面规划")
    implementation: Markdown | None = Field(None, title="实施方案")
    measures: Annotated[list[Text], Listed] = Field(default_factory=list, title="具体措施")
    milestones: list[Milestone] = Field(default_factory=list, title="时间节点")


class Contact(Record):
    name: Name = Field(title="姓名")
    title: Text | None = Field(None, title="职务")
    phone: Text | None = Field(None, title="电话（不公开）", description="只出现在内部版本中",
                               json_schema_extra=PRIVATE)


class Contacts(Record):
    leader: Contact | None = Field(None, title="联系领导")
    supervisor: Contact | None = Field(None, title="督查指导员")
    liaison: Contact | None = Field(None, title="联络员")


class ArchiveEntry(Record):
    date: Date = Field(title="日期", description="YYYY-MM-DD")
    type: ArchiveType = Field(
        title="类型", description="meeting 会议、training 培训、inspection 督查、activity 活动、award 表彰、other 其他")
    title: RequiredText = Field(title="标题")
    text: Markdown | None = Field(None, title="内容")


class Evaluation(Record):
    year: Year = Field(title="考评年度")
    date: Date | None = Field(None, title="考评日期", description="YYYY-MM-DD")
    result: Result = Field(title="考评结果", description="excellent 优秀、pass 合格、fail 不合格")
    score: float | None = Field(None, ge=0, le=100, allow_inf_nan=False, title="得分（不公开）",
                                json_schema_extra=PRIVATE)
    evaluator: Text | None = Field(None, title="考评人（不公开）", json_schema_extra=PRIVATE)
    remarks: Markdown | None = Field(None, title="考评意见（不公开）", json_schema_extra=PRIVATE)


class Award(Record):
    year: Year = Field(title="年度")
    amount: float = Field(ge=0, allow_inf_nan=False, title="金额（万元）")
    purpose: Text | None = Field(None, title="用途")


class Photo(Record):
    file: RequiredText = Field(title="文件", description="相对于 media/ 目录的路径，例如 photos/dangri.jpg")
    caption: Text | None = Field(None, title="说明", description="显示在照片下方的文字")
    alt: Text | None = Field(
        None, title="替代文字",
        description="用一句话写出照片的内容，供读屏软件朗读；公开的照片必须填写，例如：党员志愿者在社区广场为居民义诊")


class Location(Record):
    address: Text | None = Field(None, title="地址")
    lat: Latitude | None = Field(
        None, title="纬度",
        description=f"WGS-84 十进制度数（手机定位显示的数值），{LAT_MIN}–{LAT_MAX}，最多 6 位小数，"
                    "例如 29.031245")
    lng: Longitude | None = Field(
        None, title="经度",
        description=f"WGS-84 十进制度数（手机定位显示的数值），{LNG_MIN}–{LNG_MAX}，最多 6 位小数，"
                    "例如 111.698497")


class Withdrawn(Record):
    date: Date = Field(title="退出日期", description="YYYY-MM-DD")
    reason: Markdown | None = Field(None, title="退出原因（不公开）", json_schema_extra=PRIVATE)


class Site(Record):
    name: Name = Field(title="党组织全称")
    short_name: OptionalName | None = Field(None, title="简称")
    category: CategoryKey = Field(title="类别", description="taxonomy.yml 中 categories 的键，例如 rural")
    unit: UnitKey = Field(title="管理单位", description="taxonomy.yml 中 units 的键")
    level: Literal["city", "county"] = Field("city", title="级别", description="city 市级（默认）或 county 区县级")
    batch: Year = Field(title="创建批次（年度）", description="成为创建单位的年份，例如 2026")
    summary: RequiredText = Field(max_length=200, title="一句话简介", description="不超过 200 字")
    featured: Flag = Field(False, title="首页推荐")
    profile: Markdown | None = Field(None, title="基本情况")
    organization: Organization | None = Field(None, title="党组织")
    features: Annotated[list[Text], Listed] = Field(default_factory=list, title="特色亮点")
    conditions: Conditions | None = Field(None, title="五项条件")
    plan: SitePlan | None = Field(None, title="创建规划")
    contacts: Contacts | None = Field(None, title="联系人")
    archive: list[ArchiveEntry] = Field(default_factory=list, title="创建档案")
    evaluations: list[Evaluation] = Field(default_factory=list, title="考评记录")
    awards: list[Award] = Field(default_factory=list, title="以奖代投（不公开）", json_schema_extra=PRIVATE)
    photos: list[Photo] = Field(default_factory=list, title="照片")
    location: Location | None = Field(None, title="位置")
    tags: Annotated[list[Text], Listed] = Field(default_factory=list, title="标签")
    withdrawn: Withdrawn | None = Field(None, title="退出")
    internal: dict[str, Any] | None = Field(None, title="内部备注（不公开）", json_schema_extra=PRIVATE)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


# ---------------------------------------------------------------- experience, plan, compilation

Promoted = Literal["county", "city", "province", "national"]


class Experience(Record):
    title: Name = Field(title="标题")
    sites: Annotated[list[Key], Listed] = Field(min_length=1, title="相关示范点",
                                                description="示范点 id（文件名），至少一个")
    year: Year = Field(title="年度")
    themes: Annotated[list[ThemeKey], Listed] = Field(min_length=1, title="主题",
                                                      description="taxonomy.yml 中 themes 的键")
    summary: RequiredMarkdown = Field(title="摘要")
    author: Name = Field(title="报送单位")
    unit: UnitKey | None = Field(None, title="管理单位", description="默认取第一个示范点的管理单位")
    date: Date | None = Field(None, title="日期", description="YYYY-MM-DD")
    promoted: Promoted | None = Field(None, title="推广层级", description="county、city、province 或 national")
    draft: Flag = Field(False, title="草稿", description="草稿不会出现在公开网站上")
    featured: Flag = Field(False, title="首页推荐")
    tags: Annotated[list[Text], Listed] = Field(default_factory=list, title="标签")
    photos: list[Photo] = Field(default_factory=list, title="照片")
    body: Markdown | None = Field(None, title="正文", description="不写时使用同名 .md 文件作为正文")


class Targets(Record):
    candidates: int | None = Field(None, ge=0, title="创建单位目标数")
    demonstrations: int | None = Field(None, ge=0, title="示范点目标数")
    by_category: dict[CategoryKey, int] = Field(default_factory=dict, title="分类别创建单位目标数")


class PlanMilestone(Record):
    date: Date = Field(title="日期", description="YYYY-MM-DD")
    title: RequiredText = Field(title="事项")
    done: Flag = Field(False, title="已完成")


class Plan(Record):
    title: Name = Field(title="标题")
    year: Year = Field(title="年度", description="必须与文件名一致")
    targets: Targets = Field(default_factory=Targets, title="目标任务")
    milestones: list[PlanMilestone] = Field(default_factory=list, title="工作节点")
    evaluation_date: Date | None = Field(
        None, title="年度考评日期",
        description="YYYY-MM-DD，必须在本年度内。内部版日历把本年度应考评（年检）的事项排在这一天；"
                    "不写时为当年 11 月 30 日")
    body: Markdown | None = Field(None, title="正文")


class Selection(Record):
    years: Annotated[list[Year], Listed] = Field(default_factory=list, title="年度")
    themes: Annotated[list[ThemeKey], Listed] = Field(default_factory=list, title="主题")
    units: Annotated[list[UnitKey], Listed] = Field(default_factory=list, title="管理单位")
    promoted: Annotated[list[Promoted], Listed] = Field(default_factory=list, title="推广层级")


class Compilation(Record):
    title: Name = Field(title="标题")
    subtitle: Text | None = Field(None, title="副标题")
    editor: Text | None = Field(None, title="编印单位")
    date: Date | None = Field(None, title="日期", description="YYYY-MM-DD")
    foreword: Markdown | None = Field(None, title="前言")
    include: Annotated[list[Key], Listed] | None = Field(None, title="收录经验（按此顺序）", description="经验 id 列表")
    select: Selection | None = Field(None, title="筛选条件")
    order: Literal["unit", "category", "theme", "date"] | None = Field(
        None, title="排序", description="与 select 一起使用：unit、category、theme 或 date")


# ---------------------------------------------------------------- sources (federation)

class Member(Record):
    key: MemberKey = Field(title="成员标识", description="小写字母、数字和连字符，用在网址中，例如 wuling")
    name: Name = Field(title="成员名称", description="例如：武陵区")
    code: AdminCode = Field(title="行政区划代码", description="GB/T 2260 的 6 位数字，例如 430702")
    repo: RequiredText = Field(
        title="代码仓库", description="成员数据所在的 git 仓库：https://、ssh、file:// 地址或本机路径")
    ref: CommitId = Field(title="固定的提交", description="40 位提交编号；由 showcase sources update 填写")
    path: RequiredText = Field("sites_data", title="数据目录", description="仓库中的数据目录，默认 sites_data")
    branch: Text | None = Field(None, title="跟踪的分支",
                                description="showcase sources update 从这个分支取最新提交，默认为仓库的默认分支")


class Sources(Record):
    members: list[Member] = Field(min_length=1, title="成员", description="汇总到本平台的各个平台（区县、市）")

