"""删除 and 改名 of one record of the data folder, for the browser's task pages.

A record's id is its file name, and other records name it by that id: an experience names
its sites (``sites``), a compilation its experiences (``include``). So both are refused
while anything refers to the record, naming what does, and while a file that might refer
to it cannot be read. Renaming changes the file name (and an experience's ``.md`` body
beside it); what else changes with the id — its address, QR codes already printed, its
history — is for the caller to say (``RenamePlan``). Only the folder's own records are
touched (an aggregator's members live in their own repositories); nothing is written
until every check passed.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..data.dataset import KIND_LABELS, KINDS, YAML_SUFFIXES, Dataset
from ..model.fieldtypes import ID_RE


class RecordRefused(Exception):
    """Deleting or renaming is not done (Chinese message); ``status`` as HTTP would say."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Reference:
    """A record that names another: its kind, id, title and file (as problems show it)."""

    kind: str
    ident: str
    title: str
    path: str

    def describe(self) -> str:
        return f"{KIND_LABELS[self.kind]}“{self.title}”（{self.path}）"


@dataclass(frozen=True)
class Target:
    """The record a request names, found in the loaded data."""

    kind: str
    ident: str
    path: Path                    # its .yml file
    shown: str                    # as problems show it (relative to the data folder's parent)
    title: str
    extra: tuple[Path, ...] = ()  # files that go with it (an experience's .md body)


@dataclass(frozen=True)
class RenamePlan:
    target: Target
    new_id: str
    moves: tuple[tuple[Path, Path], ...]


