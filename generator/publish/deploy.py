"""``showcase deploy``: publish a built site as a release and switch to it atomically.

    TARGET/
      .showcase-generated        marker: made by showcase deploy, audience, history
      releases/<release id>/     one built site each (2026-11-28-3f2a9c1b4d5e)
      current -> releases/<id>   what the web server serves (nginx root TARGET/current)

A release is copied into ``releases/.partial-<id>-<pid>/`` first and renamed when complete;
``current`` is then replaced by one rename of a new symbolic link, so a reader sees the old
site or the new one, never a mixture, and a deploy killed at any moment leaves the old
``current`` in place (the next deploy removes the partial copy). Files equal to the current
release's are hard links to it, so a release costs only what changed.

The marker's ``history`` lists releases in the order they became current (the last is
current); ``--rollback`` switches to the one before and drops the rolled-back one from the
history. Only releases listed in the marker's ``releases`` (made here) are ever removed.
TARGET is a local or mounted folder (:class:`LocalTarget`) or ``[user@]host:/path``, reached
with rsync over ssh (:class:`RemoteTarget`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..base.outputs import (
    MARKER,
    OutputFailed,
    UnsafeOutput,
    guard,
    maker_of,
    os_failure,
    pid_alive,
    replace_file,
)
from .builtsite import BuiltSite, open_site, release_id, site_files

MAKER = "showcase deploy"
CURRENT = "current"
RELEASES = "releases"
LOCK = ".showcase-deploy.lock"
PARTIAL = ".partial-"
DEFAULT_KEEP = 5
_RELEASE = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|undated)-[0-9a-f]{12}$")


class DeployFailed(Exception):
    """The deploy could not finish (Chinese message); ``current`` is unchanged."""


class DeployRefused(Exception):
    """The target must not be written (Chinese message); nothing was touched."""


@dataclass
class TargetState:
    """What a target holds, read before anything is changed."""

    exists: bool = False
    foreign: list[str] = field(default_factory=list)  # entries that are not ours
    maker: str | None = None       # the marker's generated_by; None without a marker
    audience: str | None = None
    history: list[str] = field(default_factory=list)
    made: list[str] = field(default_factory=list)
    current: str | None = None     # the release ``current`` points at
    current_broken: bool = False   # ``current`` exists but is not a link into releases/
    releases: list[str] = field(default_factory=list)

    def marker(self) -> dict[str, object]:
        return {"generated_by": MAKER, "audience": self.audience, "history": self.history,
                "releases": self.made}

    def read_marker(self, text: str | None) -> None:
        if text is None:
            return
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if not isinstance(loaded, dict):
            self.maker = ""
            return
        maker = loaded.get("generated_by")
        self.maker = maker if isinstance(maker, str) else ""
        audience = loaded.get("audience")
        self.audience = audience if isinstance(audience, str) else None
        for key, into in (("history", self.history), ("releases", self.made)):
            values = loaded.get(key)
            if isinstance(values, list):
                into.extend(v for v in values if isinstance(v, str) and _RELEASE.match(v))

    def read_current(self, link: str | None) -> None:
        if link is None:
            return
        name = link.rstrip("/").removeprefix(f"{RELEASES}/")
        if _RELEASE.match(name) and link.startswith(f"{RELEASES}/"):
            self.current = name
        else:
            self.current_broken = True

    def active_history(self) -> list[str]:
        """The history as it stands on disk: releases that still exist, current last."""
        history = [h for h in self.history if h in self.releases]
        if self.current and (not history or history[-1] != self.current):
            history = [h for h in history if h != self.current] + [self.current]
        return history


class Target(Protocol):
    shown: str

    def state(self) -> TargetState: ...
    def lock(self) -> contextlib.AbstractContextManager[None]: ...
    def prepare(self) -> None: ...
    def upload(self, site: Path, files: list[str], release: str, like: str | None) -> None: ...
    def switch(self, release: str) -> None: ...
    def remove(self, release: str) -> None: ...
    def write_marker(self, marker: dict[str, object]) -> None: ...


# ---------------------------------------------------------------- local or mounted folder

def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                block = fa.read(1 << 20)
                if block != fb.read(1 << 20):
                    return False
                if not block:
                    return True
    except OSError:
        return False


def lock_owner() -> str:
    return f"{socket.gethostname()} {os.getpid()}"


def stale_lock(owner: str) -> bool:
    """Whether a lock was left by a process of this machine that is gone."""
    host, _, pid = owner.strip().rpartition(" ")
    return host == socket.gethostname() and pid.isdigit() and not pid_alive(int(pid))


class LocalTarget:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = str(path)

    def state(self) -> TargetState:
        st = TargetState()
        root = self.path
        if root.is_symlink() or (root.exists() and not root.is_dir()):
            st.exists = True
            st.foreign = [root.name]
            return st
        if not root.is_dir():
            return st
        st.exists = True
        expected = {MARKER, CURRENT, RELEASES, LOCK}
        st.foreign = sorted(e.name for e in root.iterdir() if e.name not in expected)
        if (root / MARKER).is_file():
            st.read_marker((root / MARKER).read_text(encoding="utf-8", errors="replace"))
        current = root / CURRENT
        if current.is_symlink():
            st.read_current(os.readlink(current))
        elif current.exists():
            st.current_broken = True
        releases = root / RELEASES
        if releases.is_dir() and not releases.is_symlink():
            st.releases = sorted(e.name for e in releases.iterdir()
                                 if e.is_dir() and not e.is_symlink())
        elif releases.exists():
            st.foreign.append(RELEASES)
        return st

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        lock = self.path / LOCK
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            for _attempt in range(2):
                try:
                    lock.mkdir()
                    break
                except FileExistsError:
                    owner = (lock / "owner").read_text(encoding="utf-8") if (lock / "owner").is_file() else ""
                    if not stale_lock(owner):
                        raise DeployRefused(
                            f"{self.shown} 上另一个发布正在进行（{owner.strip() or '来源不明'}）。请等它结束后再试；"
                            f"如果确认没有发布在进行，请删除 {lock} 后重试。") from None
                    shutil.rmtree(lock, ignore_errors=True)
            (lock / "owner").write_text(lock_owner(), encoding="utf-8")
        except OSError as exc:
            raise os_failure(exc, self.path) from None
        try:
            yield
        finally:
            shutil.rmtree(lock, ignore_errors=True)

    def prepare(self) -> None:
        releases = self.path / RELEASES
        releases.mkdir(mode=0o755, exist_ok=True)
        for entry in releases.iterdir():  # copies left by a deploy that was killed
            if entry.name.startswith(PARTIAL) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
        for entry in self.path.glob(f".{CURRENT}-*"):  # a link not yet renamed into place
            if entry.is_symlink():
                entry.unlink()

    def upload(self, site: Path, files: list[str], release: str, like: str | None) -> None:
        releases = self.path / RELEASES
        partial = releases / f"{PARTIAL}{release}-{os.getpid()}"
        previous = releases / like if like else None
        partial.mkdir(mode=0o755)
        made_dirs = {partial}
        for rel in files:
            source, target = site / rel, partial / rel
            if target.parent not in made_dirs:
                target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
                made_dirs.add(target.parent)
            old = previous / rel if previous is not None else None
            if old is not None and old.is_file() and not old.is_symlink() and _same_file(source, old):
                try:
                    os.link(old, target)
                    continue
                except OSError:
                    pass  # a file system without hard links: copy
            shutil.copyfile(source, target)
            os.chmod(target, 0o644)
        partial.rename(releases / release)

    def switch(self, release: str) -> None:
        link = self.path / f".{CURRENT}-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        os.symlink(f"{RELEASES}/{release}", link, target_is_directory=True)
        os.replace(link, self.path / CURRENT)  # one rename: readers see the old or the new

    def remove(self, release: str) -> None:
        folder = self.path / RELEASES / release
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)

    def write_marker(self, marker: dict[str, object]) -> None:
        try:
            replace_file(self.path / MARKER,
                         (json.dumps(marker, ensure_ascii=False) + "\n").encode("utf-8"))
        except OutputFailed as exc:
            raise DeployFailed(str(exc)) from None


# ---------------------------------------------------------------- a server, through rsync and ssh

# Each step on the server is one small POSIX sh script, run through ssh with its arguments
# quoted ("sh -c SCRIPT sh ARG…"); only GNU ``mv -T`` is asked of the server beyond POSIX.
_STATE = r"""t=$1
if [ -L "$t" ] || { [ -e "$t" ] && [ ! -d "$t" ]; }; then echo @notdir; exit 0; fi
if [ ! -d "$t" ]; then echo @absent; exit 0; fi
echo @entries; ls -1A "$t"
echo @marker; if [ -f "$t/.showcase-generated" ]; then cat "$t/.showcase-generated"; echo; echo @hasmarker; fi
echo @current; if [ -L "$t/current" ]; then readlink "$t/current"; elif [ -e "$t/current" ]; then echo @notlink; fi
echo @releases
if [ -d "$t/releases" ] && [ ! -L "$t/releases" ]; then
  for d in "$t/releases"/*/; do [ -d "$d" ] && [ ! -L "${d%/}" ] && basename "$d"; done
fi
echo @end"""
_LOCK = r"""mkdir -p "$1" || exit 3
if mkdir "$1/.showcase-deploy.lock" 2>/dev/null; then
  printf '%s\n' "$2" > "$1/.showcase-deploy.lock/owner"; echo @locked
else
  echo @busy; cat "$1/.showcase-deploy.lock/owner" 2>/dev/null
fi"""
_UNLOCK = r"""rm -rf -- "$1/.showcase-deploy.lock" """
_PREPARE = r"""mkdir -p "$1/releases" && chmod 755 "$1/releases" || exit 3
rm -rf -- "$1/releases"/.partial-*
for l in "$1"/.current-*; do if [ -L "$l" ]; then rm -f -- "$l"; fi; done"""
_FINISH = r"""mv -T -- "$1/releases/$2" "$1/releases/$3" """
_SWITCH = r"""ln -s "releases/$2" "$1/.current-$$" && mv -Tf -- "$1/.current-$$" "$1/current" """
_REMOVE = r"""if [ -d "$1/releases/$2" ] && [ ! -L "$1/releases/$2" ]; then rm -rf -- "$1/releases/$2"; fi"""
_WRITE = r"""cat > "$1/.showcase-generated.tmp" && mv -f -- "$1/.showcase-generated.tmp" "$1/.showcase-generated" """
# Remote paths: absolute, and nothing a shell or rsync would read as syntax.
_REMOTE_PATH = re.compile(r"^/[^\s'\"\\$`;&|<>*?!(){}\[\]#~]*$")


class RemoteTarget:
    def __init__(self, spec: str, *, ssh: str = "ssh", bwlimit: int | None = None) -> None:
        match = _REMOTE.match(spec)
        assert match is not None
        self.host, self.path = match["host"], match["path"].rstrip("/") or "/"
        self.shown = spec
        self.ssh = shlex.split(ssh)
        self.bwlimit = bwlimit
        if not _REMOTE_PATH.match(self.path) or self.path == "/" or \
                any(part in (".", "..") for part in self.path.split("/")):
            raise DeployRefused(f"目标 {spec} 中服务器上的路径要写成绝对路径（以 / 开头，不是根目录 /），"
                                "且不含空格、引号和 $、*、? 等符号，例如 deploy@www.example.gov.cn:/srv/showcase。")

    def _run(self, script: str, *args: str, stdin: str | None = None) -> str:
        command = " ".join(["sh", "-c", shlex.quote(script), "sh", *map(shlex.quote, args)])
        try:
            done = subprocess.run([*self.ssh, self.host, command], input=stdin, text=True,
                                  capture_output=True, timeout=600, check=False)
        except FileNotFoundError:
            raise DeployFailed(f"找不到 ssh 命令（{self.ssh[0]}）。请安装 OpenSSH 客户端："
                               "sudo apt-get install openssh-client") from None
        except subprocess.TimeoutExpired:
            raise DeployFailed(f"连接 {self.host} 超时（10 分钟没有完成）。请检查网络后重试。") from None
        if done.returncode != 0:
            detail = done.stderr.strip().splitlines()[-1:] or [f"退出码 {done.returncode}"]
            raise DeployFailed(f"在服务器 {self.host} 上执行发布步骤失败：{detail[0]}。"
                               "请检查主机名、用户名、ssh 密钥和目标文件夹的写入权限；网站当前版本没有改变。")
        return done.stdout

    def state(self) -> TargetState:
        out = self._run(_STATE, self.path)
        st = TargetState()
        if out.strip() == "@notdir":
            st.exists, st.foreign = True, [self.path]
            return st
        if out.strip() == "@absent":
            return st
        st.exists = True
        sections: dict[str, list[str]] = {}
        name = ""
        for line in out.splitlines():
            if line in ("@entries", "@marker", "@current", "@releases", "@end"):
                name = line
                sections[name] = []
            elif name:
                sections[name].append(line)
        expected = {MARKER, CURRENT, RELEASES, LOCK}
        st.foreign = sorted(e for e in sections.get("@entries", []) if e and e not in expected)
        marker_lines = sections.get("@marker", [])
        if "@hasmarker" in marker_lines:
            st.read_marker("\n".join(line for line in marker_lines if line != "@hasmarker"))
        current = [line for line in sections.get("@current", []) if line]
        if current == ["@notlink"]:
            st.current_broken = True
        elif current:
            st.read_current(current[0])
        st.releases = sorted(line for line in sections.get("@releases", []) if line)
        return st

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        for _attempt in range(2):
            out = self._run(_LOCK, self.path, lock_owner()).splitlines()
            if out[:1] == ["@locked"]:
                break
            owner = " ".join(out[1:2])
            if not stale_lock(owner):
                raise DeployRefused(
                    f"{self.shown} 上另一个发布正在进行（{owner or '来源不明'}）。请等它结束后再试；如果确认没有"
                    f"发布在进行，请在服务器上删除 {self.path}/{LOCK} 后重试。")
            self._run(_UNLOCK, self.path)
        try:
            yield
        finally:
            with contextlib.suppress(DeployFailed):
                self._run(_UNLOCK, self.path)

    def prepare(self) -> None:
        self._run(_PREPARE, self.path)

    def upload(self, site: Path, files: list[str], release: str, like: str | None) -> None:
        partial = f"{PARTIAL}{release}-{os.getpid()}"
        # -c: files equal (by content; times are not kept) to the current release's become
        # hard links to them, keeping their time too (the same ETag for nginx).
        command = ["rsync", "-rpc", "--chmod=D755,F644", "-e", shlex.join(self.ssh)]
        if like:  # absolute: Debian 12's rsync 3.2.7 (its CVE fixes) discards files linked
            # against a relative basis ("failed verification", RsyncProject/rsync#715, #928)
            command.append(f"--link-dest={self.path}/{RELEASES}/{like}")
        if self.bwlimit:
            command.append(f"--bwlimit={self.bwlimit}")
        command += [f"{site}/", f"{self.host}:{self.path}/{RELEASES}/{partial}/"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise DeployFailed("找不到 rsync 命令。请安装：sudo apt-get install rsync"
                               "（服务器上也需要安装 rsync）。") from None
        if done.returncode != 0:
            # rsync's last line is its summary ("some files … not transferred (see previous
            # errors)"); the first line that names a file or a cause says what went wrong.
            lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
            causes = [line for line in lines if not line.startswith("rsync error:")]
            detail = "；".join(dict.fromkeys(causes[:1] + lines[-1:])) or f"退出码 {done.returncode}"
            raise DeployFailed(f"上传到 {self.host} 失败：{detail}。网站当前版本没有改变；"
                               "请检查网络、服务器上的 rsync 和磁盘空间后重试。")
        self._run(_FINISH, self.path, partial, release)

    def switch(self, release: str) -> None:
        self._run(_SWITCH, self.path, release)

    def remove(self, release: str) -> None:
        self._run(_REMOVE, self.path, release)

    def write_marker(self, marker: dict[str, object]) -> None:
        self._run(_WRITE, self.path, stdin=json.dumps(marker, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- the deploy itself

@dataclass(frozen=True)
class DeployResult:
    release: str
    previous: str | None
    uploaded: bool              # False when the release was there already
    removed: list[str]


def _check(target: Target, st: TargetState, site: BuiltSite | None) -> None:
    if st.maker is not None and st.maker != MAKER:
        what = f"由 {st.maker} 生成的文件夹" if st.maker else "标记无法识别的文件夹"
        raise DeployRefused(f"不能发布到 {target.shown}：这是{what}，不是 showcase deploy 的发布目录。"
                            "为避免覆盖或删除文件，没有改动任何内容。请换一个目标文件夹。")
    if st.maker is None and (st.foreign or st.current or st.current_broken or st.releases):
        listed = "、".join(st.foreign[:3] or [CURRENT if st.current or st.current_broken else RELEASES])
        raise DeployRefused(f"不能发布到 {target.shown}：这个文件夹不是空的（有 {listed} 等），"
                            "也不是 showcase deploy 用过的发布目录。为避免覆盖或删除文件，没有改动任何内容。"
                            "请换一个新的或空的目标文件夹。")
    if st.current_broken:
        raise DeployRefused(f"不能发布到 {target.shown}：其中的 {CURRENT} 不是指向 {RELEASES}/ 中某个版本的链接，"
                            "可能被手工改动过。请检查后再试；没有改动任何内容。")
    if site is not None and st.audience and st.audience != site.audience:
        label = {"public": "公开版", "internal": "内部版"}
        raise DeployRefused(
            f"不能发布到 {target.shown}：这里发布的是{label.get(st.audience, st.audience)}，"
            f"现在要发布的是{label.get(site.audience, site.audience)}。公开版和内部版必须发布到不同的目录"
            "（内部版只能放在需要身份验证的服务器上）。没有改动任何内容。")


def _prune(target: Target, st: TargetState, keep: int) -> list[str]:
    """Remove the releases we made beyond the ``keep`` most recently current ones."""
    wanted = set(st.history[-keep:]) | ({st.current} if st.current else set())
    removed = []
    for release in list(st.made):
        if release in wanted:
            continue
        if release in st.releases:
            target.remove(release)
            removed.append(release)
        st.made.remove(release)
    st.history = [h for h in st.history if h in wanted]
    return removed


def deploy(site_dir: Path, target: Target, *, keep: int = DEFAULT_KEEP) -> DeployResult:
    """Publish the built site in ``site_dir`` to ``target`` and make it current."""
    if keep < 1:
        raise DeployRefused("--keep 至少为 1（保留当前版本）；要能回退，至少为 2。")
    site = open_site(site_dir)
    files = site_files(site.root)
    release = release_id(site, files)
    _check(target, target.state(), site)  # before the lock: a refusal touches nothing
    with target.lock():
        st = target.state()
        _check(target, st, site)
        previous = st.current
        st.audience = site.audience
        st.history = st.active_history()
        target.prepare()
        uploaded = release not in st.releases
        if not uploaded and release not in st.made:
            raise DeployRefused(f"不能发布到 {target.shown}：{RELEASES}/{release} 已存在，但不是 showcase deploy "
                                "发布的。没有改动任何内容。")
        if release not in st.made:
            st.made.append(release)
        target.write_marker(st.marker())  # before copying: a killed copy is ours to remove
        if uploaded:
            target.upload(site.root, files, release, like=previous)
            st.releases.append(release)
        target.switch(release)
        st.current = release
        st.history = [h for h in st.history if h != release] + [release]
        removed = _prune(target, st, keep)
        target.write_marker(st.marker())
    return DeployResult(release, previous, uploaded, removed)


def rollback(target: Target) -> DeployResult:
    """Make the release that was current before the present one current again."""
    def check(st: TargetState) -> None:
        _check(target, st, None)
        if st.maker is None or not st.current:
            raise DeployRefused(f"{target.shown} 还没有发布过网站，无法回退。")

    check(target.state())
    with target.lock():
        st = target.state()
        check(st)
        history = st.active_history()
        if len(history) < 2:
            raise DeployRefused(f"{target.shown} 没有可以回退到的更早版本（当前版本 {st.current} 之前的版本"
                                "已回退过或已按 --keep 删除）。发布时 --keep 至少为 2 才能回退。")
        previous = history[-2]
        target.switch(previous)
        st.current = previous
        st.history = history[:-1]
        target.write_marker(st.marker())
    return DeployResult(previous, history[-1], False, [])


# ---------------------------------------------------------------- choosing the transport

_REMOTE = re.compile(r"^(?P<host>(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9._-]{2,}|\[[0-9a-fA-F:]+\]):(?P<path>.*)$")


def is_remote(spec: str) -> bool:
    """``[user@]host:/path`` (rsync's rule: a colon before any slash), not ``C:\\x``."""
    return bool(_REMOTE.match(spec)) and "/" not in spec.split(":", 1)[0]


def is_deploy_target(folder: Path) -> bool:
    return maker_of(folder) == MAKER


def local_target(spec: str, *, site: Path, project_root: Path | None) -> LocalTarget:
    """A local target, after the output guard: never home, root, a git work tree, the
    project, or a folder another command made."""
    try:
        path = guard(spec, data_dir=None, project_root=project_root, made_by=MAKER)
    except UnsafeOutput as exc:
        raise DeployRefused(str(exc)) from None
    site_path = site.resolve()
    if path == site_path or site_path in path.parents or path in site_path.parents:
        raise DeployRefused(f"不能发布到 {spec}：目标文件夹和网站文件夹 {site} 互相包含。请换一个目标文件夹。")
    return LocalTarget(Path(spec))
