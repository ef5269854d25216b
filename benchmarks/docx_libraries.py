"""How to write the Word files — measured on the annual report of the ×10 data set:

    .venv/bin/python benchmarks/docx_libraries.py [--scale 10]

* ``ours``: python-docx opening our template (paper/template/) and the body written as
  WordprocessingML (paper/docxout.py) — what the project uses;
* ``python-docx API``: the same blocks through python-docx's own calls (``add_paragraph``,
  ``add_table``) on its default template;
* ``docxtpl``: a Jinja template inside a .docx (docxtpl 0.20.2: ``pip install
  docxtpl==0.20.2``, not a dependency of the project; left out when not installed);
* ``pandoc``: Markdown with a reference document (when a ``pandoc`` binary is on PATH).

For each: seconds per document (median of 5), bytes, runs with text whose East Asian font
is not named, tables without ``gridCol`` widths (WPS) or ``tblW`` (Word), whether the theme
still carries a Japanese East Asian font, and whether every table fits the 156 mm text block.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import AS_OF  # noqa: E402
from synth import synthesise  # noqa: E402

from generator.paper.blocks import Document, Heading, Para, Table  # noqa: E402

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def annual(scale: int, work: Path) -> Document:
    from generator.data.loader import load
    from generator.paper.annual import annual_document
    from generator.rules.facts import derive
    from generator.rules.yearreport import year_report

    data = load(synthesise(scale, work / f"x{scale}"))
    facts = derive(data, dt.date.fromisoformat(AS_OF))
    return annual_document(data, year_report(data, facts, 2025), internal=True)


def check(data: bytes) -> dict[str, object]:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        theme = package.read("word/theme/theme1.xml").decode() if \
            "word/theme/theme1.xml" in package.namelist() else ""
    runs = [r for r in body.iter(f"{W}r") if "".join(t.text or "" for t in r.iter(f"{W}t")).strip()]
    unnamed = sum(1 for r in runs if r.find(f"{W}rPr/{W}rFonts") is None
                  or not r.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia"))
    tables = body.findall(f".//{W}tbl")
    no_grid = sum(1 for t in tables if not t.findall(f"{W}tblGrid/{W}gridCol")
                  or not any(c.get(f"{W}w") for c in t.findall(f"{W}tblGrid/{W}gridCol")))
    no_width = sum(1 for t in tables if t.find(f"{W}tblPr/{W}tblW") is None
                   or t.find(f"{W}tblPr/{W}tblW").get(f"{W}type") == "auto")
    return {"bytes": len(data), "runs": len(runs), "runs_without_east_asian_font": unnamed,
            "tables": len(tables), "tables_without_gridCol": no_grid, "tables_without_tblW": no_width,
            "japanese_theme_font": bool(re.search(r'script="Jpan"', theme))}


def ours(doc: Document) -> bytes:
    from generator.paper.docxout import render_docx

    return render_docx(doc, created=dt.datetime(2026, 11, 28))


def python_docx_api(doc: Document) -> bytes:
    import docx

    word = docx.Document()
    word.add_heading(doc.title.replace("\n", ""), 0)
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.text, block.level)
        elif isinstance(block, Para):
            word.add_paragraph(block.text)
        elif isinstance(block, Table):
            table = word.add_table(rows=1, cols=len(block.header))
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = text
            for row in block.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = text
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def docxtpl_render(doc: Document, work: Path) -> Callable[[], bytes] | None:
    try:
        import docx
        from docxtpl import DocxTemplate
    except ImportError:
        return None
    from generator.paper.docxout import template_bytes

    # A template made from ours: a title, then for each section its paragraphs and one
    # table whose columns are fixed in the template (docxtpl loops rows, not columns).
    word = docx.Document(io.BytesIO(template_bytes()))
    word.add_paragraph("{{ title }}", style="Title")
    word.add_paragraph("{%p for b in blocks %}")
    word.add_paragraph("{{ b.text }}", style="Body")
    word.add_paragraph("{%p endfor %}")
    table = word.add_table(rows=4, cols=5)
    for cell, text in zip(table.rows[0].cells, ("类别", "目标", "创建单位", "完成率", "其中示范点"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for r in rows %}"
    for i, cell in enumerate(table.rows[2].cells):
        cell.text = f"{{{{ r[{i}] }}}}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    path = work / "tpl.docx"
    word.save(str(path))
    paras = [{"text": b.text} for b in doc.blocks if isinstance(b, Heading | Para)]
    rows = next(b.rows for b in doc.blocks if isinstance(b, Table))

    def render() -> bytes:
        tpl = DocxTemplate(str(path))
        tpl.render({"title": doc.title, "blocks": paras, "rows": rows})
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()

    return render


def pandoc_render(doc: Document, work: Path) -> Callable[[], bytes] | None:
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        return None
    lines = [f"# {doc.title}"]
    for b in doc.blocks:
        if isinstance(b, Heading):
            lines.append("#" * (b.level + 1) + " " + b.text)
        elif isinstance(b, Para):
            lines.append(b.text)
        elif isinstance(b, Table):
            lines.append("| " + " | ".join(b.header) + " |")
            lines.append("|" + "---|" * len(b.header))
            lines += ["| " + " | ".join(c.replace("\n", " ") for c in r) + " |" for r in b.rows]
        lines.append("")
    source = work / "doc.md"
    source.write_text("\n".join(lines), encoding="utf-8")

    def render() -> bytes:
        target = work / "pandoc.docx"
        subprocess.run([pandoc, str(source), "-o", str(target)], check=True)
        return target.read_bytes()

    return render


def timed(make: Callable[[], bytes], repeat: int = 5) -> tuple[float, bytes]:
    times, data = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        data = make()
        times.append(time.perf_counter() - start)
    return statistics.median(times), data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        doc = annual(args.scale, work)
        candidates: dict[str, Callable[[], bytes] | None] = {
            "ours (python-docx + our template)": lambda: ours(doc),
            "python-docx API, default template": lambda: python_docx_api(doc),
            "docxtpl 0.20.2": docxtpl_render(doc, work),
            "pandoc": pandoc_render(doc, work),
        }
        for name, make in candidates.items():
            if make is None:
                print(f"{name}: not installed")
                continue
            seconds, data = timed(make)
            print(f"{name}: {seconds * 1000:.0f} ms", check(data), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
