"""Chinese search options on the same synthetic site: ours, Pagefind extended, Material+jieba.

    .venv/bin/python benchmarks/search_options.py --scale 10
    .venv/bin/python benchmarks/search_options.py --scale 10 --reuse     # keep built sites

For every query of ``scale.py``'s QUERIES it measures

* **ours** — the showcase plugin's n-gram index in ``site/search/``: the result set with
  :func:`generator.site.searchindex.candidates` (the same algorithm as ``theme/assets/search.js``),
  and in headless Chromium through the real UI (type into ``.md-search__input`` on the home
  page, wait for ``.md-search-result__item``);
* **Pagefind 1.5.2 extended** (``pip install pagefind-bin-extended==1.5.2``) run on the same
  built site, queried in Chromium through its JS API (``import('/pagefind/pagefind.js')``,
  ``pagefind.search(q)``, ``r.data()``);
* **Material + jieba** — the same data built with a temporary mkdocs config that enables
  Material's ``search`` plugin (jieba installed), queried in Chromium through Material's own
  search UI and web worker: the query is typed into ``.md-search__input``; the complete
  result set is read from the worker's RESULT message (``window.Worker`` is wrapped by an
  init script), so it is exactly what lunr + Material's query segmentation return.

Ground truth, shared by all three: for each page URL of our index, the page's content text
as our index stores it (``search/d/<n>.json``: ``x`` + title), normalised (NFKC, lower
case); a page is relevant when it contains every run of the query (plain substring match).
Results of Pagefind and Material on pages outside that URL set (facet listings, tag pages,
404 — which our index leaves out on purpose) are not counted in recall or precision; they are
reported as ``outside``. Caveat: ``x`` is cut at ``searchindex.MAX_TEXT_CHARS``, so on a page
longer than that the ground truth (like the browser's confirmation of our results) does not
see the tail, while our postings do; a match only in the tail counts against our precision.

So that the engines, not the markup, are compared, each is told to skip what ours skips:
Pagefind indexes ``article.md-content__inner`` without ``.md-tags``/``.headerlink`` and with
the ``<!-- sc:noindex -->`` zones (other pages' cards, "back" links) wrapped in
``data-pagefind-ignore="all"`` (rewritten in the built HTML before indexing); Material's
build gets a hook that wraps the same zones in ``data-search-exclude``.

Bytes: every response Chromium receives is recorded (``requestfinished`` +
``request.sizes()``), cold cache (a new browser context per query), and cross-checked with
what the local ``http.server`` sent. http.server does not compress, so gzip -6 sizes of the
same files are computed locally too (Pagefind's own index files are already gzipped).
"Search bytes before the first result" = the search machinery loaded with the page (ours:
``search.js``/``search.css``; Material: ``search_index.json`` + worker; Pagefind JS API:
none) + everything fetched after the query was typed, until the first result is on screen
(Pagefind: first 5 results' ``data()``, as its default UI shows 5). Time to first result:
the query is typed as soon as the page's ``load`` event has fired; measured in the page
(``performance.now()``) from typing to the first result element (Pagefind: to the 5 results'
data), so Material's time includes downloading its index and building lunr in the worker.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.server
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import AS_OF, QUERIES  # noqa: E402
from synth import synthesise  # noqa: E402

from generator.site import searchindex  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run"]
MATERIAL_SEPARATOR = r"[\s\u200b\u3000\-、。，．？！；]+"
PAGEFIND_VERSION = "1.5.2"
PAGEFIND_FIRST = 5          # results whose data() Pagefind's default UI loads first
TIMEOUT_MS = 180_000
NOINDEX_OPEN = "<!-- sc:noindex -->"
NOINDEX_CLOSE = "<!-- /sc:noindex -->"

# URL patterns of each option's search machinery (page-load and query bytes).
SEARCH_ASSETS = {
    "ours": re.compile(r"/search/(manifest\.json|i/|d/)|/assets/search\.(js|css)"),
    "pagefind": re.compile(r"/pagefind/"),
    "material": re.compile(r"/search/search_index\.json|/assets/javascripts/(workers/search|lunr/)"),
}
NO_RESULT_TEXT = {"ours": "没有找到相关内容", "material": "没有找到符合条件的结果"}


# ------------------------------------------------------------------------ building

def _build_child(kind: str, data_dir: str, out: str, config: str) -> None:
    """Run in a subprocess: build one site, timing the search indexing inside the build."""
    import logging

    from generator.engines.build import BuildSettings, build_site, configure_logging

    configure_logging(False)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    spent = {"s": 0.0}

    def timed(cls: type, name: str) -> None:
        original = getattr(cls, name)

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                spent["s"] += time.perf_counter() - start
        setattr(cls, name, wrapper)

    if kind == "ours":
        from generator.engines.mkdocs_plugin import ShowcasePlugin
        # on_page_content only extracts the page's text for the index; on_post_build writes it.
        timed(ShowcasePlugin, "on_page_content")
        timed(ShowcasePlugin, "on_post_build")
    else:
        from material.plugins.search.plugin import SearchPlugin  # type: ignore[import-untyped]
        for name in ("on_config", "on_page_context", "on_post_build"):
            timed(SearchPlugin, name)
    start = time.perf_counter()
    build_site(BuildSettings(config_file=Path(config), data_dir=Path(data_dir), out=Path(out),
                             pdf=False, as_of=dt.date.fromisoformat(AS_OF)))
    print(json.dumps({"build_s": round(time.perf_counter() - start, 2),
                      "index_s": round(spent["s"], 2)}))


def _child(args: list[str]) -> dict[str, float]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(["nice", "-n", "5", sys.executable, __file__, "_build", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"build {args[0]} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def material_config(tmp: Path) -> Path:
    """mkdocs.yml with Material's search (jieba) instead of ours; absolute paths."""
    theme = tmp / "theme"
    shutil.rmtree(theme, ignore_errors=True)
    shutil.copytree(ROOT / "theme", theme)
    # Our header.html only swaps Material's search box for ours: Material's own comes back.
    (theme / "partials" / "header.html").unlink()
    hook = tmp / "noindex_hook.py"
    hook.write_text(
        "def on_page_content(html, page, config, files):\n"
        f"    return html.replace({NOINDEX_OPEN!r}, '<div data-search-exclude=\"1\">')"
        f".replace({NOINDEX_CLOSE!r}, '</div>')\n", "utf-8")
    text = (ROOT / "mkdocs.yml").read_text("utf-8")
    subs = [
        (r"(?m)^docs_dir:.*$", lambda m: f"docs_dir: {ROOT / 'content'}"),
        (r"(?m)^([ \t]+)custom_dir:.*$", lambda m: f"{m[1]}custom_dir: {theme}"),
        (r"(?m)^([ \t]+)- showcase[ \t]*$",
         lambda m: f"{m[1]}- showcase:\n{m[1]}    templates: {ROOT / 'theme' / 'templates'}\n"
                   f"{m[1]}- search:\n{m[1]}    separator: '{MATERIAL_SEPARATOR}'"),
        (r"(?m)^[ \t]+- assets/search\.(js|css)[ \t]*\n", lambda m: ""),
    ]
    for pattern, repl in subs:
        text, n = re.subn(pattern, repl, text)
        if not n:
            raise SystemExit(f"mkdocs.yml changed: cannot apply {pattern!r}")
    text += f"\nhooks:\n  - {hook}\n"
    config = tmp / "mkdocs-material-search.yml"
    config.write_text(text, "utf-8")
    return config


