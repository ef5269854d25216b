"""Lighthouse (pinned) on the sample site's home, site directory and one site page.

    .venv/bin/python benchmarks/lighthouse.py                      # build this tree, 3 runs each
    .venv/bin/python benchmarks/lighthouse.py --revision 6b683c1   # build a commit (work tree)
    .venv/bin/python benchmarks/lighthouse.py --site site --runs 5 --json benchmarks/out/lh.json

The site is built with ``python -m generator build --no-pdf --as-of 2026-11-28`` from this
tree, or from ``--revision`` checked out in a temporary ``git worktree`` (with its own
sites_data), or taken as it is with ``--site DIR``. It is served on 127.0.0.1 by a small
threaded HTTP/1.1 server that gzips text responses (HTML, CSS, JS, JSON, SVG, XML) as a real
web server would; it sends no Cache-Control headers.

Each page is run ``--runs`` times with Lighthouse's mobile preset (its default: an emulated
Moto G Power, simulated throttling) and with ``--preset=desktop``, in Debian's Chromium
(``CHROME_PATH=/usr/bin/chromium``, a fresh profile per run), categories performance,
accessibility, best-practices and SEO. Reported per page and preset: the median over the
runs of each figure — performance, accessibility, best-practices and SEO scores, LCP, TBT,
CLS, FCP, speed index and total transfer bytes — then what the median run (by performance
score) lists: the failing accessibility, best-practices and SEO audits with their
elements, the performance insights and diagnostics below a passing score, main-thread time
by kind of work and by script, and the long tasks. The last line printed is the whole
result as JSON.

Lighthouse 13.5.0 is installed, if missing, into a cache folder with
``npm install --prefix DIR lighthouse@13.5.0 --no-audit --no-fund``. It needs Node >= 22.19
(three of its insights use iterator helpers that Node 20 lacks and end in errors there), so
when the ``node`` on PATH is older, the npm package ``node@22.23.3`` (a Node binary from the
npm registry) is installed beside it and runs Lighthouse; ``--node PATH`` picks another.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.server
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"

LIGHTHOUSE_VERSION = "13.5.0"
NODE_VERSION = "22.23.3"  # Lighthouse 13 declares "node": ">=22.19"
NODE_MINIMUM = (22, 19)
DEFAULT_CACHE = Path.home() / ".cache" / "showcase-bench" / f"lighthouse-{LIGHTHOUSE_VERSION}"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PRESETS = ["mobile", "desktop"]
PAGES = {
    "home": "/",
    "directory": "/sites/",
    "site": "/sites/wuling-nanping-jinxia-shequ/",
}
# figure -> Lighthouse audit whose numericValue it is
METRICS = {
    "lcp_ms": "largest-contentful-paint",
    "tbt_ms": "total-blocking-time",
    "cls": "cumulative-layout-shift",
    "fcp_ms": "first-contentful-paint",
    "si_ms": "speed-index",
    "transfer_bytes": "total-byte-weight",
}
RUN_TIMEOUT_S = 240


# ------------------------------------------------------------------------ tools

def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.strip().lstrip("v").split(".")[:3])


def _npm_install(prefix: Path, spec: str) -> None:
    prefix.mkdir(parents=True, exist_ok=True)
    print(f"installing {spec} into {prefix}", file=sys.stderr)
    subprocess.run(["npm", "install", "--prefix", str(prefix), spec, "--no-audit", "--no-fund"],
                   check=True, stdout=subprocess.DEVNULL)


def ensure_lighthouse(cache: Path) -> Path:
    """The CLI script of Lighthouse LIGHTHOUSE_VERSION in ``cache``, installed if missing."""
    package = cache / "node_modules" / "lighthouse" / "package.json"
    installed = (json.loads(package.read_text("utf-8")).get("version")
                 if package.is_file() else None)
    if installed != LIGHTHOUSE_VERSION:
        _npm_install(cache, f"lighthouse@{LIGHTHOUSE_VERSION}")
    return cache / "node_modules" / "lighthouse" / "cli" / "index.js"


def ensure_node(cache: Path, node: str | None) -> str:
    """A Node that Lighthouse supports: ``node`` if given, else the one on PATH when new
    enough, else the npm package node@NODE_VERSION installed under ``cache``."""
    if node:
        return node
    system = shutil.which("node")
    if system:
        out = subprocess.run([system, "--version"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and _version(out.stdout)[:2] >= NODE_MINIMUM:
            return system
    prefix = cache / f"node-{NODE_VERSION}"
    binary = prefix / "node_modules" / "node" / "bin" / "node"
    if not binary.is_file():
        _npm_install(prefix, f"node@{NODE_VERSION}")
    if not binary.is_file():  # the package fetches its binary in an install script
        raise SystemExit(f"node@{NODE_VERSION} installed no binary at {binary}; "
                         "pass --node PATH to a Node >= 22.19")
    return str(binary)


def _output(args: list[str]) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    return proc.stdout.strip()


# ------------------------------------------------------------------------ building

def checkout(revision: str, folder: Path) -> Path:
    """A work tree of ``revision`` (``scale.py``'s, with its shim for older revisions)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from scale import checkout as scale_checkout

    return scale_checkout(revision, folder)


def build(tree: Path, out: Path) -> None:
    """Build the sample site (the tree's own sites_data) of ``tree`` into ``out``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--no-pdf",
                           "--out", str(out), "--as-of", AS_OF],
                          cwd=tree, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"build in {tree} failed:\n{proc.stdout}\n{proc.stderr}")


# ------------------------------------------------------------------------ serving

# Types a web server compresses; images, fonts and archives are sent as they are.
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml",
                "image/svg+xml", "application/manifest+json")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files; text types gzipped (level 6) for clients that accept gzip."""

    protocol_version = "HTTP/1.1"  # keep-alive, as browsers get from real servers
    extensions_map = {  # noqa: RUF012 — the base class declares it as a plain attribute
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
        ".svg": "image/svg+xml", ".xml": "application/xml",
        ".webmanifest": "application/manifest+json"}
    gzipped: dict[Path, bytes]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        url_path = self.path.split("?", 1)[0].split("#", 1)[0]
        path = Path(self.translate_path(self.path))
        if path.is_dir() and url_path.endswith("/"):
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and accepts and ctype.startswith(COMPRESSIBLE)):
            return super().send_head()  # redirects, 404s, binary files, no gzip wanted
        body = self.gzipped.get(path)
        if body is None:
            body = self.gzipped[path] = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        return io.BytesIO(body)


