#!/usr/bin/env bash
# Set up and run every check: lint (ruff), types (mypy), the test suite (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check generator tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 "$@"
