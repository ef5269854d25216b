"""The scale benchmark at ×1 as a smoke test: every figure is produced and sane.

It checks that the benchmark works (so that ×10/×50 runs by hand can be trusted), not how
fast anything is: timings on a shared CI machine say little.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_scale_benchmark_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    proc = subprocess.run(
        [sys.executable, "benchmarks/scale.py", "--scales", "1", "--work", str(tmp_path / "w"),
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "HTML/page" in proc.stdout  # the table is printed
    result = json.loads(out.read_text("utf-8"))
    assert result["machine"]["cpus"] >= 1
    (row,) = result["rows"]
    assert row["scale"] == 1
    # At ×1 the benchmark data is the sample itself.
    sample_sites = len(list((ROOT / "sites_data" / "sites").rglob("*.yml")))
    sample_experiences = len(list((ROOT / "sites_data" / "experiences").rglob("*.yml")))
    assert sample_sites and sample_experiences, "an empty sample makes these figures vacuous"
    assert (row["sites"], row["experiences"]) == (sample_sites, sample_experiences)
    for key in ("validate_s", "generate_s", "build_s", "generator_phase_s", "search_index_s"):
        assert 0 < row[key] < 600, key
    assert 0 < row["generator_share"] < 1
    # Every site and experience page plus the listings: more pages than records.
    assert row["pages"] > row["sites"] + row["experiences"]
    assert 1_000 < row["html_bytes_per_page_median"] <= row["html_bytes_max"]
    assert row["output_bytes"] > row["pages"] * row["html_bytes_per_page_median"] / 2
    assert row["peak_memory_mb"] > 10
    search = row["search"]
    assert search["queries"] >= 30 and search["queries_without_match"] == 0
    # The sample is small and the search exact: anything below these is a real regression.
    assert search["recall_min"] >= 0.99
    assert search["precision_mean"] >= 0.95
    assert 0 < search["query_bytes_mean"] <= search["query_bytes_max"] <= 300_000
    assert search["indexed_pages"] > row["sites"]


def test_the_ab_mode_compares_two_revisions(tmp_path: Path) -> None:
    """A/B of this tree against its own last commit at ×1: both sides build, the ratio and
    the per-page article comparison are reported."""
    proc = subprocess.run(
        [sys.executable, "benchmarks/scale.py", "--ab", "HEAD", "--scales", "1", "--repeat",
         "1", "--work", str(tmp_path / "w")],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    (row,) = result["rows"]
    assert row["pages_a"] > 100 and row["pages_b"] > 100
    assert 0.2 < row["ratio"] < 5
    same, total = (int(n) for n in row["same_article_text"].split("/"))
    assert total > 100 and same > total * 0.9
