"""``showcase server-config nginx`` run in a real nginx (Debian's nginx-light, started
unprivileged on free ports) over the built sample site, read back over HTTPS with a
certificate it verifies, scored the way Mozilla's HTTP Observatory scores headers, and
loaded page by page in Chromium with every Content-Security-Policy violation recorded."""

from __future__ import annotations

import gzip
import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_support import TIMEOUT_MS, chromium, require_chromium
from observatory import Scan, grade, parse_csp
from server_support import Certificates, Response, free_port, make_certificates, nginx, request, require_nginx
from test_site_support import REPO, SAMPLE, build_ok, record_ids, run_cli

require_nginx()
require_chromium()

from playwright.sync_api import Browser, Page  # noqa: E402

KEYWORDS = {"'none'", "'self'", "data:"}  # every source our site policy may name


@dataclass(frozen=True)
class Served:
    site: Path
    https: str    # https://localhost:PORT
    http: str     # http://localhost:PORT (redirects)
    certs: Certificates
    config: str

    def get(self, path: str, **kwargs: Any) -> Response:
        return request(self.https + path, ca=self.certs.ca, **kwargs)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, certs: Certificates) -> Iterator[Served]:
    """The sample site (with its PDFs) behind nginx over HTTPS, as the guide tells to set up."""
    root = tmp_path_factory.mktemp("nginx")
    site = build_ok(SAMPLE, root / "site", pdf=True)
    port, redirect = free_port(), free_port()
    conf = root / "showcase.conf"
    result = run_cli("server-config", "nginx", "--site", str(site), "--server-name", "localhost",
                     "--tls-cert", str(certs.cert), "--tls-key", str(certs.key),
                     "--listen", f"127.0.0.1:{port}", "--http-redirect", f"127.0.0.1:{redirect}",
                     "--out", str(conf))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no inline code found: nothing to warn about
    with nginx(conf, root / "nginx"):
        yield Served(site, f"https://localhost:{port}", f"http://localhost:{redirect}", certs,
                     conf.read_text(encoding="utf-8"))


def page_types(site: Path) -> dict[str, str]:
    """One address of every kind of page and file the public site has."""
    sites = record_ids(SAMPLE, "sites")
    experiences = sorted(p.parent.name for p in (site / "experiences").glob("*/index.html")
                         if not p.parent.name.startswith("by_"))
    plan = sorted(p.parent.name for p in (site / "plans").glob("*/index.html"))[-1]
    pdf = sorted((site / "compilations").glob("*.pdf"))[0].name
    photo = sorted((site / "media" / "photos").glob("*-640.webp"))[0].name
    css = sorted((site / "assets" / "stylesheets").glob("main.*.min.css"))[0].name
    return {
        "home": "/", "directory": "/sites/", "site": f"/sites/{sites[0]}/",
        "library": "/experiences/", "experience": f"/experiences/{experiences[0]}/",
        "plans": "/plans/", "plan": f"/plans/{plan}/", "compilations": "/compilations/",
        "pdf": f"/compilations/{pdf}", "data": "/data/", "json": "/data/sites.json",
        "csv": "/data/sites.csv", "feed": "/feed.xml", "search": "/search/",
        "photo": f"/media/photos/{photo}", "css": f"/assets/stylesheets/{css}",
        "script": "/assets/search.js",
    }


def check_policy(policy: str) -> dict[str, set[str]]:
    csp = parse_csp(policy)
    assert csp["default-src"] == {"'none'"}
    for directive, sources in csp.items():
        assert sources <= KEYWORDS, f"{directive} allows more than the site itself: {sources}"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert csp["frame-ancestors"] == {"'none'"} and csp["script-src"] == {"'self'"}
    assert csp["style-src"] == {"'self'"}
    return csp


def check_security_headers(response: Response) -> None:
    policy = response.header("content-security-policy")
    assert policy, "no Content-Security-Policy"
    check_policy(policy)
    assert response.header("x-content-type-options") == "nosniff"
    assert response.header("referrer-policy") == "strict-origin-when-cross-origin"
    assert response.header("x-frame-options") == "DENY"
    assert response.header("strict-transport-security") == "max-age=31536000"
    assert response.header("server") == "nginx"  # no version number


CONTENT_TYPES = {"pdf": "application/pdf", "json": "application/json", "csv": "text/csv",
                 "feed": "text/xml", "photo": "image/webp", "css": "text/css",
                 "script": "application/javascript"}


