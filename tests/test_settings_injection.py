"""Settings that reach the engine: every string of program.yml and taxonomy.yml that ends
up in MkDocs' configuration (site name, address, footer, ``extra.showcase``) or in a
template attribute can hold markup, and none of it may become an element or an attribute.

Two builds of the same data: one with plain values, one with a payload in every string
setting. The payload build's pages may not have any (element, attribute) that the plain
build lacks — parsed, not grepped. A second pair goes around validation (the values are put
into the loaded programme directly), to show that the settings are escaped where they are
written, not only refused by ``validate``.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from test_site_support import MINIMAL, REPO, html_files, parse_html, run_cli

from generator.data import loader
from generator.data.dataset import Dataset
from generator.engines.pipeline import BuildSettings, build_site
from generator.model import records

MARKUP = '"><script>alert(1)</script><b onclick="x" data-x=\''
URL_MARKUP = 'https://x.cn/"><script>alert(1)</script>/'
URL_TRICKY = "https://x.cn/a?b=1&c=%22%3E#x(1)"  # valid, yet nothing in it may escape
JS_URL = "javascript:alert(1)//"
PLAIN = "甲乙丙"
PLAIN_URL = "https://example.cn/a/"


def _is_url(metadata: Any) -> bool:
    return any(isinstance(getattr(m, "json_schema_extra", None), dict)
               and m.json_schema_extra.get("format") == "uri" for m in metadata)


def string_fields(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], bool]]:
    """Every string field of ``model`` (nested models walked): (path, is a URL)."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        args = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
        if hasattr(annotation, "__metadata__"):
            args = [annotation]
        for arg in args:
            base = arg.__origin__ if hasattr(arg, "__metadata__") else arg
            if isinstance(base, type) and issubclass(base, BaseModel):
                yield from string_fields(base, (*prefix, name))
            elif base is str:
                yield (*prefix, name), _is_url([info, *info.metadata,
                                                *getattr(arg, "__metadata__", ())])


PROGRAM_STRINGS = list(string_fields(records.Program))


def test_the_walk_finds_the_settings() -> None:
    """Else the builds below would test nothing."""
    paths = {".".join(p): url for p, url in PROGRAM_STRINGS}
    for name in ("name", "organizer", "city", "icp", "description", "site_code",
                 "police_record", "contact.note", "contact.email", "license.name"):
        assert paths.get(name) is False, name
    for name in ("site_url", "police_record_url", "gov_mark.url", "contact.url", "license.url"):
        assert paths.get(name) is True, name


def program_values(text: str, url: str) -> dict[str, Any]:
    program: dict[str, Any] = {"inspection_interval": "2", "sample": "true"}
    for path, is_url in PROGRAM_STRINGS:
        node = program
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = url if is_url else text
    program["gov_mark"]["image"] = "photos/taohua-dangri.jpg"
    return program


def taxonomy_values(text: str) -> dict[str, Any]:
    return {
        "categories": {key: {"name": f"{name}{text}", "description": text} for key, name in
                       (("rural", "农村"), ("community", "街道社区"), ("organ", "机关单位"),
                        ("school", "学校"), ("enterprise", "企业"),
                        ("intermediary", "社会中介组织"), ("social_group", "社会团体"))},
        "units": {key: {"name": f"{name}{text}", "kind": kind, "short_name": f"{name}{text}"}
                  for key, name, kind in (("chengnan", "城南", "district"),
                                          ("hexi", "河西", "district"),
                                          ("shanbei", "山北", "district"),
                                          ("shizhi", "市直", "work_committee"))},
        "themes": {key: {"name": f"{name}{text}", "description": text}
                   for key, name in (("party_education", "党员教育"), ("service", "服务"),
                                     ("grid", "网格"))},
    }


def dataset(folder: Path, text: str, url: str) -> Path:
    data = folder / "data"
    shutil.copytree(MINIMAL, data)
    # JSON is YAML: every value quoted, whatever it holds.
    (data / "program.yml").write_text(json.dumps(program_values(text, url), ensure_ascii=False),
                                      encoding="utf-8")
    (data / "taxonomy.yml").write_text(json.dumps(taxonomy_values(text), ensure_ascii=False),
                                       encoding="utf-8")
    return data


def build(data: Path, out: Path, audience: str = "public") -> Path:
    result = build_site(BuildSettings(config_file=REPO / "mkdocs.yml", data_dir=data, out=out,
                                      audience=audience,  # type: ignore[arg-type]
                                      pdf=False, shards=1))
    return result.out


