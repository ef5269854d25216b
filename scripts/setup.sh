#!/usr/bin/env bash
# Set up everything Showcase needs on Debian/Ubuntu: system packages (CJK fonts for PDFs,
# poppler for PDF checks, Chromium for browser tests) and a virtual environment with the
# pinned Python packages. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
fc-list :lang=zh 2>/dev/null | grep -qi "noto.*cjk" || need_apt+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ "${SHOWCASE_BROWSER:-1}" = "1" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fi
# WeasyPrint needs Pango; python3-venv provides venv on Debian.
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "安装系统软件包：${need_apt[*]}"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
# Exact versions of every package (direct and transitive) come from requirements.lock.
.venv/bin/python -m pip install -q --disable-pip-version-check -c requirements.lock -e ".[dev]"
