"""Generated pages reach the engine with their HTML marked for passing through
(site/fences.py): the engine's Markdown gives exactly the HTML it gave before, page for
page, on the sample, the minimal fixture, a hostile fixture (injection payloads,
Markdown-special names) and a large generated one — modulo whitespace; and without the
extension (an engine configured without it) the marked pages still give the same HTML."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import markdown
import pytest
from conftest import MINIMAL, REPO
from pymdownx.slugs import slugify
from test_scale_paths import make_wide
from test_site_injection import LITERAL_SITE, PAYLOAD_EXPERIENCE, PAYLOAD_SITE

from generator.data.loader import load
from generator.rules.facts import derive
from generator.site import sitegen
from generator.site.fences import CLOSE, EXTENSION, OPEN, wrap_html_blocks
from generator.site.sitegen import Options, generate

EXTENSIONS = ["tables", "attr_list", "admonition", "md_in_html", "pymdownx.details",
              "pymdownx.superfences", "toc"]


def _engine_markdown(passthrough: bool = True) -> markdown.Markdown:
    """Python-Markdown as mkdocs.yml configures it for every engine."""
    return markdown.Markdown(
        extensions=[*EXTENSIONS, *([EXTENSION] if passthrough else [])],
        extension_configs={"toc": {"permalink": True, "slugify": slugify(case="lower")}})


def _body(page: str) -> str:
    lines = page.split("\n")
    return "\n".join(lines[lines.index("---", 1) + 1:]) if lines[0] == "---" else page


def _html(page: str, passthrough: bool = True) -> str:
    converted = _engine_markdown(passthrough).convert(_body(page))
    converted = converted.replace(OPEN, "").replace(CLOSE, "")
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", converted)).strip()


def _hostile(root: Path) -> Path:
    data = root / "hostile"
    shutil.copytree(MINIMAL, data)
    (data / "sites" / "2025" / "zhuru-cun.yml").write_text(PAYLOAD_SITE, encoding="utf-8")
    (data / "sites" / "2026" / "zimian-shequ.yml").write_text(LITERAL_SITE, encoding="utf-8")
    (data / "experiences" / "2025" / "zhuru-jingyan.yml").write_text(PAYLOAD_EXPERIENCE,
                                                                     encoding="utf-8")
    return data


def _pages(data_dir: Path, audience: Any, *, wrapped: bool,
           monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    data = load(data_dir)
    assert data.ok, [str(p) for p in data.errors]
    with monkeypatch.context() as patch:
        if not wrapped:
            patch.setattr(sitegen, "wrap_html_blocks", lambda text: text)
        site = generate(data, derive(data, dt.date(2026, 11, 28)), Options(audience=audience))
    return {path: text for path, text in site.pages.items() if path.endswith(".md")}


@pytest.mark.parametrize("audience", ["public", "internal"])
@pytest.mark.parametrize("which", ["sample", "minimal", "hostile", "wide"])
def test_fenced_pages_give_the_same_html(which: str, audience: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = {"sample": lambda: REPO / "sites_data", "minimal": lambda: MINIMAL,
                "hostile": lambda: _hostile(tmp_path), "wide": lambda: make_wide(tmp_path)}[which]()
    before = _pages(data_dir, audience, wrapped=False, monkeypatch=monkeypatch)
    after = _pages(data_dir, audience, wrapped=True, monkeypatch=monkeypatch)
    assert before.keys() == after.keys() and len(before) > 20
    marked = 0
    for path in before:
        marked += after[path].count(OPEN)
        expected = _html(before[path], passthrough=False)
        assert _html(after[path]) == expected, path
        if which == "minimal":  # without the extension: the same page, only slower
            assert _html(after[path], passthrough=False) == expected, path
    assert marked > len(before)  # the pages really were marked


def test_code_and_blank_lines_inside_a_block_pass_through() -> None:
    page = ("# 标题\n\n<div>\n<pre><code>```\n代码\n\n````\n</code></pre>\n</div>\n\n"
            "<p>二</p>\n\n## 小标题\n\n<p>三</p>\n")
    wrapped = wrap_html_blocks(page)
    assert wrapped.count(OPEN) == 2  # the div and the paragraph after it share one pair
    assert _html(wrapped) == _html(page, passthrough=False)
    assert "<pre><code>```\n代码\n\n````\n</code></pre>" in _engine_markdown().convert(wrapped)


def test_inline_tags_comments_and_markdown_stay_markdown() -> None:
    page = ("# 标题\n\n<span>行内</span> 文字 **粗体**\n\n- [链接](x/)\n\n| a | b |\n|---|---|\n"
            "| 1 | 2 |\n\n<!-- material/tags -->\n")
    wrapped = wrap_html_blocks(page)
    assert OPEN not in wrapped  # nothing block-level: nothing marked
    assert wrapped == page