def shapes(site: Path) -> dict[str, Counter[tuple[str, str]]]:
    """Per page: how often each (element, attribute) occurs; attributes with a value that
    is a script URL count as their own kind."""
    found: dict[str, Counter[tuple[str, str]]] = {}
    for page in html_files(site):
        counts: Counter[tuple[str, str]] = Counter()
        for el in parse_html(page).iter():
            counts[(el.tag, "")] += 1
            for attr, value in el.attrs.items():
                kind = "javascript:" if value.strip().lower().startswith("javascript:") else attr
                counts[(el.tag, kind)] += 1
        found[page.relative_to(site).as_posix()] = counts
    return found


def new_markup(plain: Path, payload: Path) -> list[str]:
    before, after = shapes(plain), shapes(payload)
    assert set(before) == set(after)
    extra = []
    for page, counts in after.items():
        for shape, n in counts.items():
            if n > before[page][shape]:
                extra.append(f"{page}: <{shape[0]} {shape[1]}> ×{n - before[page][shape]}")
    return extra


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_markup_in_every_setting_stays_text(tmp_path: Path, audience: str) -> None:
    plain = build(dataset(tmp_path / "plain", PLAIN, PLAIN_URL), tmp_path / "plain-site", audience)
    payload_data = dataset(tmp_path / "payload", MARKUP, URL_TRICKY)
    payload = build(payload_data, tmp_path / "payload-site", audience)
    assert "alert(1)" in (payload / "index.html").read_text(encoding="utf-8")  # it got there
    assert new_markup(plain, payload) == []


def test_validate_refuses_markup_in_every_address(tmp_path: Path) -> None:
    for bad in (URL_MARKUP, JS_URL):
        data = dataset(tmp_path / f"v{len(bad)}", PLAIN, bad)
        result = run_cli("validate", "--data", str(data))
        assert result.returncode == 1
        wrong = [line for line in result.stdout.splitlines() if "error:" in line]
        urls = [p for p, is_url in PROGRAM_STRINGS if is_url]
        assert len(wrong) == len(urls), result.stdout
        assert all("program.yml:1:" in line for line in wrong)


def test_addresses_that_skipped_validation_are_escaped_where_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Values put into the loaded programme directly (as a bug in validation, or another
    way in, would): the settings written for the engine still cannot become markup."""
    plain = build(dataset(tmp_path / "plain", PLAIN, PLAIN_URL), tmp_path / "plain-site")
    original = loader.load

    def load(folder: Path) -> Dataset:
        data = original(folder)
        assert data.program is not None
        program = data.program
        data.program = program.model_copy(update={
            "site_url": URL_MARKUP, "police_record_url": JS_URL,
            "gov_mark": program.gov_mark.model_copy(update={"url": URL_MARKUP})
            if program.gov_mark else None,
            "contact": program.contact.model_copy(update={"url": JS_URL})
            if program.contact else None,
            "license": program.license.model_copy(update={"url": URL_MARKUP})
            if program.license else None,
            "name": MARKUP, "organizer": MARKUP, "icp": MARKUP,
        })
        return data

    monkeypatch.setattr(loader, "load", load)
    payload = build(dataset(tmp_path / "payload", PLAIN, PLAIN_URL), tmp_path / "payload-site")
    home = (payload / "index.html").read_text(encoding="utf-8")
    assert "alert(1)" in home or "alert%281%29" in home
    assert new_markup(plain, payload) == []


def test_names_are_escaped_once(tmp_path: Path) -> None:
    """The site's name was escaped twice in the header's title attribute (``&amp;lt;``):
    whatever the page says, parsed once, is what staff wrote."""
    site = build(dataset(tmp_path / "amp", "<甲&乙>\"丙'", PLAIN_URL), tmp_path / "site")
    twice = []
    for page in html_files(site):
        for el in parse_html(page).iter():
            texts = [*el.attrs.values(), *(c for c in el.children if isinstance(c, str))]
            twice += [f"{page.name}: <{el.tag}> {t[:60]}" for t in texts
                      if any(e in t for e in ("&lt;", "&gt;", "&amp;", "&quot;", "&#39;", "&#x27;"))]
    assert twice == []
    header = parse_html(site / "index.html").find("a", "md-logo")
    assert header.attrs["title"] == header.attrs["aria-label"] == "<甲&乙>\"丙'"
