"""Injection: HTML, scripts, ``javascript:`` links, attribute lists and comments typed into
every free-text field of a site and an experience never become markup in the built site,
and a name full of Markdown syntax (``| * _ [ ] #``) shows literally wherever it appears."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from test_site_support import (
    MINIMAL,
    Element,
    build_ok,
    content_of,
    html_files,
    is_external,
    link_target,
    parse_html,
    squash,
)

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_LINK = "[x](javascript:alert(1))"
ATTRS = '{: onclick="alert(1)"}'
COMMENT = "<!-- c -->"
# One line with every payload, and the same over several lines / paragraphs, so that an
# attribute list follows a paragraph and raw HTML starts a block.
INLINE = f"甲 {SCRIPT} 乙 {IMG} 丙 {JS_LINK} 丁 {COMMENT} 戊 {ATTRS}"
BLOCK = f"段落一\n{ATTRS}\n\n{SCRIPT}\n\n{IMG}\n\n{JS_LINK}\n\n{COMMENT}\n\n段落二\n{ATTRS}\n"
LITERAL = "字面 | 竖线 * 星号 _下划线_ [方括号] #井号 名称"
BODY = "## 小标题 " + INLINE + "\n\n" + BLOCK


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


PAYLOAD_SITE = f"""\
name: {q("注入测试 " + INLINE)}
short_name: {q("简称 " + INLINE)}
category: rural
unit: chengnan
batch: 2025
summary: {q("简介 " + INLINE)}
profile: {q(BLOCK)}
organization:
  type: {q(INLINE)}
  members: 10
  secretary: {q(INLINE)}
features:
  - {q(INLINE)}
  - {q(BLOCK)}
conditions:
  leadership: {q(BLOCK)}
  cadres: {q(BLOCK)}
  performance: {q(BLOCK)}
  mechanism: {q(BLOCK)}
  style: {q(BLOCK)}
plan:
  overall: {q(BLOCK)}
  implementation: {q(BLOCK)}
  measures:
    - {q(INLINE)}
    - {q(BLOCK)}
  milestones:
    - date: 2025-06-30
      title: {q(INLINE)}
      done: true
    - date: 2025-09-30
      title: {q(BLOCK)}
contacts:
  leader:
    name: {q(INLINE)}
    title: {q(INLINE)}
archive:
  - date: 2025-03-15
    type: meeting
    title: {q(INLINE)}
    text: {q(BLOCK)}
  - date: 2025-04-15
    type: other
    title: {q(BLOCK)}
evaluations:
  - year: 2025
    date: 2025-11-20
    result: pass
photos:
  - file: photos/taohua-dangri.jpg
    caption: {q(INLINE)}
    alt: {q(INLINE)}
  - file: photos/taohua-dangri.jpg
    caption: {q(BLOCK)}
    alt: {q(BLOCK)}
location:
  address: {q(INLINE)}
tags:
  - {q(INLINE)}
  - {q(SCRIPT)}
  - {q(IMG)}
"""

LITERAL_SITE = f"""\
name: {q(LITERAL)}
category: community
unit: hexi
batch: 2026
summary: {q("简介 " + LITERAL)}
"""

PAYLOAD_EXPERIENCE = f"""\
title: {q("经验 " + INLINE)}
sites:
  - zhuru-cun
  - zimian-shequ
year: 2025
themes:
  - service
summary: {q(BLOCK)}
author: {q(INLINE)}
date: 2025-10-01
tags:
  - {q(INLINE)}
photos:
  - file: photos/taohua-dangri.jpg
    caption: {q(INLINE)}
    alt: {q(INLINE)}
