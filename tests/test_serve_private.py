"""``showcase serve`` as a clerk and a CI runner meet it (issue 20, items 2, 6, 7, 8, 11):
two previews in one project never touch each other, a preview starts on broken data and
comes back once the file is repaired through the editor, the address is printed only when
the server answers, the network needs asking for, and SIGTERM leaves nothing behind."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_site_support import AS_OF, MINIMAL, REPO, cli_env, free_port, http_get

READY = "预览地址："


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(MINIMAL, root / "sites_data")
    return root


class Preview:
    """A ``showcase serve`` process whose output is collected line by line."""

    def __init__(self, root: Path, *args: str) -> None:
        self.port = free_port()
        self.lines: list[str] = []
        self.ready_at: float | None = None
        self.first_answer: str | None = None
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{self.port}",
             "--as-of", AS_OF, *args], cwd=root, env=cli_env(), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8")
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(READY) and self.first_answer is None:
                # The moment the address is printed, the server must answer.
                try:
                    with urllib.request.urlopen(self.base + "admin/", timeout=5) as response:
                        self.first_answer = str(response.status)
                except OSError as exc:
                    self.first_answer = f"failed: {exc}"
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(line.startswith(READY) for line in self.lines):
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.1)
        while self.first_answer is None:
            time.sleep(0.05)

    def wait_for(self, path: str, text: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while True:
            page = http_get(self.base + path)
            if text in page:
                return page
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() < deadline, (text, page[:2000], self.output())
            time.sleep(0.3)

    def api(self, action: str, **params: object) -> dict[str, object]:
        request = urllib.request.Request(
            self.base + "admin/api/v1", data=json.dumps({"action": action, "params": params}).encode(),
            headers={"Content-Type": "application/json", "Origin": self.base.rstrip("/")})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            self.reader.join(timeout=5)


@pytest.fixture
def previews() -> Iterator[list[Preview]]:
    started: list[Preview] = []
    yield started
    for preview in started:
        if preview.proc.poll() is None:
            preview.proc.kill()
            preview.proc.wait()


def leftovers(root: Path) -> list[str]:
    build = root / "build"
    return sorted(p.name for p in build.iterdir()) if build.is_dir() else []


def test_two_previews_in_one_project_keep_to_their_own_pages(project: Path,
                                                            previews: list[Preview]) -> None:
    other = project / "other_data"
    shutil.copytree(MINIMAL, other)
    program = other / "program.yml"
    program.write_text(program.read_text(encoding="utf-8").replace(
        "name: 示例市基层党建示范点展示平台", "name: 另一套数据的展示平台"), encoding="utf-8")
    public = Preview(project)
    internal = Preview(project, "--data", "other_data", "--audience", "internal")
    previews += [public, internal]
    public.wait_ready()
    internal.wait_ready()
    assert public.first_answer == internal.first_answer == "200"
    assert "另一套数据" not in http_get(public.base) and "内部资料" not in http_get(public.base)
    home = internal.wait_for("", "另一套数据的展示平台")
    assert "内部资料" in home
    assert "内部管理" not in http_get(public.base + "internal/")  # 404 page of the public one
    assert "内部管理" in http_get(internal.base + "internal/")
    # each edited: each shows its own change only
    for preview, data, mark in ((public, project / "sites_data", "公开预览的修改"),
                                (internal, other, "内部预览的修改")):
        site = next((data / "sites").rglob("*.yml"))
        site.write_text(site.read_text(encoding="utf-8").replace("summary: ", f"summary: {mark}", 1),
                        encoding="utf-8")
        preview.wait_for(f"sites/{site.stem}/", mark)
    site = next((project / "sites_data" / "sites").rglob("*.yml")).stem
    assert "内部预览的修改" not in http_get(public.base + f"sites/{site}/")
    assert "公开预览的修改" not in http_get(internal.base + f"sites/{site}/")
    work = [name for name in leftovers(project) if name.startswith(".serve.project-")]
    assert len(work) == 2, leftovers(project)
    public.stop()
    internal.stop()
    assert leftovers(project) == [], leftovers(project)
    for preview in (public, internal):
        assert "Traceback" not in preview.output() and "Aborted" not in preview.output()


def test_a_preview_of_broken_data_lists_the_problems_and_comes_back_when_repaired(
        project: Path, previews: list[Preview]) -> None:
    data = project / "sites_data"
    site = next((data / "sites").rglob("*.yml"))
    good = site.read_text(encoding="utf-8")
    site.write_text(good + "name: [没有闭合\n", encoding="utf-8")  # as a bad merge leaves it
    preview = Preview(project)
    previews.append(preview)
    preview.wait_ready()
    rel = "sites_data/" + site.relative_to(data).as_posix()
    page = preview.wait_for(f"sites/{site.stem}/", "数据有错误")
    validate = subprocess.run([sys.executable, "-m", "generator", "validate"], cwd=project,
                              env=cli_env(), capture_output=True, text=True, encoding="utf-8")
    for line in validate.stdout.splitlines():
        if ": error: " in line:  # every problem, as validate prints it
            assert line.replace('"', "&#34;") in page or line in page, (line, page)
    assert f'href="/admin/fix.html#{rel}"' in page  # the text editor, since it does not parse
    assert "数据有错误" in http_get(preview.base)  # every page says so
    assert "<title>" in http_get(preview.base + "admin/fix.html")
    assert preview.api("getEntry", path=rel)["data"] == good + "name: [没有闭合\n"
    preview.api("persistEntry", dataFiles=[{"path": rel, "raw": good}], assets=[])
    preview.wait_for(f"sites/{site.stem}/", "md-content__inner")
    assert "数据有错误" not in http_get(preview.base)
    assert any("预览页面显示错误清单" in line for line in preview.lines), preview.output()
    http_get(preview.base + "no-such-file.png")
    preview.stop()
    # Chinese only, and nothing about a menu of pages that were never generated
    assert [line for line in preview.lines if re.search(r"[A-Za-z]{4,}", re.sub(
        r"https?://\S+|\S+\.(yml|md|html)|Ctrl\+C", "", line))] == [], preview.output()
    assert "菜单" not in preview.output()


def test_the_address_is_printed_once_the_server_answers(project: Path,
                                                        previews: list[Preview]) -> None:
    preview = Preview(project)
    previews.append(preview)
    preview.wait_ready()
    assert preview.lines[0] == "正在生成预览……", preview.output()
    assert preview.first_answer == "200", preview.first_answer


@pytest.mark.parametrize(("args", "why"), [
    (["--dev-addr", "0.0.0.0:{port}"], "--allow-network"),
    (["--dev-addr", "0.0.0.0:{port}", "--audience", "internal", "--allow-network"], "只能在本机查看"),
    (["--dev-addr", "localhost-no-port"], "写法不对"),
])
def test_other_addresses_than_this_machine_must_be_asked_for(project: Path, args: list[str],
                                                             why: str) -> None:
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "serve", *[a.format(port=port) for a in args]],
        cwd=project, env=cli_env(), capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert why in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    assert leftovers(project) == []


def test_a_public_preview_on_the_network_warns(project: Path, previews: list[Preview]) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--dev-addr", f"0.0.0.0:{port}",
         "--allow-network", "--as-of", AS_OF], cwd=project, env=cli_env(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8")
    try:
        assert proc.stdout is not None
        lines = []
        deadline = time.monotonic() + 120
        while not any("对网络开放" in line for line in lines):
            assert time.monotonic() < deadline and proc.poll() is None, lines
            lines.append(proc.stdout.readline())
        assert "<html" in http_get(f"http://127.0.0.1:{port}/")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert leftovers(project) == []


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_sigterm_removes_the_staging_folders_and_stops_the_shards(tmp_path: Path) -> None:
    out = tmp_path / "site"
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--data", str(REPO / "sites_data"),
         "--out", str(out), "--no-pdf", "--as-of", AS_OF], cwd=REPO, env=cli_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    deadline = time.monotonic() + 120
    children: list[int] = []
    # wait for the engine's second shard (a forked child) while the build is under way
    while not children:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        if any(p.name.startswith(".site.building-") for p in tmp_path.iterdir()):
            children = [c for c in _children(proc.pid) if _alive(c)]
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert "Traceback" not in stderr, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [], stderr
    deadline = time.monotonic() + 2
    while any(_alive(c) for c in children):
        assert time.monotonic() < deadline, "a shard outlived its parent"
        time.sleep(0.05)


def test_a_preview_stopped_with_sigterm_leaves_nothing(project: Path,
                                                      previews: list[Preview]) -> None:
    preview = Preview(project)
    previews.append(preview)
    preview.wait_ready()
    assert [n for n in leftovers(project) if re.fullmatch(r"\.serve\.project-\d+", n)]
    preview.stop()
    assert leftovers(project) == []
    assert not os.path.exists(project / "build" / "serve-docs")
