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
    # The 8 sites of the minimal fixture (its README), i.e. the data of the folder it ran in.
    assert sorted(s["id"] for s in sites) == [
        "chengnan-hongqi-cun", "chengnan-taohua-cun", "chengnan-xingfu-shequ",
        "hexi-chuangxin-keji", "hexi-jinshan-qiye", "shanbei-shiyan-xiaoxue",
        "shanbei-wangjia-cun", "shizhi-zhengwu-zhongxin"]
    assert (tmp_path / "site" / "index.html").is_file()


def test_a_generated_project_builds_with_a_plain_engine_and_its_own_settings(
        tmp_path: Path) -> None:
    """`showcase generate` writes a project (mkdocs.yml, docs/, theme/) that a plain
    `mkdocs build` in it publishes without the showcase plugin, named after the data it was
    generated from, not after whatever sites_data/ holds."""
    import os

    import yaml

    name = yaml.safe_load((MINIMAL / "program.yml").read_text("utf-8-sig"))["name"]
    sample = yaml.safe_load((ROOT / "sites_data" / "program.yml").read_text("utf-8-sig"))["name"]
    assert name != sample
    project = tmp_path / "project"
    gen = subprocess.run([sys.executable, "-m", "generator", "generate", "--data", str(MINIMAL),
                          "--out", str(project), "--as-of", "2027-01-15"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    config = (project / "mkdocs.yml").read_text("utf-8")
    assert "showcase" not in yaml.load(config.replace("!!python/", "!python/"),
                                       Loader=yaml.BaseLoader).get("plugins", [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOWCASE_")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--strict", "-d",
                            str(tmp_path / "site")], cwd=project, env=env, capture_output=True,
                           text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    home = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert f"<title>{name}</title>" in home
    assert sample not in home
