"""The printed compilations (generator/pdf/render.py): content, page numbers, fonts, privacy,
reproducibility and the missing-font error, checked on the PDF itself with pypdf."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner
from pdf_tags import Elem, marked_text
from pdf_tags import structure as structure_tree

from generator.cli.main import main
from generator.data.dataset import Dataset
from generator.data.loader import load
from generator.model.records import Compilation
from generator.pdf import render as pdf_mod
from generator.pdf.render import (
    FontMissingError,
    RenderResult,
    compilation_html,
    compile_all,
    render_compilation,
    title_lines,
)
from generator.rules.audience import view
from generator.rules.compilation import select_experiences

FIXTURE = Path(__file__).parent / "fixtures" / "pdf"
COMP = "2025-jingyan-huibian"
EPOCH = "1766188800"  # 2025-12-20T00:00:00Z
CANARIES = ("CANARY", "0736-9999")
FOOTER = re.compile(r"—\s*(\d+)\s*—")
# By hand from tests/fixtures/pdf: its 2025 experiences (select years [2025], order unit),
# by unit in taxonomy order (wuling, dingcheng, jingmao), then date; the draft is left out.
CHAPTERS = {
    "hongse-wuye": "党建引领“红色物业” 破解老旧小区治理难题",  # wuling, 2025-03-01
    "zhangzhe-shitang": "办好“长者食堂” 让老年人吃上热乎饭",  # wuling, 2025-06-10
    "daotian-hezuoshe": "支部领办合作社 稻田里长出“金饭碗”",  # dingcheng
    "xianfenggang": "党员先锋岗扎根生产一线",  # jingmao
}

pytestmark = pytest.mark.skipif(not pdf_mod.cjk_font_families(),
                                reason="no CJK font installed (fonts-noto-cjk)")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def data() -> Dataset:
    loaded = load(FIXTURE)
    assert loaded.ok, loaded.problems
    return loaded


@pytest.fixture(scope="module")
def public(data: Dataset) -> Dataset:
    return view(data, "public")


@pytest.fixture(scope="module")
def rendered(public: Dataset, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[RenderResult, pypdf.PdfReader, list[str]]]:
    out = tmp_path_factory.mktemp("pdf") / f"{COMP}.pdf"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = render_compilation(public, COMP, out)
    reader = pypdf.PdfReader(out)
    yield result, reader, [page.extract_text() for page in reader.pages]


def test_every_selected_title_in_order_and_nothing_else(
        public: Dataset, rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    result, _, texts = rendered
    ids, titles = list(CHAPTERS), list(CHAPTERS.values())
    assert [c.id for c in result.chapters] == ids
    assert select_experiences(public, public.compilations[COMP]) == ids
    body = squash("".join(texts[result.front_pages:]))
    positions = [body.find(squash(t)) for t in titles]
    assert all(p >= 0 for p in positions), dict(zip(titles, positions, strict=True))
    assert positions == sorted(positions)
    everything = squash("".join(texts))
    assert "DRAFT-TITLE" not in everything  # a draft
    assert squash("党员积分制管理激发党员活力") not in everything  # 2024: not selected
    assert squash("2025 年度基层党建示范点典型经验汇编") in squash(texts[0])  # the cover


def test_toc_page_numbers_are_the_real_pages(
        public: Dataset, rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    result, reader, texts = rendered
    assert [c.title for c in result.chapters] == list(CHAPTERS.values())
    toc_index = next(i for i, t in enumerate(texts) if squash(t).startswith("目录"))
    toc = squash(texts[toc_index])
    labels = reader.page_labels
    for chapter in result.chapters:
        m = re.search(re.escape(squash(chapter.title)) + r"[·.…]*(\d+)", toc)
        assert m, f"{chapter.title} not in the table of contents"
        toc_number = int(m.group(1))
        # The first page after the front matter that shows the title …
        index = next(i for i in range(result.front_pages, len(texts))
                     if squash(chapter.title) in squash(texts[i]))
        # … prints that number in its footer, and the PDF page label says the same.
        footer = FOOTER.findall(texts[index])
        assert footer and int(footer[-1]) == toc_number, (chapter.title, footer, toc_number)
        assert labels[index] == str(toc_number)
        assert chapter.page == toc_number


def test_outline_has_a_bookmark_per_chapter(
        rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    result, reader, _ = rendered
    assert [c.title for c in result.chapters] == list(CHAPTERS.values())
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert [c.title for c in result.chapters] == [t for t in top if t in
                                                  {c.title for c in result.chapters}]
    assert "目录" in top and "前言" in top
    for chapter in result.chapters:
        dest = next(i for i in reader.outline if not isinstance(i, list) and
                    i.title == chapter.title)
        assert reader.page_labels[reader.get_destination_page_number(dest)] == \
            str(chapter.page)


def _fonts(reader: pypdf.PdfReader) -> dict[str, Any]:
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for font in (resources.get_object().get("/Font") or {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def test_embedded_fonts_are_subset_cjk_fonts(
        rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    _, reader, _ = rendered
    fonts = _fonts(reader)
    assert fonts
    families = set()
    for name, font in fonts.items():
        assert re.match(r"^/[A-Z]{6}\+", name), f"{name} is not a subset"
        plain = name.replace("-", "")
        assert "NotoSerifCJK" in plain or "NotoSansCJK" in plain, name
        families.add("serif" if "NotoSerifCJK" in plain else "sans")
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
            else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name
    assert families == {"serif", "sans"}
    # Subset: the whole book is far smaller than one CJK font file (~20 MB).
    assert sum(len(p.get_contents().get_data()) for p in reader.pages) < 2_000_000


def test_no_private_value_in_a_public_pdf(
        public: Dataset, rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    _, reader, texts = rendered
    everything = "".join(texts) + str(reader.metadata)
    for canary in CANARIES:
        assert canary not in everything
        assert canary not in compilation_html(public, COMP)
    # The canaries are really in the data set: the check above can fail.
    raw = (FIXTURE / "sites" / "jinxia-shequ.yml").read_text(encoding="utf-8")
    assert all(c in raw for c in CANARIES)


def test_reproducible_with_source_date_epoch(public: Dataset, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    one = render_compilation(public, COMP, tmp_path / "one.pdf").path.read_bytes()
    two = render_compilation(public, COMP, tmp_path / "two.pdf").path.read_bytes()
    assert one == two
    meta = pypdf.PdfReader(tmp_path / "one.pdf").metadata
    assert meta is not None
    assert meta["/CreationDate"].startswith("D:20251220000000")
    assert meta["/ModDate"].startswith("D:20251220000000")


def test_document_metadata(rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    _, reader, _ = rendered
    assert reader.metadata is not None
    assert reader.metadata["/Title"] == "2025 年度基层党建示范点典型经验汇编"
    assert reader.metadata["/Author"] == "中共某某市委组织部"
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    assert reader.page_labels[:3] == ["封面", "I", "II"]


def test_images_stay_inside_the_page(public: Dataset) -> None:
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure import boxes

    html = compilation_html(public, COMP)
    document = HTML(string=html, base_url=(FIXTURE / "media").resolve().as_uri() + "/").render(
        stylesheets=[CSS(filename=str(pdf_mod._stylesheet_path()))])
    seen = 0

    def walk(box: Any) -> Iterator[Any]:
        yield box
        for child in getattr(box, "children", []):
            yield from walk(child)

    for page in document.pages:
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        right, bottom = left + page_box.width, top + page_box.height
        for box in walk(page_box):
            if isinstance(box, boxes.ReplacedBox):
                seen += 1
                x, y = box.border_box_x(), box.border_box_y()
                assert left - 0.5 <= x and x + box.border_width() <= right + 0.5
                assert top - 0.5 <= y and y + box.border_height() <= bottom + 0.5
    assert seen == 5  # 3 photos + the tall and the wide test images


def test_compile_all_writes_every_compilation(public: Dataset, tmp_path: Path) -> None:
    paths = compile_all(public, None, tmp_path)
    # The two files of tests/fixtures/pdf/compilations/.
    assert paths == [tmp_path / "2025-jingyan-huibian.pdf", tmp_path / "hongse-xuanbian.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in paths)


def test_unknown_compilation(public: Dataset, tmp_path: Path) -> None:
    with pytest.raises(pdf_mod.CompilationError, match="没有 id 为“nope”的经验汇编"):
        render_compilation(public, "nope", tmp_path / "nope.pdf")
    assert not list(tmp_path.iterdir())


def test_no_cjk_font_stops_with_a_chinese_message(public: Dataset, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_mod, "cjk_font_families", lambda: [])
    out = tmp_path / "out" / f"{COMP}.pdf"
    with pytest.raises(FontMissingError) as caught:
        render_compilation(public, COMP, out)
    message = str(caught.value)
    assert "没有找到中文字体" in message
    assert "sudo apt-get install fonts-noto-cjk" in message
    assert not out.exists()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())

    result = CliRunner().invoke(main, ["compile", "--data", str(FIXTURE),
                                       "--out", str(tmp_path / "cli")])
    assert result.exit_code == 1
    assert "sudo apt-get install fonts-noto-cjk" in result.output
    assert not (tmp_path / "cli").exists() or not list((tmp_path / "cli").iterdir())


def test_glyphs_missing_after_layout_write_nothing(public: Dataset, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Fontconfig says there is a CJK font, but the layout still drew boxes (.notdef):
    # simulate it by making the fonts report a missing Chinese glyph.
    from weasyprint.pdf import fonts as weasy_fonts

    original = weasy_fonts.Font.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.missing = {ord("党"): 65000}

    monkeypatch.setattr(weasy_fonts.Font, "__init__", init)
    out = tmp_path / f"{COMP}.pdf"
    out.write_bytes(b"old")
    with pytest.raises(FontMissingError, match="缺少这些字：党"):
        render_compilation(public, COMP, out)
    assert out.read_bytes() == b"old"  # the previous file is untouched
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary left


def test_cli_compile(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "pdfs"
    result = runner.invoke(main, ["compile", COMP, "--data", str(FIXTURE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out / f"{COMP}.pdf") in result.stdout
    assert (out / f"{COMP}.pdf").read_bytes().startswith(b"%PDF-")

    result = runner.invoke(main, ["compile", "nope", "--data", str(FIXTURE), "--out", str(out)])
    assert result.exit_code == 1
    assert "没有这些经验汇编：nope" in result.output


def test_cli_compile_invalid_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    (data / "experiences" / "2025" / "xianfenggang.yml").write_text(
        "title: 缺少必填字段\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["compile", "--data", str(data),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "xianfenggang.yml:" in result.output and "error" in result.output
    assert not (tmp_path / "out").exists()


def test_title_lines_break_between_words() -> None:
    assert title_lines("服务群众典型经验选编", 15.5) == ["服务群众典型经验选编"]
    lines = title_lines("2025 年度基层党建示范点典型经验汇编", 15.5)
    assert len(lines) == 2 and "".join(lines) == "2025 年度基层党建示范点典型经验汇编"
    assert "经验" not in (lines[0][-1] + lines[1][0])  # never “…经 / 验…”
    for line in title_lines("党建引领“红色物业” 破解老旧小区治理难题", 12):
        assert not line.endswith("“") and not line.startswith("”")


def test_only_media_files_are_embedded(public: Dataset, tmp_path: Path) -> None:
    exp = public.experiences["xianfenggang"]
    body = ("正文图片：\n\n![车间](photos/ziling-hongse-wuye.jpg)\n\n"
            "![越界](../program.yml)\n\n![绝对](/etc/hostname)\n")
    data = dataclasses.replace(public, experiences={
        **public.experiences, "xianfenggang": exp.model_copy(update={"body": body})})
    html = compilation_html(data, COMP)
    assert 'src="photos/ziling-hongse-wuye.jpg"' in html
    result = render_compilation(data, COMP, tmp_path / "x.pdf")
    refused = [w for w in result.warnings if "不在 media/ 目录中的文件不会嵌入 PDF" in w]
    assert len(refused) == 2, result.warnings
    # Images drawn: the five of the fixture and the one inside media/.
    drawn = sum(len(re.findall(rb"/\w+ Do\b", page.get_contents().get_data()))
                for page in pypdf.PdfReader(tmp_path / "x.pdf").pages)
    assert drawn == 6


def test_empty_compilation_still_renders(public: Dataset, tmp_path: Path) -> None:
    empty = Compilation.model_validate({"title": "空汇编", "select": {"years": [1999]}})
    data = dataclasses.replace(public, compilations={**public.compilations, "kong": empty})
    result = render_compilation(data, "kong", tmp_path / "kong.pdf")
    assert result.chapters == []
    assert any("没有符合条件的经验" in w for w in result.warnings)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(result.path).pages)
    assert "本汇编暂未收录典型经验" in text


def test_body_headings_are_headings_nested_under_their_chapter(
        rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    """A ``##`` section of an experience body is a heading (a nested bookmark), not text."""
    _result, reader, _ = rendered
    nested = [item.title for group in reader.outline if isinstance(group, list)
              for item in group if not isinstance(item, list)]
    assert "二、主要做法" in nested, nested


