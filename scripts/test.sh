#!/usr/bin/env bash
# Set up and run every check: lint (ruff), types (mypy), the test suite (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "代码检查（ruff、mypy）……"
.venv/bin/ruff check --quiet generator tests benchmarks
.venv/bin/mypy --no-error-summary
echo "运行全部测试（两个核心上约 5–10 分钟；每个点是一项通过的测试）……"
.venv/bin/python -m pytest -n 2 "$@"
