"""The fonts of the printed documents: found by fontconfig, measured and subset by HarfBuzz.

Both libraries are already on every machine that runs WeasyPrint (it needs them); they are
called here through cffi in ABI mode (no compiler needed). A :class:`Face` is loaded once
per process and reused by every document: looking up a glyph is a dict hit after the first
time, and subsetting it for a document is one HarfBuzz call (a few milliseconds even for a
CJK font of 65,000 glyphs) — no font file is parsed again for each PDF.

Glyph codes written into a PDF are the glyphs' indexes in the subset. A CID-keyed CFF font
(Noto CJK, Source Han) keeps its original CIDs when HarfBuzz subsets it, and the PDF
standard looks glyphs up by CID there — but poppler (Evince, Okular, pdftoppm) takes the
code for the glyph index. So its subset is embedded as bare CFF whose charset is rewritten
to CID = glyph index (:func:`identity_cids`): both readings then find the same glyph.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cffi import FFI

_ffi = FFI()
_ffi.cdef("""
typedef struct _FcPattern FcPattern;
typedef struct _FcConfig FcConfig;
typedef unsigned char FcChar8;
typedef int FcBool;
FcBool FcInit (void);
FcPattern *FcPatternCreate (void);
void FcPatternDestroy (FcPattern *p);
FcBool FcPatternAddString (FcPattern *p, const char *object, const FcChar8 *s);
FcBool FcPatternAddInteger (FcPattern *p, const char *object, int i);
FcBool FcConfigSubstitute (FcConfig *config, FcPattern *p, int kind);
void FcDefaultSubstitute (FcPattern *pattern);
FcPattern *FcFontMatch (FcConfig *config, FcPattern *p, int *result);
int FcPatternGetString (const FcPattern *p, const char *object, int n, FcChar8 **s);
int FcPatternGetInteger (const FcPattern *p, const char *object, int n, int *i);

typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_font_t hb_font_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_map_t hb_map_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef struct hb_subset_plan_t hb_subset_plan_t;
typedef uint32_t hb_codepoint_t;
typedef int32_t hb_position_t;
typedef uint32_t hb_tag_t;
typedef int hb_bool_t;
hb_blob_t *hb_blob_create_from_file (const char *file_name);
unsigned int hb_blob_get_length (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
void hb_blob_destroy (hb_blob_t *blob);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
unsigned int hb_face_get_upem (const hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
hb_font_t *hb_font_create (hb_face_t *face);
hb_bool_t hb_font_get_nominal_glyph (hb_font_t *font, hb_codepoint_t unicode, hb_codepoint_t *glyph);
hb_position_t hb_font_get_glyph_h_advance (hb_font_t *font, hb_codepoint_t glyph);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
hb_codepoint_t hb_map_get (const hb_map_t *map, hb_codepoint_t key);
hb_tag_t hb_tag_from_string (const char *str, int len);

hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_subset_plan_t *hb_subset_plan_create_or_fail (hb_face_t *source, const hb_subset_input_t *input);
void hb_subset_plan_destroy (hb_subset_plan_t *plan);
const hb_map_t *hb_subset_plan_old_to_new_glyph_mapping (const hb_subset_plan_t *plan);
hb_face_t *hb_subset_plan_execute_or_fail (hb_subset_plan_t *plan);
""")

# fontconfig weights (fontconfig.h): regular and bold.
REGULAR, BOLD = 80, 200
_HB_SUBSET_SETS_DROP_TABLE_TAG = 3
_HB_SUBSET_FLAGS_DESUBROUTINIZE = 0x4
# What a PDF viewer never reads: layout, vertical metrics, bitmaps, colour glyphs.
_DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GDEF", b"GPOS", b"GSUB", b"JSTF",
                   b"LTSH", b"MATH", b"PCLT", b"SVG ", b"VORG", b"vhea", b"vmtx", b"CBDT", b"CBLC",
                   b"COLR", b"CPAL", b"sbix", b"kern", b"morx", b"meta")


class LibraryMissing(OSError):
    """fontconfig or HarfBuzz cannot be loaded; the message is for the user (Chinese)."""


# Where WeasyPrint looks for Pango's DLLs on Windows (MSYS2's UCRT64 by default; the guide's
# 给技术人员 › 安装与启动): the same libraries serve our PDFs.
_WINDOWS_DLL_DIRECTORIES = r"C:\msys64\ucrt64\bin;C:\msys64\mingw64\bin"


def _dll_directories() -> None:
    if sys.platform == "win32":
        folders = os.environ.get("WEASYPRINT_DLL_DIRECTORIES", _WINDOWS_DLL_DIRECTORIES)
        for folder in folders.split(";"):
            if os.path.isdir(folder):
                os.add_dll_directory(folder)


def _open(names: Sequence[str]) -> Any:
    _dll_directories()
    for name in names:
        try:
            return _ffi.dlopen(name)
        except OSError:
            continue
    raise LibraryMissing(
        f"生成 PDF 需要 {names[0].split('.')[0].removeprefix('lib')} 函数库，本机没有找到。"
        "Debian/Ubuntu：运行 scripts/setup.sh，或 sudo apt-get install libfontconfig1 libharfbuzz0b "
        "libharfbuzz-subset0；Windows：按编辑指南“给技术人员 › 安装与启动”用 MSYS2 安装 Pango。")


@lru_cache(maxsize=1)
def _libs() -> tuple[Any, Any, Any]:
    """fontconfig, HarfBuzz and HarfBuzz's subsetter (the libraries WeasyPrint loads)."""
    fc = _open(("libfontconfig.so.1", "libfontconfig.so", "libfontconfig-1.dll",
                "libfontconfig.1.dylib", "fontconfig"))
    hb = _open(("libharfbuzz.so.0", "libharfbuzz.so", "libharfbuzz-0.dll", "libharfbuzz.0.dylib",
                "harfbuzz"))
    hbs = _open(("libharfbuzz-subset.so.0", "libharfbuzz-subset.so", "libharfbuzz-subset-0.dll",
                 "libharfbuzz-subset.0.dylib", "harfbuzz-subset"))
    fc.FcInit()
    return fc, hb, hbs


# ------------------------------------------------------------------------- finding fonts

_lock = threading.Lock()


@lru_cache(maxsize=64)
def match(families: tuple[str, ...], weight: int = REGULAR) -> tuple[str, int] | None:
    """The font file and face index fontconfig chooses for ``families`` (first that exists
    wins, as for a CSS ``font-family`` list) in Chinese text; None when it finds none."""
    fc, _hb, _hbs = _libs()
    with _lock:
        pattern = fc.FcPatternCreate()
        try:
            for family in families:
                fc.FcPatternAddString(pattern, b"family", family.encode("utf-8"))
            fc.FcPatternAddString(pattern, b"lang", b"zh-cn")
            fc.FcPatternAddInteger(pattern, b"weight", weight)
            fc.FcConfigSubstitute(_ffi.NULL, pattern, 0)  # FcMatchPattern
            fc.FcDefaultSubstitute(pattern)
            result = _ffi.new("int *")
            found = fc.FcFontMatch(_ffi.NULL, pattern, result)
        finally:
            fc.FcPatternDestroy(pattern)
        if found == _ffi.NULL:
            return None
        try:
            value = _ffi.new("FcChar8 **")
            if fc.FcPatternGetString(found, b"file", 0, value) != 0:
                return None
            path = _ffi.string(value[0]).decode("utf-8", "surrogateescape")
            index = _ffi.new("int *")
            face_index = index[0] if fc.FcPatternGetInteger(found, b"index", 0, index) == 0 else 0
        finally:
            fc.FcPatternDestroy(found)
    return path, face_index


# ----------------------------------------------------------------------------- one face

@dataclass
class Face:
    """One face of a font file, loaded once per process."""

    path: str
    index: int
    upem: int
    ps_name: str
    family: str
    cff: bool                  # CFF outlines (FontFile3) rather than TrueType (FontFile2)
    cid_keyed: bool            # a CID-keyed CFF font
    ascent: float              # in ems
    descent: float             # in ems, positive
    cap_height: float
    bbox: tuple[int, int, int, int]
    italic_angle: float
    serif: bool
    _hb_face: Any = field(repr=False, default=None)
    _hb_font: Any = field(repr=False, default=None)
    _glyphs: dict[str, tuple[int, float] | None] = field(repr=False, default_factory=dict)
    _common_face: Any = field(repr=False, default=None)
    _to_common: dict[int, int] = field(repr=False, default_factory=dict)

    def glyph(self, char: str) -> tuple[int, float] | None:
        """The glyph of ``char`` and its advance in ems; None when the face has none."""
        try:
            return self._glyphs[char]
        except KeyError:
            pass
        _fc, hb, _hbs = _libs()
        gid = _ffi.new("hb_codepoint_t *")
        found: tuple[int, float] | None = None
        if hb.hb_font_get_nominal_glyph(self._hb_font, ord(char), gid):
            found = (gid[0], hb.hb_font_get_glyph_h_advance(self._hb_font, gid[0]) / self.upem)
        self._glyphs[char] = found
        return found

    def advance(self, gid: int) -> float:
        _fc, hb, _hbs = _libs()
        return float(hb.hb_font_get_glyph_h_advance(self._hb_font, gid)) / self.upem

    def subset(self, gids: Iterable[int]) -> tuple[bytes, dict[int, int], str]:
        """The font program holding only ``gids`` (and .notdef), each glyph's code in it
        and the program's kind: ``"CIDFontType0C"`` (bare CFF), ``"OpenType"`` (CFF in an
        OpenType file) or ``"TrueType"``.

        Made from :meth:`_common` — this face cut down to the characters of GB 2312 once
        per process — when it holds them all: a CJK font's 65,000 glyphs make every
        subset slow, its 7,000 common ones do not. The bytes are the same either way
        (outlines are desubroutinized, so nothing depends on which font they came from)."""
        wanted = sorted(set(gids) | {0})
        common, to_common = self._common()
        if all(g in to_common for g in wanted):
            data, mapping = _subset(common, [to_common[g] for g in wanted])
            new = {g: mapping[to_common[g]] for g in wanted}
        else:
            data, mapping = _subset(self._hb_face, wanted)
            new = {g: mapping[g] for g in wanted}
        if self.cid_keyed:
            return identity_cids(cff_table(data)), new, "CIDFontType0C"
        return data, new, "OpenType" if self.cff else "TrueType"

    def _common(self) -> tuple[Any, dict[int, int]]:
        if self._common_face is None:
            glyphs = sorted({g[0] for g in map(self.glyph, common_characters()) if g is not None} | {0})
            face, mapping = _subset_face(self._hb_face, glyphs)
            self._common_face, self._to_common = face, {g: mapping[g] for g in glyphs}
        return self._common_face, self._to_common


@lru_cache(maxsize=1)
def common_characters() -> str:
    """ASCII, the punctuation and symbols of Chinese text and the 6,763 characters of
    GB 2312: what nearly every document of the programme is written in."""
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0x2000, 0x2070)}
    chars |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF00, 0xFFF0)}
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(sorted(chars))