def run_pagefind(site: Path) -> dict[str, Any]:
    """Mark the noindex zones for Pagefind, then index the built site."""
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        if NOINDEX_OPEN in text:
            page.write_text(text.replace(NOINDEX_OPEN, '<div data-pagefind-ignore="all">')
                            .replace(NOINDEX_CLOSE, "</div>"), "utf-8")
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    exe = [sys.executable, "-m", "pagefind_bin_extended"]
    cmd = ["nice", "-n", "5", *exe, "--site", str(site),
           "--root-selector", "article.md-content__inner",
           "--exclude-selectors", ".md-tags", "--exclude-selectors", ".headerlink"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    log = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"pagefind failed:\n{log}")
    pages = re.search(r"Indexed (\d+) pages", log)
    words = re.search(r"Indexed (\d+) words", log)
    return {"index_s": round(elapsed, 2), "peak_memory_mb": round(usage.ru_maxrss / 1024, 1),
            "pages": int(pages[1]) if pages else None, "words": int(words[1]) if words else None}


def dir_bytes(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


# ------------------------------------------------------------------------ ground truth

def load_truth(site: Path) -> dict[str, str]:
    """Our index's page texts by URL ("" is the home page), normalised."""
    texts = {}
    for f in (site / searchindex.INDEX_DIR / "d").glob("*.json"):
        doc = json.loads(f.read_text("utf-8"))
        texts[doc["u"]] = searchindex.normalize(doc["x"] + " " + doc["t"])
    return texts


def relevant(texts: dict[str, str], q: str) -> set[str]:
    parts = searchindex.runs(q)
    return {u for u, t in texts.items() if all(p in t for p in parts)}


def page_url(url: str) -> str:
    """Site-relative page URL without anchor, query or index.html."""
    url = re.sub(r"^https?://[^/]+", "", url).split("#", 1)[0].split("?", 1)[0]
    url = url.lstrip("/")
    if url.endswith("index.html"):
        url = url[: -len("index.html")]
    return url


def score(found: set[str], truth: set[str], universe: set[str]) -> dict[str, Any]:
    inside = found & universe
    hit = inside & truth
    return {
        "truth": len(truth), "found": len(inside), "outside": len(found - universe),
        "recall": round(len(hit) / len(truth), 4) if truth else None,
        "precision": round(len(hit) / len(inside), 4) if inside else (0.0 if truth else 1.0),
        "missed": sorted(truth - inside)[:5], "false": sorted(inside - truth)[:5],
    }


# ------------------------------------------------------------------------ serving

class _Handler(http.server.SimpleHTTPRequestHandler):
    sent: list[tuple[str, int]]
    extensions_map = {  # noqa: RUF012 — the base class declares it as a plain attribute
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm", ".js": "text/javascript", ".json": "application/json",
        ".pagefind": "application/octet-stream"}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def copyfile(self, source: Any, outputfile: Any) -> None:
        n = 0
        while chunk := source.read(64 * 1024):
            outputfile.write(chunk)
            n += len(chunk)
        self.sent.append((self.path, n))


class Server:
    def __init__(self, root: Path) -> None:
        self.sent: list[tuple[str, int]] = []
        handler = type("Handler", (_Handler,), {"sent": self.sent})
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(root)))
        self.root = root
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


