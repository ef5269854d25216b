"""Web addresses that staff type (``site_url``, the footer's links …) and that end up in
``href`` attributes, the engine's configuration and the sitemap.

Two lines of defence: :func:`problem` is the validation rule (absolute ``http(s)://`` with
a host; no quotes, angle brackets, backticks, backslashes, whitespace or invisible
characters), and :func:`attribute_safe` is applied where an address is handed to an engine
or a template, so that a value that never went through validation still cannot end an
attribute or start an element.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# Characters that can end an attribute value or start markup, whitespace of any kind
# (U+3000 included) and the invisible ones (controls, zero-width, bidi, BOM).
_UNSAFE = re.compile("[\"'<>`\\\\\\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u2069\ufeff]")
_SCHEMES = ("http", "https")


def _shown(char: str) -> str:
    if char.isspace():
        return "全角空格" if char == "\u3000" else "空格" if char == " " else f"空白字符（U+{ord(char):04X}）"
    if char.isprintable():
        return f"“{char}”"
    return f"不可见字符（U+{ord(char):04X}）"


def problem(value: str) -> str | None:
    """The Chinese reason ``value`` is not a usable web address, or None."""
    bad = _UNSAFE.search(value)
    if bad is not None:
        return (f"网址中不能有引号、尖括号（< >）、空格或不可见字符，这里第 {bad.start() + 1} 个字符是"
                f"{_shown(bad.group())}。请删掉它；网址中确需的空格请写成 %20。")
    if not _absolute(value):
        return f"“{value}”不是网址：请写以 http:// 或 https:// 开头的完整网址。"
    return None


def _absolute(value: str) -> bool:
    try:
        parts = urlsplit(value)
        return parts.scheme.lower() in _SCHEMES and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 host
        return False


def is_web_url(value: str) -> bool:
    return problem(value) is None


def attribute_safe(value: str | None) -> str:
    """``value`` as it may be written into an attribute or the engine's configuration: ""
    unless it is an absolute http(s) address; characters that could end the attribute
    percent-encoded."""
    if not value:
        return ""
    value = value.strip()
    encoded = _UNSAFE.sub(lambda m: quote(m.group(), safe=""), value)
    return encoded if _absolute(encoded) else ""
