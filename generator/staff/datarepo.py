"""The data folder's repository, for clerks: 保存到版本库 (commit the data folder's changes with
the clerk's own words, then upload them when there is a server), the 历史记录 of saved
changes, and 撤销 (a new saved change that undoes an earlier one).

The data folder may be part of the project's repository (``sites_data/`` beside the code)
or a repository of its own; either way only the data folder is touched: what is saved is
its changes alone (other staged or changed files of the project stay as they are), and
only saved changes that lie wholly inside it can be undone. Nothing here runs unless a
clerk pressed its button; every failure becomes a Chinese sentence without git's words.
Uploading that fails (no network, no permission, someone else saved first) loses nothing:
the change stays saved on this computer and can be uploaded again later.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..base.textcheck import character_problem

PUSH_TIMEOUT = 120.0
MAX_MESSAGE = 200
HISTORY_LIMIT = 50
# The line an undo's message carries (git's own wording: technicians know it).
UNDO_TRAILER = "This reverts commit "
_UNDO_RE = re.compile(r"This reverts commit ([0-9a-f]{40})")


class RepositoryRefused(Exception):
    """What a clerk asked for cannot be done; the message (Chinese) says why and what to do.
    ``status``: 404 nothing to work on, 409 the repository's state forbids it, 422 the
    request itself is wrong, 502 the server could not be reached."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


NO_GIT = ("这台电脑没有安装 Git 软件，不能保存到版本库。请技术人员安装 Git（统信UOS、银河麒麟："
          "软件包 git；Windows：Git for Windows），然后重新启动展示平台。")