def _subset_face(source: Any, glyphs: Sequence[int]) -> tuple[Any, dict[int, int]]:
    """HarfBuzz's subset of ``source`` to ``glyphs`` (outlines desubroutinized, no tables
    a PDF viewer reads), and each glyph's index in it."""
    _fc, hb, hbs = _libs()
    inp = hbs.hb_subset_input_create_or_fail()
    if inp == _ffi.NULL:
        raise MemoryError("HarfBuzz subset input")
    try:
        glyph_set = hbs.hb_subset_input_glyph_set(inp)
        for g in glyphs:
            hb.hb_set_add(glyph_set, g)
        drop = hbs.hb_subset_input_set(inp, _HB_SUBSET_SETS_DROP_TABLE_TAG)
        for tag in _DROPPED_TABLES:
            hb.hb_set_add(drop, hb.hb_tag_from_string(tag, 4))
        hbs.hb_subset_input_set_flags(inp, _HB_SUBSET_FLAGS_DESUBROUTINIZE)
        plan = hbs.hb_subset_plan_create_or_fail(source, inp)
        if plan == _ffi.NULL:
            raise ValueError("HarfBuzz cannot subset a font")
        try:
            old_to_new = hbs.hb_subset_plan_old_to_new_glyph_mapping(plan)
            mapping = {g: hb.hb_map_get(old_to_new, g) for g in glyphs}
            face = hbs.hb_subset_plan_execute_or_fail(plan)
        finally:
            hbs.hb_subset_plan_destroy(plan)
    finally:
        hbs.hb_subset_input_destroy(inp)
    if face == _ffi.NULL:
        raise ValueError("HarfBuzz cannot subset a font")
    return _ffi.gc(face, hb.hb_face_destroy), mapping


