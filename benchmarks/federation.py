"""Federation benchmark (issue 23): a province of 14 member cities, each its own git
repository, against the same data as one folder — and a rebuild after one member moved.

    .venv/bin/python benchmarks/federation.py                  # ×50: 3,850 sites, 14 members
    .venv/bin/python benchmarks/federation.py --scale 5 --rounds 1 --json out.json

The ×N synthetic data set (``synth.py``) is split by copy: copy *c* (ids and units ending in
``-c<c>``) goes to member ``c mod 14``, so each member is a valid data folder of its own
with its own managing units, program.yml and plans; the province's own folder holds only
its settings, sources.yml and the compilation (selecting across members). Every member is a
real git repository reached by a file:// URL; ``showcase sources fetch`` fills the cache once.

Each round, alternately, on the same machine (the ratios are the point, the machine is
shared and noisy):

* **one folder**: ``showcase build --no-pdf`` of the ×N folder, no render cache;
* **federated, full**: the province, with the members fetched but nothing else cached (no
  member data set, no rendered page);
* **federated, one member moved**: a member commits changes to a few of its records, the
  pin is moved (``showcase sources update KEY``), and the province is built again with
  everything else cached;
* **federated, nothing changed**: the same build once more.

Printed: pages, seconds and ms/page of each, and the two ratios of issue 23 — the full
build's time per page against the one folder's (target ≤ 1.2) and the rebuild's time against
the full build's (target ≤ 0.40). Photos are cached for both sides before the first round:
they are not what is compared here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))

import yaml  # noqa: E402
from federation_support import MemberRepo, member_repo, write_sources  # noqa: E402
from synth import synthesise  # noqa: E402

AS_OF = "2026-11-28"

# The province's cities (GB/T 2260), each a member with its own repository.
CITIES = (
    ("changsha", "长沙市", "430100"), ("zhuzhou", "株洲市", "430200"),
    ("xiangtan", "湘潭市", "430300"), ("hengyang", "衡阳市", "430400"),
    ("shaoyang", "邵阳市", "430500"), ("yueyang", "岳阳市", "430600"),
    ("changde", "常德市", "430700"), ("zhangjiajie", "张家界市", "430800"),
    ("yiyang", "益阳市", "430900"), ("chenzhou", "郴州市", "431000"),
    ("yongzhou", "永州市", "431100"), ("huaihua", "怀化市", "431200"),
    ("loudi", "娄底市", "431300"), ("xiangxi", "湘西州", "433100"),
)
_COPY = re.compile(r"-c(\d+)$")


def copy_of(name: str) -> int:
    """The synthetic copy a record or unit key belongs to (``x-c7`` → 7, ``x`` → 0)."""
    m = _COPY.search(name)
    return int(m[1]) if m else 0


def _yaml(path: Path) -> dict:  # type: ignore[type-arg]
    return yaml.load(path.read_text("utf-8-sig"), Loader=yaml.BaseLoader)


def _dump(data: object, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000),
                    encoding="utf-8")


def split(whole: Path, out: Path, members: int) -> list[Path]:
    """The ×N folder ``whole`` as ``members`` data folders (copy c → member c mod members),
    each valid on its own: its sites and experiences, its units, every theme and category,
    the sample's program.yml, plans and photos. The compilations stay with the province."""
    folders = [out / f"member-{i:02d}" for i in range(members)]
    taxonomy = _yaml(whole / "taxonomy.yml")
    for i, folder in enumerate(folders):
        folder.mkdir(parents=True)
        shutil.copytree(whole / "media", folder / "media")
        shutil.copytree(whole / "plans", folder / "plans")
        shutil.copy(whole / "program.yml", folder / "program.yml")
        own = dict(taxonomy)
        own["units"] = {k: v for k, v in taxonomy["units"].items()
                        if copy_of(k) % members == i}
        _dump(own, folder / "taxonomy.yml")
    for kind in ("sites", "experiences"):
        for path in sorted((whole / kind).rglob("*")):
            if path.is_file():
                rel = path.relative_to(whole)
                target = folders[copy_of(path.stem) % members] / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
    return folders


def _project(folder: Path) -> Path:
    """A project folder of its own (its own .cache/): mkdocs.yml, theme/, content/."""
    folder.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(ROOT / "theme", folder / "theme")
    shutil.copytree(ROOT / "content", folder / "content")
    return folder


def province(whole: Path, work: Path, repos: list[MemberRepo]) -> Path:
    """The province's project: its own settings, the compilation, sources.yml."""
    project = _project(work / "province")
    own = project / "sites_data"
    own.mkdir()
    shutil.copytree(whole / "compilations", own / "compilations")
    shutil.copytree(whole / "media" / "gov", own / "media" / "gov")
    program = (whole / "program.yml").read_text(encoding="utf-8")
    program = re.sub(r"(?m)^name: .*$", "name: 湖南省基层党建示范点展示平台", program)
    program = re.sub(r"(?m)^city: .*$", "city: 湖南省\ncode: \"430000\"", program)
    (own / "program.yml").write_text(program, encoding="utf-8")
    taxonomy = _yaml(whole / "taxonomy.yml")
    taxonomy["units"] = {}
    _dump(taxonomy, own / "taxonomy.yml")
    write_sources(own, repos)
    return project