NOT_A_REPOSITORY = ("数据文件夹不在版本库中，不能保存到版本库，也没有历史记录。"
                    "请技术人员按编辑指南“给技术人员 › 安装与启动”为数据建立版本库。")


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """git's environment: none of the caller's GIT_* settings, C locale (its messages are
    read here, never shown), no pager, no prompts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"LC_ALL": "C", "LANGUAGE": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0",
                "GIT_EDITOR": "true", "GIT_MERGE_AUTOEDIT": "no"})
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Ran:
    code: int
    out: bytes
    err: str


@dataclass(frozen=True)
class Change:
    """One changed file of the data folder: ``state`` is 新增, 修改 or 删除; ``path`` is
    relative to the data folder (``sites/2026/x.yml``)."""

    state: str
    path: str


@dataclass(frozen=True)
class Status:
    changes: list[Change]
    author: str | None          # the name git would write (None: not configured)
    remote: str | None          # where saved changes are uploaded (None: nowhere)
    not_uploaded: int           # saved changes the server does not have yet
    busy: str | None = None     # why nothing can be saved now (a merge in progress …)


@dataclass(frozen=True)
class Saved:
    """One saved change of the data folder (a commit that touched it)."""

    commit: str
    date: str                   # YYYY-MM-DD HH:MM (the author's local time)
    author: str
    message: str                # the first line
    files: list[Change]         # its files inside the data folder
    uploaded: bool
    undoes: str | None = None   # the saved change this one undid
    undone_by: str | None = None
    undo_refusal: str | None = None  # why it cannot be undone (None: it can)


@dataclass(frozen=True)
class SaveResult:
    commit: str
    message: str
    uploaded: bool = False
    upload_problem: str | None = None   # why uploading failed (the change is kept)
    remote: str | None = None


@dataclass
class Repository:
    """The repository holding ``data_dir``; :meth:`open` refuses when there is none."""

    data_dir: Path
    top: Path
    prefix: str                 # the data folder relative to the top ("sites_data/" or "")

    # ---------------------------------------------------------------- running git
    @classmethod
    def open(cls, data_dir: Path) -> Repository:
        if shutil.which("git") is None:
            raise RepositoryRefused(NO_GIT, 409)
        data_dir = data_dir.resolve()
        probe = _run(data_dir, ["rev-parse", "--show-toplevel", "--show-prefix"])
        lines = probe.out.decode("utf-8", "replace").splitlines()
        if probe.code != 0 or not lines:
            if "dubious ownership" in probe.err:
                raise RepositoryRefused(
                    "数据文件夹所在的版本库属于这台电脑上的另一个用户，Git 拒绝使用它。"
                    "请技术人员处理（把文件夹的所有者改为当前用户）。")
            raise RepositoryRefused(NOT_A_REPOSITORY, 409)
        prefix = lines[1] if len(lines) > 1 else ""
        return cls(data_dir, Path(lines[0]), prefix)

    def git(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60.0,
            check: bool = True) -> Ran:
        ran = _run(self.data_dir, list(args), env=env, timeout=timeout)
        if check and ran.code != 0:
            raise RepositoryRefused(_explain(ran.err), 409)
        return ran

    def text(self, *args: str) -> str:
        return self.git(*args).out.decode("utf-8", "replace")

    # ---------------------------------------------------------------- what is there
    def config(self, key: str) -> str | None:
        ran = self.git("config", "--get", key, check=False)
        value = ran.out.decode("utf-8", "replace").strip()
        return value or None

    def branch(self) -> str | None:
        ran = self.git("symbolic-ref", "-q", "--short", "HEAD", check=False)
        return ran.out.decode("utf-8", "replace").strip() or None

    def has_commits(self) -> bool:
        return self.git("rev-parse", "-q", "--verify", "HEAD^{commit}", check=False).code == 0

    def busy(self) -> str | None:
        """Why the repository cannot take a saved change now (a technician's unfinished
        work), or None."""
        git_dir = Path(self.text("rev-parse", "--absolute-git-dir").strip())
        for name, what in (("MERGE_HEAD", "合并"), ("REVERT_HEAD", "撤销"),
                           ("CHERRY_PICK_HEAD", "挑选"), ("rebase-merge", "变基"),
                           ("rebase-apply", "变基")):
            if (git_dir / name).exists():
                return (f"版本库中有一项技术人员尚未完成的操作（{what}），现在不能保存或撤销。"
                        "请技术人员先完成或取消它。")
        if self.has_commits() and self.branch() is None:
            return ("版本库当前停在一个旧的版本上（技术人员称为 detached HEAD），现在不能保存或撤销。"
                    "请技术人员处理。")
        return None

    def changes(self) -> list[Change]:
        """The data folder's changes not yet saved (index and work tree together)."""
        out = self.git("status", "--porcelain=v1", "-z", "--untracked-files=all",
                       "--no-renames", "--", ".").out
        found: dict[str, str] = {}
        for entry in out.decode("utf-8", "replace").split("\0"):
            if len(entry) < 4:
                continue
            code, path = entry[:2], entry[3:]
            if not path.startswith(self.prefix):
                continue
            state = "新增" if code == "??" or code[0] == "A" else "删除" if "D" in code else "修改"
            found[path[len(self.prefix):]] = state
        return [Change(state, path) for path, state in sorted(found.items())]

    def remote(self) -> tuple[str, str] | None:
        """(remote, branch on it) that saved changes go to: the branch's upstream, else the
        only remote (or ``origin``) under the same branch name; None without a remote."""
        branch = self.branch()
        if branch is None:
            return None
        upstream_remote = self.config(f"branch.{branch}.remote")
        merge = self.config(f"branch.{branch}.merge")
        if upstream_remote and upstream_remote != "." and merge:
            return upstream_remote, merge.removeprefix("refs/heads/")
        remotes = self.text("remote").split()
        if not remotes:
            return None
        name = "origin" if "origin" in remotes else remotes[0] if len(remotes) == 1 else None
        return (name, branch) if name else None

    def not_uploaded(self) -> set[str]:
        """Commits of HEAD that no remote-tracking branch has (all of them when the
        repository has no remote)."""
        if not self.has_commits():
            return set()
        out = self.text("rev-list", "HEAD", "--not", "--remotes")
        return set(out.split())

    def status(self) -> Status:
        if not self.has_commits():
            author = self.config("user.name")
            return Status(self.changes(), author, None, 0, self.busy())
        target = self.remote()
        ahead = len(self.not_uploaded()) if target else 0
        return Status(self.changes(), self.config("user.name"),
                      target[0] if target else None, ahead, self.busy())

    # ---------------------------------------------------------------- saving
    def _identity(self, name: str | None) -> dict[str, str]:
        """The author (and, when git has none configured, the committer) of a save: the name
        the clerk typed, or git's configured one; an empty e-mail when none is set."""
        env: dict[str, str] = {}
        configured = self.config("user.name")
        chosen = (name or "").strip() or configured
        if not chosen:
            raise RepositoryRefused("请填写您的姓名：它会记在历史记录中，说明这次修改是谁保存的。", 422)
        if character_problem(chosen) or "\n" in chosen or len(chosen) > 60:
            raise RepositoryRefused("姓名中有不能使用的字符或太长（最多 60 字），请重新填写。", 422)
        env["GIT_AUTHOR_NAME"] = chosen
        if not configured:
            env["GIT_COMMITTER_NAME"] = chosen
        if not self.config("user.email"):
            env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = ""
        return env

    def save(self, message: object, name: str | None = None) -> SaveResult:
        """Save every change of the data folder as one saved change with ``message``, then
        upload it when there is a server."""
        text = check_message(message)
        busy = self.busy()
        if busy:
            raise RepositoryRefused(busy)
        if not self.changes():
            raise RepositoryRefused("数据没有需要保存的修改：上次保存之后没有改动过。", 409)
        env = self._identity(name)
        self.git("add", "-A", "--", ".")
        ran = self.git("commit", "-q", "-m", text, "--", ".", env=env, check=False)
        if ran.code != 0:
            # The project's check before saving (a commit hook) may refuse invalid data.
            self.git("reset", "-q", "--", ".", check=False)
            raise RepositoryRefused(_commit_failure(ran.err), 409)
        commit = self.text("rev-parse", "HEAD").strip()
        return self._upload_after(commit, text)

    def _upload_after(self, commit: str, text: str) -> SaveResult:
        target = self.remote()
        if target is None:
            return SaveResult(commit, text)
        problem = self._push(target)
        return SaveResult(commit, text, uploaded=problem is None, upload_problem=problem,
                          remote=target[0])

    def _push(self, target: tuple[str, str]) -> str | None:
        remote, branch = target
        try:
            ran = self.git("push", "-q", "--porcelain", remote, f"HEAD:refs/heads/{branch}",
                           timeout=PUSH_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return upload_problem("timed out")
        if ran.code != 0:
            return upload_problem(ran.err + ran.out.decode("utf-8", "replace"))
        return None

    def upload(self) -> SaveResult:
        """Upload saved changes the server does not have yet."""
        target = self.remote()
        if target is None:
            raise RepositoryRefused("版本库没有设置服务器，保存的修改只在这台电脑上。"
                                    "需要上传时请技术人员设置（见编辑指南“给技术人员”）。", 409)
        busy = self.busy()
        if busy:
            raise RepositoryRefused(busy)
        if not self.not_uploaded():
            raise RepositoryRefused("没有需要上传的修改：服务器上已经有全部保存的修改。", 409)
        commit = self.text("rev-parse", "HEAD").strip()
        problem = self._push(target)
        return SaveResult(commit, "", uploaded=problem is None, upload_problem=problem,
                          remote=target[0])

    # ---------------------------------------------------------------- the history
    def history(self, limit: int = HISTORY_LIMIT) -> list[Saved]:
        if not self.has_commits():
            return []
        out = self.git("log", f"-n{limit}", "-z", "--full-diff", "--name-status",
                       "--no-renames", "--format=%x1e%H%x1f%P%x1f%an%x1f%ad%x1f%B%x1f",
                       "--date=format:%Y-%m-%d %H:%M", "--", ".").out.decode("utf-8", "replace")
        local = self.not_uploaded() if self.remote() else set()
        entries: list[tuple[str, list[str], str, str, str, list[tuple[str, str]]]] = []
        for chunk in out.split("\x1e")[1:]:
            head, _sep, names = chunk.rpartition("\x1f")
            sha, parent_list, who, when, message = head.split("\x1f", 4)
            entries.append((sha, parent_list.split(), who, when, message.strip(),
                            _name_status(names)))
        undone: dict[str, str] = {}
        for sha, _parents, _who, _when, message, _files in entries:
            for target in _UNDO_RE.findall(message):
                undone.setdefault(target, sha)
        result = []
        for commit, parents, author, date, body, files in entries:
            mine = [Change(s, p[len(self.prefix):]) for s, p in files if p.startswith(self.prefix)]
            undoes = _UNDO_RE.search(body)
            refusal = None
            if commit in undone:
                refusal = "这次保存已经撤销过了。"
            elif len(parents) != 1:
                refusal = ("这是最早的一次保存（建立数据时），不能撤销。" if not parents
                           else "这是技术人员合并的修改，不能在这里撤销，请联系技术人员。")
            elif len(mine) != len(files):
                refusal = "这次保存还改动了数据文件夹以外的文件（技术人员的修改），不能在这里撤销。"
            result.append(Saved(commit, date, author, body.splitlines()[0] if body else "",
                                mine, commit not in local, undoes[1] if undoes else None,
                                undone.get(commit), refusal))
        return result

    def undo(self, commit: str, name: str | None = None,
             check: Callable[[], list[str]] | None = None) -> SaveResult:
        """A new saved change that undoes ``commit`` (one of :meth:`history`'s), uploaded
        like a save. Refused when the data folder has unsaved changes, when anything else
        is half-saved in the repository, when a later change touched the same lines (the
        files are left exactly as they were), or when ``check`` finds errors in the data
        the undo would leave (its Chinese problems)."""
        if not isinstance(commit, str) or not re.fullmatch(r"[0-9a-f]{40}", commit):
            raise RepositoryRefused("请从历史记录中选择要撤销的一次保存。", 422)
        entry = next((s for s in self.history(HISTORY_LIMIT * 4) if s.commit == commit), None)
        if entry is None:
            raise RepositoryRefused("历史记录中没有这次保存（可能已被技术人员移除），请刷新页面。", 404)
        if entry.undo_refusal:
            raise RepositoryRefused(entry.undo_refusal, 409)
        busy = self.busy()
        if busy:
            raise RepositoryRefused(busy)
        if self.changes():
            raise RepositoryRefused("数据还有没有保存到版本库的修改。请先保存（或放弃）这些修改，再撤销。", 409)
        if self.git("diff", "--cached", "--quiet", check=False).code != 0:
            raise RepositoryRefused("版本库中有技术人员准备保存、尚未保存的其他修改，现在不能撤销。"
                                    "请技术人员先处理。", 409)
        env = self._identity(name)
        ran = self.git("revert", "--no-commit", commit, check=False)
        if ran.code != 0:
            self._abandon_undo()
            names = "、".join(c.path for c in entry.files[:5])
            raise RepositoryRefused(
                f"不能自动撤销“{entry.message}”：这次保存之后，同样的地方（{names}）又被修改过，"
                "撤销会和后来的修改冲突。数据没有任何改动。请在表单中手工改回，或联系技术人员。", 409)
        problems = check() if check is not None else []
        if problems:
            self._abandon_undo()
            raise RepositoryRefused(
                f"撤销“{entry.message}”后数据会有错误（{problems[0]}），所以没有撤销，数据没有任何改动。"
                "请先改正相关记录，或联系技术人员。", 409)
        text = f"撤销：{entry.message}"[:MAX_MESSAGE]
        body = f"{text}\n\n撤销 {entry.date} {entry.author} 保存的修改。\n{UNDO_TRAILER}{commit}."
        done = self.git("commit", "-q", "-m", body, env=env, check=False)
        if done.code != 0:
            self._abandon_undo()
            raise RepositoryRefused(_commit_failure(done.err), 409)
        new = self.text("rev-parse", "HEAD").strip()
        return self._upload_after(new, text)

    def _abandon_undo(self) -> None:
        """Put the data folder back as it was before a failed undo."""
        if self.git("revert", "--abort", check=False).code != 0:
            self.git("reset", "-q", "--merge", check=False)


def _run(cwd: Path, args: Sequence[str], *, env: dict[str, str] | None = None,
         timeout: float = 60.0) -> Ran:
    try:
        result = subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=cwd,
                                capture_output=True, env=_env(env), timeout=timeout,
                                stdin=subprocess.DEVNULL, check=False,
                                # no terminal to ask on: ssh and credential prompts fail at once
                                start_new_session=True)
    except OSError as exc:
        return Ran(127, b"", exc.strerror or str(exc))
    return Ran(result.returncode, result.stdout, result.stderr.decode("utf-8", "replace"))