def _subset(source: Any, glyphs: Sequence[int]) -> tuple[bytes, dict[int, int]]:
    """:func:`_subset_face` as the bytes of a font file."""
    _fc, hb, _hbs = _libs()
    face, mapping = _subset_face(source, glyphs)
    blob = hb.hb_face_reference_blob(face)
    try:
        length = _ffi.new("unsigned int *")
        data = bytes(_ffi.buffer(hb.hb_blob_get_data(blob, length), length[0]))
    finally:
        hb.hb_blob_destroy(blob)
    return data, mapping


@lru_cache(maxsize=32)
def load(path: str, index: int) -> Face:
    """The face ``index`` of ``path`` (cached for the life of the process)."""
    from fontTools.ttLib import TTFont

    _fc, hb, _hbs = _libs()
    blob = hb.hb_blob_create_from_file(path.encode("utf-8", "surrogateescape"))
    if hb.hb_blob_get_length(blob) == 0:
        hb.hb_blob_destroy(blob)
        raise OSError(f"cannot read font {path}")
    hb_face = hb.hb_face_create(blob, index)
    hb.hb_blob_destroy(blob)  # the face holds its own reference
    hb_font = hb.hb_font_create(hb_face)

    kwargs = {"fontNumber": index} if path.lower().endswith((".ttc", ".otc")) else {}
    font = TTFont(path, lazy=True, **kwargs)
    try:
        head, name = font["head"], font["name"]
        upem = int(head.unitsPerEm)
        os2 = font.get("OS/2", None)
        hhea = font["hhea"]
        ascent = (hhea.ascent if hhea.ascent else os2.sTypoAscender if os2 else upem * 0.88) / upem
        descent = -(hhea.descent if hhea.descent else os2.sTypoDescender if os2 else -upem * 0.12) / upem
        cap = getattr(os2, "sCapHeight", 0) if os2 is not None else 0
        cff = "CFF " in font
        cid_keyed = cff and _top_dict(_cff_start(path, font.reader.tables["CFF "].offset)).get(1230) is not None
        family = name.getDebugName(16) or name.getDebugName(1) or "font"
        ps_name = name.getDebugName(6) or family.replace(" ", "")
        italic = float(font["post"].italicAngle) if "post" in font else 0.0
    finally:
        font.close()
    return Face(
        path=path, index=index, upem=upem, ps_name="".join(c for c in ps_name if 32 < ord(c) < 127
                                                            and c not in "()<>[]{}/%#"),
        family=family, cff=cff, cid_keyed=cid_keyed, ascent=ascent, descent=descent,
        cap_height=(cap / upem) if cap else ascent * 0.8,
        bbox=(int(head.xMin), int(head.yMin), int(head.xMax), int(head.yMax)),
        italic_angle=italic, serif="sans" not in family.lower() and "hei" not in family.lower(),
        _hb_face=hb_face, _hb_font=hb_font)


