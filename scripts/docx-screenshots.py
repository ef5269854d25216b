"""The staff guide's pictures of the Word files (content/guide/img/annual/): the sample's
annual report and a worklist, made as a build makes them, opened by LibreOffice headless
(as an office would print them) and the first pages rendered to PNG by poppler.

    .venv/bin/python scripts/docx-screenshots.py

Needs LibreOffice (``libreoffice-writer-nogui``, installed by scripts/setup.sh) and
poppler-utils. Deterministic input (the sample, reference date 2026-11-28)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.data.loader import load  # noqa: E402
from generator.paper.annual import annual_document  # noqa: E402
from generator.paper.docxout import render_docx  # noqa: E402
from generator.paper.publish import created  # noqa: E402
from generator.paper.worklists import worklist_document  # noqa: E402
from generator.rules.audience import view  # noqa: E402
from generator.rules.facts import derive  # noqa: E402
from generator.rules.worklists import worklists  # noqa: E402
from generator.rules.yearreport import year_report  # noqa: E402

AS_OF = dt.date(2026, 11, 28)
OUT = ROOT / "content" / "guide" / "img" / "annual"


def to_pngs(docx: Path, work: Path, stem: str, pages: tuple[int, int]) -> list[Path]:
    profile = work / "lo-profile"
    subprocess.run(["libreoffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(docx)], check=True,
                   capture_output=True, env={**os.environ, "HOME": str(work)})
    pdf = work / (docx.stem + ".pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(pages[0]), "-l", str(pages[1]),
                    str(pdf), str(work / stem)], check=True)
    made = []
    for png in sorted(work.glob(f"{stem}-*.png")):
        number = int(png.stem.rsplit("-", 1)[1])
        target = OUT / f"{stem}-{number}.png"
        shutil.copyfile(png, target)
        made.append(target)
    return made


def main() -> int:
    data = load(ROOT / "sites_data")
    assert data.ok
    facts = derive(data, AS_OF)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        public = view(data, "public")
        report = annual_document(public, year_report(public, facts, 2025), internal=False)
        (work / "annual-2025.docx").write_bytes(render_docx(report, created=created(AS_OF)))
        current = year_report(data, facts, AS_OF.year)
        wl = next(w for w in worklists(data, current) if w.name == "unit-wuling")
        (work / "unit-wuling.docx").write_bytes(
            render_docx(worklist_document(data, wl, current), created=created(AS_OF)))
        for path in [*to_pngs(work / "annual-2025.docx", work, "annual-2025", (1, 3)),
                     *to_pngs(work / "unit-wuling.docx", work, "worklist", (2, 2))]:
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
