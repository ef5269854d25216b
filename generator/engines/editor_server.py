"""The browser editor inside ``showcase serve`` (``/admin/`` with its local backend) and in
internal builds.

This is the only code that writes into the data folder on a browser's request, so it is
strict: the preview must listen on a loopback address; every request must come from this
machine, name this server as its host (no DNS rebinding) and come from the editor's own
origin (another web page cannot make the browser save). ``POST /admin/api/check`` returns
the problems of one saved file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import posixpath
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..base.outputs import os_reason
from ..staff import cms
from .editor_backend import API, CHECK, MAX_BODY, Backend, Refused, is_loopback
from .editor_tasks import TASKS, Download, Tasks

STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".yml": "text/yaml; charset=utf-8",
                ".wasm": "application/wasm", ".txt": "text/plain; charset=utf-8"}


def vendor_dir(root: Path) -> Path:
    """Where ``scripts/fetch-editor.py`` put Decap CMS and js-yaml: the project's ``.venv``,
    else the running Python's environment."""
    candidates = [root / ".venv" / "share" / "showcase-editor",
                  Path(sys.prefix) / "share" / "showcase-editor"]
    for folder in candidates:
        if (folder / "decap-cms.js").is_file():
            return folder
    return candidates[0]


def vendor_files(root: Path) -> dict[str, Path]:
    folder = vendor_dir(root)
    if not folder.is_dir():
        return {}
    return {f.name: f for f in sorted(folder.iterdir()) if f.is_file() and f.name != "VERSION"}


# ---------------------------------------------------------------------- over HTTP (WSGI)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
STATUS = {200: "200 OK", 400: "400 Bad Request", 403: "403 Forbidden", 404: "404 Not Found",
          405: "405 Method Not Allowed", 409: "409 Conflict", 413: "413 Payload Too Large",
          422: "422 Unprocessable Entity", 500: "500 Internal Server Error"}


class Routes:
    """``/admin/…`` of the preview server: the editor's page and files, the backend, the
    check of one file, the clerk's tasks (``/admin/api/tasks/…``)."""

    def __init__(self, data_dir: Path, root: Path, host: str, port: int, *,
                 as_of: dt.date | None = None) -> None:
        self.backend = Backend(data_dir)
        self.tasks = Tasks(self.backend, root=root, as_of=as_of)
        self.loopback = is_loopback(host)
        self.port = port
        self.files = cms.editor_files(self.backend.prefix, local=True)
        self.vendor = vendor_files(root)

    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}", f"[::1]:{self.port}"}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        try:
            if path in (API, CHECK):
                body = self.guard(environ)
                result = self.backend.handle(body) if path == API else self.check(body)
                return self.json(start_response, 200, result)
            if path.startswith(TASKS):
                body = self.guard(environ)
                answer = self.tasks.handle(path[len(TASKS):], body)
                if isinstance(answer, Download):
                    start_response("200 OK", answer.headers())
                    return [answer.content]
                return self.json(start_response, 200, answer)
            if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
                raise Refused(405, "不支持这种请求。")
            return self.static(path, start_response)
        except Refused as refused:
            return self.json(start_response, refused.status, {"error": refused.message})
        except OSError as exc:
            return self.json(start_response, 500, {"error": f"读写文件失败（{os_reason(exc)}）。"})

    def check(self, body: Any) -> dict[str, Any]:
        """``{"path": …}``, or for a record just saved ``{"collection": …, "id": …}``."""
        if not isinstance(body, dict):
            raise Refused(400, "请求格式不对。")
        if body.get("path"):
            return self.backend.check(body["path"])
        return self.backend.check(self.backend.find(body.get("collection"), body.get("id")))

    def guard(self, environ: dict[str, Any]) -> Any:
        """Refuse anything but a JSON POST from the editor's page on this machine."""
        if not self.loopback:
            raise Refused(403, "预览服务没有只监听本机地址（127.0.0.1），网页编辑器的保存功能已关闭。")
        if not is_loopback(str(environ.get("REMOTE_ADDR", ""))):
            raise Refused(403, "只接受本机的保存请求。")
        host = str(environ.get("HTTP_HOST", ""))
        if host not in self.hosts():
            raise Refused(403, f"请求的主机名“{host}”不是本机预览地址，已拒绝。")
        origin = environ.get("HTTP_ORIGIN")
        if origin != f"http://{host}" or environ.get("HTTP_SEC_FETCH_SITE", "same-origin") \
                not in ("same-origin", "none"):
            raise Refused(403, "只接受预览地址上网页编辑器自己的请求，拒绝了来自其他网页的请求。")
        if environ.get("REQUEST_METHOD") != "POST":
            raise Refused(405, "不支持这种请求。")
        if not str(environ.get("CONTENT_TYPE", "")).startswith("application/json"):
            raise Refused(400, "请求格式不对。")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            raise Refused(413, "上传的内容太大（最多 40 MB）。")
        raw = environ["wsgi.input"].read(length)
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            raise Refused(400, "请求格式不对。") from None

    def static(self, path: str, start_response: StartResponse) -> list[bytes]:
        if path == "/admin":
            start_response("302 Found", [("Location", "/admin/")])
            return []
        rel = path.removeprefix("/admin/") or "index.html"
        if rel in self.files:
            content = self.files[rel]
        elif rel.startswith("vendor/") and rel.removeprefix("vendor/") in self.vendor:
            content = self.vendor[rel.removeprefix("vendor/")].read_bytes()
        elif rel == "vendor/decap-cms.js":
            content = ("document.addEventListener('DOMContentLoaded',function(){document.body"
                       ".textContent='网页编辑器的程序文件还没有安装：请运行 scripts/setup.sh 后重新启动"
                       " showcase serve。';});window.CMS={registerCustomFormat:function(){},"
                       "registerWidget:function(){},registerEventListener:function(){},"
                       "init:function(){}};").encode()
        else:
            raise Refused(404, "没有这个文件。")
        ctype = STATIC_TYPES.get(posixpath.splitext(rel)[1], "application/octet-stream")
        start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(content))),
                                  ("Cache-Control", "no-cache"),
                                  ("X-Content-Type-Options", "nosniff")])
        return [content]

    @staticmethod
    def json(start_response: StartResponse, status: int, value: Any) -> list[bytes]:
        content = json.dumps(value, ensure_ascii=False).encode("utf-8")
        start_response(STATUS.get(status, f"{status} Error"), [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(content))), ("Cache-Control", "no-store")])
        return [content]


