"""The browser editor inside ``showcase serve``: ``/admin/`` and its local backend.

Decap CMS saves through a *proxy backend* when it finds one (``local_backend`` in its
configuration): it POSTs ``{"action": …, "params": …}`` as JSON and expects what decap-server
answers (``info``, ``entriesByFolder``, ``entriesByFiles``, ``getEntry``, ``persistEntry``,
``getMedia``, ``getMediaFile``, ``persistMedia``, ``deleteFile``…). This module answers those
actions itself, in the preview's own server, so staff need no Node.js and no second port.

It is the only code that writes into the data folder on a browser's request, so it is
strict: the server must listen on a loopback address; every request must come from this
machine, name this server as its host (no DNS rebinding) and come from the editor's own
origin (another web page cannot make the browser save); every path must lie inside the data
folder (no ``..``, no absolute paths, no symlinks), records are YAML that parses and photos
are image files in ``media/``. ``POST /admin/api/check`` returns the problems ``showcase
validate`` finds in one saved file, each with the Chinese name of its field.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import json
import os
import posixpath
import sys
import typing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..data import loader
from ..data.yamlsource import Loc, decode, parse
from ..model.fieldtypes import ID_RE
from ..model.records import Compilation, Experience, Plan, Program, Site, Taxonomy
from ..staff import cms

API = "/admin/api/v1"
CHECK = "/admin/api/check"
MAX_BODY = 40 * 1024 * 1024
RECORD_SUFFIXES = (".yml", ".yaml", ".md")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
MODELS: dict[str, type[BaseModel]] = {"sites": Site, "experiences": Experience, "plans": Plan,
                                      "compilations": Compilation}
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".yml": "text/yaml; charset=utf-8",
                ".wasm": "application/wasm", ".txt": "text/plain; charset=utf-8"}


class Refused(Exception):
    """A request the backend does not carry out (HTTP status and a Chinese message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class Backend:
    """Decap's proxy protocol over one data folder. Paths are relative to the folder that
    holds the data folder (``<data>/sites/…``), as in the generated configuration."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.root = self.data_dir.parent
        self.prefix = self.data_dir.name

    # ------------------------------------------------------------------ paths
    def resolve(self, rel: Any, *, write: bool = False, media: bool = False) -> Path:
        """The file ``rel`` names, if it lies inside the data folder; else :class:`Refused`."""
        outside = Refused(403, f"只能读写数据文件夹 {self.prefix}/ 中的文件，拒绝了“{rel}”。")
        if not isinstance(rel, str) or not rel or "\\" in rel or "\0" in rel \
                or rel.startswith("/") or ":" in rel.split("/")[0]:
            raise outside
        parts = rel.split("/")
        if any(p in ("", ".", "..") for p in parts) or parts[0] != self.prefix or len(parts) < 2:
            raise outside
        path = self.root.joinpath(*parts)
        current = self.root
        for part in parts:
            current = current / part
            if current.is_symlink():
                raise outside
        if not path.resolve().is_relative_to(self.data_dir):
            raise outside
        if write:
            suffix = path.suffix.lower()
            if media or parts[1] == "media":
                if parts[1] != "media" or suffix not in IMAGE_SUFFIXES:
                    raise Refused(403, f"照片只能是 media/ 中的 jpg、png、webp 或 gif 文件，拒绝了“{rel}”。")
            elif suffix not in RECORD_SUFFIXES:
                raise Refused(403, f"只能保存 .yml 或 .md 记录文件，拒绝了“{rel}”。")
        return path

    def folder(self, rel: Any) -> Path:
        if rel == self.prefix:
            return self.data_dir
        return self.resolve(rel)

    def shown(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    # ------------------------------------------------------------------ reading
    def entry(self, rel: Any, label: Any = None) -> dict[str, Any]:
        path = self.resolve(rel)
        try:
            content = path.read_bytes()
        except OSError:
            return {"data": None, "file": {"path": rel, "label": label, "id": None}}
        return {"data": content.decode("utf-8-sig", errors="replace"),
                "file": {"path": rel, "label": label, "id": _sha(content)}}

    def list_files(self, folder: Any, extension: str, depth: Any) -> list[str]:
        base = self.folder(folder)
        out: list[str] = []

        def walk(directory: Path, level: int) -> None:
            if level <= 0 or not directory.is_dir() or directory.is_symlink():
                return
            for child in sorted(directory.iterdir()):
                if child.is_symlink():
                    continue
                if child.is_dir():
                    walk(child, level - 1)
                elif child.name.endswith(extension) and not child.name.startswith("."):
                    out.append(self.shown(child))

        walk(base, max(1, min(int(depth or 1), 10)))
        return out

    def media_file(self, rel: Any) -> dict[str, Any]:
        path = self.resolve(rel)
        content = path.read_bytes()
        return {"id": _sha(content), "content": base64.b64encode(content).decode("ascii"),
                "encoding": "base64", "path": rel, "name": path.name}

    # ------------------------------------------------------------------ writing
    def _write(self, path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.saving-{os.getpid()}")
        temp.write_bytes(content)
        os.replace(temp, path)

    def write_record(self, rel: str, raw: Any) -> None:
        path = self.resolve(rel, write=True)
        if not isinstance(raw, str):
            raise Refused(400, "保存的内容不是文字。")
        content = raw.encode("utf-8")
        if path.suffix.lower() in (".yml", ".yaml"):
            text, problems = decode(content, rel)
            doc = None
            if text is not None and not problems:
                doc, problems = parse(text, rel)
            if problems or doc is None or not isinstance(doc.data, dict):
                detail = "；".join(p.message for p in problems[:3]) or "内容不是一组“字段: 值”"
                raise Refused(422, f"编辑器生成的文件无法读取，没有保存：{detail}")
        self._write(path, content)

    def write_asset(self, asset: Any) -> str:
        if not isinstance(asset, dict) or asset.get("encoding") != "base64":
            raise Refused(400, "上传的文件格式不对。")
        path = self.resolve(asset.get("path"), write=True, media=True)
        try:
            content = base64.b64decode(str(asset.get("content", "")), validate=True)
        except ValueError:
            raise Refused(400, "上传的文件内容已损坏。") from None
        self._write(path, content)
        return str(asset["path"])

    # ------------------------------------------------------------------ the protocol
    def handle(self, body: Any) -> Any:
        if not isinstance(body, dict) or not isinstance(body.get("action"), str):
            raise Refused(400, "请求格式不对。")
        action = body["action"]
        params: dict[str, Any] = body.get("params") or {}
        if not isinstance(params, dict):
            raise Refused(400, "请求格式不对。")
        if action == "info":
            return {"repo": self.root.name, "publish_modes": ["simple"], "type": "local_fs"}
        if action == "entriesByFolder":
            files = self.list_files(params.get("folder"), str(params.get("extension") or ""),
                                    params.get("depth") or 1)
            return [self.entry(f) for f in files]
        if action == "entriesByFiles":
            return [self.entry(f.get("path"), f.get("label")) for f in params.get("files") or []
                    if isinstance(f, dict)]
        if action == "getEntry":
            return self.entry(params.get("path"))
        if action == "persistEntry":
            data_files: list[Any] = params.get("dataFiles") or (
                [params["entry"]] if params.get("entry") else [])
            if not data_files or not isinstance(data_files, list):
                raise Refused(400, "没有要保存的内容。")
            # Check every path before writing anything.
            if not all(isinstance(d, dict) for d in data_files):
                raise Refused(400, "请求格式不对。")
            for d in data_files:
                if d.get("newPath"):
                    raise Refused(403, "不能在编辑器中给记录改名或移动文件。")
                self.resolve(d.get("path"), write=True)
            for a in params.get("assets") or []:
                self.resolve(a.get("path") if isinstance(a, dict) else None, write=True, media=True)
            for a in params.get("assets") or []:
                self.write_asset(a)
            for d in data_files:
                self.write_record(d["path"], d.get("raw"))
            return {"message": "entry persisted"}
        if action == "getMedia":
            folder = params.get("mediaFolder")
            return [self.media_file(f) for f in self.list_files(folder, "", 1)
                    if Path(f).suffix.lower() in IMAGE_SUFFIXES]
        if action == "getMediaFile":
            return self.media_file(params.get("path"))
        if action == "persistMedia":
            rel = self.write_asset(params.get("asset"))
            return self.media_file(rel)
        if action in ("deleteFile", "deleteFiles"):
            paths = params.get("paths") if action == "deleteFiles" else [params.get("path")]
            targets = [self.resolve(p, write=True, media=True) for p in paths or []]
            for target in targets:
                target.unlink(missing_ok=True)
            return {"message": "deleted"}
        if action == "getDeployPreview":
            return None
        raise Refused(422, f"编辑器请求了不支持的操作“{action}”。")

    # ------------------------------------------------------------------ checking one file
    def find(self, kind: Any, ident: Any) -> str:
        """The file of record ``ident`` of ``kind`` (ids are unique within a kind)."""
        if kind not in MODELS or not isinstance(ident, str) or not ID_RE.match(ident):
            raise Refused(404, "找不到刚保存的文件。")
        for suffix in (".yml", ".yaml"):
            for path in sorted((self.data_dir / kind).rglob(ident + suffix)):
                return self.shown(path)
        raise Refused(404, "找不到刚保存的文件。")

    def check(self, rel: Any) -> dict[str, Any]:
        path = self.resolve(rel)
        data = loader.load(self.data_dir)
        shown = self.shown(path)
        problems = [p for p in data.problems if p.path == shown and p.is_error]
        model = self.model_of(path)
        doc = None
        if path.is_file():
            text, _ = decode(path.read_bytes(), shown)
            if text is not None:
                doc, _ = parse(text, shown)
        items = []
        for p in sorted(problems):
            label = ""
            if doc is not None and model is not None:
                loc = _loc_at(doc.key_marks, doc.value_marks, p.line, p.col)
                label = field_label(model, loc) if loc else ""
            items.append({"line": p.line, "col": p.col, "field": label, "message": p.message})
        return {"file": shown, "id": path.stem, "problems": items}

    def model_of(self, path: Path) -> type[BaseModel] | None:
        rel = path.relative_to(self.data_dir).parts
        if rel == ("program.yml",):
            return Program
        if rel == ("taxonomy.yml",):
            return Taxonomy
        return MODELS.get(rel[0]) if len(rel) > 1 else None


def _loc_at(key_marks: dict[Loc, Any], value_marks: dict[Loc, Any], line: int,
            col: int) -> Loc | None:
    """The deepest part of the document written at (or last before) ``line:col``."""
    best: tuple[tuple[int, int, int], Loc] | None = None
    for marks in (key_marks, value_marks):
        for loc, mark in marks.items():
            if (mark.line, mark.col) <= (line, col):
                rank = (mark.line, mark.col, len(loc))
                if best is None or rank > best[0]:
                    best = (rank, loc)
    return best[1] if best else None


def field_label(model: type[BaseModel], loc: Iterable[str | int]) -> str:
    """The Chinese name of the field at ``loc``: 考评记录 › 第 2 项 › 考评结果."""
    names: list[str] = []
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            names.append(f"第 {part + 1} 项")
            current = _item_type(current)
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            if info is None:
                names.append(part)
                current = None
                continue
            names.append(info.title or part)
            current = _unwrap(info.annotation)
        elif typing.get_origin(current) is dict:
            names.append(part)
            current = _unwrap(typing.get_args(current)[1])
        else:
            names.append(part)
            current = None
    return " › ".join(names)


def _unwrap(annotation: Any) -> Any:
    annotation, _ = cms._strip_optional(annotation)
    return cms._base(annotation)


def _item_type(annotation: Any) -> Any:
    if typing.get_origin(annotation) is list:
        return _unwrap(typing.get_args(annotation)[0])
    return None


# ---------------------------------------------------------------------- over HTTP (WSGI)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
STATUS = {200: "200 OK", 400: "400 Bad Request", 403: "403 Forbidden", 404: "404 Not Found",
          405: "405 Method Not Allowed", 413: "413 Payload Too Large",
          422: "422 Unprocessable Entity", 500: "500 Internal Server Error"}


class Routes:
    """``/admin/…`` of the preview server: the editor's page and files, the backend, the
    check of one file."""

    def __init__(self, data_dir: Path, root: Path, host: str, port: int) -> None:
        self.backend = Backend(data_dir)
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
            if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
                raise Refused(405, "不支持这种请求。")
            return self.static(path, start_response)
        except Refused as refused:
            return self.json(start_response, refused.status, {"error": refused.message})
        except OSError as exc:
            return self.json(start_response, 500, {"error": f"读写文件失败：{exc.strerror}"})

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
