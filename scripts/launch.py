"""启动展示平台: what the double-click launchers run (启动展示平台.desktop on 统信UOS / 银河麒麟
and other Debian-based desktops, 启动展示平台.cmd on Windows).

It shows a Chinese progress page in the browser at once, sets up what is missing (the
virtual environment ``.venv`` with the exact packages of requirements.lock, the browser
editor's files), starts ``showcase serve`` on this computer only, and when the preview
answers sends the page on to the editor at ``/admin/``. A second start while the first is
running opens the same page again instead of starting another preview.

Only the standard library, and syntax old enough for the Python of older desktops, so that
it can at least say in Chinese that a newer Python is needed.

    python3 scripts/launch.py                      # what the launchers run
    python3 scripts/launch.py --dry-run --platform windows   # list the set-up steps only
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import html
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEED = (3, 11, 2)
STATE = ROOT / "build" / "launcher.json"
LOCK = ROOT / "build" / "launcher.lock"
LOG = ROOT / "build" / "launcher.log"
READY_PATH = "admin/tasks.html"
FIRST_PORT = 8000
STEPS = ["检查 Python", "准备运行环境", "安装软件包", "准备网页编辑器", "启动预览"]


# ---------------------------------------------------------------- what to run

def venv_python(platform: str) -> str:
    return ".venv\\Scripts\\python.exe" if platform == "windows" else ".venv/bin/python"


def stamp_value() -> str:
    """What scripts/setup.sh writes into .venv/.showcase-installed (the same hash)."""
    digest = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def install_command(platform: str) -> list[str]:
    command = [venv_python(platform), "-m", "pip", "install", "--disable-pip-version-check",
               "-c", "requirements.lock", "-e", "."]
    if (ROOT / "wheels").is_dir():  # an office without the internet: packages brought along
        command[4:4] = ["--no-index", "--find-links", "wheels"]
    return command


def plan(platform: str, python: str, port: int) -> list[tuple[str, list[str]]]:
    """The set-up steps as (what, command); a dry run prints them."""
    py = venv_python(platform)
    sep = "\\" if platform == "windows" else "/"
    return [
        ("检查 Python", [python, "-c", "import sys; sys.exit(sys.version_info < (3, 11, 2))"]),
        ("准备运行环境", [python, "-m", "venv", ".venv"]),
        ("安装软件包", install_command(platform)),
        ("准备网页编辑器", [py, f"scripts{sep}fetch-editor.py"]),
        ("启动预览", [py, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}"]),
    ]


# ---------------------------------------------------------------- one launcher at a time

class Lock:
    """An exclusive lock on build/launcher.lock for as long as this launcher runs."""

    def __init__(self) -> None:
        LOCK.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(LOCK, "a+")  # noqa: SIM115 - held until the process ends

    def acquire(self) -> bool:
        try:
            if sys.platform == "win32":
                import msvcrt

                self.handle.seek(0)
                msvcrt.locking(self.handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


def read_state() -> dict[str, object]:
    try:
        value = json.loads(STATE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def write_state(**values: object) -> None:
    state = read_state()
    state.update(values)
    STATE.parent.mkdir(parents=True, exist_ok=True)
    temp = STATE.with_name(STATE.name + ".tmp")
    temp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(temp, STATE)


def answers(url: str, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def free_port(first: int) -> int:
    for port in range(first, first + 50):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def open_browser(url: str, enabled: bool) -> None:
    log(f"打开浏览器：{url}")
    if enabled:
        webbrowser.open(url)


def log(text: str) -> None:
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LOG.open("a", encoding="utf-8") as out:
        out.write(time.strftime("%Y-%m-%d %H:%M:%S ") + text + "\n")


# ---------------------------------------------------------------- the progress page

PAGE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>正在启动展示平台</title>
<style>
body {{ margin: 0; font: 18px/1.7 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       color: #1a1a1a; background: #f6f6f4; }}
header {{ background: #a10e0e; color: #fff; padding: .75rem 1.25rem; font-weight: bold; }}
main {{ max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem; }}
h1 {{ color: #a10e0e; font-size: 1.6rem; margin: 0 0 1rem; }}
ol {{ padding-left: 1.5rem; }} li {{ margin: .4rem 0; }}
.done {{ color: #1d6b2f; }} .doing {{ font-weight: bold; }} .wait {{ color: #555; }}
.error {{ color: #a10e0e; font-weight: bold; white-space: pre-line; }}
pre {{ background: #fff; border: 1px solid #ccc; padding: .5rem; white-space: pre-wrap; font-size: .85rem; }}
a {{ color: #0b57a4; }}
</style></head>
<body><header>示范点数据 · 展示平台</header>
<main><h1>正在启动展示平台</h1>
<p>第一次启动时要准备运行环境、安装软件包，约需几分钟（取决于网速），请不要关闭这个页面。
以后每次启动只需几秒钟。</p>
<div id="state" role="status" aria-live="polite">{body}</div>
<noscript><p>这个页面需要浏览器的 JavaScript 才能自动更新；请每隔一会儿刷新一次。</p></noscript>
</main>
<script>
(function () {{
  function poll() {{
    fetch('/state').then(function (r) {{ return r.json(); }}).then(function (s) {{
      document.getElementById('state').innerHTML = s.html;
      if (s.ready) {{ location.href = s.ready; return; }}
      if (!s.failed) setTimeout(poll, 1000);
    }}, function () {{ setTimeout(poll, 2000); }});
  }}
  setTimeout(poll, 500);
}})();
</script>
</body></html>
"""


