"""Each record's history, read from git (SPEC §6 "History").

An adapter: the only module that runs ``git``. It hands the rest of the program a plain,
typed :class:`History` — per site and experience, the commits that changed its file (or an
experience's ``.md`` body), newest first, with the fields each commit changed (compared on
the parsed records) and a small public summary of the record before and after (status,
published) from which the yearly changes are derived. Dates are the commits' author dates,
never the clock, so two builds of the same commit are identical.

Cost is flat per record: one ``git log --raw`` over the data folder's history and one
``git cat-file --batch`` for every version of every record file, whatever their number.
The result depends only on HEAD, so it is cached by HEAD's commit id when a cache folder is
given (``showcase serve`` rebuilds and repeated builds read it back).

No history is not an error: without git, outside a work tree, before the first commit or
on a git failure the build goes on without dates, with a Chinese note for its log. In a
shallow clone the oldest commits present have no parents to compare with: what they show
is not known to be a change, so only the commits after them count (and the note says so).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel

from ..model.fieldtypes import ID_RE
from ..model.lifecycle import site_state
from ..model.recorddiff import changed_fields
from ..model.records import Experience, Site
from .dataset import YAML_SUFFIXES, Dataset
from .schemacheck import check_document
from .yamlsource import decode, parse

Kind = Literal["sites", "experiences"]
State = Literal["complete", "shallow", "none"]
# Bump when what is cached changes shape or meaning.
CACHE_VERSION = 1
_ZERO = "0" * 40
_MODELS: dict[str, type[BaseModel]] = {"sites": Site, "experiences": Experience}


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str    # the author's date, YYYY-MM-DD, in the author's time zone
    time: str    # the author's time, ISO 8601 with offset
    author: str  # the author's name (.mailmap applied); never the e-mail address
    message: str  # the subject line

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.date)

    @property
    def moment(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.time)


@dataclass(frozen=True)
class Snapshot:
    """What the yearly changes need of one version of a record (nothing private)."""

    readable: bool             # its status or draft mark could be read (valid fields)
    status: str | None = None  # a site's lifecycle status
    published: bool = False    # an experience that is not a draft (sites: True)


@dataclass(frozen=True)
class Revision:
    commit: Commit
    change: Literal["added", "modified", "deleted"]
    fields: tuple[tuple[str, ...], ...]  # changed field paths; ("body",) for the .md body
    # None: the file did not exist before the commit / the commit deleted it (both None when
    # only an experience's .md body changed: the record's own file was not touched).
    before: Snapshot | None
    after: Snapshot | None


@dataclass
class History:
    state: State
    note: str | None = None  # for the build log (Chinese), when history is missing or partial
    head: str | None = None
    records: dict[str, list[Revision]] = field(default_factory=dict)  # "kind/id" -> newest first

    def of(self, kind: str, ident: str) -> list[Revision]:
        return self.records.get(f"{kind}/{ident}", [])

    def updated(self, kind: str, ident: str) -> dt.date | None:
        """The date of the last commit that changed the record's file (or its body)."""
        revisions = self.of(kind, ident)
        return revisions[0].commit.day if revisions else None


# ---------------------------------------------------------------- notes for the build log

NOTE_NO_GIT = ("找不到 git 命令：页面不显示“最后更新”日期，也没有修订记录和年度变化。"
               "安装 git（scripts/setup.sh 会安装）并用它管理数据后即可显示。")
NOTE_NOT_A_REPOSITORY = ("数据目录不在 git 版本库中：页面不显示“最后更新”日期，也没有修订记录和年度变化。"
                         "用 git 管理数据（见编辑指南“给技术人员 › 安装与启动”）后即可显示。")
NOTE_NO_COMMITS = "数据所在的 git 版本库还没有提交：页面不显示“最后更新”日期；第一次提交后即可显示。"
NOTE_UNCOMMITTED = ("数据目录在 git 版本库中，但其中的示范点和典型经验还没有提交过：页面不显示“最后更新”日期；"
                    "提交（保存到版本库）后即可显示。")
NOTE_SHALLOW = ("数据所在的 git 版本库是浅克隆（只取了最近的提交），更早的修改历史不完整：只显示能确定的"
                "“最后更新”日期、修订记录和年度变化。要显示完整历史，请获取全部提交（GitHub Actions："
                "actions/checkout 的 fetch-depth: 0；GitLab CI：GIT_DEPTH: 0；手工：git fetch --unshallow）。")


def _note_failed(detail: str) -> str:
    return (f"读取 git 历史失败（{detail}）：页面不显示“最后更新”日期，也没有修订记录和年度变化。"
            "网站照常生成。")


# ---------------------------------------------------------------- running git

class _GitFailed(Exception):
    pass


