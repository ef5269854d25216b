#!/usr/bin/env bash
# Set up and preview the site built from the sample data in sites_data/.
set -euo pipefail
cd "$(dirname "$0")/.."
SHOWCASE_BROWSER=0 scripts/setup.sh
.venv/bin/showcase validate
exec .venv/bin/showcase serve --dev-addr "${SHOWCASE_ADDR:-127.0.0.1:8000}"