_gzip_cache: dict[Path, int] = {}


def gzip_size(root: Path, url: str) -> int:
    path = root / page_url(url)
    if path.is_dir():
        path = path / "index.html"
    if not path.is_file():
        return 0
    if path not in _gzip_cache:
        _gzip_cache[path] = len(gzip.compress(path.read_bytes(), 6, mtime=0))
    return _gzip_cache[path]


# ------------------------------------------------------------------------ browser

CAPTURE_WORKER = """
(() => {
  const W = window.Worker;
  window.__mdQueries = []; window.__mdResults = [];
  window.Worker = function (url, opts) {
    const w = new W(url, opts);
    const post = w.postMessage.bind(w);
    w.postMessage = (m, t) => { if (m && m.type === 2) window.__mdQueries.push(m.data); return post(m, t); };
    w.addEventListener("message", e => {
      if (e.data && e.data.type === 3)
        window.__mdResults.push(e.data.data.items.map(g => g.map(d => d.location)));
    });
    return w;
  };
  window.Worker.prototype = W.prototype;
})();
"""

TYPE_AND_WAIT = """
async ({q, none, timeout}) => {
  const input = document.querySelector('.md-search__input');
  const meta = () => (document.querySelector('.md-search-result__meta') || {}).textContent || '';
  const t0 = performance.now();
  input.value = q;
  input.focus();
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, key: q.slice(-1)}));
  return await new Promise(resolve => {
    let obs = null, timer = null;
    const check = () => {
      const items = document.querySelectorAll('.md-search-result__item');
      const empty = meta().trim() === none;
      if (!items.length && !empty) return false;
      const t1 = performance.now();
      if (obs) obs.disconnect();
      if (timer) clearTimeout(timer);
      const links = document.querySelectorAll('.md-search-result__item a.md-search-result__link');
      resolve({ms: t1 - t0, since_nav: t1, empty: !items.length, meta: meta(),
               urls: [...links].map(a => a.href)});
      return true;
    };
    if (check()) return;
    obs = new MutationObserver(check);
    obs.observe(document.body, {childList: true, subtree: true, characterData: true});
    timer = setTimeout(() => { obs.disconnect(); resolve({ms: null, meta: meta(), urls: []}); }, timeout);
  });
}
"""

