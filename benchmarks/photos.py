"""Benchmark: photos on phones, photo processing time, and a compilation PDF with photos.

1. **Phone bytes.** A copy of the sample where one site has six 4000×3000 photos
   (``scripts/make-sample-photos.py``), built and served; headless Chromium as a 390 px
   phone at DPR 3 counts the image bytes of the first load, then of scrolling the whole
   page. Targets: ≤ 400 KB and ≤ 1.2 MB.
2. **Processing.** 100 different 4000×3000 photos through the pipeline (every web variant)
   on all cores with an empty cache, then again with the cache warm. Targets: ≤ 60 s cold,
   ≤ 1 s warm. Also WebP against AVIF on the same photos (why the site uses WebP).
3. **Print.** A 100-experience compilation (``pdf_compilation.py``'s data) with one
   4000×3000 photo each. Target: ≤ 40 MB.

    .venv/bin/python benchmarks/photos.py [--only phone,process,print] [--photos 100]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generator.base.images import Target, render  # noqa: E402
from generator.media.cache import PhotoCache  # noqa: E402
from generator.media.variants import plan  # noqa: E402

SITE = "sites/2026/wuling-dongjiang-binjiang-shequ.yml"
SITE_URL = "/sites/wuling-dongjiang-binjiang-shequ/"
KB = 1024


def _make_photos(folder: Path, count: int) -> list[Path]:
    """``count`` different photo-sized JPEGs: twelve scenes, each copy with its own bytes
    (a different comment), so that every one is a photo of its own to the cache."""
    import importlib

    maker = importlib.import_module("make-sample-photos")
    folder.mkdir(parents=True, exist_ok=True)
    scenes = []
    for i, (name, palette) in enumerate(maker.SAMPLE[:min(count, len(maker.SAMPLE))]):
        path = folder / name
        maker.make(path, palette, i)
        scenes.append(path)
    out = []
    for i in range(count):
        source = scenes[i % len(scenes)]
        path = folder / f"bench-{i:03d}.jpg"
        data = source.read_bytes()
        # A JPEG comment segment right after SOI: other bytes, the same pixels.
        comment = f"copy {i}".encode()
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        path.write_bytes(data[:2] + segment + data[2:])
        out.append(path)
    for path in scenes:
        path.unlink()
    return out


# ---------------------------------------------------------------- 1. phone bytes

@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def phone_bytes(work: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    data = work / "sites_data"
    shutil.copytree(ROOT / "sites_data", data)
    photos = _make_photos(data / "media" / "photos" / "bench", 6)
    record = data / SITE
    text = record.read_text(encoding="utf-8")
    entries = "".join(f"  - file: photos/bench/{p.name}\n    caption: 活动照片 {i + 1}\n"
                      f"    alt: 社区党员志愿者活动现场照片 {i + 1}\n"
                      for i, p in enumerate(photos))
    text = re.sub(r"photos:\n(?:  - [^\n]*\n(?:    [^\n]*\n)*)+", "photos:\n" + entries, text)
    record.write_text(text, encoding="utf-8")
    site = work / "site"
    subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(data), "--out",
                    str(site), "--no-pdf", "--as-of", "2026-11-28"], cwd=ROOT, check=True,
                   capture_output=True)
    images: dict[str, int] = {}
    with _serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      device_scale_factor=3, is_mobile=True, has_touch=True)
        page = context.new_page()

        def count(response: Any) -> None:
            if response.request.resource_type == "image":
                with contextlib.suppress(Exception):  # a response without a body: not counted
                    images[response.url] = len(response.body())

        page.on("response", count)
        page.goto(base + SITE_URL, wait_until="networkidle")
        first = sum(images.values())
        first_files = len(images)
        height = page.evaluate("document.body.scrollHeight")
        for y in range(0, height + 844, 400):
            page.evaluate(f"window.scrollTo(0, {y})")
            page.wait_for_timeout(120)
        page.wait_for_load_state("networkidle")
        browser.close()
    whole = sum(images.values())
    print("  phone (390 px, DPR 3), page with 6 photos of 4000×3000:")
    print(f"    first load: {first / KB:.0f} KB in {first_files} images (target ≤ 400 KB)")
    print(f"    whole page scrolled: {whole / KB:.0f} KB in {len(images)} images (target ≤ 1,200 KB)")
    originals = sum(p.stat().st_size for p in photos)
    print(f"    (the six originals: {originals / KB / KB:.1f} MB)")
    return {"first_kb": round(first / KB), "scrolled_kb": round(whole / KB)}


# ---------------------------------------------------------------- 2. processing

def _cpu() -> float:
    """CPU seconds of this process and its finished children (the forked workers): unlike
    the wall clock, not inflated by whatever else the machine is doing."""
    import resource

    own, children = (resource.getrusage(resource.RUSAGE_SELF),
                     resource.getrusage(resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def processing(work: Path, count: int) -> dict[str, float]:
    media = work / "media"
    photos = _make_photos(media / "photos", count)
    names = [p.relative_to(media).as_posix() for p in photos]
    cache_dir = work / "cache"
    cpu0 = _cpu()
    start = time.perf_counter()
    cold = plan(names, PhotoCache(cache_dir), media)
    cold.cache.make(cold.web_jobs())
    t_cold = time.perf_counter() - start
    cpu_cold = _cpu() - cpu0
    start = time.perf_counter()
    warm = plan(names, PhotoCache(cache_dir), media)
    made = warm.cache.make(warm.web_jobs())
    t_warm = time.perf_counter() - start
    assert made == 0
    variants = sum(len(p.web) for p in cold.photos.values())
    print(f"  {count} photos of 4000×3000 → {variants} web variants:")
    print(f"    cold (empty cache): {t_cold:.1f} s (target ≤ 60 s); CPU {cpu_cold:.1f} s in all "
          f"processes, i.e. ≈ {cpu_cold / 2:.0f} s on two otherwise idle cores")
    print(f"    warm (cache kept):  {t_warm:.2f} s (target ≤ 1 s)")
    # WebP or AVIF: the same ten photos at the width a phone takes, each format's
    # usual web setting.
    sample = photos[:10]
    figures = {}
    for fmt, quality in (("WEBP", 78), ("AVIF", 55), ("JPEG", 80)):
        start = time.perf_counter()
        total = sum(len(render(p, [Target(1024, 100_000, fmt, quality)])[0][1]) for p in sample)
        figures[fmt] = (total / len(sample) / KB, (time.perf_counter() - start) / len(sample))
    print("    one 1024 px variant, mean of 10 photos:  "
          + "  ".join(f"{f} q{q}: {figures[f][0]:.0f} KB {figures[f][1] * 1000:.0f} ms"
                      for f, q in (("WEBP", 78), ("AVIF", 55), ("JPEG", 80))))
    return {"cold_s": round(t_cold, 1), "cold_cpu_s": round(cpu_cold, 1), "warm_s": round(t_warm, 2),
            **{f"{f.lower()}_kb": round(v[0]) for f, v in figures.items()}}


# ---------------------------------------------------------------- 3. print

def print_size(work: Path, count: int) -> dict[str, float]:
    import pdf_compilation

    from generator.data.loader import load
    from generator.pdf.render import render_compilation
    from generator.rules.audience import view

    data = work / "pdfdata"
    pdf_compilation.synthesise(data, count)
    photos = _make_photos(data / "media" / "photos" / "big", count)
    for i, exp in enumerate(sorted((data / "experiences").glob("*.yml"))):
        text = exp.read_text(encoding="utf-8")
        text = re.sub(r"photos:\n(?:  - [^\n]*\n(?:    [^\n]*\n)*)", "", text)
        text += (f"photos:\n  - file: photos/big/{photos[i % len(photos)].name}\n"
                 f"    caption: 活动照片\n    alt: 党员志愿者活动现场\n")
        exp.write_text(text, encoding="utf-8")
    public = view(load(data), "public")
    start = time.perf_counter()
    result = render_compilation(public, "bench", work / "bench.pdf",
                                photos=None)
    seconds = time.perf_counter() - start
    size = result.path.stat().st_size
    print(f"  compilation of {count} experiences, one 4000×3000 photo each:")
    print(f"    {size / KB / KB:.1f} MB, {result.pages} pages, {seconds:.0f} s (target ≤ 40 MB)")
    return {"pdf_mb": round(size / KB / KB, 1), "pdf_s": round(seconds)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="phone,process,print")
    parser.add_argument("--photos", type=int, default=100)
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="showcase-photos-") as tmp:
        work = Path(tmp)
        if "phone" in wanted:
            phone_bytes(work / "phone")
        if "process" in wanted:
            processing(work / "process", args.photos)
        if "print" in wanted:
            print_size(work / "print", args.photos)
    return 0


if __name__ == "__main__":
    sys.exit(main())
