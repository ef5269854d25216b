"""Synthesise larger data sets from the sample: ×N copies of every site and experience.

Copy ``c`` of a record gets its own id, its own place name (a made-up one, different for
every copy) and, for copies beyond the first, its own managing units, as a province with
many cities would have. The prose stays the sample's realistic Chinese text. Deterministic.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import yaml

SAMPLE = Path(__file__).resolve().parent.parent / "sites_data"

_SYLLABLES = tuple("清河桃花金沙青山白鹤龙泉凤凰松林柳塘石桥新安长乐"
                   "永兴福田红星向阳東湖南岭西坪北港双溪三合五里九龙梅园杏林枫岗")


def _place(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(2))


def _dump(data: object, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000),
                    encoding="utf-8")


def _load(path: Path) -> dict:
    # BaseLoader: every scalar as text, exactly as the generator itself reads them.
    return yaml.load(path.read_text("utf-8-sig"), Loader=yaml.BaseLoader)


def _rename(value: object, pattern: re.Pattern[str], names: dict[str, str]) -> object:
    """Every place name of the sample replaced by the copy's own, in every text."""
    if isinstance(value, str):
        return pattern.sub(lambda m: names[m[0]], value)
    if isinstance(value, list):
        return [_rename(v, pattern, names) for v in value]
    if isinstance(value, dict):
        return {k: _rename(v, pattern, names) for k, v in value.items()}
    return value


def synthesise(scale: int, out: Path, sample: Path = SAMPLE) -> Path:
    """Write a data directory ``scale`` times the sample into ``out``; return it."""
    rng = random.Random(scale)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(sample / "media", out / "media")
    shutil.copytree(sample / "plans", out / "plans")
    shutil.copy(sample / "program.yml", out / "program.yml")
    taxonomy = _load(sample / "taxonomy.yml")
    base_units = dict(taxonomy["units"])
    for c in range(1, scale):
        for key, unit in base_units.items():
            taxonomy["units"][f"{key}-c{c}"] = {**unit, "name": f"{_place(rng)}{unit['name']}"}
    _dump(taxonomy, out / "taxonomy.yml")

    sites = sorted((sample / "sites").rglob("*.yml"))
    experiences = sorted((sample / "experiences").rglob("*.yml"))
    shorts = sorted({_load(p).get("short_name") or "" for p in sites} - {""}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in shorts))
    for c in range(scale):
        suffix = "" if c == 0 else f"-c{c}"
        names = {n: _place(rng) + n for n in shorts}
        for path in sites:
            rec = _load(path)
            if c:
                rec = _rename(rec, pattern, names)  # type: ignore[assignment]
                rec["unit"] = f"{rec['unit']}-c{c}"
                rec.pop("featured", None)
            _dump(rec, out / "sites" / path.parent.name / f"{path.stem}{suffix}.yml")
        for path in experiences:
            rec = _load(path)
            md = path.with_suffix(".md")
            if c:
                rec = _rename(rec, pattern, names)  # type: ignore[assignment]
                rec["sites"] = [f"{s}{suffix}" for s in rec["sites"]]
                if rec.get("unit"):
                    rec["unit"] = f"{rec['unit']}-c{c}"
                rec.pop("featured", None)
            target = out / "experiences" / path.parent.name / f"{path.stem}{suffix}.yml"
            _dump(rec, target)
            if md.exists():
                body = md.read_text("utf-8-sig")
                target.with_suffix(".md").write_text(
                    str(_rename(body, pattern, names)) if c else body, "utf-8")
    comp_dir = out / "compilations"
    comp_dir.mkdir()
    for path in sorted((sample / "compilations").glob("*.yml")):
        shutil.copy(path, comp_dir / path.name)
    return out


# ---------------------------------------------------------------- varied lifecycles

_SUPERVISORS = ("杨帆", "杨凡", "罗晓燕", "邓明华", "胡蓉", "谭志勇", "曾丽", "欧阳建国")
_THEMES_MAX = 2


