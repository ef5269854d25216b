"""The year's documents at scale (issue 21):

    .venv/bin/python benchmarks/annual_docs.py                 # ×50 documents, ×10 build A/B
    .venv/bin/python benchmarks/annual_docs.py --only docs --scale 50
    .venv/bin/python benchmarks/annual_docs.py --only build --scale 10 [--audience internal] [--ab f1c397f]

* ``docs``: seconds to make the annual reports (every finished plan year) and all worklists
  (PDF and .docx for each managing unit and supervisor) and calendars of the ×N data set,
  on both cores, as the internal build's post-step makes them (goal: ≤ 20 s at ×50); also
  the CPU seconds of all processes (on a machine others load, wall seconds say less) and
  the load average before and after.
* ``build``: a full ``showcase build`` (with PDFs) of the ×N data set, this tree (B) against
  this tree with the year's documents switched off (A; or a git revision, ``--ab``, which
  also counts everything else changed since), alternately in one run; prints the seconds
  each and the time added (goal: ≤ 10 % at ×10), in wall and in CPU seconds.
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
    load0 = os.getloadavg()[0]
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
            "load_before": round(load0, 1), "load_after": round(os.getloadavg()[0], 1)}


def _cpu() -> float:
    """CPU seconds of this process and its (finished) workers."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(found.group(1)) if found else 0


# Revision A "off": this tree with the year's documents switched off (no report, worklist
# or calendar pages, no post-step making their files): what they add, and nothing else.
_OFF = ("import generator.engines.pipeline as p, generator.engines.poststeps as s\n"
        "p.site_pages = lambda *a, **k: {}\n"
        "s.site_jobs = lambda *a, **k: []\n"
        "from generator.cli import main\n"
        "main()\n")


def _build(tree: Path, data_dir: Path, out: Path, audience: str,
           off: bool = False) -> tuple[float, float]:
    """Wall and CPU seconds (the build and its workers) of one build."""
    cpu0 = _children_cpu()
    start = time.perf_counter()
    command = ["-c", _OFF] if off else ["-m", "generator"]
    proc = subprocess.run([sys.executable, *command, "build", "--data", str(data_dir),
                           "--out", str(out), "--as-of", AS_OF, "--audience", audience], cwd=tree,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(tree)})
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"build in {tree} failed:\n{proc.stdout}\n{proc.stderr}")
    _settle(out.parent)
    return elapsed, cpu


def _children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def build_ab(scale: int, revision: str, repeat: int, work: Path,
             audience: str = "public") -> dict[str, object]:
    data_dir = synthesise(scale, work / f"ab-x{scale}")
    off = revision == "off"
    baseline = ROOT if off else checkout(revision, work / "baseline")
    a: list[tuple[float, float]] = []
    b: list[tuple[float, float]] = []
    for i in range(repeat):
        a.append(_build(baseline, data_dir, work / f"a{i}" / "site", audience, off))
        b.append(_build(ROOT, data_dir, work / f"b{i}" / "site", audience))
    # On a machine others load, CPU seconds say more than wall seconds.
    wa, wb = statistics.median(x for x, _ in a), statistics.median(x for x, _ in b)
    ca, cb = statistics.median(c for _, c in a), statistics.median(c for _, c in b)
    return {"scale": scale, "audience": audience,
            "A_s": [round(x, 1) for x, _ in a], "B_s": [round(x, 1) for x, _ in b],
            "added_s": round(wb - wa, 1), "added_pct": round(100 * (wb - wa) / wa, 1),
            "A_cpu_s": [round(c, 1) for _, c in a], "B_cpu_s": [round(c, 1) for _, c in b],
            "added_cpu_s": round(cb - ca, 1), "added_cpu_pct": round(100 * (cb - ca) / ca, 1),
            "load_after": round(os.getloadavg()[0], 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["docs", "build"])
    parser.add_argument("--scale", type=int)
    parser.add_argument("--ab", default="off",
                        help="revision A for the build comparison; off: this tree without the "
                             f"year's documents (default); e.g. {BASELINE}, the commit before them")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--audience", choices=["public", "internal"], default="public",
                        help="the build compared (internal: with the worklists and calendars)")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="showcase-annual-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.only in (None, "docs"):
            print(documents(args.scale or 50, work), flush=True)
        if args.only in (None, "build"):
            print(build_ab(args.scale or 10, args.ab, args.repeat, work, args.audience), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
