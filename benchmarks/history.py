"""What reading the records' history from git costs (issue 22 item 4).

    .venv/bin/python benchmarks/history.py [--scale 10] [--commits 300] [--repeat 3]

Makes the ×N synthetic data set (``synth.py``) inside a fresh git repository with a
synthetic history — one commit adding everything, then ``--commits`` commits by three
authors, each changing one to five records on the parsed level (a site's summary and tags,
an experience's summary) — and prints:

* ``read_history`` cold (git log + cat-file + parsing the versions that are not today's
  files, which the build has loaded already), also parsing every version itself, and warm
  (the cache by HEAD), in seconds and per record;
* full ``showcase build --no-pdf`` of the same data inside the repository (history, read
  cold: the project's ``.cache/history`` is emptied first) and as a plain copy (no
  history), alternately ``--repeat`` times in one run, with the median seconds, the
  difference per page and the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import _dump, _load, synthesise  # noqa: E402

from generator.data.history import read_history  # noqa: E402
from generator.data.loader import load  # noqa: E402

AUTHORS = [("李文书", "li@example.cn"), ("张伟", "zhang@example.cn"), ("王芳", "wang@example.cn")]


def git(repo: Path, *args: str, author: tuple[str, str] = AUTHORS[0], date: str = "") -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
                "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1],
                "GIT_CONFIG_NOSYSTEM": "1"})
    if date:
        env.update({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
    subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=repo, env=env, check=True, capture_output=True)


def make_history(repo: Path, scale: int, commits: int) -> tuple[Path, int]:
    """The data set in ``repo/sites_data`` with its synthetic history; (data, records)."""
    data = synthesise(scale, repo / "sites_data")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "导入数据", date="2024-01-05T09:00:00+08:00")
    records = sorted([*data.glob("sites/**/*.yml"), *data.glob("experiences/**/*.yml")])
    rng = random.Random(commits)
    start = time.mktime((2024, 1, 6, 9, 0, 0, 0, 0, 0))
    for n in range(commits):
        for path in rng.sample(records, rng.randint(1, 5)):
            doc = _load(path)
            doc["summary"] = f"{doc['summary'].rstrip('。')}（第 {n} 次修订）。"
            if "sites" in path.parts:
                doc["tags"] = [*(doc.get("tags") or []), f"修订{n}"]
            _dump(doc, path)
        when = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.localtime(start + n * 86400 * 2))
        git(repo, "commit", "-q", "-am", f"第 {n} 次修改", author=AUTHORS[n % 3], date=when)
    return data, len(records)


def build_seconds(data: Path, out: Path) -> tuple[float, int]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(data),
                           "--out", str(out), "--no-pdf", "--as-of", "2026-11-28"],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stdout + proc.stderr)
    return elapsed, sum(1 for _ in out.rglob("index.html"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="showcase-history-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        data, records = make_history(work / "repo", args.scale, args.commits)
        print(f"×{args.scale}: {records} records, {args.commits + 1} commits "
              f"(made in {time.perf_counter() - start:.0f} s)")

        start = time.perf_counter()
        history = read_history(data)
        alone = time.perf_counter() - start
        revisions = sum(len(r) for r in history.records.values())
        loaded = load(data)
        start = time.perf_counter()
        read_history(data, current=loaded)  # as the build calls it: today's files are parsed
        cold = time.perf_counter() - start
        cache = work / "cache"
        read_history(data, cache_dir=cache)
        start = time.perf_counter()
        read_history(data, cache_dir=cache)
        warm = time.perf_counter() - start
        print(f"read_history ({revisions} revisions): cold {cold:.2f} s ({cold / records * 1000:.2f} ms "
              f"per record) as the build calls it, with the loaded records; {alone:.2f} s parsing "
              f"every version itself; warm (cache by HEAD) {warm:.3f} s")

        plain = work / "plain" / "sites_data"
        shutil.copytree(data, plain)
        with_git: list[float] = []
        without: list[float] = []
        pages = 0
        for i in range(args.repeat):
            for folder, times in ((plain, without), (data, with_git)):
                # Cold: the build's cache by HEAD (the project's .cache/history) is emptied.
                shutil.rmtree(ROOT / ".cache" / "history", ignore_errors=True)
                seconds, pages = build_seconds(folder, work / f"site-{i}-{folder.parent.name}")
                times.append(seconds)
        a, b = statistics.median(without), statistics.median(with_git)
        print(f"build --no-pdf, {pages} pages: plain folder {a:.1f} s, git work tree {b:.1f} s "
              f"(median of {args.repeat}); +{(b - a) / pages * 1000:.2f} ms per page, ratio {b / a:.2f}")


if __name__ == "__main__":
    main()
