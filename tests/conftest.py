"""Shared helpers for the core tests: the fixture data set and running the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
MINIMAL = FIXTURES / "minimal"
INVALID = FIXTURES / "invalid"
REPO = TESTS.parent


def copy_minimal(tmp_path: Path, name: str = "minimal") -> Path:
    """A private copy of tests/fixtures/minimal at ``tmp_path/name`` (problem paths are
    shown relative to ``tmp_path``, so they start with ``name/``)."""
    target = tmp_path / name
    shutil.copytree(MINIMAL, target)
    return target


@pytest.fixture
def minimal_copy(tmp_path: Path) -> Path:
    return copy_minimal(tmp_path)


def run_showcase(*args: str, cwd: Path | None = None,
                 timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGS`` with the test interpreter (never the PATH)."""
    env = dict(os.environ)
    env.update({"PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1",
                "COLUMNS": "160"})
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd or REPO, env=env, capture_output=True, text=True, encoding="utf-8",
        timeout=timeout, check=False,
    )
