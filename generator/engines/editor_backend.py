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

from ..data import loader, mediacheck
from ..data.dataset import KIND_LABELS
from ..data.yamlsource import MAX_BYTES, Loc, decode, parse
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


BAD_REQUEST = "请求格式不对"


def _bad(what: str) -> Refused:
    return Refused(400, f"{BAD_REQUEST}：{what}。请刷新编辑器页面后重试。")


def _text(value: Any, what: str, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise _bad(f"{what}应为文字")
    return value


def _dicts(value: Any, what: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _bad(f"{what}应为一组对象")
    return value


def _depth(value: Any) -> int:
    if value is None or value == "":
        return 1
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _bad("depth 应为数字")
    try:
        return max(1, min(int(value), 10))
    except ValueError:
        raise _bad("depth 应为数字") from None


class Backend:
    """Decap's proxy protocol over one data folder. Paths are relative to the folder that
    holds the data folder (``<data>/sites/…``), as in the generated configuration.

    Every parameter is checked for its type (a wrong one is a 400 with a Chinese message,
    never a crash), and nothing is saved that ``showcase validate`` would refuse for its
    size, its type or its place: records only as ``.yml`` files named like ids in their
    kind's folder, an ``.md`` only as the body of an existing experience, photos only as
    images whose bytes decode, everything within the reader's size cap."""

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
            self._placement(rel, parts[1:], media=media)
        return path

    def _placement(self, rel: str, inside: list[str], *, media: bool) -> None:
        """Refuse to write where ``validate`` would refuse the file (403)."""
        suffix = Path(inside[-1]).suffix.lower()
        if media or inside[0] == "media":
            if inside[0] != "media" or suffix not in IMAGE_SUFFIXES or len(inside) < 2:
                raise Refused(403, f"照片只能是 media/ 中的 jpg、png、webp 或 gif 文件，拒绝了“{rel}”。")
            problem = mediacheck.check_name("/".join(inside[1:]))
            if problem:
                raise Refused(403, problem)
            return
        if len(inside) == 1:
            if inside[0] not in ("program.yml", "taxonomy.yml"):
                raise Refused(403, f"数据文件夹的第一层只能有 program.yml 和 taxonomy.yml，拒绝了“{rel}”。")
            return
        kind = inside[0]
        if kind not in MODELS:
            raise Refused(403, f"记录只能保存在 {'、'.join(f'{k}/' for k in MODELS)} 中，拒绝了“{rel}”。")
        stem = Path(inside[-1]).stem
        if suffix in (".yml", ".yaml"):
            if not ID_RE.match(stem):
                raise Refused(403, f"文件名“{stem}”不能作为 id：只能使用小写字母、数字和连字符“-”，"
                                   "以字母或数字开头，长度 2–64。")
            return
        if suffix == ".md" and kind == "experiences":
            folder = self.root.joinpath(self.prefix, *inside[:-1])
            if not any((folder / f"{stem}{s}").is_file() for s in (".yml", ".yaml")):
                raise Refused(403, f"找不到与之对应的 {stem}.yml：正文文件必须与同名的经验记录放在一起。")
            return
        raise Refused(403, f"{KIND_LABELS[kind]}目录中只能保存 .yml 记录文件"
                           f"{'（经验正文可用同名 .md）' if kind == 'experiences' else ''}，拒绝了“{rel}”。")

    def folder(self, rel: Any) -> Path:
        if rel == self.prefix:
            return self.data_dir
        path = self.resolve(rel)
        if path.exists() and not path.is_dir():
            raise Refused(400, f"“{rel}”不是文件夹。")
        return path

    def file(self, rel: Any) -> Path:
        """An existing regular file (404 otherwise)."""
        path = self.resolve(rel)
        if not path.is_file():
            raise Refused(404, f"没有这个文件：{rel}。" if not path.is_dir()
                          else f"“{rel}”是文件夹，不是文件。")
        return path

    def shown(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    # ------------------------------------------------------------------ reading
    def entry(self, rel: Any, label: Any = None) -> dict[str, Any]:
        path = self.resolve(rel)
        if path.is_dir():
            raise Refused(404, f"“{rel}”是文件夹，不是记录文件。")
        try:
            content = path.read_bytes()
        except OSError:
            return {"data": None, "file": {"path": rel, "label": label, "id": None}}
        return {"data": content.decode("utf-8-sig", errors="replace"),
                "file": {"path": rel, "label": label, "id": _sha(content)}}

    def list_files(self, folder: Any, extension: str, depth: int) -> list[str]:
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

        walk(base, depth)
        return out

    def media_file(self, rel: Any) -> dict[str, Any]:
        path = self.file(rel)
        content = path.read_bytes()
        return {"id": _sha(content), "content": base64.b64encode(content).decode("ascii"),
                "encoding": "base64", "path": rel, "name": path.name}

    # ------------------------------------------------------------------ writing
    def _record(self, item: dict[str, Any]) -> tuple[Path, bytes]:
        """A record file to save, checked as ``validate`` reads it: (path, bytes)."""
        rel = item.get("path")
        path = self.resolve(rel, write=True)
        raw = item.get("raw")
        if not isinstance(raw, str):
            raise Refused(400, "保存的内容不是文字。")
        content = raw.encode("utf-8", errors="surrogatepass")
        if len(content) > MAX_BYTES:
            raise Refused(413, f"文件太大（{len(content) // 1024} KB，上限 {MAX_BYTES // 1024} KB），没有保存。"
                               "请把很长的正文分成几篇经验，或删去粘贴进来的多余内容。")
        text, problems = decode(content, str(rel))
        doc = None
        if text is not None and not problems and path.suffix.lower() != ".md":
            doc, problems = parse(text, str(rel))
            if not problems and (doc is None or not isinstance(doc.data, dict)):
                raise Refused(422, "编辑器生成的文件无法读取，没有保存：内容不是一组“字段: 值”")
        if problems or text is None:
            detail = "；".join(p.message for p in problems[:3]) or "无法读取"
            raise Refused(422, f"编辑器生成的文件无法读取，没有保存：{detail}")
        return path, content

    def _asset(self, asset: Any) -> tuple[Path, bytes]:
        """An uploaded photo, checked like a photo in ``validate``: (path, bytes)."""
        if not isinstance(asset, dict) or asset.get("encoding") != "base64":
            raise Refused(400, "上传的文件格式不对。")
        rel = asset.get("path")
        path = self.resolve(rel, write=True, media=True)
        try:
            content = base64.b64decode(_text(asset.get("content"), "照片内容"), validate=True)
        except ValueError:
            raise Refused(400, "上传的文件内容已损坏。") from None
        if len(content) > MAX_BODY:
            raise Refused(413, "上传的照片太大（最多 40 MB）。")
        probe = path.parent / f".{path.name}.checking-{os.getpid()}{path.suffix}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(content)
            problem = mediacheck.content_problem(probe, str(rel).removeprefix(f"{self.prefix}/"))
        finally:
            probe.unlink(missing_ok=True)
        if problem:
            raise Refused(422, f"没有保存：{problem}")
        return path, content

    def _write_all(self, files: list[tuple[Path, bytes]]) -> None:
        """Each file beside its target first, then all renamed into place."""
        pending: list[tuple[Path, Path]] = []
        try:
            for path, content in files:
                path.parent.mkdir(parents=True, exist_ok=True)
                temp = path.with_name(f".{path.name}.saving-{os.getpid()}")
                temp.write_bytes(content)
                pending.append((temp, path))
            for temp, path in pending:
                os.replace(temp, path)
        finally:
            for temp, _path in pending:
                temp.unlink(missing_ok=True)

    # ------------------------------------------------------------------ the protocol
    def handle(self, body: Any) -> Any:
        if not isinstance(body, dict) or not isinstance(body.get("action"), str):
            raise _bad("缺少 action")
        action = body["action"]
        params = body.get("params")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise _bad("params 应为一组设置")
        if action == "info":
            return {"repo": self.root.name, "publish_modes": ["simple"], "type": "local_fs"}
        if action == "entriesByFolder":
            files = self.list_files(params.get("folder"),
                                    _text(params.get("extension") or "", "extension"),
                                    _depth(params.get("depth")))
            return [self.entry(f) for f in files]
        if action == "entriesByFiles":
            return [self.entry(f.get("path"), f.get("label"))
                    for f in _dicts(params.get("files"), "files")]
        if action == "getEntry":
            return self.entry(params.get("path"))
        if action == "persistEntry":
            entry = params.get("entry")
            data_files = _dicts(params.get("dataFiles"), "dataFiles") or _dicts(
                [entry] if entry else [], "entry")
            if not data_files:
                raise Refused(400, "没有要保存的内容。")
            if any(d.get("newPath") for d in data_files):
                raise Refused(403, "不能在编辑器中给记录改名或移动文件。")
            # Everything is checked before anything is written.
            to_write = [self._asset(a) for a in _dicts(params.get("assets"), "assets")]
            to_write += [self._record(d) for d in data_files]
            self._write_all(to_write)
            return {"message": "entry persisted"}
        if action == "getMedia":
            folder = params.get("mediaFolder")
            return [self.media_file(f) for f in self.list_files(folder, "", 1)
                    if Path(f).suffix.lower() in IMAGE_SUFFIXES]
        if action == "getMediaFile":
            return self.media_file(params.get("path"))
        if action == "persistMedia":
            path, content = self._asset(params.get("asset"))
            self._write_all([(path, content)])
            return self.media_file(self.shown(path))
        if action in ("deleteFile", "deleteFiles"):
            paths = params.get("paths") if action == "deleteFiles" else [params.get("path")]
            if not isinstance(paths, list):
                raise _bad("paths 应为一组文件")
            targets = [self.resolve(p, write=True, media=True) for p in paths]
            if any(t.is_dir() for t in targets):
                raise Refused(403, "只能删除照片文件，不能删除文件夹。")
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
