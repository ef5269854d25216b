"""HTML that generated pages carry, in this process: the SVG charts (site/charts.py), the
responsive pictures of photos (site/photos.py) and the marking of HTML blocks for the
Markdown engine (site/fences.py). Expected markup and coordinates are worked out by hand;
whole pages are compared in test_fences.py, test_photos.py and the golden files."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest
from markupsafe import Markup

from generator.base.images import Size, Target
from generator.media.cache import PhotoCache
from generator.media.variants import PhotoPlan, PlannedPhoto, Variant
from generator.site import fences, photos
from generator.site.charts import BarRow, quota_bars, ring, stacked_bar
from generator.site.fences import CLOSE, EXTENSION, OPEN, wrap_html_blocks

# ---------------------------------------------------------------- charts

LEGEND = ('<g class="sc-legend" font-size="12"><rect x="0" y="6" width="14" height="10" '
          'class="sc-bar-target"/><text x="20" y="15">目标</text><rect x="64" y="6" width="14" '
          'height="10" class="sc-bar-actual"/>')


def test_quota_bars() -> None:
    svg = quota_bars([BarRow("农村", 4, 3, 1), BarRow("社区<", None, 2)], title="标题&")
    assert isinstance(svg, Markup)
    # 132 for labels, 420 for bars; scale 4 (the largest figure); rows 30 high from 34
    assert svg == (
        '<svg class="sc-chart" viewBox="0 0 622 102" role="img" aria-label="标题&amp;" '
        'preserveAspectRatio="xMinYMin meet"><title>标题&amp;</title>' + LEGEND
        + '<text x="84" y="15">实际</text><rect x="150" y="6" width="14" height="10" '
        'class="sc-bar-inner"/><text x="170" y="15">其中示范点</text></g>'
        '<text x="124" y="49" text-anchor="end" font-size="13" class="sc-chart-label">农村</text>'
        '<rect x="132" y="36" width="420" height="18" class="sc-bar-target"/>'
        '<rect x="132" y="39" width="315" height="12" class="sc-bar-actual"/>'
        '<rect x="132" y="39" width="105" height="12" class="sc-bar-inner"/>'
        '<text x="558" y="49" font-size="12" class="sc-chart-figure">3 / 4</text>'
        '<text x="124" y="79" text-anchor="end" font-size="13" class="sc-chart-label">社区&lt;</text>'
        '<rect x="132" y="69" width="210" height="12" class="sc-bar-actual"/>'
        '<text x="348" y="79" font-size="12" class="sc-chart-figure">2</text></svg>')


def test_quota_bars_without_inner_values_and_a_zero_target() -> None:
    svg = quota_bars([BarRow("甲", 0, 0), BarRow("乙", 3, 1, 0)], title="t", actual_label="完成<",
                     inner_label="不显示")
    assert svg == (
        '<svg class="sc-chart" viewBox="0 0 622 102" role="img" aria-label="t" '
        'preserveAspectRatio="xMinYMin meet"><title>t</title>' + LEGEND
        + '<text x="84" y="15">完成&lt;</text><rect x="150" y="6" width="14" height="10" '
        'class="sc-bar-inner"/><text x="170" y="15">不显示</text></g>'
        '<text x="124" y="49" text-anchor="end" font-size="13" class="sc-chart-label">甲</text>'
        '<rect x="132" y="39" width="0" height="12" class="sc-bar-actual"/>'
        '<text x="138" y="49" font-size="12" class="sc-chart-figure">0 / 0</text>'
        '<text x="124" y="79" text-anchor="end" font-size="13" class="sc-chart-label">乙</text>'
        '<rect x="132" y="66" width="420" height="18" class="sc-bar-target"/>'
        '<rect x="132" y="69" width="140" height="12" class="sc-bar-actual"/>'
        '<text x="558" y="79" font-size="12" class="sc-chart-figure">1 / 3</text></svg>')
    plain = quota_bars([BarRow("甲", None, 2)], title="t")
    assert "sc-bar-inner" not in plain and "其中示范点" not in plain
    assert 'viewBox="0 0 622 72"' in plain


def test_quota_bars_scale_and_decimals() -> None:
    svg = quota_bars([BarRow("甲", 3, 0)], title="t")
    # 420 × 3 / 3; the figure after the longest bar
    assert '<rect x="132" y="36" width="420" height="18" class="sc-bar-target"/>' in svg
    assert '<text x="558" y="49"' in svg
    svg = quota_bars([BarRow("甲", None, 0)], title="t")  # nothing: scale 1, no division by 0
    assert '<rect x="132" y="39" width="0" height="12" class="sc-bar-actual"/>' in svg
    svg = quota_bars([BarRow("甲", 7, 2)], title="t")
    assert 'width="120"' in svg  # 420 × 2 / 7
    svg = quota_bars([BarRow("甲", 9, 2)], title="t")
    assert 'width="93.3"' in svg and '<text x="558"' in svg  # 420 × 2 / 9 = 93.33…
    assert quota_bars([], title="t").startswith('<svg class="sc-chart" viewBox="0 0 622 42"')


def test_ring() -> None:
    # circumference 2π·42 = 263.9; three quarters of it 197.9
    assert ring(3, 4, title="完成<", caption="说明&") == (
        '<svg class="sc-ring" viewBox="0 0 120 120" role="img" aria-label="完成&lt;：3/4">'
        "<title>完成&lt;：3/4</title>"
        '<circle cx="60" cy="60" r="42" class="sc-ring-track" fill="none" stroke-width="12"/>'
        '<circle cx="60" cy="60" r="42" class="sc-ring-value" fill="none" stroke-width="12" '
        'stroke-dasharray="197.9 263.9" transform="rotate(-90 60 60)"/>'
        '<text x="60" y="58" text-anchor="middle" font-size="20" font-weight="bold" '
        'class="sc-ring-figure">3/4</text>'
        '<text x="60" y="78" text-anchor="middle" font-size="12" class="sc-ring-caption">'
        "说明&amp; 75%</text></svg>")


@pytest.mark.parametrize(("actual", "target", "dash", "figure", "pct"), [
    (5, None, "0", "5", "—"), (5, 0, "0", "5/0", "—"), (6, 4, "263.9", "6/4", "150%"),
    (0, 4, "0", "0/4", "0%"), (1, 3, "88", "1/3", "33%")])
def test_ring_edges(actual: int, target: int | None, dash: str, figure: str, pct: str) -> None:
    svg = ring(actual, target, title="t", caption="c")
    assert f'stroke-dasharray="{dash} 263.9"' in svg
    assert f'aria-label="t：{figure}"' in svg and f"<title>t：{figure}</title>" in svg
    assert f'class="sc-ring-figure">{figure}</text>' in svg
    assert f'class="sc-ring-caption">c {pct}</text>' in svg


def test_stacked_bar() -> None:
    head = ('<svg class="sc-stack" viewBox="0 0 100 4" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false">')
    assert stacked_bar([("a", 1), ("b", 0), ("c&", 3)]) == (
        head + '<rect class="sc-stack--a" x="0" y="0" width="25" height="4"/>'
        '<rect class="sc-stack--c&amp;" x="25" y="0" width="75" height="4"/></svg>')
    assert stacked_bar([]) == head + "</svg>"
    assert stacked_bar([("a", 0), ("b", -1)]) == head + "</svg>"
    assert stacked_bar([("a", 1), ("b", 2)]) == (
        head + '<rect class="sc-stack--a" x="0" y="0" width="33.3" height="4"/>'
        '<rect class="sc-stack--b" x="33.3" y="0" width="66.7" height="4"/></svg>')
    assert stacked_bar([("a", 2), ("b", -1), ("c", 2)]).count("<rect") == 2


# ---------------------------------------------------------------- photos

def _variant(width: int, ext: str, mime: str) -> Variant:
    return Variant(f"media/photos/a b-12345678-{width}.{ext}", width, width // 2, mime,
                   Target(width, 100_000, "JPEG"))


WEB = (_variant(320, "webp", "image/webp"), _variant(640, "webp", "image/webp"),
       _variant(320, "jpg", "image/jpeg"), _variant(1024, "jpg", "image/jpeg"))
PHOTO = PlannedPhoto("photos/a b.jpg", Path("/x"), "12345678ff", Size(2000, 1000), WEB,
                     _variant(0, "print.jpg", "image/jpeg"), None)
WEBP_SET = ("../../media/photos/a%20b-12345678-320.webp 320w, "
            "../../media/photos/a%20b-12345678-640.webp 640w")
JPEG_SET = ("../../media/photos/a%20b-12345678-320.jpg 320w, "
            "../../media/photos/a%20b-12345678-1024.jpg 1024w")
IMG = "../../media/photos/a%20b-12345678-1024.jpg"


def picture_html(sizes: str, alt: str, extra: str = ' loading="lazy"') -> str:
    return (f'<picture><source type="image/webp" srcset="{WEBP_SET}" sizes="{sizes}">'
            f'<img src="{IMG}" srcset="{JPEG_SET}" sizes="{sizes}" width="1024" height="512" '
            f'alt="{alt}"{extra} decoding="async"></picture>')


def test_picture() -> None:
    made = photos.picture(PHOTO, "sites/x/", alt='甲"<', sizes="10em")
    assert isinstance(made, Markup)
    assert made == picture_html("10em", "甲&#34;&lt;")
    top = photos.picture(PHOTO, "", alt="", sizes="1px", lazy=False, css="c&")
    assert top == picture_html("1px", "", "").replace("../../", "").replace(
        ' decoding="async">', ' decoding="async" class="c&amp;">')


def test_zoomable() -> None:
    original = PlannedPhoto(PHOTO.file, PHOTO.source, PHOTO.digest, PHOTO.size, WEB, PHOTO.printed,
                            "media/photos/a b.jpg")
    made = photos.zoomable(original, "sites/x/", alt="A", caption="说明<", sizes="S")
    assert made == (
        f'<figure class="sc-photo"><a class="sc-zoom" href="{IMG}" data-srcset="{WEBP_SET}" '
        'data-original="../../media/photos/a%20b.jpg">' + picture_html("S", "A")
        + '<span class="sc-sr-only">（查看大图）</span></a><figcaption>说明&lt;</figcaption></figure>')
    plain = photos.zoomable(PHOTO, "sites/x/", alt="A", caption="", sizes="S", lazy=False)
    assert plain == (
        f'<figure class="sc-photo"><a class="sc-zoom" href="{IMG}" data-srcset="{WEBP_SET}">'
        + picture_html("S", "A", "") + '<span class="sc-sr-only">（查看大图）</span></a></figure>')


def test_hrefs_keep_safe_characters() -> None:
    assert photos._href("sites/x/", "media/a-b_c.d~e:f.jpg") == "../../media/a-b_c.d~e:f.jpg"
    assert photos._href("", "media/照 片#?.jpg") == "media/%E7%85%A7%20%E7%89%87%23%3F.jpg"
    assert photos._srcset("", []) == ""
    assert photos._attr("class", 'a"b') == ' class="a&#34;b"'


def test_body_photos() -> None:
    plan = PhotoPlan(PhotoCache(Path("/nonexistent")), {"photos/a b.jpg": PHOTO})
    html = ('<p>文字<img src="photos/a%20b.jpg" alt="说&amp;明" /></p>\n'
            '<p><img src="photos/a%20b.jpg" alt="独立" title="t" /></p>\n'
            '<p><img src="photos/none.jpg" alt="x" /></p>\n'
            '<p><img src="https://evil.example.cn/x.jpg" alt="y" />z</p>')
    made = photos.body_photos(html, plan, "experiences/e/")
    assert isinstance(made, Markup)
    assert made == (
        "<p>文字" + picture_html("10em", "说&amp;明") + "</p>\n"
        f'<figure class="sc-photo"><a class="sc-zoom" href="{IMG}" data-srcset="{WEBP_SET}">'
        + picture_html(photos.BODY_SIZES, "独立")
        + '<span class="sc-sr-only">（查看大图）</span></a><figcaption>独立</figcaption></figure>\n'
        "<p></p>\n<p>z</p>")
    assert photos.BODY_SIZES == "(max-width: 76em) calc(100vw - 2.4rem), 720px"


def test_body_photos_without_a_plan_or_images() -> None:
    html = '<p><img src="photos/a%20b.jpg" alt="x" /></p>'
    assert photos.body_photos(html, None, "x/") == html
    plan = PhotoPlan(PhotoCache(Path("/nonexistent")), {"photos/a b.jpg": PHOTO})
    assert photos.body_photos("<p>无图</p>", plan, "x/") == "<p>无图</p>"
    assert photos.body_photos('<p><img src="media/photos/a%20b.jpg" alt="前缀"></p>', plan,
                              "experiences/e/").startswith('<figure class="sc-photo">')


# ---------------------------------------------------------------- fences

PAGE = ("---\ntitle: x\n---\n# 标题\n\n<div class=\"a\">\n<p>x</p>\n</div>\n\n<table>\n"
        "<tr><td>1</td></tr>\n</table>\n\n正文\n\n<!-- material/tags -->\n<section>\n<div>\n"
        "<div>in</div>\n</div>\n</section>\n后续\n\n<span>行内</span>\n\n<div>unbalanced\nstill\n\n"
        "after\n")


def test_wrap_html_blocks() -> None:
    assert wrap_html_blocks(PAGE) == (
        "---\ntitle: x\n---\n# 标题\n\n"
        f"{OPEN}\n<div class=\"a\">\n<p>x</p>\n</div>\n\n<table>\n<tr><td>1</td></tr>\n</table>\n{CLOSE}\n\n"
        "正文\n\n<!-- material/tags -->\n\n"
        f"{OPEN}\n<section>\n<div>\n<div>in</div>\n</div>\n</section>\n后续\n{CLOSE}\n\n"
        "<span>行内</span>\n\n"
        f"{OPEN}\n<div>unbalanced\nstill\n{CLOSE}\n\nafter\n")


@pytest.mark.parametrize(("page", "wrapped"), [
    ("", ""), ("---\na\n---", "---\na\n---"), ("文字\n", "文字\n"),
    ("<div/>\n<hr>\ntext", f"{OPEN}\n<div/>\n<hr>\ntext\n{CLOSE}\n"),
    ("<DIV>\n</DIV>\n", f"{OPEN}\n<DIV>\n</DIV>\n{CLOSE}\n"),
    # a tag in the middle of a paragraph is no block
    ("文字\n<div>x</div>\n", "文字\n<div>x</div>\n"),
    # blank lines between blocks stay inside one pair; trailing blank lines move outside
    ("<p>a</p>\n\n\n<p>b</p>\n\n\n", f"{OPEN}\n<p>a</p>\n\n<p>b</p>\n{CLOSE}\n"),
    # a comment on its own line splits blocks and is kept apart by blank lines
    ("<p>a</p>\n<!-- x -->\n<p>b</p>", f"{OPEN}\n<p>a</p>\n<!-- x -->\n<p>b</p>\n{CLOSE}\n"),
    ("<p>a</p>\n\n<!-- x -->\n<p>b</p>",
     f"{OPEN}\n<p>a</p>\n{CLOSE}\n\n<!-- x -->\n\n{OPEN}\n<p>b</p>\n{CLOSE}\n"),
    ("x\n\n<!-- x -->\n\ny", "x\n\n<!-- x -->\n\ny"),
    ("x\n\n<!-- x -->", "x\n\n<!-- x -->"),
    # a marker line is no comment that splits blocks, and no block opens right after it
    (f"{OPEN}\n<p>a</p>", f"{OPEN}\n<p>a</p>"),
    ("<custom-tag>\nx\n</custom-tag>", "<custom-tag>\nx\n</custom-tag>"),
    ("<details>\n<summary>s</summary>\n</details>\n# 标题",
     f"{OPEN}\n<details>\n<summary>s</summary>\n</details>\n# 标题\n{CLOSE}\n"),
    ("<div><div></div>\n</div>\nx\n\ny", f"{OPEN}\n<div><div></div>\n</div>\nx\n{CLOSE}\n\ny"),
    ("<ul>\n<li>a</li>\n</ul>\n\n文字\n\n<ol>\n</ol>",
     f"{OPEN}\n<ul>\n<li>a</li>\n</ul>\n{CLOSE}\n\n文字\n\n{OPEN}\n<ol>\n</ol>\n{CLOSE}\n"),
])
def test_wrap_html_blocks_cases(page: str, wrapped: str) -> None:
    assert wrap_html_blocks(page) == wrapped


def test_block_end() -> None:
    lines = ["<div>", "<div>x</div>", "</div>", "after", "", "more"]
    assert fences._block_end(lines, 0, "div") == 2
    assert fences._block_end(["<div>", "a", "", "b"], 0, "div") == 1
    assert fences._block_end(["<div>", "a"], 0, "div") == 1
    assert fences._block_end(["<div/>", "a"], 0, "div") == 0
    assert fences._block_end(["<DIV a='1'>", "</div >"], 0, "div") == 1
    assert fences._block_end(["<divx>", "</div>"], 0, "div") == 0  # only <div itself counts
    assert fences._block_end(["<p>", "<div>", "</div>", "", "x"], 1, "div") == 2
    assert fences._block_end(["<div>", "", "x"], 0, "div") == 0


def _convert(text: str, passthrough: bool = True) -> str:
    md = markdown.Markdown(extensions=["md_in_html", *([EXTENSION] if passthrough else [])])
    return str(md.convert(text))


def test_the_extension_passes_marked_blocks_through() -> None:
    marked = wrap_html_blocks("<div>\n*x* & y\n</div>\n\n*y*")
    assert _convert(marked) == "<div>\n*x* & y\n</div>\n<p><em>y</em></p>"
    assert _convert("no marker *z*") == "<p>no marker <em>z</em></p>"
    # two marked blocks, each stashed whole
    two = f"{OPEN}\n<p>*a*</p>\n{CLOSE}\n\n**b**\n\n{OPEN}\n<div markdown>*c*</div>\n{CLOSE}\n"
    assert _convert(two) == "<p>*a*</p>\n<p><strong>b</strong></p>\n<div markdown>*c*</div>"
    # an engine without the extension gives the same blocks, markers and all
    plain = _convert(marked, passthrough=False).replace(OPEN, "").replace(CLOSE, "")
    assert re.sub(r"\n+", "\n", plain).strip() == "<div>\n*x* & y\n</div>\n<p><em>y</em></p>"


def test_the_extension_is_registered_before_raw_html() -> None:
    md = markdown.Markdown(extensions=[fences.makeExtension()])
    names = list(md.preprocessors._priority)
    ours = next(p for p in names if p.name == "showcase_passthrough")
    assert ours.priority == 29
    assert isinstance(md.preprocessors["showcase_passthrough"], fences._Passthrough)
    assert EXTENSION == "generator.site.fences"
    lines = ["a", OPEN, "<p>x</p>", CLOSE, "b"]
    out = md.preprocessors["showcase_passthrough"].run(lines)
    assert len(out) == 5 and out[0] == "a" and out[4] == "b" and out[1] == out[3] == ""
    assert md.htmlStash.rawHtmlBlocks == ["<p>x</p>"]
    assert md.preprocessors["showcase_passthrough"].run(["plain", "text"]) == ["plain", "text"]