class Progress:
    """The steps' state, shown by the progress page (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current = 0
        self.note = ""
        self.error = ""
        self.detail = ""
        self.ready = ""
        self.notices: list[str] = []

    def step(self, index: int, note: str = "") -> None:
        with self.lock:
            self.current, self.note = index, note
        log(f"{STEPS[index]}{'：' + note if note else ''}")

    def fail(self, message: str, detail: str = "") -> None:
        with self.lock:
            self.error, self.detail = message, detail
        log(f"失败：{message}\n{detail}")

    def html(self) -> str:
        with self.lock:
            items = []
            for i, name in enumerate(STEPS):
                if i < self.current or self.ready:
                    items.append(f'<li class="done">{name}：完成</li>')
                elif i == self.current and self.error:
                    items.append(f'<li class="error">{name}：没有成功</li>')
                elif i == self.current:
                    note = f"（{html.escape(self.note)}）" if self.note else ""
                    items.append(f'<li class="doing">{name}：正在进行{note}……</li>')
                else:
                    items.append(f'<li class="wait">{name}：等待</li>')
            out = "<ol>" + "".join(items) + "</ol>"
            for notice in self.notices:
                out += f"<p>{html.escape(notice)}</p>"
            if self.error:
                out += (f'<p class="error">启动没有成功：{html.escape(self.error)}</p>'
                        "<p>请把这个页面截图发给技术人员（遇到问题找谁，见编辑指南）。</p>")
                if self.detail:
                    out += f"<pre>{html.escape(self.detail)}</pre>"
            if self.ready:
                out += (f'<p class="done">已启动。正在打开网页编辑器：'
                        f'<a href="{html.escape(self.ready)}">{html.escape(self.ready)}</a></p>')
            return out

    def answer(self) -> dict[str, object]:
        return {"html": self.html(), "ready": self.ready, "failed": bool(self.error)}


def progress_server(progress: Progress) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            if self.path == "/state":
                body = json.dumps(progress.answer(), ensure_ascii=False).encode("utf-8")
                ctype = "application/json; charset=utf-8"
            elif self.path in ("/", "/index.html"):
                body = PAGE.format(body=progress.html()).encode("utf-8")
                ctype = "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ---------------------------------------------------------------- setting up, starting

def run_step(progress: Progress, command: list[str], log_name: str) -> bool:
    """Run a set-up command with its output into build/<log_name>; False (and the page
    says why) when it fails."""
    target = ROOT / "build" / log_name
    with target.open("w", encoding="utf-8", errors="replace") as out:
        code = subprocess.call(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    if code == 0:
        return True
    tail = "\n".join(target.read_text(encoding="utf-8", errors="replace").splitlines()[-12:])
    progress.fail(f"“{' '.join(command[:4])} …”出错（退出码 {code}）。常见原因：这台电脑连不上软件源"
                  "（请技术人员设置软件源，或把安装包放在项目的 wheels 文件夹中）。"
                  f"完整记录在 build{os.sep}{log_name}。", tail)
    return False


def newer_python() -> str | None:
    """A Python new enough on PATH when the one running this is too old (the desktop's
    ``python3`` may be older than a python3.11 installed beside it)."""
    from shutil import which

    for name in ("python3.13", "python3.12", "python3.11"):
        found = which(name)
        if found:
            return found
    return None


def set_up(progress: Progress, platform: str) -> bool:
    python = sys.executable
    progress.step(0, f"Python {sys.version.split()[0]}")
    if sys.version_info < NEED:
        progress.fail(f"这台电脑的 Python 是 {sys.version.split()[0]}，展示平台需要 3.11.2 或更新的版本。"
                      "请技术人员安装新版 Python（见编辑指南“给技术人员 › 安装与启动”）。")
        return False
    progress.step(1)
    py = ROOT / venv_python(platform).replace("\\", os.sep)
    if not py.exists():
        try:
            import ensurepip  # noqa: F401 - Debian keeps it in python3-venv
        except ImportError:
            progress.fail("这台电脑缺少建立运行环境所需的软件包 python3-venv。请技术人员安装："
                          "sudo apt-get install python3-venv，然后再双击启动。")
            return False
        progress.step(1, "第一次启动，正在建立 .venv 文件夹")
        if not run_step(progress, [python, "-m", "venv", str(ROOT / ".venv")], "launcher-venv.log"):
            return False
    progress.step(2)
    stamps = [ROOT / ".venv" / ".showcase-installed", ROOT / ".venv" / ".showcase-launcher"]
    want = stamp_value()
    if not any(s.is_file() and s.read_text().strip() == want for s in stamps):
        progress.step(2, "首次安装约需几分钟")
        command = install_command(platform)
        command[0] = str(py)
        if not run_step(progress, command, "launcher-pip.log"):
            return False
        stamps[1].write_text(want + "\n")
    progress.step(3)
    if not run_step(progress, [str(py), str(ROOT / "scripts" / "fetch-editor.py")],
                    "launcher-editor.log"):
        return False
    if not _has_git():
        progress.notices.append("提示：这台电脑没有安装 Git 软件，可以编辑和预览，但不能“保存到版本库”。"
                                "请技术人员安装 Git。")
    return True


def _has_git() -> bool:
    from shutil import which

    return which("git") is not None


def start_preview(progress: Progress, platform: str, first_port: int,
                  browser: bool) -> subprocess.Popen[bytes] | None:
    port = free_port(first_port)
    py = str(ROOT / venv_python(platform).replace("\\", os.sep))
    progress.step(4, f"地址 http://127.0.0.1:{port}/")
    serve_log = (ROOT / "build" / "launcher-serve.log").open("w", encoding="utf-8", errors="replace")
    env = dict(os.environ, PYTHONUTF8="1", PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([py, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                            cwd=ROOT, stdout=serve_log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}/"
    write_state(serve_pid=proc.pid, preview=base)
    deadline = time.monotonic() + 900
    while not answers(base + READY_PATH):
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.terminate()
            tail = "\n".join((ROOT / "build" / "launcher-serve.log").read_text(
                encoding="utf-8", errors="replace").splitlines()[-12:])
            progress.fail("预览没有启动。完整记录在 build 文件夹的 launcher-serve.log 中。", tail)
            return None
        time.sleep(0.5)
    with progress.lock:
        progress.ready = base + "admin/"
    log(f"已启动：{base}admin/")
    return proc


def reuse(browser: bool) -> int:
    """Another launcher is running (or its preview still is): open its page."""
    deadline = time.monotonic() + 15
    while True:
        state = read_state()
        preview = state.get("preview")
        if isinstance(preview, str) and answers(preview + READY_PATH):
            open_browser(preview + "admin/", browser)
            return 0
        page = state.get("progress")
        if isinstance(page, str) and answers(page):
            open_browser(page, browser)
            return 0
        if time.monotonic() > deadline:
            return 1
        time.sleep(0.5)


def dry_run(platform: str) -> int:
    python = "py -3" if platform == "windows" else "python3"
    missing = [name for name in ("requirements.lock", "pyproject.toml", "scripts/fetch-editor.py",
                                 "generator/__main__.py") if not (ROOT / name).is_file()]
    print(f"启动展示平台的步骤（{'Windows' if platform == 'windows' else 'Linux'}，只列出、不执行）：")
    for number, (what, command) in enumerate(plan(platform, python, FIRST_PORT), start=1):
        print(f"{number}. {what}：{' '.join(command)}")
    print(f"{len(STEPS) + 1}. 打开浏览器：http://127.0.0.1:{FIRST_PORT}/admin/（端口被占用时换用下一个空闲端口）")
    if missing:
        print("缺少文件：" + "、".join(missing), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="启动展示平台（双击启动器运行的程序）")
    parser.add_argument("--dry-run", action="store_true", help="只列出要执行的步骤")
    parser.add_argument("--platform", choices=["linux", "windows"],
                        default="windows" if sys.platform == "win32" else "linux")
    parser.add_argument("--no-browser", action="store_true", help="不打开浏览器（测试用）")
    parser.add_argument("--port", type=int, default=FIRST_PORT, help="预览的第一个候选端口")
    args = parser.parse_args(argv)
    if args.dry_run:
        return dry_run(args.platform)
    if sys.version_info < NEED and os.environ.get("SHOWCASE_LAUNCHER_REEXEC") != "1":
        better = newer_python()
        if better:
            os.environ["SHOWCASE_LAUNCHER_REEXEC"] = "1"
            os.execv(better, [better, str(Path(__file__).resolve()), *sys.argv[1:]])
    browser = not args.no_browser
    lock = Lock()
    if not lock.acquire():
        return reuse(browser)
    state = read_state()
    preview = state.get("preview")
    if isinstance(preview, str) and answers(preview + READY_PATH):
        # A preview left by a launcher that ended (its lock is gone): still good.
        open_browser(preview + "admin/", browser)
        return 0
    if sys.stdout is not None and args.platform == "windows":
        # The console window of 启动展示平台.cmd: closing it stops the preview.
        print("展示平台正在运行，请不要关闭这个窗口；关闭它，展示平台就停止了。", flush=True)
    progress = Progress()
    server = progress_server(progress)
    page = f"http://127.0.0.1:{server.server_address[1]}/"
    STATE.write_text(json.dumps({"pid": os.getpid(), "progress": page}), encoding="utf-8")
    log(f"进度页：{page}")
    open_browser(page, browser)
    proc = None
    try:
        if set_up(progress, args.platform):
            proc = start_preview(progress, args.platform, args.port, browser)
        if proc is None:
            time.sleep(600)  # the page shows the failure; keep it answering for a while
            return 1
        stop_page = threading.Timer(120, server.shutdown)  # the page has moved on by then
        stop_page.daemon = True
        stop_page.start()
        return proc.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
        with contextlib.suppress(OSError):
            STATE.unlink()


if __name__ == "__main__":
    try:
        import signal

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    except (ImportError, ValueError):
        pass
    sys.exit(main())