# ----------------------------------------------------------------------------- accessibility
# The compilations are tagged PDF/UA-1: a structure tree a screen reader follows (headings,
# paragraphs, lists, tables, figures with alt text), the document language and title.
# The tree is read back here with pypdf; the text of each element comes from the marked
# content (MCIDs) of the page streams.

TITLE = "2025 年度基层党建示范点典型经验汇编"
HEADING = re.compile(r"^/H([1-6])$")


@pytest.fixture(scope="module")
def structure(rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> Elem:
    return structure_tree(rendered[1])


def test_compilation_pdf_is_tagged(
        rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    result, _, _ = rendered
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:  # pragma: no cover - scripts/setup.sh installs poppler-utils
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    out = subprocess.run([pdfinfo, str(result.path)], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert re.search(r"^Tagged:\s+yes$", out, re.M), out
    assert re.search(r"^Metadata Stream:\s+yes$", out, re.M), out
    assert re.search(r"^Title:\s+" + re.escape(TITLE) + "$", out, re.M), out
    # The tags cost a few per cent, not a multiple (untagged: about 0.75 MB).
    assert result.path.stat().st_size < 1_200_000


def test_catalog_declares_language_title_and_pdf_ua(
        rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    _, reader, _ = rendered
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] in ("zh-CN", "zh")
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata is not None and reader.metadata["/Title"] == TITLE
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp  # the PDF/UA-1 identification
    assert f'<rdf:li xml:lang="x-default">{TITLE}</rdf:li>' in xmp  # dc:title
    for page in reader.pages:
        assert page["/Tabs"] == "/S"  # tab order follows the structure


def test_structure_tree_headings(structure: Elem) -> None:
    elems = list(structure.walk())
    headings = [(int(m.group(1)), squash(e.text)) for e in elems
                if (m := HEADING.match(e.role))]
    # One H1, the compilation title (the cover); then 前言, 目录 and every chapter as H2.
    assert [t for level, t in headings if level == 1] == [squash(TITLE)]
    h2 = [t for level, t in headings if level == 2]
    assert h2 == ["前言", "目录", *(squash(t) for t in CHAPTERS.values())]
    # Levels never skip on the way down (H2 → H4 would confuse a screen reader's outline).
    previous = 0
    for level, text in headings:
        assert text, "empty heading"
        assert level <= previous + 1, (level, text, previous)
        previous = level
    # A chapter's own sections are H3 below its H2 (the fixture's “二、主要做法”).
    assert (3, "二、主要做法") in headings
    # Reading order: the chapters' headings are in the order of the book.
    assert h2.index(squash(CHAPTERS["hongse-wuye"])) < h2.index(squash(CHAPTERS["xianfenggang"]))


def test_structure_tree_paragraphs_lists_tables_figures(public: Dataset,
                                                        structure: Elem) -> None:
    elems = list(structure.walk())
    roles = [e.role for e in elems]
    assert roles.count("/P") >= 20
    assert squash("某某市基层党建示范点创建工作") in {squash(e.text) for e in elems
                                                    if e.role == "/P"}
    # The table of contents is a list whose items link to the chapters.
    lists = [e for e in elems if e.role == "/L"]
    assert lists and all(any(k.role == "/LI" for k in lst.kids) for lst in lists)
    toc_text = squash("".join(lst.text for lst in lists))
    assert all(squash(t) in toc_text for t in CHAPTERS.values())
    # Each chapter's 示范点/主题 … labels are row headers, a Markdown table's head cells
    # column headers; every data cell is tied to its headers.
    tables = [e for e in elems if e.role == "/Table"]
    assert len(tables) >= len(CHAPTERS)
    scopes = {str(e.obj["/A"]["/Scope"]) for e in elems if e.role == "/TH"}
    assert scopes == {"/Row", "/Column"}
    row_headers = {squash(e.text) for e in elems if e.role == "/TH"
                   and e.obj["/A"]["/Scope"] == "/Row"}
    assert {"示范点", "主题", "管理单位"} <= row_headers
    for cell in (e for e in elems if e.role == "/TD"):
        assert len(cell.obj["/A"]["/Headers"]) >= 1
    # Every image is a Figure with alt text; a photo's alt text is its ``alt``.
    figures = [e for e in elems if e.role == "/Figure"]
    assert len(figures) == 5  # 3 photos + the tall and the wide test images
    alts = [str(f.obj.get("/Alt", "")).strip() for f in figures]
    assert all(alts), alts
    for figure in figures:  # its bounding box in points, on its page
        llx, lly, urx, ury = (float(v) for v in figure.obj["/A"]["/BBox"])
        page = [float(v) for v in figure.obj["/Pg"].get_object()["/MediaBox"]]
        assert page[0] <= llx < urx <= page[2] and page[1] <= lly < ury <= page[3]
    described = {p.alt for ident in CHAPTERS for p in public.experiences[ident].photos}
    assert described == set(alts)
    assert not described & {p.caption for ident in CHAPTERS
                            for p in public.experiences[ident].photos}
    assert {squash(e.text) for e in elems if e.role == "/Caption"} >= {
        squash(f"图1　{public.experiences['hongse-wuye'].photos[0].caption}")}


def test_running_heads_and_page_numbers_are_artifacts(
        rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    """Running title and “— 1 —” are pagination artifacts (a screen reader skips them);
    everything else that is tagged belongs to the structure tree."""
    _, reader, _ = rendered
    marked = marked_text(reader)
    untagged = squash("".join(t for (_, mcid), t in marked.items() if mcid is None))
    tagged = [t for (_, mcid), t in marked.items() if mcid is not None]
    assert "—1—" in untagged and squash(TITLE) in untagged
    assert not any(FOOTER.search(t) for t in tagged)
    assert reader.pages[5]["/Contents"].get_object().get_data().count(
        b"/Artifact\n<</Type /Pagination>>") >= 2
    # Every MCID the parent tree maps is a structure element reachable from the root.
    reachable = {e.obj.indirect_reference.idnum for e in structure_tree(reader).walk()
                 if e.obj.indirect_reference is not None}
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        value = value.get_object()
        if isinstance(value, list):  # a page's MCIDs
            for ref in value:
                if ref is not None and not isinstance(ref, pypdf.generic.NullObject):
                    assert ref.idnum in reachable, (key, ref)


def test_links_say_where_they_go(
        rendered: tuple[RenderResult, pypdf.PdfReader, list[str]]) -> None:
    _, reader, texts = rendered
    toc_index = next(i for i, t in enumerate(texts) if squash(t).startswith("目录"))
    contents = {str(a.get_object()["/Contents"])
                for a in reader.pages[toc_index]["/Annots"]}
    assert contents == {f"转到《{t}》" for t in CHAPTERS.values()}


def test_every_image_gets_alt_text(public: Dataset, tmp_path: Path) -> None:
    """A photo without a caption and a Markdown image without a description still get
    alt text in the PDF, and the editors are told to write one."""
    exp = public.experiences["xianfenggang"]
    photos = [p.model_copy(update={"caption": None, "alt": None})
              for p in public.experiences["hongse-wuye"].photos[:1]]
    body = f"{exp.body}\n\n![](photos/daoyuan-daotian.jpg)\n"
    data = dataclasses.replace(public, experiences={
        **public.experiences,
        "xianfenggang": exp.model_copy(update={"body": body, "photos": photos})})
    html = compilation_html(data, COMP)
    assert f'alt="《{exp.title}》配图1"' in html
    assert f'alt="《{exp.title}》中的图片"' in html
    assert 'alt=""' not in html
    result = render_compilation(data, COMP, tmp_path / "alt.pdf")
    assert any("ziling-hongse-wuye.jpg 没有说明" in w for w in result.warnings), result.warnings
    assert any("![图片说明](photos/daoyuan-daotian.jpg)" in w for w in result.warnings)
    figures = [e for e in structure_tree(pypdf.PdfReader(result.path)).walk()
               if e.role == "/Figure"]
    assert len(figures) == 7
    assert all(str(f.obj.get("/Alt", "")).strip() for f in figures)
