"""The double-click starts (issue 25, item 1; SPEC §6 "Clerks").

* 启动展示平台.desktop is checked by desktop-file-validate and launched the way a file
  manager launches it (GLib's GDesktopAppInfo, as GNOME Files, Caja, Peony and Nemo do:
  it expands %k to the launcher's own path), in a copy of the project somewhere else: the
  progress page opens in the browser, then the editor at /admin/ answers; a second start
  opens the same editor and starts nothing new; stopping the launcher stops the preview.
* 启动展示平台.cmd cannot run here: a script checks what cmd.exe would trip over (line ends,
  characters, labels, the files it names), the Python check it runs is run, and the set-up
  steps scripts/launch.py would take on Windows are listed by its dry run and checked.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO
from test_site_support import http_get

DESKTOP = REPO / "启动展示平台.desktop"
CMD = REPO / "启动展示平台.cmd"
PS1 = REPO / "scripts" / "windows" / "no-python.ps1"
LAUNCH = REPO / "scripts" / "launch.py"


def test_the_desktop_launcher_is_valid_and_executable() -> None:
    assert shutil.which("desktop-file-validate"), "install desktop-file-utils (scripts/setup.sh)"
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    assert os.access(DESKTOP, os.X_OK), "a launcher a file manager runs must be executable"
    mode = subprocess.run(["git", "ls-files", "-s", DESKTOP.name], cwd=REPO, capture_output=True,
                          text=True, check=False).stdout
    assert mode.startswith("100755"), f"committed without its executable bit: {mode!r}"
    text = DESKTOP.read_text(encoding="utf-8")
    assert "Name=启动展示平台" in text and "Terminal=false" in text and "%k" in text


def _glib_launch(desktop: Path, env: dict[str, str]) -> None:
    """Launch ``desktop`` with GLib in a child process (its environment is the launcher's)."""
    code = ("import ctypes, sys\n"
            "gio = ctypes.CDLL('libgio-2.0.so.0')\n"
            "gio.g_desktop_app_info_new_from_filename.restype = ctypes.c_void_p\n"
            "gio.g_desktop_app_info_new_from_filename.argtypes = [ctypes.c_char_p]\n"
            "gio.g_app_info_launch.argtypes = [ctypes.c_void_p] * 4\n"
            "info = gio.g_desktop_app_info_new_from_filename(sys.argv[1].encode())\n"
            "sys.exit(0 if info and gio.g_app_info_launch(info, None, None, None) else 1)\n")
    subprocess.run([sys.executable, "-c", code, str(desktop)], env=env, check=True,
                   cwd="/", timeout=60)


def _opened(record: Path, count: int, timeout: float = 120) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        lines = record.read_text(encoding="utf-8").split() if record.exists() else []
        if len(lines) >= count:
            return lines
        assert time.monotonic() < deadline, f"the browser was opened {len(lines)} times: {lines}"
        time.sleep(0.3)


def _copy_project(tmp_path: Path) -> Path:
    """The project as a clerk has it, in a folder with a Chinese name and a space; its
    .venv is this checkout's (already set up: the launcher finds nothing to install)."""
    root = tmp_path / "示范点 数据"
    root.mkdir()
    for name in ("mkdocs.yml", "pyproject.toml", "requirements.lock", DESKTOP.name):
        shutil.copy2(REPO / name, root / name)
    for folder in ("theme", "content", "sites_data", "scripts", "generator"):
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".venv").symlink_to(REPO / ".venv")
    return root


