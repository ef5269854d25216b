"""Scale benchmark: the sample ×1, ×10, ×50 — build figures and search quality.

    .venv/bin/python benchmarks/scale.py                 # ×1 and ×10
    .venv/bin/python benchmarks/scale.py --scales 1,10,50 --json benchmarks/out/latest.json
    .venv/bin/python benchmarks/scale.py --scales 1,10,50 --engines mkdocs,properdocs,zensical
    .venv/bin/python benchmarks/scale.py --ab 09972a3 --scales 10,50   # this tree vs a commit

For each scale it prints: validate s, generate s, full ``build --no-pdf`` s, the generator's
own share of the build (load + facts + pages, measured in-process), the search index
build s, pages, HTML bytes per page (mean and median), total output bytes, the bytes a
browser downloads to answer one Chinese query (mean and max over the query list), recall
and precision of the search against plain substring matching of the indexed page text, and
peak memory of the build. ``--smoke`` is the test suite's quick check at ×1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import synthesise  # noqa: E402

from generator.engines.pipeline import prepare  # noqa: E402
from generator.engines.poststeps import write_search_index  # noqa: E402
from generator.media.cache import default_root  # noqa: E402
from generator.site import searchindex  # noqa: E402

AS_OF = "2026-11-28"

# 2–6 characters taken from the sample's text: words, words inside compounds, place names,
# phrases. Each must occur in the sample (checked: a query with no match is reported).
QUERIES = [
    "党员积分", "红色物业", "长者食堂", "骑手", "物业", "武陵区", "鼎城区", "桃源县", "石门县",
    "津市", "主题党日", "三会一课", "积分超市", "网格员", "党建引领", "联系户", "骑手驿站",
    "新就业群体", "茶园", "时间银行", "议事", "先锋岗", "产业党支部", "乡村振兴", "老旧小区",
    "志愿服务", "红色管家", "楼栋长", "便民服务", "留守儿童", "合作社", "党员教育", "集体经济",
    "流动党员", "书记", "示范点",
]


def _run(args: list[str], cwd: Path = ROOT) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc


def generator_phase(data_dir: Path) -> tuple[float, int]:
    """Seconds for load + facts + page generation in-process, and the number of pages."""
    start = time.perf_counter()
    prepared = prepare(data_dir, audience="public", as_of=dt.date.fromisoformat(AS_OF),
                       pdf=False, template_dirs=(ROOT / "theme" / "templates",),
                       photo_cache=default_root(ROOT))  # warm: the builds above made them
    pages = sum(1 for p in prepared.site.pages if p.endswith(".md"))
    return time.perf_counter() - start, pages


def index_seconds(site: Path) -> float:
    """Seconds to (re)build the search index from the built site's HTML files."""
    start = time.perf_counter()
    write_search_index(site)
    return time.perf_counter() - start


def search_quality(site: Path) -> dict[str, float | int]:
    index = site / searchindex.INDEX_DIR
    docs = {}
    for f in (index / "d").glob("*.json"):
        doc = json.loads(f.read_text("utf-8"))
        text = doc["x"]
        if doc.get("c"):  # only the start was stored: take the whole article from the page
            page = (site / doc["u"] / "index.html").read_text("utf-8")
            article = page[page.find("<article"):page.rfind("</article>")]
            text = searchindex.html_text(article)
        docs[int(f.stem)] = searchindex.normalize(text + " " + doc["t"])
    recalls, precisions, downloads = [], [], []
    empty = []
    manifest_bytes = (index / "manifest.json").stat().st_size
    for q in QUERIES:
        parts = searchindex.runs(q)
        truth = {n for n, text in docs.items() if all(p in text for p in parts)}
        found, shard_files = searchindex.candidates(index, q)
        got = set(found)
        if not truth:
            empty.append(q)
            continue
        recalls.append(len(got & truth) / len(truth))
        precisions.append(len(got & truth) / len(got) if got else 0.0)
        # What the browser fetches for a first query: manifest, shards, first 10 pages' texts.
        size = manifest_bytes + sum((index / f).stat().st_size for f in shard_files)
        size += sum((index / "d" / f"{n}.json").stat().st_size for n in found[:10])
        downloads.append(size)
    return {
        "queries": len(recalls),
        "queries_without_match": len(empty),
        "recall_mean": round(statistics.mean(recalls), 4),
        "recall_min": round(min(recalls), 4),
        "precision_mean": round(statistics.mean(precisions), 4),
        "precision_min": round(min(precisions), 4),
        "query_bytes_mean": int(statistics.mean(downloads)),
        "query_bytes_max": max(downloads),
        "indexed_pages": len(docs),
    }


