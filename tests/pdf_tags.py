"""Reading a tagged PDF's structure tree back with pypdf, for the compilations'
(test_pdf.py) and the printed documents' (test_paper_pdf.py) accessibility tests: each
element's role, object, children and text, the text taken from the marked content (MCIDs)
of the page streams."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pypdf


@dataclasses.dataclass
class Elem:
    role: str
    obj: Any
    kids: list[Elem]
    text: str = ""

    def walk(self) -> Iterator[Elem]:
        yield self
        for kid in self.kids:
            yield from kid.walk()


def page_marked_text(page: pypdf.PageObject) -> dict[int | None, str]:
    """Text per MCID of one page; MCID None is text outside tagged content (artifacts)."""
    texts: dict[int | None, list[str]] = {}
    stack: list[int | None] = []

    def before(op: bytes, args: Any, cm: Any, tm: Any) -> None:
        if op == b"BDC":
            props = args[1] if len(args) > 1 else None
            mcid = props.get("/MCID") if isinstance(props, dict) else None
            stack.append(int(mcid) if mcid is not None else None)
        elif op == b"BMC":
            stack.append(None)
        elif op == b"EMC" and stack:
            stack.pop()

    def text(chunk: str, *_: Any) -> None:
        texts.setdefault(stack[-1] if stack else None, []).append(chunk)

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return {mcid: "".join(chunks) for mcid, chunks in texts.items()}


def marked_text(reader: pypdf.PdfReader) -> dict[tuple[int, int | None], str]:
    """Text per (page index, MCID) of the whole document."""
    return {(index, mcid): text for index, page in enumerate(reader.pages)
            for mcid, text in page_marked_text(page).items()}


def structure(reader: pypdf.PdfReader) -> Elem:
    """The structure tree from the catalog's /StructTreeRoot (the root itself as the
    top element), with each element's text; marked-content references (/MCR) included."""
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)
             if page.indirect_reference is not None}
    marked = marked_text(reader)

    def build(obj: Any, page: int | None) -> Elem:
        obj = obj.get_object()
        pg = obj.get("/Pg")
        if pg is not None:
            page = pages.get(pg.idnum, page)
        kids = obj.get("/K")
        items = kids if isinstance(kids, list) else [] if kids is None else [kids]
        elem = Elem(str(obj.get("/S")), obj, [])
        parts = []
        for item in items:
            if isinstance(item, int):  # an MCID on this element's page
                parts.append(marked.get((page if page is not None else -1, item), ""))
                continue
            item_obj = item.get_object()
            if not isinstance(item_obj, dict):
                continue
            if item_obj.get("/Type") == "/MCR":
                parts.append(marked.get((pages[item_obj.raw_get("/Pg").idnum],
                                         int(item_obj["/MCID"])), ""))
            elif item_obj.get("/Type") == "/StructElem":
                child = build(item, page)
                elem.kids.append(child)
                parts.append(child.text)
        elem.text = "".join(parts)
        return elem

    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    kids = root["/K"]
    top = Elem("/StructTreeRoot", root, [])
    for kid in kids if isinstance(kids, list) else [kids]:
        top.kids.append(build(kid, None))
    top.text = "".join(k.text for k in top.kids)
    return top