def _name_status(text: str) -> list[tuple[str, str]]:
    parts = [p for p in text.strip("\n\0").split("\0")]
    out: list[tuple[str, str]] = []
    i = 0
    while i + 1 < len(parts):
        code = parts[i].strip()
        if not code:
            i += 1
            continue
        state = {"A": "新增", "D": "删除"}.get(code[0], "修改")
        out.append((state, parts[i + 1]))
        i += 2
    return out


def check_message(message: object) -> str:
    """The clerk's description of a save: one to 200 characters of ordinary text."""
    if not isinstance(message, str) or not message.strip():
        raise RepositoryRefused("请写一句说明，告诉以后看记录的人这次改了什么，例如“录入 2026 年度考评结果”。", 422)
    text = message.strip()
    if len(text) > MAX_MESSAGE:
        raise RepositoryRefused(f"说明太长（{len(text)} 字），请写在 {MAX_MESSAGE} 字以内。", 422)
    if character_problem(text):
        raise RepositoryRefused("说明中有不能使用的特殊字符，请重新输入。", 422)
    return text


def _explain(err: str) -> str:
    low = err.lower()
    if "index.lock" in low or ("unable to create" in low and ".lock" in low):
        return "另一个保存或撤销正在进行（可能在另一个预览窗口中），请稍等片刻再试。"
    return ("版本库操作没有完成（" + (err.strip().splitlines() or ["原因不明"])[-1][:200]
            + "）。数据文件没有丢失。请把这条信息告诉技术人员。")