def synthesise_varied(n_sites: int, out: Path, *, seed: int = 250, first_year: int = 2022,
                      last_year: int = 2026, sample: Path = SAMPLE) -> Path:
    """A data set of ``n_sites`` sites over ``first_year``–``last_year`` with every lifecycle
    the rules allow, drawn at random (deterministic for ``seed``): batches in every year,
    first and second evaluations passed or failed, 年检 passed or failed (interval from the
    sample's program.yml), evaluations left undone (overdue), withdrawals, plans for every
    year, experiences by theme and promotion level, and supervisors whose names share a
    pinyin (杨帆, 杨凡). Dates are plain text, as the strict loader reads them."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(sample / "media", out / "media")
    shutil.copy(sample / "program.yml", out / "program.yml")
    shutil.copy(sample / "taxonomy.yml", out / "taxonomy.yml")
    taxonomy = _load(sample / "taxonomy.yml")
    interval = int(_load(sample / "program.yml")["inspection_interval"])
    categories = list(taxonomy["categories"])
    units = list(taxonomy["units"])
    themes = list(taxonomy["themes"])
    years = list(range(first_year, last_year + 1))
    batches: dict[int, list[str]] = {y: [] for y in years}
    for i in range(n_sites):
        batch = rng.choice(years)
        ident = f"danwei-{i:04d}"
        place = _place(rng) + _place(rng)
        unit = rng.choice(units)
        site: dict[str, object] = {
            "name": f"中共{place}第{i + 1}支部委员会", "short_name": f"{place}{i + 1}号",
            "category": rng.choice(categories), "unit": unit, "batch": str(batch),
            "summary": f"{place}的党组织（合成数据）。",
            "contacts": {
                "leader": {"name": f"领导{i % 37}", "phone": f"0736-72{i:05d}"},
                "supervisor": {"name": rng.choice(_SUPERVISORS), "phone": f"0736-73{i:05d}"},
                "liaison": {"name": f"联络员{i % 53}", "phone": f"139{i:08d}"},
            },
            "location": {"address": f"{place}路{i + 1}号"},
        }
        evaluations = []
        year, number = batch, 1
        while year <= last_year:
            if rng.random() < 0.15:  # not evaluated this year: overdue, or caught up later
                year += 1
                continue
            result = rng.choices(["excellent", "pass", "fail"], [2, 6, 2])[0]
            evaluations.append({"year": str(year), "date": f"{year}-11-{rng.randint(10, 28)}",
                                "result": result, "score": str(rng.randint(60, 98))})
            if result == "fail":
                break
            year += 1 if number == 1 else interval
            number += 1
        if evaluations:
            site["evaluations"] = evaluations
        if rng.random() < 0.06:
            left = rng.randint(batch, last_year)
            site["withdrawn"] = {"date": f"{left}-{rng.randint(1, 12):02d}-15", "reason": "合成数据"}
        if rng.random() < 0.2:
            site["awards"] = [{"year": str(rng.randint(batch, last_year)),
                               "amount": str(rng.choice([2, 3, 5, 8])), "purpose": "阵地建设"}]
        batches[batch].append(ident)
        _dump(site, out / "sites" / str(batch) / f"{ident}.yml")
    for y in years:
        by_cat = {c: rng.randint(0, 6) for c in categories if rng.random() < 0.8}
        plan = {"title": f"{y}年创建基层党建示范点工作规划", "year": str(y),
                "targets": {"candidates": str(sum(by_cat.values())),
                            "demonstrations": str(sum(by_cat.values()) // 2),
                            "by_category": {k: str(v) for k, v in by_cat.items()}},
                "milestones": [{"date": f"{y}-03-31", "title": "印发年度工作规划"},
                               {"date": f"{y}-11-30", "title": "年度考评"}]}
        if y % 2 == 0:
            plan["evaluation_date"] = f"{y}-11-20"
        _dump(plan, out / "plans" / f"{y}.yml")
    e = 0
    for y in years:
        pool = [s for b in years if b <= y for s in batches[b]]
        for _ in range(rng.randint(3, 9) if pool else 0):
            e += 1
            exp: dict[str, object] = {
                "title": f"合成经验第{e}号", "sites": [rng.choice(pool)], "year": str(y),
                "themes": rng.sample(themes, rng.randint(1, _THEMES_MAX)),
                "summary": "合成数据。", "author": "合成单位", "body": "合成数据的正文。"}
            promoted = rng.choice([None, None, "county", "city", "province", "national"])
            if promoted:
                exp["promoted"] = promoted
            if rng.random() < 0.1:
                exp["draft"] = "true"
            _dump(exp, out / "experiences" / str(y) / f"jingyan-{e:04d}.yml")
    (out / "compilations").mkdir()
    return out