def _env() -> dict[str, str]:
    """git's environment: none of the caller's GIT_* settings (a hook's GIT_DIR would point
    at another repository), C locale, no pager, no prompts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0",
                "GIT_OPTIONAL_LOCKS": "0"})
    return env


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=cwd,
                                input=stdin, capture_output=True, env=_env(), check=False)
    except OSError as exc:
        raise _GitFailed(exc.strerror or str(exc)) from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _GitFailed(message[-1] if message else f"git {args[0]} 退出码 {result.returncode}")
    return result.stdout


# ---------------------------------------------------------------- reading the history

def read_history(data_dir: Path, *, cache_dir: Path | None = None,
                 current: Dataset | None = None) -> History:
    """The history of every site and experience file below ``data_dir``. ``current`` (the
    data as loaded) saves parsing again the versions that are the files as they are now."""
    if shutil.which("git") is None:
        return History("none", NOTE_NO_GIT)
    root = data_dir.resolve()
    try:
        inside = _git(root, "rev-parse", "--is-inside-work-tree").decode().strip()
    except _GitFailed as exc:
        if "not a git repository" in str(exc):
            return History("none", NOTE_NOT_A_REPOSITORY)
        # e.g. "detected dubious ownership": a repository git refuses to read for this user
        return History("none", _note_failed(str(exc)))
    if inside != "true":
        return History("none", NOTE_NOT_A_REPOSITORY)
    try:
        head = _git(root, "rev-parse", "--verify", "-q", "HEAD").decode().strip()
    except _GitFailed:
        return History("none", NOTE_NO_COMMITS)
    try:
        prefix = _git(root, "rev-parse", "--show-prefix").decode("utf-8").strip()
        shallow = _shallow_commits(root)
        cache = _cache_file(cache_dir, head, prefix, shallow)
        cached = _read_cache(cache)
        if cached is not None:
            return cached
        history = _read(root, prefix, head, shallow, _loaded(current))
    except _GitFailed as exc:
        return History("none", _note_failed(str(exc)))
    _write_cache(cache, history)
    return history


def _shallow_commits(root: Path) -> frozenset[str]:
    """The boundary commits of a shallow clone (their parents are missing)."""
    if _git(root, "rev-parse", "--is-shallow-repository").decode().strip() != "true":
        return frozenset()
    path = Path(_git(root, "rev-parse", "--path-format=absolute", "--git-path", "shallow")
                .decode("utf-8").strip())
    try:
        return frozenset(path.read_text(encoding="ascii").split())
    except OSError:
        return frozenset()


@dataclass
class _Change:
    """One commit's change to one record: the old and new blob of its .yml and .md."""

    commit: Commit
    yml: tuple[str, str] | None = None  # (old blob, new blob); _ZERO for "none"
    md: tuple[str, str] | None = None


def _log(root: Path) -> list[tuple[Commit, list[tuple[str, str, str]]]]:
    """Commits touching the data folder, newest first, each with its (old blob, new blob,
    path below the repository root) of every changed file."""
    out = _git(root, "log", "-z", "--raw", "--no-renames", "--no-abbrev", "--no-merges",
               "--format=%x01%H%x00%aI%x00%aN%x00%s", "--", "sites", "experiences")
    commits = []
    for chunk in out.decode("utf-8", "replace").split("\x01")[1:]:
        parts = chunk.split("\x00")
        sha, time, author, subject = parts[:4]
        files = []
        rest = [p.lstrip("\n") for p in parts[4:]]
        for meta, path in zip(rest[0::2], rest[1::2], strict=False):
            if not meta.startswith(":"):
                continue
            _old_mode, _new_mode, old, new, _status = meta[1:].split(" ")
            files.append((old, new, path))
        commit = Commit(sha, time[:10], time, author.strip(), subject.strip())
        commits.append((commit, files))
    return commits


def _record_of(path: str, prefix: str) -> tuple[str, str] | None:
    """(``kind/id``, ``yml`` or ``md``) of a record file, else None."""
    if not path.startswith(prefix):
        return None
    rel = PurePosixPath(path[len(prefix):])
    if len(rel.parts) < 2 or rel.parts[0] not in _MODELS or not ID_RE.match(rel.stem):
        return None
    suffix = rel.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return f"{rel.parts[0]}/{rel.stem}", "yml"
    if suffix == ".md" and rel.parts[0] == "experiences":
        return f"{rel.parts[0]}/{rel.stem}", "md"
    return None


def _blobs(root: Path, shas: list[str]) -> dict[str, bytes]:
    """The contents of ``shas``, from one ``git cat-file --batch``."""
    if not shas:
        return {}
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in shas).encode())
    found: dict[str, bytes] = {}
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("ascii", "replace").split(" ")
        pos = end + 1
        if len(header) < 3 or header[1] == "missing":
            continue
        size = int(header[2])
        found[header[0]] = out[pos:pos + size]
        pos += size + 1  # the content is followed by a newline
    return found


def _parse(kind: str, raw: bytes | None) -> tuple[BaseModel | None, Snapshot]:
    if raw is None:
        return None, Snapshot(readable=False)
    text, _problems = decode(raw, "history")
    if text is None:
        return None, Snapshot(readable=False)
    doc, _problems = parse(text, "history")
    if doc is None:
        return None, Snapshot(readable=False)
    record, _problems = check_document(_MODELS[kind], doc, "history")
    if record is None:
        return None, Snapshot(readable=False)
    # A version with errors (an old file under today's stricter rules) is partial: the
    # fields it holds are valid; what it lacks leaves its status unknown.
    return record, _snapshot(record)


