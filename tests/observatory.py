"""Mozilla's HTTP Observatory score of a site, computed the way the Observatory computes it.

A port of the scoring rules of mdn/mdn-http-observatory (``src/analyzer/tests/*.js``,
``src/grader/charts.js``, ``src/scanner/index.js``; read at commit 94042bb, 2026-08): each
test maps the responses to one expectation with a score modifier; the score is 100 plus
the modifiers (bonuses only when the score without them is already 90 or more); the grade
follows the chart. Only what a single-policy site needs is ported: one
Content-Security-Policy header (no ``<meta>`` policies), no cookies, no HSTS preload list
(our test hosts are on none). No network: the caller passes the responses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DANGEROUSLY_BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*",
                     "https://*.*"}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
PASSIVE_DIRECTIVES = {"img-src", "media-src"}
NONCES_HASHES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
SIX_MONTHS = 15_552_000

# Expectation → score modifier (charts.js SCORE_TABLE), for the expectations ported here.
MODIFIERS = {
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    "cookies-not-found": 0,
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "hsts-not-implemented-no-https": -20,
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    "cross-origin-resource-policy-not-implemented": 0,
    "cross-origin-resource-policy-implemented-with-same-origin": 10,
    "cross-origin-resource-policy-implemented-with-same-site": 10,
    "cross-origin-resource-policy-implemented-with-cross-origin": 0,
    "cross-origin-resource-policy-header-invalid": -5,
}
GRADES = [(100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"),
          (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F")]


@dataclass
class Scan:
    """What the Observatory looks at: the final response of the site's address (``auto``),
    its HTTPS response, and the chain of responses from ``http://host/``."""

    url: str                                   # the address scanned (https:// when served so)
    headers: dict[str, list[str]]              # of the final response, lower-case names
    body: str                                  # its HTML
    https_ok: bool                             # an HTTPS response with a verified certificate
    http_route: list[tuple[str, int]] = field(default_factory=list)  # (url, status) from http://
    cors_headers: dict[str, list[str]] = field(default_factory=dict)  # response to an Origin request


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def parse_csp(policy: str) -> dict[str, set[str]]:
    """cspParser.js for one policy: directives lower-cased, duplicates invalid, an empty
    source list of a *-src directive is 'none', a longer source is dropped when a shorter
    one of the same policy is its prefix."""
    policy = re.sub(r"[\r\n]", "", policy).strip()
    if len(policy) < len("img-src") - 1:
        raise ValueError("policy too short")
    csp: dict[str, set[str]] = {}
    for entry in policy.split(";"):
        words = entry.strip().split()
        if not words:
            continue
        directive = words[0].lower()
        if directive in csp:
            if directive in ("report-uri", "report-to"):
                continue
            raise ValueError(f"duplicate directive {directive}")
        sources = sorted(w.lower() for w in words[1:])
        if not sources and directive.endswith("-src"):
            sources = ["'none'"]
        kept = [s for i, s in enumerate(sources) if not (i and s.startswith(sources[i - 1]))]
        csp[directive] = set(kept) or {"'none'"}
    return csp


