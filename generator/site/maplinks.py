"""Links from a site's page to the point in the map apps people use in China (SPEC §6
"Location"). No map is embedded: publishing a map needs an approved base map and its 审图号,
so our pages only link to the providers' own marker pages.

Each provider takes WGS-84 degrees (what a phone's GPS and our records hold) and converts to
its own datum (GCJ-02, BD-09) itself. The formats are the providers' documented URI APIs,
which need no key:

* 高德  ``https://uri.amap.com/marker?position=LNG,LAT&name=…&src=…&coordinate=wgs84&callnative=0``
* 百度  ``https://api.map.baidu.com/marker?location=LAT,LNG&title=…&content=…&output=html&coord_type=wgs84&src=…``
* 腾讯  ``https://apis.map.qq.com/uri/v1/marker?marker=coord:LAT,LNG;title:…;addr:…&coord_type=1&referer=…``

天地图 is left out: every marker or search URL it documents needs a ``tk`` key.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class MapLink:
    provider: str  # amap, baidu, qq
    label: str     # what the link says
    url: str


def degrees(value: float) -> str:
    """A coordinate as a plain decimal (at most six places, no exponent, no trailing zeros)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def source_name(program_name: str, site_url: str | None) -> str:
    """Who asks (the providers' ``src``/``referer``): the site's host, else the programme."""
    host = urlsplit(site_url).hostname if site_url else None
    return host or program_name


def _q(value: str) -> str:
    return quote(value, safe="")


def _qq_value(value: str) -> str:
    """A value inside 腾讯's ``marker=coord:…;title:…`` mini-syntax: its separators removed
    (they would end the value), then percent-encoded like any query value."""
    return _q(value.replace(";", "；").replace(":", "：").strip())


def map_links(lat: float, lng: float, *, name: str, address: str | None,
              source: str) -> list[MapLink]:
    """The marker pages of one point in 高德, 百度 and 腾讯 maps."""
    la, ln = degrees(lat), degrees(lng)
    addr = (address or "").strip() or name
    amap = (f"https://uri.amap.com/marker?position={ln},{la}&name={_q(name)}"
            f"&src={_q(source)}&coordinate=wgs84&callnative=0")
    baidu = (f"https://api.map.baidu.com/marker?location={la},{ln}&title={_q(name)}"
             f"&content={_q(addr)}&output=html&coord_type=wgs84&src={_q(source)}")
    qq = (f"https://apis.map.qq.com/uri/v1/marker?marker=coord:{la},{ln};"
          f"title:{_qq_value(name)};addr:{_qq_value(addr)}&coord_type=1&referer={_q(source)}")
    return [MapLink("amap", "高德地图", amap), MapLink("baidu", "百度地图", baidu),
            MapLink("qq", "腾讯地图", qq)]
