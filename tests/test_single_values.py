"""A single value where SPEC expects a list is taken as a list of one, never refused or
dropped: `themes: grid` means `themes: [grid]`."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator import dataset

MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"


def test_scalar_values_of_list_fields_become_one_item_lists(tmp_path: Path) -> None:
    data_dir = tmp_path / "minimal"
    shutil.copytree(MINIMAL, data_dir)
    before = dataset.load(data_dir)
    site_id = sorted(before.sites)[0]
    theme = next(iter(before.taxonomy.themes))  # type: ignore[union-attr]
    (data_dir / "experiences" / "single.yml").write_text(
        f"title: 单值字段\nsites: {site_id}\nyear: 2025\nthemes: {theme}\n"
        "summary: 摘要\nauthor: 某单位\ntags: 单个标签\nbody: 正文\n", encoding="utf-8")
    (data_dir / "compilations" / "single.yml").write_text(
        f"title: 汇编\nselect:\n  years: 2025\n  themes: {theme}\norder: date\n", encoding="utf-8")
    data = dataset.load(data_dir)
    assert data.ok, [str(p) for p in data.problems]
    exp = data.experiences["single"]
    assert exp.sites == [site_id] and exp.themes == [theme] and exp.tags == ["单个标签"]
    select = data.compilations["single"].select
    assert select is not None and select.years == [2025] and select.themes == [theme]
