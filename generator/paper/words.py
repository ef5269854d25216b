"""Small pieces of plain Chinese shared by the documents: section numbers, dates, shares,
names of units, sites and contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..data.dataset import Dataset
from ..model.records import RESULT_LABELS, Contact, Evaluation

_DIGITS = "〇一二三四五六七八九"
_SECTION = "一二三四五六七八九十"


def section(n: int) -> str:
    """1 → 一、 … 10 → 十、 (GB/T 9704's first level)."""
    if n <= 10:
        return _SECTION[n - 1] + "、"
    return f"{n}、"


def subsection(n: int) -> str:
    """1 → （一）"""
    return f"（{_SECTION[n - 1] if n <= 10 else n}）"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_year_month(day: dt.date) -> str:
    """二〇二六年十二月 — how a printed document dates itself."""
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    month = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"][day.month - 1]
    return f"{year}年{month}月"


def share(part: int, whole: int | None) -> str:
    """"96%" (or "—" without a target)."""
    if not whole:
        return "—"
    return f"{part / whole:.0%}"


def listing(items: Iterable[str], limit: int = 12) -> str:
    """a、b、c (and “等 N 个” when long)."""
    items = list(items)
    if len(items) <= limit:
        return "、".join(items)
    return "、".join(items[:limit]) + f"等{len(items)}个"


def unit_name(data: Dataset, key: str | None) -> str:
    tax = data.taxonomy
    if tax is None or key is None or key not in tax.units:
        return key or "—"
    return tax.units[key].name


def category_name(data: Dataset, key: str) -> str:
    tax = data.taxonomy
    return tax.categories[key].name if tax and key in tax.categories else key


def site_name(data: Dataset, ident: str, *, full: bool = False) -> str:
    site = data.sites.get(ident)
    if site is None:
        return ident
    return site.name if full else site.display_name


def evaluation_text(ev: Evaluation | None, *, internal: bool = False) -> str:
    """“2025年 合格” (with the score in an internal document)."""
    if ev is None:
        return "无"
    text = f"{ev.year}年 {RESULT_LABELS[ev.result]}"
    if internal and ev.score is not None:
        score = int(ev.score) if float(ev.score).is_integer() else ev.score
        text += f"（{score}分）"
    return text


def contact_text(role: str, person: Contact | None, *, internal: bool, title: bool = True) -> str:
    """“督查指导员：杨帆（市委组织部…）0736-…” — the phone only in an internal document."""
    if person is None:
        return f"{role}：未填写"
    text = f"{role}：{person.name}"
    if title and person.title:
        text += f"（{person.title}）"
    if internal and person.phone:
        text += f" {person.phone}"
    return text


def amount(value: float) -> str:
    """82 rather than 82.0; 4.5 stays 4.5."""
    return str(int(value)) if float(value).is_integer() else str(round(value, 4))