def test_every_page_type_answers_200_with_the_headers(served: Served) -> None:
    for kind, path in page_types(served.site).items():
        response = served.get(path)
        assert response.status == 200, f"{kind} {path}: {response.status}"
        check_security_headers(response)
        content_type = response.header("content-type") or ""
        assert content_type.split(";")[0] == CONTENT_TYPES.get(kind, "text/html"), (kind, content_type)
        if kind not in CONTENT_TYPES or kind in ("json", "csv", "css", "script"):
            assert "charset=utf-8" in content_type, (kind, content_type)
        local = served.site / path.lstrip("/")
        expected = (local / "index.html" if path.endswith("/") else local).read_bytes()
        assert response.body == expected, f"{kind} {path}: not the built file"


def test_a_missing_page_is_404_with_our_chinese_page(served: Served) -> None:
    for path in ("/no-such-page/", "/sites/no-such-site/", "/data/missing.json"):
        response = served.get(path)
        assert response.status == 404, path
        assert "没有找到这个页面" in response.body.decode("utf-8"), path
        assert response.body == (served.site / "404.html").read_bytes()
        check_security_headers(response)
        assert response.header("cache-control") == "no-store"


def test_html_and_text_are_sent_gzip_compressed(served: Served) -> None:
    for path, built in (("/", "index.html"), ("/sites/", "sites/index.html"),
                        ("/assets/search.js", "assets/search.js"),
                        ("/data/sites.json", "data/sites.json")):
        response = served.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status == 200
        assert response.header("content-encoding") == "gzip", path
        assert "Accept-Encoding" in (response.header("vary") or "")
        # the build's own .gz file, sent as it is (gzip_static), which unpacks to the page
        assert response.body == (served.site / (built + ".gz")).read_bytes(), path
        assert gzip.decompress(response.body) == (served.site / built).read_bytes()
        plain = served.get(path)
        assert plain.header("content-encoding") is None and plain.body == (served.site / built).read_bytes()


def test_caching_long_for_fingerprinted_files_revalidated_for_the_rest(served: Served) -> None:
    types = page_types(served.site)
    for kind in ("css", "photo"):
        response = served.get(types[kind])
        assert response.header("cache-control") == "public, max-age=31536000, immutable", kind
    for kind in ("home", "site", "script", "json", "pdf"):
        response = served.get(types[kind])
        assert response.header("cache-control") == "no-cache", kind
        etag = response.header("etag")
        assert etag
        again = served.get(types[kind], headers={"If-None-Match": etag})
        assert again.status == 304, kind  # revalidated: nothing downloaded again


def test_http_redirects_to_https_and_folders_get_their_slash(served: Served) -> None:
    response = request(served.http + "/sites/?category=rural")
    assert response.status == 301
    assert response.header("location") == served.https + "/sites/?category=rural"
    folder = served.get("/sites")
    assert folder.status == 301 and folder.header("location") == "/sites/"
    check_security_headers(folder)


def test_no_directory_listing_and_no_hidden_files(served: Served) -> None:
    listing = served.get("/assets/")
    assert listing.status in (403, 404)
    assert b"search.js" not in listing.body
    for path in ("/.showcase-generated", "/assets/.hidden"):
        assert served.get(path).status == 404


def test_headers_score_a_or_better_on_the_observatory_rules(served: Served) -> None:
    home = served.get("/")
    route = [(served.http + "/", 0)]
    first = request(served.http + "/")
    route[0] = (route[0][0], first.status)
    location = first.header("location")
    assert location
    route.append((location, served.get("/").status))
    cors = served.get("/", headers={"Origin": "https://http-observatory.security.mozilla.org"})
    result = grade(Scan(url=served.https + "/", headers=home.headers,
                        body=home.body.decode("utf-8"), https_ok=True, http_route=route,
                        cors_headers=cors.headers))
    assert result.results["content-security-policy"] == "csp-implemented-with-no-unsafe-default-src-none"
    # the goal is A or better; these headers earn every bonus the rules give (README: 130)
    assert result.grade == "A+" and result.score == 130, result


def test_the_scorer_fails_a_site_served_without_these_headers(served: Served) -> None:
    """The Observatory port against a plain file server over the same site: no policy, no
    HSTS, no redirect — it must grade it down (so an A above means something)."""
    handler = type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                   {"log_message": lambda *_a: None})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(served.site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        home = request(url)
        result = grade(Scan(url=url, headers=home.headers, body=home.body.decode("utf-8"),
                            https_ok=False, http_route=[(url, home.status)]))
    finally:
        server.shutdown()
        server.server_close()
    assert result.results["content-security-policy"] == "csp-not-implemented"
    assert result.grade == "F", result


# ---------------------------------------------------------------- in the browser

_RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
    e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(_RECORD_VIOLATIONS)
    pg = context.new_page()
    console: list[str] = []
    pg.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: console.append(f"script error: {e}"))
    pg.__dict__["console_errors"] = console
    try:
        yield pg
    finally:
        context.close()


