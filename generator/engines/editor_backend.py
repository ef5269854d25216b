"""The local backend of the browser editor: Decap CMS's proxy protocol over one data folder.

Decap CMS saves through a *proxy backend* when it finds one (``local_backend`` in its
configuration): it POSTs ``{"action": …, "params": …}`` as JSON and expects what decap-server
answers (``info``, ``entriesByFolder``, ``entriesByFiles``, ``getEntry``, ``persistEntry``,
``getMedia``, ``getMediaFile``, ``persistMedia``, ``deleteFile``…). :class:`Backend` answers
those actions for ``showcase serve`` (``editor_server`` puts it on the preview's own server),
so staff need no Node.js and no second port. Every path must lie inside the data folder (no
``..``, no absolute paths, no symlinks), records are YAML that parses and photos are image
files in ``media/``. :meth:`Backend.check` gives the problems ``showcase validate`` finds in
one saved file, each with the Chinese name of its field.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import typing
from collections.abc import Iterable
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
