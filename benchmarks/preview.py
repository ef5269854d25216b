"""Preview benchmark: how long after saving a site's YAML does ``showcase serve`` show it?

    .venv/bin/python benchmarks/preview.py [--scale 1] [--edits 3]

Starts ``showcase serve`` on a copy of the sample (×scale), edits one site's ``summary``
several times and measures, for each edit, the seconds from the file write until the
served page contains the new text (polling the page every 50 ms). It also reports how many
generated files the edit rewrote (only the pages that show the summary should change).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import synthesise  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode("utf-8")
    except OSError:
        return ""


def measure(scale: int, edits: int, work: Path) -> dict[str, object]:
    data = synthesise(scale, work / "sites_data")
    site_file = sorted((data / "sites").rglob("*.yml"))[0]
    ident = site_file.stem
    port = _free_port()
    log = (work / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--data", str(data),
         "--dev-addr", f"127.0.0.1:{port}", "--as-of", "2026-11-28"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    url = f"http://127.0.0.1:{port}/sites/{ident}/"
    try:
        start = time.perf_counter()
        while "<html" not in _get(url):
            if proc.poll() is not None or time.perf_counter() - start > 300:
                raise SystemExit("serve did not start:\n" + (work / "serve.log").read_text())
            time.sleep(0.2)
        first_build = time.perf_counter() - start
        docs = ROOT / "build" / "serve-docs"
        times, rewritten = [], []
        text = site_file.read_text("utf-8")
        for i in range(edits):
            time.sleep(1.5)  # let the watcher settle
            marker = f"预览测试{i}号{time.time_ns()}"
            before = {p: p.stat().st_mtime_ns for p in docs.rglob("*.md")}
            t0 = time.perf_counter()
            site_file.write_text(text.replace("summary: ", f"summary: {marker}", 1), "utf-8")
            while marker not in _get(url):
                if time.perf_counter() - t0 > 60:
                    raise SystemExit("the edit never showed up:\n" + (work / "serve.log").read_text())
                time.sleep(0.05)
            times.append(time.perf_counter() - t0)
            after = {p: p.stat().st_mtime_ns for p in docs.rglob("*.md")}
            rewritten.append(sum(1 for p, m in after.items() if before.get(p) != m))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    return {"scale": scale, "first_build_s": round(first_build, 2),
            "edit_to_page_s": [round(t, 2) for t in times],
            "edit_to_page_median_s": round(statistics.median(times), 2),
            "pages_rewritten_per_edit": rewritten,
            "pages_in_tree": len(list(docs.rglob("*.md")))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="showcase-preview-") as tmp:
        result = measure(args.scale, args.edits, Path(tmp))
    print(f"×{result['scale']}: first build {result['first_build_s']} s; edit → page "
          f"{result['edit_to_page_s']} s (median {result['edit_to_page_median_s']} s); "
          f"generated pages rewritten per edit {result['pages_rewritten_per_edit']} "
          f"of {result['pages_in_tree']}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
