"""Golden files: the generated Markdown, open data and feed of tests/fixtures/minimal are
exactly those reviewed and stored in tests/golden/ (regenerate with tests/regen_golden.py)."""

from __future__ import annotations

import difflib

import pytest
from regen_golden import AUDIENCES, COMMAND, GOLDEN, generated, stored

HOW = (f"If the change is intended, regenerate with `{COMMAND}` and review "
       "`git diff tests/golden` before committing.")


@pytest.mark.parametrize("name", sorted(AUDIENCES))
def test_generated_files_match_golden(name: str) -> None:
    expected = stored(GOLDEN / name)
    assert expected, f"tests/golden/{name}/ is missing. {HOW}"
    actual = generated(AUDIENCES[name])
    added = sorted(set(actual) - set(expected))
    removed = sorted(set(expected) - set(actual))
    assert not added and not removed, (
        f"generated files differ from tests/golden/{name}/: new {added}, gone {removed}. {HOW}")
    changed = [path for path in expected if expected[path] != actual[path]]
    if changed:
        diffs = []
        for path in changed[:5]:
            diffs += difflib.unified_diff(
                expected[path].decode("utf-8").splitlines(),
                actual[path].decode("utf-8").splitlines(),
                f"golden/{name}/{path}", f"generated/{path}", lineterm="", n=2)
        shown = "\n".join(diffs[:120])
        pytest.fail(f"{len(changed)} generated file(s) differ from tests/golden/{name}/: "
                    f"{changed}\n{shown}\n{HOW}")


@pytest.mark.parametrize("name", sorted(AUDIENCES))
def test_every_page_has_well_formed_front_matter(name: str) -> None:
    """A template slip (a whitespace-eating tag) can glue ``---`` to the next line, and the
    page's settings then show up as text: every page must open with a parsable header."""
    import yaml

    for path, content in generated(AUDIENCES[name]).items():
        if not path.endswith(".md"):
            continue
        lines = content.decode("utf-8").split("\n")
        assert lines[0] == "---", f"{path} does not start with a front-matter line: {lines[0]!r}"
        end = lines.index("---", 1)
        meta = yaml.safe_load("\n".join(lines[1:end]))
        assert meta is None or isinstance(meta, dict), f"{path}: front matter is not a mapping"