PAGEFIND_FIRST_JS = """
async ({q, n}) => {
  const t0 = performance.now();
  const pagefind = await import('/pagefind/pagefind.js');
  const search = await pagefind.search(q);
  const first = await Promise.all(search.results.slice(0, n).map(r => r.data()));
  const t1 = performance.now();
  window.__pfSearch = search;
  return {ms: t1 - t0, since_nav: t1, total: search.results.length, urls: first.map(d => d.url)};
}
"""

PAGEFIND_ALL_JS = """
async () => (await Promise.all(window.__pfSearch.results.map(r => r.data()))).map(d => d.url)
"""

MATERIAL_ALL_JS = """
async ({q, timeout}) => {
  const t0 = performance.now();
  while (performance.now() - t0 < timeout) {
    const i = window.__mdQueries.lastIndexOf(q);
    if (i >= 0 && window.__mdResults.length > i) return window.__mdResults[i];
    await new Promise(r => setTimeout(r, 50));
  }
  return null;
}
"""


class Recorder:
    """Responses of one browser context, as (url, body bytes).

    Chromium reports a body size of 0 for a dedicated worker's own script (Material's
    search worker, pagefind-worker.js); those are taken from the served file instead
    (http.server sends files unchanged) and counted in ``from_disk``.
    """

    def __init__(self, context: Any, root: Path) -> None:
        self.requests: list[Any] = []
        self.root = root
        self.from_disk: list[str] = []
        context.on("requestfinished", lambda request: self.requests.append(request))

    def snapshot(self) -> list[tuple[str, int]]:
        out = []
        for req in list(self.requests):
            try:
                size = req.sizes()["responseBodySize"]
                status = req.response().status if req.response() else 0
            except Exception:  # a request torn down with its context
                size, status = 0, 0
            if size <= 0 and status == 200:
                path = self.root / page_url(req.url)
                path = path / "index.html" if path.is_dir() else path
                if path.is_file():
                    size = path.stat().st_size
                    self.from_disk.append(page_url(req.url))
            out.append((req.url, max(size, 0)))
        return out


def summarise_bytes(option: str, responses: list[tuple[str, int]], root: Path,
                    only_search: bool) -> dict[str, int]:
    pattern = SEARCH_ASSETS[option]
    chosen = [(u, n) for u, n in responses if not only_search or pattern.search(u)]
    return {"bytes": sum(n for _, n in chosen),
            "gzip": sum(gzip_size(root, u) for u, _ in chosen),
            "requests": len(chosen)}


