"""Where a command may write, and writing there all at once.

Every command that writes (``build``, ``generate``, ``compile``, ``export``, ``schema``)
first asks :func:`guard` whether its output path is safe: never the data folder or anything
around it, never a project or git work tree, the home folder or the filesystem root, and
never a folder or file that showcase did not make (a ``.showcase-generated`` marker in the
folder, a custom property in a workbook). Refusals are :class:`UnsafeOutput` (exit 2,
nothing touched); failures while writing are :class:`OutputFailed` (Chinese, no traceback).

Folders are built in a private staging folder beside the target and swapped in by
renaming (:func:`staged_dir`); single files are written beside the target and renamed over
it (:func:`replace_file`). Staging folders that a killed run left behind are removed by the
next run.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

MARKER = ".showcase-generated"
# A workbook made by showcase carries this custom document property.
WORKBOOK_PROPERTY = "showcase-generated"
# A text file showcase wrote has "<FILE_TAG> <command>" in its first line; a zip archive has
# it as the archive's comment.
FILE_TAG = "showcase-generated:"
WORKBOOK_MAKER = "showcase export"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:building|old|project)-(?P<pid>\d+)$")


class UnsafeOutput(Exception):
    """The output path must not be written (Chinese message naming the path and why)."""


class OutputFailed(Exception):
    """Writing the output failed (Chinese message); what was there before is unchanged."""


def _shown(path: Path) -> str:
    return str(path)


def os_reason(exc: OSError) -> str:
    """Why an ``OSError`` happened, in Chinese."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "没有写入权限"
    if exc.errno == errno.EROFS:
        return "所在磁盘是只读的"
    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足"
    if exc.errno == errno.ENAMETOOLONG:
        return "路径太长"
    known = {errno.EISDIR: "这是一个文件夹", errno.ENOENT: "文件或文件夹不存在",
             errno.ENOTDIR: "路径中有一部分不是文件夹", errno.EIO: "磁盘读写出错",
             errno.EEXIST: "已经存在", errno.EMFILE: "同时打开的文件太多",
             errno.EDQUOT: "超出磁盘配额", errno.EBUSY: "文件正被其他程序使用",
             errno.EADDRINUSE: "端口已被占用", errno.EADDRNOTAVAIL: "本机没有这个地址"}
    if exc.errno in known:
        return known[exc.errno]
    if exc.errno is not None:
        return f"系统错误 {errno.errorcode.get(exc.errno, exc.errno)}"
    return type(exc).__name__


def os_failure(exc: OSError, path: Path | str, doing: str = "写入") -> OutputFailed:
    """A Chinese :class:`OutputFailed` for an ``OSError`` while writing ``path``."""
    return OutputFailed(f"无法{doing} {path}（{os_reason(exc)}）。请换一个可以写入的输出位置，"
                        "或检查该文件夹的权限。")


def maker_of(folder: Path) -> str | None:
    """The command a folder's marker names (``"showcase build"`` …); ``None`` without a
    marker, ``""`` when the marker names no command."""
    marker = folder / MARKER
    if not marker.is_file() or marker.is_symlink():
        return None
    try:
        if marker.stat().st_size > 100_000:
            return ""
        loaded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    maker = loaded.get("generated_by") if isinstance(loaded, dict) else None
    return maker if isinstance(maker, str) else ""


def workbook_made_by_showcase(path: Path) -> bool:
    """Whether an existing .xlsx file carries showcase's custom document property."""
    try:
        with zipfile.ZipFile(path) as book:
            if "docProps/custom.xml" not in book.namelist():
                return False
            info = book.getinfo("docProps/custom.xml")
            if info.file_size > 1_000_000:
                return False
            return WORKBOOK_PROPERTY.encode() in book.read(info)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return False


def file_made_by(path: Path, made_by: str) -> bool:
    """Whether an existing file is an earlier output of the command ``made_by``: a text file
    whose first line, or a zip archive whose comment, says so."""
    tag = f"{FILE_TAG} {made_by}".encode()
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
            if head == b"PK\x03\x04":
                with zipfile.ZipFile(path) as archive:
                    return archive.comment == tag
            return tag in (head + handle.readline(996)).split(b"\n", 1)[0]
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def _holds_git(folder: Path, depth: int = 2) -> Path | None:
    """A ``.git`` in ``folder`` or its sub-folders down to ``depth`` levels, if there is one
    (where a published site's repository lives: its root, or a deploy folder in it)."""
    if (folder / ".git").exists():
        return folder / ".git"
    if depth > 0:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    found = _holds_git(Path(entry.path), depth - 1)
                    if found:
                        return found
    return None


