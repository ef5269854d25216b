"""Rewrite the golden files of the generated site: ``.venv/bin/python tests/regen_golden.py``.

tests/golden/minimal/ holds every Markdown page, open-data file and the feed that
``generator.site.sitegen.generate`` makes from tests/fixtures/minimal for a public build,
tests/golden/minimal-internal/ the same for an internal build, both on a fixed reference
date with the built-in templates only (no theme/templates overrides, no content/ pages).
tests/test_site_golden.py compares them with a fresh generation. After a deliberate change
of the templates or the fixture, run this script and review ``git diff tests/golden``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
if str(TESTS.parent) not in sys.path:
    sys.path.insert(0, str(TESTS.parent))

from generator.data import loader  # noqa: E402
from generator.rules.facts import derive  # noqa: E402
from generator.site.sitegen import Options, generate  # noqa: E402

MINIMAL = TESTS / "fixtures" / "minimal"
GOLDEN = TESTS / "golden"
AS_OF = dt.date(2027, 1, 15)
AUDIENCES = {"minimal": "public", "minimal-internal": "internal"}
SUFFIXES = (".md", ".json", ".csv", ".xml")
COMMAND = ".venv/bin/python tests/regen_golden.py"


def generated(audience: str) -> dict[str, bytes]:
    """Path -> bytes of every compared file the generator makes for ``audience``."""
    data = loader.load(MINIMAL)
    if not data.ok:
        raise SystemExit("tests/fixtures/minimal is not valid:\n"
                         + "\n".join(str(p) for p in data.problems))
    assert data.program is not None
    site = generate(data, derive(data, AS_OF),
                    Options(audience=audience,  # type: ignore[arg-type]
                            base_url=data.program.site_url or ""))
    return {path: text.encode("utf-8") for path, text in sorted(site.pages.items())
            if path.endswith(SUFFIXES)}


def stored(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    for name, audience in AUDIENCES.items():
        folder = GOLDEN / name
        files = generated(audience)
        if stored(folder) == files:
            print(f"{folder.relative_to(TESTS.parent)}: unchanged ({len(files)} files)")
            continue
        shutil.rmtree(folder, ignore_errors=True)
        for path, content in files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        print(f"{folder.relative_to(TESTS.parent)}: rewritten ({len(files)} files)")


if __name__ == "__main__":
    main()