def run(project: Path, *args: str) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator", *args], cwd=project, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {project}:\n{proc.stdout}\n{proc.stderr}")
    _settle(project)
    return elapsed


def _settle(folder: Path) -> None:
    """Wait until a previous output, renamed aside and deleted in the background, is gone."""
    for _ in range(600):
        if not any(".old-" in p.name for p in folder.iterdir()):
            return
        time.sleep(0.1)


def build(project: Path, data: str = "sites_data") -> float:
    return run(project, "build", "--data", data, "--out", "site", "--no-pdf", "--as-of", AS_OF)


def forget(project: Path, *, members: bool) -> None:
    """Empty the caches a full build must not use: rendered pages and post-steps, and with
    ``members`` the members' checked data sets (the fetched repositories stay)."""
    shutil.rmtree(project / ".cache" / "pages", ignore_errors=True)
    if members:
        for folder in (project / ".cache" / "sources").glob("*/datasets"):
            shutil.rmtree(folder)


def pages(site: Path) -> int:
    return sum(1 for _ in site.rglob("index.html"))


def move_member(repo: MemberRepo, round_: int) -> int:
    """A member's ordinary change: a few of its sites' summaries edited, committed. Returns
    how many records changed."""
    changed = 0
    for path in sorted((repo.data / "sites").rglob("*.yml"))[:3]:
        text = path.read_text(encoding="utf-8")
        new = re.sub(r"(?m)^summary: (.*)$", rf"summary: \1（第 {round_} 轮修改）", text, count=1)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    repo.commit(f"第 {round_} 轮修改")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--members", type=int, default=len(CITIES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, help="keep the data and sites here")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.members <= len(CITIES):
        parser.error(f"--members: 1 to {len(CITIES)}")
    work = args.work or Path(tempfile.mkdtemp(prefix="showcase-federation-"))
    work.mkdir(parents=True, exist_ok=True)
    for made in ("one", "split", "repos", "province"):  # an earlier run's
        shutil.rmtree(work / made, ignore_errors=True)

    one = _project(work / "one")
    whole = synthesise(args.scale, one / "sites_data")
    folders = split(whole, work / "split", args.members)
    repos = [member_repo(work / "repos", folder, key, name, code)
             for folder, (key, name, code) in zip(folders, CITIES, strict=False)]
    project = province(whole, work, repos)
    run(project, "sources", "fetch")
    sites = sum(len(list((f / "sites").rglob("*.yml"))) for f in folders)
    print(f"×{args.scale}: {sites} sites in {args.members} members", flush=True)
    # Photos for both sides (not compared here), then the rounds.
    build(one)
    build(project)

    moved = repos[len(repos) // 2]
    rows = []
    for r in range(1, args.rounds + 1):
        forget(one, members=False)
        t_one = build(one)
        n_one = pages(one / "site")
        forget(project, members=True)
        t_full = build(project)
        n_fed = pages(project / "site")
        changed = move_member(moved, r)
        run(project, "sources", "update", moved.key)
        t_moved = build(project)
        t_same = build(project)
        row = {"round": r, "one_s": round(t_one, 2), "one_pages": n_one,
               "full_s": round(t_full, 2), "federated_pages": n_fed,
               "moved_s": round(t_moved, 2), "unchanged_s": round(t_same, 2),
               "records_changed": changed}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)

    def med(key: str) -> float:
        return statistics.median(float(row[key]) for row in rows)

    one_ms = 1000 * med("one_s") / rows[-1]["one_pages"]
    full_ms = 1000 * med("full_s") / rows[-1]["federated_pages"]
    result = {
        "scale": args.scale, "members": args.members, "sites": sites, "rounds": len(rows),
        "one_folder_ms_per_page": round(one_ms, 2),
        "federated_full_ms_per_page": round(full_ms, 2),
        "full_per_page_ratio": round(full_ms / one_ms, 3),
        "moved_over_full": round(med("moved_s") / med("full_s"), 3),
        "unchanged_over_full": round(med("unchanged_s") / med("full_s"), 3),
        "rows": rows,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    print(f"one folder {rows[-1]['one_pages']} pages, {med('one_s'):.1f} s, {one_ms:.2f} ms/page")
    print(f"federated  {rows[-1]['federated_pages']} pages, {med('full_s'):.1f} s, "
          f"{full_ms:.2f} ms/page → per page ×{result['full_per_page_ratio']} (target ≤ 1.2)")
    print(f"one member moved: {med('moved_s'):.1f} s = {result['moved_over_full']:.0%} of the "
          f"full build (target ≤ 40 %); nothing changed: {med('unchanged_s'):.1f} s")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