def csp_test(scan: Scan) -> tuple[str, dict[str, set[str]] | None]:
    raw = scan.headers.get("content-security-policy", [])
    policies = [p.strip() for v in raw for p in v.split(",")]
    if not policies:
        return "csp-not-implemented", None
    if len(policies) > 1:
        raise NotImplementedError("more than one policy: not ported")
    try:
        csp = parse_csp(policies[0])
    except ValueError:
        return "csp-header-invalid", None
    if not csp:
        return "csp-not-implemented", None
    result: str | None = None
    script_src = set(csp.get("script-src") or csp.get("default-src") or {"*"})
    style_src = set(csp.get("style-src") or csp.get("default-src") or {"*"})
    object_src = set(csp.get("object-src") or csp.get("default-src") or {"*"})
    for sources in (script_src, style_src):
        if any(s.startswith(NONCES_HASHES) for s in sources):
            sources.discard("'unsafe-inline'")
    if any(s.startswith(NONCES_HASHES) for s in script_src) and "'strict-dynamic'" in script_src:
        script_src = {s for s in script_src if not (any(s.startswith(b) for b in DANGEROUSLY_BROAD)
                                                    or s in ("'self'", "'unsafe-inline'"))}
    elif "'strict-dynamic'" in script_src:
        result = "csp-header-invalid"
    active = [s for d, ss in csp.items() if d not in PASSIVE_DIRECTIVES and d != "script-src"
              for s in ss] + list(script_src)
    passive = [s for d in PASSIVE_DIRECTIVES for s in (csp.get(d) or csp.get("default-src") or set())]
    https = urlsplit(scan.url).scheme == "https"
    if script_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE) or object_src & DANGEROUSLY_BROAD:
        result = result or "csp-implemented-with-unsafe-inline"
    if https and any(s.startswith(("http:", "ftp:")) for s in active):
        result = result or "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script_src | style_src:
        result = result or "csp-implemented-with-unsafe-eval"
    if https and any(s.startswith(("http:", "ftp:")) for s in passive):
        result = result or "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE):
        result = result or "csp-implemented-with-unsafe-inline-in-style-src-only"
    if csp.get("default-src") == {"'none'"}:
        result = result or "csp-implemented-with-no-unsafe-default-src-none"
    return result or "csp-implemented-with-no-unsafe", csp


def cookies_test(scan: Scan) -> str:
    if scan.headers.get("set-cookie"):
        raise NotImplementedError("cookies: not ported (our sites set none)")
    return "cookies-not-found"


def cors_test(scan: Scan) -> str:
    acao = _first(scan.cors_headers, "access-control-allow-origin")
    if not acao:
        return "cross-origin-resource-sharing-not-implemented"
    if acao.strip().lower() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    credentials = (_first(scan.cors_headers, "access-control-allow-credentials") or "").strip()
    if acao.strip().lower() == "https://http-observatory.security.mozilla.org" and \
            credentials.lower() == "true":
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def redirection_test(scan: Scan) -> str:
    route = scan.http_route
    if not route:
        return "redirection-not-needed-no-http"
    if len(route) == 1:
        return "redirection-missing"
    schemes = [urlsplit(u).scheme for u, _ in route]
    if schemes[-1] != "https":
        return "redirection-not-to-https"
    if schemes[1] == "http":
        return "redirection-not-to-https-on-initial-redirection"
    if urlsplit(route[0][0]).hostname != urlsplit(route[1][0]).hostname:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def referrer_test(scan: Scan) -> str:
    good = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"]
    bad = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"]
    values = scan.headers.get("referrer-policy", [])
    if not values:
        return "referrer-policy-not-implemented"
    valid = [v.strip().lower() for v in ", ".join(values).split(",") if v.strip().lower() in good + bad]
    policy = valid[-1] if valid else ""
    if policy in good:
        return "referrer-policy-private"
    return "referrer-policy-unsafe" if policy in bad else "referrer-policy-header-invalid"


def hsts_test(scan: Scan) -> str:
    if not scan.https_ok:
        return "hsts-not-implemented-no-https"
    header = _first(scan.headers, "strict-transport-security")
    if header is None:
        return "hsts-not-implemented"
    if "," in header:
        return "hsts-header-invalid"
    max_age = None
    for parameter in (p.strip().lower() for p in header[:1024].split(";")):
        if parameter.startswith("max-age="):
            digits = re.match(r"\d+", parameter[8:128])
            max_age = int(digits[0]) if digits else None
    if max_age is None:
        return "hsts-header-invalid"
    return ("hsts-implemented-max-age-at-least-six-months" if max_age >= SIX_MONTHS
            else "hsts-implemented-max-age-less-than-six-months")