def test_the_desktop_launcher_starts_once_and_the_second_start_reuses_it(tmp_path: Path) -> None:
    ctypes.CDLL("libgio-2.0.so.0")  # GLib must be there (scripts/setup.sh)
    root = _copy_project(tmp_path)
    record = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" >> "{record}"\n', encoding="utf-8")
    browser.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(BROWSER=f"{browser} %s", PATH=f"{Path(sys.executable).parent}:{env['PATH']}")
    state_file = root / "build" / "launcher.json"
    launcher_pid = None
    try:
        _glib_launch(root / DESKTOP.name, env)
        first = _opened(record, 1)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", first[0]), first
        page = http_get(first[0])
        assert "正在启动展示平台" in page and 'lang="zh-CN"' in page
        deadline = time.monotonic() + 300
        while True:
            state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else {}
            launcher_pid = state.get("pid")
            progress = json.loads(http_get(first[0] + "state"))
            assert not progress["failed"], progress["html"]
            if progress["ready"]:
                break
            assert time.monotonic() < deadline, (root / "build" / "launcher.log").read_text()
            time.sleep(0.5)
        editor = progress["ready"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/admin/", editor)
        assert "常用操作" in http_get(editor + "tasks.html")
        assert "示范点" in http_get(editor.removesuffix("admin/"))
        serve_pid = state["serve_pid"]

        # The second start — from a link to the launcher on the desktop, as 发送到桌面 makes
        # one — opens the same editor and starts nothing.
        desktop = tmp_path / "桌面"
        desktop.mkdir()
        (desktop / DESKTOP.name).symlink_to(root / DESKTOP.name)
        started = time.monotonic()
        _glib_launch(desktop / DESKTOP.name, env)
        second = _opened(record, 2, timeout=30)
        assert second[1] == editor
        assert time.monotonic() - started < 30
        serves = subprocess.run(["pgrep", "-f", f"generator serve --dev-addr {editor[7:-7]}"],
                                capture_output=True, text=True, check=False).stdout.split()
        assert serves == [str(serve_pid)], serves
        assert json.loads(state_file.read_text(encoding="utf-8"))["serve_pid"] == serve_pid
    finally:
        if launcher_pid:
            os.kill(int(launcher_pid), signal.SIGTERM)
    deadline = time.monotonic() + 60
    while state_file.exists() or _alive(int(serve_pid)):
        assert time.monotonic() < deadline, "stopping the launcher did not stop the preview"
        time.sleep(0.3)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


# ---------------------------------------------------------------- Windows, checked here

def test_the_windows_launcher_is_what_cmd_exe_can_read() -> None:
    raw = CMD.read_bytes()
    assert raw.isascii(), "cmd.exe reads a batch file in the console's code page: ASCII only"
    assert b"\n" not in raw.replace(b"\r\n", b""), "every line must end with CRLF"
    lines = raw.decode("ascii").split("\r\n")
    assert lines[0].lower() == "@echo off"
    labels = {line[1:].split()[0].lower() for line in lines if line.startswith(":")}
    for line in lines:
        code = line.strip()
        if code.lower().startswith("rem ") or not code:
            continue
        for target in re.findall(r"\b(?:goto|call)\s+:?(\w+)", code, flags=re.I):
            assert target.lower() in labels or target.lower() == "eof", f"no label {target}: {line}"
        assert code.count('"') % 2 == 0, f"unbalanced quotes: {line}"
        assert code.count("(") == code.count(")"), f"unbalanced parentheses: {line}"
        assert not re.search(r"%[A-Za-z_]+[^%\w]", code.replace("%*", "").replace("%~dp0", "")
                             .replace("%%", "")) or "%PYEXE%" in code, line
    # The files it names exist, under their Windows paths.
    for name in re.findall(r"scripts\\[\w\\.-]+", raw.decode("ascii")):
        assert (REPO / Path(*name.split("\\"))).is_file(), name
    # The version check it runs with each candidate Python is valid and passes here.
    check = re.search(r'-c "([^"]+)"', raw.decode("ascii"))
    assert check is not None
    assert subprocess.run([sys.executable, "-c", check[1]], check=False).returncode == 0
    old = check[1].replace("(3, 11, 2)", "(99, 0)")
    assert subprocess.run([sys.executable, "-c", old], check=False).returncode == 1


def test_the_no_python_dialog_is_chinese_powershell() -> None:
    raw = PS1.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Windows PowerShell 5.1 reads UTF-8 only with a BOM"
    assert b"\n" not in raw.replace(b"\r\n", b"")
    text = raw.decode("utf-8-sig")
    code = re.sub(r'"[^"]*"', '""', "\n".join(line for line in text.splitlines()
                                             if not line.lstrip().startswith("#")))
    for pair in ("()", "{}", "[]"):
        assert code.count(pair[0]) == code.count(pair[1]), pair
    assert "Python.Python.3.12" in text and "MessageBox" in text and "python.org" in text


def test_the_windows_set_up_steps_dry_run() -> None:
    result = subprocess.run([sys.executable, str(LAUNCH), "--dry-run", "--platform", "windows"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "py -3 -m venv .venv" in out
    assert ".venv\\Scripts\\python.exe -m pip install --disable-pip-version-check -c " \
           "requirements.lock -e ." in out
    assert ".venv\\Scripts\\python.exe scripts\\fetch-editor.py" in out
    assert ".venv\\Scripts\\python.exe -m generator serve --dev-addr 127.0.0.1:8000" in out
    assert "http://127.0.0.1:8000/admin/" in out
    # The same steps on Linux name the files that exist.
    linux = subprocess.run([sys.executable, str(LAUNCH), "--dry-run", "--platform", "linux"],
                           capture_output=True, text=True, check=True).stdout
    for line in linux.splitlines():
        for word in line.split():
            if word.startswith(("scripts/", "requirements.lock")):
                assert (REPO / word).is_file(), word
    # The serve command it would run is one showcase accepts (parsed, not run).
    from generator.cli.main import main

    serve = main.commands["serve"]
    assert serve.make_context("serve", ["--dev-addr", "127.0.0.1:8000"]).params["dev_addr"] \
        == "127.0.0.1:8000"


def test_the_launcher_script_runs_on_an_old_python_far_enough_to_say_so() -> None:
    """scripts/launch.py must parse on the Python of older desktops (3.7 on 统信UOS 20)."""
    import ast

    tree = ast.parse(LAUNCH.read_text(encoding="utf-8"), feature_version=(3, 7))
    assert tree is not None
    text = LAUNCH.read_text(encoding="utf-8")
    assert "from __future__ import annotations" in text
    assert ":=" not in text and "match " not in text
