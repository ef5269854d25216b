"""`showcase build` works on a data folder anywhere, run from anywhere."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"


def test_build_from_another_folder(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "sites_data")
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--out", "site", "--no-pdf",
         "--as-of", "2027-01-15"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sites = json.loads((tmp_path / "site" / "data" / "sites.json").read_text("utf-8"))
    on_disk = {p.stem for p in (tmp_path / "sites_data" / "sites").rglob("*.yml")}
    assert {s["id"] for s in sites} == on_disk
    assert (tmp_path / "site" / "index.html").is_file()
