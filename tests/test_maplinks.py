"""Map links (SPEC §6 "Location"): each provider's URL parsed and compared field by field
with its documented marker format, for a set of coordinates; the site page links to all
three and embeds no map; coordinates outside China, swapped or too precise are located
errors (the fixtures in tests/fixtures/invalid/location-*.yml)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest import copy_minimal, run_showcase
from test_site_support import build_ok, parse_html

from generator.site.maplinks import degrees, map_links, source_name

# (lat, lng) as typed: the southern islands, Mohe, Kashgar, Fuyuan, a point with six
# decimals, and integers.
POINTS = [(29.031245, 111.698497), (16.833, 112.333), (53.5, 122.35), (39.47, 75.99),
          (48.36, 134.29), (22.3, 114.17), (30, 120)]
NAME = "芙蓉社区; 党群:服务&中心"
ADDRESS = "常德市武陵区 芙蓉路 1 号#2"


def _query(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    values = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in values.values()), url
    return f"{parts.scheme}://{parts.netloc}{parts.path}", {k: v[0] for k, v in values.items()}


@pytest.mark.parametrize(("lat", "lng"), POINTS)
def test_each_provider_url_has_its_documented_fields(lat: float, lng: float) -> None:
    links = {link.provider: link.url for link in map_links(
        lat, lng, name=NAME, address=ADDRESS, source="dj.example.cn")}
    assert set(links) == {"amap", "baidu", "qq"}  # 天地图 needs a key: left out

    # 高德: position=LNG,LAT (longitude first), WGS-84 declared, no app switch.
    where, q = _query(links["amap"])
    assert where == "https://uri.amap.com/marker"
    assert set(q) == {"position", "name", "src", "coordinate", "callnative"}
    got_lng, got_lat = (float(x) for x in q["position"].split(","))
    assert (got_lat, got_lng) == (lat, lng)
    assert q["name"] == NAME and q["src"] == "dj.example.cn"
    assert q["coordinate"] == "wgs84" and q["callnative"] == "0"

    # 百度: location=LAT,LNG (latitude first), coord_type=wgs84, output=html.
    where, q = _query(links["baidu"])
    assert where == "https://api.map.baidu.com/marker"
    assert set(q) == {"location", "title", "content", "output", "coord_type", "src"}
    got_lat, got_lng = (float(x) for x in q["location"].split(","))
    assert (got_lat, got_lng) == (lat, lng)
    assert q["title"] == NAME and q["content"] == ADDRESS
    assert q["output"] == "html" and q["coord_type"] == "wgs84" and q["src"] == "dj.example.cn"

    # 腾讯: marker=coord:LAT,LNG;title:…;addr:… and coord_type=1 (GPS).
    where, q = _query(links["qq"])
    assert where == "https://apis.map.qq.com/uri/v1/marker"
    assert set(q) == {"marker", "coord_type", "referer"}
    assert q["coord_type"] == "1" and q["referer"] == "dj.example.cn"
    # The mini-syntax is split on its own separators, in the raw query, before decoding
    # values: a ";" or ":" in the name must not end the title.
    raw_marker = urlsplit(links["qq"]).query.split("&")[0].removeprefix("marker=")
    fields = dict(part.split(":", 1) for part in raw_marker.split(";"))
    assert set(fields) == {"coord", "title", "addr"}
    got_lat, got_lng = (float(x) for x in fields["coord"].split(","))
    assert (got_lat, got_lng) == (lat, lng)
    assert unquote(fields["title"]) == "芙蓉社区； 党群：服务&中心"
    assert unquote(fields["addr"]) == ADDRESS


def test_degrees_are_plain_decimals() -> None:
    assert degrees(29.031245) == "29.031245"
    assert degrees(30.0) == "30"
    assert degrees(1e-7) == "0"
    assert degrees(112.98020) == "112.9802"


def test_source_is_the_site_host_else_the_programme() -> None:
    assert source_name("示范点平台", "https://dj.example.cn/sub/") == "dj.example.cn"
    assert source_name("示范点平台", None) == "示范点平台"


def test_site_page_links_to_the_three_maps_without_embedding_one(tmp_path: Path) -> None:
    data = copy_minimal(tmp_path)
    site = build_ok(data, tmp_path / "site")
    page = parse_html(site / "sites" / "chengnan-taohua-cun" / "index.html")
    links = {a.attrs["href"] for a in page.find("p", "sc-maplinks").find_all("a")}
    hosts = {urlsplit(h).netloc for h in links}
    assert hosts == {"uri.amap.com", "api.map.baidu.com", "apis.map.qq.com"}
    amap = next(h for h in links if "amap" in h)
    assert _query(amap)[1]["position"] == "112.9802,28.2001"  # as typed in the fixture
    # No base map: no frame, no map script or tile image from anywhere.
    text = (site / "sites" / "chengnan-taohua-cun" / "index.html").read_text(encoding="utf-8")
    assert "<iframe" not in text and "tile" not in text.lower()
    # A site without a location has no map links.
    other = (site / "sites" / "hexi-jinshan-qiye" / "index.html").read_text(encoding="utf-8")
    assert "sc-maplinks" not in other


@pytest.mark.parametrize(("lat", "lng", "fragment"), [
    ("53.7", "122.3", "“lat”（纬度）：53.7 不在中国范围内"),
    ("112.9802", "28.2001", "写反了"),
    ("28.2001234", "112.98", "有 7 位小数"),
    ('"28.200100"', '"112.980200"', None),  # six decimals, quoted: fine
])
def test_validate_locates_coordinate_errors(tmp_path: Path, lat: str, lng: str,
                                            fragment: str | None) -> None:
    data = copy_minimal(tmp_path)
    path = data / "sites" / "2024" / "chengnan-taohua-cun.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  lat: 28.2001", f"  lat: {lat}").replace("  lng: 112.9802", f"  lng: {lng}")
    path.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("  lat:"))
    result = run_showcase("validate", "--data", str(data))
    if fragment is None:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1
    errors = [e for e in (result.stdout + result.stderr).splitlines() if ": error: " in e]
    assert any(e.startswith(f"{data.name}/sites/2024/chengnan-taohua-cun.yml:{line}:8: error: ")
               and fragment in e for e in errors), result.stdout


def test_the_format_reference_says_wgs84_and_how_to_read_a_phone() -> None:
    text = (Path(__file__).resolve().parent.parent / "content" / "guide" / "format.md").read_text(
        encoding="utf-8")
    assert "WGS-84" in text and "度 + 分÷60 + 秒÷3600" in text and "GCJ-02" in text
    assert "天地图" in text and "密钥（tk）" in text  # why there is no 天地图 link