def browser_runs(sites: dict[str, Path], queries: list[str], texts: dict[str, str],
                 log: Any) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    servers = {name: Server(path) for name, path in sites.items()}
    out: dict[str, Any] = {"page_load": {}, "queries": {o: {} for o in sites}}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                         headless=True)
            out["chromium"] = browser.version

            def context(root: Path) -> tuple[Any, Recorder]:
                ctx = browser.new_context(viewport={"width": 1280, "height": 900},
                                          service_workers="block")
                return ctx, Recorder(ctx, root)

            # Page load, no search: the home page, until the network is idle.
            for option, server in servers.items():
                loads = []
                for _ in range(2):
                    ctx, rec = context(server.root)
                    if option == "material":
                        ctx.add_init_script(CAPTURE_WORKER)
                    page = ctx.new_page()
                    server.sent.clear()
                    page.goto(server.url, wait_until="networkidle")
                    page.wait_for_timeout(1000)
                    responses = rec.snapshot()
                    loads.append({
                        "all": summarise_bytes(option, responses, server.root, False),
                        "search": summarise_bytes(option, responses, server.root, True),
                        "server_bytes": sum(n for _, n in server.sent),
                        "sizes_from_disk": sorted(set(rec.from_disk)),
                    })
                    ctx.close()
                out["page_load"][option] = loads[-1]
                log(f"page load {option}: {loads[-1]}")

            for q in queries:
                for option, server in servers.items():
                    ctx, rec = context(server.root)
                    if option == "material":
                        ctx.add_init_script(CAPTURE_WORKER)
                    page = ctx.new_page()
                    server.sent.clear()
                    page.goto(server.url, wait_until="load")
                    if option == "pagefind":
                        first = page.evaluate(PAGEFIND_FIRST_JS, {"q": q, "n": PAGEFIND_FIRST})
                    else:
                        first = page.evaluate(TYPE_AND_WAIT, {"q": q, "none": NO_RESULT_TEXT[option],
                                                              "timeout": TIMEOUT_MS})
                    page.wait_for_timeout(300)  # let the last requestfinished events arrive
                    responses = rec.snapshot()
                    server_bytes = sum(n for _, n in server.sent)
                    row: dict[str, Any] = {
                        "ms": None if first["ms"] is None else round(first["ms"]),
                        "ms_since_navigation": None if first.get("since_nav") is None
                        else round(first["since_nav"]),
                        "search_bytes": summarise_bytes(option, responses, server.root, True),
                        "all_bytes": summarise_bytes(option, responses, server.root, False),
                        "server_bytes": server_bytes,
                        "sizes_from_disk": sorted(set(rec.from_disk)),
                        "first_urls": list(dict.fromkeys(page_url(u) for u in first["urls"]))[:10],
                    }
                    if option == "pagefind":
                        urls = page.evaluate(PAGEFIND_ALL_JS)
                        row["results"] = sorted({page_url(u) for u in urls})
                    elif option == "material":
                        groups = page.evaluate(MATERIAL_ALL_JS, {"q": q, "timeout": TIMEOUT_MS})
                        row["results"] = None if groups is None else sorted(
                            {page_url(loc) for g in groups for loc in g})
                        row["meta"] = first.get("meta")
                    else:
                        row["meta"] = first.get("meta")
                    ctx.close()
                    out["queries"][option][q] = row
                    log(f"{q} {option}: {row['ms']} ms, {row['search_bytes']['bytes']} B, "
                        f"{len(row.get('results') or [])} results")
            browser.close()
    finally:
        for s in servers.values():
            s.close()
    return out


# ------------------------------------------------------------------------ report

def ours_python(site: Path, queries: list[str]) -> dict[str, Any]:
    index = site / searchindex.INDEX_DIR
    by_number = {}
    for f in (index / "d").glob("*.json"):
        by_number[int(f.stem)] = json.loads(f.read_text("utf-8"))["u"]
    manifest = (index / "manifest.json").stat().st_size
    rows = {}
    for q in queries:
        found, shards = searchindex.candidates(index, q)
        files = [index / "manifest.json"] + [index / f for f in shards] + \
            [index / "d" / f"{n}.json" for n in found[:10]]
        confirmed = [h.url for h in searchindex.query(index, q, limit=10) if h.confirmed]
        rows[q] = {
            "results": sorted(by_number[n] for n in found),
            "bytes": manifest + sum(f.stat().st_size for f in files[1:]),
            "gzip": sum(len(gzip.compress(f.read_bytes(), 6, mtime=0)) for f in files),
            "first_confirmed": confirmed,
        }
    return rows


def stats(values: list[float]) -> dict[str, float | None]:
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return {"median": None, "p90": None, "max": None, "min": None, "mean": None}
    return {"min": vals[0], "median": statistics.median(vals),
            "p90": vals[min(len(vals) - 1, round(0.9 * (len(vals) - 1)))],
            "max": vals[-1], "mean": round(statistics.mean(vals), 4)}


