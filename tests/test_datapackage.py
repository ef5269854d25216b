"""data/datapackage.json: the open data as a Frictionless Data Package. Frictionless itself
accepts it for real builds (public and internal, the sample and the minimal fixture), and it
describes exactly the files next to it: every column in order, the licence, Chinese titles,
and no private field in a public build."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import frictionless
import pytest
from conftest import copy_minimal
from test_site_support import AS_OF, MINIMAL, SAMPLE, build_ok, cached_build

from generator.data import loader
from generator.rules.facts import derive
from generator.site.sitegen import Options, generate

# Every private field name (records.py, json_schema_extra=PRIVATE) and the internal-only
# columns and keys opendata.py adds.
PRIVATE_NAMES = ("phone", "score", "evaluator", "remarks", "awards", "reason", "internal",
                 "overdue")
CJK = re.compile(r"[\u4e00-\u9fff]")
BUILDS = [(SAMPLE, "public"), (SAMPLE, "internal"), (MINIMAL, "public"), (MINIMAL, "internal")]


def descriptor_of(site: Path) -> tuple[Path, dict[str, Any]]:
    path = site / "data" / "datapackage.json"
    return path, json.loads(path.read_text(encoding="utf-8"))


def resource(package: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in package["resources"] if r["name"] == name)


def field_names(res: dict[str, Any]) -> list[str]:
    return [f["name"] for f in res["schema"]["fields"]]


@pytest.fixture(params=BUILDS, ids=lambda b: f"{b[0].name}-{b[1]}" if isinstance(b, tuple) else b)
def built(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    data, audience = request.param
    return data, audience, cached_build(tmp_path_factory, data, audience=audience)


def test_frictionless_accepts_the_package(built: tuple[Path, str, Path]) -> None:
    _data, _audience, site = built
    path, _package = descriptor_of(site)
    report = frictionless.validate(str(path))
    problems = [f"{task.name}: {e.type} {e.note}" for task in report.tasks for e in task.errors]
    problems += [f"{e.type} {e.note}" for e in report.errors]
    assert report.valid, "\n".join(problems[:20])
    assert len(report.tasks) == 4 and all(task.valid for task in report.tasks)


def test_the_descriptor_describes_the_files(built: tuple[Path, str, Path]) -> None:
    _data, _audience, site = built
    path, package = descriptor_of(site)
    assert [r["path"] for r in package["resources"]] == [
        "sites.json", "sites.csv", "experiences.json", "experiences.csv"]
    for res in package["resources"]:
        file = path.parent / res["path"]
        assert file.is_file(), res["path"]
        assert res["profile"] == "tabular-data-resource"
        assert res["schema"]["primaryKey"] == ["id"]
        raw = file.read_bytes()
        if res["format"] == "csv":
            assert res["encoding"] == "utf-8-sig" and raw.startswith(b"\xef\xbb\xbf")
            assert res["dialect"]["lineTerminator"] == "\r\n" and b"\r\n" in raw
            header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
            assert header == field_names(res), res["path"]
        else:
            assert res["format"] == "json" and res["encoding"] == "utf-8"
            records = json.loads(raw.decode("utf-8"))
            assert records, res["path"]
            # Frictionless reads only the keys the schema names: the keys are checked here.
            for record in records:
                assert list(record) == field_names(res), (res["path"], record["id"])


def test_every_column_has_a_type_and_a_chinese_title_and_description(
        built: tuple[Path, str, Path]) -> None:
    _data, _audience, site = built
    _path, package = descriptor_of(site)
    for res in package["resources"]:
        assert CJK.search(res["title"]) and CJK.search(res["description"])
        names = field_names(res)
        assert len(set(names)) == len(names)
        for field in res["schema"]["fields"]:
            where = f"{res['name']}.{field['name']}"
            assert field["type"] in {"string", "integer", "number", "boolean", "date", "year",
                                     "array", "object"}, where
            assert CJK.search(field["title"]), where
            assert CJK.search(field.get("description", "")), where
        by_name = {f["name"]: f for f in res["schema"]["fields"]}
        assert by_name["id"]["constraints"] == {"required": True, "unique": True}
        if res["name"].startswith("sites"):
            assert by_name["status"]["constraints"]["enum"] == [
                "candidate", "demonstration", "improving", "not_selected", "eliminated",
                "withdrawn"]
            assert by_name["category"]["constraints"]["enum"]
            assert by_name["unit"]["constraints"]["enum"]


def test_package_metadata_comes_from_the_programme(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    data = loader.load(SAMPLE)
    program = data.program
    assert program is not None and program.license is not None and program.license.url
    _path, package = descriptor_of(cached_build(tmp_path_factory, SAMPLE))
    assert re.fullmatch(r"[-a-z0-9._/]+", package["name"])
    assert package["title"] == program.name
    assert CJK.search(package["description"])
    assert package["licenses"] == [{"name": "CC-BY-4.0", "path": program.license.url,
                                    "title": program.license.name}]
    assert package["created"] == f"{AS_OF}T00:00:00Z"  # the reference date, not the clock
    assert package["homepage"] == program.site_url
    assert package["contributors"][0]["title"] == program.organizer
    assert package["contributors"][0]["role"] == "publisher"


def test_the_open_data_page_links_the_package_with_its_licence(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    program = loader.load(SAMPLE).program
    assert program is not None and program.license is not None
    page = (cached_build(tmp_path_factory, SAMPLE) / "data" / "index.html").read_text(
        encoding="utf-8")
    assert 'href="datapackage.json"' in page and "Frictionless Data Package" in page
    assert program.license.name in page and f'href="{program.license.url}"' in page
    assert f"数据更新日期：{AS_OF}" in page


def test_no_private_field_is_described_in_a_public_build(built: tuple[Path, str, Path]) -> None:
    _data, audience, site = built
    path, package = descriptor_of(site)
    text = path.read_text(encoding="utf-8")
    names = {name for res in package["resources"] for name in field_names(res)}
    for private in PRIVATE_NAMES:
        if audience == "public":
            assert private not in text, private
            assert not any(private in name for name in names), private
        else:
            assert private in text, private
    if audience == "internal":
        sites_csv = field_names(resource(package, "sites-csv"))
        assert sites_csv[-5:] == ["overdue", "leader_phone", "supervisor_phone",
                                  "liaison_phone", "awards_total"]
        assert {"awards", "internal", "overdue"} <= set(field_names(resource(package, "sites-json")))


def test_the_descriptor_is_byte_identical_for_the_same_reference_date(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    first = cached_build(tmp_path_factory, MINIMAL) / "data" / "datapackage.json"
    second = build_ok(MINIMAL, tmp_path / "again") / "data" / "datapackage.json"
    assert first.read_bytes() == second.read_bytes()
    later = build_ok(MINIMAL, tmp_path / "later", as_of="2027-03-01") / "data" / "datapackage.json"
    assert json.loads(later.read_text(encoding="utf-8"))["created"] == "2027-03-01T00:00:00Z"


def test_a_licence_with_neither_identifier_nor_url_points_to_the_open_data_page(
        tmp_path: Path) -> None:
    """The spec wants a licence's name (an identifier) or path: a licence known only by its
    title gets the page that states it, and frictionless still accepts the package."""
    data_dir = copy_minimal(tmp_path)
    with (data_dir / "program.yml").open("a", encoding="utf-8") as f:
        f.write("license:\n  name: 本市政府数据开放协议\n")
    data = loader.load(data_dir)
    assert data.ok, data.problems
    site = generate(data, derive(data, dt.date.fromisoformat(AS_OF)), Options(audience="public"))
    out = tmp_path / "out"
    for path, text in site.pages.items():
        if path.startswith("data/") and path.endswith((".json", ".csv")):
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            (out / path).write_bytes(text.encode("utf-8"))
    path, package = descriptor_of(out)
    assert package["licenses"] == [{"path": "index.html", "title": "本市政府数据开放协议"}]
    assert "本市政府数据开放协议" in site.pages["data/index.md"]
    report = frictionless.validate(str(path))
    assert report.valid, [e.note for e in report.errors] + [
        e.note for task in report.tasks for e in task.errors]
