"""The data format reference in the staff guide (数据格式说明) is generated from the records'
models, kept up to date, and its examples are valid records."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image

from generator.data.loader import load
from generator.model import records
from generator.staff import formatdoc

REPO = Path(__file__).resolve().parent.parent


def test_the_committed_page_is_up_to_date() -> None:
    committed = (REPO / formatdoc.TARGET).read_text(encoding="utf-8")
    assert committed == formatdoc.render(), (
        "content/guide/format.md is out of date: run .venv/bin/python -m generator.staff.formatdoc")


def test_every_field_of_every_record_is_listed() -> None:
    page = formatdoc.render()
    for model in (records.Program, records.Taxonomy, records.Site, records.Experience,
                  records.Plan, records.Compilation, records.Evaluation, records.Contact,
                  records.Photo, records.Withdrawn, records.Selection, records.Targets):
        for name in model.model_fields:
            assert f".{name}` |" in page or f"| `{name}` |" in page, (model.__name__, name)
    for private in ("`contacts.leader.phone`", "`evaluations[].score`", "`awards`",
                    "`withdrawn.reason`", "`internal`"):
        row = next(line for line in page.splitlines() if line.startswith(f"| {private} |"))
        assert row.endswith("| **不公开**（只在内部版） |"), row
    assert "`excellent`（优秀）" in page and "必填" in page


def test_the_examples_are_valid_records(tmp_path: Path) -> None:
    data = tmp_path / "sites_data"
    targets = {"program.yml": "program.yml", "taxonomy.yml": "taxonomy.yml",
               "sites/**/<id>.yml": "sites/wuling-furong-shequ.yml",
               "experiences/**/<id>.yml": "experiences/furong-hongse-wuye.yml",
               "plans/<年份>.yml": "plans/2026.yml",
               "compilations/<id>.yml": "compilations/huibian-2026.yml"}
    for path, _title, _model, _note, example in formatdoc.FILES:
        target = data / targets[path]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(example, encoding="utf-8")
    photo = data / "media" / "photos" / "furong.jpg"
    photo.parent.mkdir(parents=True)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())
    loaded = load(data)
    assert [str(p) for p in loaded.problems] == []
    assert len(loaded.sites) == len(loaded.experiences) == len(loaded.plans) == 1
    shutil.rmtree(data)
