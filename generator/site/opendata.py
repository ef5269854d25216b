"""Open data (SPEC §4): JSON and CSV of sites and experiences, and the Atom feed.

Made from the audience's view of the data set; in a public build the private fields are
not emitted at all (not even as empty keys).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
import xml.etree.ElementTree as ET
from functools import cache
from typing import Any

from pydantic import BaseModel

from . import urls
from ..rules.audience import Audience, is_private
from ..data.dataset import Dataset
from ..data.federation import member_of
from ..rules.duties import experience_unit
from ..rules.facts import Facts
from ..model.fieldtypes import is_markdown
from ..base.formula_guard import csv_cell
from ..model.lifecycle import STATUS_LABELS
from ..base.richtext import plain_text, strip_hidden_markup


@cache
def _markdown_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, info in model.model_fields.items()
                     if is_markdown(info))


def dump(record: BaseModel, audience: Audience) -> dict[str, Any]:
    """The record's fields as JSON values; private ones omitted unless internal; record
    Markdown without the hidden markup that pages never show."""
    out: dict[str, Any] = {}
    model = type(record)
    markdown = _markdown_fields(model)
    for name in model.model_fields:
        if audience == "public" and is_private(model, name):
            continue
        value = getattr(record, name)
        if name in markdown and isinstance(value, str):
            value = strip_hidden_markup(value)
        out[name] = _json_value(value, audience)
    return out


def _json_value(value: Any, audience: Audience) -> Any:
    if isinstance(value, BaseModel):
        return dump(value, audience)
    if isinstance(value, list):
        return [_json_value(v, audience) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v, audience) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def absolute(base_url: str, path: str) -> str:
    return (base_url.rstrip("/") + "/" if base_url else "/") + path


def _head(data: Dataset, ident: str, url: str) -> dict[str, Any]:
    """The first columns of a row: id and address, and in a joined data set the member the
    record belongs to ("" for the aggregator's own)."""
    row: dict[str, Any] = {"id": ident, "url": url}
    if data.federation is not None:
        row["member"] = member_of(ident) or ""
    return row


def sites_records(data: Dataset, facts: Facts, audience: Audience,
                  base_url: str) -> list[dict[str, Any]]:
    rows = []
    for ident in sorted(data.sites):
        site = data.sites[ident]
        row = _head(data, ident, absolute(base_url, urls.site(ident)))
        row.update(dump(site, audience))
        state = facts.states[ident]
        row["status"] = state.status
        row["due_year"] = state.due_year
        if audience == "internal":
            row["overdue"] = state.overdue
        rows.append(row)
    return rows


def experiences_records(data: Dataset, audience: Audience,
                        base_url: str) -> list[dict[str, Any]]:
    rows = []
    for ident in sorted(data.experiences):
        exp = data.experiences[ident]
        row = _head(data, ident, absolute(base_url, urls.experience(ident)))
        row.update(dump(exp, audience))
        row["unit"] = experience_unit(exp, data.sites)
        if audience == "public":
            row.pop("draft", None)  # always false in a public build
        rows.append(row)
    return rows


def to_json(rows: list[dict[str, Any]]) -> str:
    # Compact: the C encoder (indent= would switch to the slow pure-Python one).
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + "\n"


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    # A BOM so that Excel on Windows opens the Chinese text correctly.
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else csv_cell(v) for v in row])
    return buf.getvalue()


