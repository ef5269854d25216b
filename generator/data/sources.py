"""The members of an aggregating programme, from their git repositories (SPEC §6).

The cache, ``.cache/sources/`` beside the project (kept between CI runs like the photos):

    <key>/repo.git/           a bare repository holding just the commits fetched (depth 1)
    <key>/trees/<commit>/     the member's data folder at that commit (``git archive``)
    <key>/state.json          per commit: valid alone or not (and why), its date; the last
                              commit that was valid and was shown ("last good")
    <key>/datasets/<commit>-<version>.pickle
                              the member's data set as read and checked, by commit: a
                              build where one member moved reads only that member again

Fetching is the only step that needs the network; a build finds the pinned commits in the
cache (and fetches the missing ones). :func:`join` chooses, per member, the pinned commit
when it is valid by the member's own rules and joins cleanly, else the last good commit —
so no member holds the others hostage — and says which member is behind, since when and
why. ``strict`` turns any of that into errors instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import pickle
import shutil
import subprocess
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..base.problems import Problem, ProblemsFound, Severity
from ..model.records import Member
from . import loader
from .dataset import Behind, Dataset
from .federation import MemberData, federate

CACHE = Path(".cache") / "sources"
GIT_TIMEOUT = 600


class SourcesFailed(Exception):
    """A member's repository could not be reached or read (Chinese message)."""