# ------------------------------------------------------------------------------ CFF


def cff_table(sfnt: bytes) -> bytes:
    """The ``CFF `` table of an OpenType font file."""
    count = int.from_bytes(sfnt[4:6], "big")
    for i in range(count):
        rec = 12 + 16 * i
        if sfnt[rec:rec + 4] == b"CFF ":
            offset = int.from_bytes(sfnt[rec + 8:rec + 12], "big")
            length = int.from_bytes(sfnt[rec + 12:rec + 16], "big")
            return sfnt[offset:offset + length]
    raise ValueError("no CFF table")


def _cff_start(path: str, offset: int) -> bytes:
    """The start of a font file's CFF table: header, names and Top DICT (a CJK font's
    whole table is 15 MB)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(4096)


def _index(data: bytes, pos: int) -> tuple[list[tuple[int, int]], int]:
    """The (start, end) of each item of the CFF INDEX at ``pos``, and the position after it."""
    count = int.from_bytes(data[pos:pos + 2], "big")
    if count == 0:
        return [], pos + 2
    size = data[pos + 2]
    offsets = [int.from_bytes(data[pos + 3 + i * size:pos + 3 + (i + 1) * size], "big")
               for i in range(count + 1)]
    base = pos + 3 + (count + 1) * size - 1
    return [(base + offsets[i], base + offsets[i + 1]) for i in range(count)], base + offsets[-1]


def _top_dict(data: bytes) -> dict[int, list[float]]:
    """Operator → operands of a CFF font's Top DICT (two-byte operators as 1200 + b1)."""
    header = data[2]
    _names, pos = _index(data, header)
    tops, _end = _index(data, pos)
    start, end = tops[0]
    out: dict[int, list[float]] = {}
    operands: list[float] = []
    i = start
    while i < end:
        b0 = data[i]
        if b0 <= 21:
            op = 1200 + data[i + 1] if b0 == 12 else b0
            i += 2 if b0 == 12 else 1
            out[op] = operands
            operands = []
        elif b0 == 28:
            operands.append(int.from_bytes(data[i + 1:i + 3], "big", signed=True))
            i += 3
        elif b0 == 29:
            operands.append(int.from_bytes(data[i + 1:i + 5], "big", signed=True))
            i += 5
        elif b0 == 30:  # a real number: nibbles up to 0xf
            i += 1
            while not (data[i] & 0x0F == 0x0F or data[i] >> 4 == 0x0F):
                i += 1
            i += 1
            operands.append(0.0)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise ValueError(f"CFF DICT byte {b0}")
    return out


def identity_cids(cff: bytes) -> bytes:
    """A CID-keyed CFF font whose glyph ``i`` has CID ``i`` (its charset rewritten in
    place: the identity charset, format 2 or 1, is never longer than the one it replaces)."""
    top = _top_dict(cff)
    glyphs = len(_index(cff, int(top[17][0]))[0])  # CharStrings
    offset = int(top[15][0])                       # charset
    if glyphs <= 1:
        return cff
    fmt = cff[offset]
    if fmt == 0:
        length = 1 + 2 * (glyphs - 1)
    else:
        covered, pos = 0, offset + 1
        step = 3 if fmt == 1 else 4
        while covered < glyphs - 1:
            left = cff[pos + 2] if fmt == 1 else int.from_bytes(cff[pos + 2:pos + 4], "big")
            covered += left + 1
            pos += step
        length = pos - offset
    left = glyphs - 2
    if length >= 5:
        charset = bytes([2, 0, 1]) + left.to_bytes(2, "big")
    elif length >= 4 and left < 256:
        charset = bytes([1, 0, 1, left])
    else:  # pragma: no cover - a charset of fewer bytes covers consecutive CIDs 1…n already
        return cff
    out = bytearray(cff)
    out[offset:offset + len(charset)] = charset
    return bytes(out)
