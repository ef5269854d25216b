"""The real command line (``python -m generator``): validate, report, schema."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import MINIMAL, copy_minimal, run_showcase

SUCCESS = "检查通过：8 个示范点（创建单位）、4 篇典型经验、1 份年度规划、1 份经验汇编。"


# ---------------------------------------------------------------- validate

def test_validate_minimal_fixture_succeeds() -> None:
    result = run_showcase("validate", "--data", str(MINIMAL))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [SUCCESS]
    assert result.stderr == ""


def test_validate_broken_data_exits_1_with_problem_lines_on_stdout(tmp_path: Path) -> None:
    data_dir = copy_minimal(tmp_path)
    site = data_dir / "sites" / "2025" / "chengnan-hongqi-cun.yml"
    site.write_text(site.read_text(encoding="utf-8").replace("result: excellent", "result: 优秀"),
                    encoding="utf-8")
    result = run_showcase("validate", "--data", "minimal", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "minimal/sites/2025/chengnan-hongqi-cun.yml:15:13: error: “result”（考评结果）不能是“优秀”。"
        "可选的值：excellent（优秀）、pass（合格）、fail（不合格）。",
        "发现 1 个错误（涉及 1 个文件）。请按提示逐条修改后再运行 showcase validate。",
    ]


def test_report_refuses_broken_data(tmp_path: Path) -> None:
    data_dir = copy_minimal(tmp_path)
    (data_dir / "plans" / "2026.yml").write_text("title: x\nyear: 2025\n", encoding="utf-8")
    result = run_showcase("report", "--json", "--data", str(data_dir), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "minimal/plans/2026.yml:2:7: error: year 是 2025，但文件名是 2026.yml" in result.stderr


# ---------------------------------------------------------------- report

EXPECTED_SITES = {
    "chengnan-hongqi-cun": ("improving", False, 2028),
    "chengnan-taohua-cun": ("improving", False, 2027),
    "chengnan-xingfu-shequ": ("demonstration", True, 2026),
    "hexi-chuangxin-keji": ("eliminated", False, None),
    "hexi-jinshan-qiye": ("not_selected", False, None),
    "shanbei-shiyan-xiaoxue": ("withdrawn", False, None),
    "shanbei-wangjia-cun": ("candidate", True, 2026),
    "shizhi-zhengwu-zhongxin": ("demonstration", False, 2027),
}


def _duty(met: bool, first_passes: int, experiences: int) -> dict[str, Any]:
    return {"met": met, "first_passes": first_passes, "experiences": experiences}


def test_report_json_shape_and_values_by_hand() -> None:
    result = run_showcase("report", "--json", "--as-of", "2027-01-15", "--data", str(MINIMAL))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # exactly one JSON object, nothing else on stdout
    assert isinstance(report, dict)
    assert {"as_of", "sites", "plans", "duties"} <= set(report)
    assert report["as_of"] == "2027-01-15"
    assert report["sites"] == {
        ident: {"status": s, "overdue": o, "due_year": d}
        for ident, (s, o, d) in EXPECTED_SITES.items()
    }
    assert report["plans"] == {"2025": {
        "candidates": {"target": 5, "actual": 4},
        "demonstrations": {"target": 3, "actual": 3},
        "by_category": {
            "rural": {"target": 2, "actual": 1},
            "community": {"target": 1, "actual": 1},
            "organ": {"target": None, "actual": 0},
            "school": {"target": 1, "actual": 1},
            "enterprise": {"target": 1, "actual": 1},
            "intermediary": {"target": None, "actual": 0},
            "social_group": {"target": None, "actual": 0},
        },
    }}
    assert report["duties"] == {
        "2024": {"chengnan": _duty(True, 1, 1), "hexi": _duty(False, 1, 0),
                 "shanbei": _duty(False, 0, 0)},
        "2025": {"chengnan": _duty(True, 2, 0), "hexi": _duty(True, 0, 1),
                 "shanbei": _duty(False, 1, 0)},
        "2026": {"chengnan": _duty(False, 0, 0), "hexi": _duty(False, 0, 0),
                 "shanbei": _duty(True, 0, 1)},
        "2027": {"chengnan": _duty(False, 0, 0), "hexi": _duty(False, 0, 0),
                 "shanbei": _duty(False, 0, 0)},
    }
    assert "shizhi" not in json.dumps(report["duties"])  # work committee: no district duty


def test_report_json_on_the_last_day_of_the_due_year() -> None:
    result = run_showcase("report", "--json", "--as-of", "2026-12-31", "--data", str(MINIMAL))
    assert result.returncode == 0, result.stderr
    sites = json.loads(result.stdout)["sites"]
    assert sites["chengnan-xingfu-shequ"] == {"status": "demonstration", "overdue": False,
                                              "due_year": 2026}
    assert sites["shanbei-wangjia-cun"]["overdue"] is False


def test_report_tables() -> None:
    result = run_showcase("report", "--as-of", "2027-01-15", "--data", str(MINIMAL))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "参考日期 2027-01-15" in out
    for heading in ("生命周期", "2025 年度规划进度", "考评逾期（2）", "2026 年区县职责"):
        assert heading in out
    assert re.search(r"创建单位\s+5\s+4\s+80%", out)
    assert re.search(r"示范点\s+3\s+3\s+100%", out)
    assert "chengnan-xingfu-shequ" in out and "shanbei-wangjia-cun" in out
    assert re.search(r"山北县委组织部\s+0\s+1\s+✓ 完成", out)
    assert not re.search(r"市直机关工委\s+\d+\s+\d+\s+[✓✗]", out)  # never in a duty table


@pytest.mark.parametrize("bad", ["2026-02-30", "2027/01/15", "明天"])
def test_report_rejects_an_impossible_as_of_date(bad: str) -> None:
    result = run_showcase("report", "--as-of", bad, "--data", str(MINIMAL))
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"--as-of 的值“{bad}”不是有效日期，请写成 YYYY-MM-DD，例如 2027-01-15。" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- schema

SCHEMA_FILES = {
    "program.schema.json": ["program.yml"],
    "taxonomy.schema.json": ["taxonomy.yml"],
    "site.schema.json": ["sites/**/*.yml"],
    "experience.schema.json": ["experiences/**/*.yml"],
    "plan.schema.json": ["plans/*.yml"],
    "compilation.schema.json": ["compilations/*.yml"],
}


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML with the YAML 1.2 core schema (what editors' YAML language server uses):
    no sexagesimal numbers, no yes/no/on/off booleans, no timestamps, no 0-prefixed octal."""