def sri_test(scan: Scan) -> str:
    mime = (_first(scan.headers, "content-type") or "").split(";", 1)[0]
    if mime and mime not in ("text/html", "application/xhtml+xml"):
        return "sri-not-implemented-response-not-html"
    scripts = re.findall(r"<script\b([^>]*)>", scan.body, re.I)
    if not scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    host = urlsplit(scan.url).hostname or ""
    result = None
    foreign = False
    for attrs in scripts:
        src = re.search(r'\bsrc="([^"]*)"', attrs)
        if not src:
            continue
        url = src[1]
        integrity = re.search(r"\bintegrity=", attrs) is not None
        relative_protocol = bool(re.match(r"^//[^/]", url))
        full = bool(re.match(r"^https?://", url))
        relative_origin = not relative_protocol and not full
        # tldts' registrable domain, simplified to the last two labels (enough for a test host)
        same = relative_protocol or relative_origin or \
            (urlsplit(url).hostname or "").split(".")[-2:] == host.split(".")[-2:]
        secure_origin = relative_origin or (same and not relative_protocol)
        secure_scheme = (full and url.startswith("https:")) or \
            (relative_origin and scan.url.startswith("https:"))
        if not secure_origin:
            foreign = True
            worse = ("sri-not-implemented-and-external-scripts-not-loaded-securely"
                     if not secure_scheme and not integrity else
                     "sri-not-implemented-but-external-scripts-loaded-securely" if not integrity else
                     "sri-implemented-but-external-scripts-not-loaded-securely" if not secure_scheme else None)
            if worse and (result is None or MODIFIERS.get(worse, 0) < MODIFIERS.get(result, 0)):
                result = worse
        elif integrity and secure_scheme and result is None:
            result = "sri-implemented-and-all-scripts-loaded-securely"
    if result is None:
        result = ("sri-implemented-and-external-scripts-loaded-securely" if foreign
                  else "sri-not-implemented-but-all-scripts-loaded-from-secure-origin")
    return result


def xcto_test(scan: Scan) -> str:
    header = _first(scan.headers, "x-content-type-options")
    if header is None:
        return "x-content-type-options-not-implemented"
    return ("x-content-type-options-nosniff" if header[:256].strip().lower() == "nosniff"
            else "x-content-type-options-header-invalid")


def xfo_test(scan: Scan, csp: dict[str, set[str]] | None) -> str:
    header = _first(scan.headers, "x-frame-options")
    if header is None:
        result = "x-frame-options-not-implemented"
    else:
        xfo = header[:1024].strip().lower()
        result = ("x-frame-options-sameorigin-or-deny" if xfo in ("deny", "sameorigin") else
                  "x-frame-options-allow-from-origin" if xfo.startswith("allow-from") else
                  "x-frame-options-header-invalid")
    if csp and "frame-ancestors" in csp:
        result = "x-frame-options-implemented-via-csp"
    return result


def corp_test(scan: Scan) -> str:
    values = scan.headers.get("cross-origin-resource-policy", [])
    if not values:
        return "cross-origin-resource-policy-not-implemented"
    value = ", ".join(values)[:256].strip().lower()
    return {"same-site": "cross-origin-resource-policy-implemented-with-same-site",
            "same-origin": "cross-origin-resource-policy-implemented-with-same-origin",
            "cross-origin": "cross-origin-resource-policy-implemented-with-cross-origin",
            }.get(value, "cross-origin-resource-policy-header-invalid")


@dataclass(frozen=True)
class Grade:
    score: int
    grade: str
    results: dict[str, str]


def grade(scan: Scan) -> Grade:
    csp_result, csp = csp_test(scan)
    results = {
        "content-security-policy": csp_result,
        "cookies": cookies_test(scan),
        "cross-origin-resource-sharing": cors_test(scan),
        "redirection": redirection_test(scan),
        "referrer-policy": referrer_test(scan),
        "strict-transport-security": hsts_test(scan),
        "subresource-integrity": sri_test(scan),
        "x-content-type-options": xcto_test(scan),
        "x-frame-options": xfo_test(scan, csp),
        "cross-origin-resource-policy": corp_test(scan),
    }
    with_credit = uncurved = 100
    for result in results.values():
        modifier = MODIFIERS[result]
        with_credit += modifier
        if modifier < 0:
            uncurved += modifier
    score = max(with_credit if uncurved >= 90 else uncurved, 0)
    letter = next(g for floor, g in GRADES if min(score - score % 5, 100) >= floor)
    return Grade(score, letter, results)
