"""ASCII names made from Chinese text: record ids (``showcase new``), the slugs of
supervisors' worklists and calendars, tag pages. Lower-case pinyin syllables joined by
hyphens, e.g. 党员积分 → ``dang-yuan-ji-fen``."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin


def pinyin_slug(text: str, limit: int = 64) -> str:
    """Lower-case ASCII syllables joined by hyphens, at most ``limit`` characters (whole
    syllables only); "" when nothing readable remains."""
    text = unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    for chunk in lazy_pinyin(text, style=Style.NORMAL):
        ascii_chunk = unicodedata.normalize("NFKD", chunk).encode("ascii", "ignore").decode()
        parts.extend(p for p in re.split(r"[^a-z0-9]+", ascii_chunk.lower()) if p)
    while parts and len("-".join(parts)) > limit:
        parts.pop()
    return "-".join(parts)