def guard(out: Path | str, *, data_dir: Path | str | None, project_root: Path | str | None,
          made_by: str, kind: Literal["dir", "file"] = "dir", suffix: str = ".xlsx") -> Path:
    """Refuse an unsafe output path with :class:`UnsafeOutput`; return it resolved.

    ``kind="dir"``: the command ``made_by`` (as its marker says, e.g. ``"showcase build"``)
    replaces or fills the folder ``out`` — an existing folder only if that same command
    made it. ``kind="file"``: the command writes the single file ``out``, whose name must
    end in ``suffix`` (what is written is what the name says).
    """
    given = Path(out)
    target = Path(os.path.abspath(given)).resolve()
    shown = _shown(given)

    def refuse(why: str, fix: str = "请用 --out 指定一个新的或 showcase 生成过的文件夹，例如 site。") -> UnsafeOutput:
        return UnsafeOutput(f"不能写入 {shown}：{why}。为避免覆盖或删除文件，已停止，没有改动任何内容。{fix}")

    if target == Path(target.anchor):
        raise refuse("这是文件系统的根目录")
    home = Path(os.path.expanduser("~"))
    if home != Path("~"):
        home = Path(os.path.abspath(home)).resolve()
        if target == home or target in home.parents:
            raise refuse("这是用户主目录（或包含它）")
    if ".git" in target.parts:
        raise refuse("它在 git 仓库的内部数据文件夹（.git）中")
    if data_dir is not None:
        data = Path(os.path.abspath(data_dir)).resolve()
        if target == data or data in target.parents:
            raise refuse(f"它是数据目录 {data_dir}（或在其中）：输出会覆盖或混入数据文件")
        if target in data.parents:
            raise refuse(f"它包含数据目录 {data_dir}：替换它会删除数据文件")
    if project_root is not None:
        root = Path(os.path.abspath(project_root)).resolve()
        if target == root or target in root.parents:
            raise refuse("这是项目根目录（或包含它）")
    if kind == "dir" and (target / ".git").exists():
        raise refuse("这是一个 git 仓库（含 .git）")
    if kind == "dir":
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise refuse("它已存在，但不是文件夹")
        if target.is_dir() and any(target.iterdir()):
            maker = maker_of(target)
            if maker is None:
                raise refuse("这个文件夹不是空的，也不是 showcase 生成的（没有 .showcase-generated 标记）",
                             "请换一个输出文件夹，或确认其中内容不再需要后自行删除它。")
            if not maker:
                raise refuse("这个文件夹的 .showcase-generated 标记无法识别，不能确定是哪个命令生成的",
                             "请换一个输出文件夹，或确认其中内容不再需要后自行删除它。")
            if maker != made_by:
                # The marker records what made the folder: `build --out schemas` must not
                # replace the schemas `showcase schema` wrote (nor files added to them).
                raise refuse(f"这个文件夹是 {maker} 生成的，不是 {made_by} 的输出，替换它会删除其中的文件",
                             "请换一个输出文件夹，例如 site。")
            git = _holds_git(target)
            if git is not None:
                raise refuse(f"其中有 git 仓库（{git}），替换时会把它删除",
                             "请把 git 仓库移到别处，或换一个输出文件夹。")
    else:
        if target.is_dir():
            raise refuse("这是一个文件夹，这里需要写入一个文件名", "请写出文件名，例如 统计表.xlsx。")
        if given.suffix.lower() != suffix:
            raise refuse(f"文件名的扩展名不是 {suffix}，而写出的文件是 {suffix} 格式",
                         f"请把文件名写成以 {suffix} 结尾，例如 统计表{suffix}。")
        # Workbooks carry a property that names no command; only `export` writes them.
        if target.exists() and not (file_made_by(target, made_by) or (
                made_by == WORKBOOK_MAKER and workbook_made_by_showcase(target))):
            raise refuse("这个文件已存在，且不是 showcase 导出的",
                         "请换一个文件名，或确认不再需要后自行删除它。")
    return target


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (asked with signal 0: never signalled)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_leftovers(target: Path) -> list[Path]:
    """Staging and backup folders of ``target`` left by runs that were killed."""
    removed: list[Path] = []
    parent = target.parent
    if not parent.is_dir():
        return removed
    for entry in parent.iterdir():
        m = _LEFTOVER.match(entry.name)
        if m and m["name"] == target.name and not pid_alive(int(m["pid"])):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()
            removed.append(entry)
    return removed