def _build(data_dir: Path, site: Path, engine: str = "mkdocs",
           cwd: Path = ROOT) -> tuple[float, int]:
    """Seconds of one ``showcase build --no-pdf`` and the peak memory (KB) of the command and
    its engine processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    engine_option = [] if engine == "mkdocs" else ["--engine", engine]  # (older revisions)
    elapsed, _ = _run(["build", "--data", str(data_dir), "--out", str(site), "--no-pdf",
                       "--as-of", AS_OF, *engine_option], cwd=cwd)
    _settle(site.parent)
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def _settle(folder: Path) -> None:
    """Wait until a previous output, renamed aside and deleted in the background, is gone
    (so that the deletion does not overlap the next measurement)."""
    for _ in range(600):
        if not any(".old-" in p.name for p in folder.iterdir()):
            return
        time.sleep(0.1)


def measure(scale: int, work: Path, engines: list[str]) -> dict[str, object]:
    data_dir = work / f"x{scale}" / "sites_data"
    synthesise(scale, data_dir)
    t_validate, _ = _run(["validate", "--data", str(data_dir)])
    t_generate, _ = _run(["generate", "--data", str(data_dir), "--out",
                          str(work / f"x{scale}" / "project"), "--as-of", AS_OF])
    site = work / f"x{scale}" / "site"
    t_build, peak = _build(data_dir, site)
    by_engine: dict[str, float | str] = {"mkdocs": round(t_build, 2)}
    for engine in engines:
        if engine != "mkdocs":
            try:
                by_engine[engine] = round(_build(data_dir, work / f"x{scale}" / f"site-{engine}",
                                                 engine)[0], 2)
            except SystemExit as failure:  # an engine that cannot build this scale
                by_engine[engine] = f"failed: {str(failure).strip().splitlines()[-1][:200]}"
    t_phase, _pages = generator_phase(data_dir)
    html = [p.stat().st_size for p in site.rglob("*.html")]
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return {
        "scale": scale,
        "sites": len(list((data_dir / "sites").rglob("*.yml"))),
        "experiences": len(list((data_dir / "experiences").rglob("*.yml"))),
        "validate_s": round(t_validate, 2),
        "generate_s": round(t_generate, 2),
        "build_s": round(t_build, 2),
        "engines_s": by_engine,
        "generator_phase_s": round(t_phase, 2),
        "generator_share": round(t_phase / t_build, 4),
        "search_index_s": round(index_seconds(site), 2),
        "pages": len(html),
        "build_ms_per_page": round(1000 * t_build / max(len(html), 1), 1),
        "html_bytes_per_page_mean": int(statistics.mean(html)),
        "html_bytes_per_page_median": int(statistics.median(html)),
        "html_bytes_max": max(html),
        "output_bytes": total,
        "peak_memory_mb": round(peak / 1024, 1),
        "search": search_quality(site),
    }


# ---------------------------------------------------------------- A/B: two revisions, one run

def checkout(revision: str, folder: Path) -> Path:
    """A work tree of ``revision``. Revisions from before the engines/ package get a shim
    there, so that the MkDocs plugin's entry point of this installation finds their plugin."""
    subprocess.run(["git", "worktree", "add", "--detach", "--force", str(folder), revision],
                   cwd=ROOT, check=True, capture_output=True)
    shim = folder / "generator" / "engines" / "mkdocs_plugin.py"
    if not shim.exists():
        shim.parent.mkdir(parents=True, exist_ok=True)
        (shim.parent / "__init__.py").touch()
        shim.write_text("from generator.mkdocs_plugin import ShowcasePlugin  # noqa: F401\n",
                        encoding="utf-8")
    return folder


def _compatible(data_dir: Path, tree: Path) -> None:
    """Drop the fields an older revision does not know yet (new footer settings in
    program.yml; photos, whose ``alt`` it does not know), so that both sides build the
    same data."""
    import re

    import yaml

    proc = subprocess.run([sys.executable, "-m", "generator", "validate", "--data", str(data_dir)],
                          cwd=tree, capture_output=True, text=True, check=False)
    found = re.findall(r"^(.+?\.ya?ml):(\d+):\d+: error: 未知字段“([^”]+)”", proc.stdout, re.M)
    by_file: dict[str, set[str]] = {}
    for name, _line, key in found:
        by_file.setdefault(name, set()).add(key)
    for name, keys in by_file.items():
        # shown relative to the data folder's parent: sites_data/sites/…
        path = Path(name) if Path(name).is_absolute() else data_dir.parent / name
        values = yaml.safe_load(path.read_text("utf-8"))
        if "alt" in keys:
            # Photos with alt text are required by the newer side and unknown to the older:
            # neither builds them, so both build the same pages.
            values.pop("photos", None)
        for key in keys - {"alt"}:
            values.pop(key, None)
        path.write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")


