"""``generator.base.outputs`` on its own, in this process: each refusal of :func:`guard`,
the workbook marker, the Chinese reasons for OS errors, leftovers of killed runs, the staged
swap and the single-file writes. (The commands' use of it is in test_output_guard.py.)"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from test_site_support import settled

from generator.base import outputs
from generator.base.outputs import OutputFailed, UnsafeOutput, guard

DEAD_PID = 2**22 + 12345  # above any pid_max default: no such process


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home" / "clerk"
    folder.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    return folder


FIX = "请用 --out 指定一个新的或 showcase 生成过的文件夹，例如 site。"


def refusal(out: Path | str, **kwargs: object) -> str:
    """The reason (between "：" and "。") of guard's refusal, after checking the whole
    message around it; the fix at its end is returned after a "|"."""
    kwargs.setdefault("data_dir", None)
    kwargs.setdefault("project_root", None)
    kwargs.setdefault("made_by", "test")
    with pytest.raises(UnsafeOutput) as caught:
        guard(out, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    head = f"不能写入 {out}："
    middle = "。为避免覆盖或删除文件，已停止，没有改动任何内容。"
    assert message.startswith(head) and middle in message, message
    why, fix = message[len(head):].split(middle)
    return why if fix == FIX else f"{why}|{fix}"


def allowed(out: Path | str, **kwargs: object) -> Path:
    kwargs.setdefault("data_dir", None)
    kwargs.setdefault("project_root", None)
    kwargs.setdefault("made_by", "test")
    return guard(out, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- guard: where

def test_the_filesystem_root_is_refused(home: Path) -> None:
    assert refusal("/") == "这是文件系统的根目录"


def test_the_home_folder_and_what_contains_it_are_refused_but_not_what_is_inside(home: Path) -> None:
    assert refusal(home) == "这是用户主目录（或包含它）"
    assert refusal(home.parent) == "这是用户主目录（或包含它）"
    assert allowed(home / "site") == home / "site"


def test_a_path_inside_a_git_folder_is_refused(home: Path, tmp_path: Path) -> None:
    assert refusal(tmp_path / "repo" / ".git" / "site") == "它在 git 仓库的内部数据文件夹（.git）中"
    assert refusal(tmp_path / "repo" / ".git", kind="file") == "它在 git 仓库的内部数据文件夹（.git）中"


def test_the_data_folder_inside_it_and_around_it_are_refused(home: Path, tmp_path: Path) -> None:
    data = tmp_path / "work" / "project" / "data"
    data.mkdir(parents=True)
    inside = f"它是数据目录 {data}（或在其中）：输出会覆盖或混入数据文件"
    assert refusal(data, data_dir=data) == inside
    assert refusal(data / "site", data_dir=data) == inside
    around = f"它包含数据目录 {data}：替换它会删除数据文件"
    assert refusal(data.parent, data_dir=data) == around
    assert refusal(tmp_path / "work", data_dir=data) == around
    beside = data.parent / "site"
    assert allowed(beside, data_dir=data) == beside
    assert allowed(data.parent / "data-site", data_dir=data) == data.parent / "data-site"


def test_the_project_root_and_what_contains_it_are_refused(home: Path, tmp_path: Path) -> None:
    root = tmp_path / "work" / "project"
    root.mkdir(parents=True)
    assert refusal(root, project_root=root) == "这是项目根目录（或包含它）"
    assert refusal(tmp_path / "work", project_root=root) == "这是项目根目录（或包含它）"
    assert allowed(root / "site", project_root=root) == root / "site"


def test_without_a_known_home_nothing_is_refused_as_home(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # no HOME, no passwd entry
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert allowed(work) == work


def test_a_relative_path_is_resolved_and_shown_as_given(home: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path)
    assert allowed("link/site") == tmp_path / "real" / "site"
    data = tmp_path / "real" / "data"
    data.mkdir()
    # through the link, the target is still the data folder
    assert refusal("link/data", data_dir=str(data)) == (
        f"它是数据目录 {data}（或在其中）：输出会覆盖或混入数据文件")


# ---------------------------------------------------------------- guard: what is there

def test_a_git_work_tree_is_refused_as_a_folder(home: Path, tmp_path: Path) -> None:
    repo = tmp_path / "published"
    (repo / ".git").mkdir(parents=True)
    assert refusal(repo) == "这是一个 git 仓库（含 .git）"


def test_a_file_or_a_symlink_is_not_a_folder(home: Path, tmp_path: Path) -> None:
    afile = tmp_path / "site"
    afile.write_text("x", encoding="utf-8")
    assert refusal(afile) == "它已存在，但不是文件夹"
    empty = tmp_path / "empty"
    empty.mkdir()
    link = tmp_path / "link"
    link.symlink_to(empty)
    # guard resolves the path first, so a link to an empty folder is that folder
    assert allowed(link) == empty


def test_a_folder_is_replaced_only_when_empty_or_made_by_showcase(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    assert allowed(target) == target  # does not exist
    target.mkdir()
    assert allowed(target) == target  # empty
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    not_ours = ("这个文件夹不是空的，也不是 showcase 生成的（没有 .showcase-generated 标记）|"
                "请换一个输出文件夹，或确认其中内容不再需要后自行删除它。")
    assert refusal(target) == not_ours
    (target / outputs.MARKER).mkdir()  # a folder of that name is not the marker
    assert refusal(target) == not_ours
    (target / outputs.MARKER).rmdir()
    outputs.write_marker(target, "test")
    assert allowed(target) == target


def test_a_folder_is_replaced_only_by_the_command_that_made_it(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    target.mkdir()
    outputs.write_marker(target, "showcase schema")
    (target / "mine.json").write_text("{}", encoding="utf-8")
    assert refusal(target, made_by="showcase build") == (
        "这个文件夹是 showcase schema 生成的，不是 showcase build 的输出，替换它会删除其中的文件|"
        "请换一个输出文件夹，例如 site。")
    assert allowed(target, made_by="showcase schema") == target


@pytest.mark.parametrize("marker", ["", "not json", "[]", '{"generated_by": 3}', '{"other": 1}'])
def test_a_marker_that_names_no_command_is_not_ours(home: Path, tmp_path: Path, marker: str) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / outputs.MARKER).write_text(marker, encoding="utf-8")
    (target / "index.html").write_text("x", encoding="utf-8")
    assert refusal(target, made_by="showcase build") == (
        "这个文件夹的 .showcase-generated 标记无法识别，不能确定是哪个命令生成的|"
        "请换一个输出文件夹，或确认其中内容不再需要后自行删除它。")


@pytest.mark.parametrize(("below", "refused"), [
    ("deploy/.git", True),            # a child's repository
    ("deploy/en/.git", True),         # a grandchild's
    ("deploy/en/v1/.git", False),     # deeper is not looked at
])
def test_a_git_repository_below_an_old_output_is_refused(home: Path, tmp_path: Path,
                                                         below: str, refused: bool) -> None:
    target = tmp_path / "site"
    target.mkdir()
    outputs.write_marker(target, "test")
    (target / "index.html").write_text("x", encoding="utf-8")
    (target / below).mkdir(parents=True)
    if refused:
        assert refusal(target) == (f"其中有 git 仓库（{target / below}），替换时会把它删除|"
                                   "请把 git 仓库移到别处，或换一个输出文件夹。")
    else:
        assert allowed(target) == target


def test_a_linked_folder_inside_an_old_output_is_not_searched(home: Path, tmp_path: Path) -> None:
    repo = tmp_path / "elsewhere"
    (repo / ".git").mkdir(parents=True)
    target = tmp_path / "site"
    target.mkdir()
    outputs.write_marker(target, "test")
    (target / "deploy").symlink_to(repo)
    assert allowed(target) == target


def test_a_file_target(home: Path, tmp_path: Path) -> None:
    book = tmp_path / "统计表.xlsx"
    assert allowed(book, kind="file") == book  # new
    (tmp_path / "reports").mkdir()
    assert refusal(tmp_path / "reports", kind="file") == (
        "这是一个文件夹，这里需要写入一个文件名|请写出文件名，例如 统计表.xlsx。")
    book.write_bytes(b"not a workbook")
    assert refusal(book, kind="file") == (
        "这个文件已存在，且不是 showcase 导出的|请换一个文件名，或确认不再需要后自行删除它。")
    book.unlink()
    _workbook(book, b"<Properties><property name='showcase-generated'/></Properties>")
    assert allowed(book, kind="file", made_by="showcase export") == book
    # a workbook is export's: another command's file target must not overwrite it
    assert refusal(book, kind="file", made_by="showcase package").startswith("这个文件已存在")


def test_a_file_another_command_wrote_is_recognised_by_its_tag(home: Path, tmp_path: Path) -> None:
    conf = tmp_path / "showcase.conf"
    conf.write_text("# showcase-generated: showcase server-config\nserver {}\n", encoding="utf-8")
    assert allowed(conf, kind="file", made_by="showcase server-config", suffix=".conf") == conf
    assert refusal(conf, kind="file", made_by="showcase package",
                   suffix=".conf").startswith("这个文件已存在")
    conf.write_text("server {}\n# showcase-generated: showcase server-config\n", encoding="utf-8")
    assert refusal(conf, kind="file", made_by="showcase server-config",
                   suffix=".conf").startswith("这个文件已存在")
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("index.html", "x")
        z.comment = b"showcase-generated: showcase package"
    assert allowed(archive, kind="file", made_by="showcase package", suffix=".zip") == archive
    assert refusal(archive, kind="file", made_by="showcase export",
                   suffix=".zip").startswith("这个文件已存在")
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("index.html", "x")
    assert refusal(archive, kind="file", made_by="showcase package",
                   suffix=".zip").startswith("这个文件已存在")
    archive.write_bytes(b"PK\x03\x04 broken")
    assert refusal(archive, kind="file", made_by="showcase package",
                   suffix=".zip").startswith("这个文件已存在")


def test_a_file_target_may_be_inside_a_folder_of_someone_else(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "other.docx").write_text("x", encoding="utf-8")
    (folder / ".git").mkdir()
    assert allowed(folder / "统计表.xlsx", kind="file") == folder / "统计表.xlsx"


# ---------------------------------------------------------------- workbook marker

def _workbook(path: Path, custom: bytes | None) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        if custom is not None:
            book.writestr("docProps/custom.xml", custom)


@pytest.mark.parametrize(("custom", "made"), [
    (b"<p name='showcase-generated'/>", True),
    (b"<p name='someone-else'/>", False),
    (None, False),
    (b"showcase-generated" + b" " * (1_000_000 - 18), True),   # exactly the size limit
    (b"showcase-generated" + b" " * (1_000_001 - 18), False),  # one byte over it
])
def test_a_workbook_is_showcases_only_with_the_property(tmp_path: Path, custom: bytes | None,
                                                        made: bool) -> None:
    book = tmp_path / "book.xlsx"
    _workbook(book, custom)
    assert outputs.workbook_made_by_showcase(book) is made


def test_anything_but_a_readable_zip_is_not_showcases_workbook(tmp_path: Path) -> None:
    text = tmp_path / "book.xlsx"
    text.write_bytes(b"showcase-generated")
    assert outputs.workbook_made_by_showcase(text) is False
    assert outputs.workbook_made_by_showcase(tmp_path / "missing.xlsx") is False


# ---------------------------------------------------------------- reasons

@pytest.mark.parametrize(("code", "reason"), [
    (errno.EACCES, "没有写入权限"),
    (errno.EPERM, "没有写入权限"),
    (errno.EROFS, "所在磁盘是只读的"),
    (errno.ENOSPC, "磁盘空间不足"),
    (errno.ENAMETOOLONG, "路径太长"),
    (errno.EIO, "磁盘读写出错"),
    (errno.EISDIR, "这是一个文件夹"),
    (errno.ENOENT, "文件或文件夹不存在"),
    (errno.ELOOP, "系统错误 ELOOP"),
])
def test_os_errors_have_chinese_reasons(code: int, reason: str) -> None:
    failure = outputs.os_failure(OSError(code, os.strerror(code)), Path("/srv/site"))
    assert isinstance(failure, OutputFailed)
    assert str(failure) == (f"无法写入 /srv/site（{reason}）。请换一个可以写入的输出位置，"
                            "或检查该文件夹的权限。")


def test_an_error_without_text_names_its_type() -> None:
    assert "（FileExistsError）" in str(outputs.os_failure(FileExistsError(), "x", "创建"))
    assert str(outputs.os_failure(FileExistsError(), "x", "创建")).startswith("无法创建 x（")


# ---------------------------------------------------------------- leftovers

def test_pid_alive_only_asks_and_never_signals() -> None:
    assert outputs.pid_alive(os.getpid())
    assert not outputs.pid_alive(DEAD_PID)
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert outputs.pid_alive(child.pid)
        with pytest.raises(subprocess.TimeoutExpired):  # signal 0: the process was not touched
            child.wait(timeout=0.5)
    finally:
        child.kill()
        child.wait()


def test_a_process_we_may_not_signal_is_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    def kill(pid: int, sig: int) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "kill", kill)
    assert outputs.pid_alive(DEAD_PID)


def test_leftovers_of_dead_runs_of_this_target_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "site"
    dead_dir = tmp_path / f".site.building-{DEAD_PID}"
    (dead_dir / "sub").mkdir(parents=True)
    dead_old = tmp_path / f".site.old-{DEAD_PID}"
    dead_old.mkdir()
    dead_file = tmp_path / f".site.project-{DEAD_PID}"
    dead_file.write_text("x", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep", encoding="utf-8")
    dead_link = tmp_path / f".site.old-{DEAD_PID + 1}"
    dead_link.symlink_to(outside)
    live = tmp_path / f".site.building-{os.getpid()}"
    live.mkdir()
    other = tmp_path / f".blog.building-{DEAD_PID}"
    other.mkdir()
    unrelated = tmp_path / f".site.backup-{DEAD_PID}"
    unrelated.mkdir()
    removed = outputs.remove_leftovers(target)
    assert sorted(removed) == sorted([dead_dir, dead_old, dead_file, dead_link])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [live.name, other.name, unrelated.name, "outside"])
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "keep"  # link not followed


def test_leftovers_that_cannot_be_removed_do_not_stop_the_run(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    stuck_dir = tmp_path / f".site.building-{DEAD_PID}"
    stuck_dir.mkdir()
    (stuck_dir / "locked.html").write_text("x", encoding="utf-8")
    stuck_file = tmp_path / f".site.old-{DEAD_PID}"
    stuck_file.write_text("x", encoding="utf-8")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "unlink", refuse)
    monkeypatch.setattr(Path, "unlink", refuse)
    removed = outputs.remove_leftovers(tmp_path / "site")
    assert sorted(removed) == [stuck_dir, stuck_file]  # tried; the next run tries again
    assert stuck_file.exists()


def test_no_leftovers_without_a_parent_folder(tmp_path: Path) -> None:
    assert outputs.remove_leftovers(tmp_path / "missing" / "site") == []


# ---------------------------------------------------------------- staged folders

def test_the_marker_names_who_made_the_folder(tmp_path: Path) -> None:
    outputs.write_marker(tmp_path, "showcase build", {"audience": "public"})
    text = (tmp_path / outputs.MARKER).read_text(encoding="utf-8")
    assert text.endswith("\n")
    assert json.loads(text) == {"generated_by": "showcase build", "audience": "public"}
    outputs.write_marker(tmp_path, "showcase 生成")
    assert (tmp_path / outputs.MARKER).read_text(encoding="utf-8") == '{"generated_by": "showcase 生成"}\n'


def test_public_mode_follows_the_umask() -> None:
    before = os.umask(0o027)
    try:
        assert outputs._public_mode() == 0o750
        assert os.umask(0o027) == 0o027  # and leaves it as it was
    finally:
        os.umask(before)


def test_a_new_target_is_made_with_its_marker(tmp_path: Path) -> None:
    target = tmp_path / "out" / "site"
    with outputs.staged_dir(target, "test", {"as_of": "2026-11-28"}) as staging:
        assert staging == tmp_path / "out" / f".site.building-{os.getpid()}"
        (staging / "index.html").write_text("new", encoding="utf-8")
    assert json.loads((target / outputs.MARKER).read_text(encoding="utf-8")) == {
        "generated_by": "test", "as_of": "2026-11-28"}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["site"]


def test_a_stale_staging_folder_of_this_process_is_cleared(tmp_path: Path) -> None:
    target = tmp_path / "site"
    stale = tmp_path / f".site.building-{os.getpid()}"
    stale.mkdir()
    (stale / "stale.html").write_text("stale", encoding="utf-8")
    with outputs.staged_dir(target, "test") as staging:
        assert list(staging.iterdir()) == []
    assert sorted(p.name for p in target.iterdir()) == [outputs.MARKER]


def test_an_error_inside_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old", encoding="utf-8")
    with pytest.raises(KeyError), outputs.staged_dir(target, "test") as staging:
        (staging / "new.html").write_text("new", encoding="utf-8")
        raise KeyError("render failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert sorted(p.name for p in target.iterdir()) == ["old.html"]


def test_an_os_error_inside_is_a_chinese_failure_and_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    with pytest.raises(OutputFailed, match="磁盘空间不足"), outputs.staged_dir(target, "test"):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert list(target.iterdir()) == []


def test_a_staging_folder_that_cannot_be_made_is_a_chinese_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputFailed) as caught, outputs.staged_dir(blocker / "site", "test"):
        pytest.fail("the body must not run")
    assert str(caught.value).startswith(f"无法写入 {blocker}（")


def test_the_previous_output_is_renamed_aside_then_deleted(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old", encoding="utf-8")
    with outputs.staged_dir(target, "test") as staging:
        (staging / "new.html").write_text("new", encoding="utf-8")
    assert (target / "new.html").read_text(encoding="utf-8") == "new"
    assert settled(tmp_path) == ["site"]


# ---------------------------------------------------------------- swap and discard

def test_swap_into_a_new_place_returns_nothing_to_delete(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    assert outputs.swap_in(staging, tmp_path / "site") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_swap_returns_the_old_folder_renamed_aside(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old", encoding="utf-8")
    aside = tmp_path / f".site.old-{os.getpid()}"
    aside.mkdir()  # a previous one of this pid is replaced
    (aside / "older.html").write_text("older", encoding="utf-8")
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "new.html").write_text("new", encoding="utf-8")
    old = outputs.swap_in(staging, target)
    assert old == aside
    assert sorted(p.name for p in aside.iterdir()) == ["old.html"]
    assert sorted(p.name for p in target.iterdir()) == ["new.html"]


def test_discard_removes_the_folder_in_the_background(tmp_path: Path) -> None:
    old = tmp_path / ".site.old-1"
    (old / "sub").mkdir(parents=True)
    old.chmod(0o555)
    outputs.discard(old)
    assert settled(tmp_path) == []


def test_discard_runs_a_detached_isolated_removal(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[list[str], dict[str, object]]] = []
    monkeypatch.setattr(subprocess, "Popen", lambda args, **kw: calls.append((args, kw)))
    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    outputs.discard(old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o700  # private while it waits
    [(args, kwargs)] = calls
    assert args[:3] == [outputs.sys.executable, "-I", "-S"] and args[-1] == str(old)
    assert kwargs == {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
                      "stderr": subprocess.DEVNULL, "start_new_session": True, "close_fds": True}


def test_discard_without_a_process_removes_the_folder_itself(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def no_process(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    old = tmp_path / "old"
    (old / "sub").mkdir(parents=True)
    outputs.discard(old)
    assert list(tmp_path.iterdir()) == []


def test_discard_never_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_process(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    def no_unlink(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    old = tmp_path / "old"
    old.mkdir()
    (old / "stuck.html").write_text("x", encoding="utf-8")
    monkeypatch.setattr(os, "unlink", no_unlink)
    outputs.discard(old)  # what cannot be removed now is a leftover for the next run
    assert (old / "stuck.html").exists()


# ---------------------------------------------------------------- single files

def test_replace_file_writes_beside_and_renames(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "统计表.xlsx"
    outputs.replace_file(target, b"one")
    inode = target.stat().st_ino
    outputs.replace_file(target, b"two")
    assert target.read_bytes() == b"two"
    assert target.stat().st_ino != inode  # a new file renamed over it, not rewritten
    assert sorted(p.name for p in target.parent.iterdir()) == ["统计表.xlsx"]


def test_replace_file_failure_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")

    def fail(src: object, dst: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputFailed) as caught:
        outputs.replace_file(target, b"new")
    assert str(caught.value).startswith(f"无法写入 {target}（所在磁盘是只读的）")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
    # and when even the half-written file cannot be removed, the failure is still the same

    def no_unlink(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "unlink", no_unlink)
    with pytest.raises(OutputFailed, match="所在磁盘是只读的"):
        outputs.replace_file(target, b"new")


def test_write_into_adds_files_with_the_marker(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "schemas"
    written = outputs.write_into(folder, {"a.json": b"A", "b.json": b"B"}, "showcase schema")
    assert written == [folder / "a.json", folder / "b.json"]
    assert (folder / "a.json").read_bytes() == b"A" and (folder / "b.json").read_bytes() == b"B"
    assert json.loads((folder / outputs.MARKER).read_text(encoding="utf-8")) == {
        "generated_by": "showcase schema"}
    assert sorted(p.name for p in folder.iterdir()) == [outputs.MARKER, "a.json", "b.json"]


def test_write_into_changes_nothing_when_a_write_fails(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "a.json").write_bytes(b"old")
    real = Path.write_bytes
    calls = []

    def write_bytes(self: Path, data: bytes) -> int:
        calls.append(self.name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    with pytest.raises(OutputFailed) as caught:
        outputs.write_into(folder, {"a.json": b"A", "b.json": b"B"}, "test")
    assert str(caught.value).startswith(f"无法写入 {folder}（磁盘空间不足）")
    assert (folder / "a.json").read_bytes() == b"old"
    assert sorted(p.name for p in folder.iterdir()) == [outputs.MARKER, "a.json"]
    # a half-written file that cannot be removed does not hide the failure
    calls.clear()

    def no_unlink(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "unlink", no_unlink)
    with pytest.raises(OutputFailed, match="磁盘空间不足"):
        outputs.write_into(folder, {"a.json": b"A", "b.json": b"B"}, "test")


def test_write_into_a_folder_that_cannot_be_made_is_a_chinese_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputFailed) as caught:
        outputs.write_into(blocker / "schemas", {"a.json": b"A"}, "test")
    assert str(caught.value).startswith(f"无法写入 {blocker / 'schemas'}（")


def test_the_staging_folder_is_private(tmp_path: Path) -> None:
    with outputs.staged_dir(tmp_path / "site", "test") as staging:
        assert stat.S_IMODE(staging.stat().st_mode) == 0o700
