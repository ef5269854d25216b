#!/usr/bin/env bash
# Set up everything Showcase needs on Debian 12/13 or Ubuntu: system packages (CJK fonts for
# PDFs, poppler for PDF checks, git for the records' history and an aggregator's members,
# Cairo for charts in Word files; Chromium, libatomic1 and zbar-tools for the browser and
# print tests, LibreOffice for reading the Word files back, nginx-light, openssl and rsync
# for the serving tests, desktop-file-utils and GLib for the launcher's test) and a virtual
# environment with the exact package versions of requirements.lock. Safe to run again: it
# only installs what is missing, and skips pip when the lock has not changed.
# SHOWCASE_BROWSER=0 leaves out what only the tests need (browser, LibreOffice, nginx …).
set -uo pipefail
cd "$(dirname "$0")/.."

fail() { echo "错误：$*" >&2; exit 1; }

# ---------------------------------------------------------------- Python
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || fail "找不到 python3。请先安装：sudo apt-get install python3 python3-venv"
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:3] >= (3, 11, 2) else 1)'; then
  fail "需要 Python 3.11.2 或更高版本（Debian 12 自带的 3.11.2、Debian 13 的 3.13 都可以），当前是 $("$PY" -V 2>&1)。
请换用较新的系统，或安装较新的 Python 后用 PYTHON=python3.11 scripts/setup.sh 指定它。"
fi

# ---------------------------------------------------------------- system packages
need_apt=()
fc-list :lang=zh 2>/dev/null | grep -qi "noto.*cjk" || need_apt+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
# WeasyPrint (PDFs) needs Pango.
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
# CairoSVG (the charts in Word files) needs Cairo.
ldconfig -p 2>/dev/null | grep -q "libcairo.so.2" || need_apt+=(libcairo2)
"$PY" -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
# git: pages show when each record last changed (最后更新), read from the data's history.
command -v git >/dev/null 2>&1 || need_apt+=(git)
if [ "${SHOWCASE_BROWSER:-1}" = "1" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  # Playwright's bundled node (it drives Chromium in the browser tests) needs libatomic.
  ldconfig -p 2>/dev/null | grep -q "libatomic.so.1" || need_apt+=(libatomic1)
  # zbarimg decodes the QR codes of printed pages and PDFs in the tests.
  command -v zbarimg >/dev/null 2>&1 || need_apt+=(zbar-tools)
  # The serving tests run the generated configuration in a real nginx (started by the test,
  # unprivileged, on free ports), make certificates with openssl and deploy with rsync.
  { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || { need_apt+=(nginx-light); new_nginx=1; }
  command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
  command -v rsync >/dev/null 2>&1 || need_apt+=(rsync)
  # The tests open every Word file the way an office does: LibreOffice converts it to PDF.
  command -v libreoffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)
  # The double-click launcher's test checks 启动展示平台.desktop as desktops read it (GLib,
  # desktop-file-validate).
  command -v desktop-file-validate >/dev/null 2>&1 || need_apt+=(desktop-file-utils)
  ldconfig -p 2>/dev/null | grep -q "libgio-2.0.so.0" || need_apt+=(libglib2.0-0)
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "安装系统软件包（首次约需 1–2 分钟）：${need_apt[*]}"
  if [ "$(id -u)" = "0" ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    fail "需要安装系统软件包 ${need_apt[*]}，但当前用户不是 root，也没有 sudo。请让管理员运行：
  apt-get install ${need_apt[*]}"
  fi
  if ! { $SUDO apt-get update -qq && \
         DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
           "${need_apt[@]}"; } >.setup-apt.log 2>&1; then
    tail -n 5 .setup-apt.log >&2
    fail "系统软件包安装失败（详细记录见 .setup-apt.log）。请检查网络或软件源，然后手动运行：
  sudo apt-get install ${need_apt[*]}"
  fi
  rm -f .setup-apt.log
  # Debian starts the nginx it installs as a service on port 80; the tests start their own.
  if [ "${new_nginx:-0}" = "1" ] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
fi

# ---------------------------------------------------------------- Python packages
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv || fail "无法创建虚拟环境 .venv。请安装 python3-venv：sudo apt-get install python3-venv"
fi
stamp=.venv/.showcase-installed
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "安装 Python 软件包（版本见 requirements.lock；首次约需 1 分钟）……"
  log=.venv/pip-install.log
  # Exact versions of every package (direct and transitive) come from requirements.lock;
  # pip's own output goes to the log (it is long, English, and full of warnings).
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install --disable-pip-version-check -c requirements.lock \
           -e ".[dev,engines]"; } >"$log" 2>&1; then
    grep -E "^ERROR|Requires-Python|No matching distribution" "$log" | head -n 5 >&2
    fail "Python 软件包安装失败（完整记录见 $log）。常见原因：网络不通或软件源不可用；
Python 版本太旧（需要 3.11.2 或更高）。上面几行是 pip 给出的原因。"
  fi
  echo "$want" >"$stamp"
fi

# ---------------------------------------------------------------- the browser editor
# Decap CMS and js-yaml for /admin/ (showcase serve and the internal build), pinned and
# checked; served from this machine, never from a CDN.
.venv/bin/python scripts/fetch-editor.py || fail "无法准备网页编辑器（Decap CMS）。请检查网络后重新运行 scripts/setup.sh。"

# ---------------------------------------------------------------- browser test tools
# axe-core, the accessibility engine the browser tests run in every page (pinned, checked).
if [ "${SHOWCASE_BROWSER:-1}" = "1" ]; then
  .venv/bin/python scripts/fetch-axe.py || fail "无法准备无障碍检查工具 axe-core。请检查网络后重新运行 scripts/setup.sh。"
fi
