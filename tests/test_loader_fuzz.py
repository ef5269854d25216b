"""Property tests: the strict YAML reader and the data-set loader never crash on user input,
and keep every scalar exactly as typed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.base.problems import Problem
from generator.base.textcheck import BAD_CHARACTER
from generator.data.dataset import Dataset
from generator.data.loader import load
from generator.data.yamlsource import MAX_DEPTH, YamlDoc, decode, parse


def _read(raw: bytes) -> tuple[YamlDoc | None, list[Problem]]:
    text, problems = decode(raw, "f.yml")
    if text is None:
        return None, problems
    return parse(text, "f.yml")


def _well_formed(doc: YamlDoc | None, problems: list[Problem]) -> None:
    assert (doc is None) == bool(problems)
    for p in problems:
        assert p.path == "f.yml"
        assert p.line >= 1 and p.col >= 1
        assert p.message.strip()
        assert not p.is_internal, p.detail  # the reader's own failure, never acceptable


# ---------------------------------------------------------------- (a) arbitrary bytes

@settings(max_examples=300, deadline=2000)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _well_formed(*_read(raw))


@settings(max_examples=100, deadline=2000)
@given(st.binary(max_size=200), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
def test_bytes_after_a_bom_or_valid_text_never_raise(tail: bytes, bom: bytes) -> None:
    _well_formed(*_read(bom + "name: 中文\nsummary: ".encode() + tail))


# ---------------------------------------------------------------- (b) YAML-ish text

KEYS = ["name", "summary", "evaluations", "year", "result", "<<", "id", "名称", "", "? a",
        "'q'", '"dq"', "a b", "-", "k"]
TOKENS = ["-", "- ", ":", ": ", "'", '"', "&a", "*a", "!", "!!str", "!!python/object:x", "|",
          ">", "|-", "[", "]", "{", "}", ",", "#", " #注释", "---", "...", "%YAML 1.1",
          "<<", "?", "@", "`", "\\", "\t", "no", "12:30", "01012345", "2024-02-30", "~",
          "null", "党建示范点", "“引号”", "：", "\u3000", "\x00", "\x85", "\u2028", "\ufeff",
          "\r", "0o17", ".inf", "1e3", " ", "  ", "x"]

line_strategy = st.builds(
    lambda indent, dash, key, value: indent + dash + key + value,
    st.sampled_from(["", " ", "  ", "    ", "\t", " \t", "      "]),
    st.sampled_from(["", "- ", "-", "- - "]),
    st.sampled_from([*(k + ": " for k in KEYS), *(k + ":" for k in KEYS), ""]),
    st.lists(st.sampled_from(TOKENS), max_size=6).map("".join),
)
yamlish = st.builds(
    lambda lines, sep: sep.join(lines),
    st.lists(line_strategy, max_size=25),
    st.sampled_from(["\n", "\r\n", "\r"]),
)


@settings(max_examples=300, deadline=2000)
@given(yamlish)
def test_yamlish_text_never_raises(text: str) -> None:
    doc, problems = parse(text, "f.yml")
    _well_formed(doc, problems)
    if doc is not None:
        _only_plain_data(doc.data)


def _only_plain_data(value: Any, depth: int = 0) -> None:
    assert depth <= MAX_DEPTH + 1
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str)
            _only_plain_data(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _only_plain_data(item, depth + 1)
    else:
        assert value is None or isinstance(value, str)


# ---------------------------------------------------------------- (c) round trip of safe_dump

# Text that records may hold: no control characters (but tab and newline), surrogates,
# non-characters or bidi overrides — those are refused and tested on their own below.
clean_characters = st.characters(exclude_categories=("Cc", "Cs"), include_characters="\t\n",
                                 exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066"
                                                    "\u2067\u2068\u2069\ufffe\uffff")
keys = st.text(clean_characters, min_size=1, max_size=12).filter(
    lambda s: s.strip() != "" and s != "<<")
scalars = st.text(clean_characters, max_size=20)
structures = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(keys, children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=2000)
@given(st.dictionaries(keys, structures, max_size=6) | st.lists(structures, max_size=5),
       st.booleans(), st.booleans())
def test_safe_dump_round_trip_keeps_every_string(value: Any, unicode: bool, flow: bool) -> None:
    text = yaml.safe_dump(value, allow_unicode=unicode, default_flow_style=flow)
    expected = yaml.load(text, Loader=yaml.BaseLoader)
    doc, problems = parse(text, "f.yml")
    assert problems == []
    assert doc is not None
    assert doc.data == expected
    if not _has_odd_line_break(value):
        # (PyYAML's emitter itself folds NEL/LS/PS in plain keys, so compare only without)
        assert doc.data == value


def _has_odd_line_break(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_odd_line_break(k) or _has_odd_line_break(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_odd_line_break(v) for v in value)
    return any(c in value for c in "\x85\u2028\u2029")


@settings(max_examples=100, deadline=2000)
@given(st.dictionaries(keys, structures, min_size=1, max_size=6))
def test_every_key_and_value_has_a_position(value: dict[str, Any]) -> None:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=False)
    doc, _ = parse(text, "f.yml")
    assert doc is not None
    lines = len(text.splitlines()) + 1

    def walk(node: Any, loc: tuple[str | int, ...]) -> None:
        mark = doc.value_marks[loc]
        assert 1 <= mark.line <= lines
        if isinstance(node, dict):
            for key, item in node.items():
                assert 1 <= doc.key_marks[(*loc, key)].line <= lines
                walk(item, (*loc, key))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, (*loc, i))

    walk(doc.data, ())


refused = st.sampled_from([*(chr(c) for c in range(0x20) if chr(c) not in "\t\n"), "\x7f",
                           *(chr(c) for c in range(0x80, 0xA0)), "\u202a", "\u202e", "\u2066",
                           "\u2069", "\ufffe", "\uffff"])


@settings(max_examples=200, deadline=2000)
@given(st.text(clean_characters, max_size=8), refused, st.text(clean_characters, max_size=8),
       st.sampled_from(["name", "summary", "名称"]), st.integers(0, 3))
def test_a_refused_character_is_a_located_error(before: str, bad: str, after: str, key: str,
                                                line: int) -> None:
    """Typed as an escape or as is, in any value: one error at the value (SPEC §5 "Text")."""
    value = yaml.safe_dump({key: before + bad + after}, allow_unicode=True, width=10_000)
    text = "a: 1\n" * line + value
    doc, problems = parse(text, "f.yml")
    assert doc is None
    assert problems, text
    mine = [p for p in problems if "字符" in p.message]
    assert mine, [p.message for p in problems]
    assert all(p.line >= line + 1 for p in mine), (text, problems)
    assert all(BAD_CHARACTER.search(p.message) is None for p in problems)


def test_plain_empty_and_null_become_none_quoted_stay_text() -> None:
    doc, problems = parse("a:\nb: ~\nc: null\nd: ''\ne: 'null'\nf: \"~\"\ng: '- '\n"
                          "h: NULL\ni: -x\n", "f.yml")
    assert problems == []
    assert doc is not None
    assert doc.data == {"a": None, "b": None, "c": None, "d": "", "e": "null", "f": "~",
                        "g": "- ", "h": None, "i": "-x"}


@settings(max_examples=300, deadline=2000)
@given(yamlish)
@example(text="name: !-!-")  # libyaml's "found undefined tag handle" (found by this test)
def test_syntax_errors_are_explained_not_passed_through_in_english(text: str) -> None:
    """libyaml's English problem texts are all translated into what to do."""
    _, problems = parse(text, "f.yml")
    for p in problems:
        assert not p.message.startswith("YAML 语法错误（"), p.message