def wait_until(page: Page, expression: str, timeout: float = 10) -> None:
    """Poll ``expression`` with page.evaluate (DevTools evaluation): Playwright's own
    wait_for_function evaluates a string in the page, which the policy rightly blocks."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def violations(page: Page) -> list[str]:
    """Policy violations (the page's own events and Chromium's console) and script errors."""
    found = list(page.evaluate("window.__violations"))
    found += [m for m in page.__dict__["console_errors"]
              if "Content Security Policy" in m or m.startswith("script error")]
    return found


def test_every_page_type_runs_in_chromium_without_a_policy_violation(served: Served, page: Page) -> None:
    for kind, path in page_types(served.site).items():
        if kind in ("json", "csv", "feed", "photo", "css", "script"):
            continue
        response = page.goto(served.https + path, wait_until="load")
        assert response is not None and response.status == 200
        assert response.header_value("content-security-policy")
        page.wait_for_timeout(200)  # deferred scripts have run
        if kind == "pdf":  # Chromium's PDF viewer opens under the policy without a violation
            assert violations(page) == [], path
            continue
        assert page.evaluate("document.documentElement.classList.contains('sc-js')"), \
            f"{kind}: the head script did not run"
        assert violations(page) == [], f"{kind} {path}"
    page.goto(served.https + "/no-such-page/", wait_until="load")
    page.wait_for_timeout(200)
    assert violations(page) == []


def test_search_elder_mode_photos_and_filters_work_under_the_policy(served: Served, page: Page) -> None:
    page.goto(served.https + "/", wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("时间银行")
    wait_until(page, "document.querySelectorAll('.md-search-result__item').length > 0")
    titles = page.locator(".sc-search-title").all_inner_texts()
    assert titles, "search returned nothing"
    page.keyboard.press("Escape")
    # 长者模式: its stylesheet switched on, remembered on the next page
    page.locator(".sc-care-toggle").click()
    assert page.evaluate("document.documentElement.classList.contains('sc-care')")
    assert page.evaluate("!document.getElementById('sc-care-css').disabled")
    page.goto(served.https + "/sites/", wait_until="load")
    assert page.evaluate("document.documentElement.classList.contains('sc-care')")
    # the directory's filters
    select = page.locator("form.sc-filter select").first
    values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    select.select_option(values[0])
    wait_until(page, "document.querySelectorAll('[data-sc-item][hidden]').length > 0")
    # a photo opens in the dialog
    with_photo = next(p for p in sorted((served.site / "sites").glob("*/index.html"))
                      if 'class="sc-zoom"' in p.read_text(encoding="utf-8"))
    page.goto(served.https + f"/sites/{with_photo.parent.name}/", wait_until="load")
    page.locator("a.sc-zoom").first.click()
    wait_until(page, "document.querySelector('dialog.sc-lightbox')?.open === true")
    wait_until(page, "document.querySelector('dialog.sc-lightbox img').complete")
    assert page.evaluate("document.querySelector('dialog.sc-lightbox img').naturalWidth") > 0
    assert violations(page) == []


# ---------------------------------------------------------------- the internal build

@pytest.fixture(scope="module")
def internal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_ok(SAMPLE, tmp_path_factory.mktemp("internal") / "site", audience="internal")


def test_an_internal_build_is_refused_without_authentication(internal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "internal.conf"
    result = run_cli("server-config", "nginx", "--site", str(internal_site), "--out", str(out))
    assert result.returncode == 2
    assert "内部版网站，必须要求身份验证" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    # basic auth over plain HTTP would send the password in clear: refused too
    result = run_cli("server-config", "nginx", "--site", str(internal_site),
                     "--htpasswd", str(tmp_path / "users"))
    assert result.returncode == 2 and "明文" in result.stderr


def _serve_internal(internal_site: Path, certs: Certificates, root: Path,
                    *extra: str) -> tuple[Path, int]:
    port = free_port()
    conf = root / "internal.conf"
    result = run_cli("server-config", "nginx", "--site", str(internal_site), "--server-name",
                     "localhost", "--tls-cert", str(certs.cert), "--tls-key", str(certs.key),
                     "--listen", f"127.0.0.1:{port}", "--http-redirect", "off", *extra,
                     "--out", str(conf))
    assert result.returncode == 0, result.stderr
    return conf, port


def test_internal_site_asks_for_a_password(internal_site: Path, certs: Certificates,
                                           tmp_path: Path, browser: Browser) -> None:
    import subprocess

    users = tmp_path / "users"
    hashed = subprocess.run(["openssl", "passwd", "-6", "mima-123"], capture_output=True,
                            text=True, check=True).stdout.strip()
    users.write_text(f"zhangsan:{hashed}\n", encoding="utf-8")
    conf, port = _serve_internal(internal_site, certs, tmp_path, "--htpasswd", str(users))
    text = conf.read_text(encoding="utf-8")
    assert "X-Robots-Tag" in text
    with nginx(conf, tmp_path / "nginx"):
        url = f"https://localhost:{port}"
        refused = request(url + "/", ca=certs.ca)
        assert refused.status == 401
        assert refused.header("www-authenticate") == 'Basic realm="showcase"'
        assert "需要登录" in refused.body.decode("utf-8")
        check_security_headers(refused)
        import base64

        wrong = base64.b64encode(b"zhangsan:wrong").decode()
        assert request(url + "/", ca=certs.ca, headers={"Authorization": f"Basic {wrong}"}).status == 401
        right = base64.b64encode(b"zhangsan:mima-123").decode()
        for path in ("/", "/internal/", "/guide/"):
            response = request(url + path, ca=certs.ca, headers={"Authorization": f"Basic {right}"})
            assert response.status == 200, path
            assert response.header("x-robots-tag") == "noindex, nofollow"
        # the browser editor has its own, wider policy; the rest of the site keeps ours
        admin = request(url + "/admin/", ca=certs.ca, headers={"Authorization": f"Basic {right}"})
        assert admin.status == 200
        policy = admin.header("content-security-policy") or ""
        assert "'unsafe-eval'" in policy and "frame-ancestors 'none'" in policy
        scripts = re.findall(r"<script>(.*?)</script>", admin.body.decode("utf-8"), re.S)
        assert scripts and all(_hash(s) in policy for s in scripts)
        # and the editor (Decap CMS) starts under it in Chromium
        context = browser.new_context(ignore_https_errors=True, http_credentials={
            "username": "zhangsan", "password": "mima-123"})
        try:
            context.add_init_script(_RECORD_VIOLATIONS)
            pg = context.new_page()
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(url + "/admin/", wait_until="load")
            wait_until(pg, "document.body.innerText.includes('使用 GitLab 登录')")
            assert pg.evaluate("window.__violations") == [] and errors == []
        finally:
            context.close()


def _hash(text: str) -> str:
    import base64
    import hashlib

    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_internal_site_admits_only_client_certificates(internal_site: Path, certs: Certificates,
                                                       tmp_path: Path) -> None:
    conf, port = _serve_internal(internal_site, certs, tmp_path, "--client-ca", str(certs.ca))
    with nginx(conf, tmp_path / "nginx"):
        url = f"https://localhost:{port}/"
        refused = request(url, ca=certs.ca)
        assert refused.status == 403
        assert "需要有效的客户端证书" in refused.body.decode("utf-8")
        admitted = request(url, ca=certs.ca, client=(certs.client_cert, certs.client_key))
        assert admitted.status == 200 and "内部资料".encode() in admitted.body


def test_the_policy_allows_by_hash_what_a_page_has_inline(tmp_path: Path) -> None:
    """A page with an inline script (another engine, a hand-made override): the policy
    allows exactly that script by its hash, and says so; a site address with a path is
    pointed out."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "fixtures" / "minimal", tmp_path / "data")
    program = tmp_path / "data" / "program.yml"  # an address below the domain's root
    program.write_text(re.sub(r"(?m)^site_url:.*$", "", program.read_text(encoding="utf-8"))
                       + "site_url: https://dangjian.example.gov.cn/shifan/\n", encoding="utf-8")
    build_ok(tmp_path / "data", site)
    page = site / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</head>", "<script>console.log('x')</script><style>p{}</style></head>"), encoding="utf-8")
    result = run_cli("server-config", "nginx", "--site", str(site))
    assert result.returncode == 0, result.stderr
    script = "console.log('x')"
    assert f"'{_hash(script)}'" in result.stdout
    assert f"'{_hash('p{}')}'" in result.stdout
    assert "内联脚本或样式" in result.stderr
    assert "server_name dangjian.example.gov.cn;" in result.stdout
    assert "site_url 带有路径 /shifan/" in result.stderr


def test_writing_the_configuration_is_guarded(served: Served, tmp_path: Path) -> None:
    foreign = tmp_path / "nginx.conf"
    foreign.write_text("# someone else's\n", encoding="utf-8")
    result = run_cli("server-config", "nginx", "--site", str(served.site), "--out", str(foreign))
    assert result.returncode == 2 and "不是 showcase" in result.stderr
    assert foreign.read_text(encoding="utf-8") == "# someone else's\n"
    ours = tmp_path / "showcase.conf"
    for _ in range(2):  # our own file is replaced
        result = run_cli("server-config", "nginx", "--site", str(served.site), "--out", str(ours))
        assert result.returncode == 0, result.stderr
    half = run_cli("server-config", "nginx", "--site", str(served.site), "--tls-cert", "x.pem")
    assert half.returncode == 2 and "--tls-key" in half.stderr
    missing = run_cli("server-config", "nginx", "--site", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "showcase build" in missing.stderr
    assert "Traceback" not in missing.stderr + half.stderr + result.stderr
