"""``/changes/feed.xml``: the year's changes (年度变化) as an Atom feed, newest first.

Every date comes from the commits (never the clock), every id is derived from the commit
and the record, so two builds of the same history are identical and a reader never sees
an entry twice.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from . import urls
from ..rules.changes import Change
from .opendata import absolute
from .sitemodel import Model

ATOM = "http://www.w3.org/2005/Atom"
LIMIT = 100


def change_title(model: Model, change: Change) -> str:
    name = (model.sites[change.ident].record.name if change.record == "sites"
            else model.experiences[change.ident].record.title)
    detail = f"：{change.detail}" if change.detail else ""
    return f"【{change.label}】{name}{detail}"


def changes_feed(model: Model, base_url: str) -> str:
    program = model.data.program
    assert program is not None
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "zh-CN"})

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    def atom_id(name: str) -> str:
        # Absolute and stable: from the site's address, or the programme's name without one.
        space = base_url or program.name
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{space}/{name}')}"

    changes = model.chronicle.changes[:LIMIT]
    sub(feed, "title", f"{program.name} · 年度变化")
    sub(feed, "subtitle", "新增创建单位、状态变化、淘汰、退出和新增典型经验，按数据提交的日期排列")
    sub(feed, "id", atom_id(urls.CHANGES_FEED))
    sub(feed, "link", href=absolute(base_url, urls.CHANGES_FEED), rel="self")
    sub(feed, "link", href=absolute(base_url, urls.CHANGES))
    sub(feed, "updated", changes[0].commit.time if changes else "1970-01-01T00:00:00Z")
    author = sub(feed, "author")
    sub(author, "name", program.organizer)
    for change in changes:
        entry = sub(feed, "entry")
        sub(entry, "title", change_title(model, change))
        sub(entry, "id", atom_id(f"{change.commit.sha}/{change.record}/{change.ident}/{change.kind}"))
        page = urls.site(change.ident) if change.record == "sites" else urls.experience(change.ident)
        sub(entry, "link", href=absolute(base_url, page))
        sub(entry, "updated", change.commit.time)
        sub(entry, "category", term=change.kind, label=change.label)
        sub(entry, "summary", f"{change.date.isoformat()} {change_title(model, change)}")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
