"""The editor's local backend answers every request it can parse with a Chinese message,
never a 500, and saves nothing that ``showcase validate`` would then refuse for its size,
its type or its place (issue 20, item 5). In this process, through the WSGI routes."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.data import loader
from generator.data.yamlsource import MAX_BYTES
from generator.engines.editor_backend import API
from generator.engines.editor_server import Routes

SAMPLE = REPO / "sites_data"
CJK = re.compile(r"[\u4e00-\u9fff]")
PHOTO = next((SAMPLE / "media" / "photos").glob("*.jpg"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "sites_data")
    return root


def call(routes: Routes, body: Any) -> tuple[int, Any]:
    raw = json.dumps(body).encode("utf-8")
    environ = {"PATH_INFO": API, "REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json",
               "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw),
               "HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_ORIGIN": "http://127.0.0.1:8000"}
    seen: list[str] = []
    answer = b"".join(routes(environ, lambda status, headers: seen.append(status)))
    return int(seen[0].split()[0]), json.loads(answer)


def refused(routes: Routes, body: Any, *statuses: int) -> str:
    status, answer = call(routes, body)
    assert status in (statuses or (400, 403, 404, 413, 422)), (status, answer, body)
    message = answer["error"]
    assert CJK.search(message) and "Error" not in message and "errno" not in message, message
    return str(message)


MALFORMED = [
    {"action": "entriesByFolder", "params": {"folder": "sites_data/sites", "extension": "yml",
                                             "depth": "abc"}},
    {"action": "entriesByFolder", "params": {"folder": "sites_data/sites", "extension": 5,
                                             "depth": [2]}},
    {"action": "entriesByFolder", "params": {"folder": 5}},
    {"action": "entriesByFiles", "params": {"files": "sites_data/program.yml"}},
    {"action": "entriesByFiles", "params": {"files": [5, None]}},
    {"action": "getEntry", "params": {"path": "sites_data/sites"}},
    {"action": "getMediaFile", "params": {"path": "sites_data/media/photos"}},
    {"action": "getMediaFile", "params": {"path": "sites_data/media/photos/none.jpg"}},
    {"action": "getMedia", "params": {"mediaFolder": 7}},
    {"action": "persistEntry", "params": {"dataFiles": [{"path": "sites_data/sites/2026/x.yml",
                                                         "raw": "name: x\n"}], "assets": 5}},
    {"action": "persistEntry", "params": {"dataFiles": [{"path": "sites_data/sites/2026/x.yml",
                                                         "raw": "name: x\n"}], "assets": ["x"]}},
    {"action": "persistEntry", "params": {"dataFiles": "sites_data/sites/2026/x.yml"}},
    {"action": "persistEntry", "params": {"dataFiles": [{"path": "sites_data/sites/2026/x.yml",
                                                         "raw": 5}]}},
    {"action": "persistEntry", "params": {"entry": "x"}},
    {"action": "persistMedia", "params": {"asset": {"encoding": "base64", "content": "eA=="}}},
    {"action": "persistMedia", "params": {"asset": {"path": "sites_data/media/photos/a.jpg",
                                                    "encoding": "base64", "content": 5}}},
    {"action": "deleteFiles", "params": {"paths": 5}},
    {"action": "deleteFile", "params": {"path": "sites_data/media/photos"}},
    {"action": 5},
    {"action": "info", "params": [1]},
]


@pytest.mark.parametrize("body", MALFORMED, ids=[f"{b.get('action')}-{i}" for i, b in enumerate(MALFORMED)])
def test_a_malformed_request_gets_a_chinese_4xx(project: Path, body: Any) -> None:
    routes = Routes(project / "sites_data", project, "127.0.0.1", 8000)
    refused(routes, body)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["path", "raw", "folder", "extension",
                                                       "depth", "files", "assets", "entry",
                                                       "dataFiles", "encoding", "content",
                                                       "asset", "paths", "mediaFolder"]),
                                      inner, max_size=4), max_leaves=10)
ACTIONS = ["info", "entriesByFolder", "entriesByFiles", "getEntry", "persistEntry", "getMedia",
           "getMediaFile", "persistMedia", "deleteFile", "deleteFiles", "getDeployPreview"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=st.sampled_from(ACTIONS), params=JSON)
def test_no_request_it_can_parse_is_answered_with_500(project: Path, action: str,
                                                     params: Any) -> None:
    routes = Routes(project / "sites_data", project, "127.0.0.1", 8000)
    status, answer = call(routes, {"action": action, "params": params})
    assert status < 500, (status, answer)
    if status >= 400:
        assert CJK.search(answer["error"]), answer


def save(routes: Routes, path: str, raw: str, assets: list[dict[str, str]] | None = None
         ) -> tuple[int, Any]:
    return call(routes, {"action": "persistEntry", "params": {
        "dataFiles": [{"path": path, "raw": raw}], "assets": assets or []}})


def upload(name: str, content: bytes) -> dict[str, str]:
    return {"path": f"sites_data/media/photos/{name}", "encoding": "base64",
            "content": base64.b64encode(content).decode("ascii")}


def test_nothing_validate_would_refuse_is_saved(project: Path) -> None:
    data = project / "sites_data"
    routes = Routes(data, project, "127.0.0.1", 8000)
    before = sorted(p.relative_to(data).as_posix() for p in data.rglob("*"))
    body = next(p for p in (data / "experiences").rglob("*.md"))
    rel_body = "sites_data/" + body.relative_to(data).as_posix()
    original = body.read_bytes()
    # an .md body over the same size cap as YAML
    assert "太大" in refused(routes, {"action": "persistEntry", "params": {"dataFiles": [
        {"path": rel_body, "raw": "正" * (MAX_BYTES // 3 + 10)}], "assets": []}}, 413)
    assert body.read_bytes() == original
    site = "sites_data/sites/2026/ceshi-xinjian.yml"
    # HTML under a photo's name; a JPEG cut short; a photo with a name the build cannot use
    for name, content, why in [
            ("evil.jpg", b"<html><script>alert(1)</script></html>", "不是图片"),
            ("cut.jpg", PHOTO.read_bytes()[:4000], "无法作为图片打开"),
            ("wrong.png", PHOTO.read_bytes(), "扩展名与内容不符")]:
        message = refused(routes, {"action": "persistMedia", "params": {"asset": upload(name, content)}}, 422)
        assert why in message, message
        message = refused(routes, {"action": "persistEntry", "params": {
            "dataFiles": [{"path": site, "raw": "name: x\n"}],
            "assets": [upload(name, content)]}}, 422)
        assert why in message, message
    # a stray .md where records live; an .md body without its experience
    assert ".yml" in refused(routes, {"action": "persistEntry", "params": {"dataFiles": [
        {"path": "sites_data/sites/2026/notes.md", "raw": "# x\n"}], "assets": []}}, 403)
    assert "同名的经验记录" in refused(routes, {"action": "persistEntry", "params": {"dataFiles": [
        {"path": "sites_data/experiences/2026/gu-er.md", "raw": "# x\n"}], "assets": []}}, 403)
    # a file name that cannot be an id, a record outside its folder, YAML in media/
    assert "id" in refused(routes, {"action": "persistEntry", "params": {"dataFiles": [
        {"path": "sites_data/sites/2026/Bad_Name.yml", "raw": "name: x\n"}], "assets": []}}, 403)
    refused(routes, {"action": "persistEntry", "params": {"dataFiles": [
        {"path": "sites_data/notes.yml", "raw": "name: x\n"}], "assets": []}}, 403)
    refused(routes, {"action": "persistEntry", "params": {"dataFiles": [
        {"path": "sites_data/media/x.yml", "raw": "name: x\n"}], "assets": []}}, 403)
    assert sorted(p.relative_to(data).as_posix() for p in data.rglob("*")) == before
    assert loader.load(data).ok
    # what is fine is still saved: a real photo, a new site, the body of an experience
    status, _answer = save(routes, site, (data / "sites/2026").glob("*.yml").__next__()
                           .read_text(encoding="utf-8"), [upload("ok.jpg", PHOTO.read_bytes())])
    assert status == 200
    assert (data / "media/photos/ok.jpg").read_bytes() == PHOTO.read_bytes()
    status, _answer = save(routes, rel_body, "## 正文\n\n修改后的正文。\n")
    assert status == 200 and "修改后的正文" in body.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the clerk's tasks (issue 25)

TASK_NAMES = ["info", "check", "import", "template", "export", "compile", "records", "delete",
              "rename", "status", "save", "history", "undo", "upload", "nothing", ""]
TASK_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["name", "content", "apply", "expect", "audience", "id",
                                       "format", "path", "new_id", "message", "commit"]),
                      inner, max_size=4), max_leaves=10)


def call_task(routes: Routes, name: str, body: Any) -> tuple[int, Any]:
    raw = json.dumps(body).encode("utf-8")
    environ = {"PATH_INFO": "/admin/api/tasks/" + name, "REQUEST_METHOD": "POST",
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(raw)),
               "wsgi.input": io.BytesIO(raw), "HTTP_HOST": "127.0.0.1:8000",
               "REMOTE_ADDR": "127.0.0.1", "HTTP_ORIGIN": "http://127.0.0.1:8000"}
    return call_task_environ(routes, environ)


def call_task_environ(routes: Routes, environ: dict[str, Any]) -> tuple[int, Any]:
    seen: list[tuple[str, list[tuple[str, str]]]] = []
    answer = b"".join(routes(environ, lambda status, headers: seen.append((status, headers))))
    ctype = dict(seen[0][1])["Content-Type"]
    return int(seen[0][0].split()[0]), json.loads(answer) if ctype.startswith("application/json") \
        else answer


@pytest.fixture
def repo_project(tmp_path: Path) -> Path:
    import subprocess

    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "sites_data")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "数据"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return root


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(TASK_NAMES), body=TASK_JSON)
def test_no_task_request_is_answered_with_500(repo_project: Path, name: str, body: Any) -> None:
    """Whatever JSON reaches a task endpoint, the answer is a result or a Chinese 4xx; the
    tasks that write never write on a malformed request (the data stays valid)."""
    routes = Routes(repo_project / "sites_data", repo_project, "127.0.0.1", 8000)
    routes.tasks._pdf = ("（测试中不生成 PDF）",)  # a PDF costs seconds; the request checks come first
    status, answer = call_task(routes, name, body)
    assert status < 500, (status, answer, name, body)
    if status >= 400:
        assert CJK.search(answer["error"]), answer


def test_tasks_are_behind_the_same_guard(project: Path) -> None:
    """Another web page cannot make the browser save, delete or rename."""
    routes = Routes(project / "sites_data", project, "127.0.0.1", 8000)
    raw = json.dumps({"message": "x"}).encode()
    for extra in ({"HTTP_ORIGIN": "http://evil.example"}, {"HTTP_HOST": "evil.example:8000"},
                  {"REMOTE_ADDR": "10.0.0.5"}, {"REQUEST_METHOD": "GET"}):
        environ = {"PATH_INFO": "/admin/api/tasks/save", "REQUEST_METHOD": "POST",
                   "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(raw)),
                   "wsgi.input": io.BytesIO(raw), "HTTP_HOST": "127.0.0.1:8000",
                   "REMOTE_ADDR": "127.0.0.1", "HTTP_ORIGIN": "http://127.0.0.1:8000", **extra}
        status, answer = call_task_environ(routes, environ)
        assert status in (403, 405) and CJK.search(answer["error"])