class Server:
    def __init__(self, root: Path) -> None:
        handler = type("Handler", (_Handler,), {"gzipped": {}})
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ------------------------------------------------------------------------ Lighthouse

def run_lighthouse(node: str, cli: Path, url: str, preset: str, out: Path) -> dict[str, Any]:
    args = [node, str(cli), url, "--output=json", f"--output-path={out}", "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={' '.join(CHROME_FLAGS)}"]
    if preset != "mobile":
        args.append(f"--preset={preset}")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False,
                          timeout=RUN_TIMEOUT_S)
    if proc.returncode != 0 or not out.is_file():
        raise SystemExit(f"lighthouse {url} ({preset}) failed:\n{proc.stdout}\n{proc.stderr}")
    report: dict[str, Any] = json.loads(out.read_text("utf-8"))
    if report.get("runtimeError"):
        raise SystemExit(f"lighthouse {url} ({preset}): {report['runtimeError']}")
    return report


def figures(report: dict[str, Any]) -> dict[str, float | None]:
    """Scores (0–100) and metrics of one report."""
    row: dict[str, float | None] = {}
    for cat in CATEGORIES:
        score = report["categories"].get(cat, {}).get("score")
        row[cat] = None if score is None else round(100 * score)
    for key, audit in METRICS.items():
        value = report["audits"].get(audit, {}).get("numericValue")
        row[key] = None if value is None else round(value, 3 if key == "cls" else 0)
    return row


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _node_of(item: dict[str, Any]) -> dict[str, str]:
    node = item.get("node") or {}
    return {"selector": node.get("selector", ""),
            "snippet": " ".join(node.get("snippet", "").split())[:200],
            "explanation": " ".join(node.get("explanation", "").split())[:300]}


def _items(audit: dict[str, Any]) -> list[dict[str, Any]]:
    details = audit.get("details") or {}
    return list(details.get("items") or [])


def _longest_chain(tree: dict[str, Any]) -> dict[str, Any]:
    """The longest request chain of a network-tree detail: its length and its URLs."""
    urls, level = [], tree.get("chains") or {}
    while level:
        node = next((n for n in level.values() if n.get("isLongest")), None)
        if node is None:
            break
        urls.append(node["url"])
        level = node.get("children") or {}
    return {"longest_chain_ms": round((tree.get("longestChain") or {}).get("duration", 0)),
            "chain": urls}


