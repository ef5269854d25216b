"""A failed ``showcase build`` leaves ``--out`` exactly as it was (SPEC §3): bad data, and a
broken template override in theme/templates/ (in a temporary copy of the project)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_site_support import MINIMAL, REPO, build, build_ok, run_cli, settled, snapshot


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's site configuration (mkdocs.yml, theme/, content/) with a copy
    of the minimal data set, and a successful build of it in ``site/``."""
    root = tmp_path_factory.mktemp("atomic") / "project"
    root.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(MINIMAL, root / "data")
    build_ok(root / "data", root / "site", cwd=root)
    return root


def leftovers(project: Path) -> list[str]:
    """Staging or backup folders that a build left next to ``site/``."""
    return sorted(p.name for p in project.iterdir() if p.name.startswith(".site"))


def test_bad_data_leaves_the_site_unchanged(project: Path, tmp_path: Path) -> None:
    before = snapshot(project / "site")
    data = tmp_path / "data"
    shutil.copytree(project / "data", data)
    site_file = data / "sites" / "2025" / "chengnan-hongqi-cun.yml"
    site_file.write_text(site_file.read_text(encoding="utf-8").replace(
        "category: rural", "category: farm"), encoding="utf-8")

    result = build(data, project / "site", cwd=project)

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    problem = [line for line in lines if "chengnan-hongqi-cun.yml:" in line]
    assert len(problem) == 1, result.stderr
    assert re.fullmatch(r"data/sites/2025/chengnan-hongqi-cun\.yml:\d+:\d+: error: "
                        r"类别“farm”不存在.*", problem[0]), problem[0]
    assert any("发现 1 个错误" in line and "未改动" in line for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_unknown_key_leaves_the_site_unchanged(project: Path, tmp_path: Path) -> None:
    before = snapshot(project / "site")
    data = tmp_path / "data"
    shutil.copytree(project / "data", data)
    site_file = data / "sites" / "2026" / "shanbei-wangjia-cun.yml"
    site_file.write_text(site_file.read_text(encoding="utf-8") + "sumary: 拼错的键\n",
                         encoding="utf-8")
    result = build(data, project / "site", cwd=project)
    assert result.returncode == 1
    assert "shanbei-wangjia-cun.yml:" in result.stderr and "sumary" in result.stderr
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


@pytest.mark.parametrize("template", [
    "{% if %}\n",                                  # syntax error
    "# {{ s.record.no_such_field }}\n",             # error while rendering
], ids=["syntax", "render"])
def test_broken_template_override_leaves_the_site_unchanged(project: Path,
                                                            template: str) -> None:
    before = snapshot(project / "site")
    override = project / "theme" / "templates" / "site.md.j2"
    override.parent.mkdir(exist_ok=True)
    override.write_text(template, encoding="utf-8")
    try:
        result = build(project / "data", project / "site", cwd=project)
        generated = run_cli("generate", "--data", str(project / "data"), "--out",
                            str(project / "docs-tree"), cwd=project)
    finally:
        override.unlink()
    assert generated.returncode == 1
    assert "Traceback" not in generated.stderr and "site.md.j2" in generated.stderr
    assert not (project / "docs-tree").exists()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert "site.md.j2" in result.stderr and "模板" in result.stderr, result.stderr
    assert "原网站保持不变" in result.stderr, result.stderr
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_a_good_build_replaces_the_site(project: Path, tmp_path: Path) -> None:
    """The counterpart: with valid data the same command does replace ``--out``."""
    data = tmp_path / "data"
    shutil.copytree(project / "data", data)
    site_file = data / "sites" / "2026" / "shanbei-wangjia-cun.yml"
    site_file.write_text(site_file.read_text(encoding="utf-8").replace(
        "summary: 2026 年新列创建单位", "summary: 新的简介，2026 年新列创建单位"),
        encoding="utf-8")
    out = tmp_path / "site"
    shutil.copytree(project / "site", out)
    (out / "stale.txt").write_text("from an earlier build", encoding="utf-8")
    build_ok(data, out, cwd=project)
    assert not (out / "stale.txt").exists()
    page = (out / "sites" / "shanbei-wangjia-cun" / "index.html").read_text(encoding="utf-8")
    assert "新的简介" in page
    assert settled(tmp_path) == ["data", "site"]
