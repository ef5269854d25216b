"""The site-wide settings an engine needs, from program.yml: the site's name and address,
the footer, and the values the theme overrides read (``extra.showcase``). Staff edit one
file (program.yml), never the engine's configuration."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Any

from ..base.weburl import attribute_safe
from ..model.records import Program
from ..rules.audience import Audience
from . import urls

# The management views, added to the menu of an internal build only.
NAV_INTERNAL = {"内部管理": urls.source_of(urls.INTERNAL)}


@dataclass(frozen=True)
class SiteSettings:
    site_name: str
    site_url: str
    copyright: str
    showcase: dict[str, Any] = field(default_factory=dict)


def site_url(program: Program) -> str:
    """The site's address as every output writes it ("" when unset or unusable)."""
    return attribute_safe(program.site_url)


def site_settings(program: Program, audience: Audience, as_of: dt.date) -> SiteSettings:
    """Everything handed to the engine's configuration. Names are HTML-escaped (themes print
    them raw) and every address passes :func:`attribute_safe` here, where it is written:
    a value that went around validation still cannot end an attribute."""
    footer = [html.escape(program.organizer)]
    if program.icp:
        footer.append(f'<a href="https://beian.miit.gov.cn/" rel="noopener">'
                      f"{html.escape(program.icp)}</a>")
    if program.site_code:
        footer.append(f"网站标识码：{html.escape(program.site_code)}")
    if program.police_record:
        footer.append(html.escape(program.police_record))
    return SiteSettings(
        # Themes print the site name without escaping it.
        site_name=html.escape(program.name),
        site_url=site_url(program),
        copyright="　".join(footer),
        showcase={
            "sample": program.sample,
            "audience": audience,
            "organizer": program.organizer,
            "icp": program.icp,
            "site_code": program.site_code,
            "police_record": program.police_record,
            "police_record_url": attribute_safe(program.police_record_url),
            "gov_mark": {"src": urls.media_href(program.gov_mark.image.strip()),
                         "url": attribute_safe(program.gov_mark.url)} if program.gov_mark else None,
            "contact": {**program.contact.model_dump(), "url": attribute_safe(program.contact.url)}
            if program.contact else None,
            "as_of": as_of.isoformat(),
        },
    )


def with_internal_nav(nav: list[Any] | None, audience: Audience,
                      internal_nav: list[Any] | None = None) -> list[Any] | None:
    """The menu of ``audience``'s build: for internal ones, the configuration's
    ``extra.internal_nav`` (the staff guide) and the management views appended."""
    if nav is None or audience != "internal":
        return nav
    return [*nav, *(internal_nav or []), NAV_INTERNAL]