@pytest.mark.parametrize(("text", "line", "col", "words"), [
    ("a: 1\ng: - x\n", 2, 4, "列表项"),
    ("a: [1, 2\nb: 3\n", 2, 2, "方括号"),
    ("a: {x: 1\nb: 3\n", 2, 2, "花括号"),
    ("a: &\n", 1, 5, "“&”和“*”"),
    ('a: "x\\q"\n', 1, 6, "反斜杠"),
    ("a: [x: y: z]\n", 1, 9, "方括号"),
    ("a: x\n  b: y\n", 2, 4, "冒号"),
    ("a:\n  b: 1\n c: 2\n", 3, 2, "缩进"),
])
def test_syntax_error_messages(text: str, line: int, col: int, words: str) -> None:
    _, problems = parse(text, "f.yml")
    assert len(problems) == 1
    assert (problems[0].line, problems[0].col) == (line, col)
    assert problems[0].message.startswith("YAML 语法错误：")
    assert words in problems[0].message


# ---------------------------------------------------------------- (d) the whole loader

@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "minimal"
    shutil.copytree(MINIMAL, target)
    return target


site_texts = st.one_of(
    yamlish,
    st.binary(max_size=500).map(lambda b: b.decode("latin-1")),
    st.dictionaries(st.sampled_from(["name", "category", "unit", "batch", "summary",
                                     "evaluations", "photos", "withdrawn", "level", "tags",
                                     "organization", "contacts", "internal", "x"]),
                    structures, max_size=8).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True)),
)


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(text=site_texts, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_dataset_load_with_a_fuzzed_site_never_raises(fuzz_dir: Path, text: str,
                                                      encoding: str) -> None:
    target = fuzz_dir / "sites" / "2025" / "chengnan-hongqi-cun.yml"
    original = target.read_bytes()
    try:
        target.write_bytes(text.encode(encoding, errors="replace"))
        data = load(fuzz_dir)
    finally:
        target.write_bytes(original)
    assert isinstance(data, Dataset)
    for p in data.problems:
        assert p.line >= 1 and p.col >= 1 and p.message
        assert not p.is_internal, p.detail
        assert p.path.startswith("minimal/")
    # only the fuzzed file is reported: the experience that refers to it is not blamed
    assert {p.path for p in data.errors} <= {"minimal/sites/2025/chengnan-hongqi-cun.yml"}, [
        str(p) for p in data.errors]


# ---------------------------------------------------------------- duplicate keys at any depth

def _nested_with_duplicate(depth: int, in_list: bool) -> tuple[str, int, int]:
    """A document whose only duplicate key sits ``depth`` mappings down (through list items
    when ``in_list``); returns the text, the first and the second key's line."""
    lines: list[str] = []
    indent = ""
    for level in range(depth):
        if in_list and level % 2 == 1:
            lines.append(f"{indent}- item{level}: x")
            lines.append(f"{indent}  level{level}:")
            indent += "    "
        else:
            lines.append(f"{indent}level{level}:")
            indent += "  "
    lines.append(f"{indent}name: 第一次")
    first = len(lines)
    lines.append(f"{indent}other: 其他")
    lines.append(f"{indent}name: 第二次")
    return "\n".join(lines) + "\n", first, len(lines)


@pytest.mark.parametrize("in_list", [False, True], ids=["mappings", "through-lists"])
@pytest.mark.parametrize("depth", range(0, 7))
def test_a_duplicate_key_is_reported_at_every_depth(depth: int, in_list: bool) -> None:
    text, first, second = _nested_with_duplicate(depth, in_list)
    doc, problems = parse(text, "f.yml")
    assert doc is None, text
    assert len(problems) == 1, (text, problems)
    problem = problems[0]
    assert problem.line == second, (text, problem)
    assert "“name”重复" in problem.message and f"第 {first} 行" in problem.message, problem


def test_the_same_key_in_sibling_mappings_is_not_a_duplicate() -> None:
    doc, problems = parse("a:\n  name: 1\nb:\n  name: 2\nlist:\n  - name: 1\n  - name: 2\n",
                          "f.yml")
    assert problems == [] and doc is not None
    assert doc.data == {"a": {"name": "1"}, "b": {"name": "2"},
                        "list": [{"name": "1"}, {"name": "2"}]}


# ---------------------------------------------------------------- the last-resort handler

def test_an_internal_failure_is_said_to_be_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in the reader is reported as the program's fault (with the exception for -v),
    never as a problem of the data — so the fuzz tests above can tell it apart."""
    from click.testing import CliRunner

    from generator.cli import main
    from generator.data import yamlsource

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug in the reader")

    monkeypatch.setattr(yamlsource.yaml, "parse", broken)
    doc, problems = parse("name: x\n", "f.yml")
    assert doc is None and len(problems) == 1 and problems[0].is_internal
    assert "程序内部错误" in problems[0].message and "RuntimeError" in problems[0].detail
    quiet = CliRunner().invoke(main, ["validate", "--data", str(MINIMAL)])
    assert quiet.exit_code == 1 and "程序内部错误" in quiet.output
    assert "RuntimeError" not in quiet.output
    verbose = CliRunner().invoke(main, ["validate", "--data", str(MINIMAL), "-v"])
    assert "RuntimeError: simulated bug in the reader" in verbose.output
