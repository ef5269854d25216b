"""Benchmark: render a 100-experience compilation (经验汇编) to PDF.

Synthesises a deterministic data set (10 managing units, 40 sites, 100 experiences of about
2,000 Chinese characters each, a third with a photo, a fifth with a table), loads it the
normal way and renders the compilation with the public view. Prints the seconds spent per
step and the page count. Target on a 2-core machine: under 30 s for the render.

    .venv/bin/python benchmarks/pdf_compilation.py [--experiences 100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.data.loader import load  # noqa: E402
from generator.pdf.render import render_compilation  # noqa: E402
from generator.rules.audience import view  # noqa: E402

PHOTOS = ROOT / "tests" / "fixtures" / "pdf" / "media" / "photos"

UNITS = [("wuling", "武陵区委组织部", "武陵区"), ("dingcheng", "鼎城区委组织部", "鼎城区"),
         ("anxiang", "安乡县委组织部", "安乡县"), ("hanshou", "汉寿县委组织部", "汉寿县"),
         ("lixian", "澧县县委组织部", "澧县"), ("linli", "临澧县委组织部", "临澧县"),
         ("taoyuan", "桃源县委组织部", "桃源县"), ("shimen", "石门县委组织部", "石门县"),
         ("jinshi", "津市市委组织部", "津市市"), ("shizhi", "市直机关工委", None)]
CATEGORIES = [("rural", "农村", "村"), ("community", "街道社区", "社区"),
              ("organ", "机关单位", "局"), ("school", "学校", "学校"),
              ("enterprise", "企业", "公司")]
THEMES = [("party_education", "党员教育管理"), ("service", "服务群众"), ("grid", "网格化治理"),
          ("red_property", "红色物业"), ("industry", "产业发展"), ("pioneer", "党员先锋岗"),
          ("new_groups", "新就业群体党建"), ("red_culture", "红色文化传承")]
PLACES = ["芙蓉", "丹阳", "白鹤", "柳叶", "桃花", "青山", "金霞", "紫陵", "稻源", "茶园", "龙潭",
          "凤凰", "沅江", "澧水", "夹山", "壶瓶", "德山", "善卷", "花岩", "梅溪"]
ACTIONS = ["党建引领", "支部领办", "党员带头", "组织聚力", "红色赋能", "先锋示范", "网格连心",
           "服务下沉"]
OBJECTS = ["老旧小区治理", "集体经济发展", "长者食堂", "快递小哥驿站", "乡村振兴", "矛盾纠纷化解",
           "产业融合发展", "志愿服务", "人居环境整治", "文明实践"]
RESULTS = ["焕发新活力", "走出新路子", "办成暖心事", "激活一池春水", "蹚出发展路", "凝聚强大合力"]

SENTENCES = [
    "{org}坚持把党的建设贯穿基层治理全过程，围绕{obj}这一群众关心的难点问题，"
    "推动党组织和党员在一线发挥作用。",
    "{org}党组织书记带头走访群众 {n} 户，梳理出问题清单 {m} 项，逐项明确责任人和完成时限。",
    "通过“党员联系户”“主题党日＋志愿服务”等载体，{k} 名党员主动认领服务岗位，做到小事不出网格、"
    "大事不出社区。",
    "建立“月初定计划、月中抓推进、月末晒成绩”的工作机制，每季度开展一次评比，结果在公示栏公开，"
    "接受群众监督。",
    "针对{obj}中遇到的资金、场地、人员等难题，{org}主动对接共建单位 {m} 家，争取项目资金 {n} 万元。",
    "坚持把群众满意作为检验工作成效的标准，开展满意度测评，群众满意率达到 {p}%。",
    "注重把党员培养成骨干、把骨干培养成党员，近两年发展党员 {m} 名，其中 35 岁以下的占 {p}%。",
    "在推进过程中，{org}注重总结提炼，形成了一套可复制、可推广的工作方法，得到上级党组织肯定。",
    "“以前有事找不到人，现在党员就在身边。”一位老党员这样评价。",
    "下一步，{org}将进一步完善长效机制，推动{obj}工作常态化、制度化、规范化。",
]
SECTIONS = ["基本情况", "主要做法", "工作成效", "经验启示"]
SUBSECTIONS = ["建强组织体系", "健全工作机制", "强化党员带动", "整合各方资源", "完善考评激励"]


def paragraph(rng: random.Random, org: str, obj: str, sentences: int) -> str:
    picks = rng.sample(SENTENCES, sentences)
    return "".join(s.format(org=org, obj=obj, n=rng.randint(20, 600), m=rng.randint(3, 40),
                            k=rng.randint(10, 120), p=rng.randint(80, 99)) for s in picks)


def body(rng: random.Random, org: str, obj: str, table: bool) -> str:
    parts: list[str] = []
    numerals = "一二三四五"
    for i, section in enumerate(SECTIONS):
        parts.append(f"## {numerals[i]}、{section}\n")
        if section == "主要做法":
            for j, sub in enumerate(rng.sample(SUBSECTIONS, 3)):
                parts.append(f"### （{numerals[j]}）{sub}\n")
                parts.append(paragraph(rng, org, obj, 4) + "\n")
        else:
            for _ in range(2):
                parts.append(paragraph(rng, org, obj, rng.randint(3, 5)) + "\n")
        if table and section == "工作成效":
            parts.append("| 指标 | 2023 年 | 2024 年 | 2025 年 | 备注 |\n|---|---|---|---|---|")
            for name in ("参与党员（人次）", "解决问题（件）", "群众满意率"):
                parts.append(f"| {name} | {rng.randint(10, 99)} | {rng.randint(100, 199)} | "
                             f"{rng.randint(200, 299)} | 逐年提升 |")
            parts.append("")
    return "\n".join(parts)


def q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def synthesise(root: Path, count: int) -> None:
    rng = random.Random(20251220)
    (root / "sites").mkdir(parents=True)
    (root / "experiences").mkdir()
    (root / "compilations").mkdir()
    (root / "media" / "photos").mkdir(parents=True)
    photos = sorted(p.name for p in PHOTOS.glob("*.jpg"))
    for name in photos:
        shutil.copy(PHOTOS / name, root / "media" / "photos" / name)
    (root / "program.yml").write_text(
        "name: 某某市基层党建示范点展示平台\norganizer: 中共某某市委组织部\ncity: 某某市\n"
        "inspection_interval: 1\nsample: true\n", encoding="utf-8")
    tax = ["categories:"] + [f"  {k}:\n    name: {n}" for k, n, _ in CATEGORIES]
    tax += ["units:"]
    for key, name, short in UNITS:
        kind = "district" if short else "work_committee"
        tax.append(f"  {key}:\n    name: {name}\n    kind: {kind}")
    tax += ["themes:"] + [f"  {k}:\n    name: {n}" for k, n in THEMES]
    (root / "taxonomy.yml").write_text("\n".join(tax) + "\n", encoding="utf-8")

    sites = []
    for i in range(40):
        unit_key, _, short = UNITS[i % len(UNITS)]
        cat_key, _, suffix = CATEGORIES[i % len(CATEGORIES)]
        place = PLACES[i % len(PLACES)]
        short_name = f"{place}{suffix}"
        name = f"中共{short or '市直'}{place}{suffix}委员会"
        ident = f"site-{i:03d}"
        sites.append((ident, short_name))
        (root / "sites" / f"{ident}.yml").write_text(
            f"name: {q(name)}\nshort_name: {q(short_name)}\ncategory: {cat_key}\n"
            f"unit: {unit_key}\nbatch: 2024\nsummary: {q(short_name + '党建工作扎实有效。')}\n"
            f"contacts:\n  leader:\n    name: 张三\n    phone: '0736-0000000'\n",
            encoding="utf-8")
    for i in range(count):
        site_id, short_name = sites[rng.randrange(len(sites))]
        obj = rng.choice(OBJECTS)
        title = f"{rng.choice(ACTIONS)}{obj} {short_name}{rng.choice(RESULTS)}"
        themes = rng.sample([k for k, _ in THEMES], rng.randint(1, 2))
        lines = [f"title: {q(title)}", f"sites: [{site_id}]", "year: 2025",
                 f"date: 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                 f"themes: [{', '.join(themes)}]",
                 f"summary: {q(paragraph(rng, short_name, obj, 2))}",
                 f"author: {q(short_name + '党组织')}"]
        if i % 3 == 0:
            lines += ["photos:", f"  - file: photos/{photos[i % len(photos)]}",
                      f"    caption: {q(short_name + '开展主题党日活动')}",
                      f"    alt: {q(short_name + '党员在活动现场合影')}"]
        (root / "experiences" / f"exp-{i:03d}.yml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8")
        (root / "experiences" / f"exp-{i:03d}.md").write_text(
            body(rng, short_name, obj, table=i % 5 == 0), encoding="utf-8")
    (root / "compilations" / "bench.yml").write_text(
        "title: 2025 年度基层党建示范点典型经验汇编\nsubtitle: 性能测试（合成数据）\n"
        "editor: 中共某某市委组织部\ndate: 2025-12-20\n"
        "foreword: 本汇编由基准测试脚本自动生成，内容为合成数据。\n"
        "select:\n  years: [2025]\norder: unit\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiences", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="keep the data set and the PDF in this folder")
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1766188800")

    work = args.keep or Path(tempfile.mkdtemp(prefix="showcase-bench-"))
    data_dir = work / "sites_data"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    try:
        t0 = time.perf_counter()
        synthesise(data_dir, args.experiences)
        t1 = time.perf_counter()
        data = load(data_dir)
        if not data.ok:
            for p in data.problems:
                print(p, file=sys.stderr)
            sys.exit(1)
        public = view(data, "public")
        t2 = time.perf_counter()
        out = work / "bench.pdf"
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(render_compilation, public, "bench", out)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            result = render_compilation(public, "bench", out)
        t3 = time.perf_counter()
        chars = sum(len(e.body or "") for e in public.experiences.values())
        print(f"experiences: {len(result.chapters)}  characters: {chars}")
        print(f"synthesise: {t1 - t0:.2f} s  load: {t2 - t1:.2f} s")
        print(f"render: {t3 - t2:.2f} s  pages: {result.pages}  "
              f"size: {out.stat().st_size / 1e6:.2f} MB")
        for warning in result.warnings:
            print("warning:", warning)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