@contextlib.contextmanager
def installed(data_dir: Path, root: Path, dev_addr: str) -> Iterator[None]:
    """Serve ``/admin/`` from MkDocs' preview server while the block runs."""
    from mkdocs.commands import serve as mkdocs_serve
    from mkdocs.livereload import LiveReloadServer

    host, _, port = dev_addr.rpartition(":")
    routes = Routes(data_dir, root, host or "127.0.0.1", int(port or 8000))

    class EditorServer(LiveReloadServer):
        def _serve_request(self, environ: dict[str, Any],
                           start_response: StartResponse) -> Iterable[bytes] | None:
            path = environ.get("PATH_INFO", "")
            if path == "/admin" or path.startswith("/admin/"):
                return routes(environ, start_response)
            return super()._serve_request(environ, start_response)

    # mkdocs.commands.serve makes its server from this module attribute.
    original = getattr(mkdocs_serve, "LiveReloadServer")  # noqa: B009
    setattr(mkdocs_serve, "LiveReloadServer", EditorServer)  # noqa: B010
    try:
        yield
    finally:
        setattr(mkdocs_serve, "LiveReloadServer", original)  # noqa: B010


# ---------------------------------------------------------------------- in internal builds

def team_backend(config_file: Path) -> cms.Backend | None:
    """The team backend configured under ``extra.editor`` in mkdocs.yml, if any."""
    from . import config as engine_config

    extra = engine_config.read(config_file).get("extra") or {}
    return cms.Backend.from_settings(extra.get("editor") if isinstance(extra, dict) else None)


def admin_files(data_dir: Path, config_file: Path) -> tuple[dict[str, bytes | Path], list[str]]:
    """``admin/`` of an internal build (team mode: saves go to GitLab/Gitea as merge
    requests) and the warnings to show (the editor's JavaScript not installed)."""
    root = config_file.parent
    try:
        prefix = data_dir.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        prefix = data_dir.resolve().name
    files: dict[str, bytes | Path] = {f"admin/{name}": content for name, content in
                                      cms.editor_files(prefix, team_backend(config_file)).items()}
    vendor = vendor_files(root)
    for name, path in vendor.items():
        files[f"admin/vendor/{name}"] = path
    warnings = [] if "decap-cms.js" in vendor else [
        "网页编辑器的程序文件没有安装（请运行 scripts/setup.sh），内部版本的 /admin/ 暂时打不开。"]
    return files, warnings