body: {q(BODY)}
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("injection") / "data"
    shutil.copytree(MINIMAL, data)
    (data / "sites" / "2025" / "zhuru-cun.yml").write_text(PAYLOAD_SITE, encoding="utf-8")
    (data / "sites" / "2026" / "zimian-shequ.yml").write_text(LITERAL_SITE, encoding="utf-8")
    (data / "experiences" / "2025" / "zhuru-jingyan.yml").write_text(PAYLOAD_EXPERIENCE,
                                                                     encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def public_site(data: Path) -> Path:
    return build_ok(data, data.parent / "public")


@pytest.fixture(scope="module")
def internal_site(data: Path) -> Path:
    # 2027: the literal-named site is overdue, so it is listed in the internal tables too.
    return build_ok(data, data.parent / "internal", audience="internal", as_of="2027-01-15")


@pytest.fixture(params=["public_site", "internal_site"])
def site(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


def pages(site: Path) -> list[tuple[Path, Element]]:
    return [(p, parse_html(p)) for p in html_files(site)]


def test_payloads_reached_the_pages(public_site: Path) -> None:
    """The payload pages exist and show the payload text (as text), else this file would
    test nothing."""
    site_page = content_of(parse_html(public_site / "sites" / "zhuru-cun" / "index.html"))
    text = site_page.text()
    assert "注入测试" in text and "alert(1)" in text
    exp_page = content_of(parse_html(
        public_site / "experiences" / "zhuru-jingyan" / "index.html"))
    assert "小标题" in exp_page.text()


def test_no_script_in_page_content(site: Path) -> None:
    found = []
    for path, doc in pages(site):
        for article in doc.find_all("article", "md-content__inner"):
            if article.find_all("script"):
                found.append(path.relative_to(site).as_posix())
    assert not found, f"<script> inside the page content: {found}"


def test_only_the_themes_scripts(site: Path) -> None:
    """Every script of every page is a local file of the theme under assets/: no inline
    script at all (the server's Content-Security-Policy allows none, showcase server-config),
    and Material's JSON configuration block is left out (its bundle is not loaded)."""
    bad = []
    for path, doc in pages(site):
        if path.relative_to(site).parts[0] == "admin":
            continue  # the browser editor's own page (test_editor.py checks its scripts)
        for el in doc.find_all("script"):
            where = path.relative_to(site).as_posix()
            src = el.attrs.get("src")
            if src:
                target = link_target(site, path, src)
                if is_external(src) or target is None or not target.is_file() or \
                        "assets" not in target.relative_to(site).parts:
                    bad.append(f"{where}: <script src={src!r}>")
            else:
                bad.append(f"{where}: inline <script {el.attrs}>{el.text()[:80]!r}")
            if "alert(1)" in el.text():
                bad.append(f"{where}: payload inside a script")
        if doc.find_all("style"):
            bad.append(f"{path.relative_to(site).as_posix()}: inline <style>")
        bad += [f"{path.relative_to(site).as_posix()}: <{el.tag} style=...>"
                for el in doc.iter() if "style" in el.attrs]
    assert not bad, "\n".join(bad[:20])


def test_no_event_handler_attributes(site: Path) -> None:
    found = [f"{path.relative_to(site).as_posix()}: <{el.tag} {name}={value!r}>"
             for path, doc in pages(site) for el in doc.iter()
             for name, value in el.attrs.items() if name.lower().startswith("on")]
    assert not found, "\n".join(found[:20])


def test_no_javascript_urls(site: Path) -> None:
    found = []
    for path, doc in pages(site):
        for el in doc.iter():
            for attr in ("href", "src", "action", "formaction", "xlink:href", "data"):
                value = "".join(el.attrs.get(attr, "").split()).lower()
                if value.startswith(("javascript:", "vbscript:", "data:text/html")):
                    found.append(f"{path.relative_to(site).as_posix()}: <{el.tag} {attr}=...>")
    assert not found, "\n".join(found[:20])


def test_no_payload_comment_in_content(site: Path) -> None:
    """A typed ``<!-- c -->`` is text or removed, never a raw comment of the page."""
    found = [path.relative_to(site).as_posix() for path, doc in pages(site)
             for article in doc.find_all("article", "md-content__inner")
             for c in article.all_comments() if c.strip() == "c"]
    assert not found, found


def test_page_titles_are_text(public_site: Path) -> None:
    doc = parse_html(public_site / "sites" / "zhuru-cun" / "index.html")
    title = squash(doc.find("title").text())
    assert title.startswith(squash("注入测试 " + INLINE)), title  # shown as typed, once escaped
    h1 = squash(content_of(doc).find("h1").text())
    assert h1.startswith("注入测试 甲 <script>alert(1)</script> 乙 <img src=x onerror=alert(1)>")


# ---------------------------------------------------------------- literal Markdown syntax

def test_literal_name_on_its_page(public_site: Path) -> None:
    doc = parse_html(public_site / "sites" / "zimian-shequ" / "index.html")
    article = content_of(doc)
    assert squash(article.find("h1").text()).rstrip("¶").strip() == LITERAL
    assert f"简介 {LITERAL}" in squash(article.text())
    assert squash(doc.find("title").text()).startswith(LITERAL)


def test_literal_name_in_the_directory(public_site: Path) -> None:
    article = content_of(parse_html(public_site / "sites" / "index.html"))
    links = [squash(a.text()) for a in article.find_all("a")
             if a.attrs.get("href") == "zimian-shequ/"]
    assert links == [LITERAL]


def test_literal_name_on_the_experience_page(public_site: Path) -> None:
    article = content_of(parse_html(
        public_site / "experiences" / "zhuru-jingyan" / "index.html"))
    links = [squash(a.text()) for a in article.find_all("a")
             if a.attrs.get("href") == "../../sites/zimian-shequ/"]
    assert links == [LITERAL]


def test_literal_name_in_table_cells(internal_site: Path, public_site: Path) -> None:
    article = content_of(parse_html(internal_site / "internal" / "index.html"))
    cells = [squash(td.text()) for td in article.find_all("td")]
    assert LITERAL in cells, "the overdue table should list the site by its literal name"
    assert any(LITERAL in c and c != LITERAL for c in cells)  # the 资料缺失 lists
    table = list(csv.DictReader(io.StringIO(
        (public_site / "data" / "sites.csv").read_text(encoding="utf-8-sig"))))
    row = next(r for r in table if r["id"] == "zimian-shequ")
    assert row["name"] == LITERAL


def test_open_data_keeps_text_verbatim_and_drops_hidden_markup(public_site: Path) -> None:
    """Plain text (a name) is published as typed; record Markdown loses what pages never
    show: comments, script elements and raw tags (SPEC §5 "Text")."""
    rows = {r["id"]: r for r in json.loads(
        (public_site / "data" / "sites.json").read_text(encoding="utf-8"))}
    assert rows["zhuru-cun"]["name"] == "注入测试 " + INLINE
    assert rows["zhuru-cun"]["profile"] == BLOCK.replace(SCRIPT, "").replace(IMG, "").replace(
        COMMENT, "")
