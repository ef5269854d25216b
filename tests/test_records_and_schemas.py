"""Record typing details and the editor schemas kept in the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.data import loader

MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"


def test_scalar_values_of_list_fields_become_one_item_lists(tmp_path: Path) -> None:
    """`themes: grid` means `themes: [grid]`: a single value is never refused or dropped."""
    data_dir = tmp_path / "minimal"
    shutil.copytree(MINIMAL, data_dir)
    before = loader.load(data_dir)
    site_id = sorted(before.sites)[0]
    theme = next(iter(before.taxonomy.themes))  # type: ignore[union-attr]
    (data_dir / "experiences" / "single.yml").write_text(
        f"title: 单值字段\nsites: {site_id}\nyear: 2025\nthemes: {theme}\n"
        "summary: 摘要\nauthor: 某单位\ntags: 单个标签\nbody: 正文\n", encoding="utf-8")
    (data_dir / "compilations" / "single.yml").write_text(
        f"title: 汇编\nselect:\n  years: 2025\n  themes: {theme}\norder: date\n", encoding="utf-8")
    data = loader.load(data_dir)
    assert data.ok, [str(p) for p in data.problems]
    exp = data.experiences["single"]
    assert exp.sites == [site_id] and exp.themes == [theme] and exp.tags == ["单个标签"]
    select = data.compilations["single"].select
    assert select is not None and select.years == [2025] and select.themes == [theme]


def test_committed_editor_schemas_are_up_to_date(tmp_path: Path) -> None:
    """schemas/ (used by VS Code through .vscode/settings.json) is what `showcase schema`
    writes for the sample data; regenerate with `.venv/bin/showcase schema`."""
    from generator.staff.editorschema import write_schemas

    root = MINIMAL.parent.parent.parent
    data = loader.load(root / "sites_data")
    written = write_schemas(tmp_path, data.taxonomy, sorted(data.sites))
    for path in written:
        committed = root / "schemas" / path.name
        assert committed.read_text("utf-8") == path.read_text("utf-8"), (
            f"schemas/{path.name} is out of date: run .venv/bin/showcase schema")