def _version() -> str:
    """What a cached data set depends on besides the commit: this package's code."""
    here = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(here.rglob("*.py")):
        digest.update(path.relative_to(here).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def git(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_ASKPASS": "true"}
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              timeout=GIT_TIMEOUT, env=env, check=False)
    except FileNotFoundError:
        raise SourcesFailed("找不到 git：汇总成员数据需要 git，请先安装（Debian：apt-get install git）。") from None
    except subprocess.TimeoutExpired:
        raise SourcesFailed(f"git {args[0]} 超过 {GIT_TIMEOUT // 60} 分钟没有完成，请检查网络。") from None
    if proc.returncode != 0:
        raise SourcesFailed(proc.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} 失败")
    return proc.stdout


@dataclass
class MemberCache:
    """One member's part of the cache."""

    member: Member
    root: Path

    @property
    def repo(self) -> Path:
        return self.root / "repo.git"

    def tree(self, commit: str) -> Path:
        return self.root / "trees" / commit

    def data_dir(self, commit: str) -> Path:
        return self.tree(commit).joinpath(*PurePosixPath(self.member.path).parts)

    # ------------------------------------------------------------------ state
    def state(self) -> dict[str, Any]:
        try:
            loaded = json.loads((self.root / "state.json").read_text(encoding="utf-8"))
            return loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            return {}

    def save_state(self, state: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temp = self.root / f".state.json.{os.getpid()}"
        temp.write_text(json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True),
                        encoding="utf-8")
        os.replace(temp, self.root / "state.json")

    def last_good(self) -> str | None:
        good = self.state().get("last_good")
        return good if isinstance(good, str) and self.tree(good).is_dir() else None

    # ------------------------------------------------------------------ fetching
    def fetch(self, commit: str) -> Path:
        """The member's data folder at ``commit``, fetched and unpacked if needed."""
        if self.tree(commit).is_dir():
            return self.data_dir(commit)
        where = f"成员“{self.member.name}”（{self.member.key}）的仓库 {self.member.repo}"
        try:
            if not self.repo.is_dir():
                self.repo.parent.mkdir(parents=True, exist_ok=True)
                git("init", "--bare", "--quiet", str(self.repo))
            if not self._has(commit):
                try:
                    git("fetch", "--quiet", "--depth", "1", "--no-tags", _url(self.member.repo),
                        commit, cwd=self.repo)
                except SourcesFailed:  # a server that gives no single commits: its branches
                    git("fetch", "--quiet", "--no-tags", _url(self.member.repo),
                        "+refs/heads/*:refs/remotes/origin/*", cwd=self.repo)
            if not self._has(commit):
                raise SourcesFailed(f"仓库中没有提交 {commit}")
            self._unpack(commit)
        except SourcesFailed as exc:
            raise SourcesFailed(f"无法取得{where}中的提交 {commit[:12]}：{exc}") from None
        except OSError as exc:
            raise SourcesFailed(f"无法写入成员数据缓存 {self.root}（{exc.strerror}）。") from None
        return self.data_dir(commit)

    def _has(self, commit: str) -> bool:
        try:
            return git("cat-file", "-t", commit, cwd=self.repo).strip() == b"commit"
        except SourcesFailed:
            return False

    def _unpack(self, commit: str) -> None:
        """``git archive`` of the data folder into trees/<commit>, all at once: regular
        files and folders only (a symbolic link in a member's repository is not followed;
        the member's own check reports it)."""
        path = PurePosixPath(self.member.path).as_posix().strip("/") or "."
        try:
            raw = git("archive", "--format=tar", commit, "--", path, cwd=self.repo)
        except SourcesFailed:
            raise SourcesFailed(f"提交中没有数据目录“{self.member.path}”"
                                "（sources.yml 中该成员的 path）") from None
        target = self.tree(commit)
        partial = target.with_name(f".{commit}.{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
            for entry in tar.getmembers():
                name = PurePosixPath(entry.name)
                if name.is_absolute() or ".." in name.parts:
                    continue
                if entry.isdir():
                    (partial / name).mkdir(parents=True, exist_ok=True)
                elif entry.isfile():
                    (partial / name).parent.mkdir(parents=True, exist_ok=True)
                    source = tar.extractfile(entry)
                    assert source is not None
                    (partial / name).write_bytes(source.read())
        date = git("show", "-s", "--format=%cs", commit, cwd=self.repo).decode().strip()
        os.replace(partial, target)
        state = self.state()
        state.setdefault("commits", {}).setdefault(commit, {})["date"] = date

        self.save_state(state)

    def committed(self, commit: str) -> dt.date | None:
        date = self.state().get("commits", {}).get(commit, {}).get("date")
        try:
            return dt.date.fromisoformat(date) if isinstance(date, str) else None
        except ValueError:
            return None

    # ------------------------------------------------------------------ reading
    def load(self, commit: str) -> Dataset:
        """The member's data set at ``commit``, read and checked once per commit."""
        cached = self.root / "datasets" / f"{commit}-{_version()}.pickle"
        try:
            with cached.open("rb") as f:
                data = pickle.load(f)
            if isinstance(data, Dataset):
                return data
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
            pass
        data = loader.load(self.data_dir(commit))
        cached.parent.mkdir(parents=True, exist_ok=True)
        for old in cached.parent.glob(f"{commit}-*.pickle"):
            old.unlink(missing_ok=True)  # made by another version of the code
        temp = cached.with_name(f".{cached.name}.{os.getpid()}")
        temp.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temp, cached)
        return data


def _url(repo: str) -> str:
    """A local path is given to git as it is (relative to the working folder)."""
    return repo


def caches(members: Iterable[Member], cache_root: Path) -> list[MemberCache]:
    return [MemberCache(m, cache_root / m.key) for m in members]


def attributed(problem: Problem, member: Member, commit: str) -> Problem:
    """A member's problem as the aggregator reports it: the path below the member's key,
    the member's name and commit in front of the message."""
    return Problem(f"{member.key}/{problem.path}", problem.line, problem.col,
                   f"〔{member.name}，提交 {commit[:7]}〕{problem.message}", problem.severity)


# ---------------------------------------------------------------- choosing and joining

@dataclass
class _Choice:
    cache: MemberCache
    candidates: list[str]
    reasons: list[str]
    chosen: MemberData | None = None


def join(own: Dataset, cache_root: Path, *, strict: bool = False,
         fetch_missing: bool = True) -> Dataset:
    """The aggregator's data joined with its members' (see the module's docstring). The
    aggregator's own problems are always errors; a member's are errors with ``strict``."""
    assert own.members is not None and own.program is not None
    choices = [_Choice(c, list(dict.fromkeys(x for x in (c.member.ref, c.last_good()) if x)), [])
               for c in caches(own.members.members, cache_root)]
    errors: list[Problem] = []
    for choice in choices:
        _next_candidate(choice, own, fetch_missing, errors)
    for _round in range(len(choices) + 1):
        chosen = [c.chosen for c in choices if c.chosen is not None]
        joined, found = federate(own, chosen)
        if "" in found:
            raise ProblemsFound([*found[""], *errors])
        moved = False
        for choice in choices:
            if choice.chosen is not None and choice.cache.member.key in found:
                choice.reasons += [str(p) for p in found[choice.cache.member.key][:5]]
                errors += found[choice.cache.member.key]
                choice.chosen = None
                _next_candidate(choice, own, fetch_missing, errors)
                moved = True
        if not moved:
            break
    if strict and errors:
        raise ProblemsFound(errors)
    behind = [_behind(c) for c in choices
              if c.chosen is None or c.chosen.commit != c.cache.member.ref]
    for choice in choices:
        if choice.chosen is not None and choice.chosen.commit == choice.cache.member.ref:
            state = choice.cache.state()
            state["last_good"] = choice.chosen.commit
            choice.cache.save_state(state)
    joined, _found = federate(own, [c.chosen for c in choices if c.chosen is not None], behind)
    # A member's problems are its own to fix: warnings here (the build goes on with what is
    # valid), errors only with ``strict``.
    joined.problems.extend(replace(p, severity=Severity.WARNING) for p in errors)
    joined.problems.sort()
    return joined


def _next_candidate(choice: _Choice, own: Dataset, fetch_missing: bool,
                    errors: list[Problem]) -> None:
    """Take the member's next commit that is valid by its own rules (or none)."""
    assert own.program is not None
    member = choice.cache.member
    while choice.candidates:
        commit = choice.candidates.pop(0)
        try:
            if fetch_missing:
                choice.cache.fetch(commit)
            elif not choice.cache.tree(commit).is_dir():
                raise SourcesFailed(f"缓存中没有成员“{member.name}”的提交 {commit[:12]}："
                                    "请先运行 showcase sources fetch。")
        except SourcesFailed as exc:
            choice.reasons.append(str(exc))
            errors.append(Problem(f"{member.key}/sources.yml", 1, 1, str(exc)))
            continue
        data = choice.cache.load(commit)
        if not data.ok:
            found = [attributed(p, member, commit) for p in data.errors]
            choice.reasons += [str(p) for p in found[:5]]
            errors += found
            continue
        assert data.program is not None
        trusted = own.program.code is not None and own.program.code in data.program.share_internal_with
        choice.chosen = MemberData(member, data, commit, choice.cache.committed(commit), trusted)
        return


def _behind(choice: _Choice) -> Behind:
    member = choice.cache.member
    return Behind(member, member.ref, choice.chosen.commit if choice.chosen else None,
                  choice.cache.committed(member.ref), tuple(choice.reasons[:5]))


def fetch_all(members: Sequence[Member], cache_root: Path) -> list[tuple[Member, str]]:
    """``showcase sources fetch``: every pinned commit into the cache; what could not be
    fetched, per member (the others are fetched all the same)."""
    failed: list[tuple[Member, str]] = []
    for cache in caches(members, cache_root):
        try:
            cache.fetch(cache.member.ref)
        except SourcesFailed as exc:
            failed.append((cache.member, str(exc)))
    return failed


# ---------------------------------------------------------------- moving pins

@dataclass(frozen=True)
class Moved:
    """What moving one member's pin changes: records added, removed and changed, by kind."""

    member: Member
    old: str
    new: str
    added: dict[str, list[str]]
    removed: dict[str, list[str]]
    changed: dict[str, list[str]]
    settings: list[str]  # program.yml / taxonomy.yml, when they changed
    valid: bool          # the new commit is valid by the member's own rules

    @property
    def unchanged(self) -> bool:
        return self.old == self.new


KIND_NAMES = {"sites": "示范点", "experiences": "典型经验", "plans": "年度规划", "compilations": "经验汇编"}


def _dump(record: Any) -> Any:
    return record.model_dump(mode="json") if record is not None else None


def difference(old: Dataset, new: Dataset) -> tuple[dict[str, list[str]], dict[str, list[str]],
                                                     dict[str, list[str]], list[str]]:
    """Records added, removed and changed from ``old`` to ``new`` (compared as parsed
    records, not as text), and which settings files changed."""
    added: dict[str, list[str]] = {}
    removed: dict[str, list[str]] = {}
    changed: dict[str, list[str]] = {}
    for kind in KIND_NAMES:
        before = {str(k): v for k, v in getattr(old, kind).items()}
        after = {str(k): v for k, v in getattr(new, kind).items()}
        if plus := sorted(after.keys() - before.keys()):
            added[kind] = plus
        if minus := sorted(before.keys() - after.keys()):
            removed[kind] = minus
        if moved := sorted(k for k in before.keys() & after.keys()
                           if _dump(before[k]) != _dump(after[k])):
            changed[kind] = moved
    settings = [name for name, a, b in (("program.yml", old.program, new.program),
                                        ("taxonomy.yml", old.taxonomy, new.taxonomy))
                if _dump(a) != _dump(b)]
    return added, removed, changed, settings


def newest(cache: MemberCache, branch: str | None) -> str:
    """The newest commit of the member's branch (its default branch when none is given)."""
    ref = f"refs/heads/{branch}" if branch else "HEAD"
    where = f"成员“{cache.member.name}”（{cache.member.key}）的仓库 {cache.member.repo}"
    try:
        out = git("ls-remote", _url(cache.member.repo), ref).decode()
    except SourcesFailed as exc:
        raise SourcesFailed(f"无法读取{where}：{exc}") from None
    for line in out.splitlines():
        commit, _, name = line.partition("\t")
        if name == ref:
            return commit
    raise SourcesFailed(f"{where}中没有分支“{branch or '（默认分支）'}”。")


def update(own: Dataset, cache_root: Path, keys: Sequence[str] = (),
           branch: str | None = None) -> tuple[list[Moved], bytes | None]:
    """Move the pins of the members ``keys`` (all when empty) to their branch's newest
    commit: what changed per member, and the new text of sources.yml (None: nothing moved).
    Nothing is written here."""
    assert own.members is not None
    src = own.sources[("sources", "sources")]
    path = own.root / "sources.yml"
    text = path.read_bytes()
    lines = text.decode("utf-8-sig").split("\n")
    bom = text.startswith(b"\xef\xbb\xbf")
    moved: list[Moved] = []
    for i, cache in enumerate(caches(own.members.members, cache_root)):
        member = cache.member
        if keys and member.key not in keys:
            continue
        new = newest(cache, branch or member.branch)
        cache.fetch(member.ref)
        cache.fetch(new)
        old_data, new_data = cache.load(member.ref), cache.load(new)
        added, removed, changed, settings = difference(old_data, new_data)
        moved.append(Moved(member, member.ref, new, added, removed, changed, settings,
                           new_data.ok))
        if new != member.ref:
            mark = src.doc.mark(("members", i, "ref"))
            line = lines[mark.line - 1]
            at = line.find(member.ref, mark.col - 1)
            if at < 0:
                raise SourcesFailed(f"sources.yml 第 {mark.line} 行找不到成员“{member.key}”的提交编号，"
                                    "无法改写；请检查这一行。")
            lines[mark.line - 1] = line[:at] + new + line[at + len(member.ref):]
    if all(m.unchanged for m in moved):
        return moved, None
    out = "\n".join(lines).encode("utf-8")
    return moved, (b"\xef\xbb\xbf" + out) if bom else out