def _article_texts(site: Path) -> dict[str, str]:
    from generator.engines.poststeps import article

    texts = {}
    for page in site.rglob("*.html"):
        content = article(page.read_text(encoding="utf-8"))
        if content is not None:
            texts[page.relative_to(site).as_posix()] = " ".join(
                searchindex.html_text(content).split())
    return texts


def ab(revision: str, scales: list[int], repeat: int, work: Path) -> list[dict[str, object]]:
    """Build each scale with ``revision`` (A) and with this working tree (B), alternating
    A, B, A, B… so that both see the same machine; report the per-page time ratio B/A."""
    tree = checkout(revision, work / "a")
    rows = []
    try:
        for scale in scales:
            data_dir = work / f"x{scale}" / "sites_data"
            synthesise(scale, data_dir)
            _compatible(data_dir, tree)
            times: dict[str, list[float]] = {"A": [], "B": []}
            sites = {"A": work / f"x{scale}" / "site-a", "B": work / f"x{scale}" / "site-b"}
            for _ in range(repeat):
                for side, cwd in (("A", tree), ("B", ROOT)):
                    times[side].append(_build(data_dir, sites[side], cwd=cwd)[0])
            pages = {side: len(list(site.rglob("*.html"))) for side, site in sites.items()}
            a, b = statistics.median(times["A"]), statistics.median(times["B"])
            per_page = {side: 1000 * t / pages[side] for side, t in (("A", a), ("B", b))}
            texts = {side: _article_texts(site) for side, site in sites.items()}
            same = sum(1 for k in texts["A"] if texts["B"].get(k) == texts["A"][k])
            rows.append({
                "scale": scale, "pages_a": pages["A"], "pages_b": pages["B"],
                "seconds_a": [round(t, 2) for t in times["A"]],
                "seconds_b": [round(t, 2) for t in times["B"]],
                "ms_per_page_a": round(per_page["A"], 2), "ms_per_page_b": round(per_page["B"], 2),
                "ratio": round(per_page["B"] / per_page["A"], 3),
                "same_article_text": f"{same}/{len(texts['A'])}",
                "search": search_quality(sites["B"]),
            })
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                       capture_output=True, check=False)
    return rows


def table(rows: list[dict[str, object]]) -> str:
    cols = [("scale", "×"), ("sites", "sites"), ("experiences", "exps"), ("pages", "pages"),
            ("validate_s", "validate s"), ("generate_s", "generate s"), ("build_s", "build s"),
            ("build_ms_per_page", "ms/page"), ("generator_share", "gen share"),
            ("search_index_s", "index s"), ("engines_s", "build s by engine"),
            ("html_bytes_per_page_mean", "HTML/page"),
            ("html_bytes_per_page_median", "median"), ("output_bytes", "output B"),
            ("peak_memory_mb", "peak MB")]
    lines = [" | ".join(h for _, h in cols)]
    for r in rows:
        lines.append(" | ".join(str(r.get(k)) for k, _ in cols))
    lines.append("")
    lines.append("search: scale | recall mean/min | precision mean/min | bytes per query mean/max")
    for r in rows:
        s = r["search"]
        assert isinstance(s, dict)
        lines.append(f"×{r['scale']} | {s['recall_mean']}/{s['recall_min']} | "
                     f"{s['precision_mean']}/{s['precision_min']} | "
                     f"{s['query_bytes_mean']}/{s['query_bytes_max']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temp dir)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    parser.add_argument("--engines", default="mkdocs",
                        help="engines to build with, e.g. mkdocs,properdocs,zensical")
    parser.add_argument("--ab", metavar="REVISION", default=None,
                        help="compare this working tree (B) with a git revision (A) in one run")
    parser.add_argument("--repeat", type=int, default=3, help="builds per side in --ab mode")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    with tempfile.TemporaryDirectory(prefix="showcase-bench-") as tmp:
        work = args.work or Path(tmp)
        if args.ab:
            rows = ab(args.ab, scales, args.repeat, work)
            for r in rows:
                print(f"×{r['scale']}: A {r['ms_per_page_a']} ms/page ({r['pages_a']} pages, "
                      f"{r['seconds_a']} s)  B {r['ms_per_page_b']} ms/page ({r['pages_b']} "
                      f"pages, {r['seconds_b']} s)  ratio B/A {r['ratio']}  "
                      f"same article text {r['same_article_text']}")
            print(json.dumps({"ab": args.ab, "rows": rows}, ensure_ascii=False))
            return 0
        rows = [measure(s, work, args.engines.split(",")) for s in scales]
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "platform": platform.platform()},
              "date": dt.date.today().isoformat(), "rows": rows}
    print(table(rows))
    print(json.dumps(result, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
