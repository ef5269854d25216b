"""``showcase generate`` writes a plain Markdown tree that a plain ``mkdocs build --strict``
publishes (no plugin doing the work) and that gives the same pages as ``showcase build``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_site_support import (
    AS_OF,
    MINIMAL,
    SAMPLE,
    cached_build,
    cli_env,
    content_of,
    html_files,
    parse_html,
    public_experience_ids,
    record_ids,
    run_cli,
    squash,
)


def sample_site_pages() -> set[str]:
    """The sample's own site and experience pages (read from its files): the comparisons
    below must cover them, else a thinned sample leaves only the hand-written pages."""
    pages = {f"sites/{i}/index.html" for i in record_ids(SAMPLE, "sites")}
    pages |= {f"experiences/{i}/index.html" for i in public_experience_ids(SAMPLE)}
    assert any(p.startswith("sites/") for p in pages), "the sample has no sites"
    assert any(p.startswith("experiences/") for p in pages), "the sample has no experiences"
    return pages


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("generate")
    project = tmp / "project"
    result = run_cli("generate", "--out", str(project), "--as-of", AS_OF)
    assert result.returncode == 0, result.stdout + result.stderr
    site = tmp / "site2"
    mkdocs = Path(sys.executable).parent / "mkdocs"
    built = subprocess.run(
        [str(mkdocs) if mkdocs.exists() else "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=project, env=cli_env(), capture_output=True, text=True, encoding="utf-8",
        timeout=300, check=False)
    return site, built


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cached_build(tmp_path_factory, SAMPLE)


def test_plain_mkdocs_build_of_the_generated_tree_succeeds(
        generated: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    site, result = generated
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in (result.stdout + result.stderr).splitlines()
                if "WARNING" in line]
    assert not warnings, "\n".join(warnings)
    assert (site / "index.html").is_file()


def test_generated_tree_has_the_plugin_builds_pages(
        generated: tuple[Path, subprocess.CompletedProcess[str]], plugin_site: Path) -> None:
    site, _ = generated
    ours = {p.relative_to(site).as_posix() for p in html_files(site)}
    theirs = {p.relative_to(plugin_site).as_posix() for p in html_files(plugin_site)}
    assert ours == theirs, (f"only in the generated tree: {sorted(ours - theirs)}; "
                            f"only in the plugin build: {sorted(theirs - ours)}")
    assert sample_site_pages() <= ours
    for name in ("data/sites.json", "data/experiences.json", "data/sites.csv",
                 "data/experiences.csv", "feed.xml"):
        assert (site / name).read_bytes() == (plugin_site / name).read_bytes(), name


def test_generated_pages_have_the_same_content(
        generated: tuple[Path, subprocess.CompletedProcess[str]], plugin_site: Path) -> None:
    site, _ = generated
    differing, compared = [], set()
    for path in html_files(plugin_site):
        rel = path.relative_to(plugin_site)
        if not (site / rel).is_file():
            continue  # reported by the test above
        compared.add(rel.as_posix())
        theirs = squash(content_of(parse_html(path)).text())
        ours = squash(content_of(parse_html(site / rel)).text())
        if ours != theirs:
            differing.append(rel.as_posix())
    assert not differing, f"pages whose content differs: {differing}"
    missing = sample_site_pages() - compared
    assert not missing, f"record pages not compared: {sorted(missing)[:10]}"


def test_generate_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own file", encoding="utf-8")
    result = run_cli("generate", "--data", str(MINIMAL), "--out", str(out), "--as-of", AS_OF)
    assert result.returncode == 2
    assert "error:" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_generate_is_incremental(tmp_path: Path) -> None:
    """A second run rewrites nothing and removes pages that are gone."""
    out = tmp_path / "docs"
    args = ("generate", "--data", str(MINIMAL), "--out", str(out), "--as-of", AS_OF)
    assert run_cli(*args).returncode == 0
    stale = out / "sites" / "old-site" / "index.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("# old\n", encoding="utf-8")
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.md") if p != stale}
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert not stale.exists() and not stale.parent.exists()
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert "0 个文件有变化" in result.stdout



def test_the_preview_says_how_pdfs_are_made(tmp_path: Path) -> None:
    """In showcase serve no PDF is made: the compilation pages say so instead of promising a
    download; a full build links the PDF; a tree without PDFs promises nothing."""
    import datetime as dt

    from generator.data.loader import load
    from generator.rules.facts import derive
    from generator.site.sitegen import Options, generate

    data = load(MINIMAL)
    facts = derive(data, dt.date(2026, 11, 28))
    preview = generate(data, facts, Options(preview=True)).pages
    plain = generate(data, facts, Options()).pages
    full = generate(data, facts, Options(pdfs=frozenset({"huibian-2025"}))).pages
    page = "compilations/huibian-2025/index.md"
    assert "showcase build" in preview[page] and "下载 PDF" not in preview[page]
    assert "showcase build" in preview["compilations/index.md"]
    assert "下载 PDF 印刷版" in full[page] and "huibian-2025.pdf" in full[page]
    assert "下载" not in plain[page] and "showcase build" not in plain[page]
    assert "下载 PDF" not in plain["compilations/index.md"]
