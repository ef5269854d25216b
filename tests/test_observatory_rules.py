"""The Observatory port (tests/observatory.py) gives the Observatory's own answers: policies
from its test suite (mdn/mdn-http-observatory test/csp.test.js) with the expectation it
asserts for each, and whole header sets graded as its chart grades them."""

from __future__ import annotations

import pytest
from observatory import Scan, csp_test, grade

CSP_CASES = {
    "csp-header-invalid": [
        "  ", "", "default-src 'none'; default-src 'none'",
        "default-src 'none'; img-src 'self'; default-src 'none'",
        "default-src 'none'; script-src 'strict-dynamic'", "defa"],
    "csp-implemented-with-insecure-scheme": [
        "default-src http://mozilla.org", "default-src 'none'; script-src http://mozilla.org",
        "default-src 'none'; script-src ftp://mozilla.org"],
    "csp-implemented-with-insecure-scheme-in-passive-content-only": [
        "default-src 'none'; img-src http://mozilla.org", "default-src 'self'; img-src ftp:",
        "default-src 'self'; img-src http:",
        "default-src 'none'; img-src https:; media-src http://mozilla.org",
        "default-src 'none'; img-src 'none'; media-src http:; script-src 'self'; style-src 'unsafe-inline'"],
    "csp-implemented-with-unsafe-inline": [
        "script-src 'unsafe-inline'", "script-src data:", "script-src http:",
        "default-src 'UNSAFE-INLINE'", "upgrade-insecure-requests", "script-src 'none'",
        "script-src https://mozilla.org https:", "default-src 'none'; script-src *",
        "default-src 'none'; script-src 'none'; object-src *",
        "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'",
        "object-src https:; script-src 'none'",
        "default-src 'none'; script-src https://*"],
    "csp-implemented-with-unsafe-eval": ["default-src 'none'; script-src 'unsafe-eval'"],
    "csp-implemented-with-unsafe-inline-in-style-src-only": [
        "object-src 'none'; script-src 'none'; style-src 'unsafe-inline'",
        "default-src 'unsafe-inline'; script-src https://mozilla.org",
        "default-src 'none';;; ;;;style-src 'self' 'unsafe-inline'",
        "default-src 'none'; style-src data:", "default-src 'none'; style-src https:",
        "default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB=' 'unsafe-inline'"],
    "csp-implemented-with-no-unsafe": [
        "default-src https://mozilla.org",
        "default-src https://mozilla.org;;; ;;;script-src 'none'",
        "object-src 'none'; script-src 'strict-dynamic' 'nonce-abc' 'unsafe-inline'; style-src 'none'",
        "object-src 'none'; style-src 'self';"
        "script-src 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA='",
        "default-src https://mozilla.org; style-src 'unsafe-inline' 'nonce-abc123' 'unsafe-inline'"],
    "csp-implemented-with-no-unsafe-default-src-none": [
        "default-src",
        "default-src 'none'; script-src 'strict-dynamic' 'nonce-abc123' 'unsafe-inline'",
        "default-src 'none'; object-src https://mozilla.org"],
}


@pytest.mark.parametrize(("expected", "policy"),
                         [(e, p) for e, ps in CSP_CASES.items() for p in ps])
def test_content_security_policy_cases_of_the_observatorys_suite(expected: str, policy: str) -> None:
    scan = Scan(url="https://mozilla.org/", headers={"content-security-policy": [policy]},
                body="", https_ok=True)
    assert csp_test(scan)[0] == expected


def _scan(headers: dict[str, str], *, https: bool = True, redirect: bool = True) -> Scan:
    url = "https://example.gov.cn/" if https else "http://example.gov.cn/"
    route = [("http://example.gov.cn/", 301), (url, 200)] if redirect else [(url, 200)]
    return Scan(url=url, headers={k.lower(): [v] for k, v in headers.items()},
                body='<script src="/a.js"></script>', https_ok=https, http_route=route)


STRONG = {"Content-Security-Policy": "default-src 'none'; script-src 'self'; frame-ancestors 'none'",
          "Strict-Transport-Security": "max-age=31536000", "X-Content-Type-Options": "nosniff",
          "Referrer-Policy": "no-referrer", "Cross-Origin-Resource-Policy": "same-origin",
          "Content-Type": "text/html"}


def test_grades_follow_the_chart() -> None:
    best = grade(_scan(STRONG))
    assert (best.score, best.grade) == (130, "A+")
    # one negative modifier below 90 takes every bonus away
    no_hsts = grade(_scan({k: v for k, v in STRONG.items() if k != "Strict-Transport-Security"}))
    assert (no_hsts.score, no_hsts.grade) == (80, "B+")
    unsafe = grade(_scan({**STRONG, "Content-Security-Policy":
                          "default-src 'none'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"}))
    assert (unsafe.score, unsafe.grade) == (80, "B+")
    nothing = grade(_scan({"Content-Type": "text/html"}, https=False, redirect=False))
    # CSP -25, HSTS -20, no redirect -20, X-Content-Type-Options -5, X-Frame-Options -20
    assert (nothing.score, nothing.grade) == (10, "F")
    short = grade(_scan({**STRONG, "Strict-Transport-Security": "max-age=86400"}))
    assert short.results["strict-transport-security"] == "hsts-implemented-max-age-less-than-six-months"
    # 90 without the bonuses is enough to keep them: 130 - 10
    assert (short.score, short.grade) == (120, "A+")