def sites_csv(data: Dataset, facts: Facts, audience: Audience, base_url: str) -> str:
    assert data.taxonomy is not None
    tax = data.taxonomy
    header = [*_head(data, "", ""), "name", "short_name", "category", "category_name", "unit",
              "unit_name", "level", "batch", "status", "status_name", "due_year", "summary",
              "secretary", "members", "address", "lat", "lng", "tags"]
    if audience == "internal":
        header += ["overdue", "leader_phone", "supervisor_phone", "liaison_phone", "awards_total"]
    rows = []
    for ident in sorted(data.sites):
        s = data.sites[ident]
        st = facts.states[ident]
        org, loc = s.organization, s.location
        row: list[Any] = [
            *_head(data, ident, absolute(base_url, urls.site(ident))).values(), s.name,
            s.short_name, s.category,
            tax.categories[s.category].name, s.unit, tax.units[s.unit].name, s.level, s.batch,
            st.status, STATUS_LABELS[st.status], st.due_year, s.summary,
            org.secretary if org else None, org.members if org else None,
            loc.address if loc else None, loc.lat if loc else None, loc.lng if loc else None,
            "；".join(s.tags),
        ]
        if audience == "internal":
            c = s.contacts
            row += [st.overdue,
                    c.leader.phone if c and c.leader else None,
                    c.supervisor.phone if c and c.supervisor else None,
                    c.liaison.phone if c and c.liaison else None,
                    sum(a.amount for a in s.awards) if s.awards else None]
        rows.append(row)
    return _csv(header, rows)


def experiences_csv(data: Dataset, base_url: str) -> str:
    assert data.taxonomy is not None
    tax = data.taxonomy
    header = [*_head(data, "", ""), "title", "year", "date", "unit", "unit_name", "author",
              "promoted", "themes", "theme_names", "sites", "summary"]
    rows = []
    for ident in sorted(data.experiences):
        e = data.experiences[ident]
        unit = experience_unit(e, data.sites)
        rows.append([
            *_head(data, ident, absolute(base_url, urls.experience(ident))).values(), e.title,
            e.year,
            e.date.isoformat() if e.date else None, unit,
            tax.units[unit].name if unit in tax.units else None, e.author, e.promoted,
            "；".join(e.themes), "；".join(tax.themes[t].name for t in e.themes),
            "；".join(e.sites), strip_hidden_markup(e.summary),
        ])
    return _csv(header, rows)


def experience_date(data: Dataset, ident: str) -> dt.date:
    """The date an experience is filed under: its own, else the end of its year."""
    e = data.experiences[ident]
    return e.date or dt.date(e.year, 12, 31)


def newest_first(data: Dataset) -> list[str]:
    return sorted(data.experiences, key=lambda i: (experience_date(data, i), i), reverse=True)


def atom_feed(data: Dataset, base_url: str, limit: int = 50) -> str:
    """Atom feed of experiences, newest first. ``updated`` values come from the records,
    never from the clock, so that two builds of the same data are identical."""
    assert data.program is not None
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    feed = ET.Element(f"{{{ns}}}feed", {"xml:lang": "zh-CN"})

    def sub(parent: ET.Element, tag: str, text: str | None = None,
            **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    order = newest_first(data)[:limit]
    sub(feed, "title", f"{data.program.name} · 典型经验")
    def atom_id(path: str) -> str:
        # Atom ids must be absolute IRIs: without a site_url, a stable name-based UUID URN.
        if base_url:
            return absolute(base_url, path)
        assert data.program is not None
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{data.program.name}/{path}')}"

    sub(feed, "id", atom_id(urls.FEED))
    sub(feed, "link", href=absolute(base_url, urls.FEED), rel="self")
    sub(feed, "link", href=absolute(base_url, urls.EXPERIENCES))
    newest = experience_date(data, order[0]) if order else dt.date(1970, 1, 1)
    sub(feed, "updated", f"{newest.isoformat()}T00:00:00Z")
    author = sub(feed, "author")
    sub(author, "name", data.program.organizer)
    for ident in order:
        e = data.experiences[ident]
        entry = sub(feed, "entry")
        sub(entry, "title", e.title)
        url = absolute(base_url, urls.experience(ident))
        sub(entry, "id", atom_id(urls.experience(ident)))
        sub(entry, "link", href=url)
        sub(entry, "updated", f"{experience_date(data, ident).isoformat()}T00:00:00Z")
        a = sub(entry, "author")
        sub(a, "name", e.author)
        for theme in e.themes:
            assert data.taxonomy is not None
            sub(entry, "category", term=theme, label=data.taxonomy.themes[theme].name)
        sub(entry, "summary", plain_text(e.summary))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