def write_marker(folder: Path, made_by: str, extra: Mapping[str, object] | None = None) -> None:
    marker = {"generated_by": made_by, **(extra or {})}
    (folder / MARKER).write_text(json.dumps(marker, ensure_ascii=False) + "\n", encoding="utf-8")


def _public_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _fresh_private(beside: Path, kind: str) -> Path:
    """An empty private (0700) folder ``.<name>.<kind>-<pid>`` beside ``beside``, after
    removing what killed runs left there."""
    folder = beside.parent / f".{beside.name}.{kind}-{os.getpid()}"
    try:
        beside.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(beside)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(mode=0o700)
    except OSError as exc:
        raise os_failure(exc, beside.parent) from None
    return folder


@contextlib.contextmanager
def staged_dir(target: Path, made_by: str,
               marker: Mapping[str, object] | None = None) -> Iterator[Path]:
    """A private (0700) staging folder beside ``target``; on success it becomes ``target``
    (by renaming) and the previous ``target`` is removed; on any error the staging folder
    is removed and ``target`` stays as it was. ``target`` must have passed :func:`guard`."""
    staging = _fresh_private(target, "building")
    try:
        yield staging
        write_marker(staging, made_by, marker)
        os.chmod(staging, _public_mode())
        old = swap_in(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise os_failure(exc, target) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        discard(old)


@contextlib.contextmanager
def private_dir(beside: Path) -> Iterator[Path]:
    """A private (0700) work folder ``.<name>.project-<pid>`` beside ``beside`` (same file
    system), for this process only; removed afterwards, and by the next run if this one
    was killed."""
    folder = _fresh_private(beside, "project")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def discard(folder: Path) -> None:
    """Delete ``folder`` (a previous output, renamed aside) without waiting for it: made
    private first, then removed by a detached process, so the command can report success
    as soon as the new output is in place. A removal that never finishes (the machine goes
    down) leaves a ``.…old-PID`` folder that the next run removes."""
    try:
        os.chmod(folder, 0o700)
        subprocess.Popen(
            [sys.executable, "-I", "-S", "-c",
             "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def swap_in(staging: Path, target: Path) -> Path | None:
    """Put ``staging`` in place of ``target`` by renames only; returns the renamed-aside old
    ``target`` (to be deleted by the caller) or None. If the second rename fails the old
    folder is put back."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    moved = False
    if target.exists():
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
        moved = True
    try:
        staging.rename(target)
    except OSError:
        if moved:
            old.rename(target)
        raise
    return old if moved else None


def replace_file(target: Path, content: bytes) -> None:
    """Write ``content`` beside ``target`` and rename it over ``target``."""
    tmp = target.parent / f".{target.name}.building-{os.getpid()}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
        tmp.write_bytes(content)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise os_failure(exc, target) from None


def write_into(folder: Path, files: Mapping[str, bytes], made_by: str) -> list[Path]:
    """Add or replace ``files`` (name -> bytes) in ``folder`` (which must have passed
    :func:`guard`): every file is written beside its target first, then all are renamed
    into place, so a failure while writing changes nothing."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_marker(folder, made_by)
    except OSError as exc:
        raise os_failure(exc, folder) from None
    pending: list[tuple[Path, Path]] = []
    try:
        for name, content in files.items():
            target = folder / name
            tmp = folder / f".{name}.building-{os.getpid()}"
            tmp.write_bytes(content)
            pending.append((tmp, target))
        for tmp, target in pending:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _target in pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise os_failure(exc, folder) from None
    return [target for _tmp, target in pending]