def blob_id(content: bytes) -> str:
    """The id git gives a file's content (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def _loaded(data: Dataset | None) -> dict[str, tuple[BaseModel, Snapshot]]:
    """The records the loader read, by the blob id of their file as it is now: the newest
    version of most records, already parsed and checked."""
    if data is None:
        return {}
    out: dict[str, tuple[BaseModel, Snapshot]] = {}
    for kind, records in (("sites", data.sites), ("experiences", data.experiences)):
        for ident, record in records.items():
            source = data.sources.get((kind, ident))
            if source is None or (kind, ident) in data.incomplete:
                continue
            path = Path(source.path)
            try:
                content = (path if path.is_absolute() else data.root.parent / path).read_bytes()
            except OSError:
                continue
            if ident in data.body_files:  # as its .yml alone reads: the body is the .md's
                record = record.model_copy(update={"body": None})
            out[blob_id(content)] = (record, _snapshot(record))
    return out


def _snapshot(record: BaseModel) -> Snapshot:
    try:
        if isinstance(record, Site):
            return Snapshot(True, status=site_state(record, 1, dt.date.min).status, published=True)
        assert isinstance(record, Experience)
        return Snapshot(True, published=not record.draft)
    except AttributeError:
        return Snapshot(readable=False)


def _read(root: Path, prefix: str, head: str, shallow: frozenset[str],
          loaded: dict[str, tuple[BaseModel, Snapshot]]) -> History:
    changes: dict[str, list[_Change]] = {}
    for commit, files in _log(root):
        if commit.sha in shallow:
            continue  # its parents are missing: what it shows may be no change at all
        touched: dict[str, _Change] = {}
        for old, new, path in files:
            found = _record_of(path, prefix)
            if found is None:
                continue
            key, part = found
            entry = touched.setdefault(key, _Change(commit))
            earlier = getattr(entry, part)
            if earlier is not None:  # moved to another folder: deleted there, added here
                old = earlier[0] if earlier[0] != _ZERO else old
                new = earlier[1] if earlier[1] != _ZERO else new
            setattr(entry, part, (old, new))
        for key, entry in touched.items():
            changes.setdefault(key, []).append(entry)
    wanted = sorted({sha for cs in changes.values() for c in cs if c.yml for sha in c.yml}
                    - {_ZERO} - set(loaded))
    blobs = _blobs(root, wanted)
    parsed: dict[tuple[str, str], tuple[BaseModel | None, Snapshot]] = {}

    def version(kind: str, sha: str) -> tuple[BaseModel | None, Snapshot] | None:
        if sha == _ZERO:
            return None
        if (kind, sha) not in parsed:
            known = loaded.get(sha)
            same_kind = known is not None and isinstance(known[0], _MODELS[kind])
            parsed[(kind, sha)] = known if known is not None and same_kind else _parse(kind, blobs.get(sha))
        return parsed[(kind, sha)]

    records: dict[str, list[Revision]] = {}
    for key, items in changes.items():
        kind = key.split("/", 1)[0]
        revisions = []
        for c in items:
            change: Literal["added", "modified", "deleted"] = "modified"
            fields: tuple[tuple[str, ...], ...] = ()
            before_s = after_s = None  # only the .md body changed: the record is as it was
            if c.yml is not None:
                before, after = version(kind, c.yml[0]), version(kind, c.yml[1])
                change = "added" if before is None else "deleted" if after is None else "modified"
                fields = changed_fields(before[0] if before else None, after[0] if after else None)
                before_s, after_s = (before[1] if before else None), (after[1] if after else None)
            if c.md is not None and ("body",) not in fields:
                fields = (*fields, ("body",))
            revisions.append(Revision(c.commit, change, fields, before_s, after_s))
        records[key] = revisions
    state: State = "shallow" if shallow else "complete"
    note = NOTE_SHALLOW if shallow else None if records else NOTE_UNCOMMITTED
    return History(state, note, head, records)


# ---------------------------------------------------------------- the cache, by HEAD

def _cache_file(cache_dir: Path | None, head: str, prefix: str,
                shallow: frozenset[str]) -> Path | None:
    if cache_dir is None:
        return None
    key = hashlib.sha256(f"{CACHE_VERSION}|{head}|{prefix}|{sorted(shallow)}".encode()).hexdigest()
    return cache_dir / f"{key[:24]}.json"


def _read_cache(path: Path | None) -> History | None:
    if path is None:
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return _history_from(raw)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or damaged: read git again


def _write_cache(path: Path | None, history: History) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-7]:
            old.unlink(missing_ok=True)  # keep the last few HEADs (branches switched back)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(history), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _history_from(raw: dict[str, Any]) -> History:
    def snapshot(value: dict[str, Any] | None) -> Snapshot | None:
        return Snapshot(**value) if value is not None else None

    records = {
        key: [Revision(Commit(**r["commit"]), r["change"],
                       tuple(tuple(p) for p in r["fields"]), snapshot(r["before"]),
                       snapshot(r["after"])) for r in revisions]
        for key, revisions in raw["records"].items()
    }
    return History(raw["state"], raw["note"], raw["head"], records)
