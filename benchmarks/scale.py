"""Scale benchmark: the sample ×1, ×10, ×50 — build figures and search quality.

    .venv/bin/python benchmarks/scale.py                 # ×1 and ×10
    .venv/bin/python benchmarks/scale.py --scales 1,10,50 --json benchmarks/out/latest.json

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

from generator.base import gcpause  # noqa: E402
from generator.data import loader  # noqa: E402
from generator.rules.facts import derive  # noqa: E402
from generator.site import searchindex  # noqa: E402
from generator.site.sitegen import Options, generate  # noqa: E402

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
    with gcpause.paused():  # as the plugin runs it
        data = loader.load(data_dir)
        facts = derive(data, dt.date.fromisoformat(AS_OF))
        site = generate(data, facts, Options())
    return time.perf_counter() - start, sum(1 for p in site.pages if p.endswith(".md"))


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


def measure(scale: int, work: Path) -> dict[str, object]:
    data_dir = work / f"x{scale}" / "sites_data"
    synthesise(scale, data_dir)
    t_validate, _ = _run(["validate", "--data", str(data_dir)])
    t_generate, _ = _run(["generate", "--data", str(data_dir), "--out", str(work / f"x{scale}" / "docs"),
                          "--as-of", AS_OF])
    site = work / f"x{scale}" / "site"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t_build, proc = _run(["build", "--data", str(data_dir), "--out", str(site), "--no-pdf",
                          "--as-of", AS_OF, "-v"])
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    t_phase, _pages = generator_phase(data_dir)
    timing = _plugin_timing(proc.stderr)
    html = [p.stat().st_size for p in site.rglob("*.html")]
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return {
        "scale": scale,
        "sites": len(list((data_dir / "sites").rglob("*.yml"))),
        "experiences": len(list((data_dir / "experiences").rglob("*.yml"))),
        "validate_s": round(t_validate, 2),
        "generate_s": round(t_generate, 2),
        "build_s": round(t_build, 2),
        "generator_phase_s": round(t_phase, 2),
        "generator_share": round(t_phase / t_build, 4),
        "search_index_s": timing.get("search"),
        "pages": len(html),
        "build_ms_per_page": round(1000 * t_build / max(len(html), 1), 1),
        "html_bytes_per_page_mean": int(statistics.mean(html)),
        "html_bytes_per_page_median": int(statistics.median(html)),
        "html_bytes_max": max(html),
        "output_bytes": total,
        "peak_memory_mb": round(peak / 1024, 1),
        "search": search_quality(site),
    }


def _plugin_timing(stderr: str) -> dict[str, float]:
    """The plugin logs 'showcase: search index of N pages in X s'."""
    out: dict[str, float] = {}
    for line in stderr.splitlines():
        if "showcase: search index" in line:
            out["search"] = float(line.rsplit(" in ", 1)[1].split()[0])
    return out


def table(rows: list[dict[str, object]]) -> str:
    cols = [("scale", "×"), ("sites", "sites"), ("experiences", "exps"), ("pages", "pages"),
            ("validate_s", "validate s"), ("generate_s", "generate s"), ("build_s", "build s"),
            ("build_ms_per_page", "ms/page"), ("generator_share", "gen share"),
            ("search_index_s", "index s"), ("html_bytes_per_page_mean", "HTML/page"),
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
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]
    with tempfile.TemporaryDirectory(prefix="showcase-bench-") as tmp:
        work = args.work or Path(tmp)
        rows = [measure(s, work) for s in scales]
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
