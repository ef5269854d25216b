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


# ---------------------------------------------------------------- no silent skips in CI

def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


_CI_SKIP = ("skipped in CI: a test that cannot run here (a missing browser, font or package) "
            "is a failure, not a pass; install what it needs (scripts/setup.sh). Reason: ")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = _CI_SKIP + str(report.longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = _CI_SKIP + str(report.longrepr)
