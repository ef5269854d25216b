"""Laid-out pages (:mod:`.typeset`) as a tagged PDF file.

* Tagged PDF/UA-1: every drawing belongs to a structure element (``H1``–``H4``, ``P``,
  ``Table`` with ``THead``/``TBody``/``TFoot``, ``TR``, ``TH`` with ``/Scope``, ``TD``,
  ``Caption``, ``Figure`` with ``/Alt`` and ``/BBox``, ``TOC``/``TOCI``/``Link``) through
  marked content, or is an artifact (rules, backgrounds; page numbers and repeated table
  headers as pagination artifacts); the parent tree maps both back; links carry
  ``/Contents`` and sit in the tree; ``/Lang``, ``/MarkInfo``, ``DisplayDocTitle``, XMP
  metadata with ``pdfuaid:part 1``; bookmarks for the title and the headings.
* Fonts: each face used is embedded once, subset to the glyphs used (HarfBuzz), as a
  Type 0 font with Identity-H codes, the glyph widths and a ToUnicode map (text can be
  copied and searched).
* Compact: the dictionaries (a large table has tens of thousands of structure elements)
  go into compressed object streams, with a cross-reference stream (PDF 1.5+).
* Reproducible: no clock — the dates are the ``created`` given; the file identifier is a
  hash of the content.

The file is written here directly (objects as bytes, then the object streams and the
cross-reference stream): a general object model costs more than the layout for the
largest documents, and these few object kinds need nothing of one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from dataclasses import dataclass, field

from . import fontlib
from .typeset import (
    BLACK,
    PAGE_H,
    PAGE_W,
    AnnotRef,
    Colour,
    Elem,
    GridOp,
    Laid,
    Marked,
    Page,
    RectOp,
    TextOp,
)

_LEVEL = 6        # zlib: most of level 9's size at a third of the time
_PER_STREAM = 2000  # objects per object stream


@dataclass(frozen=True)
class Meta:
    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    created: dt.datetime
    lang: str = "zh-CN"


def _n(x: float) -> str:
    """A number as written here: at most two decimals."""
    text = f"{x:.2f}"
    if text[-3:] == ".00":
        return text[:-3]
    return text.rstrip("0")


def _text(value: str) -> bytes:
    """A PDF text string: literal when ASCII, else UTF-16BE with its byte order mark."""
    if value.isascii():
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        escaped = escaped.replace("\r", "\\r").replace("\n", "\\n")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<feff" + value.encode("utf-16-be").hex().encode("ascii") + b">"


def _ref(number: int) -> bytes:
    return b"%d 0 R" % number


class _File:
    """Numbered objects: dictionaries (into object streams) and streams (written as they
    are)."""

    def __init__(self) -> None:
        self.objects: list[bytes] = [b""]
        self.is_stream: list[bool] = [False]

    def reserve(self) -> int:
        self.objects.append(b"")
        self.is_stream.append(False)
        return len(self.objects) - 1

    def put(self, number: int, data: bytes) -> None:
        self.objects[number] = data

    def add(self, data: bytes) -> int:
        number = self.reserve()
        self.objects[number] = data
        return number

    def stream(self, data: bytes, extra: bytes = b"", *, compress: bool = True) -> int:
        if compress:
            data = zlib.compress(data, _LEVEL)
            extra += b"/Filter/FlateDecode"
        number = self.add(b"<<%s/Length %d>>stream\n" % (extra, len(data)) + data + b"\nendstream")
        self.is_stream[number] = True
        return number

    def write(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        count = len(self.objects)
        offsets: list[tuple[int, int, int]] = [(0, 0, 65535)] * count  # (type, field 2, field 3)
        digest = hashlib.md5(usedforsecurity=False)
        plain = [i for i in range(1, count) if not self.is_stream[i]]
        streams = [i for i in range(1, count) if self.is_stream[i]]
        for i in streams:
            offsets[i] = (1, len(out), 0)
            out += b"%d 0 obj\n" % i + self.objects[i] + b"\nendobj\n"
            digest.update(self.objects[i])
        numbers = count
        for start in range(0, len(plain), _PER_STREAM):
            chunk = plain[start:start + _PER_STREAM]
            header: list[bytes] = []
            body: list[bytes] = []
            pos = 0
            for k, i in enumerate(chunk):
                data = self.objects[i]
                header.append(b"%d %d" % (i, pos))
                body.append(data)
                pos += len(data) + 1
                offsets[i] = (2, numbers, k)
                digest.update(data)
            head = b" ".join(header) + b"\n"
            data = zlib.compress(head + b"\n".join(body) + b"\n", _LEVEL)
            offsets.append((1, len(out), 0))
            out += (b"%d 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>stream\n"
                    % (numbers, len(chunk), len(head), len(data)) + data + b"\nendstream\nendobj\n")
            numbers += 1
        xref_number = numbers
        offsets.append((1, len(out), 0))
        width = max(1, (len(out).bit_length() + 7) // 8)
        rows = b"".join(bytes([t]) + a.to_bytes(width, "big") + b.to_bytes(2, "big")
                        for t, a, b in offsets)
        ident = digest.hexdigest().encode()
        data = zlib.compress(rows, _LEVEL)
        out += (b"%d 0 obj\n<</Type/XRef/Size %d/W[1 %d 2]/Root %s/Info %s/ID[<%s><%s>]"
                b"/Filter/FlateDecode/Length %d>>stream\n"
                % (xref_number, xref_number + 1, width, _ref(root), _ref(info), ident, ident, len(data))
                + data + b"\nendstream\nendobj\n")
        out += b"startxref\n%d\n%%%%EOF\n" % (offsets[xref_number][1])
        return bytes(out)


# ------------------------------------------------------------------------------- fonts

@dataclass
class _Used:
    face: fontlib.Face
    gids: dict[int, str]           # glyph → the text it stands for
    hexes: dict[int, str] = field(default_factory=dict)  # glyph → its code, in hex
    name: str = ""


def _fonts(pages: list[Page]) -> dict[int, _Used]:
    used: dict[int, _Used] = {}
    for page in pages:
        for op in page.ops():
            if not isinstance(op, TextOp):
                continue
            entry = used.get(id(op.face))
            if entry is None:
                entry = used[id(op.face)] = _Used(op.face, {})
            gids = entry.gids
            for gid, ch in zip(op.gids, op.text, strict=True):
                if gid not in gids:
                    gids[gid] = ch
    return used


def _embed(f: _File, used: _Used) -> int:
    face = used.face
    data, codes, kind = face.subset(used.gids)
    used.hexes = {g: f"{c:04x}" for g, c in codes.items()}
    digest = hashlib.md5(face.ps_name.encode() + repr(sorted(used.gids)).encode(),
                         usedforsecurity=False).digest()
    tag = "".join(chr(65 + b % 26) for b in digest[:6])
    base = f"/{tag}+{face.ps_name}".encode("ascii")
    if kind == "TrueType":
        program = f.stream(data, b"/Length1 %d" % len(data))
        file_key = b"FontFile2"
    else:
        program = f.stream(data, b"/Subtype/" + kind.encode("ascii"))
        file_key = b"FontFile3"
    scale = 1000 / face.upem
    bbox = " ".join(str(round(v * scale)) for v in face.bbox).encode()
    descriptor = f.add(
        b"<</Type/FontDescriptor/FontName%s/FontFamily %s/Flags %d/FontBBox[%s]/ItalicAngle %s"
        b"/Ascent %d/Descent %d/CapHeight %d/StemV 80/%s %s>>"
        % (base, _text(face.family), 4 + (2 if face.serif else 0), bbox, _n(face.italic_angle).encode(),
           round(face.ascent * 1000), -round(face.descent * 1000), round(face.cap_height * 1000),
           file_key, _ref(program)))
    widths: list[str] = []
    for gid in sorted(used.gids, key=codes.__getitem__):
        w = round(face.advance(gid) * 1000, 2)
        if w != 1000:
            widths.append(f"{codes[gid]}[{_n(w)}]")
    subtype = b"CIDFontType2" if kind == "TrueType" else b"CIDFontType0"
    cid_font = f.add(
        b"<</Type/Font/Subtype/%s/BaseFont%s/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)"
        b"/Supplement 0>>/FontDescriptor %s/DW 1000/W[%s]%s>>"
        % (subtype, base, _ref(descriptor), " ".join(widths).encode(),
           b"/CIDToGIDMap/Identity" if kind == "TrueType" else b""))
    to_unicode = f.stream(_cmap({codes[g]: ch for g, ch in used.gids.items() if g}))
    return f.add(b"<</Type/Font/Subtype/Type0/BaseFont%s/Encoding/Identity-H/DescendantFonts[%s]"
                 b"/ToUnicode %s>>" % (base, _ref(cid_font), _ref(to_unicode)))


def _cmap(mapping: dict[int, str]) -> bytes:
    out = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
           b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
           b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
           b"1 begincodespacerange", b"<0000> <FFFF>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for i in range(0, len(items), 100):
        batch = items[i:i + 100]
        out.append(f"{len(batch)} beginbfchar".encode())
        out.extend((f"<{code:04X}> <{ord(ch):04X}>" if ch <= "\uffff" else
                    f"<{code:04X}> <{ch.encode('utf-16-be').hex().upper()}>").encode() for code, ch in batch)
        out.append(b"endbfchar")
    out += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(out)


# ------------------------------------------------------------------------------ content

def _rgb(colour: Colour, op: str) -> str:
    r, g, b = colour
    return f"{_n(r)} {_n(g)} {_n(b)} {op}"


def _content(page: Page, index: int, fonts: dict[int, _Used], parents: list[Elem]) -> bytes:
    """The page's drawing operators, each owner's run wrapped in marked content."""
    out: list[str] = []
    owner: object = None
    fill: Colour = BLACK
    stroke: Colour = BLACK
    width = 1.0
    h = PAGE_H
    for dx, dy, ops in page.groups:
        for op in ops:
            who = op.owner
            if who is not owner:
                if owner is not None:
                    out.append("EMC")
                owner = who
                if isinstance(who, Elem):
                    mcid = len(parents)
                    parents.append(who)
                    who.kids.append(Marked(index, mcid))
                    if who.page < 0:
                        who.page = index
                    out.append(f"/{who.tag}<</MCID {mcid}>>BDC")
                elif who.kind:
                    out.append(f"/Artifact<</Type/{who.kind}>>BDC")
                else:
                    out.append("/Artifact BMC")
            x, y = op.x + dx, h - op.y - dy
            if isinstance(op, TextOp):
                if op.colour != fill:
                    fill = op.colour
                    out.append(_rgb(fill, "rg"))
                used = fonts[id(op.face)]
                hexes = "".join(map(used.hexes.__getitem__, op.gids))
                out.append(f"BT/{used.name} {op.size:.2f} Tf {op.spacing:.3f} Tc 1 0 0 1 {x:.2f} {y:.2f} Tm"
                           f"<{hexes}>Tj ET")
            elif isinstance(op, GridOp):
                if stroke != BLACK:
                    stroke = BLACK
                    out.append("0 0 0 RG")
                if op.line != width:
                    width = op.line
                    out.append(f"{width:.2f} w")
                bottom = y - op.h
                lines = "".join(f" {x + cx:.2f} {bottom:.2f} m {x + cx:.2f} {y:.2f} l" for cx in op.columns)
                out.append(f"{x:.2f} {bottom:.2f} {op.w:.2f} {op.h:.2f} re{lines} S")
            elif isinstance(op, RectOp):
                box = f"{x:.2f} {y - op.h:.2f} {op.w:.2f} {op.h:.2f} re"
                if op.line:
                    if op.colour != stroke:
                        stroke = op.colour
                        out.append(_rgb(stroke, "RG"))
                    if op.line != width:
                        width = op.line
                        out.append(f"{width:.2f} w")
                    out.append(box + " S")
                else:
                    if op.colour != fill:
                        fill = op.colour
                        out.append(_rgb(fill, "rg"))
                    out.append(box + " f")
            else:
                raise ValueError(f"{type(op).__name__} left on a page")
    if owner is not None:
        out.append("EMC")
    return "\n".join(out).encode("ascii")


def _figure_boxes(pages: list[Page]) -> dict[int, tuple[float, float, float, float]]:
    """Each figure's box on its page, in PDF user space (for /BBox)."""
    boxes: dict[int, list[float]] = {}
    for page in pages:
        for dx, dy, ops in page.groups:
            for op in ops:
                who = op.owner
                if not isinstance(who, Elem) or who.tag != "Figure":
                    continue
                x, y = op.x + dx, op.y + dy
                if isinstance(op, RectOp):
                    box = (x, y, x + op.w, y + op.h)
                elif isinstance(op, TextOp):
                    w = sum(op.face.advance(g) for g in op.gids) * op.size
                    box = (x, y - op.face.ascent * op.size, x + w, y + op.face.descent * op.size)
                else:
                    continue
                b = boxes.setdefault(id(who), list(box))
                b[0], b[1] = min(b[0], box[0]), min(b[1], box[1])
                b[2], b[3] = max(b[2], box[2]), max(b[3], box[3])
    return {k: (b[0], PAGE_H - b[3], b[2], PAGE_H - b[1]) for k, b in boxes.items()}