def title_of(data: Dataset, kind: str, ident: str) -> str:
    record: object = None
    if kind == "sites":
        record = data.sites.get(ident)
    elif kind == "experiences":
        record = data.experiences.get(ident)
    elif kind == "compilations":
        record = data.compilations.get(ident)
    elif kind == "plans" and ident.isdigit():
        record = data.plans.get(int(ident))
    for attr in ("name", "title"):
        value = getattr(record, attr, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ident


def find(data: Dataset, rel: object) -> Target:
    """The record whose file is ``rel`` (``sites_data/sites/2026/x.yml``, as listed) — also
    one the data cannot use (a second file with the same id, a file that does not parse)."""
    if not isinstance(rel, str) or not rel:
        raise RecordRefused("请先选择一条记录。", 422)
    parts = PurePosixPath(rel).parts
    prefix = data.root.name
    if len(parts) < 3 or parts[0] != prefix or parts[1] not in KINDS \
            or any(p in ("..", ".") for p in parts) or "\\" in rel:
        raise RecordRefused(f"“{rel[:80]}”不是数据文件夹中的记录文件。", 422)
    kind = parts[1]
    path = data.root.joinpath(*parts[1:])
    if path.suffix not in YAML_SUFFIXES or not path.is_file() \
            or any(p.is_symlink() for p in (path, *path.parents) if p.is_relative_to(data.root)):
        raise RecordRefused(f"找不到记录文件 {rel[:80]}（可能已被删除或改名），请刷新页面。", 404)
    ident = path.stem
    src = data.sources.get((kind, ident))
    title = title_of(data, kind, ident) if src is not None and src.path == rel else ident
    extra: tuple[Path, ...] = ()
    if kind == "experiences" and path.with_suffix(".md").is_file():
        extra = (path.with_suffix(".md"),)
    return Target(kind, ident, path, rel, title, extra)


def references(data: Dataset, kind: str, ident: str) -> list[Reference]:
    """Every record of the folder that names record ``ident`` of ``kind``."""
    found: list[Reference] = []

    def add(k: str, i: str) -> None:
        src = data.sources.get((k, i))
        found.append(Reference(k, i, title_of(data, k, i), src.path if src else i))

    if kind == "sites":
        for i, exp in data.experiences.items():
            if ident in (getattr(exp, "sites", None) or []):
                add("experiences", i)
    if kind == "experiences":
        for i, comp in data.compilations.items():
            if ident in (getattr(comp, "include", None) or []):
                add("compilations", i)
    return found


def _referrers_unreadable(data: Dataset, kind: str) -> list[str]:
    """Files that could name a ``kind`` record but cannot be read."""
    referrer = {"sites": "experiences", "experiences": "compilations"}.get(kind)
    return sorted(data.sources[(k, i)].path if (k, i) in data.sources else i
                  for k, i in data.unreadable if k == referrer)


def _refuse_if_referred(data: Dataset, target: Target, doing: str) -> None:
    unreadable = _referrers_unreadable(data, target.kind)
    if unreadable:
        raise RecordRefused(
            f"不能{doing}：{'、'.join(unreadable[:5])} 无法读取，不能确定它是否用到了"
            f"{KIND_LABELS[target.kind]}“{target.title}”。请先在“检查数据”中改正这个文件。")
    # Another file with the same id (an error of its own) would keep the references valid.
    if _same_id_elsewhere(data, target):
        return
    refs = references(data, target.kind, target.ident)
    if refs:
        names = "；".join(r.describe() for r in refs[:10])
        more = f"等 {len(refs)} 条记录" if len(refs) > 10 else ""
        field = "“相关示范点”" if target.kind == "sites" else "“收录经验”"
        raise RecordRefused(
            f"不能{doing}{KIND_LABELS[target.kind]}“{target.title}”：{names}{more}在{field}中用到了它。"
            f"请先打开这些记录，把它从{field}中去掉（或换成别的），保存后再{doing}。")


def _same_id_elsewhere(data: Dataset, target: Target) -> bool:
    folder = data.root / target.kind
    return any(p != target.path for s in YAML_SUFFIXES
               for p in folder.rglob(target.ident + s) if p.is_file())


def delete(data: Dataset, rel: object) -> Target:
    """Delete the record file ``rel`` (and an experience's ``.md`` body); refused while
    anything refers to it. Photos stay in ``media/`` (other records may show them)."""
    target = find(data, rel)
    _refuse_if_referred(data, target, "删除")
    for path in (target.path, *target.extra):
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise RecordRefused(f"无法删除 {path.name}（{exc.strerror or '文件被占用'}）。"
                                "请关闭正在使用它的程序后重试。") from None
    return target


def plan_rename(data: Dataset, rel: object, new_id: object) -> RenamePlan:
    """Check that record ``rel`` may get the id ``new_id``; the files that move."""
    target = find(data, rel)
    if target.kind == "plans":
        raise RecordRefused("年度规划的标识就是年份，不能改名。年份写错时，请新建正确年份的规划，"
                            "再删除写错的这份。", 409)
    if not isinstance(new_id, str) or not new_id.strip():
        raise RecordRefused("请填写新的标识（文件名）。", 422)
    new = new_id.strip()
    if not ID_RE.match(new):
        raise RecordRefused(f"新标识“{new[:70]}”不能用：只能用小写字母、数字和连字符“-”，以字母或数字开头，"
                            "2–64 个字符，例如 wuling-furong-shequ。", 422)
    if new == target.ident:
        raise RecordRefused("新标识和原来的一样，不需要改名。", 422)
    folder = data.root / target.kind
    taken = [p for s in YAML_SUFFIXES for p in folder.rglob(new + s)]
    if taken:
        shown = taken[0].relative_to(data.root.parent).as_posix()
        raise RecordRefused(f"标识“{new}”已经被 {shown} 使用：同一类记录的标识不能重复，请换一个。", 409)
    _refuse_if_referred(data, target, "改名")
    moves = [(target.path, target.path.with_name(new + target.path.suffix))]
    moves += [(p, p.with_name(new + p.suffix)) for p in target.extra]
    for _old, dest in moves:
        if dest.exists():
            raise RecordRefused(f"文件 {dest.name} 已经存在，请换一个标识。", 409)
    return RenamePlan(target, new, tuple(moves))


def rename(plan: RenamePlan) -> None:
    """Move the files of ``plan``: all of them or none."""
    done: list[tuple[Path, Path]] = []
    try:
        for old, new in plan.moves:
            if new.exists():
                raise FileExistsError(0, "目标文件已存在", str(new))
            os.rename(old, new)
            done.append((old, new))
    except OSError as exc:
        for old, new in reversed(done):
            with contextlib.suppress(OSError):
                os.rename(new, old)
        raise RecordRefused(f"改名没有完成（{exc.strerror or '文件被占用'}），文件保持原样。"
                            "请关闭正在使用它的程序后重试。") from None


def record_files(data: Dataset, kind: str) -> list[Path]:
    """Every record file of ``kind`` in the folder, usable or not (hidden files aside)."""
    folder = data.root / kind
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()
                  and not p.is_symlink() and not p.name.startswith("."))


def listing(data: Dataset) -> dict[str, list[dict[str, object]]]:
    """The folder's record files by kind, for choosing one: file, id, title and what refers
    to it (a second file with an id already taken is listed too, to be renamed)."""
    out: dict[str, list[dict[str, object]]] = {}
    for kind in KINDS:
        items: list[dict[str, object]] = []
        for path in record_files(data, kind):
            rel = path.relative_to(data.root.parent).as_posix()
            ident = path.stem
            src = data.sources.get((kind, ident))
            canonical = src is not None and src.path == rel
            refs = references(data, kind, ident) if canonical else []
            items.append({"path": rel, "id": ident,
                          "title": title_of(data, kind, ident) if canonical else ident,
                          "references": [r.describe() for r in refs]})
        out[kind] = items
    return out