def _detail_rows(details: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of an audit's details, tables nested in lists (as insights have) flattened."""
    kind = details.get("type")
    if kind in ("table", "opportunity"):
        return [i for i in details.get("items") or [] if isinstance(i, dict)]
    if kind == "network-tree":
        return [_longest_chain(details)]
    if kind == "list":
        rows = []
        for item in details.get("items") or []:
            if isinstance(item, dict) and item.get("type") == "list-section":
                item = item.get("value") or {}
            if isinstance(item, dict):
                rows.extend(_detail_rows(item))
        return rows
    return []


def _cells(item: dict[str, Any]) -> dict[str, Any]:
    """The telling columns of a detail row: what (URL, element, source line) and how much."""
    keys = ("url", "wastedMs", "wastedBytes", "totalBytes", "duration", "reflowTime",
            "longest_chain_ms", "chain")
    cells: dict[str, Any] = {k: item[k] for k in keys if k in item}
    source = item.get("source")
    if isinstance(source, dict) and source.get("type") == "source-location":
        cells["source"] = f"{source.get('url')}:{source.get('line')}:{source.get('column')}"
    if item.get("node") and _node_of(item)["selector"]:
        cells["selector"] = _node_of(item)["selector"]
    for key in ("wastedMs", "duration", "reflowTime"):
        if isinstance(cells.get(key), float):
            cells[key] = round(cells[key])
    return cells


def findings(report: dict[str, Any]) -> dict[str, Any]:
    """What a report lists as wrong: failing accessibility, best-practices and SEO audits
    with their elements; performance insights/diagnostics below 0.9; main-thread time by
    kind, by script and in long tasks."""
    audits = report["audits"]
    out: dict[str, Any] = {"failing": [], "performance": [], "errors": []}
    for category in CATEGORIES[1:]:
        for ref in report["categories"].get(category, {}).get("auditRefs", []):
            audit = audits[ref["id"]]
            if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0:
                nodes = [_node_of(i) for i in _items(audit) if i.get("node")]
                out["failing"].append({"category": category, "id": ref["id"],
                                       "title": audit.get("title"), "weight": ref.get("weight"),
                                       "elements": nodes})
    for ref in report["categories"].get("performance", {}).get("auditRefs", []):
        audit = audits[ref["id"]]
        if ref.get("group") not in ("insights", "diagnostics"):
            continue
        score, mode = audit.get("score"), audit.get("scoreDisplayMode")
        if mode in ("numeric", "binary", "metricSavings") and score is not None and score < 0.9:
            entry: dict[str, Any] = {"id": ref["id"], "title": audit.get("title"),
                                     "score": score, "display": audit.get("displayValue"),
                                     "savings": audit.get("metricSavings")}
            rows = (_cells(i) for i in _detail_rows(audit.get("details") or {}))
            entry["items"] = [c for c in rows if c][:8]
            out["performance"].append(entry)
    for key in CATEGORIES:
        for ref in report["categories"].get(key, {}).get("auditRefs", []):
            audit = audits[ref["id"]]
            if audit.get("scoreDisplayMode") == "error":
                out["errors"].append({"id": ref["id"], "message": audit.get("errorMessage")})
    work = audits.get("mainthread-work-breakdown", {})
    out["main_thread_ms"] = {
        "total": round(work.get("numericValue", 0)),
        "by_kind": {i["groupLabel"]: round(i["duration"]) for i in _items(work)},
        "by_script": [{"url": i["url"], "total": round(i["total"]),
                       "scripting": round(i.get("scripting", 0))}
                      for i in _items(audits.get("bootup-time", {}))],
        "long_tasks": [{"url": i.get("url"), "duration": round(i["duration"])}
                       for i in _items(audits.get("long-tasks", {}))],
    }
    summary = audits.get("resource-summary", {})
    out["requests"] = {i["resourceType"]: {"count": i["requestCount"],
                                           "transfer": i["transferSize"]}
                       for i in _items(summary)}
    return out


def measure(node: str, cli: Path, base: str, pages: list[str], presets: list[str],
            runs: int, reports: Path) -> list[dict[str, Any]]:
    rows = []
    for page in pages:
        for preset in presets:
            url = base + PAGES[page]
            results = []
            for n in range(runs):
                out = reports / f"{page}-{preset}-{n + 1}.json"
                report = run_lighthouse(node, cli, url, preset, out)
                results.append((figures(report), report))
                print(f"  {page} {preset} run {n + 1}: {results[-1][0]}", file=sys.stderr)
            median = {k: _median([r[k] for r, _ in results]) for k in results[0][0]}
            # the median run by performance score (the lower middle for an even count)
            order = sorted(range(runs), key=lambda i: results[i][0]["performance"] or 0)
            middle = results[order[(runs - 1) // 2]][1]
            rows.append({
                "page": page, "path": PAGES[page], "preset": preset, "median": median,
                "runs": [r for r, _ in results],
                "benchmark_index": [rep["environment"].get("benchmarkIndex")
                                    for _, rep in results],
                # URLs without the server's address, whose port changes from run to run
                "findings": json.loads(json.dumps(findings(middle)).replace(base, "")),
            })
    return rows


# ------------------------------------------------------------------------ output

def _fmt(value: float | None, scale: float = 1, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value / scale:.{digits}f}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| page | preset | performance | accessibility | best practices | SEO "
             "| LCP s | TBT ms | CLS | FCP s | speed index s | transfer KB | performance by run |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        m = r["median"]
        lines.append(" | ".join([
            f"| {r['page']} `{r['path']}`", r["preset"], _fmt(m["performance"]),
            _fmt(m["accessibility"]), _fmt(m["best-practices"]), _fmt(m["seo"]),
            _fmt(m["lcp_ms"], 1000, 2), _fmt(m["tbt_ms"]), _fmt(m["cls"], 1, 3),
            _fmt(m["fcp_ms"], 1000, 2), _fmt(m["si_ms"], 1000, 2),
            _fmt(m["transfer_bytes"], 1024, 0),
            "/".join(_fmt(run["performance"]) for run in r["runs"])]) + " |")
    return "\n".join(lines)


def report_findings(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        f = r["findings"]
        lines.append(f"\n== {r['page']} {r['path']} ({r['preset']}, median run)")
        for a in f["failing"]:
            lines.append(f"  {a['category']} FAIL {a['id']} (weight {a['weight']}): {a['title']}")
            for e in a["elements"][:6]:
                lines.append(f"      {e['selector']}  {e['snippet'][:120]}")
            if len(a["elements"]) > 6:
                lines.append(f"      … {len(a['elements']) - 6} more")
        for p in f["performance"]:
            lines.append(f"  performance {p['id']} score {p['score']}: {p['display'] or ''} "
                         f"savings {p['savings']}")
            for item in p["items"][:4]:
                lines.append(f"      {item}")
        mt = f["main_thread_ms"]
        lines.append(f"  main thread {mt['total']} ms: {mt['by_kind']}")
        for s in mt["by_script"][:5]:
            lines.append(f"      {s['url']}: {s['total']} ms ({s['scripting']} ms scripting)")
        tasks = ", ".join(f"{t['url']} {t['duration']} ms" for t in mt["long_tasks"])
        lines.append(f"  long tasks: {tasks or 'none'}")
        for e in f["errors"]:
            lines.append(f"  audit error {e['id']}: {e['message']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--site", type=Path, help="an already built site to serve")
    source.add_argument("--revision", help="build this git revision (in a temporary work tree)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and preset")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help=f"pages to run, of {','.join(PAGES)}")
    parser.add_argument("--presets", default=",".join(PRESETS), help="mobile,desktop")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"where Lighthouse is installed (default {DEFAULT_CACHE})")
    parser.add_argument("--node", help="Node binary to run Lighthouse with (default: a Node "
                        f">= {'.'.join(map(str, NODE_MINIMUM))}, installed if needed)")
    parser.add_argument("--reports", type=Path, default=None,
                        help="keep every Lighthouse JSON report in this folder")
    parser.add_argument("--json", type=Path, default=None, help="also write the result as JSON")
    args = parser.parse_args(argv)
    pages = args.pages.split(",")
    presets = args.presets.split(",")
    unknown = [p for p in pages if p not in PAGES] + [p for p in presets if p not in PRESETS]
    if unknown or args.runs < 1:
        parser.error(f"unknown page or preset: {unknown}" if unknown else "--runs must be >= 1")

    cli = ensure_lighthouse(args.cache)
    node = ensure_node(args.cache, args.node)
    with tempfile.TemporaryDirectory(prefix="showcase-lighthouse-") as tmp:
        work = Path(tmp)
        if args.site:
            site = args.site.resolve()
        elif args.revision:
            tree = work / "tree"
            try:
                build(checkout(args.revision, tree), work / "site")
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                               capture_output=True, check=False)
            site = work / "site"
        else:
            build(ROOT, work / "site")
            site = work / "site"
        reports = args.reports or work / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        server = Server(site)
        load_before = os.getloadavg()
        try:
            rows = measure(node, cli, server.url, pages, presets, args.runs, reports)
        finally:
            server.close()

    if args.site:
        revision = None
    else:
        revision = args.revision or _output(["git", "-C", str(ROOT), "rev-parse", "--short",
                                             "HEAD"]) + " + working tree"
    result = {
        "lighthouse": LIGHTHOUSE_VERSION,
        "node": _output([node, "--version"]),
        "chromium": _output([CHROMIUM, "--version"]),
        "chrome_flags": CHROME_FLAGS,
        "server": "http.server, HTTP/1.1, gzip -6 for text types, no Cache-Control",
        "source": {"revision": revision, "site": str(args.site) if args.site else None,
                   "as_of": AS_OF},
        "runs": args.runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(),
                    # mobile TBT scales with CPU time: other work on the machine shows here
                    "load_average_1min": {"before": round(load_before[0], 2),
                                          "after": round(os.getloadavg()[0], 2)}},
        "date": dt.date.today().isoformat(),
        "rows": rows,
    }
    print(table(rows))
    print(report_findings(rows))
    print(json.dumps(result, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