Yaml12Loader.yaml_implicit_resolvers = {}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))


def _int12(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    assert isinstance(text, str)
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int12)


def load_yaml12(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=Yaml12Loader)


def test_yaml12_loader_has_core_schema_semantics() -> None:
    data = yaml.load("a: no\nb: 12:30\nc: 2024-11-20\nd: 07317200302\ne: true\nf: 0o17\n"
                     "g: 8.5\nh: ~\n", Loader=Yaml12Loader)
    assert data == {"a": "no", "b": "12:30", "c": "2024-11-20", "d": 7317200302, "e": True,
                    "f": 15, "g": 8.5, "h": None}


# Keywords the generated schemas may use (the structure check below refuses others, so that
# a schema never relies on something editors do not understand).
_ANNOTATIONS = {"title", "description", "default", "$schema", "$defs", "definitions",
                "private", "examples", "$id", "$comment"}
_ASSERTIONS = {"type", "properties", "required", "additionalProperties", "items", "enum",
               "anyOf", "$ref", "minimum", "maximum", "maxLength", "minLength", "minItems",
               "maxItems", "format", "pattern", "exclusiveMinimum", "exclusiveMaximum",
               "propertyNames", "const", "uniqueItems"}
_TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}
_FORMATS = {"date", "markdown", "uri", "date-time", "email"}