# ------------------------------------------------------------------------------ the file

def _dest(page_numbers: list[int], page: int, y: float) -> bytes:
    return b"[%s/XYZ 0 %s 0]" % (_ref(page_numbers[page]), _n(PAGE_H - y).encode())


def write_pdf(laid: Laid, meta: Meta) -> bytes:
    f = _File()
    catalog = f.reserve()
    pages_root = f.reserve()
    fonts = _fonts(laid.pages)
    font_entries = []
    for i, used in enumerate(fonts.values()):
        used.name = f"F{i}"
        font_entries.append(b"/F%d %s" % (i, _ref(_embed(f, used))))
    resources = f.add(b"<</Font<<%s>>>>" % b"".join(font_entries))

    page_numbers = [f.reserve() for _ in laid.pages]
    page_parents: list[list[Elem]] = []
    contents: list[int] = []
    for i, page in enumerate(laid.pages):
        parents: list[Elem] = []
        contents.append(f.stream(_content(page, i, fonts, parents)))
        page_parents.append(parents)

    # Links (the contents list): annotations in the structure tree.
    next_key = len(laid.pages)
    annot_parents: list[tuple[int, Elem]] = []
    page_annots: list[list[int]] = []
    link_numbers: dict[int, int] = {}
    for i, page in enumerate(laid.pages):
        annots: list[int] = []
        for link in page.links:
            target = laid.anchors.get(link.target)
            if target is None:
                continue
            x, top, w, hh = link.rect
            number = f.reserve()
            link_numbers[number] = next_key
            f.put(number, b"<</Type/Annot/Subtype/Link/F 4/Rect[%s %s %s %s]/Border[0 0 0]/Dest%s"
                  b"/Contents %s/StructParent %d>>"
                  % (_n(x).encode(), _n(PAGE_H - top - hh).encode(), _n(x + w).encode(),
                     _n(PAGE_H - top).encode(), _dest(page_numbers, target.page, target.y),
                     _text(f"转到：{link.label}"), next_key))
            annots.append(number)
            link.elem.kids.append(AnnotRef(number, i))
            annot_parents.append((next_key, link.elem))
            next_key += 1
        page_annots.append(annots)

    for i, number in enumerate(page_numbers):
        extra = b"/Tabs/S"  # the tab order is the structure's
        if page_annots[i]:
            extra += b"/Annots[%s]" % b" ".join(_ref(a) for a in page_annots[i])
        f.put(number, b"<</Type/Page/Parent %s/MediaBox[0 0 %s %s]/Resources %s/Contents %s"
              b"/StructParents %d%s>>" % (_ref(pages_root), _n(PAGE_W).encode(), _n(PAGE_H).encode(),
                                         _ref(resources), _ref(contents[i]), i, extra))
    f.put(pages_root, b"<</Type/Pages/Kids[%s]/Count %d>>"
          % (b" ".join(_ref(n) for n in page_numbers), len(page_numbers)))

    # The structure tree: numbers first (parents refer to kids and kids to parents).
    struct_root = f.reserve()
    order: list[tuple[Elem, int]] = []
    stack: list[tuple[Elem, int]] = [(laid.root, struct_root)]
    while stack:
        elem, parent = stack.pop()
        elem.number = f.reserve()
        order.append((elem, parent))
        stack.extend((kid, elem.number) for kid in reversed(elem.kids) if isinstance(kid, Elem))
    boxes = _figure_boxes(laid.pages)
    for elem, parent in order:
        parts = [b"<</Type/StructElem/S/%s/P %s" % (elem.tag.encode(), _ref(parent))]
        if elem.page >= 0:
            parts.append(b"/Pg " + _ref(page_numbers[elem.page]))
        attrs = [f"/{k} {v}" for k, v in elem.attrs.items()]
        if id(elem) in boxes:
            attrs.append("/BBox[" + " ".join(_n(v) for v in boxes[id(elem)]) + "]")
        if attrs:
            parts.append(b"/A<<" + "".join(attrs).encode("ascii") + b">>")
        if elem.alt:
            parts.append(b"/Alt " + _text(elem.alt))
        if elem.ident:
            parts.append(b"/ID " + _text(elem.ident))
        kids: list[bytes] = []
        for kid in elem.kids:
            if isinstance(kid, Elem):
                kids.append(_ref(kid.number))
            elif isinstance(kid, AnnotRef):
                kids.append(b"<</Type/OBJR/Obj %s/Pg %s>>" % (_ref(kid.number), _ref(page_numbers[kid.page])))
            else:
                kids.append(b"%d" % kid.mcid if kid.page == elem.page else
                            b"<</Type/MCR/Pg %s/MCID %d>>" % (_ref(page_numbers[kid.page]), kid.mcid))
        if kids:
            parts.append(b"/K[" + b" ".join(kids) + b"]")
        parts.append(b">>")
        f.put(elem.number, b"".join(parts))
    nums: list[bytes] = []
    for i, parents in enumerate(page_parents):
        nums.append(b"%d[%s]" % (i, b" ".join(_ref(e.number) for e in parents)))
    for key, elem in annot_parents:
        nums.append(b"%d %s" % (key, _ref(elem.number)))
    parent_tree = f.add(b"<</Nums[" + b" ".join(nums) + b"]>>")
    f.put(struct_root, b"<</Type/StructTreeRoot/K[%s]/ParentTree %s/ParentTreeNextKey %d>>"
          % (_ref(laid.root.number), _ref(parent_tree), next_key))

    outlines = _outlines(f, laid, page_numbers)
    metadata = f.stream(_xmp(meta), b"/Type/Metadata/Subtype/XML", compress=False)
    f.put(catalog, b"<</Type/Catalog/Pages %s/Lang %s/MarkInfo<</Marked true>>"
          b"/ViewerPreferences<</DisplayDocTitle true>>/StructTreeRoot %s/Metadata %s%s>>"
          % (_ref(pages_root), _text(meta.lang), _ref(struct_root), _ref(metadata),
             b"/Outlines %s/PageMode/UseOutlines" % _ref(outlines) if outlines else b""))
    when = meta.created.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")
    info = f.add(b"<</Title %s/Author %s/Subject %s/Keywords %s/Creator %s/Producer %s"
                 b"/CreationDate %s/ModDate %s>>"
                 % (_text(meta.title), _text(meta.author), _text(meta.subject),
                    _text("、".join(meta.keywords)), _text("showcase"), _text("showcase"),
                    _text(when), _text(when)))
    return f.write(catalog, info)