def evaluate(result: dict[str, Any], texts: dict[str, str], queries: list[str]) -> None:
    universe = set(texts)
    browser = result["browser"]
    python_ours = result["ours_python"]
    options: dict[str, Any] = {}
    for option in ("ours", "pagefind", "material"):
        per_query = {}
        for q in queries:
            truth = relevant(texts, q)
            b = browser["queries"][option][q]
            found = python_ours[q]["results"] if option == "ours" else (b.get("results") or [])
            s = score(set(found), truth, universe)
            s.update({"ms": b["ms"], "search_bytes": b["search_bytes"]["bytes"],
                      "search_gzip": b["search_bytes"]["gzip"],
                      "all_bytes": b["all_bytes"]["bytes"], "server_bytes": b["server_bytes"]})
            if option == "ours":
                s["python_bytes"] = python_ours[q]["bytes"]
                s["python_gzip"] = python_ours[q]["gzip"]
                shown = [u for u in b["first_urls"]]
                s["ui_first_batch_matches_python"] = shown == python_ours[q]["first_confirmed"]
            per_query[q] = s
        rows = list(per_query.values())
        options[option] = {
            "recall": stats([r["recall"] for r in rows if r["recall"] is not None]),
            "precision": stats([r["precision"] for r in rows]),
            "queries_recall_below_1": [q for q, r in per_query.items()
                                       if r["recall"] is not None and r["recall"] < 1],
            "queries_precision_below_1": [q for q, r in per_query.items() if r["precision"] < 1],
            "ms": stats([r["ms"] for r in rows]),
            "search_bytes": stats([r["search_bytes"] for r in rows]),
            "search_gzip": stats([r["search_gzip"] for r in rows]),
            "page_load": browser["page_load"][option],
            "per_query": per_query,
        }
    result["options"] = options


def kb(n: float | None) -> str:
    return "–" if n is None else f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1048576:.2f} MB"


def table(result: dict[str, Any]) -> str:
    o = result["options"]
    names = {"ours": "ours (n-gram)", "pagefind": "Pagefind 1.5.2 ext.",
             "material": "Material + jieba"}
    idx = result["index"]

    def ms(s: dict[str, Any]) -> str:
        return "–" if s["median"] is None else f"{s['median']:,.0f} / {s['max']:,.0f}"

    lines = ["| | " + " | ".join(names[k] for k in o) + " |",
             "|---|" + "---|" * len(o)]

    def row(label: str, fn: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(fn(k, o[k]) for k in o) + " |")

    row("recall mean / min", lambda k, v: f"{v['recall']['mean']:.3f} / {v['recall']['min']:.3f}")
    row("queries with recall < 1", lambda k, v: str(len(v["queries_recall_below_1"])))
    row("precision mean / min",
        lambda k, v: f"{v['precision']['mean']:.3f} / {v['precision']['min']:.3f}")
    row("search bytes before 1st result, median / max",
        lambda k, v: f"{kb(v['search_bytes']['median'])} / {kb(v['search_bytes']['max'])}")
    row("… gzip -6, median / max",
        lambda k, v: f"{kb(v['search_gzip']['median'])} / {kb(v['search_gzip']['max'])}")
    row("page load, all bytes (gzip)",
        lambda k, v: f"{kb(v['page_load']['all']['bytes'])} ({kb(v['page_load']['all']['gzip'])})")
    row("… of which search (gzip)",
        lambda k, v: f"{kb(v['page_load']['search']['bytes'])} "
                     f"({kb(v['page_load']['search']['gzip'])})")
    row("results outside the shared page set, mean per query",
        lambda k, v: f"{statistics.mean(r['outside'] for r in v['per_query'].values()):.0f}")
    row("time to 1st result ms, median / max", lambda k, v: ms(v["ms"]))
    row("index build s", lambda k, v: f"{idx[k]['index_s']}" + (
        f" (peak {idx[k]['peak_memory_mb']:.0f} MB)" if "peak_memory_mb" in idx[k] else ""))
    row("index on disk (files)",
        lambda k, v: f"{kb(idx[k]['bytes'])} ({idx[k]['files']:,})")
    return "\n".join(lines)


