"""What serving and publishing cost: the .gz post-step of every build, and ``showcase deploy``.

    .venv/bin/python benchmarks/publishing.py [--scales 1,10]

For each scale (the sample ×N, synth.py) it builds the site once (``--no-pdf``), then prints
the gzip post-step's seconds (re-run on the built site, alone, on both cores), how many
files it compresses and the bytes of HTML/CSS/JS/JSON before and after; and the seconds of
a first ``showcase deploy`` to a local folder, of a second one of the same build (nothing
to copy) and of a rebuild with one record changed (hard links for everything unchanged),
with the disk space that second release adds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import synthesise  # noqa: E402

from generator.engines.poststeps import COMPRESSIBLE, write_precompressed  # noqa: E402

AS_OF = "2026-11-28"


def _showcase(*args: str) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"showcase {' '.join(args)} failed:\n{proc.stderr}")
    return time.perf_counter() - start


def _disk(folder: Path) -> int:
    """Bytes on disk below ``folder``, each hard-linked file counted once."""
    seen: set[int] = set()
    total = 0
    for path in folder.rglob("*"):
        st = path.lstat()
        if path.is_file() and st.st_ino not in seen:
            seen.add(st.st_ino)
            total += st.st_size
    return total


def measure(scale: int, work: Path) -> dict[str, float | int]:
    data = ROOT / "sites_data" if scale == 1 else synthesise(scale, work / f"data-{scale}")
    site = work / f"site-{scale}"
    _showcase("build", "--data", str(data), "--out", str(site), "--no-pdf", "--as-of", AS_OF)
    for gz in site.rglob("*.gz"):
        if gz.name != "sitemap.xml.gz":
            gz.unlink()
    start = time.perf_counter()
    count = write_precompressed(site)
    gzip_s = time.perf_counter() - start
    raw = packed = 0
    for path in site.rglob("*"):
        if path.suffix in COMPRESSIBLE and path.with_name(path.name + ".gz").exists():
            raw += path.stat().st_size
            packed += path.with_name(path.name + ".gz").stat().st_size
    target = work / f"www-{scale}"
    first = _showcase("deploy", "--site", str(site), "--to", str(target))
    again = _showcase("deploy", "--site", str(site), "--to", str(target))
    one = sorted((data / "sites").rglob("*.yml"))[0]
    original = one.read_text(encoding="utf-8")
    changed = work / f"data-{scale}-changed"
    if scale == 1:  # never edit the repository's sample: change a copy
        shutil.copytree(data, changed)
        one = changed / one.relative_to(data)
        data = changed
    one.write_text(original.replace("summary: ", "summary: 修改后的", 1), encoding="utf-8")
    site2 = work / f"site-{scale}-changed"
    _showcase("build", "--data", str(data), "--out", str(site2), "--no-pdf", "--as-of", AS_OF)
    before = _disk(target)
    changed_s = _showcase("deploy", "--site", str(site2), "--to", str(target))
    return {"scale": scale, "files": count, "gzip_s": gzip_s, "raw_mb": raw / 1e6,
            "gz_mb": packed / 1e6, "deploy_first_s": first, "deploy_same_s": again,
            "deploy_changed_s": changed_s, "release_added_mb": (_disk(target) - before) / 1e6,
            "site_mb": _disk(site) / 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1,10")
    args = parser.parse_args()
    print("| × | .gz files | gzip s | text MB → gz MB | site MB "
          "| deploy s: first / same / one change | MB a changed release adds |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="showcase-publishing-") as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            r = measure(scale, Path(tmp))
            print(f"| {r['scale']} | {r['files']:,} | {r['gzip_s']:.2f} | {r['raw_mb']:.1f} → "
                  f"{r['gz_mb']:.1f} | {r['site_mb']:.1f} | {r['deploy_first_s']:.1f} / "
                  f"{r['deploy_same_s']:.1f} / {r['deploy_changed_s']:.1f} | "
                  f"{r['release_added_mb']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
