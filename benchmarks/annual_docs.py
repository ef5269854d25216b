"""The year's documents at scale (issue 21):

    .venv/bin/python benchmarks/annual_docs.py                 # ×50 documents, ×10 build A/B
    .venv/bin/python benchmarks/annual_docs.py --only docs --scale 50
    .venv/bin/python benchmarks/annual_docs.py --only build --ab f1c397f --scale 10

* ``docs``: seconds to make the annual reports (every finished plan year) and all worklists
  (PDF and .docx for each managing unit and supervisor) and calendars of the ×N data set,
  on both cores, as the internal build's post-step makes them (goal: ≤ 20 s at ×50); also
  the CPU seconds of all processes (on a machine others load, wall seconds say less) and
  the load average before and after.
* ``build``: a full ``showcase build`` (with PDFs) of the ×N data set, this tree (B) against
  a git revision without the year's documents (A), alternately in one run; prints the
  seconds each and the time added (goal: ≤ 10 % at ×10).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
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

from scale import AS_OF, _settle, checkout  # noqa: E402
from synth import synthesise  # noqa: E402

# The last commit of main before the year's documents (issue 21).
BASELINE = "f1c397f"


def documents(scale: int, work: Path) -> dict[str, object]:
    from generator.data.loader import load
    from generator.paper.publish import annual_jobs, run_jobs, worklist_jobs
    from generator.rules.facts import derive

    data_dir = synthesise(scale, work / f"x{scale}")
    data = load(data_dir)
    assert data.ok
    as_of = dt.date.fromisoformat(AS_OF)
    facts = derive(data, as_of)
    load = os.getloadavg()[0]
    cpu0 = _cpu()
    start = time.perf_counter()
    jobs = annual_jobs(data, facts, "internal") + worklist_jobs(data, facts)
    planned = time.perf_counter() - start
    out = work / f"docs-x{scale}"
    start = time.perf_counter()
    run_jobs(out, jobs, as_of)
    made = time.perf_counter() - start
    cpu = _cpu() - cpu0
    kinds = {suffix: sum(1 for j in jobs if j.path.endswith(suffix)) for suffix in (".pdf", ".docx", ".ics")}
    pages = sum(_pages(p) for p in out.rglob("*.pdf"))
    return {"scale": scale, "sites": len(data.sites), "files": len(jobs), **kinds, "pdf_pages": pages,
            "plan_s": round(planned, 2), "make_s": round(made, 2),
            "total_s": round(planned + made, 2), "cpu_s": round(cpu, 2),
            "load_before": round(load, 1), "load_after": round(os.getloadavg()[0], 1)}


def _cpu() -> float:
    """CPU seconds of this process and its (finished) workers."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(found.group(1)) if found else 0


def _build(tree: Path, data_dir: Path, out: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(data_dir),
                           "--out", str(out), "--as-of", AS_OF], cwd=tree, capture_output=True,
                          text=True, check=False,
                          env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1",
                               "PYTHONPATH": str(tree)})
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build in {tree} failed:\n{proc.stdout}\n{proc.stderr}")
    _settle(out.parent)
    return elapsed


def build_ab(scale: int, revision: str, repeat: int, work: Path) -> dict[str, object]:
    data_dir = synthesise(scale, work / f"ab-x{scale}")
    baseline = checkout(revision, work / "baseline")
    a: list[float] = []
    b: list[float] = []
    for i in range(repeat):
        a.append(_build(baseline, data_dir, work / f"a{i}" / "site"))
        b.append(_build(ROOT, data_dir, work / f"b{i}" / "site"))
    ma, mb = statistics.median(a), statistics.median(b)
    return {"scale": scale, "A_s": [round(x, 1) for x in a], "B_s": [round(x, 1) for x in b],
            "added_s": round(mb - ma, 1), "added_pct": round(100 * (mb - ma) / ma, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["docs", "build"])
    parser.add_argument("--scale", type=int)
    parser.add_argument("--ab", default=BASELINE, help="revision A for the build comparison")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="showcase-annual-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.only in (None, "docs"):
            print(documents(args.scale or 50, work), flush=True)
        if args.only in (None, "build"):
            print(build_ab(args.scale or 10, args.ab, args.repeat, work), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