def per_query_table(result: dict[str, Any]) -> str:
    o = result["options"]
    lines = ["| query | pages | ours R/P | Pagefind R/P | Material R/P | ours ms | Pagefind ms | Material ms |",
             "|---|---|---|---|---|---|---|---|"]
    for q in result["queries"]:
        cells = [q, str(o["ours"]["per_query"][q]["truth"])]
        for k in o:
            r = o[k]["per_query"][q]
            rec = "–" if r["recall"] is None else f"{r['recall']:.2f}"
            cells.append(f"{rec}/{r['precision']:.2f}")
        for k in o:
            cells.append(str(o[k]["per_query"][q]["ms"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ------------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--work", type=Path, default=None,
                        help="working folder (default benchmarks/out/search_options/x<scale>)")
    parser.add_argument("--reuse", action="store_true", help="reuse sites built by an earlier run")
    parser.add_argument("--queries", default=None, help="comma-separated subset of QUERIES")
    parser.add_argument("--json", type=Path, default=None,
                        help="default benchmarks/out/search_options_x<scale>.json")
    args = parser.parse_args(argv)
    os.nice(5)  # other work shares the 2 cores
    queries = args.queries.split(",") if args.queries else list(QUERIES)
    work = (args.work or ROOT / "benchmarks" / "out" / "search_options" / f"x{args.scale}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    json_path = args.json or ROOT / "benchmarks" / "out" / f"search_options_x{args.scale}.json"

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    data_dir, ours_site, md_site = work / "sites_data", work / "site", work / "site-material"
    timings_file = work / "timings.json"
    load_before = os.getloadavg()
    if args.reuse and timings_file.exists():
        index = json.loads(timings_file.read_text("utf-8"))
        log("reusing built sites")
    else:
        log(f"synthesising ×{args.scale}")
        synthesise(args.scale, data_dir)
        log("building ours")
        ours = _child(["ours", str(data_dir), str(ours_site), str(ROOT / "mkdocs.yml")])
        log(f"ours: {ours}")
        with tempfile.TemporaryDirectory(prefix="showcase-mdsearch-") as tmp:
            config = material_config(Path(tmp))
            log("building with Material search + jieba")
            material = _child(["material", str(data_dir), str(md_site), str(config)])
        log(f"material: {material}")
        log("running Pagefind")
        pagefind = run_pagefind(ours_site)
        log(f"pagefind: {pagefind}")
        index = {"ours": ours, "material": material, "pagefind": pagefind}
        timings_file.write_text(json.dumps(index), "utf-8")
    for name, path in (("ours", ours_site / "search"), ("pagefind", ours_site / "pagefind"),
                       ("material", md_site / "search" / "search_index.json")):
        size, files = dir_bytes(path) if path.is_dir() else (path.stat().st_size, 1)
        index[name].update({"bytes": size, "files": files})

    texts = load_truth(ours_site)
    empty = [q for q in queries if not relevant(texts, q)]
    if empty:
        log(f"queries without any match (left out of recall): {empty}")
    log(f"{len(texts)} searchable pages; browser runs for {len(queries)} queries")
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "loadavg_before": load_before},
        "date": dt.date.today().isoformat(),
        "scale": args.scale,
        "searchable_pages": len(texts),
        "html_pages": {"ours": sum(1 for _ in ours_site.rglob("*.html")),
                       "material": sum(1 for _ in md_site.rglob("*.html"))},
        "queries": queries,
        "index": index,
        "ours_python": ours_python(ours_site, queries),
    }
    start = time.perf_counter()
    result["browser"] = browser_runs({"ours": ours_site, "pagefind": ours_site,
                                      "material": md_site}, queries, texts, log)
    result["browser_s"] = round(time.perf_counter() - start, 1)
    result["machine"]["loadavg_after"] = os.getloadavg()
    result["machine"]["chromium"] = result["browser"].pop("chromium", None)
    evaluate(result, texts, queries)
    # The raw result lists are long: keep them only in the per-option figures' summaries.
    for option in result["browser"]["queries"].values():
        for row in option.values():
            if row.get("results") is not None:
                row["results"] = len(row["results"])
    for row in result["ours_python"].values():
        row["results"] = len(row["results"])

    print(table(result))
    print()
    print(per_query_table(result))
    print()
    print(json.dumps(result, ensure_ascii=False))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    log(f"written {json_path}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_build":
        _build_child(*sys.argv[2:6])
        raise SystemExit(0)
    raise SystemExit(main())
