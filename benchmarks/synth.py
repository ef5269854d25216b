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
