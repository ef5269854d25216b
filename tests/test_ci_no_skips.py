"""With ``CI=true`` a skipped test is a failure (a missing browser, font or package must not
turn a red run green); elsewhere a skip stays a skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

CASES = {
    "test_skips.py": (
        "import pytest\n\n"
        "def test_needs_a_browser():\n    pytest.skip('chromium is not installed')\n\n"
        "@pytest.mark.skipif(True, reason='no CJK font')\n"
        "def test_needs_a_font():\n    pass\n\n"
        "def test_runs():\n    assert True\n"),
    "test_module_skip.py": (
        "import pytest\n\npytest.skip('no package', allow_module_level=True)\n\n"
        "def test_never():\n    pass\n"),
}


def _run(folder: Path, ci: str | None, *files: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", *files], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    shutil.copy(TESTS / "conftest.py", tmp_path / "conftest.py")
    for name, text in CASES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_skips_fail_in_ci(suite: Path) -> None:
    result = _run(suite, "true", "test_skips.py")
    assert result.returncode == 1, result.stdout
    assert "skipped in CI" in result.stdout, result.stdout
    assert "1 failed, 1 passed, 1 error" in result.stdout, result.stdout  # skip in setup: error
    result = _run(suite, "true", "test_module_skip.py")
    assert result.returncode != 0 and "skipped in CI" in result.stdout, result.stdout


def test_skips_stay_skips_elsewhere(suite: Path) -> None:
    result = _run(suite, None, "test_skips.py", "test_module_skip.py")
    assert result.returncode == 0, result.stdout
    assert "1 passed, 3 skipped" in result.stdout, result.stdout