@dataclass
class _Item:
    """A bookmark (or the outline's root) and the ones under it."""

    number: int
    level: int
    title: str = ""
    dest: bytes = b""
    kids: list[_Item] = field(default_factory=list)


def _outlines(f: _File, laid: Laid, page_numbers: list[int]) -> int:
    """Bookmarks: the title, and under it the headings by level (0: none)."""
    marks = [b for b in laid.bookmarks if b.anchor in laid.anchors]
    if not marks:
        return 0

    root = _Item(f.reserve(), 0)
    stack = [root]
    for mark in marks:
        while stack[-1].level >= mark.level:
            stack.pop()
        target = laid.anchors[mark.anchor]
        item = _Item(f.reserve(), mark.level, mark.title, _dest(page_numbers, target.page, target.y))
        stack[-1].kids.append(item)
        stack.append(item)

    def put(node: _Item, parent: _Item | None) -> int:
        kids = node.kids
        total = sum(1 + put(kid, node) for kid in kids)
        parts = [b"<</Title %s/Parent %s/Dest%s" % (_text(node.title), _ref(parent.number), node.dest)
                 if parent else b"<</Type/Outlines"]
        if kids:
            parts.append(b"/First %s/Last %s/Count %d" % (_ref(kids[0].number), _ref(kids[-1].number), total))
        if parent is not None:
            siblings = parent.kids
            k = siblings.index(node)
            if k > 0:
                parts.append(b"/Prev " + _ref(siblings[k - 1].number))
            if k + 1 < len(siblings):
                parts.append(b"/Next " + _ref(siblings[k + 1].number))
        parts.append(b">>")
        f.put(node.number, b"".join(parts))
        return total

    put(root, None)
    return root.number


def _xmp(meta: Meta) -> bytes:
    from xml.sax.saxutils import escape

    when = meta.created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    keywords = escape("、".join(meta.keywords))
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{escape(meta.author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.subject)}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>{escape(meta.lang)}</rdf:li></rdf:Bag></dc:language>
<pdf:Keywords>{keywords}</pdf:Keywords>
<pdf:Producer>showcase</pdf:Producer>
<xmp:CreatorTool>showcase</xmp:CreatorTool>
<xmp:CreateDate>{when}</xmp:CreateDate>
<xmp:ModifyDate>{when}</xmp:ModifyDate>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>""".encode()
