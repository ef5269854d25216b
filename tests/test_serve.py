"""``showcase serve`` and ``showcase build`` speak Chinese only (the engine's English log
stays behind ``-v``), the preview shows edits, and every build loads the data once."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_site_support import AS_OF, MINIMAL, REPO, cli_env, free_port, http_get, run_cli

ENGLISH = re.compile(r"\b(?!http)[A-Za-z]{4,}\b")


def _english(output: str) -> list[str]:
    """Lines with English words in them (URLs and file paths aside)."""
    lines = []
    for line in output.splitlines():
        plain = re.sub(r"https?://\S+|/\S+|\S+\.(yml|md|html)|Ctrl\+C", " ", line)
        if ENGLISH.search(plain):
            lines.append(line)
    return lines


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(MINIMAL, root / "sites_data")
    return root


def test_the_preview_shows_an_edit_and_speaks_chinese(project: Path, tmp_path: Path) -> None:
    """…and makes photo variants on demand (issue 13)."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}",
             "--as-of", AS_OF], cwd=project, env=cli_env(), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    page = f"{base}sites/shanbei-wangjia-cun/"
    try:
        deadline = time.monotonic() + 120
        while "<html" not in http_get(page):
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)
        assert "showcase build" in http_get(f"{base}compilations/huibian-2025/")
        # Photos: the preview starts without image work and makes a variant when asked.
        cache = project / ".cache" / "photos"
        assert not list(cache.rglob("*.webp")), "variants were made before anyone asked"
        photo_page = http_get(f"{base}sites/chengnan-taohua-cun/")
        variant = re.search(r'(media/photos/taohua-dangri-[0-9a-f]{8}-[0-9]+\.webp)', photo_page)
        assert variant, photo_page
        with urllib.request.urlopen(base + variant[1], timeout=30) as response:
            body = response.read()
            assert response.headers["Content-Type"] == "image/webp"
        assert body[:4] == b"RIFF" and body[8:12] == b"WEBP"
        assert len(list(cache.rglob("*.webp"))) == 1
        assert '"docs"' in http_get(f"{base}search/manifest.json")  # the preview can search
        site = project / "sites_data" / "sites" / "2026" / "shanbei-wangjia-cun.yml"
        text = site.read_text(encoding="utf-8")
        site.write_text(text.replace("summary: ", "summary: 预览修改测试。", 1), encoding="utf-8")
        deadline = time.monotonic() + 60
        while "预览修改测试" not in http_get(page):
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    output = log.read_text(encoding="utf-8")
    assert f"预览地址：http://127.0.0.1:{port}/" in output
    assert _english(output) == [], output
    assert "Traceback" not in output


def test_a_build_prints_only_chinese(tmp_path: Path) -> None:
    result = run_cli("build", "--data", str(MINIMAL), "--out", str(tmp_path / "site"),
                     "--as-of", AS_OF, "--no-pdf")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("网站（公开版）已生成：")
    verbose = run_cli("build", "--data", str(MINIMAL), "--out", str(tmp_path / "site"),
                      "--as-of", AS_OF, "--no-pdf", "-v")
    assert "INFO" in verbose.stderr  # the engine's own log, on request


def test_every_build_loads_the_data_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from generator.data import loader
    from generator.engines import logs, pipeline

    calls: list[Path] = []
    real = loader.load

    def counting(data_dir: Path | str) -> object:
        calls.append(Path(data_dir))
        return real(data_dir)

    monkeypatch.setattr(loader, "load", counting)
    logs.configure()
    for engine in ("mkdocs", "zensical"):
        calls.clear()
        pipeline.build_site(pipeline.BuildSettings(
            config_file=REPO / "mkdocs.yml", data_dir=MINIMAL, out=tmp_path / engine,
            as_of=dt.date.fromisoformat(AS_OF), pdf=False, engine=engine))  # type: ignore[arg-type]
        assert calls == [MINIMAL], engine
        assert (tmp_path / engine / "index.html").is_file()


def test_our_code_reads_no_showcase_environment_variables() -> None:
    """Settings pass between our own layers as arguments, never through the environment."""
    found = [f"{path.relative_to(REPO)}:{n}" for path in sorted((REPO / "generator").rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if "SHOWCASE_" in line]
    assert found == []