def _commit_failure(err: str) -> str:
    if "index.lock" in err:
        return _explain(err)
    return ("保存到版本库前的检查没有通过，没有保存。数据文件没有丢失。"
            "请先在“检查数据”中看看有没有错误；仍然不行时请把这条信息告诉技术人员：\n"
            + "\n".join(err.strip().splitlines()[-5:]))


def upload_problem(err: str) -> str:
    """Why uploading failed, in Chinese; the saved change itself is kept."""
    low = err.lower()
    kept = "修改已经保存在这台电脑的版本库中，没有丢失。"
    if any(s in low for s in ("[rejected]", "non-fast-forward", "fetch first", "rejected")):
        return (f"服务器上已经有别人新保存的修改，这次没有上传。{kept}"
                "请联系技术人员把两边的修改合到一起，再点“上传到服务器”。")
    if any(s in low for s in ("authentication", "could not read username", "could not read password",
                              "permission denied", "access denied", "403", "401",
                              "terminal prompts disabled", "host key verification",
                              "invalid username or password", "unauthorized")):
        return (f"服务器拒绝了这台电脑（账号或密码不对，或没有上传的权限），这次没有上传。{kept}"
                "请联系技术人员设置账号，然后点“上传到服务器”。")
    if any(s in low for s in ("could not resolve", "failed to connect", "connection refused",
                              "timed out", "network is unreachable", "no route to host",
                              "unable to access", "connection reset", "could not connect")):
        return (f"连不上服务器（网络不通或服务器没有开），这次没有上传。{kept}"
                "网络恢复后点“上传到服务器”即可。")
    if "does not appear to be a git repository" in low or "not found" in low \
            or "does not exist" in low:
        return (f"找不到服务器上的版本库（地址可能写错了），这次没有上传。{kept}"
                "请联系技术人员检查服务器地址。")
    last = (err.strip().splitlines() or ["原因不明"])[-1][:200]
    return f"上传到服务器没有成功（{last}）。{kept}请把这条信息告诉技术人员。"