def _check_structure(node: Any, root: dict[str, Any], where: str = "#") -> None:
    """Every schema object uses only draft-07 keywords with well-formed values."""
    if isinstance(node, bool):
        return
    assert isinstance(node, dict), where
    unknown = set(node) - _ANNOTATIONS - _ASSERTIONS
    assert not unknown, f"{where}: keywords this test does not know: {unknown}"
    if "type" in node:
        types = node["type"] if isinstance(node["type"], list) else [node["type"]]
        assert set(types) <= _TYPES, where
    if "format" in node:
        assert node["format"] in _FORMATS, where
    if "required" in node:
        assert set(node["required"]) <= set(node.get("properties", {})), where
    if "enum" in node:
        assert isinstance(node["enum"], list) and node["enum"], where
    if "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            assert part in target, f"{where}: unresolvable $ref {node['$ref']}"
            target = target[part]
    for key in ("properties", "$defs", "definitions"):
        for name, sub in node.get(key, {}).items():
            _check_structure(sub, root, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties", "propertyNames"):
        if isinstance(node.get(key), dict):
            _check_structure(node[key], root, f"{where}/{key}")
    for i, sub in enumerate(node.get("anyOf", [])):
        _check_structure(sub, root, f"{where}/anyOf/{i}")


def validation_errors(schema: dict[str, Any], value: Any) -> list[str]:
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [e.message for e in validator.iter_errors(value)]


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("schemas")
    result = run_showcase("schema", "--data", str(MINIMAL), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(Path(line).name for line in result.stdout.splitlines()) == sorted(SCHEMA_FILES)
    assert sorted(p.name for p in out.iterdir() if p.name != ".showcase-generated") == sorted(SCHEMA_FILES)
    return {name: json.loads((out / name).read_text(encoding="utf-8")) for name in SCHEMA_FILES}


def test_schemas_are_draft07(schemas: dict[str, dict[str, Any]]) -> None:
    for name, schema in schemas.items():
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#", name
        assert schema["type"] == "object" and schema["additionalProperties"] is False, name
        assert re.search(r"[\u4e00-\u9fff]", schema["title"]), name
        _check_structure(schema, schema)
        jsonschema.Draft7Validator.check_schema(schema)


def test_schemas_accept_every_fixture_record(schemas: dict[str, dict[str, Any]]) -> None:
    checked = 0
    for name, globs in SCHEMA_FILES.items():
        for pattern in globs:
            for path in sorted(MINIMAL.glob(pattern)):
                errors = validation_errors(schemas[name], load_yaml12(path))
                assert errors == [], f"{path.relative_to(MINIMAL)}: {errors}"
                checked += 1
    assert checked == 2 + 8 + 4 + 1 + 1


def test_schemas_reject_what_the_validator_rejects(schemas: dict[str, dict[str, Any]]) -> None:
    """The schema is not vacuous: typical mistakes are flagged in the editor too."""
    site = load_yaml12(MINIMAL / "sites" / "2024" / "chengnan-taohua-cun.yml")
    bad_values: list[tuple[str, Any]] = [
        ("sumary", "拼错的字段"),
        ("level", "province"),
        ("category", "rurall"),
        ("unit", "chengnam"),
        ("summary", "长" * 201),
        ("evaluations", [{"year": 2024, "result": "passed"}]),
        ("archive", [{"date": "2024-02-30", "type": "meeting", "title": "x"}]),
        ("organization", "党支部"),
    ]
    for key, value in bad_values:
        assert validation_errors(schemas["site.schema.json"], {**site, key: value}), key
    missing = {k: v for k, v in site.items() if k != "category"}
    assert validation_errors(schemas["site.schema.json"], missing)
    exp = load_yaml12(MINIMAL / "experiences" / "2025" / "hexi-lianmeng-gongjian.yml")
    assert validation_errors(schemas["experience.schema.json"], {**exp, "sites": ["nope"]})
    assert validation_errors(schemas["experience.schema.json"], {**exp, "themes": ["nope"]})


def test_every_site_property_has_a_chinese_title(schemas: dict[str, dict[str, Any]]) -> None:
    schema = schemas["site.schema.json"]
    seen = 0

    def walk(node: dict[str, Any], where: str) -> None:
        nonlocal seen
        for name, prop in node.get("properties", {}).items():
            assert re.search(r"[\u4e00-\u9fff]", prop.get("title", "")), f"{where}.{name}"
            seen += 1

    walk(schema, "site")
    for name, sub in schema.get("$defs", {}).items():
        walk(sub, name)
    assert seen >= 60


def test_site_schema_knows_the_taxonomy(schemas: dict[str, dict[str, Any]]) -> None:
    props = schemas["site.schema.json"]["properties"]
    assert props["category"]["enum"] == ["rural", "community", "organ", "school", "enterprise",
                                         "intermediary", "social_group"]
    assert props["unit"]["enum"] == ["chengnan", "hexi", "shanbei", "shizhi"]
