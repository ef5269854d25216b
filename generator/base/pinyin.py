"""Pinyin ids from Chinese text: the file names of ``showcase new`` and the worklists' and
calendars' ``supervisor-<slug>`` names (SPEC §6) are made the same way."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

ID_MAX = 64


def pinyin_id(text: str) -> str:
    """Lower-case ASCII syllables joined by hyphens, at most ``ID_MAX`` characters."""
    text = unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    for chunk in lazy_pinyin(text, style=Style.NORMAL):
        ascii_chunk = unicodedata.normalize("NFKD", chunk).encode("ascii", "ignore").decode()
        parts.extend(p for p in re.split(r"[^a-z0-9]+", ascii_chunk.lower()) if p)
    while parts and len("-".join(parts)) > ID_MAX:
        parts.pop()
    return "-".join(parts)
